package oversight

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed static/oversight.css
var cssFile []byte

var cssETag = func() string {
	h := sha256.Sum256(cssFile)
	return `"` + hex.EncodeToString(h[:8]) + `"`
}()

type handlers struct {
	site  *web.Site
	store *Store
}

// Register adds the oversight pages and API operations. Public: /notices
// (suspension announcements, D47-43.1) and /statistics (D47-31.2d); the
// rest needs a login and the permissions checked by the store.
func Register(mux *http.ServeMux, site *web.Site, api *platform.API, store *Store) error {
	sub, _ := fs.Sub(templatesFS, "templates")
	if err := site.AddPages("oversight", sub); err != nil {
		return err
	}
	site.AddFeatureMessages("oversight", messages)
	loggedIn := func(p *identity.Principal) bool { return p != nil }
	site.AddNav(
		web.NavItem{Href: "/agreements", Label: "Agreements", Feature: "oversight", Order: 32, Show: loggedIn},
		web.NavItem{Href: "/obstacles", Label: "Obstacles", Feature: "oversight", Order: 33, Show: loggedIn},
		web.NavItem{Href: "/calendar", Label: "Calendar", Feature: "oversight", Order: 34, Show: loggedIn},
		web.NavItem{Href: "/statistics", Label: "Statistics", Feature: "oversight", Order: 50},
	)
	h := &handlers{site: site, store: store}
	h.registerPages(mux)
	h.registerAPI(api)
	return nil
}

func (h *handlers) registerPages(mux *http.ServeMux) {
	s := h.site
	upload := func(fn http.HandlerFunc) http.HandlerFunc { return limitBody(h.store.cfg.MaxFileBytes+(1<<20), fn) }
	mux.HandleFunc("GET /oversight/oversight.css", serveCSS)
	// Public.
	mux.HandleFunc("GET /notices", s.Handler(h.noticesPage))
	mux.HandleFunc("GET /statistics", s.Handler(h.statisticsPage))
	mux.HandleFunc("GET /statistics.xlsx", s.Handler(h.statisticsXLSX))
	// Agreements (D47-36..39).
	mux.HandleFunc("GET /agreements", s.Handler(h.agreementsPage))
	mux.HandleFunc("GET /agreements/new", s.Handler(h.newAgreementPage))
	mux.HandleFunc("POST /agreements", s.Handler(h.createAgreementForm))
	mux.HandleFunc("GET /agreements/{id}", s.Handler(h.agreementPage))
	mux.HandleFunc("POST /agreements/{id}/start-draft", s.Handler(h.startDraftForm))
	mux.HandleFunc("GET /agreements/{id}/versions/{n}/edit", s.Handler(h.editVersionPage))
	mux.HandleFunc("POST /agreements/{id}/versions/{n}", s.Handler(h.updateVersionForm))
	mux.HandleFunc("POST /agreements/{id}/versions/{n}/confirm", upload(s.Handler(h.confirmForm)))
	mux.HandleFunc("POST /agreements/{id}/versions/{n}/withdraw", s.Handler(h.withdrawVersionForm))
	mux.HandleFunc("GET /agreements/{id}/versions/{n}/signed/{org}", s.Handler(h.signedPDF))
	mux.HandleFunc("POST /agreements/{id}/amendments", s.Handler(h.amendForm))
	mux.HandleFunc("GET /agreements/{id}/diff", s.Handler(h.diffPage))
	mux.HandleFunc("POST /agreements/{id}/comments", s.Handler(h.commentForm))
	mux.HandleFunc("POST /agreements/{id}/joins", s.Handler(h.joinForm))
	mux.HandleFunc("POST /agreements/{id}/joins/{jid}", s.Handler(h.decideJoinForm))
	mux.HandleFunc("POST /agreements/{id}/end", s.Handler(h.endAgreementForm))
	// Suspensions (D47-43) and terminations (D47-44).
	mux.HandleFunc("GET /suspensions", s.Handler(h.suspensionsPage))
	mux.HandleFunc("GET /suspensions/new", s.Handler(h.newSuspensionPage))
	mux.HandleFunc("POST /suspensions", s.Handler(h.createSuspensionForm))
	mux.HandleFunc("GET /suspensions/{id}", s.Handler(h.suspensionPage))
	mux.HandleFunc("POST /suspensions/{id}/lift", s.Handler(h.liftForm))
	mux.HandleFunc("POST /suspensions/{id}/restore-time", s.Handler(h.restoreTimeForm))
	mux.HandleFunc("GET /terminations", s.Handler(h.terminationsPage))
	mux.HandleFunc("GET /terminations/new", s.Handler(h.newTerminationPage))
	mux.HandleFunc("POST /terminations", s.Handler(h.createTerminationForm))
	mux.HandleFunc("GET /terminations/{id}", s.Handler(h.terminationPage))
	// Obstacles (D47-47..50).
	mux.HandleFunc("GET /obstacles", s.Handler(h.obstaclesPage))
	mux.HandleFunc("GET /obstacles/new", s.Handler(h.newObstaclePage))
	mux.HandleFunc("POST /obstacles", upload(s.Handler(h.fileObstacleForm)))
	mux.HandleFunc("GET /obstacles/{id}", s.Handler(h.obstaclePage))
	mux.HandleFunc("POST /obstacles/{id}/{action}", upload(s.Handler(h.obstacleActionForm)))
	mux.HandleFunc("GET /obstacles/{id}/evidence/{eid}", s.Handler(h.evidenceFile))
	// Data-quality reviews (D47-16).
	mux.HandleFunc("GET /quality-reviews", s.Handler(h.qualityOverviewPage))
	mux.HandleFunc("POST /quality-reviews", s.Handler(h.startQualityForm))
	mux.HandleFunc("POST /quality-reviews/plan", s.Handler(h.planForm))
	mux.HandleFunc("GET /quality-reviews/{id}", s.Handler(h.qualityPage))
	mux.HandleFunc("POST /quality-reviews/{id}", s.Handler(h.qualityForm))
	// Deadlines (D47-34.2, D47-20.3 and every period above).
	mux.HandleFunc("GET /calendar", s.Handler(h.calendarPage))
	mux.HandleFunc("POST /list-reviews", s.Handler(h.listReviewForm))
}

func serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", cssETag)
	if r.Header.Get("If-None-Match") == cssETag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(cssFile)
}

// limitBody bounds a request body (uploads) before the form is parsed.
func limitBody(n int64, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next(w, r)
	}
}

// --- request helpers ---

// newForm shows the empty form page to a logged-in user, with its choices
// from load and its first values from initial, which refuses (403) a user
// left without a choice.
func newForm[D any](h *handlers, w http.ResponseWriter, r *http.Request, page string,
	load func(*http.Request, *identity.Principal) (D, error), initial func(*identity.Principal, D) (url.Values, error)) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	d, err := load(r, p)
	if err != nil {
		return err
	}
	form, err := initial(p, d)
	if err != nil {
		return err
	}
	h.render(w, r, page, d, form)
	return nil
}

// formAgain shows a form page again after err (see renderForm), with its
// choices reloaded by load and the values the user sent.
func formAgain[D any](h *handlers, w http.ResponseWriter, r *http.Request, p *identity.Principal, page string,
	load func(*http.Request, *identity.Principal) (D, error), err error) error {
	d, derr := load(r, p)
	if derr != nil {
		return derr
	}
	return h.renderForm(w, r, page, d, err)
}

func formInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.FormValue(name)), 10, 64)
	return n
}

func formInts(r *http.Request, name string) []int64 {
	var out []int64
	for _, v := range r.Form[name] {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, platform.FieldError(name, "invalid_number", "%s must be a number", name)
	}
	return n, nil
}

// deadlineQuery reads the organisation and the days of a deadline list,
// both mistakes at once.
func deadlineQuery(r *http.Request) (org, days int64, err error) {
	var v platform.Validation
	org, err = queryInt(r, "org")
	v.Merge(err)
	days, err = queryInt(r, "days")
	v.Merge(err)
	return org, days, v.Err()
}

// formFile reads an optional uploaded file.
func formFile(r *http.Request, name string, max int64) (string, string, []byte, error) {
	f, hdr, err := r.FormFile(name)
	if err == http.ErrMissingFile {
		return "", "", nil, nil
	}
	if err != nil {
		return "", "", nil, fieldErr(name, "upload_failed", "the file could not be read")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return "", "", nil, fieldErr(name, "upload_failed", "the file could not be read")
	}
	if int64(len(data)) > max {
		return "", "", nil, fieldErr(name, "too_large", "the file is larger than %d MB", max>>20)
	}
	if len(data) == 0 {
		return "", "", nil, nil
	}
	return hdr.Filename, hdr.Header.Get("Content-Type"), data, nil
}

// renderForm redisplays page with each mistake of err next to its field
// (validation: every field a platform.Validation named) or above the form
// (conflict); other errors are returned.
func (h *handlers) renderForm(w http.ResponseWriter, r *http.Request, page string, data any, err error) error {
	e := platform.AsError(err)
	if e.Class != platform.EInvalid && e.Class != platform.EConflict {
		return err
	}
	v := h.site.NewView(w, r, data).For("oversight")
	issues := e.Issues()
	switch {
	case e.Class == platform.EConflict || len(issues) == 0:
		v.Errors = map[string]string{"_form": Translate(err, v.T)}
	case len(issues) == 1:
		v.Errors = map[string]string{e.Field: Translate(err, v.T), "_form": v.T("Please correct the marked field.")}
	default:
		v.Errors = map[string]string{"_form": v.T("Please correct the marked fields.")}
		for _, is := range issues {
			v.Errors[is.Field] = v.T(is.Message)
		}
	}
	v.Form = r.PostForm
	h.site.Render(w, r, platform.StatusOf(e.Class), page, v)
	return nil
}

// render shows page with the form pre-filled from values.
func (h *handlers) render(w http.ResponseWriter, r *http.Request, page string, data any, form url.Values) {
	v := h.site.NewView(w, r, data)
	v.Form = form
	h.site.Render(w, r, http.StatusOK, page, v)
}

// redirect answers a successful POST.
func redirect(w http.ResponseWriter, r *http.Request, to, notice string) {
	web.Redirect(w, r, to, notice)
}

func idPath(prefix string, id int64) string { return prefix + strconv.FormatInt(id, 10) }

// --- choices for forms ---

// publishedServices lists the published services by name.
func (h *handlers) publishedServices(ctx context.Context) ([]ServiceInfo, error) {
	if h.store.deps.Services == nil {
		return nil, nil
	}
	all, err := h.store.deps.Services.AllServices(ctx)
	if err != nil {
		return nil, err
	}
	var out []ServiceInfo
	for _, s := range all {
		if s.Status == "published" {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// managedServices lists the services p may suspend or terminate (the provider's request.decide).
func (h *handlers) managedServices(ctx context.Context, p *identity.Principal, perms ...identity.Permission) ([]ServiceInfo, error) {
	all, err := h.publishedServices(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, s := range all {
		ids = append(ids, s.ProviderOrgID)
	}
	orgs, err := h.store.orgNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []ServiceInfo
	for _, s := range all {
		if o, ok := orgs[s.ProviderOrgID]; ok && allowedAny(p, []string{o.Path}, perms...) {
			out = append(out, s)
		}
	}
	return out, nil
}

// consumersOf lists the organisations with an active account on the services.
func (h *handlers) consumersOf(ctx context.Context, services []ServiceInfo) ([]directory.Org, error) {
	if h.store.deps.Accounts == nil {
		return nil, nil
	}
	var ids []int64
	for _, s := range services {
		accs, err := h.store.deps.Accounts.Accounts(ctx, s.ID, 0)
		if err != nil {
			return nil, err
		}
		for _, a := range accs {
			if a.Status == AccountActive {
				ids = append(ids, a.ConsumerOrgID)
			}
		}
	}
	return h.sortedOrgs(ctx, ids)
}

func (h *handlers) sortedOrgs(ctx context.Context, ids []int64) ([]directory.Org, error) {
	m, err := h.store.orgNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]directory.Org, 0, len(m))
	for _, o := range m {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// orgsWith lists the organisations where p holds perm (bounded for a select box).
func (h *handlers) orgsWith(ctx context.Context, p *identity.Principal, perm identity.Permission) ([]directory.Org, error) {
	scope := p.Scope(perm)
	if scope != nil && len(scope) == 0 {
		return nil, nil
	}
	res, err := h.store.dir.ListOrgs(ctx, directory.OrgFilter{Under: scope, Page: platform.Page{Limit: platform.MaxPageSize}})
	if err != nil {
		return nil, err
	}
	out := res.Items
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// allOrgs lists organisations for a select box (bounded).
func (h *handlers) allOrgs(ctx context.Context) ([]directory.Org, error) {
	res, err := h.store.dir.ListOrgs(ctx, directory.OrgFilter{Page: platform.Page{Limit: platform.MaxPageSize}})
	if err != nil {
		return nil, err
	}
	out := res.Items
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// jurisdictionsWith lists the ministries and provinces where p holds perm.
func (h *handlers) jurisdictionsWith(ctx context.Context, p *identity.Principal, perm identity.Permission) ([]directory.Org, error) {
	orgs, err := h.orgsWith(ctx, p, perm)
	if err != nil {
		return nil, err
	}
	var out []directory.Org
	for _, o := range orgs {
		if slices.Contains(directory.ITUnitKinds, o.Kind) {
			out = append(out, o)
		}
	}
	return out, nil
}
