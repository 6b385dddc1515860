// Package identityweb is the web UI and JSON API of identity: login and
// logout, the user's account and API tokens, and user administration.
// (It is apart from identity because the web shell itself depends on identity.)
package identityweb

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

type handlers struct {
	site *web.Site
	ids  *identity.Store
	dir  *directory.Store
}

// Register adds the identity pages and API operations.
func Register(mux *http.ServeMux, site *web.Site, api *platform.API, ids *identity.Store, dir *directory.Store) error {
	sub, _ := fs.Sub(templatesFS, "templates")
	if err := site.AddPages("identity", sub); err != nil {
		return err
	}
	site.AddFeatureMessages("identity", messages)
	site.AddNav(web.NavItem{Href: "/users", Label: "Users", Feature: "identity", Order: 90, Show: func(p *identity.Principal) bool {
		return p != nil && len(p.Scope(identity.PermUserManage)) != 0 || p.IsPlatformAdmin()
	}})
	h := &handlers{site: site, ids: ids, dir: dir}
	mux.HandleFunc("GET /login", site.Handler(h.loginPage))
	mux.HandleFunc("POST /login", site.Handler(h.login))
	mux.HandleFunc("POST /logout", site.Handler(h.logout))
	mux.HandleFunc("GET /account", site.Handler(h.accountPage))
	mux.HandleFunc("POST /account/tokens", site.Handler(h.createTokenForm))
	mux.HandleFunc("POST /account/tokens/{id}/revoke", site.Handler(h.revokeTokenForm))
	mux.HandleFunc("GET /users", site.Handler(h.usersPage))
	mux.HandleFunc("GET /users/new", site.Handler(h.newUserPage))
	mux.HandleFunc("POST /users", site.Handler(h.createUserForm))
	mux.HandleFunc("GET /users/{id}", site.Handler(h.userPage))
	mux.HandleFunc("POST /users/{id}/grants", site.Handler(h.grantForm))
	mux.HandleFunc("POST /users/{id}/grants/{gid}/revoke", site.Handler(h.revokeGrantForm))
	mux.HandleFunc("POST /users/{id}/password", site.Handler(h.resetPasswordForm))

	api.Handle("POST", "/session", platform.Op{Summary: "Log in and receive a session cookie", Tag: "identity", Public: true,
		Request: loginRequest{}, Response: meResponse{}}, h.apiLogin)
	api.Handle("GET", "/me", platform.Op{Summary: "The authenticated user, their organisation and grants", Tag: "identity",
		Response: meResponse{}}, h.apiMe)
	api.Handle("GET", "/me/tokens", platform.Op{Summary: "List my API tokens", Tag: "identity", Response: []identity.Token{}}, h.apiTokens)
	api.Handle("POST", "/me/tokens", platform.Op{Summary: "Create an API token (the secret is shown once)", Tag: "identity",
		Request: tokenRequest{}, Response: tokenResponse{}, Status: http.StatusCreated}, h.apiCreateToken)
	api.Handle("DELETE", "/me/tokens/{id}", platform.Op{Summary: "Revoke one of my API tokens", Tag: "identity", Status: http.StatusNoContent}, h.apiRevokeToken)
	api.Handle("GET", "/users", platform.Op{Summary: "List users in my administration scope", Tag: "identity",
		Response: platform.PageResult[identity.User]{}, Query: map[string]string{"q": "search words", "cursor": "page cursor", "limit": "page size"}}, h.apiUsers)
	api.Handle("POST", "/users", platform.Op{Summary: "Create a user in an organisation I administer", Tag: "identity",
		Request: identity.UserInput{}, Response: identity.User{}, Status: http.StatusCreated}, h.apiCreateUser)
	api.Handle("GET", "/users/{id}", platform.Op{Summary: "One user", Tag: "identity", Response: identity.User{}}, h.apiUser)
	api.Handle("POST", "/users/{id}/grants", platform.Op{Summary: "Grant a role on an organisation subtree", Tag: "identity",
		Request: grantRequest{}, Response: identity.User{}, Status: http.StatusCreated}, h.apiGrant)
	api.Handle("DELETE", "/users/{id}/grants/{gid}", platform.Op{Summary: "Revoke a grant", Tag: "identity", Status: http.StatusNoContent}, h.apiRevokeGrant)
	return nil
}

// --- authorisation helpers (decisions themselves are in identity.Principal.Allowed) ---

// canManageUser: the actor holds user.manage over the user's organisation.
func (h *handlers) canManageUser(ctx context.Context, p *identity.Principal, u identity.User) error {
	path, err := h.dir.OrgPath(ctx, u.OrgID)
	if err != nil {
		return err
	}
	if !p.Allowed(identity.PermUserManage, path) {
		return platform.NotFound("user") // do not reveal users outside the scope
	}
	return nil
}

// canGrant: the actor administers the grant's organisation, and only a
// platform administrator hands out national roles. Each refusal names the
// field it concerns (role or org_id), so the pages show it beside that field
// and the API's problem carries it. A refusal of rights comes alone; the
// mistakes of the input (no role or an unknown one, an organisation that
// does not exist) are reported together.
func (h *handlers) canGrant(ctx context.Context, p *identity.Principal, role identity.Role, orgID int64) error {
	var v platform.Validation
	if role == "" {
		v.Add("role", "invalid_role", "choose the role to grant")
	} else {
		v.Check(role.Valid(), "role", "invalid_role", "unknown role %q", role)
	}
	if err := v.Merge(h.canCreateIn(ctx, p, orgID)); err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return err
	}
	if (role == identity.RolePlatformAdmin || role == identity.RoleMICAppraiser) && !p.IsPlatformAdmin() {
		return &platform.Error{Class: platform.EForbidden, Code: "forbidden_role", Field: "role",
			Message: "only a platform administrator can grant this role"}
	}
	return nil
}

// canCreateIn: the actor administers the users of the organisation.
func (h *handlers) canCreateIn(ctx context.Context, p *identity.Principal, orgID int64) error {
	path, err := h.dir.OrgPath(ctx, orgID)
	if platform.ErrorClass(err) == platform.ENotFound {
		return platform.FieldError("org_id", "unknown_org", "organisation %d does not exist", orgID)
	}
	if err != nil {
		return err
	}
	if !p.Allowed(identity.PermUserManage, path) {
		return &platform.Error{Class: platform.EForbidden, Code: "forbidden", Field: "org_id",
			Message: "you do not administer the users of this organisation"}
	}
	return nil
}

// checkNewUser checks a new user in (trimming it in place), with role to
// grant on its organisation unless role is empty, before anything is
// written. A refusal of rights comes alone (the organisation's, then the
// role's); the mistakes of the input, an unknown role or organisation and
// a username already taken among them, are reported together.
func (h *handlers) checkNewUser(ctx context.Context, p *identity.Principal, in *identity.UserInput, role identity.Role) error {
	var v platform.Validation
	if err := v.Merge(h.canCreateIn(ctx, p, in.OrgID)); err != nil {
		return err
	}
	if role != "" {
		if err := v.Merge(h.canGrant(ctx, p, role, in.OrgID)); err != nil {
			return err
		}
	}
	if err := v.Merge(h.ids.CheckNewUser(ctx, in)); err != nil {
		return err
	}
	return v.Err()
}

// formErrors places each mistake beside the form field it concerns, and a
// refusal of rights that names a field beside that field (status 403 then,
// as the API answers). Other errors go to the error page.
func formErrors(err error) (map[string]string, int, error) {
	e := platform.AsError(err)
	switch {
	case e.Class == platform.EForbidden && e.Field != "":
		return map[string]string{e.Field: e.Message}, http.StatusForbidden, nil
	case e.Class == platform.EInvalid:
		fe, _ := web.FormErrors(e)
		return fe, http.StatusUnprocessableEntity, nil
	}
	return nil, 0, err
}

func setSessionCookie(w http.ResponseWriter, site *web.Site, id string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: identity.SessionCookie, Value: id, Path: "/", HttpOnly: true,
		Secure: site.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: int(ttl.Seconds())})
}

func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" {
		return "/"
	}
	return next
}
