package directory

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// FocalPointInput is the body of PUT /orgs/{id}/focal-point.
type FocalPointInput struct {
	FocalPoint FocalPoint `json:"focal_point"`
	Readiness  string     `json:"sharing_readiness"`
}

// OrgFocalPoint is one entry of the published list of focal points (D47-7.1, 7.2).
type OrgFocalPoint struct {
	OrgID      int64      `json:"org_id"`
	OrgCode    string     `json:"org_code"`
	OrgName    string     `json:"org_name"`
	OrgNameEN  string     `json:"org_name_en"`
	Kind       Kind       `json:"kind"`
	FocalPoint FocalPoint `json:"focal_point"`
	Readiness  string     `json:"sharing_readiness"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

func (h *handlers) apiOrgs(w http.ResponseWriter, r *http.Request) error {
	oq, err := h.parseOrgQuery(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListOrgs(r.Context(), oq.Filter)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := platform.PathID(r, "id", "organisation")
	if err != nil {
		return err
	}
	o, err := h.store.Org(r.Context(), id)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, o)
	return nil
}

func (h *handlers) apiCreateOrg(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	var in OrgInput
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := h.createOrg(r.Context(), p, in, &platform.Validation{})
	if err != nil {
		return err
	}
	w.Header().Set("Location", h.apiPrefix+"/orgs/"+strconv.FormatInt(o.ID, 10))
	platform.WriteJSON(w, http.StatusCreated, o)
	return nil
}

// managedOrg loads the organisation of the path for a change: 401 when
// anonymous, 404 when missing, 403 outside the caller's subtree (the
// directory is public, so refusing reveals nothing).
func (h *handlers) managedOrg(r *http.Request) (*identity.Principal, Org, error) {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return nil, Org{}, err
	}
	o, err := h.orgToManage(r, p)
	return p, o, err
}

// orgToManage is managedOrg for an authenticated caller. The API's updates
// load it through identity.LoadedAction, before the body is read, so they
// keep 404/403 before 400.
func (h *handlers) orgToManage(r *http.Request, p *identity.Principal) (Org, error) {
	id, err := platform.PathID(r, "id", "organisation")
	if err != nil {
		return Org{}, err
	}
	o, err := h.store.Org(r.Context(), id)
	if err != nil {
		return Org{}, err
	}
	return o, canManage(p, o)
}

// updateOrg replaces an organisation's fields; moving it needs rights on
// the new parent too.
func (h *handlers) updateOrg(ctx context.Context, p *identity.Principal, old Org, in OrgInput) (Org, error) {
	return h.updateOrgChecked(ctx, p, old, in, &platform.Validation{})
}

func (h *handlers) setFocalPoint(ctx context.Context, _ *identity.Principal, old Org, in FocalPointInput) (Org, error) {
	return h.store.SetFocalPoint(ctx, old.ID, in.FocalPoint, in.Readiness)
}

func (h *handlers) apiFocalPoints(w http.ResponseWriter, r *http.Request) error {
	oq, err := h.parseOrgQuery(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListOrgs(r.Context(), oq.Filter)
	if err != nil {
		return err
	}
	out := platform.PageResult[OrgFocalPoint]{Items: make([]OrgFocalPoint, len(res.Items)), NextCursor: res.NextCursor}
	for i, o := range res.Items {
		out.Items[i] = OrgFocalPoint{OrgID: o.ID, OrgCode: o.Code, OrgName: o.Name, OrgNameEN: o.NameEN, Kind: o.Kind,
			FocalPoint: o.FocalPoint, Readiness: o.Readiness, UpdatedAt: o.UpdatedAt}
	}
	platform.WriteJSON(w, http.StatusOK, out)
	return nil
}

// maxAdminUnitPage bounds one page of administrative units: the whole
// current list (3,355 units) fits in one.
const maxAdminUnitPage = 5000

// parseAdminUnitQuery reads level, province, parent, q, all, cursor and
// limit, reporting every parameter in error together.
func parseAdminUnitQuery(r *http.Request) (AdminUnitFilter, error) {
	q := r.URL.Query()
	f := AdminUnitFilter{Level: q.Get("level"), Province: q.Get("province"), ParentCode: q.Get("parent"),
		Query: q.Get("q"), InForce: true, Limit: maxAdminUnitPage}
	var v platform.Validation
	switch f.Level {
	case "", "province", "district", "commune":
	default:
		v.Add("level", "invalid_level", "level must be province, district or commune")
	}
	for _, c := range []struct{ name, v string }{{"province", f.Province}, {"parent", f.ParentCode}} {
		v.Check(c.v == "" || isUnitCode(c.v), c.name, "invalid_code", "an administrative unit code is 2-10 digits")
	}
	_ = v.Merge(checkText("q", f.Query, 0, maxLen["q"]))
	switch q.Get("all") {
	case "", "false":
	case "true":
		f.InForce = false
	default:
		v.Add("all", "invalid_bool", "all must be true or false")
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if v.Check(err == nil && n >= 1 && n <= maxAdminUnitPage, "limit", "invalid_limit", "limit must be between 1 and 5000") {
			f.Limit = n
		}
	}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if v.Check(err == nil && isUnitCode(string(b)), "cursor", "invalid_cursor", "cursor is not valid") {
			f.After = string(b)
		}
	}
	return f, v.Err()
}

// listAdminUnits returns one page: the store is asked for one unit more
// than the limit to know whether another page follows.
func (h *handlers) listAdminUnits(r *http.Request, f AdminUnitFilter) (platform.PageResult[AdminUnit], error) {
	limit := f.Limit
	f.Limit++
	units, err := h.store.AdminUnits(r.Context(), f)
	if err != nil {
		return platform.PageResult[AdminUnit]{}, err
	}
	res := platform.PageResult[AdminUnit]{Items: units}
	if len(units) > limit {
		res.Items = units[:limit]
		res.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(units[limit-1].Code))
	}
	if res.Items == nil {
		res.Items = []AdminUnit{}
	}
	return res, nil
}

func (h *handlers) apiAdminUnits(w http.ResponseWriter, r *http.Request) error {
	f, err := parseAdminUnitQuery(r)
	if err != nil {
		return err
	}
	res, err := h.listAdminUnits(r, f)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiAdminUnit(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	if !isUnitCode(code) {
		return platform.NotFound("administrative unit")
	}
	u, err := h.store.AdminUnit(r.Context(), code)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, u)
	return nil
}
