package syncshare

import (
	"embed"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// maxPushBody bounds a JSON push (10,000 records of a few hundred bytes).
const maxPushBody = 32 << 20

// uploadTimeout lets a large upload outlast the server's ordinary timeouts.
const uploadTimeout = time.Hour

type handlers struct {
	site  *web.Site
	store *Store
}

// seesSync: providers' officers, overseers and account holders.
func seesSync(p *identity.Principal) bool {
	if p == nil {
		return false
	}
	if p.IsPlatformAdmin() {
		return true
	}
	for _, perm := range []identity.Permission{identity.PermCatalogManage, identity.PermAccountRead, identity.PermSharingOversee} {
		if len(p.Scope(perm)) > 0 {
			return true
		}
	}
	return false
}

// ListResponse wraps a list in the API.
type ListResponse[T any] struct {
	Items []T `json:"items"`
}

// PackagesResponse is a service's packages.
type PackagesResponse struct {
	Service  ServiceRef `json:"service"`
	Packages []Package  `json:"packages"`
}

// Register adds the pages and API operations of synchronised sharing and
// packages.
func Register(mux *http.ServeMux, site *web.Site, api *platform.API, s *Store) error {
	sub, _ := fs.Sub(templatesFS, "templates")
	if err := site.AddPages("syncshare", sub); err != nil {
		return err
	}
	site.AddFeatureMessages("syncshare", messages)
	site.AddNav(web.NavItem{Href: "/sync", Label: "Sync and packages", Feature: "syncshare", Order: 32, Show: seesSync})
	h := &handlers{site: site, store: s}
	mux.HandleFunc("GET /sync", site.Handler(h.indexPage))
	mux.HandleFunc("GET /sync/services/{ref}", site.Handler(h.servicePage))
	// Uploads stream the file: they check the CSRF field themselves
	// instead of letting the form parser buffer the whole body.
	mux.HandleFunc("POST /sync/services/{ref}/snapshot", h.snapshotForm)
	mux.HandleFunc("POST /sync/services/{ref}/packages", h.packageForm)

	ref := "service id or identifier"
	api.Handle("GET", "/sync", platform.Op{Summary: "Synchronised sharing and packages: the hosted services I provide or oversee, the synchronised copies I may see with their expiry (D47-41.2b), and the packages my accounts may download",
		Tag: "sync", Response: Overview{}}, h.apiOverview)
	api.Handle("GET", "/sync/copies", platform.Op{Summary: "The synchronised copies of my organisations' accounts: last successful synchronisation and when the copy expires (D47-41.2b)",
		Tag: "sync", Response: ListResponse[Copy]{}}, h.apiCopies)
	api.Handle("GET", "/sync/services/{ref}/feed", platform.Op{Summary: "The change feed of a sync service (D47-23.1b): head, rows, last push, consumers' copies; ref = " + ref,
		Tag: "sync", Response: FeedStatus{}}, h.apiFeed)
	api.Handle("POST", "/sync/services/{ref}/records", platform.Op{Summary: "Push changes into a sync service's feed: upserts and deletions by key, all or nothing (at most 10,000 records)",
		Tag: "sync", Request: PushInput{}, Response: PushResult{}}, h.apiPush)
	api.Handle("PUT", "/sync/services/{ref}/snapshot", platform.Op{Summary: "Replace a sync service's whole feed with a CSV, XLSX or JSON file (raw body); rows missing from the file become deletions; all or nothing",
		Tag: "sync", Response: PushResult{}, Query: map[string]string{"format": "csv | json | xlsx (default: recognised from the content)",
			"key_item": "data item keying the records (first upload only; default: the service's first item)"}}, h.apiSnapshot)
	api.Handle("GET", "/sync/services/{ref}/packages", platform.Op{Summary: "The packages of a package service (D47-23.1c) with their manifests and whether they expired (D47-41.2c)",
		Tag: "sync", Response: PackagesResponse{}}, h.apiPackages)
	api.Handle("POST", "/sync/services/{ref}/packages", platform.Op{Summary: "Build a package from a CSV, XLSX or JSON file (raw body): checked against the service's data items, written as CSV, JSON or XLSX with a manifest",
		Tag: "sync", Response: Package{}, Status: http.StatusCreated, Query: map[string]string{
			"format":        "package format: csv | json | xlsx (default csv)",
			"source_format": "format of the uploaded file (default: recognised from the content)",
			"name":          "package title", "source": "where the data comes from",
			"valid_for": "validity window, e.g. 30d or 720h (default and upper bound: the usage regulation's validity period)"}}, h.apiBuildPackage)
	api.Handle("GET", "/sync/packages/{id}", platform.Op{Summary: "One package's manifest", Tag: "sync", Response: Package{}}, identity.RecordOp("package", http.StatusOK, s.PackageByID))
	return nil
}

func (h *handlers) apiOverview(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	ov, err := h.store.OverviewOf(r.Context(), p)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, ov)
	return nil
}

func (h *handlers) apiCopies(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	list, err := h.store.Copies(r.Context(), p)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, ListResponse[Copy]{Items: list})
	return nil
}

func (h *handlers) apiFeed(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	st, err := h.store.FeedOf(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (h *handlers) apiPush(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	var in PushInput
	if err := decodeLarge(w, r, &in, maxPushBody); err != nil {
		return err
	}
	res, err := h.store.PushRecords(r.Context(), p, r.PathValue("ref"), in)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

// decodeLarge is platform.DecodeJSON with a larger limit: a push carries
// up to 10,000 records.
func decodeLarge(w http.ResponseWriter, r *http.Request, dst any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return platform.Errorf(platform.EInvalid, "unsupported_media_type", "the body must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var tooBig *http.MaxBytesError
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return platform.Errorf(platform.ETooLarge, "body_too_large", "the body is larger than %d MiB: push fewer records at once", limit>>20)
		case errors.As(err, &syn):
			return platform.Errorf(platform.EInvalid, "malformed_json", "malformed JSON at byte %d", syn.Offset)
		case errors.As(err, &typ):
			return platform.FieldError(typ.Field, "invalid_type", "%s must be of type %s", typ.Field, typ.Type)
		case errors.Is(err, io.EOF):
			return platform.Errorf(platform.EInvalid, "empty_body", "the body is empty")
		}
		return platform.Errorf(platform.EInvalid, "malformed_json", "malformed JSON: %v", err)
	}
	if dec.More() {
		return platform.Errorf(platform.EInvalid, "malformed_json", "the body must hold a single JSON value")
	}
	return nil
}

// longUpload extends the connection's deadlines for a large upload.
func longUpload(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(uploadTimeout))
	_ = rc.SetWriteDeadline(time.Now().Add(uploadTimeout + time.Minute))
}

func (h *handlers) apiSnapshot(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	longUpload(w)
	q := r.URL.Query()
	res, err := h.store.ReplaceSnapshot(r.Context(), p, r.PathValue("ref"), SnapshotInput{Format: q.Get("format"), KeyItem: q.Get("key_item")}, r.Body)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiPackages(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	svc, list, err := h.store.Packages(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, PackagesResponse{Service: svc, Packages: list})
	return nil
}

// packageInput reads a package's description; a validity window that
// cannot be read is reported by BuildPackage with the other mistakes.
func packageInput(v url.Values) PackageInput {
	in := PackageInput{Name: v.Get("name"), Source: v.Get("source"), Format: v.Get("format"), SourceFormat: v.Get("source_format")}
	in.ValidFor, in.validForErr = ParseValidFor(v.Get("valid_for"))
	return in
}

func (h *handlers) apiBuildPackage(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	longUpload(w)
	pkg, err := h.store.BuildPackage(r.Context(), p, r.PathValue("ref"), packageInput(r.URL.Query()), r.Body)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusCreated, pkg)
	return nil
}

// multipartUpload reads the fields of an upload form up to its "file"
// part and hands that part, unbuffered, to store. The form must carry the
// session's CSRF token (header or a field before the file).
func (h *handlers) multipartUpload(w http.ResponseWriter, r *http.Request, p *identity.Principal, store func(fields url.Values, file io.Reader) error) error {
	longUpload(w)
	return web.StreamUpload(w, r, p, web.Upload{Limit: h.store.opts.MaxUpload + 1<<20, TooLarge: tooLarge(h.store.opts.MaxUpload),
		CSRF: true}, store)
}
