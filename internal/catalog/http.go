package catalog

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"strconv"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

type handlers struct {
	site  *web.Site
	store *Store
	dir   *directory.Store
}

// Register adds the catalog's pages (under /catalog) and API operations
// (under /api/v1/catalog). Anyone may read the published catalog, usage
// regulations, code lists and the data dictionary; changes need
// catalog.manage on the owning organisation.
func Register(mux *http.ServeMux, site *web.Site, api *platform.API, store *Store, dir *directory.Store) error {
	sub, _ := fs.Sub(templatesFS, "templates")
	if err := site.AddPages("catalog", sub); err != nil {
		return err
	}
	site.AddFeatureMessages("catalog", messages)
	site.AddNav(web.NavItem{Href: "/catalog", Label: "Catalog", Feature: "catalog", Order: 20})
	h := &handlers{site: site, store: store, dir: dir}
	h.registerPages(mux)
	h.registerAPI(api)
	return nil
}

// --- authorisation (the decision itself is identity.Principal.Allowed) ---

// mayManage reports whether p may manage records owned at path.
func mayManage(p *identity.Principal, path string) bool {
	return p.Allowed(identity.PermCatalogManage, path)
}

// canSee answers 404 for a record the viewer may not see, so drafts of
// other organisations are not revealed.
func canSee(p *identity.Principal, public bool, path, kind string) error {
	if public || mayManage(p, path) {
		return nil
	}
	return platform.NotFound(kind)
}

// canEdit: the viewer manages the owner; otherwise 403 for a public record
// (its existence is known) and 404 for a hidden one.
func canEdit(p *identity.Principal, public bool, path, kind string) error {
	if mayManage(p, path) {
		return nil
	}
	if public {
		return platform.Forbidden()
	}
	return platform.NotFound(kind)
}

// canOwn checks that p may manage records of the organisation named in an
// input (creating, or moving a record to it). A missing or unknown
// organisation is no question of rights: the store reports it with the
// input's other mistakes, and writes nothing.
func (h *handlers) canOwn(ctx context.Context, p *identity.Principal, orgID int64, field string) error {
	if orgID <= 0 {
		return nil
	}
	path, err := orgPath(ctx, h.store.db.Read, orgID, field)
	if platform.ErrorClass(err) == platform.EInvalid {
		return nil
	}
	if err != nil {
		return err
	}
	if !mayManage(p, path) {
		return platform.Forbidden()
	}
	return nil
}

// managesAny reports whether p may manage some part of the catalog.
func managesAny(p *identity.Principal) bool {
	return p != nil && (p.IsPlatformAdmin() || len(p.Scope(identity.PermCatalogManage)) > 0)
}

// serviceRef loads a service by numeric id or identifier.
func (h *handlers) serviceRef(r *http.Request) (Service, error) {
	ref := r.PathValue("ref")
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return h.store.Service(r.Context(), id)
	}
	return h.store.ServiceByIdentifier(r.Context(), ref)
}

// visibleService loads a service the viewer may see, without its upstream
// endpoint unless the viewer manages it.
func (h *handlers) visibleService(r *http.Request, p *identity.Principal) (Service, error) {
	sv, err := h.serviceRef(r)
	if err != nil {
		return Service{}, err
	}
	if err := canSee(p, sv.Status.Public(), sv.providerPath, "service"); err != nil {
		return Service{}, err
	}
	return redactService(p, sv), nil
}

// redactService hides the upstream endpoint (internal network detail) from
// anyone who does not manage the service.
func redactService(p *identity.Principal, sv Service) Service {
	if !mayManage(p, sv.providerPath) {
		sv.UpstreamURL = ""
	}
	return sv
}

// editableService loads a service the caller may change.
func (h *handlers) editableService(r *http.Request, p *identity.Principal) (Service, error) {
	sv, err := h.serviceRef(r)
	if err != nil {
		return Service{}, err
	}
	return sv, canEdit(p, sv.Status.Public(), sv.providerPath, "service")
}

func (h *handlers) visibleDatabase(r *http.Request, p *identity.Principal) (Database, error) {
	id, err := platform.PathID(r, "id", "database")
	if err != nil {
		return Database{}, err
	}
	d, err := h.store.Database(r.Context(), id)
	if err != nil {
		return Database{}, err
	}
	return d, canSee(p, d.Status == StatusPublished, d.ownerPath, "database")
}

func (h *handlers) editableDatabase(r *http.Request, p *identity.Principal) (Database, error) {
	d, err := h.visibleDatabase(r, p)
	if err != nil {
		return Database{}, err
	}
	return d, canEdit(p, d.Status == StatusPublished, d.ownerPath, "database")
}

func (h *handlers) visibleRegulation(r *http.Request, p *identity.Principal) (Regulation, error) {
	id, err := platform.PathID(r, "id", "regulation")
	if err != nil {
		return Regulation{}, err
	}
	reg, err := h.store.Regulation(r.Context(), id)
	if err != nil {
		return Regulation{}, err
	}
	return reg, canSee(p, reg.Status == StatusPublished, reg.ownerPath, "regulation")
}

func (h *handlers) editableRegulation(r *http.Request, p *identity.Principal) (Regulation, error) {
	reg, err := h.visibleRegulation(r, p)
	if err != nil {
		return Regulation{}, err
	}
	return reg, canEdit(p, reg.Status == StatusPublished, reg.ownerPath, "regulation")
}

// visibleProposal: proposals are internal to the owner's managers and the
// national operator (platform administrators).
func (h *handlers) visibleProposal(r *http.Request, p *identity.Principal) (Proposal, error) {
	id, err := platform.PathID(r, "id", "proposal")
	if err != nil {
		return Proposal{}, err
	}
	pr, err := h.store.Proposal(r.Context(), id)
	if err != nil {
		return Proposal{}, err
	}
	return pr, canSee(p, false, pr.ownerPath, "proposal")
}

// moveProposal applies a D47-12 step: the owner submits, the national
// operator (a platform administrator, for MIC) approves or rejects.
func (h *handlers) moveProposal(ctx context.Context, p *identity.Principal, pr Proposal, action, note string) (Proposal, error) {
	switch action {
	case "submit":
	case "approve", "reject":
		if !p.IsPlatformAdmin() {
			return Proposal{}, platform.Errorf(platform.EForbidden, "forbidden", "only the national operator records the decision on a proposal")
		}
	default:
		return Proposal{}, platform.FieldError("action", "invalid_action", "unknown step %q", action)
	}
	return h.store.MoveProposal(ctx, ActorOf(p), pr.ID, action, note)
}

func (h *handlers) codeListOf(r *http.Request) (CodeList, error) {
	id, err := platform.PathID(r, "id", "code list")
	if err != nil {
		return CodeList{}, err
	}
	return h.store.CodeList(r.Context(), id)
}

func (h *handlers) elementOf(r *http.Request) (Element, error) {
	id, err := platform.PathID(r, "id", "data element")
	if err != nil {
		return Element{}, err
	}
	return h.store.Element(r.Context(), id)
}

// queryInt reads an optional integer query parameter.
func queryInt(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, platform.FieldError(name, "invalid_number", "%s must be a positive number", name)
	}
	return n, nil
}

// searchQuery reads the search parameters shared by the page and the API;
// the error names every parameter in error.
func searchQuery(r *http.Request) (SearchQuery, error) {
	q := r.URL.Query()
	sq := SearchQuery{Text: q.Get("q"), Type: q.Get("type"), Kind: DatabaseKind(q.Get("kind")), Form: Form(q.Get("form")),
		Method: Method(q.Get("method")), Viewer: identity.FromContext(r.Context())}
	var v platform.Validation
	var limit, offset int64
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"provider", &sq.ProviderOrgID}, {"limit", &limit}, {"offset", &offset}} {
		n, err := queryInt(r, p.name)
		_ = v.Merge(err) // queryInt's errors are all field errors
		*p.dst = n
	}
	sq.Limit, sq.Offset = int(limit), int(offset)
	sq.check(&v)
	return sq, v.Err()
}
