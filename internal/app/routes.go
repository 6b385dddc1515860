package app

import (
	"net/http"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/dbi"
	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/identity/identityweb"
	"github.com/govdx/govdx/internal/opendata"
	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharelog/logweb"
	"github.com/govdx/govdx/internal/sharing"
	"github.com/govdx/govdx/internal/syncshare"
	"github.com/govdx/govdx/internal/web"
)

// routes builds the handler tree. Every feature registers its pages on the
// site and mux and its JSON operations on the API (which documents them).
func (a *App) routes() error {
	mux := http.NewServeMux()
	observe, metrics := a.newMetrics()
	a.API = platform.NewAPI(mux, "/api/v1", "govdx API", a.cfg.Version)

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		platform.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /api/v1/openapi.json", a.API.ServeOpenAPI)
	mux.HandleFunc("GET /static/", a.Site.ServeStatic)
	mux.HandleFunc("GET /lang", a.Site.SetLang)
	// Unknown API paths answer problem+json, not an HTML page.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		platform.WriteProblem(w, r, platform.NotFound("API route"))
	})

	if err := identityweb.Register(mux, a.Site, a.API, a.Identity, a.Directory); err != nil {
		return err
	}
	if err := directory.Register(mux, a.Site, a.API, a.Directory); err != nil {
		return err
	}
	if err := catalog.Register(mux, a.Site, a.API, a.Catalog, a.Directory); err != nil {
		return err
	}
	if err := sharing.Register(mux, a.Site, a.API, a.Sharing); err != nil {
		return err
	}
	if err := syncshare.Register(mux, a.Site, a.API, a.Sync); err != nil {
		return err
	}
	// Open data also serves the CKAN action API (/api/3/action/) and the
	// DCAT catalog (/catalog.jsonld, /catalog.ttl) on the mux directly.
	if err := opendata.Register(mux, a.Site, a.API, a.OpenData, a.Directory, a.Identity); err != nil {
		return err
	}
	if err := dbi.Register(mux, a.Site, a.API, a.DBI); err != nil {
		return err
	}
	if err := oversight.Register(mux, a.Site, a.API, a.Oversight); err != nil {
		return err
	}
	if err := logweb.Register(mux, a.Site, a.API, a.DB, a.Directory, logServices{db: a.DB, catalog: a.Catalog}, a.Exports); err != nil {
		return err
	}
	a.Exports.Register(mux, a.Site)
	if err := a.registerHome(mux); err != nil {
		return err
	}

	// Cross-origin unsafe requests from browsers are refused before any
	// handler runs (Fetch metadata), on top of per-form CSRF tokens.
	cop := http.NewCrossOriginProtection()
	var h http.Handler = mux
	h = apiCSRF(h)
	h = a.Identity.Authenticate(h)
	h = cop.Handler(h)
	a.handler = platform.AccessLog(a.cfg.Logger, observe, h)
	return nil
}

// apiCSRF requires the session's CSRF token on unsafe API calls made with a
// session cookie (browsers); token-authenticated calls are exempt.
func apiCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := identity.FromContext(r.Context())
		if len(r.URL.Path) > 5 && r.URL.Path[:5] == "/api/" && p != nil && p.Via == "session" && !identity.CheckCSRF(r, p) {
			platform.WriteProblem(w, r, platform.Errorf(platform.EForbidden, "csrf", "missing or wrong X-CSRF-Token header"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	if err := a.DB.Read.PingContext(r.Context()); err != nil || !a.ready {
		platform.WriteProblem(w, r, platform.Errorf(platform.EUnavailable, "not_ready", "not ready"))
		return
	}
	platform.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

var _ = web.RequireLogin
