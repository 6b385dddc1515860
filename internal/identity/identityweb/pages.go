package identityweb

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

func (h *handlers) loginPage(w http.ResponseWriter, r *http.Request) error {
	v := h.site.NewView(w, r, map[string]any{"Next": safeNext(r.URL.Query().Get("next"))})
	h.site.Render(w, r, http.StatusOK, "identity/login.html", v)
	return nil
}

func (h *handlers) login(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.PostFormValue("next"))
	sid, _, err := h.ids.Login(r.Context(), r.PostFormValue("username"), r.PostFormValue("password"), identity.ClientIP(r), r.UserAgent())
	if err != nil {
		e := platform.AsError(err)
		if e.Class == platform.EInternal {
			return err
		}
		v := h.site.NewView(w, r, map[string]any{"Next": next})
		v.Errors = map[string]string{"_form": e.Message}
		v.Form = url.Values{"username": {r.PostFormValue("username")}}
		h.site.Render(w, r, platform.StatusOf(e.Class), "identity/login.html", v)
		return nil
	}
	setSessionCookie(w, h.site, sid, h.ids.SessionTTL)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (h *handlers) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(identity.SessionCookie); err == nil {
		if err := h.ids.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	setSessionCookie(w, h.site, "", -time.Second)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

type accountData struct {
	User      identity.User
	Tokens    []identity.Token
	NewSecret string
}

func (h *handlers) accountPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderAccount(w, r, "", nil)
}

func (h *handlers) renderAccount(w http.ResponseWriter, r *http.Request, secret string, formErr map[string]string) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	u, err := h.ids.User(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	toks, err := h.ids.Tokens(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	v := h.site.NewView(w, r, accountData{User: u, Tokens: toks, NewSecret: secret})
	v.Errors = formErr
	if formErr != nil {
		v.Form = r.PostForm // keep what was typed beside its error
	}
	status := http.StatusOK
	if formErr != nil {
		status = http.StatusUnprocessableEntity
	}
	h.site.Render(w, r, status, "identity/account.html", v)
	return nil
}

func (h *handlers) createTokenForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	// Both fields are checked together; days that are not a whole number
	// are a mistake rather than "never".
	var v platform.Validation
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	v.Check(err == nil && days >= 0 && days <= 732, "expires_in_days", "invalid_ttl", "the days must be a whole number from 0 (never) to 732")
	ttl := time.Duration(days) * 24 * time.Hour
	_ = v.Merge(identity.CheckToken(r.PostFormValue("name"), ttl))
	err = v.Err()
	var secret string
	if err == nil {
		secret, _, err = h.ids.CreateToken(r.Context(), p.UserID, r.PostFormValue("name"), ttl)
	}
	if err != nil {
		fe, err := web.FormErrors(err)
		if err != nil {
			return err
		}
		return h.renderAccount(w, r, "", fe)
	}
	_ = h.ids.Audit(r.Context(), p, "token.create", "user:"+strconv.FormatInt(p.UserID, 10), r.PostFormValue("name"))
	return h.renderAccount(w, r, secret, nil)
}

func (h *handlers) revokeTokenForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	id, err := platform.PathID(r, "id", "id")
	if err != nil {
		return err
	}
	if err := h.ids.RevokeToken(r.Context(), p.UserID, id); err != nil {
		return err
	}
	web.Redirect(w, r, "/account", "Token revoked.")
	return nil
}

type usersData struct {
	Users platform.PageResult[identity.User]
	Q     string
}

func (h *handlers) usersPage(w http.ResponseWriter, r *http.Request) error {
	p, page, err := web.RequireLoginPaged(r)
	if err != nil {
		return err
	}
	scope := p.Scope(identity.PermUserManage)
	if scope != nil && len(scope) == 0 {
		return platform.Forbidden() // administers no organisation's users (the menu hides the page too)
	}
	q := r.URL.Query().Get("q")
	res, err := h.ids.ListUsers(r.Context(), identity.UserFilter{Query: q, Under: scope, Page: page})
	if err != nil {
		return err
	}
	h.site.Page(w, r, "identity/users.html", usersData{Users: res, Q: q})
	return nil
}

type userFormData struct {
	Orgs  []directory.Org
	Roles any
}

// grantableRoles lists the roles p may hand out: national roles only for a
// platform administrator (as canGrant checks).
func grantableRoles(p *identity.Principal) any {
	out := identity.Roles[:0:0]
	for _, x := range identity.Roles {
		if (x.Role == identity.RolePlatformAdmin || x.Role == identity.RoleMICAppraiser) && !p.IsPlatformAdmin() {
			continue
		}
		out = append(out, x)
	}
	return out
}

// adminOrgs lists the organisations where p may create users (bounded for a select box).
func (h *handlers) adminOrgs(r *http.Request, p *identity.Principal) ([]directory.Org, error) {
	res, err := h.dir.ListOrgs(r.Context(), directory.OrgFilter{Under: p.Scope(identity.PermUserManage), Page: platform.Page{Limit: platform.MaxPageSize}})
	return res.Items, err
}

func (h *handlers) newUserPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	orgs, err := h.adminOrgs(r, p)
	if err != nil {
		return err
	}
	if len(orgs) == 0 {
		return platform.Forbidden()
	}
	h.site.Page(w, r, "identity/user_new.html", userFormData{Orgs: orgs, Roles: grantableRoles(p)})
	return nil
}

func (h *handlers) createUserForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	orgID, _ := strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	in := identity.UserInput{OrgID: orgID, Username: r.PostFormValue("username"), FullName: r.PostFormValue("full_name"),
		Email: r.PostFormValue("email"), Phone: r.PostFormValue("phone"), Password: r.PostFormValue("password"), Lang: r.PostFormValue("lang")}
	role := identity.Role(r.PostFormValue("role"))
	// The role is checked with the rest before the user is created, so
	// that a refused role leaves no user behind the redisplayed form.
	err = h.checkNewUser(r.Context(), p, &in, role)
	var u identity.User
	if err == nil {
		u, err = h.ids.CreateUser(r.Context(), in)
	}
	if err == nil && role != "" {
		err = h.ids.GrantRole(r.Context(), u.ID, role, orgID, p.UserID)
	}
	if err != nil {
		fe, status, err := formErrors(err)
		if err != nil {
			return err
		}
		orgs, oerr := h.adminOrgs(r, p)
		if oerr != nil {
			return oerr
		}
		v := h.site.NewView(w, r, userFormData{Orgs: orgs, Roles: grantableRoles(p)})
		v.Errors, v.Form = fe, r.PostForm
		v.Form.Del("password")
		h.site.Render(w, r, status, "identity/user_new.html", v)
		return nil
	}
	_ = h.ids.Audit(r.Context(), p, "user.create", "user:"+strconv.FormatInt(u.ID, 10), u.Username)
	web.Redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10), "User created.")
	return nil
}

type userData struct {
	User  identity.User
	Orgs  []directory.Org
	Roles any
	// Revocable holds the IDs of the grants the viewer may revoke.
	Revocable map[int64]bool
}

func (h *handlers) userData(r *http.Request, p *identity.Principal, u identity.User) (userData, error) {
	orgs, err := h.adminOrgs(r, p)
	if err != nil {
		return userData{}, err
	}
	d := userData{User: u, Orgs: orgs, Roles: grantableRoles(p), Revocable: map[int64]bool{}}
	for _, g := range u.Grants {
		d.Revocable[g.ID] = h.canGrant(r.Context(), p, g.Role, g.OrgID) == nil
	}
	return d, nil
}

func (h *handlers) loadManagedUser(r *http.Request) (*identity.Principal, identity.User, error) {
	p, err := web.RequireLogin(r)
	if err != nil {
		return nil, identity.User{}, err
	}
	id, err := platform.PathID(r, "id", "id")
	if err != nil {
		return nil, identity.User{}, err
	}
	u, err := h.ids.User(r.Context(), id)
	if err != nil {
		return nil, identity.User{}, err
	}
	return p, u, h.canManageUser(r.Context(), p, u)
}

func (h *handlers) userPage(w http.ResponseWriter, r *http.Request) error {
	p, u, err := h.loadManagedUser(r)
	if err != nil {
		return err
	}
	d, err := h.userData(r, p, u)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "identity/user.html", d)
	return nil
}

func (h *handlers) grantForm(w http.ResponseWriter, r *http.Request) error {
	p, u, err := h.loadManagedUser(r)
	if err != nil {
		return err
	}
	orgID, _ := strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	role := identity.Role(r.PostFormValue("role"))
	err = h.canGrant(r.Context(), p, role, orgID)
	if err == nil {
		err = h.ids.GrantRole(r.Context(), u.ID, role, orgID, p.UserID)
	}
	if err != nil {
		// A refused grant redisplays the user page with the choices kept
		// and the reason beside the field it concerns.
		fe, status, err := formErrors(err)
		if err != nil {
			return err
		}
		d, err := h.userData(r, p, u)
		if err != nil {
			return err
		}
		v := h.site.NewView(w, r, d)
		v.Errors, v.Form = fe, r.PostForm
		h.site.Render(w, r, status, "identity/user.html", v)
		return nil
	}
	_ = h.ids.Audit(r.Context(), p, "grant.add", "user:"+strconv.FormatInt(u.ID, 10), string(role)+"@"+strconv.FormatInt(orgID, 10))
	web.Redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10), "Role granted.")
	return nil
}

func (h *handlers) revokeGrantForm(w http.ResponseWriter, r *http.Request) error {
	p, u, err := h.loadManagedUser(r)
	if err != nil {
		return err
	}
	gid, err := platform.PathID(r, "gid", "gid")
	if err != nil {
		return err
	}
	if err := h.revokeGrant(r, p, u, gid); err != nil {
		return err
	}
	web.Redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10), "Role revoked.")
	return nil
}

func (h *handlers) revokeGrant(r *http.Request, p *identity.Principal, u identity.User, gid int64) error {
	for _, g := range u.Grants {
		if g.ID == gid {
			if err := h.canGrant(r.Context(), p, g.Role, g.OrgID); err != nil {
				return err
			}
			if err := h.ids.RevokeGrant(r.Context(), u.ID, gid); err != nil {
				return err
			}
			return h.ids.Audit(r.Context(), p, "grant.revoke", "user:"+strconv.FormatInt(u.ID, 10), string(g.Role))
		}
	}
	return platform.NotFound("grant")
}

func (h *handlers) resetPasswordForm(w http.ResponseWriter, r *http.Request) error {
	p, u, err := h.loadManagedUser(r)
	if err != nil {
		return err
	}
	if err := h.ids.SetPassword(r.Context(), u.Username, r.PostFormValue("password")); err != nil {
		fe, err := web.FormErrors(err)
		if err != nil {
			return err
		}
		d, derr := h.userData(r, p, u)
		if derr != nil {
			return derr
		}
		v := h.site.NewView(w, r, d)
		v.Errors = fe
		h.site.Render(w, r, http.StatusUnprocessableEntity, "identity/user.html", v)
		return nil
	}
	_ = h.ids.Audit(r.Context(), p, "user.password_reset", "user:"+strconv.FormatInt(u.ID, 10), "")
	web.Redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10), "Password changed.")
	return nil
}
