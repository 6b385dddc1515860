package catalog

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/workday"
)

type noteRequest struct {
	Note string `json:"note"`
}

type codeListRequest struct {
	CodeListInput
	Entries []CodeEntry `json:"entries"`
	Note    string      `json:"note"`
}

type entriesRequest struct {
	Entries []CodeEntry `json:"entries"`
	Note    string      `json:"note"`
}

type codeListResponse struct {
	CodeList CodeList          `json:"codelist"`
	Shown    int               `json:"shown_version"`
	Entries  []CodeEntry       `json:"entries"`
	Versions []CodeListVersion `json:"versions"`
}

type importResponse struct {
	CodeList CodeList `json:"codelist"`
	Imported int      `json:"imported"`
}

type elementResponse struct {
	Element Element `json:"element"`
	// Services are the visible services returning this element.
	Services []Service `json:"services"`
}

type hostRequest struct {
	Host string `json:"host"`
	Note string `json:"note"`
}

func (h *handlers) registerAPI(api *platform.API) {
	const tag = "catalog"
	list := map[string]string{"cursor": "page cursor", "limit": "page size (1-500)"}
	with := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range list {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	api.Handle("GET", "/catalog/search", platform.Op{Summary: "Search databases, services and data items (diacritics-insensitive, any word order)",
		Tag: tag, Public: true, Response: SearchResult{}, Query: map[string]string{"q": "search words; the last may be a word prefix",
			"type": "database, service or item", "provider": "organisation id (includes its units)", "kind": "national, shared or other",
			"form": "default or special", "method": "online, sync or package", "limit": "hits per section (default 20, max 100)",
			"offset": "hits to skip in the section named by type"}}, h.apiSearch)
	api.Handle("GET", "/catalog/available", platform.Op{Summary: "Is this data already available? Published services returning a data item (D47-5.2)",
		Tag: tag, Public: true, Response: Availability{}, Query: map[string]string{"item": "data item name, e.g. so dinh danh ca nhan"}}, h.apiAvailable)

	api.Handle("GET", "/catalog/services", platform.Op{Summary: "List sharing services (published ones, and drafts I manage)", Tag: tag, Public: true,
		Response: platform.PageResult[Service]{}, Query: with(map[string]string{"provider": "organisation id (includes its units)",
			"status": "draft, ready, published or retired", "form": "default or special", "method": "online, sync or package",
			"element": "data element id", "database": "database id", "regulation": "usage regulation id"})}, h.apiServices)
	api.Handle("POST", "/catalog/services", platform.Op{Summary: "Create a sharing service (draft) for an organisation I manage", Tag: tag,
		Request: ServiceInput{}, Response: Service{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated, h.createService))
	api.Handle("GET", "/catalog/services/{ref}", platform.Op{Summary: "One sharing service, by id or identifier", Tag: tag, Public: true,
		Response: Service{}}, h.apiService)
	api.Handle("PUT", "/catalog/services/{ref}", platform.Op{Summary: "Replace a service description; every change is a new version (D47-25.2)", Tag: tag,
		Request: ServiceInput{}, Response: Service{}}, identity.LoadedAction(http.StatusOK, h.editableService, h.updateService))
	for _, tr := range []struct {
		path    string
		to      Transition
		summary string
	}{
		{"ready", ToReady, "Mark a service ready: it must be published within 1 working day (D47-25.1)"},
		{"publish", ToPublished, "Publish a service in the catalog (late publication is flagged, D47-25.1)"},
		{"retire", ToRetired, "Retire a published service"},
		{"draft", ToDraft, "Return a ready or retired service to draft"},
	} {
		api.Handle("POST", "/catalog/services/{ref}/"+tr.path, platform.Op{Summary: tr.summary, Tag: tag, Response: Service{}},
			identity.LoadedOp(http.StatusOK, h.editableService, h.transition(tr.to)))
	}
	api.Handle("GET", "/catalog/services/{ref}/versions", platform.Op{Summary: "Version history of a service with field-level changes (D47-25.2)",
		Tag: tag, Public: true, Response: []Version{}}, h.apiVersions)

	api.Handle("GET", "/catalog/databases", platform.Op{Summary: "List databases (D47-11)", Tag: tag, Public: true,
		Response: platform.PageResult[Database]{}, Query: with(map[string]string{"owner": "organisation id (includes its units)",
			"kind": "national, shared or other", "q": "search words"})}, h.apiDatabases)
	api.Handle("POST", "/catalog/databases", platform.Op{Summary: "Create a database entry (draft)", Tag: tag,
		Request: DatabaseInput{}, Response: Database{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated, h.createDatabase))
	api.Handle("GET", "/catalog/databases/{id}", platform.Op{Summary: "One database with its classified data items", Tag: tag, Public: true,
		Response: Database{}}, h.apiDatabase)
	api.Handle("PUT", "/catalog/databases/{id}", platform.Op{Summary: "Replace a database entry", Tag: tag,
		Request: DatabaseInput{}, Response: Database{}}, identity.LoadedAction(http.StatusOK, h.editableDatabase, h.updateDatabase))
	api.Handle("POST", "/catalog/databases/{id}/publish", platform.Op{Summary: "Publish a database entry", Tag: tag,
		Response: Database{}}, identity.LoadedOp(http.StatusOK, h.editableDatabase, h.publishDatabase))

	api.Handle("GET", "/catalog/regulations", platform.Op{Summary: "List usage regulations (D47-22)", Tag: tag, Public: true,
		Response: platform.PageResult[Regulation]{}, Query: with(map[string]string{"owner": "organisation id", "database": "database id"})}, h.apiRegulations)
	api.Handle("POST", "/catalog/regulations", platform.Op{Summary: "Create a usage regulation (draft)", Tag: tag,
		Request: RegulationInput{}, Response: Regulation{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated, h.createRegulation))
	api.Handle("GET", "/catalog/regulations/{id}", platform.Op{Summary: "One usage regulation", Tag: tag, Public: true,
		Response: Regulation{}}, h.apiRegulation)
	api.Handle("PUT", "/catalog/regulations/{id}", platform.Op{Summary: "Replace a usage regulation", Tag: tag,
		Request: RegulationInput{}, Response: Regulation{}}, identity.LoadedAction(http.StatusOK, h.editableRegulation, h.updateRegulation))
	api.Handle("POST", "/catalog/regulations/{id}/publish", platform.Op{Summary: "Publish a usage regulation", Tag: tag,
		Response: Regulation{}}, identity.LoadedOp(http.StatusOK, h.editableRegulation, h.publishRegulation))

	api.Handle("GET", "/catalog/proposals", platform.Op{Summary: "National database list proposals I may see (D47-12)", Tag: tag,
		Response: platform.PageResult[Proposal]{}, Query: with(map[string]string{"state": "draft, submitted, approved or rejected"})}, h.apiProposals)
	api.Handle("POST", "/catalog/proposals", platform.Op{Summary: "Draft a proposal to add, change or remove a national database (D47-12)", Tag: tag,
		Request: ProposalInput{}, Response: Proposal{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated, h.createProposal))
	api.Handle("GET", "/catalog/proposals/{id}", platform.Op{Summary: "One proposal with its history", Tag: tag, Response: Proposal{}}, h.apiProposal)
	api.Handle("PUT", "/catalog/proposals/{id}", platform.Op{Summary: "Edit a draft proposal", Tag: tag,
		Request: ProposalInput{}, Response: Proposal{}}, identity.LoadedAction(http.StatusOK, h.visibleProposal, h.updateProposal))
	for _, step := range []string{"submit", "approve", "reject"} {
		step := step
		summary := map[string]string{"submit": "Submit a complete proposal (D47-12.2 content and justification)",
			"approve": "Record approval (national operator)", "reject": "Record rejection with reasons (national operator)"}[step]
		api.Handle("POST", "/catalog/proposals/{id}/"+step, platform.Op{Summary: summary, Tag: tag, Request: noteRequest{}, Response: Proposal{}},
			identity.LoadedAction(http.StatusOK, h.visibleProposal, func(ctx context.Context, p *identity.Principal, pr Proposal, in noteRequest) (Proposal, error) {
				return h.moveProposal(ctx, p, pr, step, in.Note)
			}))
	}

	api.Handle("GET", "/catalog/codelists", platform.Op{Summary: "List shared code lists", Tag: tag, Public: true,
		Response: platform.PageResult[CodeList]{}, Query: with(map[string]string{"q": "search words"})}, h.apiCodeLists)
	api.Handle("POST", "/catalog/codelists", platform.Op{Summary: "Create a shared code list, optionally with its first version", Tag: tag,
		Request: codeListRequest{}, Response: CodeList{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated, h.createCodeList))
	api.Handle("GET", "/catalog/codelists/{id}", platform.Op{Summary: "A code list with the entries of a version and its version list", Tag: tag,
		Public: true, Response: codeListResponse{}, Query: map[string]string{"version": "version number (default: current)"}}, h.apiCodeList)
	api.Handle("PUT", "/catalog/codelists/{id}", platform.Op{Summary: "Change a code list's name and description", Tag: tag,
		Request: CodeListInput{}, Response: CodeList{}}, identity.LoadedAction(http.StatusOK, h.editableCodeList, h.updateCodeList))
	api.Handle("POST", "/catalog/codelists/{id}/versions", platform.Op{Summary: "Publish a new version of a code list's entries", Tag: tag,
		Request: entriesRequest{}, Response: CodeList{}, Status: http.StatusCreated}, identity.LoadedAction(http.StatusCreated, h.editableCodeList,
		func(ctx context.Context, p *identity.Principal, c CodeList, in entriesRequest) (CodeList, error) {
			return h.store.PublishEntries(ctx, ActorOf(p), c.ID, in.Entries, in.Note)
		}))
	api.Handle("POST", "/catalog/codelists/{id}/import", platform.Op{Summary: "Import a new version from a CSV or XLSX body (all or nothing; errors name each bad line)",
		Tag: tag, Response: importResponse{}, Status: http.StatusCreated, Query: map[string]string{"note": "version note"}}, h.apiImport)
	api.Handle("GET", "/catalog/codelists/{id}/entries.csv", platform.Op{Summary: "Download a code list version as CSV", Tag: tag, Public: true,
		Produces: "text/csv", Query: map[string]string{"version": "version number (default: current)"}}, h.apiEntriesCSV)

	api.Handle("GET", "/catalog/elements", platform.Op{Summary: "The shared data dictionary", Tag: tag, Public: true,
		Response: platform.PageResult[Element]{}, Query: with(map[string]string{"q": "search words"})}, h.apiElements)
	api.Handle("POST", "/catalog/elements", platform.Op{Summary: "Add a data element to the dictionary", Tag: tag,
		Request: ElementInput{}, Response: Element{}, Status: http.StatusCreated}, identity.Create(http.StatusCreated, h.createElement))
	api.Handle("GET", "/catalog/elements/{id}", platform.Op{Summary: "A data element and the services returning it", Tag: tag, Public: true,
		Response: elementResponse{}}, h.apiElement)
	api.Handle("PUT", "/catalog/elements/{id}", platform.Op{Summary: "Change a data element", Tag: tag,
		Request: ElementInput{}, Response: Element{}}, identity.LoadedAction(http.StatusOK, h.editableElement, h.updateElement))

	api.Handle("GET", "/catalog/reviews", platform.Op{Summary: "Providers' default-shared lists and their review due dates (D47-34.2)", Tag: tag,
		Public: true, Response: []ReviewOverviewRow{}}, h.apiReviews)
	api.Handle("GET", "/catalog/reviews/{org}", platform.Op{Summary: "A provider's default-shared list and review status (D47-34.2)", Tag: tag,
		Public: true, Response: ReviewStatus{}}, h.apiReview)
	api.Handle("POST", "/catalog/reviews/{org}", platform.Op{Summary: "Record a review of a provider's default-shared list (D47-34.2)", Tag: tag,
		Request: noteRequest{}, Response: ReviewStatus{}, Status: http.StatusCreated}, h.apiRecordReview)

	api.Handle("GET", "/catalog/upstream-hosts", platform.Op{Summary: "Upstream hosts allowed despite the link-local/metadata guard (platform administrators)",
		Tag: tag, Response: []UpstreamHost{}}, h.apiHosts)
	api.Handle("POST", "/catalog/upstream-hosts", platform.Op{Summary: "Allow an upstream host (platform administrators)", Tag: tag,
		Request: hostRequest{}, Response: []UpstreamHost{}, Status: http.StatusCreated}, h.apiAllowHost)
	api.Handle("DELETE", "/catalog/upstream-hosts/{host}", platform.Op{Summary: "Remove an allowed upstream host (platform administrators)", Tag: tag,
		Status: http.StatusNoContent}, h.apiDisallowHost)

	api.Handle("GET", "/catalog/export", platform.Op{Summary: "Export services and databases I may see as CSV or XLSX", Tag: tag, Public: true,
		Produces: "application/octet-stream", Query: map[string]string{"type": "services or databases (CSV: required; XLSX: both when empty)",
			"format": "csv or xlsx"}}, h.export)
}

// --- search ---

func (h *handlers) apiSearch(w http.ResponseWriter, r *http.Request) error {
	q, err := searchQuery(r)
	if err != nil {
		return err
	}
	res, err := h.store.Search(r.Context(), q)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiAvailable(w http.ResponseWriter, r *http.Request) error {
	av, err := h.store.Available(r.Context(), identity.FromContext(r.Context()), r.URL.Query().Get("item"))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, av)
	return nil
}

// --- services ---

func (h *handlers) apiServices(w http.ResponseWriter, r *http.Request) error {
	p := identity.FromContext(r.Context())
	page, err := platform.PageFromRequest(r)
	if err != nil {
		return err
	}
	f := ServiceFilter{Viewer: p, Status: Status(r.URL.Query().Get("status")), Form: Form(r.URL.Query().Get("form")),
		Method: Method(r.URL.Query().Get("method")), Page: page}
	for name, dst := range map[string]*int64{"provider": &f.ProviderOrgID, "element": &f.ElementID, "database": &f.DatabaseID, "regulation": &f.RegulationID} {
		if *dst, err = queryInt(r, name); err != nil {
			return err
		}
	}
	res, err := h.store.ListServices(r.Context(), f)
	if err != nil {
		return err
	}
	for i := range res.Items {
		res.Items[i] = redactService(p, res.Items[i])
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiService(w http.ResponseWriter, r *http.Request) error {
	sv, err := h.visibleService(r, identity.FromContext(r.Context()))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, sv)
	return nil
}

// createService and updateService act for the API adapters: the store
// does not check rights, so the caller must manage the provider named,
// and also the new one when a change moves the service.
func (h *handlers) createService(ctx context.Context, p *identity.Principal, in ServiceInput) (Service, error) {
	if err := h.canOwn(ctx, p, in.ProviderOrgID, "provider_org_id"); err != nil {
		return Service{}, err
	}
	return h.store.CreateService(ctx, ActorOf(p), in)
}

// canMove checks, when a change moves a record from one organisation to
// another, that p manages the new one.
func (h *handlers) canMove(ctx context.Context, p *identity.Principal, from, to int64, field string) error {
	if to == from {
		return nil
	}
	return h.canOwn(ctx, p, to, field)
}

func (h *handlers) updateService(ctx context.Context, p *identity.Principal, sv Service, in ServiceInput) (Service, error) {
	if err := h.canMove(ctx, p, sv.ProviderOrgID, in.ProviderOrgID, "provider_org_id"); err != nil {
		return Service{}, err
	}
	return h.store.UpdateService(ctx, ActorOf(p), sv.ID, in)
}

func (h *handlers) transition(to Transition) recordAct[Service] {
	return func(ctx context.Context, p *identity.Principal, sv Service) (Service, error) {
		return h.store.Transition(ctx, ActorOf(p), sv.ID, to)
	}
}

func (h *handlers) versionsFor(r *http.Request) ([]Version, Service, error) {
	p := identity.FromContext(r.Context())
	sv, err := h.visibleService(r, p)
	if err != nil {
		return nil, sv, err
	}
	vs, err := h.store.Versions(r.Context(), sv.ID)
	if err != nil {
		return nil, sv, err
	}
	if !mayManage(p, sv.providerPath) {
		for i := range vs {
			vs[i] = vs[i].Redacted()
		}
	}
	return vs, sv, nil
}

func (h *handlers) apiVersions(w http.ResponseWriter, r *http.Request) error {
	vs, _, err := h.versionsFor(r)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []Version{}
	}
	platform.WriteJSON(w, http.StatusOK, vs)
	return nil
}

// --- databases ---

func (h *handlers) apiDatabases(w http.ResponseWriter, r *http.Request) error {
	page, err := platform.PageFromRequest(r)
	if err != nil {
		return err
	}
	owner, err := queryInt(r, "owner")
	if err != nil {
		return err
	}
	kind := DatabaseKind(r.URL.Query().Get("kind"))
	if kind != "" && !validValue(databaseKinds, string(kind)) {
		return platform.FieldError("kind", "invalid_kind", "kind must be national, shared or other")
	}
	res, err := h.store.ListDatabases(r.Context(), DatabaseFilter{Viewer: identity.FromContext(r.Context()), OwnerOrgID: owner,
		Kind: kind, Query: r.URL.Query().Get("q"), Page: page})
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiDatabase(w http.ResponseWriter, r *http.Request) error {
	d, err := h.visibleDatabase(r, identity.FromContext(r.Context()))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, d)
	return nil
}

// createDatabase and updateDatabase check the owner as createService does.
func (h *handlers) createDatabase(ctx context.Context, p *identity.Principal, in DatabaseInput) (Database, error) {
	if err := h.canOwn(ctx, p, in.OwnerOrgID, "owner_org_id"); err != nil {
		return Database{}, err
	}
	return h.store.CreateDatabase(ctx, ActorOf(p), in)
}

func (h *handlers) updateDatabase(ctx context.Context, p *identity.Principal, d Database, in DatabaseInput) (Database, error) {
	if err := h.canMove(ctx, p, d.OwnerOrgID, in.OwnerOrgID, "owner_org_id"); err != nil {
		return Database{}, err
	}
	return h.store.UpdateDatabase(ctx, ActorOf(p), d.ID, in)
}

func (h *handlers) publishDatabase(ctx context.Context, p *identity.Principal, d Database) (Database, error) {
	return h.store.PublishDatabase(ctx, ActorOf(p), d.ID)
}

// --- regulations ---

func (h *handlers) apiRegulations(w http.ResponseWriter, r *http.Request) error {
	page, err := platform.PageFromRequest(r)
	if err != nil {
		return err
	}
	f := RegulationFilter{Viewer: identity.FromContext(r.Context()), Page: page}
	if f.OwnerOrgID, err = queryInt(r, "owner"); err != nil {
		return err
	}
	if f.DatabaseID, err = queryInt(r, "database"); err != nil {
		return err
	}
	res, err := h.store.ListRegulations(r.Context(), f)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiRegulation(w http.ResponseWriter, r *http.Request) error {
	reg, err := h.visibleRegulation(r, identity.FromContext(r.Context()))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, reg)
	return nil
}

// createRegulation and updateRegulation check the owner as createService does.
func (h *handlers) createRegulation(ctx context.Context, p *identity.Principal, in RegulationInput) (Regulation, error) {
	if err := h.canOwn(ctx, p, in.OwnerOrgID, "owner_org_id"); err != nil {
		return Regulation{}, err
	}
	return h.store.CreateRegulation(ctx, ActorOf(p), in)
}

func (h *handlers) updateRegulation(ctx context.Context, p *identity.Principal, reg Regulation, in RegulationInput) (Regulation, error) {
	if err := h.canMove(ctx, p, reg.OwnerOrgID, in.OwnerOrgID, "owner_org_id"); err != nil {
		return Regulation{}, err
	}
	return h.store.UpdateRegulation(ctx, ActorOf(p), reg.ID, in)
}

func (h *handlers) publishRegulation(ctx context.Context, p *identity.Principal, reg Regulation) (Regulation, error) {
	return h.store.PublishRegulation(ctx, ActorOf(p), reg.ID)
}

// --- proposals ---

func (h *handlers) apiProposals(w http.ResponseWriter, r *http.Request) error {
	p, page, err := identity.RequireAPIPaged(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListProposals(r.Context(), p, ProposalState(r.URL.Query().Get("state")), page)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiProposal(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	pr, err := h.visibleProposal(r, p)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, pr)
	return nil
}

// createProposal and updateProposal check the owner as createService does.
func (h *handlers) createProposal(ctx context.Context, p *identity.Principal, in ProposalInput) (Proposal, error) {
	if err := h.canOwn(ctx, p, in.OwnerOrgID, "owner_org_id"); err != nil {
		return Proposal{}, err
	}
	return h.store.CreateProposal(ctx, ActorOf(p), in)
}

func (h *handlers) updateProposal(ctx context.Context, p *identity.Principal, pr Proposal, in ProposalInput) (Proposal, error) {
	if err := h.canMove(ctx, p, pr.OwnerOrgID, in.OwnerOrgID, "owner_org_id"); err != nil {
		return Proposal{}, err
	}
	return h.store.UpdateProposal(ctx, ActorOf(p), pr.ID, in)
}

// --- code lists ---

func (h *handlers) apiCodeLists(w http.ResponseWriter, r *http.Request) error {
	res, _, err := searchedPage(r, h.store.ListCodeLists)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

// searchedPage reads ?q= and the requested page of a public listing
// searched by text (code lists, the dictionary).
func searchedPage[T any](r *http.Request, list func(context.Context, string, platform.Page) (platform.PageResult[T], error)) (platform.PageResult[T], string, error) {
	page, err := platform.PageFromRequest(r)
	if err != nil {
		return platform.PageResult[T]{}, "", err
	}
	q := r.URL.Query().Get("q")
	res, err := list(r.Context(), q, page)
	return res, q, err
}

func (h *handlers) codeListData(r *http.Request) (codeListResponse, error) {
	c, err := h.codeListOf(r)
	if err != nil {
		return codeListResponse{}, err
	}
	version, err := queryInt(r, "version")
	if err != nil {
		return codeListResponse{}, err
	}
	if version > int64(c.Version) {
		return codeListResponse{}, platform.NotFound("code list version")
	}
	if version == 0 {
		version = int64(c.Version)
	}
	entries, err := h.store.Entries(r.Context(), c.ID, int(version))
	if err != nil {
		return codeListResponse{}, err
	}
	vs, err := h.store.CodeListVersions(r.Context(), c.ID)
	if err != nil {
		return codeListResponse{}, err
	}
	return codeListResponse{CodeList: c, Shown: int(version), Entries: entries, Versions: vs}, nil
}

func (h *handlers) apiCodeList(w http.ResponseWriter, r *http.Request) error {
	res, err := h.codeListData(r)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) editableCodeList(r *http.Request, p *identity.Principal) (CodeList, error) {
	c, err := h.codeListOf(r)
	if err != nil {
		return CodeList{}, err
	}
	return c, canEdit(p, true, c.ownerPath, "code list")
}

// createCodeList and updateCodeList check the owner as createService does;
// a new code list may come with its first version.
func (h *handlers) createCodeList(ctx context.Context, p *identity.Principal, in codeListRequest) (CodeList, error) {
	if err := h.canOwn(ctx, p, in.OwnerOrgID, "owner_org_id"); err != nil {
		return CodeList{}, err
	}
	return h.store.CreateCodeList(ctx, ActorOf(p), in.CodeListInput, in.Entries, in.Note)
}

func (h *handlers) updateCodeList(ctx context.Context, p *identity.Principal, c CodeList, in CodeListInput) (CodeList, error) {
	if err := h.canMove(ctx, p, c.OwnerOrgID, in.OwnerOrgID, "owner_org_id"); err != nil {
		return CodeList{}, err
	}
	return h.store.UpdateCodeList(ctx, ActorOf(p), c.ID, in)
}

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	c, err := h.editableCodeList(r, p)
	if err != nil {
		return err
	}
	body := http.MaxBytesReader(w, r.Body, MaxImportBytes+1)
	note := r.URL.Query().Get("note")
	if note == "" {
		note = "API import"
	}
	c, n, err := h.store.ImportEntries(r.Context(), ActorOf(p), c.ID, body, note)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusCreated, importResponse{CodeList: c, Imported: n})
	return nil
}

func (h *handlers) apiEntriesCSV(w http.ResponseWriter, r *http.Request) error {
	res, err := h.codeListData(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WriteEntriesCSV(&buf, res.Entries); err != nil {
		return err
	}
	name := res.CodeList.Code + "-v" + strconv.Itoa(res.Shown) + ".csv"
	sendFile(w, "text/csv; charset=utf-8", name, buf.Bytes())
	return nil
}

// sendFile writes a download; names are built from codes (safe characters).
func sendFile(w http.ResponseWriter, ctype, name string, b []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < ' ' || r > '~' {
			return '_'
		}
		return r
	}, name)+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}

// --- dictionary ---

func (h *handlers) apiElements(w http.ResponseWriter, r *http.Request) error {
	res, _, err := searchedPage(r, h.store.ListElements)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) elementData(r *http.Request) (elementResponse, error) {
	e, err := h.elementOf(r)
	if err != nil {
		return elementResponse{}, err
	}
	p := identity.FromContext(r.Context())
	res, err := h.store.ListServices(r.Context(), ServiceFilter{Viewer: p, ElementID: e.ID, Page: platform.Page{Limit: platform.MaxPageSize}})
	if err != nil {
		return elementResponse{}, err
	}
	for i := range res.Items {
		res.Items[i] = redactService(p, res.Items[i])
	}
	return elementResponse{Element: e, Services: res.Items}, nil
}

func (h *handlers) apiElement(w http.ResponseWriter, r *http.Request) error {
	res, err := h.elementData(r)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

// editableElement loads a data element the caller may change (the
// dictionary is public: 403 when not).
func (h *handlers) editableElement(r *http.Request, p *identity.Principal) (Element, error) {
	e, err := h.elementOf(r)
	if err != nil {
		return Element{}, err
	}
	return e, canEdit(p, true, e.ownerPath, "data element")
}

// createElement and updateElement check the owner as createService does.
func (h *handlers) createElement(ctx context.Context, p *identity.Principal, in ElementInput) (Element, error) {
	if err := h.canOwn(ctx, p, in.OwnerOrgID, "owner_org_id"); err != nil {
		return Element{}, err
	}
	return h.store.CreateElement(ctx, ActorOf(p), in)
}

func (h *handlers) updateElement(ctx context.Context, p *identity.Principal, e Element, in ElementInput) (Element, error) {
	if err := h.canMove(ctx, p, e.OwnerOrgID, in.OwnerOrgID, "owner_org_id"); err != nil {
		return Element{}, err
	}
	return h.store.UpdateElement(ctx, ActorOf(p), e.ID, in)
}

// --- reviews (D47-34.2) ---

func today() workday.Date { return workday.DateOf(time.Now()) }

func (h *handlers) apiReviews(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.store.ReviewOverview(r.Context(), today())
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, rows)
	return nil
}

func (h *handlers) apiReview(w http.ResponseWriter, r *http.Request) error {
	st, err := h.reviewStatus(r)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, st)
	return nil
}

// reviewStatus is the review status of the organisation of the path, with
// the services redacted for the viewer.
func (h *handlers) reviewStatus(r *http.Request) (ReviewStatus, error) {
	org, err := platform.PathID(r, "org", "organisation")
	if err != nil {
		return ReviewStatus{}, err
	}
	st, err := h.store.ReviewStatus(r.Context(), org, today())
	if err != nil {
		return ReviewStatus{}, err
	}
	redactAll(identity.FromContext(r.Context()), st.Services)
	return st, nil
}

// canManageOrg answers 404 for an unknown organisation and 403 unless p
// manages it.
func (h *handlers) canManageOrg(ctx context.Context, p *identity.Principal, org int64) error {
	path, err := h.store.OrgPath(ctx, org)
	if err != nil {
		return err
	}
	if !mayManage(p, path) {
		return platform.Forbidden()
	}
	return nil
}

func redactAll(p *identity.Principal, list []Service) {
	for i := range list {
		list[i] = redactService(p, list[i])
	}
}

func (h *handlers) apiRecordReview(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	org, err := platform.PathID(r, "org", "organisation")
	if err != nil {
		return err
	}
	var in noteRequest
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.canManageOrg(r.Context(), p, org); err != nil {
		return err
	}
	if err := h.store.RecordReview(r.Context(), ActorOf(p), org, in.Note); err != nil {
		return err
	}
	st, err := h.store.ReviewStatus(r.Context(), org, today())
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusCreated, st)
	return nil
}

// --- upstream allow-list (platform administrators) ---

func requireAdmin(r *http.Request) (*identity.Principal, error) {
	return platformAdmin(identity.RequireAPI(r))
}

// platformAdmin passes on a logged-in platform administrator: 403 for
// anyone else, after the login's own error.
func platformAdmin(p *identity.Principal, err error) (*identity.Principal, error) {
	if err != nil {
		return nil, err
	}
	if !p.IsPlatformAdmin() {
		return nil, platform.Forbidden()
	}
	return p, nil
}

func (h *handlers) apiHosts(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	hosts, err := h.store.UpstreamHosts(r.Context())
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, hosts)
	return nil
}

func (h *handlers) apiAllowHost(w http.ResponseWriter, r *http.Request) error {
	p, err := requireAdmin(r)
	if err != nil {
		return err
	}
	var in hostRequest
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.store.AllowUpstreamHost(r.Context(), ActorOf(p), in.Host, in.Note); err != nil {
		return err
	}
	hosts, err := h.store.UpstreamHosts(r.Context())
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusCreated, hosts)
	return nil
}

func (h *handlers) apiDisallowHost(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireAdmin(r); err != nil {
		return err
	}
	if err := h.store.DisallowUpstreamHost(r.Context(), r.PathValue("host")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// --- export (page and API) ---

func (h *handlers) export(w http.ResponseWriter, r *http.Request) error {
	p := identity.FromContext(r.Context())
	what, format := r.URL.Query().Get("type"), r.URL.Query().Get("format")
	lang := web.Lang(r)
	var buf bytes.Buffer
	stamp := time.Now().In(web.VNZone).Format("20060102")
	switch format {
	case "csv", "":
		if what == "" {
			what = "services"
		}
		if err := h.store.ExportCSV(r.Context(), &buf, p, what, lang); err != nil {
			return err
		}
		sendFile(w, "text/csv; charset=utf-8", "catalog-"+what+"-"+stamp+".csv", buf.Bytes())
	case "xlsx":
		if err := h.store.ExportXLSX(r.Context(), &buf, p, what, lang); err != nil {
			return err
		}
		name := what
		if name == "" {
			name = "all"
		}
		sendFile(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "catalog-"+name+"-"+stamp+".xlsx", buf.Bytes())
	default:
		return platform.FieldError("format", "invalid_format", "format must be csv or xlsx")
	}
	return nil
}
