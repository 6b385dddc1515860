package dbi

import (
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

//go:embed static
var staticFS embed.FS

// handlers serves the DBI pages and API.
type handlers struct {
	site   *web.Site
	store  *Store
	static *web.Assets
	assets assets
}

// assets are the content-hashed URLs of the DBI stylesheet and script.
type assets struct {
	CSS, JS string
}

// Register adds the DBI pages (under /dbi), its static files (/dbi/static/)
// and its API operations (under /api/v1/dbi).
func Register(mux *http.ServeMux, site *web.Site, api *platform.API, store *Store) error {
	sub, _ := fs.Sub(templatesFS, "templates")
	if err := site.AddPages("dbi", sub); err != nil {
		return err
	}
	site.AddFeatureMessages("dbi", messages)
	site.AddFeatureMessages("dbi", labelMessages())
	site.AddNav(web.NavItem{Href: "/dbi", Label: "DBI", Feature: "dbi", Order: 60})
	static, err := web.LoadAssets(staticFS, "static", "/dbi/static/")
	if err != nil {
		return err
	}
	h := &handlers{site: site, store: store, static: static, assets: assets{CSS: static.URL("dbi.css"), JS: static.URL("dbi.js")}}
	mux.HandleFunc("GET /dbi/static/{file}", h.serveStatic)
	h.pages(mux)
	h.api(api)
	return nil
}

func (h *handlers) serveStatic(w http.ResponseWriter, r *http.Request) {
	h.static.Serve(w, r, r.PathValue("file"))
}

// principal is the caller, nil when anonymous.
func principal(r *http.Request) *identity.Principal { return identity.FromContext(r.Context()) }

// verifyURL is the public verification address of a certificate, as seen by
// the requester (printed on the PDF).
func verifyURL(r *http.Request, code string) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/dbi/verify/" + url.PathEscape(code)
}

// atoi reads an optional integer form or query value (0 when empty or bad).
func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}
