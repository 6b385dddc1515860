package oversight

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

type agreementsData struct {
	List     platform.PageResult[Agreement]
	Joinable []Agreement
	Q        string
	State    string
	States   []AgreementState
	// CanCreate: the user may propose an agreement, as a consumer
	// (request.create) or a provider (request.decide).
	CanCreate bool
}

// canProposeAgreement reports whether p may propose an agreement somewhere.
func canProposeAgreement(p *identity.Principal) bool {
	for _, perm := range []identity.Permission{identity.PermRequestCreate, identity.PermRequestDecide} {
		if sc := p.Scope(perm); sc == nil || len(sc) > 0 {
			return true
		}
	}
	return false
}

func (h *handlers) agreementsPage(w http.ResponseWriter, r *http.Request) error {
	p, page, err := web.RequireLoginPaged(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := AgreementFilter{Query: q.Get("q"), State: AgreementState(q.Get("state")), Page: page}
	if f.State != "" && !f.State.Valid() {
		return platform.FieldError("state", "invalid_state", "unknown state")
	}
	list, err := h.store.ListAgreements(r.Context(), p, f)
	if err != nil {
		return err
	}
	joinable, err := h.store.ListAgreements(r.Context(), p, AgreementFilter{Joinable: true, Page: platform.Page{Limit: 20}})
	if err != nil {
		return err
	}
	h.site.Page(w, r, "oversight/agreements.html", agreementsData{List: list, Joinable: joinable.Items, Q: f.Query,
		State: string(f.State), States: AgreementStates, CanCreate: canProposeAgreement(p)})
	return nil
}

type agreementFormData struct {
	Services  []ServiceInfo
	Consumers []directory.Org
	Methods   []string
	Items     []string // item keys of the service (edit page)
	A         Agreement
	Number    int
}

func (h *handlers) agreementFormData(r *http.Request, p *identity.Principal) (agreementFormData, error) {
	if !canProposeAgreement(p) {
		return agreementFormData{}, platform.Forbidden()
	}
	svcs, err := h.publishedServices(r.Context())
	if err != nil {
		return agreementFormData{}, err
	}
	consumers, err := h.orgsWith(r.Context(), p, identity.PermRequestCreate)
	if err != nil {
		return agreementFormData{}, err
	}
	if len(consumers) == 0 {
		// A provider proposing to a consumer chooses among every organisation.
		if consumers, err = h.allOrgs(r.Context()); err != nil {
			return agreementFormData{}, err
		}
	}
	return agreementFormData{Services: svcs, Consumers: consumers, Methods: sharingMethods}, nil
}

func (h *handlers) newAgreementPage(w http.ResponseWriter, r *http.Request) error {
	return newForm(h, w, r, "oversight/agreement_new.html", h.agreementFormData, func(p *identity.Principal, _ agreementFormData) (url.Values, error) {
		form := url.Values{"consumer_org_id": {strconv.FormatInt(p.OrgID, 10)}, "terms.method": {"online"}}
		if s := r.URL.Query().Get("service"); s != "" {
			form.Set("service_id", s)
		}
		return form, nil
	})
}

// termsFromForm reads the D47-38 items from a form.
func termsFromForm(r *http.Request) Terms {
	t := Terms{Data: r.PostFormValue("terms.data"), Place: r.PostFormValue("terms.place"),
		ValidFrom: r.PostFormValue("terms.valid_from"), ValidTo: r.PostFormValue("terms.valid_to"),
		DurationNote: r.PostFormValue("terms.duration_note"), Method: r.PostFormValue("terms.method"),
		MethodNote: r.PostFormValue("terms.method_note"), Processing: r.PostFormValue("terms.processing"),
		Conditions: r.PostFormValue("terms.conditions"), DataProtection: r.PostFormValue("terms.data_protection"),
		Security: r.PostFormValue("terms.security"), Storage: r.PostFormValue("terms.storage"),
		Deletion: r.PostFormValue("terms.deletion"), Other: r.PostFormValue("terms.other")}
	for _, it := range r.PostForm["terms.items"] {
		for _, x := range strings.Split(it, ",") {
			if x = strings.TrimSpace(x); x != "" {
				t.Items = append(t.Items, x)
			}
		}
	}
	return t
}

// termsForm fills a form from terms.
func termsForm(t Terms) url.Values {
	return url.Values{"terms.items": {strings.Join(t.Items, ", ")}, "terms.data": {t.Data}, "terms.place": {t.Place},
		"terms.valid_from": {t.ValidFrom}, "terms.valid_to": {t.ValidTo}, "terms.duration_note": {t.DurationNote},
		"terms.method": {t.Method}, "terms.method_note": {t.MethodNote}, "terms.processing": {t.Processing},
		"terms.conditions": {t.Conditions}, "terms.data_protection": {t.DataProtection}, "terms.security": {t.Security},
		"terms.storage": {t.Storage}, "terms.deletion": {t.Deletion}, "terms.other": {t.Other}}
}

func (h *handlers) createAgreementForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	in := AgreementInput{ServiceID: formInt(r, "service_id"), ConsumerOrgID: formInt(r, "consumer_org_id"),
		Title: r.PostFormValue("title"), Justification: r.PostFormValue("justification"), Terms: termsFromForm(r)}
	a, err := h.store.CreateAgreement(r.Context(), p, in)
	if err != nil {
		return formAgain(h, w, r, p, "oversight/agreement_new.html", h.agreementFormData, err)
	}
	redirect(w, r, idPath("/agreements/", a.ID), "Agreement proposed.")
	return nil
}

// termRow is one line of the D47-38 table.
type termRow struct {
	Item  int
	Label string
	Value string
	// Parties (item 1) and Method (item 5) are shown translated by the page.
	Parties []Party
	Method  string
}

// dayMonthYear writes a civil date (YYYY-MM-DD) as the pages show dates,
// dd/mm/yyyy; other text is kept.
func dayMonthYear(s string) string {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Format("02/01/2006")
	}
	return s
}

// TermRows lists a version's content as the twelve items of D47-38.
func TermRows(v AgreementVersion) []termRow {
	t := v.Terms
	items := strings.Join(t.Items, ", ")
	data := t.Data
	if items != "" {
		data = "[" + items + "] " + data
	}
	duration := strings.TrimSpace(dayMonthYear(t.ValidFrom) + " – " + dayMonthYear(t.ValidTo))
	if duration == "–" {
		duration = ""
	}
	if t.DurationNote != "" {
		duration = strings.TrimSpace(strings.TrimSuffix(duration, ".") + ". " + t.DurationNote)
		duration = strings.TrimPrefix(duration, ". ")
	}
	return []termRow{
		{Item: 1, Label: "Parties", Parties: v.Parties}, {Item: 2, Label: "Data to be shared", Value: data},
		{Item: 3, Label: "Where data is shared and used", Value: t.Place}, {Item: 4, Label: "Duration", Value: duration},
		{Item: 5, Label: "Sharing method", Value: t.MethodNote, Method: t.Method}, {Item: 6, Label: "Processing after receipt", Value: t.Processing},
		{Item: 7, Label: "Conditions and limits", Value: t.Conditions}, {Item: 8, Label: "Data-protection commitments", Value: t.DataProtection},
		{Item: 9, Label: "Security and authentication measures", Value: t.Security}, {Item: 10, Label: "Storage of shared and derived data", Value: t.Storage},
		{Item: 11, Label: "Deletion or destruction of data", Value: t.Deletion}, {Item: 12, Label: "Other matters", Value: t.Other},
	}
}

// termField names a field of the terms with its label on the edit page.
type termField struct{ Name, Label string }

// termFields are the fields of the terms, in the order of D47-38: a
// confirmation refused for an incomplete draft lists their mistakes on the
// agreement page, where the terms cannot be edited.
var termFields = []termField{
	{"terms.items", "Data items (keys, separated by commas; empty: every item)"}, {"terms.data", "Description of the data"},
	{"terms.place", "Place of sharing and use"}, {"terms.valid_from", "First day"}, {"terms.valid_to", "Last day"},
	{"terms.duration_note", "Notes on the duration"}, {"terms.method", "Method (D47-23.1)"}, {"terms.method_note", "Notes on the method"},
	{"terms.processing", "6. Processing after receipt"}, {"terms.conditions", "7. Conditions and limits"},
	{"terms.data_protection", "8. Commitments to data-protection rules"},
	{"terms.security", "9. Security and authentication measures for transfer, storage and access"},
	{"terms.storage", "10. Storage of shared and derived data during and after the agreement"},
	{"terms.deletion", "11. How data is deleted or destroyed after sharing or at the end"}, {"terms.other", "12. Other matters"},
}

type agreementData struct {
	TermFields []termField
	A          Agreement
	Shown      AgreementVersion
	HasShown   bool
	Rows       []termRow
	Draft      AgreementVersion
	HasDraft   bool
	PartyName  map[int64]string
	Me         *identity.Principal
}

func (h *handlers) agreementData(r *http.Request, p *identity.Principal, a Agreement) agreementData {
	d := agreementData{A: a, PartyName: map[int64]string{}, Me: p, TermFields: termFields}
	for _, party := range a.Parties {
		d.PartyName[party.OrgID] = party.OrgName
	}
	d.PartyName[p.OrgID] = p.OrgName
	d.Draft, d.HasDraft = a.Draft()
	if n, err := strconv.Atoi(r.URL.Query().Get("version")); err == nil {
		d.Shown, d.HasShown = a.Version(n)
	}
	if !d.HasShown {
		d.Shown, d.HasShown = a.Current()
	}
	if d.HasShown {
		d.Rows = TermRows(d.Shown)
	}
	return d
}

func (h *handlers) loadAgreement(r *http.Request) (*identity.Principal, Agreement, error) {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "agreement")
	if err != nil {
		return nil, Agreement{}, err
	}
	a, err := h.store.Agreement(r.Context(), p, id)
	return p, a, err
}

func (h *handlers) agreementPage(w http.ResponseWriter, r *http.Request) error {
	p, a, err := h.loadAgreement(r)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "oversight/agreement.html", h.agreementData(r, p, a))
	return nil
}

// agreementAction runs a store call for a form on the agreement page and
// redisplays the page with the error, or redirects with the notice.
func (h *handlers) agreementAction(w http.ResponseWriter, r *http.Request, notice string,
	fn func(p *identity.Principal, id int64) (Agreement, error)) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "agreement")
	if err != nil {
		return err
	}
	a, err := fn(p, id)
	if err != nil {
		cur, lerr := h.store.Agreement(r.Context(), p, id)
		if lerr != nil {
			return err
		}
		return h.renderForm(w, r, "oversight/agreement.html", h.agreementData(r, p, cur), err)
	}
	redirect(w, r, idPath("/agreements/", a.ID), notice)
	return nil
}

func (h *handlers) startDraftForm(w http.ResponseWriter, r *http.Request) error {
	return h.agreementAction(w, r, "Joint draft started.", func(p *identity.Principal, id int64) (Agreement, error) {
		return h.store.StartDrafting(r.Context(), p, id)
	})
}

func versionNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n <= 0 {
		return 0, platform.NotFound("agreement version")
	}
	return n, nil
}

func (h *handlers) editData(r *http.Request, a Agreement, n int) (agreementFormData, error) {
	d := agreementFormData{Methods: sharingMethods, A: a, Number: n}
	if h.store.deps.Services != nil {
		if svc, err := h.store.deps.Services.Service(r.Context(), a.ServiceID); err == nil {
			d.Items = svc.Items
		}
	}
	return d, nil
}

func (h *handlers) editVersionPage(w http.ResponseWriter, r *http.Request) error {
	_, a, err := h.loadAgreement(r)
	if err != nil {
		return err
	}
	n, err := versionNumber(r)
	if err != nil {
		return err
	}
	v, err := a.findVersion(n)
	if err != nil {
		return err
	}
	if v.State != VersionDraft || !a.Access.Edit {
		return coded(platform.EConflict, "version_confirmed", "version %d is %s and cannot be changed; propose an amendment instead (D47-39)", n, string(v.State))
	}
	d, err := h.editData(r, a, n)
	if err != nil {
		return err
	}
	form := termsForm(v.Terms)
	form.Set("change_note", v.ChangeNote)
	h.render(w, r, "oversight/agreement_edit.html", d, form)
	return nil
}

func (h *handlers) updateVersionForm(w http.ResponseWriter, r *http.Request) error {
	p, a, err := h.loadAgreement(r)
	if err != nil {
		return err
	}
	n, err := versionNumber(r)
	if err != nil {
		return err
	}
	t := termsFromForm(r)
	if _, err := h.store.UpdateVersion(r.Context(), p, a.ID, n, VersionInput{Terms: &t, ChangeNote: r.PostFormValue("change_note")}); err != nil {
		d, derr := h.editData(r, a, n)
		if derr != nil {
			return derr
		}
		return h.renderForm(w, r, "oversight/agreement_edit.html", d, err)
	}
	redirect(w, r, idPath("/agreements/", a.ID)+"?version="+strconv.Itoa(n), "Draft saved.")
	return nil
}

func (h *handlers) confirmForm(w http.ResponseWriter, r *http.Request) error {
	return h.agreementAction(w, r, "Confirmation recorded.", func(p *identity.Principal, id int64) (Agreement, error) {
		n, err := versionNumber(r)
		if err != nil {
			return Agreement{}, err
		}
		// A file that cannot be read is reported with the draft's mistakes.
		name, _, data, fileErr := formFile(r, "signed_pdf", h.store.cfg.MaxFileBytes)
		return h.store.confirmWith(r.Context(), p, id, n, ConfirmInput{OrgID: formInt(r, "org_id"), SignedPDFName: name, SignedPDF: data}, fileErr)
	})
}

func (h *handlers) withdrawVersionForm(w http.ResponseWriter, r *http.Request) error {
	return h.agreementAction(w, r, "Amendment withdrawn.", func(p *identity.Principal, id int64) (Agreement, error) {
		n, err := versionNumber(r)
		if err != nil {
			return Agreement{}, err
		}
		return h.store.WithdrawVersion(r.Context(), p, id, n)
	})
}

func (h *handlers) amendForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "agreement")
	if err != nil {
		return err
	}
	a, err := h.store.ProposeAmendment(r.Context(), p, id, VersionInput{ChangeNote: r.PostFormValue("change_note")})
	if err != nil {
		cur, lerr := h.store.Agreement(r.Context(), p, id)
		if lerr != nil {
			return err
		}
		return h.renderForm(w, r, "oversight/agreement.html", h.agreementData(r, p, cur), err)
	}
	d, _ := a.Draft()
	redirect(w, r, "/agreements/"+strconv.FormatInt(a.ID, 10)+"/versions/"+strconv.Itoa(d.Number)+"/edit", "Amendment opened: edit the new version.")
	return nil
}

func (h *handlers) commentForm(w http.ResponseWriter, r *http.Request) error {
	return h.agreementAction(w, r, "Comment added.", func(p *identity.Principal, id int64) (Agreement, error) {
		return h.store.AddComment(r.Context(), p, id, CommentInput{OrgID: formInt(r, "org_id"), Body: r.PostFormValue("body")})
	})
}

func (h *handlers) joinForm(w http.ResponseWriter, r *http.Request) error {
	return h.agreementAction(w, r, "Request to join sent.", func(p *identity.Principal, id int64) (Agreement, error) {
		return h.store.RequestJoin(r.Context(), p, id, JoinInput{OrgID: formInt(r, "org_id"), Purpose: r.PostFormValue("purpose")})
	})
}

func (h *handlers) decideJoinForm(w http.ResponseWriter, r *http.Request) error {
	return h.agreementAction(w, r, "Decision recorded.", func(p *identity.Principal, id int64) (Agreement, error) {
		jid, err := platform.PathID(r, "jid", "join request")
		if err != nil {
			return Agreement{}, err
		}
		return h.store.DecideJoin(r.Context(), p, id, jid, DecisionInput{Accept: r.PostFormValue("decision") == "accept", Note: r.PostFormValue("note")})
	})
}

func (h *handlers) endAgreementForm(w http.ResponseWriter, r *http.Request) error {
	return h.agreementAction(w, r, "Agreement ended.", func(p *identity.Principal, id int64) (Agreement, error) {
		return h.store.EndAgreement(r.Context(), p, id, ReasonInput{Reason: r.PostFormValue("reason")})
	})
}

func (h *handlers) signedPDF(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "agreement")
	if err != nil {
		return err
	}
	n, err := versionNumber(r)
	if err != nil {
		return err
	}
	org, err := platform.PathID(r, "org", "organisation")
	if err != nil {
		return err
	}
	name, data, err := h.store.SignedPDF(r.Context(), p, id, n, org)
	if err != nil {
		return err
	}
	writeFile(w, name, "application/pdf", data)
	return nil
}

// writeFile sends a stored file as an attachment, never rendered inline.
func writeFile(w http.ResponseWriter, name, ctype string, data []byte) {
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	_, _ = w.Write(data)
}

type diffData struct {
	A    Agreement
	Diff VersionDiff
}

func (h *handlers) diffPage(w http.ResponseWriter, r *http.Request) error {
	p, a, err := h.loadAgreement(r)
	if err != nil {
		return err
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("from"))
	to, _ := strconv.Atoi(r.URL.Query().Get("to"))
	if to == 0 {
		to = len(a.Versions)
	}
	if from == 0 {
		from = to - 1
	}
	d, err := h.store.Diff(r.Context(), p, a.ID, from, to)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "oversight/agreement_diff.html", diffData{A: a, Diff: d})
	return nil
}
