package dbi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

func (h *handlers) pages(mux *http.ServeMux) {
	hf := func(pattern string, fn func(w http.ResponseWriter, r *http.Request) error) {
		mux.HandleFunc(pattern, h.site.Handler(fn))
	}
	hf("GET /dbi", h.homePage)
	hf("GET /dbi/register", h.registerPage)
	hf("POST /dbi/register", h.registerForm)
	hf("GET /dbi/enterprises", h.enterprisesPage)
	hf("GET /dbi/enterprises/{id}", h.enterprisePage)
	hf("POST /dbi/enterprises/{id}/profile", h.profileForm)
	hf("POST /dbi/enterprises/{id}/assessments", h.newAssessmentForm)
	hf("GET /dbi/assessments/{id}", h.assessmentPage)
	hf("GET /dbi/assessments/{id}/edit", h.editPage)
	hf("POST /dbi/assessments/{id}/edit", h.editForm)
	hf("POST /dbi/assessments/{id}/act", h.actForm)
	hf("GET /dbi/consultants", h.consultantsPage)
	hf("GET /dbi/consultants/apply", h.applyPage)
	hf("POST /dbi/consultants/apply", h.applyForm)
	hf("GET /dbi/consultants/{id}", h.consultantPage)
	hf("POST /dbi/consultants/{id}/review", h.reviewForm)
	hf("GET /dbi/rankings", h.rankingsPage)
	hf("GET /dbi/statistics", h.statisticsPage)
	hf("GET /dbi/reports/provincial", h.reportDownload)
	hf("GET /dbi/models/{index}", h.modelPage)
	hf("GET /dbi/models/{index}/criteria/{id}/rubric", h.rubricPage)
	hf("POST /dbi/models/{index}/criteria/{id}/rubric", h.rubricForm)
	hf("GET /dbi/verify", h.verifyLookup)
	hf("GET /dbi/verify/{code}", h.verifyPage)
	hf("GET /dbi/verify/{code}/pdf", h.verifyPDF)
}

// page is what every DBI page receives besides its own data.
type page struct {
	A assets
	D any
}

// Template helpers: labels of coded values in the page's language.

// LevelName names a DX level.
func (page) LevelName(l int, lang string) string { return LevelName(l, lang) }

// FieldLabel names a sector.
func (page) FieldLabel(code, lang string) string { return FieldLabel(code, lang) }

// SpecialtyLabel names a consultant specialty.
func (page) SpecialtyLabel(code, lang string) string { return SpecialtyLabel(code, lang) }

// TitleLabel names a consultant title.
func (page) TitleLabel(code, lang string) string { return TitleLabel(code, lang) }

// SizeLabel names a size class.
func (page) SizeLabel(code, lang string) string { return Size(code).Label(lang) }

// Six is the pillar numbers.
func (page) Six() []int { return []int{1, 2, 3, 4, 5, 6} }

// Colour is the chart colour of a level.
func (page) Colour(l int) string { return LevelColour(l) }

// Has reports whether list holds s.
func (page) Has(list []string, s string) bool { return slices.Contains(list, s) }

// Score formats points, or a group's score Đth (thousandths) as a decimal.
func (page) Score(index IndexKind, v int) string {
	if index == Group {
		return strconv.FormatFloat(float64(v)/1000, 'f', 2, 64)
	}
	return strconv.Itoa(v)
}

func (h *handlers) render(w http.ResponseWriter, r *http.Request, status int, name string, data any, form url.Values, errs map[string]string) {
	v := h.site.NewView(w, r, page{A: h.assets, D: data})
	v.Form, v.Errors = form, errs
	h.site.Render(w, r, status, "dbi/"+name, v)
}

func (h *handlers) show(w http.ResponseWriter, r *http.Request, name string, data any) {
	h.render(w, r, http.StatusOK, name, data, nil, nil)
}

// formErrors is web.FormErrors plus the criteria a validation error names,
// so each offending criterion is marked on the form.
func formErrors(err error) (map[string]string, error) {
	fe, other := web.FormErrors(err)
	if other != nil {
		return nil, other
	}
	var pe *platform.Error
	if errors.As(err, &pe) {
		if probs, ok := pe.Extra["problems"].([]Problem); ok {
			for _, p := range probs {
				if p.Criterion != "" {
					fe["L."+p.Criterion] = p.Message
				}
			}
		}
		if missing, ok := pe.Extra["missing"].([]string); ok {
			fe["_missing"] = strings.Join(missing, ", ")
			fe["_form"] = "Some criteria have no level yet."
		}
	}
	return fe, nil
}

// --- home ---

type homeData struct {
	Levels      []int
	Enterprises []Enterprise
	Queue       []Assessment
	MIC         bool
	Applied     int
	Indexes     []*Model
}

func (h *handlers) homePage(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	d := homeData{Levels: []int{0, 1, 2, 3, 4, 5}, MIC: isMIC(p)}
	for _, k := range []IndexKind{SME, Large} {
		d.Indexes = append(d.Indexes, mustEmbedded()[k])
	}
	if p != nil {
		res, err := h.store.ListEnterprises(r.Context(), p, EnterpriseFilter{Page: platform.Page{Limit: 20}})
		if err != nil {
			return err
		}
		d.Enterprises = res.Items
		if d.Queue, err = h.store.Queue(r.Context(), p); err != nil {
			return err
		}
		if d.MIC {
			apps, err := h.store.ListConsultants(r.Context(), p, ConsultantFilter{Status: ConsultantApplied, Page: platform.Page{Limit: platform.MaxPageSize}})
			if err != nil {
				return err
			}
			d.Applied = len(apps.Items)
		}
	}
	h.show(w, r, "home.html", d)
	return nil
}

// --- registration and enterprises ---

type registerData struct {
	Provinces []ProvinceOption
	Fields    []Field
}

func (h *handlers) registerPage(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.store.Provinces(r.Context())
	if err != nil {
		return err
	}
	h.show(w, r, "register.html", registerData{Provinces: ps, Fields: Fields})
	return nil
}

// profileFromForm reads the size data of a form; each number that does not
// parse is recorded in v under its field (and read as 0), so the store
// reports it together with the input's other mistakes.
func profileFromForm(r *http.Request, v *platform.Validation) ProfileInput {
	in := ProfileInput{Field: r.PostFormValue("field"), ProvinceCode: r.PostFormValue("province_code"),
		HasSubsidiaries: r.PostFormValue("has_subsidiaries") == "1"}
	in.Staff = formInt(r, "staff", v)
	in.Revenue = formAmount(r, "revenue", v)
	in.Capital = formAmount(r, "capital", v)
	return in
}

func formInt(r *http.Request, field string, v *platform.Validation) int {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	v.Check(err == nil, field, "invalid_number", "%s must be a whole number", field)
	return n
}

func formAmount(r *http.Request, field string, v *platform.Validation) float64 {
	s := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue(field)), ",", ".")
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	v.Check(err == nil, field, "invalid_amount", "%s must be a non-negative amount in billion VND", field)
	return f
}

func (h *handlers) registerForm(w http.ResponseWriter, r *http.Request) error {
	in := Registration{TaxCode: r.PostFormValue("tax_code"), Name: r.PostFormValue("name"), Address: r.PostFormValue("address"),
		Phone: r.PostFormValue("phone"), Account: Account{Username: r.PostFormValue("username"), FullName: r.PostFormValue("full_name"),
			Email: r.PostFormValue("email"), Password: r.PostFormValue("password")}}
	var v platform.Validation
	in.ProfileInput = profileFromForm(r, &v)
	if _, _, err := h.store.register(r.Context(), in, &v); err != nil {
		fe, err := formErrors(err)
		if err != nil {
			return err
		}
		ps, perr := h.store.Provinces(r.Context())
		if perr != nil {
			return perr
		}
		form := r.PostForm
		form.Del("password")
		h.render(w, r, http.StatusUnprocessableEntity, "register.html", registerData{Provinces: ps, Fields: Fields}, form, fe)
		return nil
	}
	web.Redirect(w, r, "/login?next="+url.QueryEscape("/dbi"), "The enterprise is registered. Log in to start the assessment.")
	return nil
}

type enterprisesData struct {
	Enterprises platform.PageResult[Enterprise]
	Q           string
}

func (h *handlers) enterprisesPage(w http.ResponseWriter, r *http.Request) error {
	p, pg, err := web.RequireLoginPaged(r)
	if err != nil {
		return err
	}
	q := r.URL.Query().Get("q")
	res, err := h.store.ListEnterprises(r.Context(), p, EnterpriseFilter{Query: q, ProvinceCode: r.URL.Query().Get("province"), Page: pg})
	if err != nil {
		return err
	}
	h.show(w, r, "enterprises.html", enterprisesData{Enterprises: res, Q: q})
	return nil
}

type enterpriseData struct {
	Enterprise  Enterprise
	Assessments []Assessment
	CanFill     bool
	Fields      []Field
	Indexes     []IndexKind
	Years       []int
}

func (h *handlers) enterpriseData(r *http.Request, p *identity.Principal, id int64) (enterpriseData, error) {
	e, err := h.store.Enterprise(r.Context(), p, id)
	if err != nil {
		return enterpriseData{}, err
	}
	as, err := h.store.ListAssessments(r.Context(), p, AssessmentFilter{EnterpriseID: id})
	if err != nil {
		return enterpriseData{}, err
	}
	d := enterpriseData{Enterprise: e, Assessments: as, CanFill: canFill(p, e), Fields: Fields, Indexes: Indexes}
	for y := h.store.db.Now().In(vnZone).Year(); y >= FirstYear; y-- {
		if !slices.ContainsFunc(as, func(a Assessment) bool { return a.Year == y }) {
			d.Years = append(d.Years, y)
		}
	}
	return d, nil
}

func (h *handlers) enterprisePage(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "id")
	if err != nil {
		return err
	}
	d, err := h.enterpriseData(r, p, id)
	if err != nil {
		return err
	}
	h.show(w, r, "enterprise.html", d)
	return nil
}

// enterpriseFormError redisplays the enterprise page with each mistake of
// the posted form beside its field. The size-data form shows what was
// posted; after the start-an-assessment form it shows the saved figures.
func (h *handlers) enterpriseFormError(w http.ResponseWriter, r *http.Request, p *identity.Principal, id int64, err error) error {
	fe, err := formErrors(err)
	if err != nil {
		return err
	}
	d, derr := h.enterpriseData(r, p, id)
	if derr != nil {
		return derr
	}
	form := r.PostForm
	if _, ok := form["field"]; !ok {
		e := d.Enterprise
		form = url.Values{"year": {form.Get("year")}, "index": {form.Get("index")}, "field": {e.Field},
			"staff": {fmt.Sprint(e.Staff)}, "revenue": {fmt.Sprint(e.Revenue)}, "capital": {fmt.Sprint(e.Capital)}}
	}
	h.render(w, r, http.StatusUnprocessableEntity, "enterprise.html", d, form, fe)
	return nil
}

func (h *handlers) profileForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "id")
	if err != nil {
		return err
	}
	var v platform.Validation
	if _, err := h.store.updateProfile(r.Context(), p, id, profileFromForm(r, &v), &v); err != nil {
		return h.enterpriseFormError(w, r, p, id, err)
	}
	web.Redirect(w, r, "/dbi/enterprises/"+strconv.FormatInt(id, 10), "Saved.")
	return nil
}

func (h *handlers) newAssessmentForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "id")
	if err != nil {
		return err
	}
	d, err := h.store.CreateAssessment(r.Context(), p, id, NewAssessment{Year: atoi(r.PostFormValue("year")), Index: IndexKind(r.PostFormValue("index"))})
	if err != nil {
		return h.enterpriseFormError(w, r, p, id, err)
	}
	web.Redirect(w, r, "/dbi/assessments/"+strconv.FormatInt(d.ID, 10)+"/edit", "The assessment is started.")
	return nil
}

// --- assessments ---

type assessmentData struct {
	D           Detail
	Events      []Event
	Consultants []Consultant
	Columns     []Column
	Pillars     []Pillar
	Editable    bool
}

// Out is a column's outcome.
func (a assessmentData) Out(c Column) Outcome { return a.D.Outcomes[c] }

// PillarOf is pillar i (0-based) of a column's outcome.
func (a assessmentData) PillarOf(c Column, i int) PillarResult {
	if o := a.D.Outcomes[c]; i < len(o.Pillars) {
		return o.Pillars[i]
	}
	return PillarResult{}
}

// Lvl is a criterion's level in a column, "" when none.
func (a assessmentData) Lvl(c Column, id string) string {
	if l, ok := a.D.Levels[c][id]; ok {
		return strconv.Itoa(l)
	}
	return ""
}

// Offers reports whether the page offers step act (its form holds the
// step's refusals beside their fields).
func (a assessmentData) Offers(act string) bool {
	return slices.Contains(a.D.Actions, Action(act))
}

// Confirm is the question asked before a step that cannot be taken back:
// certifying, and an assessor's finishing or declining (its column closes).
func (a assessmentData) Confirm(act string) string {
	switch Action(act) {
	case ActCertify:
		return "Certify this level? A certificate is issued and the assessment can no longer change."
	case ActCompleteAssessment:
		return "Finish the assessment? Your column can no longer be changed."
	case ActDecline:
		return "Decline this request? The assessment goes back to the enterprise."
	}
	return ""
}

// Units lists a column's member units (group assessments).
func (a assessmentData) Units(c Column) GroupUnits { return a.D.Units[c] }

// Used reports whether a column has any level or unit.
func (a assessmentData) Used(c Column) bool {
	return len(a.D.Levels[c]) > 0 || len(a.D.Units[c].Units) > 0
}

func (h *handlers) loadDetail(r *http.Request) (*identity.Principal, Detail, error) {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "id")
	if err != nil {
		return nil, Detail{}, err
	}
	d, err := h.store.Assessment(r.Context(), p, id)
	return p, d, err
}

func (h *handlers) assessmentData(r *http.Request, p *identity.Principal, d Detail) (assessmentData, error) {
	evs, err := h.store.Events(r.Context(), p, d.ID)
	if err != nil {
		return assessmentData{}, err
	}
	ad := assessmentData{D: d, Events: evs, Columns: Columns}
	if m := d.Model(); m != nil {
		ad.Pillars = m.Pillars
	}
	if slices.Contains(d.Actions, ActRequestEvaluation) {
		res, err := h.store.ListConsultants(r.Context(), p, ConsultantFilter{Page: platform.Page{Limit: platform.MaxPageSize}})
		if err != nil {
			return assessmentData{}, err
		}
		ad.Consultants = res.Items
	}
	return ad, nil
}

func (h *handlers) assessmentPage(w http.ResponseWriter, r *http.Request) error {
	p, d, err := h.loadDetail(r)
	if err != nil {
		return err
	}
	ad, err := h.assessmentData(r, p, d)
	if err != nil {
		return err
	}
	h.show(w, r, "assessment.html", ad)
	return nil
}

func (h *handlers) actForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "id")
	if err != nil {
		return err
	}
	cid, _ := strconv.ParseInt(r.PostFormValue("consultant_id"), 10, 64)
	in := ActionInput{Action: Action(r.PostFormValue("action")), Assessor: Column(r.PostFormValue("assessor")),
		ConsultantID: cid, Reason: r.PostFormValue("reason")}
	d, err := h.store.Act(r.Context(), p, id, in)
	if err != nil {
		fe, ferr := formErrors(err)
		if ferr != nil {
			return ferr
		}
		_, cur, lerr := h.loadDetail(r)
		if lerr != nil {
			return lerr
		}
		if _, missing := fe["_missing"]; missing && cur.Editable != "" {
			// Send the user to the form, where the missing criteria are marked.
			return h.renderEdit(w, r, cur, http.StatusUnprocessableEntity, r.PostForm, fe)
		}
		ad, aerr := h.assessmentData(r, p, cur)
		if aerr != nil {
			return aerr
		}
		h.render(w, r, http.StatusUnprocessableEntity, "assessment.html", ad, r.PostForm, fe)
		return nil
	}
	to := "/dbi/assessments/" + strconv.FormatInt(id, 10)
	if d.Enterprise.ID == 0 { // the caller no longer sees it (a consultant who declined)
		to = "/dbi"
	}
	web.Redirect(w, r, to, "Saved.")
	return nil
}

// editData is the long form: one column of every criterion, grouped by pillar.
type editData struct {
	D       Detail
	Column  Column
	Pillars []Pillar
	// Levels are the levels shown on the form (the saved ones, or the
	// submitted ones when the form is redisplayed with errors).
	Levels  map[string]int
	Reasons map[string]string
	Outcome Outcome
	// Others are the other columns with levels, shown beside each criterion.
	Others     []Column
	LevelNames []string
	Units      []Unit
	StaffTotal int64
	Reason     string
	Finish     Action
}

// LevelOf returns the level shown for criterion id, -1 when none.
func (d editData) LevelOf(id string) int {
	if l, ok := d.Levels[id]; ok {
		return l
	}
	return -1
}

// Other is a criterion's level in another column, "–" when none.
func (d editData) Other(c Column, id string) string {
	if l, ok := d.D.Levels[c][id]; ok {
		return strconv.Itoa(l)
	}
	return "–"
}

// NamesJSON is the level names for the live-recompute script.
func (d editData) NamesJSON() string {
	b, _ := json.Marshal(d.LevelNames)
	return string(b)
}

// Range is 0..5 for the level choices.
func (d editData) Range() []int { return []int{0, 1, 2, 3, 4, 5} }

// PillarOutcome returns the outcome of pillar n (1-6).
func (d editData) PillarOutcome(n int) PillarResult {
	if n-1 < len(d.Outcome.Pillars) {
		return d.Outcome.Pillars[n-1]
	}
	return PillarResult{Pillar: n}
}

// Answered counts the criteria with a level in pillar n.
func (d editData) Answered(p Pillar) int {
	n := 0
	for _, s := range p.SubIndexes {
		for _, c := range s.Criteria {
			if _, ok := d.Levels[c.ID]; ok {
				n++
			}
		}
	}
	return n
}

// Count counts the criteria of pillar p.
func (d editData) Count(p Pillar) int {
	n := 0
	for _, s := range p.SubIndexes {
		n += len(s.Criteria)
	}
	return n
}

func (h *handlers) editPage(w http.ResponseWriter, r *http.Request) error {
	_, d, err := h.loadDetail(r)
	if err != nil {
		return err
	}
	return h.renderEdit(w, r, d, http.StatusOK, nil, nil)
}

// renderEdit shows the form of the caller's editable column; submitted is
// the posted form when it is redisplayed after an error.
func (h *handlers) renderEdit(w http.ResponseWriter, r *http.Request, d Detail, status int, submitted url.Values, errs map[string]string) error {
	col := d.Editable
	if col == "" {
		if d.State == StateCertified {
			return errCertified()
		}
		return platform.Errorf(platform.EConflict, "column_locked", "there is nothing for you to fill in at this stage")
	}
	ed := editData{D: d, Column: col, Levels: map[string]int{}, Reasons: map[string]string{}, Outcome: d.Outcomes[col]}
	for l := 0; l <= MaxLevel; l++ {
		ed.LevelNames = append(ed.LevelNames, LevelName(l, web.Lang(r)))
	}
	for _, t := range ActionsFrom(d.State) {
		if c, ok := CompletedColumn(t.Action, d.Assessor); ok && c == col {
			ed.Finish = t.Action
		}
	}
	for _, c := range Columns {
		if c != col && (len(d.Levels[c]) > 0 || len(d.Units[c].Units) > 0) {
			ed.Others = append(ed.Others, c)
		}
	}
	if d.Index == Group {
		g := d.Units[col]
		ed.Units, ed.StaffTotal, ed.Reason = g.Units, g.StaffTotal, g.Reason
		if submitted != nil {
			ed.Units, ed.StaffTotal, ed.Reason = unitsFromForm(submitted)
		}
		// At least one blank row (three rows in all); "More rows" adds three.
		rows := max(3, len(ed.Units)+1)
		if submitted != nil && submitted.Get("op") == "rows" {
			rows = len(unitRows(submitted)) + 3
		}
		for len(ed.Units) < rows {
			ed.Units = append(ed.Units, Unit{PillarLevels: make([]int, PillarCount)})
		}
		h.render(w, r, status, "units.html", ed, submitted, errs)
		return nil
	}
	// The form shows the rubric in force next to each level choice.
	if err := applyRubrics(r.Context(), h.store.db.Read, d.Model()); err != nil {
		return err
	}
	ed.Pillars = d.Model().Pillars
	for id, l := range d.Levels[col] {
		ed.Levels[id] = l
	}
	for id, s := range d.Reasons {
		ed.Reasons[id] = s
	}
	if submitted != nil {
		levels, reasons := levelsFromForm(d.Model(), submitted)
		ed.Levels, ed.Reasons = map[string]int{}, reasons
		for id, l := range levels {
			if l != nil {
				ed.Levels[id] = *l
			}
		}
		if o := scoreOutcome(d.Model(), col, ed.Levels); o.Max > 0 {
			ed.Outcome = o
		}
	}
	h.render(w, r, status, "edit.html", ed, submitted, errs)
	return nil
}

// levelsFromForm reads "L.<criterion>" radio values ("" clears) and
// "R.<criterion>" reasons for every criterion of the model.
func levelsFromForm(m *Model, f url.Values) (map[string]*int, map[string]string) {
	levels, reasons := map[string]*int{}, map[string]string{}
	for _, c := range m.Criteria() {
		v, ok := f["L."+c.ID]
		if !ok {
			continue
		}
		if s := strings.TrimSpace(v[0]); s == "" {
			levels[c.ID] = nil
		} else if n, err := strconv.Atoi(s); err == nil {
			levels[c.ID] = &n
		} else {
			bad := -1 // refused by the store with the criterion named
			levels[c.ID] = &bad
		}
		if rs, ok := f["R."+c.ID]; ok {
			reasons[c.ID] = strings.TrimSpace(rs[0])
		}
	}
	return levels, reasons
}

// unitRows lists the row numbers of the units table that were posted.
func unitRows(f url.Values) []int {
	var rows []int
	for k := range f {
		if rest, ok := strings.CutPrefix(k, "u.name."); ok {
			if n, err := strconv.Atoi(rest); err == nil {
				rows = append(rows, n)
			}
		}
	}
	slices.Sort(rows)
	return rows
}

// unitsFromForm reads the units table; rows without a name are blank.
func unitsFromForm(f url.Values) ([]Unit, int64, string) {
	var units []Unit
	for _, i := range unitRows(f) {
		k := strconv.Itoa(i)
		name := strings.TrimSpace(f.Get("u.name." + k))
		if name == "" {
			continue
		}
		u := Unit{Name: name, Parent: f.Get("parent") == k, Level: atoi(f.Get("u.level." + k)), PillarLevels: make([]int, PillarCount)}
		u.Staff, _ = strconv.ParseInt(strings.TrimSpace(f.Get("u.staff."+k)), 10, 64)
		for p := range PillarCount {
			u.PillarLevels[p] = atoi(f.Get("u.p" + strconv.Itoa(p+1) + "." + k))
		}
		units = append(units, u)
	}
	st, _ := strconv.ParseInt(strings.TrimSpace(f.Get("staff_total")), 10, 64)
	return units, st, strings.TrimSpace(f.Get("reason"))
}

func (h *handlers) editForm(w http.ResponseWriter, r *http.Request) error {
	p, d, err := h.loadDetail(r)
	if err != nil {
		return err
	}
	op := r.PostFormValue("op")
	col := Column(r.PostFormValue("column"))
	if d.Index == Group {
		if op == "rows" { // more blank rows, nothing saved
			return h.renderEdit(w, r, d, http.StatusOK, r.PostForm, nil)
		}
		units, staffTotal, reason := unitsFromForm(r.PostForm)
		d2, err := h.store.SaveUnits(r.Context(), p, d.ID, UnitsInput{Column: col, StaffTotal: staffTotal, Units: units, Reason: reason})
		return h.afterSave(w, r, p, d, d2, op, err)
	}
	levels, reasons := levelsFromForm(d.Model(), r.PostForm)
	in := LevelsInput{Column: col, Levels: levels}
	if col == ColMIC {
		in.Reasons = reasons
	}
	d2, err := h.store.SaveLevels(r.Context(), p, d.ID, in)
	return h.afterSave(w, r, p, d, d2, op, err)
}

// afterSave redisplays the form with the recomputed points and levels, or
// with the errors; "finish" also takes the step that closes the column.
func (h *handlers) afterSave(w http.ResponseWriter, r *http.Request, p *identity.Principal, before, d Detail, op string, err error) error {
	op, anchor, _ := strings.Cut(op, ":") // "save:pillar-3" returns to that pillar
	if err == nil && op == "finish" {
		for _, t := range ActionsFrom(d.State) {
			if c, ok := CompletedColumn(t.Action, d.Assessor); ok && c == d.Editable {
				if _, err = h.store.Act(r.Context(), p, d.ID, ActionInput{Action: t.Action}); err == nil {
					web.Redirect(w, r, "/dbi/assessments/"+strconv.FormatInt(d.ID, 10), "Saved.")
					return nil
				}
			}
		}
	}
	if err != nil {
		fe, ferr := formErrors(err)
		if ferr != nil {
			return ferr
		}
		if d.ID == 0 {
			d = before
		}
		return h.renderEdit(w, r, d, http.StatusUnprocessableEntity, r.PostForm, fe)
	}
	v := url.Values{"notice": {"Saved."}}
	http.Redirect(w, r, "/dbi/assessments/"+strconv.FormatInt(d.ID, 10)+"/edit?"+v.Encode()+"#"+url.PathEscape(anchor), http.StatusSeeOther)
	return nil
}

// --- consultants ---

type consultantsData struct {
	Consultants platform.PageResult[Consultant]
	Provinces   []ProvinceOption
	Specialties []Option
	Filter      ConsultantFilter
	MIC         bool
	Statuses    []ConsultantStatus
}

func (h *handlers) consultantsPage(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	pg, err := platform.PageFromRequest(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := ConsultantFilter{Query: q.Get("q"), ProvinceCode: q.Get("province"), Specialty: q.Get("specialty"), Kind: q.Get("kind"),
		Status: ConsultantStatus(q.Get("status")), Page: pg}
	res, err := h.store.ListConsultants(r.Context(), p, f)
	if err != nil {
		return err
	}
	ps, err := h.store.Provinces(r.Context())
	if err != nil {
		return err
	}
	h.show(w, r, "consultants.html", consultantsData{Consultants: res, Provinces: ps, Specialties: Specialties, Filter: f, MIC: isMIC(p),
		Statuses: []ConsultantStatus{ConsultantRecognised, ConsultantApplied, ConsultantRejected, ConsultantRevoked}})
	return nil
}

type applyData struct {
	Provinces   []ProvinceOption
	Specialties []Option
	Titles      []Option
}

func (h *handlers) applyData(r *http.Request) (applyData, error) {
	ps, err := h.store.Provinces(r.Context())
	return applyData{Provinces: ps, Specialties: Specialties, Titles: ConsultantTitles}, err
}

func (h *handlers) applyPage(w http.ResponseWriter, r *http.Request) error {
	d, err := h.applyData(r)
	if err != nil {
		return err
	}
	h.show(w, r, "apply.html", d)
	return nil
}

func (h *handlers) applyForm(w http.ResponseWriter, r *http.Request) error {
	in := Application{Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name"), Title: r.PostFormValue("title"),
		TaxCode: r.PostFormValue("tax_code"), EmployerTaxCode: r.PostFormValue("employer_tax_code"),
		ProvinceCode: r.PostFormValue("province_code"), Specialties: r.PostForm["specialties"], Experience: r.PostFormValue("experience"),
		Phone: r.PostFormValue("phone"), Account: Account{Username: r.PostFormValue("username"), FullName: r.PostFormValue("full_name"),
			Email: r.PostFormValue("email"), Password: r.PostFormValue("password")}}
	if _, err := h.store.Apply(r.Context(), in); err != nil {
		fe, err := formErrors(err)
		if err != nil {
			return err
		}
		d, derr := h.applyData(r)
		if derr != nil {
			return derr
		}
		form := r.PostForm
		form.Del("password")
		h.render(w, r, http.StatusUnprocessableEntity, "apply.html", d, form, fe)
		return nil
	}
	web.Redirect(w, r, "/dbi/consultants", "Your application is registered; MIC will review it.")
	return nil
}

type consultantData struct {
	C           Consultant
	MIC         bool
	Assessments []Assessment // the caller's assessments waiting for an evaluation
}

func (h *handlers) consultantPage(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	id, err := platform.PathID(r, "id", "id")
	if err != nil {
		return err
	}
	c, err := h.store.Consultant(r.Context(), p, id)
	if err != nil {
		return err
	}
	d := consultantData{C: c, MIC: isMIC(p)}
	if p != nil && c.Status == ConsultantRecognised && len(p.Scope(identity.PermDBIFill)) > 0 {
		as, err := h.store.ListAssessments(r.Context(), p, AssessmentFilter{State: StateSelfAssessed})
		if err != nil {
			return err
		}
		for _, a := range as {
			if e, err := getEnterprise(r.Context(), h.store.db.Read, a.EnterpriseID); err == nil && canFill(p, e) {
				d.Assessments = append(d.Assessments, a)
			}
		}
	}
	h.show(w, r, "consultant.html", d)
	return nil
}

func (h *handlers) reviewForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "id")
	if err != nil {
		return err
	}
	if _, err := h.store.Review(r.Context(), p, id, ConsultantStatus(r.PostFormValue("decision")), r.PostFormValue("note")); err != nil {
		fe, err := formErrors(err)
		if err != nil {
			return err
		}
		c, cerr := h.store.Consultant(r.Context(), p, id)
		if cerr != nil {
			return cerr
		}
		h.render(w, r, http.StatusUnprocessableEntity, "consultant.html", consultantData{C: c, MIC: isMIC(p)}, r.PostForm, fe)
		return nil
	}
	web.Redirect(w, r, "/dbi/consultants/"+strconv.FormatInt(id, 10), "Saved.")
	return nil
}

// --- rankings and statistics ---

type rankingsData struct {
	Rows      []Ranked
	Filter    RankingFilter
	Years     []int
	Provinces []ProvinceOption
	Fields    []Field
	Sizes     []Size
	Levels    []int
	Prev      int
	Next      int
}

// yearOf reads ?year=, defaulting to the newest year with results.
func (h *handlers) yearOf(r *http.Request) (int, []int, error) {
	years, err := h.store.Years(r.Context())
	if err != nil {
		return 0, nil, err
	}
	y := atoi(r.URL.Query().Get("year"))
	if y == 0 {
		y = h.store.db.Now().In(vnZone).Year()
		if len(years) > 0 {
			y = years[0]
		}
	}
	return y, years, nil
}

func (h *handlers) rankingsPage(w http.ResponseWriter, r *http.Request) error {
	year, years, err := h.yearOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := RankingFilter{Year: year, ProvinceCode: q.Get("province"), Size: Size(q.Get("size")), Field: q.Get("field"),
		Offset: atoi(q.Get("offset")), Limit: 50}
	if s := q.Get("level"); s != "" {
		l := atoi(s)
		f.Level = &l
	}
	rows, err := h.store.Rankings(r.Context(), f)
	if err != nil {
		return err
	}
	ps, err := h.store.Provinces(r.Context())
	if err != nil {
		return err
	}
	d := rankingsData{Rows: rows, Filter: f, Years: years, Provinces: ps, Fields: Fields, Sizes: Sizes, Levels: []int{5, 4, 3, 2, 1, 0},
		Prev: -1, Next: -1}
	if f.Offset > 0 {
		d.Prev = max(0, f.Offset-f.Limit)
	}
	if len(rows) == f.Limit {
		d.Next = f.Offset + f.Limit
	}
	h.show(w, r, "rankings.html", d)
	return nil
}

type statisticsData struct {
	S         Statistics
	Years     []int
	Normalise bool
	Chart     any
	Provinces []ProvinceOption
	// ReportProvinces are those the caller may draw the yearly report of.
	ReportProvinces []ProvinceOption
	Levels          []int
}

func (h *handlers) statisticsPage(w http.ResponseWriter, r *http.Request) error {
	year, years, err := h.yearOf(r)
	if err != nil {
		return err
	}
	st, err := h.store.Statistics(r.Context(), year)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	title, desc := "Distribution of certified enterprises by DX level, per province", "Stacked bars, one per province: the share of its certified enterprises at each level 0-5; the number at the end is the count. The table below gives the same figures."
	if lang != "en" {
		title, desc = messages[title], messages[desc]
	}
	ps, err := h.store.Provinces(r.Context())
	if err != nil {
		return err
	}
	d := statisticsData{S: st, Years: years, Normalise: r.URL.Query().Get("normalise") == "1",
		Chart: LevelChart(st.Provinces, title, desc, lang), Provinces: ps, Levels: []int{0, 1, 2, 3, 4, 5}}
	if p := principal(r); p != nil {
		for _, pr := range ps {
			if ok, err := h.store.canReport(r.Context(), p, pr.Code); err != nil {
				return err
			} else if ok {
				d.ReportProvinces = append(d.ReportProvinces, pr)
			}
		}
	}
	h.show(w, r, "statistics.html", d)
	return nil
}

func (h *handlers) reportDownload(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	return h.writeReport(w, r, p)
}

// writeReport answers the provincial report of the ?year= and ?province=
// of r as an XLSX download, for the page and the API alike.
func (h *handlers) writeReport(w http.ResponseWriter, r *http.Request, p *identity.Principal) error {
	year, prov := atoi(r.URL.Query().Get("year")), r.URL.Query().Get("province")
	data, err := h.store.ProvincialReport(r.Context(), p, year, prov)
	if err != nil {
		return err
	}
	writeXLSX(w, reportFilename(year, prov, h.store.db.Now()), data)
	return nil
}

func writeXLSX(w http.ResponseWriter, name string, data []byte) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// --- verification ---

type verifyData struct {
	C    *Certificate
	Code string
	URL  string
}

func (h *handlers) verifyLookup(w http.ResponseWriter, r *http.Request) error {
	if code := NormaliseCode(r.URL.Query().Get("code")); code != "" {
		http.Redirect(w, r, "/dbi/verify/"+url.PathEscape(code), http.StatusSeeOther)
		return nil
	}
	h.show(w, r, "verify.html", verifyData{})
	return nil
}

func (h *handlers) verifyPage(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	c, err := h.store.CertificateByCode(r.Context(), code)
	if platform.ErrorClass(err) == platform.ENotFound {
		h.render(w, r, http.StatusNotFound, "verify.html", verifyData{Code: code}, nil, nil)
		return nil
	}
	if err != nil {
		return err
	}
	h.show(w, r, "verify.html", verifyData{C: &c, Code: c.Code, URL: verifyURL(r, c.Code)})
	return nil
}

func (h *handlers) verifyPDF(w http.ResponseWriter, r *http.Request) error {
	c, err := h.store.CertificateByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writePDF(w, c, verifyURL(r, c.Code))
	return nil
}

func writePDF(w http.ResponseWriter, c Certificate, verify string) {
	data := CertificatePDF(c, verify)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+c.Code+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
