package opendata

import (
	"context"
	"embed"
	"io/fs"
	"net/http"
	"strings"
	"testing/fstest"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed static
var staticFS embed.FS

type handlers struct {
	site   *web.Site
	store  *Store
	dir    *directory.Store
	ids    *identity.Store // for the audit trail; may be nil
	assets *web.Assets
}

// Register adds the open data portal: public pages under /opendata, the
// publisher pages under /opendata/manage, the JSON API under /api/v1/opendata,
// the CKAN action API under /api/3/action and the DCAT catalog at
// /catalog.jsonld, /catalog.ttl and /dataset/{name}.jsonld|.ttl.
func Register(mux *http.ServeMux, site *web.Site, api *platform.API, store *Store, dir *directory.Store, ids *identity.Store) error {
	assets, err := web.LoadAssets(staticFS, "static", "/opendata/static/")
	if err != nil {
		return err
	}
	h := &handlers{site: site, store: store, dir: dir, ids: ids, assets: assets}
	pages, err := h.templates()
	if err != nil {
		return err
	}
	if err := site.AddPages("opendata", pages); err != nil {
		return err
	}
	site.AddFeatureMessages("opendata", messages)
	site.AddNav(web.NavItem{Href: "/opendata", Label: "Open data", Feature: "opendata", Order: 40})

	// Public portal: no account needed to browse, search, download (D47-17.1đ).
	mux.HandleFunc("GET /opendata/static/{file}", h.serveAsset)
	mux.HandleFunc("GET /opendata", site.Handler(h.indexPage))
	mux.HandleFunc("GET /opendata/{$}", site.Handler(h.indexPage))
	mux.HandleFunc("GET /opendata/datasets/{name}", site.Handler(h.datasetPage))
	mux.HandleFunc("GET /opendata/datasets/{name}/resources/{rid}", site.Handler(h.resourcePage))
	mux.HandleFunc("GET /opendata/datasets/{name}/resources/{rid}/download", site.Handler(h.download))
	mux.HandleFunc("GET /opendata/datasets/{name}/resources/{rid}/v/{version}", site.Handler(h.downloadVersion))
	mux.HandleFunc("POST /opendata/datasets/{name}/feedback", site.Handler(h.feedbackForm))
	mux.HandleFunc("GET /opendata/requests", site.Handler(h.requestsPage))
	mux.HandleFunc("POST /opendata/requests", site.Handler(h.requestForm))
	mux.HandleFunc("POST /opendata/requests/{id}/vote", site.Handler(h.voteForm))
	mux.HandleFunc("GET /opendata/organizations", site.Handler(h.publishersPage))
	mux.HandleFunc("GET /opendata/organizations/{name}", site.Handler(h.publisherPage))
	mux.HandleFunc("GET /opendata/licence", site.Handler(h.licencePage))
	mux.HandleFunc("GET /opendata/developers", site.Handler(h.developersPage))
	mux.HandleFunc("GET /opendata/export.csv", site.Handler(h.exportCSV))
	mux.HandleFunc("GET /opendata/export.xlsx", site.Handler(h.exportXLSX))

	// DCAT catalog (ckanext-dcat's URLs).
	mux.HandleFunc("GET /catalog.jsonld", h.catalog("jsonld"))
	mux.HandleFunc("GET /catalog.ttl", h.catalog("ttl"))
	mux.HandleFunc("GET /dataset/{file}", h.datasetRDF)

	// CKAN action API (a CKAN client works unchanged for these calls).
	mux.HandleFunc("/api/3/action/{action}", h.ckan)
	mux.HandleFunc("/api/action/{action}", h.ckan)
	mux.HandleFunc("GET /api/3", func(w http.ResponseWriter, r *http.Request) {
		platform.WriteJSON(w, http.StatusOK, map[string]int{"version": 3})
	})

	// Publisher pages (PermOpenDataPublish on the dataset's organisation).
	mux.HandleFunc("GET /opendata/manage", site.Handler(h.managePage))
	mux.HandleFunc("GET /opendata/manage/datasets/new", site.Handler(h.newDatasetPage))
	mux.HandleFunc("POST /opendata/manage/datasets", site.Handler(h.createDatasetForm))
	mux.HandleFunc("GET /opendata/manage/datasets/{id}", site.Handler(h.manageDatasetPage))
	mux.HandleFunc("POST /opendata/manage/datasets/{id}", site.Handler(h.updateDatasetForm))
	mux.HandleFunc("POST /opendata/manage/datasets/{id}/publish", site.Handler(h.publishForm))
	mux.HandleFunc("POST /opendata/manage/datasets/{id}/withdraw", site.Handler(h.withdrawForm))
	mux.HandleFunc("POST /opendata/manage/datasets/{id}/delete", site.Handler(h.deleteDatasetForm))
	// Uploads stream: the CSRF token is checked from the header or the first
	// form field before the file is read (site.Handler would buffer the body).
	mux.HandleFunc("POST /opendata/manage/datasets/{id}/upload", h.uploadPage)
	mux.HandleFunc("POST /opendata/manage/datasets/{id}/links", site.Handler(h.linkForm))
	mux.HandleFunc("POST /opendata/manage/resources/{rid}/confirm", site.Handler(h.confirmForm))
	mux.HandleFunc("POST /opendata/manage/resources/{rid}/discard", site.Handler(h.discardForm))
	mux.HandleFunc("POST /opendata/manage/resources/{rid}/delete", site.Handler(h.deleteResourceForm))
	mux.HandleFunc("GET /opendata/manage/plan", site.Handler(h.planPage))
	mux.HandleFunc("POST /opendata/manage/plan/phases", site.Handler(h.addPhaseForm))
	mux.HandleFunc("POST /opendata/manage/plan/phases/{pid}/delete", site.Handler(h.deletePhaseForm))
	mux.HandleFunc("POST /opendata/manage/plan/items", site.Handler(h.addItemForm))
	mux.HandleFunc("POST /opendata/manage/plan/items/{iid}/delete", site.Handler(h.deleteItemForm))
	mux.HandleFunc("POST /opendata/manage/plan/reviews", site.Handler(h.addReviewForm))
	mux.HandleFunc("GET /opendata/manage/feedback", site.Handler(h.manageFeedbackPage))
	mux.HandleFunc("POST /opendata/manage/feedback/{fid}", site.Handler(h.respondFeedbackForm))
	mux.HandleFunc("POST /opendata/manage/requests/{qid}", site.Handler(h.respondRequestForm))

	h.registerAPI(api)
	return nil
}

// templates is the page templates plus a generated partial naming the
// content-hashed asset URLs (the layout's helpers only know its own assets).
func (h *handlers) templates() (fs.FS, error) {
	out := fstest.MapFS{}
	err := fs.WalkDir(templatesFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templatesFS, p)
		if err != nil {
			return err
		}
		out[strings.TrimPrefix(p, "templates/")] = &fstest.MapFile{Data: b}
		return nil
	})
	assets := `{{define "od-assets"}}<link rel="stylesheet" href="` + h.assets.URL("opendata.css") + `">{{end}}` +
		`{{define "od-upload-js"}}<script src="` + h.assets.URL("upload.js") + `" defer></script>{{end}}`
	out["_assets.html"] = &fstest.MapFile{Data: []byte(assets)}
	return out, err
}

func (h *handlers) serveAsset(w http.ResponseWriter, r *http.Request) {
	h.assets.Serve(w, r, r.PathValue("file"))
}

// baseURL is the site's address as the client sees it, for absolute links
// in the CKAN API and the DCAT catalog.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func downloadURL(base string, d Dataset, r Resource) string {
	return base + "/opendata/datasets/" + d.Name + "/resources/" + r.UID + "/download"
}

// canPublish: the principal holds opendata.publish over the organisation.
func canPublish(p *identity.Principal, orgPath string) bool {
	return p.Allowed(identity.PermOpenDataPublish, orgPath)
}

// managedDataset loads a dataset the principal may manage; others answer
// 404 so their existence is not revealed.
func (h *handlers) managedDataset(ctx context.Context, p *identity.Principal, id int64) (Dataset, error) {
	d, err := h.store.Dataset(ctx, id)
	if err != nil {
		return Dataset{}, err
	}
	if !canPublish(p, d.OrgPath) {
		return Dataset{}, platform.NotFound("dataset")
	}
	return d, nil
}

func (h *handlers) managedResource(ctx context.Context, p *identity.Principal, id int64) (Resource, Dataset, error) {
	r, d, err := h.store.Resource(ctx, id)
	if err != nil {
		return r, d, err
	}
	if !canPublish(p, d.OrgPath) {
		return Resource{}, Dataset{}, platform.NotFound("resource")
	}
	return r, d, nil
}

// checkOrgAllowed verifies the principal may publish for an organisation.
func (h *handlers) checkOrgAllowed(ctx context.Context, p *identity.Principal, orgID int64) error {
	path, err := h.dir.OrgPath(ctx, orgID)
	if err != nil {
		return platform.FieldError("org_id", "unknown_org", "organisation %d does not exist", orgID)
	}
	if !canPublish(p, path) {
		return platform.Forbidden()
	}
	return nil
}

// publisherOrgs lists the organisations where p may publish (for select boxes).
func (h *handlers) publisherOrgs(ctx context.Context, p *identity.Principal) ([]directory.Org, error) {
	scope := p.Scope(identity.PermOpenDataPublish)
	if scope != nil && len(scope) == 0 {
		return nil, nil
	}
	res, err := h.dir.ListOrgs(ctx, directory.OrgFilter{Under: scope, Page: platform.Page{Limit: platform.MaxPageSize}})
	return res.Items, err
}

func (h *handlers) audit(ctx context.Context, p *identity.Principal, action, object, detail string) {
	if h.ids != nil && p != nil {
		_ = h.ids.Audit(ctx, p, action, object, detail)
	}
}

func isPublisher(p *identity.Principal) bool {
	if p == nil {
		return false
	}
	s := p.Scope(identity.PermOpenDataPublish)
	return s == nil || len(s) > 0
}
