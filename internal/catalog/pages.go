package catalog

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/workday"
)

// Choices are the labelled values forms and filters offer.
type Choices struct {
	Kinds, Classes, Categories, Forms, Methods, Statuses, Types, Actions, States []label
}

var choices = Choices{Kinds: databaseKinds, Classes: classifications, Categories: consumerCategories, Forms: forms,
	Methods: methods, Statuses: statuses, Types: dataTypes, Actions: proposalActions, States: proposalStates}

func (h *handlers) registerPages(mux *http.ServeMux) {
	s := h.site
	handle := func(pattern string, fn func(w http.ResponseWriter, r *http.Request) error) {
		mux.HandleFunc(pattern, s.Handler(fn))
	}
	handle("GET /catalog", h.indexPage)
	handle("GET /catalog/export", h.export)
	handle("GET /catalog/available", h.availablePage)

	services := h.serviceForm()
	handle("GET /catalog/services/new", services.newPage(h))
	handle("POST /catalog/services", services.createForm(h))
	handle("GET /catalog/services/{ref}", h.servicePage)
	handle("GET /catalog/services/{ref}/edit", services.editPage(h))
	handle("POST /catalog/services/{ref}", services.updateForm(h))
	handle("POST /catalog/services/{ref}/status", h.serviceStatusForm)
	handle("GET /catalog/services/{ref}/history", h.historyPage)

	databases := h.databaseForm()
	handle("GET /catalog/databases", h.databasesPage)
	handle("GET /catalog/databases/new", databases.newPage(h))
	handle("POST /catalog/databases", databases.createForm(h))
	handle("GET /catalog/databases/{id}", h.databasePage)
	handle("GET /catalog/databases/{id}/edit", databases.editPage(h))
	handle("POST /catalog/databases/{id}", databases.updateForm(h))
	handle("POST /catalog/databases/{id}/publish", databases.actionForm(h.publishDatabase, "Published."))

	regulations := h.regulationForm()
	handle("GET /catalog/regulations", h.regulationsPage)
	handle("GET /catalog/regulations/new", regulations.newPage(h))
	handle("POST /catalog/regulations", regulations.createForm(h))
	handle("GET /catalog/regulations/{id}", h.regulationPage)
	handle("GET /catalog/regulations/{id}/edit", regulations.editPage(h))
	handle("POST /catalog/regulations/{id}", regulations.updateForm(h))
	handle("POST /catalog/regulations/{id}/publish", regulations.actionForm(h.publishRegulation, "Published."))

	handle("GET /catalog/codelists", h.codeListsPage)
	handle("POST /catalog/codelists", h.codeListForm().createForm(h))
	handle("GET /catalog/codelists/{id}", h.codeListPage)
	handle("GET /catalog/codelists/{id}/entries.csv", h.apiEntriesCSV)
	handle("POST /catalog/codelists/{id}/import", h.importForm)

	elements := h.elementForm()
	handle("GET /catalog/dictionary", h.dictionaryPage)
	handle("POST /catalog/dictionary", elements.createForm(h))
	handle("GET /catalog/dictionary/{id}", h.elementPage)
	handle("GET /catalog/dictionary/{id}/edit", elements.editPage(h))
	handle("POST /catalog/dictionary/{id}", elements.updateForm(h))

	handle("GET /catalog/reviews", h.reviewsPage)
	handle("GET /catalog/reviews/{org}", h.reviewPage)
	handle("POST /catalog/reviews/{org}", h.recordReviewForm)

	proposals := h.proposalForm()
	handle("GET /catalog/proposals", h.proposalsPage)
	handle("GET /catalog/proposals/new", proposals.newPage(h))
	handle("POST /catalog/proposals", proposals.createForm(h))
	handle("GET /catalog/proposals/{id}", h.proposalPage)
	handle("GET /catalog/proposals/{id}/edit", proposals.editPage(h))
	handle("POST /catalog/proposals/{id}", proposals.updateForm(h))
	handle("POST /catalog/proposals/{id}/move", h.moveProposalForm)

	handle("GET /catalog/upstream-hosts", h.hostsPage)
	handle("POST /catalog/upstream-hosts", h.allowHostForm)
	handle("POST /catalog/upstream-hosts/remove", h.removeHostForm)
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// render shows a page with form values and errors (422 when there are errors).
func (h *handlers) render(w http.ResponseWriter, r *http.Request, page string, data any, form url.Values, errs map[string]string) {
	v := h.site.NewView(w, r, data)
	v.Form, v.Errors = form, errs
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	h.site.Render(w, r, status, page, v)
}

// --- search ---

type searchPage struct {
	Q         SearchQuery
	Res       SearchResult
	Orgs      []directory.Org
	Choices   Choices
	CanManage bool
	Admin     bool
	More      map[string]string // section -> query string of its next page
}

func (h *handlers) indexPage(w http.ResponseWriter, r *http.Request) error {
	q, err := searchQuery(r)
	if q.Limit == 0 {
		q.Limit = 20
	}
	var res SearchResult
	if err == nil {
		res, err = h.store.Search(r.Context(), q)
	}
	// Every filter in error is shown beside its field, the paging ones
	// (which have none) above the results.
	var fe map[string]string
	if err != nil {
		if fe, err = web.FormErrors(err); err != nil {
			return err
		}
		for _, f := range []string{"limit", "offset"} {
			if msg, ok := fe[f]; ok && fe["_form"] == "" {
				fe["_form"] = msg
			}
		}
	}
	all, err := h.dir.ListOrgs(r.Context(), directory.OrgFilter{Page: platform.Page{Limit: platform.MaxPageSize}})
	if err != nil {
		return err
	}
	var orgs []directory.Org // providers are agencies, not enterprises
	for _, o := range all.Items {
		if o.Kind != directory.KindEnterprise {
			orgs = append(orgs, o)
		}
	}
	if fe != nil {
		h.render(w, r, "catalog/index.html", searchPage{Q: q, Orgs: orgs, Choices: choices}, r.URL.Query(), fe)
		return nil
	}
	p := identity.FromContext(r.Context())
	more := map[string]string{}
	for sec, n := range map[string]int{"database": res.DatabaseCount, "service": res.ServiceCount, "item": res.ItemCount} {
		off := 0
		if q.Type == sec {
			off = q.Offset
		}
		if off+q.Limit < n {
			v := r.URL.Query()
			v.Set("type", sec)
			v.Set("offset", strconv.Itoa(off+q.Limit))
			more[sec] = v.Encode()
		}
	}
	h.render(w, r, "catalog/index.html", searchPage{Q: q, Res: res, Orgs: orgs, Choices: choices, CanManage: managesAny(p),
		Admin: p.IsPlatformAdmin(), More: more}, r.URL.Query(), nil)
	return nil
}

func (h *handlers) availablePage(w http.ResponseWriter, r *http.Request) error {
	item := r.URL.Query().Get("item")
	av, err := h.store.Available(r.Context(), identity.FromContext(r.Context()), item)
	if err != nil {
		fe, ferr := web.FormErrors(err)
		if ferr != nil {
			return ferr
		}
		h.render(w, r, "catalog/available.html", av, r.URL.Query(), fe)
		return nil
	}
	h.render(w, r, "catalog/available.html", av, r.URL.Query(), nil)
	return nil
}

// --- services ---

// formData is what every edit form needs besides its values.
type formData struct {
	Action      string
	Cancel      string
	Editing     bool
	Orgs        []directory.Org
	Databases   []Database
	Regulations []Regulation
	CodeLists   []CodeList
	Selected    map[string]bool // chosen values of multi-selects
	Choices     Choices
	Record      any
}

// managedOrgList lists the organisations where p may manage the catalog.
func (h *handlers) managedOrgList(r *http.Request, p *identity.Principal) ([]directory.Org, error) {
	res, err := h.dir.ListOrgs(r.Context(), directory.OrgFilter{Under: p.Scope(identity.PermCatalogManage), Page: platform.Page{Limit: platform.MaxPageSize}})
	return res.Items, err
}

func (h *handlers) formData(r *http.Request, p *identity.Principal, action, cancel string, form url.Values) (formData, error) {
	fd := formData{Action: action, Cancel: cancel, Choices: choices, Selected: map[string]bool{}}
	var err error
	if fd.Orgs, err = h.managedOrgList(r, p); err != nil {
		return fd, err
	}
	if len(fd.Orgs) == 0 {
		return fd, platform.Forbidden()
	}
	dbs, err := h.store.ListDatabases(r.Context(), DatabaseFilter{Viewer: p, WithoutItems: true, Page: platform.Page{Limit: platform.MaxPageSize}})
	if err != nil {
		return fd, err
	}
	regs, err := h.store.ListRegulations(r.Context(), RegulationFilter{Viewer: p, Page: platform.Page{Limit: platform.MaxPageSize}})
	if err != nil {
		return fd, err
	}
	cls, err := h.store.ListCodeLists(r.Context(), "", platform.Page{Limit: platform.MaxPageSize})
	if err != nil {
		return fd, err
	}
	fd.Databases, fd.Regulations, fd.CodeLists = dbs.Items, regs.Items, cls.Items
	for _, v := range form["database_ids"] {
		fd.Selected[v] = true
	}
	return fd, nil
}

func (h *handlers) showForm(w http.ResponseWriter, r *http.Request, p *identity.Principal, page, action, cancel string,
	editing bool, record any, form url.Values, errs map[string]string) error {
	fd, err := h.formData(r, p, action, cancel, form)
	if err != nil {
		return err
	}
	fd.Editing, fd.Record = editing, record
	h.render(w, r, page, fd, form, errs)
	return nil
}

// withQuery carries a query parameter of the page into a new form's field,
// e.g. the organisation a "new service" link was followed from.
func withQuery(form url.Values, r *http.Request, param, field string) url.Values {
	if v := r.URL.Query().Get(param); v != "" {
		form.Set(field, v)
	}
	return form
}

func (h *handlers) serviceForm() recordForm[Service, ServiceInput] {
	return recordForm[Service, ServiceInput]{
		template: "catalog/service_form.html", base: "/catalog/services", cancel: "/catalog", created: "Service created as a draft.",
		id: func(sv Service) int64 { return sv.ID },
		blank: func(r *http.Request) url.Values {
			return withQuery(url.Values{"form": {"default"}, "method": {"online"},
				"schema": {"{\n  \"type\": \"object\",\n  \"properties\": {\n  }\n}"}}, r, "org", "provider_org_id")
		},
		values: serviceValues, load: h.editableService, parse: h.parseServiceForm, create: h.createService, update: h.updateService,
		check: (*ServiceInput).check,
	}
}

type serviceData struct {
	Service     Service
	Databases   []Database
	Regulation  *Regulation
	Versions    []versionView
	CanManage   bool
	Overdue     bool
	Today       workday.Date
	Transitions []string
}

func (h *handlers) servicePage(w http.ResponseWriter, r *http.Request) error {
	p := identity.FromContext(r.Context())
	sv, err := h.visibleService(r, p)
	if err != nil {
		return err
	}
	d := serviceData{Service: sv, CanManage: mayManage(p, sv.providerPath), Today: today()}
	d.Overdue = sv.PublicationOverdue(d.Today)
	for _, id := range sv.DatabaseIDs {
		if db, err := h.store.Database(r.Context(), id); err == nil && canSee(p, db.Status == StatusPublished, db.ownerPath, "") == nil {
			d.Databases = append(d.Databases, db)
		}
	}
	if sv.RegulationID != 0 {
		if reg, err := h.store.Regulation(r.Context(), sv.RegulationID); err == nil && canSee(p, reg.Status == StatusPublished, reg.ownerPath, "") == nil {
			d.Regulation = &reg
		}
	}
	vs, _, err := h.versionsFor(r)
	if err != nil {
		return err
	}
	if len(vs) > 3 {
		vs = vs[:3]
	}
	v := h.site.NewView(w, r, nil)
	d.Versions = h.versionViews(r, v, vs)
	if d.CanManage {
		for _, t := range []Transition{ToReady, ToPublished, ToRetired, ToDraft} {
			for _, st := range allowedFrom[t] {
				if st == sv.Status {
					d.Transitions = append(d.Transitions, string(t))
				}
			}
		}
	}
	v.Data = d
	h.site.Render(w, r, http.StatusOK, "catalog/service.html", v)
	return nil
}

var transitionNotices = map[Transition]string{ToReady: "The service is ready; publish it within the deadline.",
	ToPublished: "The service is published.", ToRetired: "The service is retired.", ToDraft: "The service is a draft again."}

func (h *handlers) serviceStatusForm(w http.ResponseWriter, r *http.Request) error {
	p, sv, err := loadForPage(r, h.editableService)
	if err != nil {
		return err
	}
	to := Transition(r.PostFormValue("to"))
	if _, err := h.store.Transition(r.Context(), ActorOf(p), sv.ID, to); err != nil {
		e := platform.AsError(err)
		if e.Class == platform.EInternal {
			return err
		}
		web.Redirect(w, r, "/catalog/services/"+itoa(sv.ID), e.Message)
		return nil
	}
	web.Redirect(w, r, "/catalog/services/"+itoa(sv.ID), transitionNotices[to])
	return nil
}

func (h *handlers) historyPage(w http.ResponseWriter, r *http.Request) error {
	vs, sv, err := h.versionsFor(r)
	if err != nil {
		return err
	}
	v := h.site.NewView(w, r, nil)
	v.Data = map[string]any{"Service": sv, "Versions": h.versionViews(r, v, vs)}
	h.site.Render(w, r, http.StatusOK, "catalog/history.html", v)
	return nil
}

// --- databases ---

func (h *handlers) databasesPage(w http.ResponseWriter, r *http.Request) error {
	p := identity.FromContext(r.Context())
	page, err := platform.PageFromRequest(r)
	if err != nil {
		return err
	}
	kind := DatabaseKind(r.URL.Query().Get("kind"))
	if kind != "" && !validValue(databaseKinds, string(kind)) {
		kind = ""
	}
	res, err := h.store.ListDatabases(r.Context(), DatabaseFilter{Viewer: p, Kind: kind, Query: r.URL.Query().Get("q"), Page: page})
	if err != nil {
		return err
	}
	h.site.Page(w, r, "catalog/databases.html", map[string]any{"List": res, "Q": r.URL.Query().Get("q"), "Kind": string(kind),
		"Choices": choices, "CanManage": managesAny(p)})
	return nil
}

func (h *handlers) databaseForm() recordForm[Database, DatabaseInput] {
	return recordForm[Database, DatabaseInput]{
		template: "catalog/database_form.html", base: "/catalog/databases", cancel: "/catalog/databases", created: "Database created as a draft.",
		id:     func(d Database) int64 { return d.ID },
		blank:  func(*http.Request) url.Values { return url.Values{"kind": {"shared"}} },
		values: databaseValues, load: h.editableDatabase, parse: h.parseDatabaseForm, create: h.createDatabase, update: h.updateDatabase,
		check: (*DatabaseInput).check,
	}
}

func (h *handlers) databasePage(w http.ResponseWriter, r *http.Request) error {
	p := identity.FromContext(r.Context())
	d, err := h.visibleDatabase(r, p)
	if err != nil {
		return err
	}
	svs, err := h.store.ListServices(r.Context(), ServiceFilter{Viewer: p, DatabaseID: d.ID, Page: platform.Page{Limit: platform.MaxPageSize}})
	if err != nil {
		return err
	}
	regs, err := h.store.ListRegulations(r.Context(), RegulationFilter{Viewer: p, DatabaseID: d.ID, Page: platform.Page{Limit: 100}})
	if err != nil {
		return err
	}
	h.site.Page(w, r, "catalog/database.html", map[string]any{"DB": d, "Services": svs.Items, "Regulations": regs.Items,
		"CanManage": mayManage(p, d.ownerPath)})
	return nil
}

// --- regulations ---

func (h *handlers) regulationsPage(w http.ResponseWriter, r *http.Request) error {
	p := identity.FromContext(r.Context())
	page, err := platform.PageFromRequest(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListRegulations(r.Context(), RegulationFilter{Viewer: p, Page: page})
	if err != nil {
		return err
	}
	h.site.Page(w, r, "catalog/regulations.html", map[string]any{"List": res, "CanManage": managesAny(p)})
	return nil
}

func (h *handlers) regulationForm() recordForm[Regulation, RegulationInput] {
	return recordForm[Regulation, RegulationInput]{
		template: "catalog/regulation_form.html", base: "/catalog/regulations", cancel: "/catalog/regulations",
		created: "Usage regulation created as a draft.",
		id:      func(reg Regulation) int64 { return reg.ID },
		blank: func(r *http.Request) url.Values {
			return withQuery(url.Values{"auth_required": {"1"}, "validity_hours": {"0"}, "log_retention_days": {"1825"}}, r, "database", "database_id")
		},
		values: regulationValues, load: h.editableRegulation, parse: noLines(parseRegulationForm),
		create: h.createRegulation, update: h.updateRegulation, check: (*RegulationInput).check,
	}
}

func (h *handlers) regulationPage(w http.ResponseWriter, r *http.Request) error {
	p := identity.FromContext(r.Context())
	reg, err := h.visibleRegulation(r, p)
	if err != nil {
		return err
	}
	svs, err := h.store.ListServices(r.Context(), ServiceFilter{Viewer: p, RegulationID: reg.ID, Page: platform.Page{Limit: platform.MaxPageSize}})
	if err != nil {
		return err
	}
	var db *Database
	if reg.DatabaseID != 0 {
		if d, err := h.store.Database(r.Context(), reg.DatabaseID); err == nil {
			db = &d
		}
	}
	h.site.Page(w, r, "catalog/regulation.html", map[string]any{"Reg": reg, "Services": svs.Items, "DB": db,
		"CanManage": mayManage(p, reg.ownerPath), "ValidityHours": reg.ValiditySeconds / 3600})
	return nil
}

// --- code lists ---

func (h *handlers) codeListsPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderCodeLists(w, r, nil, nil)
}

func (h *handlers) renderCodeLists(w http.ResponseWriter, r *http.Request, form url.Values, errs map[string]string) error {
	p := identity.FromContext(r.Context())
	res, q, err := searchedPage(r, h.store.ListCodeLists)
	if err != nil {
		return err
	}
	var orgs []directory.Org
	if managesAny(p) {
		if orgs, err = h.managedOrgList(r, p); err != nil {
			return err
		}
	}
	h.render(w, r, "catalog/codelists.html", map[string]any{"List": res, "Q": q, "Orgs": orgs}, form, errs)
	return nil
}

func (h *handlers) codeListForm() recordForm[CodeList, codeListRequest] {
	return recordForm[CodeList, codeListRequest]{
		base: "/catalog/codelists", created: "Code list created; import its entries.",
		id:    func(c CodeList) int64 { return c.ID },
		parse: noLines(parseCodeListForm), create: h.createCodeList, retry: h.renderCodeLists,
		check: func(in *codeListRequest, v *platform.Validation) { in.CodeListInput.check(v) },
	}
}

// parseCodeListForm reads a new code list; its entries are imported later.
func parseCodeListForm(r *http.Request) (codeListRequest, error) {
	in := CodeListInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Description: r.PostFormValue("description")}
	var v platform.Validation
	formInts(r, &v, map[string]*int64{"owner_org_id": &in.OwnerOrgID})
	return codeListRequest{CodeListInput: in}, v.Err()
}

func (h *handlers) codeListPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderCodeList(w, r, nil, nil)
}

func (h *handlers) renderCodeList(w http.ResponseWriter, r *http.Request, errs map[string]string, lineErrs []LineError) error {
	res, err := h.codeListData(r)
	if err != nil {
		return err
	}
	p := identity.FromContext(r.Context())
	// A file can be wrong on thousands of lines: the page lists the first
	// ones and counts the rest (the API's problem details keep them all).
	more := 0
	if len(lineErrs) > maxLineErrorsShown {
		more, lineErrs = len(lineErrs)-maxLineErrorsShown, lineErrs[:maxLineErrorsShown]
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	shown, matched := pageEntries(res.Entries, q, maxEntriesShown)
	h.render(w, r, "catalog/codelist.html", map[string]any{"R": res, "CanManage": mayManage(p, res.CodeList.ownerPath),
		"LineErrors": lineErrs, "MoreErrors": more, "Entries": shown, "Matched": matched, "Q": q}, nil, errs)
	return nil
}

// maxEntriesShown bounds the entries a code list's page lists: a list can
// hold tens of thousands (administrative units); the page searches them and
// the CSV download and the API give them all.
const maxEntriesShown = 500

// pageEntries returns the first max entries whose code or name contains q
// (diacritics and case ignored; all when q is empty) and how many match.
func pageEntries(all []CodeEntry, q string, max int) ([]CodeEntry, int) {
	if q == "" {
		return all[:min(len(all), max)], len(all)
	}
	fq := platform.Fold(q)
	var out []CodeEntry
	n := 0
	for _, e := range all {
		if !strings.Contains(platform.Fold(e.Code+" "+e.Name), fq) {
			continue
		}
		if n < max {
			out = append(out, e)
		}
		n++
	}
	return out, n
}

// maxLineErrorsShown is how many bad lines of an import the page lists.
const maxLineErrorsShown = 100

func (h *handlers) importForm(w http.ResponseWriter, r *http.Request) error {
	p, c, err := loadForPage(r, h.editableCodeList)
	if err != nil {
		return err
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return h.renderCodeList(w, r, map[string]string{"file": "choose a CSV or XLSX file"}, nil)
	}
	defer f.Close()
	note := strings.TrimSpace(r.PostFormValue("note"))
	if note == "" {
		note = importNote(hdr.Filename, 0)
		note = strings.TrimSuffix(note, " (0 entries)")
	}
	_, _, err = h.store.ImportEntries(r.Context(), ActorOf(p), c.ID, f, note)
	if err != nil {
		fe, ferr := web.FormErrors(err)
		if ferr != nil {
			return ferr
		}
		lines, _ := platform.AsError(err).Extra["errors"].([]LineError)
		if len(lines) > 0 {
			fe["file"] = "The file has errors; nothing was imported. Fix these lines and import again:"
		}
		return h.renderCodeList(w, r, fe, lines)
	}
	web.Redirect(w, r, "/catalog/codelists/"+itoa(c.ID), "Imported as a new version.")
	return nil
}

// --- dictionary ---

func (h *handlers) dictionaryPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderDictionary(w, r, url.Values{"data_type": {"string"}}, nil)
}

func (h *handlers) renderDictionary(w http.ResponseWriter, r *http.Request, form url.Values, errs map[string]string) error {
	p := identity.FromContext(r.Context())
	res, q, err := searchedPage(r, h.store.ListElements)
	if err != nil {
		return err
	}
	data := map[string]any{"List": res, "Q": q, "Choices": choices}
	if managesAny(p) {
		fd, err := h.formData(r, p, "/catalog/dictionary", "", form)
		if err != nil {
			return err
		}
		data["Form"] = fd
	}
	h.render(w, r, "catalog/dictionary.html", data, form, errs)
	return nil
}

func (h *handlers) elementPage(w http.ResponseWriter, r *http.Request) error {
	res, err := h.elementData(r)
	if err != nil {
		return err
	}
	p := identity.FromContext(r.Context())
	data := map[string]any{"E": res.Element, "Services": res.Services, "CanManage": mayManage(p, res.Element.ownerPath)}
	if res.Element.CodeListID != 0 {
		if c, err := h.store.CodeList(r.Context(), res.Element.CodeListID); err == nil {
			data["CodeList"] = c
		}
	}
	if res.Element.SourceDatabaseID != 0 {
		if d, err := h.store.Database(r.Context(), res.Element.SourceDatabaseID); err == nil && d.Status == StatusPublished {
			data["SourceDB"] = d
		}
	}
	h.site.Page(w, r, "catalog/element.html", data)
	return nil
}

func (h *handlers) elementForm() recordForm[Element, ElementInput] {
	return recordForm[Element, ElementInput]{
		template: "catalog/element_form.html", base: "/catalog/dictionary",
		id:      func(e Element) int64 { return e.ID },
		created: "Data element added.",
		values:  elementValues, load: h.editableElement, parse: noLines(parseElementForm),
		create: h.createElement, update: h.updateElement, retry: h.renderDictionary, check: (*ElementInput).check,
	}
}

// --- reviews ---

func (h *handlers) reviewsPage(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.store.ReviewOverview(r.Context(), today())
	if err != nil {
		return err
	}
	h.site.Page(w, r, "catalog/reviews.html", map[string]any{"Rows": rows})
	return nil
}

func (h *handlers) reviewPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderReview(w, r, nil)
}

func (h *handlers) renderReview(w http.ResponseWriter, r *http.Request, errs map[string]string) error {
	st, err := h.reviewStatus(r)
	if err != nil {
		return err
	}
	path, err := h.store.OrgPath(r.Context(), st.OrgID)
	if err != nil {
		return err
	}
	h.render(w, r, "catalog/review.html", map[string]any{"S": st, "CanManage": mayManage(identity.FromContext(r.Context()), path)}, nil, errs)
	return nil
}

func (h *handlers) recordReviewForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	org, err := platform.PathID(r, "org", "organisation")
	if err != nil {
		return err
	}
	if err := h.canManageOrg(r.Context(), p, org); err != nil {
		return err
	}
	if err := h.store.RecordReview(r.Context(), ActorOf(p), org, r.PostFormValue("note")); err != nil {
		fe, err := formErrors(err, nil)
		if err != nil {
			return err
		}
		return h.renderReview(w, r, fe)
	}
	web.Redirect(w, r, "/catalog/reviews/"+itoa(org), "Review recorded.")
	return nil
}

// --- proposals ---

func (h *handlers) proposalsPage(w http.ResponseWriter, r *http.Request) error {
	p, page, err := web.RequireLoginPaged(r)
	if err != nil {
		return err
	}
	state := ProposalState(r.URL.Query().Get("state"))
	res, err := h.store.ListProposals(r.Context(), p, state, page)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "catalog/proposals.html", map[string]any{"List": res, "State": string(state), "Choices": choices, "CanManage": managesAny(p)})
	return nil
}

func (h *handlers) proposalForm() recordForm[Proposal, ProposalInput] {
	return recordForm[Proposal, ProposalInput]{
		template: "catalog/proposal_form.html", base: "/catalog/proposals", cancel: "/catalog/proposals", created: "Proposal saved as a draft.",
		id:     func(pr Proposal) int64 { return pr.ID },
		blank:  func(*http.Request) url.Values { return url.Values{"action": {"add"}} },
		values: proposalValues, load: h.visibleProposal, parse: noLines(parseProposalForm), create: h.createProposal, update: h.updateProposal,
		check: (*ProposalInput).check,
	}
}

func (h *handlers) proposalPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderProposal(w, r, nil, nil)
}

func (h *handlers) renderProposal(w http.ResponseWriter, r *http.Request, errs map[string]string, problems []string) error {
	p, pr, err := loadForPage(r, h.visibleProposal)
	if err != nil {
		return err
	}
	h.render(w, r, "catalog/proposal.html", map[string]any{"P": pr, "CanManage": mayManage(p, pr.ownerPath), "Admin": p.IsPlatformAdmin(),
		"Problems": problems}, nil, errs)
	return nil
}

func (h *handlers) moveProposalForm(w http.ResponseWriter, r *http.Request) error {
	p, pr, err := loadForPage(r, h.visibleProposal)
	if err != nil {
		return err
	}
	if _, err := h.moveProposal(r.Context(), p, pr, r.PostFormValue("step"), r.PostFormValue("note")); err != nil {
		e := platform.AsError(err)
		switch e.Class {
		case platform.EInvalid:
			// The note is on this page; what a submission lacks is on the
			// edit form: every such mistake is listed above.
			errs := map[string]string{}
			var problems []string
			for _, is := range e.Issues() {
				if is.Field == "note" {
					errs["note"] = is.Message
				} else {
					problems = append(problems, is.Message)
				}
			}
			if len(problems) > 0 || len(errs) == 0 {
				errs["_form"] = e.Message
				if len(problems) == 0 {
					problems = []string{e.Message}
				}
			}
			return h.renderProposal(w, r, errs, problems)
		case platform.EConflict:
			return h.renderProposal(w, r, map[string]string{"_form": e.Message}, []string{e.Message})
		}
		return err
	}
	web.Redirect(w, r, "/catalog/proposals/"+itoa(pr.ID), "Saved.")
	return nil
}

// --- upstream allow-list ---

func requireAdminPage(r *http.Request) (*identity.Principal, error) {
	return platformAdmin(web.RequireLogin(r))
}

func (h *handlers) hostsPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderHosts(w, r, nil, nil)
}

func (h *handlers) renderHosts(w http.ResponseWriter, r *http.Request, form url.Values, errs map[string]string) error {
	if _, err := requireAdminPage(r); err != nil {
		return err
	}
	hosts, err := h.store.UpstreamHosts(r.Context())
	if err != nil {
		return err
	}
	h.render(w, r, "catalog/hosts.html", map[string]any{"Hosts": hosts}, form, errs)
	return nil
}

func (h *handlers) allowHostForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requireAdminPage(r)
	if err != nil {
		return err
	}
	if err := h.store.AllowUpstreamHost(r.Context(), ActorOf(p), r.PostFormValue("host"), r.PostFormValue("note")); err != nil {
		fe, err := formErrors(err, nil)
		if err != nil {
			return err
		}
		return h.renderHosts(w, r, r.PostForm, fe)
	}
	web.Redirect(w, r, "/catalog/upstream-hosts", "Saved.")
	return nil
}

func (h *handlers) removeHostForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdminPage(r); err != nil {
		return err
	}
	if err := h.store.DisallowUpstreamHost(r.Context(), r.PostFormValue("host")); err != nil {
		return err
	}
	web.Redirect(w, r, "/catalog/upstream-hosts", "Removed.")
	return nil
}
