package identity

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/govdx/govdx/internal/platform"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "govdx_session"

// Authenticate resolves the caller from a bearer token or the session cookie
// and stores the principal in the request context. Anonymous requests pass
// through with no principal; handlers decide. A bad bearer token is refused
// at once so automation sees its mistake.
func (s *Store) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				platform.WriteProblem(w, r, platform.Errorf(platform.EUnauthorized, "invalid_token", "use Authorization: Bearer <token>"))
				return
			}
			p, err := s.TokenPrincipal(ctx, strings.TrimSpace(tok))
			if err != nil {
				platform.WriteProblem(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(ctx, p)))
			return
		}
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			if p, err := s.SessionPrincipal(ctx, c.Value); err == nil {
				ctx = WithPrincipal(ctx, p)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// CheckCSRF verifies the token of a cookie-authenticated unsafe request:
// the form field "_csrf" or the header "X-CSRF-Token" must equal the
// session's token. Token-authenticated requests carry no ambient credential
// and need none.
func CheckCSRF(r *http.Request, p *Principal) bool {
	if p == nil || p.Via != "session" {
		return true
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("_csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRF)) == 1
}

// ClientIP returns the client address (the proxy's, unless trusted headers
// are configured upstream).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// RequireAPI returns the caller of an API request, or the 401 problem when
// the request carries no valid credential.
func RequireAPI(r *http.Request) (*Principal, error) {
	p := FromContext(r.Context())
	if p == nil {
		return nil, platform.Errorf(platform.EUnauthorized, "unauthenticated", "authentication required (Bearer token or session)")
	}
	return p, nil
}

// RequireAPIPaged is RequireAPI for a list: the caller, then the page the
// request's ?cursor= and ?limit= ask for (the 401 before their 400).
func RequireAPIPaged(r *http.Request) (*Principal, platform.Page, error) {
	return CallerAndPage(r, RequireAPI)
}

// CallerAndPage authenticates with auth (RequireAPI, or web.RequireLogin
// for pages), then reads the page of a list, so a missing login is
// reported before a malformed cursor.
func CallerAndPage(r *http.Request, auth func(*http.Request) (*Principal, error)) (*Principal, platform.Page, error) {
	p, err := auth(r)
	if err != nil {
		return nil, platform.Page{}, err
	}
	page, err := platform.PageFromRequest(r)
	if err != nil {
		return nil, platform.Page{}, err
	}
	return p, page, nil
}

// Create turns a store method that creates something for the caller from a
// JSON body into an API handler: authenticate, decode the input strictly,
// act, write the result with status.
func Create[In, Out any](status int, act func(ctx context.Context, p *Principal, in In) (Out, error)) platform.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := RequireAPI(r)
		if err != nil {
			return err
		}
		var in In
		if err := platform.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		out, err := act(r.Context(), p, in)
		return respond(w, status, out, err)
	}
}

// RecordOp turns a store method that reads or acts for the caller on one
// record (the {id} of the path, no body) into an API handler; kind names
// the record in the 404 of a malformed id.
func RecordOp[Out any](kind string, status int, act func(ctx context.Context, p *Principal, id int64) (Out, error)) platform.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, id, err := CallerAndID(r, RequireAPI, kind)
		if err != nil {
			return err
		}
		out, err := act(r.Context(), p, id)
		return respond(w, status, out, err)
	}
}

// RecordAction turns a store method that acts for the caller on one record
// (the {id} of the path, a JSON body) into an API handler: authenticate,
// read the id and the strictly decoded input, act, write the result with
// status. kind names the record in the 404 of a malformed id.
func RecordAction[In, Out any](kind string, status int, act func(ctx context.Context, p *Principal, id int64, in In) (Out, error)) platform.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, id, err := CallerAndID(r, RequireAPI, kind)
		if err != nil {
			return err
		}
		var in In
		if err := platform.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		out, err := act(r.Context(), p, id, in)
		return respond(w, status, out, err)
	}
}

// LoadedAction is RecordAction for a record that load reads from the path
// with the caller's rights: the record's 404 or 403 comes before a bad
// body's 400, which RecordAction (decoding first) would not keep.
func LoadedAction[Rec, In, Out any](status int, load func(*http.Request, *Principal) (Rec, error),
	act func(ctx context.Context, p *Principal, rec Rec, in In) (Out, error)) platform.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := RequireAPI(r)
		if err != nil {
			return err
		}
		rec, err := load(r, p)
		if err != nil {
			return err
		}
		var in In
		if err := platform.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		out, err := act(r.Context(), p, rec, in)
		return respond(w, status, out, err)
	}
}

// LoadedOp is LoadedAction without a body: load reads the record from the
// path with the caller's rights (404/403), then act changes it.
func LoadedOp[Rec, Out any](status int, load func(*http.Request, *Principal) (Rec, error),
	act func(ctx context.Context, p *Principal, rec Rec) (Out, error)) platform.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := RequireAPI(r)
		if err != nil {
			return err
		}
		rec, err := load(r, p)
		if err != nil {
			return err
		}
		out, err := act(r.Context(), p, rec)
		return respond(w, status, out, err)
	}
}

// CallerAndID authenticates with auth (RequireAPI, or web.RequireLogin
// for pages), then reads the {id} of the path, so a missing login is
// reported before a malformed id; kind names the record in the 404.
func CallerAndID(r *http.Request, auth func(*http.Request) (*Principal, error), kind string) (*Principal, int64, error) {
	p, err := auth(r)
	if err != nil {
		return nil, 0, err
	}
	id, err := platform.PathID(r, "id", kind)
	if err != nil {
		return nil, 0, err
	}
	return p, id, nil
}

// respond writes out with status, or returns err.
func respond[Out any](w http.ResponseWriter, status int, out Out, err error) error {
	if err != nil {
		return err
	}
	platform.WriteJSON(w, status, out)
	return nil
}
