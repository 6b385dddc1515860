package identityweb

import (
	"net/http"
	"strconv"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type meResponse struct {
	User identity.User `json:"user"`
	// CSRFToken must be sent as X-CSRF-Token on unsafe calls that use the session cookie.
	CSRFToken string `json:"csrf_token,omitempty"`
}

type tokenRequest struct {
	Name          string `json:"name"`
	ExpiresInDays int    `json:"expires_in_days"`
}

type tokenResponse struct {
	Token identity.Token `json:"token"`
	// Secret is shown once; only its hash is stored.
	Secret string `json:"secret"`
}

type grantRequest struct {
	Role  identity.Role `json:"role"`
	OrgID int64         `json:"org_id"`
}

func (h *handlers) apiLogin(w http.ResponseWriter, r *http.Request) error {
	var in loginRequest
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	sid, p, err := h.ids.Login(r.Context(), in.Username, in.Password, identity.ClientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	u, err := h.ids.User(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	setSessionCookie(w, h.site, sid, h.ids.SessionTTL)
	platform.WriteJSON(w, http.StatusOK, meResponse{User: u, CSRFToken: p.CSRF})
	return nil
}

func (h *handlers) apiMe(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	u, err := h.ids.User(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, meResponse{User: u, CSRFToken: p.CSRF})
	return nil
}

func (h *handlers) apiTokens(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	toks, err := h.ids.Tokens(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, toks)
	return nil
}

func (h *handlers) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	var in tokenRequest
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	var v platform.Validation
	v.Check(in.ExpiresInDays >= 0 && in.ExpiresInDays <= 732, "expires_in_days", "invalid_ttl", "expires_in_days must be between 0 (never) and 732")
	_ = v.Merge(identity.CheckToken(in.Name, time.Duration(in.ExpiresInDays)*24*time.Hour))
	if err := v.Err(); err != nil {
		return err
	}
	secret, t, err := h.ids.CreateToken(r.Context(), p.UserID, in.Name, time.Duration(in.ExpiresInDays)*24*time.Hour)
	if err != nil {
		return err
	}
	_ = h.ids.Audit(r.Context(), p, "token.create", "user:"+strconv.FormatInt(p.UserID, 10), in.Name)
	platform.WriteJSON(w, http.StatusCreated, tokenResponse{Token: t, Secret: secret})
	return nil
}

func (h *handlers) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
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
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiUsers(w http.ResponseWriter, r *http.Request) error {
	p, page, err := identity.RequireAPIPaged(r)
	if err != nil {
		return err
	}
	res, err := h.ids.ListUsers(r.Context(), identity.UserFilter{Query: r.URL.Query().Get("q"), Under: p.Scope(identity.PermUserManage), Page: page})
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiCreateUser(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	var in identity.UserInput
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.checkNewUser(r.Context(), p, &in, ""); err != nil {
		return err
	}
	u, err := h.ids.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	_ = h.ids.Audit(r.Context(), p, "user.create", "user:"+strconv.FormatInt(u.ID, 10), u.Username)
	platform.WriteJSON(w, http.StatusCreated, u)
	return nil
}

func (h *handlers) apiUser(w http.ResponseWriter, r *http.Request) error {
	_, u, err := h.loadManagedUser(r)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, u)
	return nil
}

func (h *handlers) apiGrant(w http.ResponseWriter, r *http.Request) error {
	p, u, err := h.loadManagedUser(r)
	if err != nil {
		return err
	}
	var in grantRequest
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.canGrant(r.Context(), p, in.Role, in.OrgID); err != nil {
		return err
	}
	if err := h.ids.GrantRole(r.Context(), u.ID, in.Role, in.OrgID, p.UserID); err != nil {
		return err
	}
	_ = h.ids.Audit(r.Context(), p, "grant.add", "user:"+strconv.FormatInt(u.ID, 10), string(in.Role))
	u, err = h.ids.User(r.Context(), u.ID)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusCreated, u)
	return nil
}

func (h *handlers) apiRevokeGrant(w http.ResponseWriter, r *http.Request) error {
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
	w.WriteHeader(http.StatusNoContent)
	return nil
}
