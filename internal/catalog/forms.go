package catalog

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
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

func (h *handlers) elementID(ctx context.Context, code string, field string, line int) (int64, error) {
	if code == "" {
		return 0, nil
	}
	e, err := h.store.ElementByCode(ctx, code)
	if err != nil {
		if platform.ErrorClass(err) == platform.ENotFound {
			return 0, platform.FieldError(field, "unknown_element", "line %d: no data element has code %q", line, code)
		}
		return 0, err
	}
	return e.ID, nil
}

// parseServiceForm reads the service form. Lines of the items field are
// "key | label | data element code".
func (h *handlers) parseServiceForm(r *http.Request) (ServiceInput, []int, error) {
	f := r.PostFormValue
	in := ServiceInput{Identifier: f("identifier"), Name: f("name"), Description: f("description"), Documentation: f("documentation"),
		Schema: f("schema"), Form: Form(f("form")), Method: Method(f("method")), UpstreamURL: f("upstream_url"), Open: f("open") == "1"}
	var err error
	if in.ProviderOrgID, err = formInt(r, "provider_org_id"); err != nil {
		return in, nil, err
	}
	if in.RegulationID, err = formInt(r, "regulation_id"); err != nil {
		return in, nil, err
	}
	cps, err := formInt(r, "capacity_per_second")
	if err != nil {
		return in, nil, err
	}
	cpd, err := formInt(r, "capacity_per_day")
	if err != nil {
		return in, nil, err
	}
	in.CapacityPerSec, in.CapacityPerDay = int(min(cps, 1<<31-1)), int(min(cpd, 1<<31-1))
	for _, v := range r.PostForm["database_ids"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return in, nil, platform.FieldError("database_ids", "invalid_database", "unknown database")
		}
		in.DatabaseIDs = append(in.DatabaseIDs, id)
	}
	ls, nums := lines(f("items"))
	for i, l := range ls {
		p := splitLine(l, 3)
		eid, err := h.elementID(r.Context(), p[2], "items", nums[i])
		if err != nil {
			return in, nums, err
		}
		in.Items = append(in.Items, DataItem{Key: p[0], Label: p[1], ElementID: eid})
	}
	return in, nums, nil
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
	var err error
	if in.OwnerOrgID, err = formInt(r, "owner_org_id"); err != nil {
		return in, nil, err
	}
	ls, nums := lines(f("items"))
	for i, l := range ls {
		p := splitLine(l, 5)
		eid, err := h.elementID(r.Context(), p[4], "items", nums[i])
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
	return in, nums, nil
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
	var err error
	if in.OwnerOrgID, err = formInt(r, "owner_org_id"); err != nil {
		return in, err
	}
	if in.DatabaseID, err = formInt(r, "database_id"); err != nil {
		return in, err
	}
	hours, err := formInt(r, "validity_hours")
	if err != nil {
		return in, err
	}
	if hours < 0 || hours > MaxValiditySeconds/3600 {
		return in, platform.FieldError("validity_hours", "invalid_duration", "the validity must be between 0 and 10 years")
	}
	in.ValiditySeconds = hours * 3600
	days, err := formInt(r, "log_retention_days")
	if err != nil {
		return in, err
	}
	in.LogRetentionDays = int(min(max(days, -1), MaxLogRetentionDays+1))
	return in, nil
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
	var err error
	if in.OwnerOrgID, err = formInt(r, "owner_org_id"); err != nil {
		return in, err
	}
	if in.CodeListID, err = formInt(r, "codelist_id"); err != nil {
		return in, err
	}
	in.SourceDatabaseID, err = formInt(r, "source_database_id")
	return in, err
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
	var err error
	if in.OwnerOrgID, err = formInt(r, "owner_org_id"); err != nil {
		return in, err
	}
	in.DatabaseID, err = formInt(r, "database_id")
	return in, err
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

// formErrors turns a validation error into form errors; errors about one
// listed item are shown on the textarea with the item's line number.
func formErrors(err error, nums []int) (map[string]string, error) {
	fe, err := web.FormErrors(err)
	if err != nil {
		return nil, err
	}
	for f, msg := range fe {
		if m := listFieldRE.FindStringSubmatch(f); m != nil {
			delete(fe, f)
			i, _ := strconv.Atoi(m[2])
			line := i + 1
			if i < len(nums) {
				line = nums[i]
			}
			fe[m[1]] = fmt.Sprintf("line %d: %s", line, msg)
		}
	}
	return fe, nil
}
