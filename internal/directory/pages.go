package directory

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

// orgRow is an organisation in a list with what the list shows beside it.
type orgRow struct {
	Org
	Parent   *Org // in search results: where it sits in the tree
	Children int  // number of direct subordinate units
}

// rows decorates orgs with their child counts and, when withParents, their parents.
func (h *handlers) rows(r *http.Request, orgs []Org, withParents bool) ([]orgRow, error) {
	ids := make([]int64, len(orgs))
	var parentIDs []int64
	for i, o := range orgs {
		ids[i] = o.ID
		if withParents && o.ParentID != nil {
			parentIDs = append(parentIDs, *o.ParentID)
		}
	}
	counts, err := h.store.ChildCounts(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	parents, err := h.store.OrgsByID(r.Context(), parentIDs)
	if err != nil {
		return nil, err
	}
	out := make([]orgRow, len(orgs))
	for i, o := range orgs {
		out[i] = orgRow{Org: o, Children: counts[o.ID]}
		if o.ParentID != nil {
			if p, ok := parents[*o.ParentID]; ok {
				out[i].Parent = &p
			}
		}
	}
	return out, nil
}

// nextURL is the current page's URL with the next cursor.
func nextURL(r *http.Request, cursor string) template.URL {
	if cursor == "" {
		return ""
	}
	q := r.URL.Query()
	q.Set("cursor", cursor)
	return template.URL(r.URL.Path + "?" + q.Encode())
}

type orgsData struct {
	Q, Kind string
	Kinds   any
	// Search is a flat list of matches; otherwise the tree is browsed.
	Search bool
	// Parent is the organisation whose units are browsed; Chain is the path to it.
	Parent *Org
	Chain  []Org
	// Scope is the subtree a search is limited to.
	Scope     *Org
	Rows      []orgRow
	CanCreate bool
	NextURL   template.URL
}

func (h *handlers) orgsPage(w http.ResponseWriter, r *http.Request) error {
	oq, err := h.parseOrgQuery(r)
	if err != nil {
		return err
	}
	d := orgsData{Q: oq.Filter.Query, Kind: string(oq.Filter.Kind), Kinds: Kinds, Parent: oq.Parent,
		Search: oq.Searching() || oq.Under != nil, Scope: oq.Under}
	f := oq.Filter
	if !d.Search {
		if oq.Parent == nil {
			f.Roots = true
		} else {
			anc, err := h.store.Ancestors(r.Context(), *oq.Parent)
			if err != nil {
				return err
			}
			d.Chain = append(anc, *oq.Parent)
			d.Scope = oq.Parent
		}
	}
	res, err := h.store.ListOrgs(r.Context(), f)
	if err != nil {
		return err
	}
	if d.Rows, err = h.rows(r, res.Items, d.Search); err != nil {
		return err
	}
	d.NextURL = nextURL(r, res.NextCursor)
	p := identity.FromContext(r.Context())
	if oq.Parent != nil {
		d.CanCreate = p.Allowed(identity.PermOrgManage, oq.Parent.Path)
	} else {
		d.CanCreate = p.IsPlatformAdmin()
	}
	h.site.Page(w, r, "directory/orgs.html", d)
	return nil
}

type orgData struct {
	Org       Org
	Ancestors []Org
	Parent    *Org
	AdminUnit *AdminUnit
	Children  []orgRow
	// MoreChildren says the list is cut; the tree page has them all.
	MoreChildren bool
	CanManage    bool
}

func (h *handlers) orgPage(w http.ResponseWriter, r *http.Request) error {
	id, err := platform.PathID(r, "id", "organisation")
	if err != nil {
		return err
	}
	ctx := r.Context()
	o, err := h.store.Org(ctx, id)
	if err != nil {
		return err
	}
	d := orgData{Org: o, CanManage: identity.FromContext(ctx).Allowed(identity.PermOrgManage, o.Path)}
	if d.Ancestors, err = h.store.Ancestors(ctx, o); err != nil {
		return err
	}
	if n := len(d.Ancestors); n > 0 {
		d.Parent = &d.Ancestors[n-1]
	}
	if o.AdminUnitCode != "" {
		if u, err := h.store.AdminUnit(ctx, o.AdminUnitCode); err == nil {
			d.AdminUnit = &u
		}
	}
	children, err := h.store.ListOrgs(ctx, OrgFilter{ParentID: &o.ID, Page: platform.Page{Limit: 100}})
	if err != nil {
		return err
	}
	d.MoreChildren = children.NextCursor != ""
	if d.Children, err = h.rows(r, children.Items, false); err != nil {
		return err
	}
	h.site.Page(w, r, "directory/org.html", d)
	return nil
}

// --- organisation forms ---

type orgFormData struct {
	New bool
	Org Org // the organisation edited
	// Parent is where a new organisation goes (nil: top level or not known).
	Parent *Org
	Kinds  any
	// CodeLocked: only platform administrators change a stable code.
	CodeLocked bool
	Action     string
}

func (h *handlers) renderOrgForm(w http.ResponseWriter, r *http.Request, status int, d orgFormData, form url.Values, errs map[string]string) {
	d.Kinds = Kinds
	d.CodeLocked = !d.New && !identity.FromContext(r.Context()).IsPlatformAdmin()
	d.Action = "/orgs"
	if !d.New {
		d.Action = "/orgs/" + strconv.FormatInt(d.Org.ID, 10)
	}
	v := h.site.NewView(w, r, d)
	v.Form, v.Errors = form, errs
	h.site.Render(w, r, status, "directory/org_form.html", v)
}

// formErrors places each mistake next to the form field it concerns, and
// a refusal of rights about one field next to that field; the form names
// the parent by code, so parent_id problems are shown there. Other errors
// go to the error page.
func formErrors(err error) (map[string]string, int, error) {
	e := platform.AsError(err)
	var errs map[string]string
	switch {
	case e.Class == platform.EForbidden && e.Field != "":
		errs = map[string]string{e.Field: e.Message}
	case e.Class == platform.EInvalid:
		errs, _ = web.FormErrors(e)
	default:
		return nil, 0, err
	}
	if m, ok := errs["parent_id"]; ok {
		delete(errs, "parent_id")
		if _, ok := errs["parent_code"]; !ok {
			errs["parent_code"] = m
		}
	}
	return errs, platform.StatusOf(e.Class), nil
}

// orgValues fills the form from an organisation.
func orgValues(o Org, parent *Org) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"code": o.Code, "name": o.Name, "name_en": o.NameEN, "short_name": o.ShortName,
		"kind": string(o.Kind), "admin_unit_code": o.AdminUnitCode, "tax_code": o.TaxCode, "address": o.Address,
		"phone": o.Phone, "email": o.Email, "website": o.Website} {
		v.Set(k, s)
	}
	if parent != nil {
		v.Set("parent_code", parent.Code)
	}
	return v
}

// orgFormInput reads the organisation form. The parent is named by its
// code, which officials know, rather than by an internal id; a code no
// organisation has is a mistake added to v, reported with the others.
func (h *handlers) orgFormInput(r *http.Request, withFocalPoint bool, v *platform.Validation) (OrgInput, error) {
	f := r.PostFormValue
	in := OrgInput{Code: f("code"), Name: f("name"), NameEN: f("name_en"), ShortName: f("short_name"), Kind: Kind(f("kind")),
		AdminUnitCode: f("admin_unit_code"), TaxCode: f("tax_code"), Address: f("address"), Phone: f("phone"),
		Email: f("email"), Website: f("website")}
	if withFocalPoint {
		in.FocalPoint, in.Readiness = focalFormInput(r)
	}
	if code := strings.TrimSpace(f("parent_code")); code != "" {
		parent, err := h.store.OrgByCode(r.Context(), code)
		if platform.ErrorClass(err) == platform.ENotFound {
			v.Add("parent_code", "unknown_parent", "no organisation has this code")
			return in, nil
		}
		if err != nil {
			return in, err
		}
		in.ParentID = &parent.ID
	}
	return in, nil
}

func focalFormInput(r *http.Request) (FocalPoint, string) {
	f := r.PostFormValue
	return FocalPoint{Name: f("focal_point.name"), Position: f("focal_point.position"), Function: f("focal_point.function"),
		Phone: f("focal_point.phone"), Email: f("focal_point.email")}, f("sharing_readiness")
}

func (h *handlers) newOrgPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	parent, err := h.orgRef(r.Context(), r.URL.Query(), "parent")
	if err != nil {
		return err
	}
	var parentID *int64
	form := url.Values{}
	if parent != nil {
		parentID = &parent.ID
		// A new unit usually sits in its parent's province or commune.
		form.Set("parent_code", parent.Code)
		form.Set("admin_unit_code", parent.AdminUnitCode)
	}
	if err := h.canCreateUnder(r.Context(), p, parentID); err != nil {
		return err
	}
	h.renderOrgForm(w, r, http.StatusOK, orgFormData{New: true, Parent: parent}, form, nil)
	return nil
}

func (h *handlers) createOrgForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	var v platform.Validation
	in, err := h.orgFormInput(r, true, &v)
	var o Org
	if err == nil {
		o, err = h.createOrg(r.Context(), p, in, &v)
	}
	if err != nil {
		errs, status, err := formErrors(err)
		if err != nil {
			return err
		}
		h.renderOrgForm(w, r, status, orgFormData{New: true}, r.PostForm, errs)
		return nil
	}
	web.Redirect(w, r, "/orgs/"+strconv.FormatInt(o.ID, 10), "Organisation created.")
	return nil
}

func (h *handlers) editOrgPage(w http.ResponseWriter, r *http.Request) error {
	_, o, err := h.managedOrg(r)
	if err != nil {
		return err
	}
	var parent *Org
	if o.ParentID != nil {
		po, err := h.store.Org(r.Context(), *o.ParentID)
		if err != nil {
			return err
		}
		parent = &po
	}
	h.renderOrgForm(w, r, http.StatusOK, orgFormData{Org: o}, orgValues(o, parent), nil)
	return nil
}

func (h *handlers) updateOrgForm(w http.ResponseWriter, r *http.Request) error {
	p, old, err := h.managedOrg(r)
	if err != nil {
		return err
	}
	// The focal point has its own form; this one keeps it.
	var v platform.Validation
	in, err := h.orgFormInput(r, false, &v)
	in.FocalPoint, in.Readiness = old.FocalPoint, old.Readiness
	if err == nil {
		_, err = h.updateOrgChecked(r.Context(), p, old, in, &v)
	}
	if err != nil {
		errs, status, err := formErrors(err)
		if err != nil {
			return err
		}
		h.renderOrgForm(w, r, status, orgFormData{Org: old}, r.PostForm, errs)
		return nil
	}
	web.Redirect(w, r, "/orgs/"+strconv.FormatInt(old.ID, 10), "Saved.")
	return nil
}

// --- focal point form (D47-7.1, 7.2) ---

func (h *handlers) renderFocalForm(w http.ResponseWriter, r *http.Request, status int, o Org, form url.Values, errs map[string]string) {
	v := h.site.NewView(w, r, o)
	v.Form, v.Errors = form, errs
	h.site.Render(w, r, status, "directory/focal_form.html", v)
}

func (h *handlers) focalPointPage(w http.ResponseWriter, r *http.Request) error {
	_, o, err := h.managedOrg(r)
	if err != nil {
		return err
	}
	form := url.Values{"focal_point.name": {o.FocalPoint.Name}, "focal_point.position": {o.FocalPoint.Position},
		"focal_point.function": {o.FocalPoint.Function}, "focal_point.phone": {o.FocalPoint.Phone},
		"focal_point.email": {o.FocalPoint.Email}, "sharing_readiness": {o.Readiness}}
	h.renderFocalForm(w, r, http.StatusOK, o, form, nil)
	return nil
}

func (h *handlers) focalPointForm(w http.ResponseWriter, r *http.Request) error {
	_, o, err := h.managedOrg(r)
	if err != nil {
		return err
	}
	fp, readiness := focalFormInput(r)
	if _, err := h.store.SetFocalPoint(r.Context(), o.ID, fp, readiness); err != nil {
		errs, status, err := formErrors(err)
		if err != nil {
			return err
		}
		h.renderFocalForm(w, r, status, o, r.PostForm, errs)
		return nil
	}
	web.Redirect(w, r, "/orgs/"+strconv.FormatInt(o.ID, 10), "Focal point saved.")
	return nil
}

// --- public lists ---

type focalPointsData struct {
	Q, Kind, Under string
	Kinds          any
	// Tops are the ministries, agencies and provinces a reader narrows by.
	Tops    []Org
	Orgs    []Org
	NextURL template.URL
}

// governmentKinds head the subtrees offered as a filter on the focal-point page.
var governmentKinds = map[Kind]bool{KindMinistry: true, KindMinistryAgency: true, KindGovAgency: true, KindProvince: true}

func (h *handlers) focalPointsPage(w http.ResponseWriter, r *http.Request) error {
	oq, err := h.parseOrgQuery(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListOrgs(r.Context(), oq.Filter)
	if err != nil {
		return err
	}
	roots, err := h.store.ListOrgs(r.Context(), OrgFilter{Roots: true, Page: platform.Page{Limit: platform.MaxPageSize}})
	if err != nil {
		return err
	}
	d := focalPointsData{Q: oq.Filter.Query, Kind: string(oq.Filter.Kind), Kinds: Kinds, Orgs: res.Items,
		NextURL: nextURL(r, res.NextCursor)}
	if oq.Under != nil {
		d.Under = strconv.FormatInt(oq.Under.ID, 10)
	}
	for _, o := range roots.Items {
		if governmentKinds[o.Kind] {
			d.Tops = append(d.Tops, o)
		}
	}
	h.site.Page(w, r, "directory/focal_points.html", d)
	return nil
}

type adminUnitsData struct {
	Q        string
	All      bool
	Province *AdminUnit
	Units    []AdminUnit
	// Provinces names the province of each unit in search results.
	Provinces map[string]*AdminUnit
	NextURL   template.URL
	// Source is the attribution's first paragraph; Notice is the whole
	// text, one entry a paragraph.
	Source string
	Notice []string
}

// adminUnitsPageSize bounds one page; the largest province fits in it.
const adminUnitsPageSize = 500

func (h *handlers) adminUnitsPage(w http.ResponseWriter, r *http.Request) error {
	f, err := parseAdminUnitQuery(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("limit") == "" {
		f.Limit = adminUnitsPageSize
	}
	d := adminUnitsData{Q: f.Query, All: !f.InForce, Notice: AdminUnitsNoticeParagraphs()}
	d.Source, _, _ = strings.Cut(AdminUnitsNotice, "\n\n")
	if f.Province != "" {
		u, err := h.store.AdminUnit(r.Context(), f.Province)
		if err != nil {
			return err
		}
		d.Province = &u
	} else if f.Query == "" && f.ParentCode == "" && f.Level == "" {
		f.Level = "province" // the first level of the list
	}
	res, err := h.listAdminUnits(r, f)
	if err != nil {
		return err
	}
	d.Units, d.NextURL = res.Items, nextURL(r, res.NextCursor)
	if d.Province == nil && f.Level != "province" {
		provinces, err := h.store.AdminUnits(r.Context(), AdminUnitFilter{Level: "province"})
		if err != nil {
			return err
		}
		d.Provinces = make(map[string]*AdminUnit, len(provinces))
		for i := range provinces {
			d.Provinces[provinces[i].Code] = &provinces[i]
		}
	}
	h.site.Page(w, r, "directory/admin_units.html", d)
	return nil
}
