package catalog

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

// Web forms edit lists (data items) as text, one item per line with the
// parts separated by "|", so every form works without JavaScript.

// formInt parses an optional integer form field.
func formInt(r *http.Request, field string) (int64, error) {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, platform.FieldError(field, "invalid_number", "%s must be a whole number", field)
	}
	return n, nil
}

// formInts reads optional integer form fields into their destinations,
// recording in v each that is not a whole number (its value stays 0).
func formInts(r *http.Request, v *platform.Validation, fields map[string]*int64) {
	for field, dst := range fields {
		n, err := formInt(r, field)
		_ = v.Merge(err) // formInt's errors are all field errors
		*dst = n
	}
}

func splitLine(line string, n int) []string {
	parts := strings.Split(line, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	for len(parts) < n {
		parts = append(parts, "")
	}
	return parts
}

// lines returns the non-empty lines of a textarea with their numbers.
func lines(s string) (out []string, nums []int) {
	for i, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
			nums = append(nums, i+1)
		}
	}
	return out, nums
}

// elementID resolves a data element code of the items field's entry i
// (on line), recording in v a code no element has.
func (h *handlers) elementID(ctx context.Context, v *platform.Validation, code string, i, line int) (int64, error) {
	if code == "" {
		return 0, nil
	}
	e, err := h.store.ElementByCode(ctx, code)
	if platform.ErrorClass(err) == platform.ENotFound {
		v.Add(fmt.Sprintf("items[%d].element_id", i), "unknown_element", "no data element has code %q", code)
		return 0, nil
	}
	return e.ID, err
}

// parseServiceForm reads the service form. Lines of the items field are
// "key | label | data element code". Its error names every field that
// cannot be read.
func (h *handlers) parseServiceForm(r *http.Request) (ServiceInput, []int, error) {
	f := r.PostFormValue
	in := ServiceInput{Identifier: f("identifier"), Name: f("name"), Description: f("description"), Documentation: f("documentation"),
		Schema: f("schema"), Form: Form(f("form")), Method: Method(f("method")), UpstreamURL: f("upstream_url"), Open: f("open") == "1"}
	var v platform.Validation
	var cps, cpd int64
	formInts(r, &v, map[string]*int64{"provider_org_id": &in.ProviderOrgID, "regulation_id": &in.RegulationID,
		"capacity_per_second": &cps, "capacity_per_day": &cpd})
	in.CapacityPerSec, in.CapacityPerDay = int(min(cps, 1<<31-1)), int(min(cpd, 1<<31-1))
	for _, val := range r.PostForm["database_ids"] {
		id, err := strconv.ParseInt(val, 10, 64)
		if !v.Check(err == nil, "database_ids", "invalid_database", "unknown database") {
			break
		}
		in.DatabaseIDs = append(in.DatabaseIDs, id)
	}
	ls, nums := lines(f("items"))
	for i, l := range ls {
		p := splitLine(l, 3)
		eid, err := h.elementID(r.Context(), &v, p[2], i, nums[i])
		if err != nil {
			return in, nums, err
		}
		in.Items = append(in.Items, DataItem{Key: p[0], Label: p[1], ElementID: eid})
	}
	return in, nums, v.Err()
}

// serviceValues fills the service form from a service.
func serviceValues(sv Service) url.Values {
	v := url.Values{}
	v.Set("identifier", sv.Identifier)
	v.Set("name", sv.Name)
	v.Set("provider_org_id", strconv.FormatInt(sv.ProviderOrgID, 10))
	v.Set("description", sv.Description)
	v.Set("documentation", sv.Documentation)
	v.Set("schema", sv.Schema)
	v.Set("form", string(sv.Form))
	v.Set("method", string(sv.Method))
	v.Set("upstream_url", sv.UpstreamURL)
	if sv.Open {
		v.Set("open", "1")
	}
	if sv.RegulationID != 0 {
		v.Set("regulation_id", strconv.FormatInt(sv.RegulationID, 10))
	}
	if sv.CapacityPerSec != 0 {
		v.Set("capacity_per_second", strconv.Itoa(sv.CapacityPerSec))
	}
	if sv.CapacityPerDay != 0 {
		v.Set("capacity_per_day", strconv.Itoa(sv.CapacityPerDay))
	}
	for _, id := range sv.DatabaseIDs {
		v.Add("database_ids", strconv.FormatInt(id, 10))
	}
	var b strings.Builder
	for _, it := range sv.Items {
		b.WriteString(it.Key + " | " + it.Label)
		if it.ElementCode != "" {
			b.WriteString(" | " + it.ElementCode)
		}
		b.WriteString("\n")
	}
	v.Set("items", b.String())
	return v
}

// parseDatabaseForm reads the database form. Lines of the items field are
// "key | name | open/default/special | consumer categories (comma) | element code".
func (h *handlers) parseDatabaseForm(r *http.Request) (DatabaseInput, []int, error) {
	f := r.PostFormValue
	in := DatabaseInput{Name: f("name"), Kind: DatabaseKind(f("kind")), Purpose: f("purpose"), Scope: f("scope"), Content: f("content"),
		UpdateMechanism: f("update_mechanism"), Sources: f("sources")}
	var v platform.Validation
	formInts(r, &v, map[string]*int64{"owner_org_id": &in.OwnerOrgID})
	ls, nums := lines(f("items"))
	for i, l := range ls {
		p := splitLine(l, 5)
		eid, err := h.elementID(r.Context(), &v, p[4], i, nums[i])
		if err != nil {
			return in, nums, err
		}
		var cats []string
		for _, c := range strings.Split(p[3], ",") {
			if c = strings.TrimSpace(c); c != "" {
				cats = append(cats, c)
			}
		}
		in.Items = append(in.Items, DatabaseItem{Key: p[0], Name: p[1], Classification: Classification(p[2]), ConsumerCategories: cats, ElementID: eid})
	}
	return in, nums, v.Err()
}

func databaseValues(d Database) url.Values {
	v := url.Values{}
	v.Set("owner_org_id", strconv.FormatInt(d.OwnerOrgID, 10))
	for k, x := range map[string]string{"name": d.Name, "kind": string(d.Kind), "purpose": d.Purpose, "scope": d.Scope,
		"content": d.Content, "update_mechanism": d.UpdateMechanism, "sources": d.Sources} {
		v.Set(k, x)
	}
	var b strings.Builder
	for _, it := range d.Items {
		fmt.Fprintf(&b, "%s | %s | %s | %s | %s\n", it.Key, it.Name, it.Classification, strings.Join(it.ConsumerCategories, ", "), it.ElementCode)
	}
	v.Set("items", b.String())
	return v
}

// parseRegulationForm reads the regulation form; the validity is entered
// in hours and stored in seconds.
func parseRegulationForm(r *http.Request) (RegulationInput, error) {
	f := r.PostFormValue
	in := RegulationInput{Title: f("title"), Topic: f("topic"), DocumentRef: f("document_ref"), WhoMayAccess: f("who_may_access"),
		AuthRequired: f("auth_required") == "1", LogRequestBody: f("log_request_body") == "1",
		LogResponseContent: f("log_response_content") == "1", StorageRules: f("storage_rules"), OtherTerms: f("other_terms")}
	var v platform.Validation
	var hours, days int64
	formInts(r, &v, map[string]*int64{"owner_org_id": &in.OwnerOrgID, "database_id": &in.DatabaseID,
		"validity_hours": &hours, "log_retention_days": &days})
	if v.Check(hours >= 0 && hours <= MaxValiditySeconds/3600, "validity_hours", "invalid_duration", "the validity must be between 0 and 10 years") {
		in.ValiditySeconds = hours * 3600
	}
	in.LogRetentionDays = int(min(max(days, -1), MaxLogRetentionDays+1))
	return in, v.Err()
}

func regulationValues(reg Regulation) url.Values {
	v := url.Values{}
	v.Set("owner_org_id", strconv.FormatInt(reg.OwnerOrgID, 10))
	if reg.DatabaseID != 0 {
		v.Set("database_id", strconv.FormatInt(reg.DatabaseID, 10))
	}
	for k, x := range map[string]string{"title": reg.Title, "topic": reg.Topic, "document_ref": reg.DocumentRef,
		"who_may_access": reg.WhoMayAccess, "storage_rules": reg.StorageRules, "other_terms": reg.OtherTerms} {
		v.Set(k, x)
	}
	for k, b := range map[string]bool{"auth_required": reg.AuthRequired, "log_request_body": reg.LogRequestBody,
		"log_response_content": reg.LogResponseContent} {
		if b {
			v.Set(k, "1")
		}
	}
	v.Set("validity_hours", strconv.FormatInt(reg.ValiditySeconds/3600, 10))
	v.Set("log_retention_days", strconv.Itoa(reg.LogRetentionDays))
	return v
}

func parseElementForm(r *http.Request) (ElementInput, error) {
	f := r.PostFormValue
	in := ElementInput{Code: f("code"), Name: f("name"), Definition: f("definition"), DataType: DataType(f("data_type")),
		Format: f("format"), MasterSource: f("master_source")}
	var v platform.Validation
	formInts(r, &v, map[string]*int64{"owner_org_id": &in.OwnerOrgID, "codelist_id": &in.CodeListID,
		"source_database_id": &in.SourceDatabaseID})
	return in, v.Err()
}

func elementValues(e Element) url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"code": e.Code, "name": e.Name, "definition": e.Definition, "data_type": string(e.DataType),
		"format": e.Format, "master_source": e.MasterSource, "owner_org_id": strconv.FormatInt(e.OwnerOrgID, 10)} {
		v.Set(k, x)
	}
	if e.CodeListID != 0 {
		v.Set("codelist_id", strconv.FormatInt(e.CodeListID, 10))
	}
	if e.SourceDatabaseID != 0 {
		v.Set("source_database_id", strconv.FormatInt(e.SourceDatabaseID, 10))
	}
	return v
}

func parseProposalForm(r *http.Request) (ProposalInput, error) {
	f := r.PostFormValue
	in := ProposalInput{Action: ProposalAction(f("action")), Name: f("name"), Objective: f("objective"), DataScope: f("data_scope"),
		MasterData: f("master_data"), UsersPurposes: f("users_purposes"), Sources: f("sources"), SharingMethods: f("sharing_methods"),
		Justification: f("justification")}
	var v platform.Validation
	formInts(r, &v, map[string]*int64{"owner_org_id": &in.OwnerOrgID, "database_id": &in.DatabaseID})
	return in, v.Err()
}

func proposalValues(p Proposal) url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"action": string(p.Action), "name": p.Name, "objective": p.Objective, "data_scope": p.DataScope,
		"master_data": p.MasterData, "users_purposes": p.UsersPurposes, "sources": p.Sources, "sharing_methods": p.SharingMethods,
		"justification": p.Justification, "owner_org_id": strconv.FormatInt(p.OwnerOrgID, 10)} {
		v.Set(k, x)
	}
	if p.DatabaseID != 0 {
		v.Set("database_id", strconv.FormatInt(p.DatabaseID, 10))
	}
	return v
}

// listFieldRE matches errors about one element of a list field: items[3].key.
var listFieldRE = regexp.MustCompile(`^(items)\[(\d+)\]`)

// formErrors turns a validation error into form errors; errors about
// listed items are shown on the textarea with each item's line number, one
// a line (in the order of the lines), after the list's own.
func formErrors(err error, nums []int) (map[string]string, error) {
	fe, ferr := web.FormErrors(err)
	if ferr != nil {
		return nil, ferr
	}
	type lineError struct {
		line int
		msg  string
	}
	lists := map[string][]lineError{}
	for _, is := range platform.AsError(err).Issues() {
		m := listFieldRE.FindStringSubmatch(is.Field)
		if m == nil {
			continue
		}
		delete(fe, is.Field)
		i, _ := strconv.Atoi(m[2])
		line := i + 1
		if i < len(nums) {
			line = nums[i]
		}
		lists[m[1]] = append(lists[m[1]], lineError{line, fmt.Sprintf("line %d: %s", line, is.Message)})
	}
	for name, errs := range lists {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].line < errs[j].line })
		var msgs []string
		if own := fe[name]; own != "" {
			msgs = append(msgs, own)
		}
		for _, e := range errs {
			msgs = append(msgs, e.msg)
		}
		fe[name] = strings.Join(msgs, "\n")
	}
	return fe, nil
}

// Lines splits a form error that holds several messages, one a line (a
// list field's, from formErrors), for the page to translate each.
func (formData) Lines(msg string) []string {
	if msg == "" {
		return nil
	}
	return strings.Split(msg, "\n")
}
