package directory

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

type handlers struct {
	site      *web.Site
	store     *Store
	apiPrefix string
}

// Register adds the directory's pages and API operations. Reading the
// directory is public (D47-7.1 asks for the focal points to be published);
// changing it needs identity.PermOrgManage on the organisation's subtree.
func Register(mux *http.ServeMux, site *web.Site, api *platform.API, store *Store) error {
	sub, _ := fs.Sub(templatesFS, "templates")
	if err := site.AddPages("directory", sub); err != nil {
		return err
	}
	site.AddFeatureMessages("directory", messages)
	site.AddNav(web.NavItem{Href: "/orgs", Label: "Organisations", Feature: "directory", Order: 10},
		web.NavItem{Href: "/focal-points", Label: "Focal points", Feature: "directory", Order: 11})
	h := &handlers{site: site, store: store, apiPrefix: api.Prefix}

	mux.HandleFunc("GET /orgs", site.Handler(h.orgsPage))
	mux.HandleFunc("GET /orgs/new", site.Handler(h.newOrgPage))
	mux.HandleFunc("POST /orgs", site.Handler(h.createOrgForm))
	mux.HandleFunc("GET /orgs/{id}", site.Handler(h.orgPage))
	mux.HandleFunc("GET /orgs/{id}/edit", site.Handler(h.editOrgPage))
	mux.HandleFunc("POST /orgs/{id}", site.Handler(h.updateOrgForm))
	mux.HandleFunc("GET /orgs/{id}/focal-point", site.Handler(h.focalPointPage))
	mux.HandleFunc("POST /orgs/{id}/focal-point", site.Handler(h.focalPointForm))
	mux.HandleFunc("GET /focal-points", site.Handler(h.focalPointsPage))
	mux.HandleFunc("GET /admin-units", site.Handler(h.adminUnitsPage))

	orgQuery := map[string]string{
		"q":      "search words in the name, English name, short name, code or tax code; diacritics and word order do not matter",
		"kind":   "organisation kind",
		"parent": "id of an organisation: only its direct children",
		"under":  "id of an organisation: only its subtree (itself included)",
		"roots":  "true: only top-level organisations",
		"cursor": "page cursor (next_cursor of the previous page)",
		"limit":  "page size (1-500, default 50)",
	}
	api.Handle("GET", "/orgs", platform.Op{Summary: "List or search organisations", Tag: "directory", Public: true,
		Response: platform.PageResult[Org]{}, Query: orgQuery}, h.apiOrgs)
	api.Handle("GET", "/orgs/{id}", platform.Op{Summary: "One organisation with its focal point", Tag: "directory", Public: true,
		Response: Org{}}, h.apiOrg)
	api.Handle("POST", "/orgs", platform.Op{Summary: "Create an organisation under a parent I manage (top level: platform administrators)",
		Tag: "directory", Request: OrgInput{}, Response: Org{}, Status: http.StatusCreated}, h.apiCreateOrg)
	api.Handle("PUT", "/orgs/{id}", platform.Op{Summary: "Replace an organisation's fields; a new parent_id moves its subtree",
		Tag: "directory", Request: OrgInput{}, Response: Org{}}, identity.LoadedAction(http.StatusOK, h.orgToManage, h.updateOrg))
	api.Handle("PUT", "/orgs/{id}/focal-point", platform.Op{Summary: "Set the focal-point officer for data sharing and the readiness statement (D47-7.1, 7.2)",
		Tag: "directory", Request: FocalPointInput{}, Response: Org{}}, identity.LoadedAction(http.StatusOK, h.orgToManage, h.setFocalPoint))
	api.Handle("GET", "/focal-points", platform.Op{Summary: "Published focal-point officers for data sharing (D47-7.1)", Tag: "directory",
		Public: true, Response: platform.PageResult[OrgFocalPoint]{}, Query: map[string]string{
			"q": orgQuery["q"], "kind": orgQuery["kind"], "under": orgQuery["under"], "cursor": orgQuery["cursor"], "limit": orgQuery["limit"]}}, h.apiFocalPoints)
	api.Handle("GET", "/admin-units", platform.Op{Summary: "Administrative units with official GSO codes", Tag: "directory", Public: true,
		Response: platform.PageResult[AdminUnit]{}, Query: map[string]string{
			"level":    "province, district or commune",
			"province": "province code: the units inside it",
			"parent":   "code of a unit: its direct children",
			"q":        "search words; diacritics and word order do not matter",
			"all":      "true: include units no longer in force",
			"cursor":   "page cursor (next_cursor of the previous page)",
			"limit":    "page size (1-5000, default 5000)",
		}}, h.apiAdminUnits)
	api.Handle("GET", "/admin-units/{code}", platform.Op{Summary: "One administrative unit", Tag: "directory", Public: true,
		Response: AdminUnit{}}, h.apiAdminUnit)
	return nil
}

// --- request parsing shared by pages and API ---

// orgRef resolves an organisation id given in a query parameter.
func (h *handlers) orgRef(ctx context.Context, q url.Values, param string) (*Org, error) {
	s := q.Get(param)
	if s == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return nil, platform.FieldError(param, "invalid_id", "not an organisation id")
	}
	o, err := h.store.Org(ctx, id)
	if platform.ErrorClass(err) == platform.ENotFound {
		return nil, platform.FieldError(param, "unknown_org", "no organisation has this id")
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// orgQuery is a parsed listing request: the filter and the organisations it names.
type orgQuery struct {
	Filter        OrgFilter
	Parent, Under *Org
}

// Searching reports whether the request narrows the list (rather than browsing the tree).
func (q orgQuery) Searching() bool { return q.Filter.Query != "" || q.Filter.Kind != "" }

// parseOrgQuery reads q, kind, parent, under, roots, cursor and limit,
// reporting every parameter in error together.
func (h *handlers) parseOrgQuery(r *http.Request) (orgQuery, error) {
	var oq orgQuery
	var v platform.Validation
	q := r.URL.Query()
	page, err := platform.PageFromRequest(r)
	if err = v.Merge(err); err != nil {
		return oq, err
	}
	oq.Filter.Page = page
	oq.Filter.Query = q.Get("q")
	_ = v.Merge(checkText("q", oq.Filter.Query, 0, maxLen["q"]))
	if k := Kind(q.Get("kind")); k != "" {
		v.Check(k.Valid(), "kind", "invalid_kind", "unknown organisation kind")
		oq.Filter.Kind = k
	}
	oq.Parent, err = h.orgRef(r.Context(), q, "parent")
	if err = v.Merge(err); err != nil {
		return oq, err
	}
	if oq.Parent != nil {
		oq.Filter.ParentID = &oq.Parent.ID
	}
	oq.Under, err = h.orgRef(r.Context(), q, "under")
	if err = v.Merge(err); err != nil {
		return oq, err
	}
	if oq.Under != nil {
		oq.Filter.Under = []string{oq.Under.Path}
	}
	switch q.Get("roots") {
	case "", "false":
	case "true":
		oq.Filter.Roots = true
	default:
		v.Add("roots", "invalid_bool", "roots must be true or false")
	}
	return oq, v.Err()
}

// --- authorisation (the decisions themselves are identity.Principal.Allowed) ---

// canCreateUnder: PermOrgManage on the parent's path; a top-level
// organisation (a new ministry or province) needs a platform administrator.
func (h *handlers) canCreateUnder(ctx context.Context, p *identity.Principal, parentID *int64) error {
	if parentID == nil {
		if p.IsPlatformAdmin() {
			return nil
		}
		return &platform.Error{Class: platform.EForbidden, Code: "forbidden_root", Field: "parent_id",
			Message: "only a platform administrator can place an organisation at the top level"}
	}
	path, err := h.store.OrgPath(ctx, *parentID)
	if platform.ErrorClass(err) == platform.ENotFound {
		return platform.FieldError("parent_id", "unknown_parent", "the parent organisation does not exist")
	}
	if err != nil {
		return err
	}
	if !p.Allowed(identity.PermOrgManage, path) {
		return &platform.Error{Class: platform.EForbidden, Code: "forbidden", Field: "parent_id",
			Message: "you are not allowed to manage organisations under this parent"}
	}
	return nil
}

// canManage: PermOrgManage on the organisation's own path.
func canManage(p *identity.Principal, o Org) error {
	if !p.Allowed(identity.PermOrgManage, o.Path) {
		return platform.Forbidden()
	}
	return nil
}

// canUpdate checks an edit of old into in: the editor manages old; the
// code, which other systems keep as the organisation's stable key, only
// changes by a platform administrator's hand; and moving it also needs the
// right to create under the new parent (unless checkParent is false: the
// form named a parent that does not exist). The refusals come first; a
// parent that does not exist is a mistake of the input (class invalid).
func (h *handlers) canUpdate(ctx context.Context, p *identity.Principal, old Org, in OrgInput, checkParent bool) error {
	if err := canManage(p, old); err != nil {
		return err
	}
	if strings.TrimSpace(in.Code) != old.Code && !p.IsPlatformAdmin() {
		return &platform.Error{Class: platform.EForbidden, Code: "code_stable", Field: "code",
			Message: "the code of an organisation is stable; only a platform administrator can change it"}
	}
	if checkParent && !sameParent(old.ParentID, in.ParentID) {
		return h.canCreateUnder(ctx, p, in.ParentID)
	}
	return nil
}

// createOrg creates an organisation for p. A refusal of rights is returned
// alone; otherwise every mistake of the input, v's (the form's) and a
// parent that does not exist among them, is reported together, before
// anything is written.
func (h *handlers) createOrg(ctx context.Context, p *identity.Principal, in OrgInput, v *platform.Validation) (Org, error) {
	if !v.Has("parent_code") { // an unknown parent code leaves no parent to check rights on
		if err := v.Merge(h.canCreateUnder(ctx, p, in.ParentID)); err != nil {
			return Org{}, err
		}
	}
	if v.Err() == nil {
		return h.store.CreateOrg(ctx, in)
	}
	if err := v.Merge(h.store.CheckOrg(ctx, &in, 0)); err != nil {
		return Org{}, err
	}
	return Org{}, v.Err()
}

// updateOrgChecked is createOrg for an edit of old.
func (h *handlers) updateOrgChecked(ctx context.Context, p *identity.Principal, old Org, in OrgInput, v *platform.Validation) (Org, error) {
	if err := v.Merge(h.canUpdate(ctx, p, old, in, !v.Has("parent_code"))); err != nil {
		return Org{}, err
	}
	if v.Err() == nil {
		return h.store.UpdateOrg(ctx, old.ID, in)
	}
	if err := v.Merge(h.store.CheckOrg(ctx, &in, old.ID)); err != nil {
		return Org{}, err
	}
	return Org{}, v.Err()
}

func sameParent(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
