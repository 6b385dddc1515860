// Package logweb is the web UI and JSON API over the sharing log (D47-45):
// providers see the calls to their services, consumers their own calls,
// auditors and IT units their scope; filters and CSV/XLSX export.
package logweb

import (
	"context"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharelog"
	"github.com/govdx/govdx/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

type handlers struct {
	site     *web.Site
	exports  *web.Exports
	db       *platform.DB
	dir      *directory.Store
	services Services
}

// Services is what the filters need of the catalog: the log keeps copies of
// service ids and codes only, and people know services by their code.
type Services interface {
	// ServiceID resolves a service code; platform.NotFound when unknown.
	ServiceID(ctx context.Context, code string) (int64, error)
	// ServiceOptions lists up to limit services (code order) to suggest
	// in the page's service filter.
	ServiceOptions(ctx context.Context, limit int) ([]ServiceOption, error)
}

// ServiceOption is a suggestion of the service filter.
type ServiceOption struct {
	ID   int64
	Code string
	Name string
}

// maxFilterOptions bounds the organisations and services a filter lists:
// beyond it, people type the code instead of picking from a list.
const maxFilterOptions = 1000

// Register adds the sharing-log pages and API operations. services may be
// nil: the service filter then takes ids only. The pages' exports run as
// background jobs of exports; the API's are written in the response.
func Register(mux *http.ServeMux, site *web.Site, api *platform.API, db *platform.DB, dir *directory.Store, services Services, exports *web.Exports) error {
	sub, _ := fs.Sub(templatesFS, "templates")
	if err := site.AddPages("logweb", sub); err != nil {
		return err
	}
	site.AddFeatureMessages("logweb", messages)
	site.AddNav(web.NavItem{Href: "/logs", Label: "Sharing log", Feature: "logweb", Order: 35, Show: func(p *identity.Principal) bool {
		return p != nil && (p.IsPlatformAdmin() || len(p.Scope(identity.PermLogRead)) > 0)
	}})
	h := &handlers{site: site, exports: exports, db: db, dir: dir, services: services}
	mux.HandleFunc("GET /logs", site.Handler(h.listPage))
	mux.HandleFunc("GET /logs/{id}", site.Handler(h.entryPage))
	mux.HandleFunc("GET /logs/export.csv", site.Handler(h.export("csv")))
	mux.HandleFunc("GET /logs/export.xlsx", site.Handler(h.export("xlsx")))
	mux.HandleFunc("POST /logs/exports", site.Handler(h.startExport))
	q := map[string]string{"from": "from date (YYYY-MM-DD, Vietnam time)", "to": "to date, inclusive", "service": "service id or code",
		"status": "ok | error | refused", "code": "refusal code", "org": "organisation id or code (requester or provider)", "cursor": "page cursor", "limit": "page size"}
	api.Handle("GET", "/logs", platform.Op{Summary: "Sharing-log entries in my scope (D47-45), newest first", Tag: "sharing-log",
		Query: q, Response: platform.PageResult[EntryView]{}}, h.apiList)
	api.Handle("GET", "/logs/{id}", platform.Op{Summary: "One sharing-log entry", Tag: "sharing-log", Response: EntryView{}}, h.apiEntry)
	api.Handle("GET", "/logs/export.csv", platform.Op{Summary: "Export sharing-log entries in my scope as CSV", Tag: "sharing-log",
		Query: q, Produces: "text/csv"}, h.apiExport("csv"))
	api.Handle("GET", "/logs/export.xlsx", platform.Op{Summary: "Export sharing-log entries in my scope as XLSX", Tag: "sharing-log",
		Query: q, Produces: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, h.apiExport("xlsx"))
	return nil
}

// EntryView is a sharing-log entry as the API and pages show it.
type EntryView struct {
	ID             int64     `json:"id"`
	Node           string    `json:"node"`
	Seq            int64     `json:"seq"`
	Hash           string    `json:"hash"`
	RequestedAt    time.Time `json:"requested_at"`
	RespondedAt    time.Time `json:"responded_at"`
	Form           string    `json:"form"`
	RequesterOrgID int64     `json:"requester_org_id"`
	RequesterOrg   string    `json:"requester_org"`
	Application    string    `json:"application"`
	AccountID      int64     `json:"account_id"`
	ProviderOrgID  int64     `json:"provider_org_id"`
	ProviderOrg    string    `json:"provider_org"`
	ServiceID      int64     `json:"service_id"`
	Service        string    `json:"service"`
	Method         string    `json:"method"`
	Path           string    `json:"path"`
	Query          string    `json:"query"`
	RequestDigest  string    `json:"request_digest"`
	RequestBytes   int64     `json:"request_bytes"`
	Status         int       `json:"status"`
	RefusalCode    string    `json:"refusal_code"`
	ResponseDigest string    `json:"response_digest"`
	ResponseBytes  int64     `json:"response_bytes"`
	LatencyMicros  int64     `json:"latency_us"`
	CorrelationID  string    `json:"correlation_id"`
	ForwardedFrom  string    `json:"forwarded_from,omitempty"`
	ForwardedTo    string    `json:"forwarded_to,omitempty"`
	ContentKept    bool      `json:"content_kept"`
}

// FormLabel names the form of sharing of the call (D47-45), in English.
func (e EntryView) FormLabel() string {
	switch sharelog.Form(e.Form) {
	case sharelog.FormOnline:
		return "online call"
	case sharelog.FormSync:
		return "data synchronisation"
	case sharelog.FormPackage:
		return "data package"
	}
	return e.Form
}

// Outcome classifies the entry for display.
func (e EntryView) Outcome() string {
	switch {
	case e.RefusalCode != "":
		return "refused"
	case e.Status >= 400:
		return "error"
	}
	return "ok"
}

// RefusalLabel names the refusal in a few English words (the pages
// translate them); "" when the call was served.
func (e EntryView) RefusalLabel() string {
	if e.RefusalCode == "" {
		return ""
	}
	return gateway.RefusalLabel(e.RefusalCode)
}

// RefusalOption is one choice of the refusal-code filter.
type RefusalOption struct{ Code, Label string }

// refusalOptions are the gateway's refusal codes, for the filter.
func refusalOptions() []RefusalOption {
	codes := gateway.RefusalCodes()
	out := make([]RefusalOption, len(codes))
	for i, c := range codes {
		out[i] = RefusalOption{Code: c, Label: gateway.RefusalLabel(c)}
	}
	return out
}

func view(e sharelog.Entry, orgs map[int64]directory.Org) EntryView {
	return EntryView{ID: e.ID, Node: e.Node, Seq: e.Seq, Hash: hex.EncodeToString(e.Hash[:]), RequestedAt: e.RequestedAt,
		RespondedAt: e.RespondedAt, Form: string(e.Form), RequesterOrgID: e.RequesterOrgID, RequesterOrg: orgs[e.RequesterOrgID].Name,
		Application: e.RequesterApp, AccountID: e.AccountID, ProviderOrgID: e.ProviderOrgID, ProviderOrg: orgs[e.ProviderOrgID].Name,
		ServiceID: e.ServiceID, Service: e.ServiceCode, Method: e.Method, Path: e.Path, Query: e.Query,
		RequestDigest: hex.EncodeToString(e.RequestDigest[:]), RequestBytes: e.RequestBytes, Status: e.Status,
		RefusalCode: e.RefusalCode, ResponseDigest: hex.EncodeToString(e.ResponseDigest[:]), ResponseBytes: e.ResponseBytes,
		LatencyMicros: e.LatencyMicros, CorrelationID: e.CorrelationID, ForwardedFrom: e.ForwardedFrom, ForwardedTo: e.ForwardedTo,
		ContentKept: e.KeepContent}
}

// filter reads the query string and scopes it to the principal: an entry
// is visible when its requester or its provider lies in a subtree where the
// principal holds log.read (consumers see their calls, providers the calls
// to their services, auditors and IT units their province or ministry).
func (h *handlers) filter(ctx context.Context, r *http.Request, p *identity.Principal) (sharelog.Filter, error) {
	q := r.URL.Query()
	var f sharelog.Filter
	var err error
	if f.Page, err = platform.PageFromRequest(r); err != nil {
		return f, err
	}
	// Every filter is read before any is refused, so a page shows all the
	// mistakes beside their fields at once.
	var v platform.Validation
	if s := q.Get("from"); s != "" {
		d, err := time.ParseInLocation(time.DateOnly, s, web.VNZone)
		v.Check(err == nil, "from", "invalid_date", "from must be a date YYYY-MM-DD")
		f.From = d
	}
	if s := q.Get("to"); s != "" {
		d, err := time.ParseInLocation(time.DateOnly, s, web.VNZone)
		if v.Check(err == nil, "to", "invalid_date", "to must be a date YYYY-MM-DD") {
			f.To = d.AddDate(0, 0, 1) // inclusive of the whole day
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		v.Add("to", "invalid_range", "to must not be before from")
	}
	if s := strings.TrimSpace(q.Get("service")); s != "" {
		id, err := h.serviceID(ctx, s)
		if err = v.Merge(err); err != nil {
			return f, err
		}
		f.ServiceID = id
	}
	switch st := sharelog.StatusClass(q.Get("status")); st {
	case "", sharelog.StatusOK, sharelog.StatusError, sharelog.StatusRefused:
		f.Status = st
	default:
		v.Add("status", "invalid_status", "status must be ok, error or refused")
	}
	f.Code = q.Get("code")
	v.Check(len(f.Code) <= 64, "code", "invalid_code", "code is too long")
	scope, err := h.dir.OrgIDsUnder(ctx, p.Scope(identity.PermLogRead))
	if err != nil {
		return f, err
	}
	if s := strings.TrimSpace(q.Get("org")); s != "" {
		id, err := h.orgID(ctx, s)
		if err = v.Merge(err); err != nil {
			return f, err
		}
		if id != 0 && scope != nil && !contains(scope, id) {
			return f, platform.Forbidden()
		}
		scope = []int64{id}
	}
	f.RequesterOrgIDs, f.ProviderOrgIDs = scope, scope
	return f, v.Err()
}

// serviceID reads the service filter: a service id, or a service code.
func (h *handlers) serviceID(ctx context.Context, s string) (int64, error) {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		if id <= 0 {
			return 0, platform.FieldError("service", "invalid_service", "service must be a service id or code")
		}
		return id, nil
	}
	if h.services == nil || len(s) > 200 {
		return 0, platform.FieldError("service", "invalid_service", "service must be a service id or code")
	}
	id, err := h.services.ServiceID(ctx, s)
	if platform.ErrorClass(err) == platform.ENotFound {
		return 0, platform.FieldError("service", "unknown_service", "no service has this code")
	}
	return id, err
}

// orgID reads the organisation filter: an organisation id, or its code.
func (h *handlers) orgID(ctx context.Context, s string) (int64, error) {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		if id <= 0 {
			return 0, platform.FieldError("org", "invalid_org", "org must be an organisation id or code")
		}
		return id, nil
	}
	if len(s) > 200 {
		return 0, platform.FieldError("org", "invalid_org", "org must be an organisation id or code")
	}
	o, err := h.dir.OrgByCode(ctx, s)
	if platform.ErrorClass(err) == platform.ENotFound {
		return 0, platform.FieldError("org", "unknown_org", "no organisation has this code")
	}
	return o.ID, err
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (h *handlers) views(ctx context.Context, entries []sharelog.Entry) ([]EntryView, error) {
	ids := make([]int64, 0, 2*len(entries))
	for _, e := range entries {
		ids = append(ids, e.RequesterOrgID, e.ProviderOrgID)
	}
	orgs, err := h.dir.OrgsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]EntryView, len(entries))
	for i, e := range entries {
		out[i] = view(e, orgs)
	}
	return out, nil
}

func (h *handlers) list(ctx context.Context, r *http.Request, p *identity.Principal) (platform.PageResult[EntryView], sharelog.Filter, error) {
	f, err := h.filter(ctx, r, p)
	if err != nil {
		return platform.PageResult[EntryView]{}, f, err
	}
	res, err := sharelog.Query(ctx, h.db, f)
	if err != nil {
		return platform.PageResult[EntryView]{}, f, err
	}
	items, err := h.views(ctx, res.Items)
	return platform.PageResult[EntryView]{Items: items, NextCursor: res.NextCursor}, f, err
}

// entry returns one entry when it lies in the principal's scope; 404 otherwise.
func (h *handlers) entry(ctx context.Context, r *http.Request, p *identity.Principal) (EntryView, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return EntryView{}, platform.NotFound("sharing log entry")
	}
	e, err := sharelog.Get(ctx, h.db, id)
	if err != nil {
		return EntryView{}, err
	}
	scope, err := h.dir.OrgIDsUnder(ctx, p.Scope(identity.PermLogRead))
	if err != nil {
		return EntryView{}, err
	}
	if scope != nil && !contains(scope, e.RequesterOrgID) && !contains(scope, e.ProviderOrgID) {
		return EntryView{}, platform.NotFound("sharing log entry")
	}
	vs, err := h.views(ctx, []sharelog.Entry{e})
	if err != nil {
		return EntryView{}, err
	}
	return vs[0], nil
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	res, _, err := h.list(r.Context(), r, p)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiEntry(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	e, err := h.entry(r.Context(), r, p)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, e)
	return nil
}

func (h *handlers) writeExport(w http.ResponseWriter, r *http.Request, p *identity.Principal, format string) error {
	f, err := h.filter(r.Context(), r, p)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+exportFilename(format)+`"`)
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		_, err = sharelog.ExportCSV(r.Context(), h.db, f, h.exportOptions(), w)
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	_, err = sharelog.ExportXLSX(r.Context(), h.db, f, h.exportOptions(), w)
	return err
}

// exportOptions name the organisations in exports, from the directory.
func (h *handlers) exportOptions() sharelog.ExportOptions {
	return sharelog.ExportOptions{OrgNames: func(ctx context.Context, ids []int64) (map[int64]string, error) {
		orgs, err := h.dir.OrgsByID(ctx, ids)
		if err != nil {
			return nil, err
		}
		names := make(map[int64]string, len(orgs))
		for id, o := range orgs {
			names[id] = o.Name
		}
		return names, nil
	}}
}

func (h *handlers) apiExport(format string) platform.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := identity.RequireAPI(r)
		if err != nil {
			return err
		}
		return h.writeExport(w, r, p, format)
	}
}

func (h *handlers) export(format string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := web.RequireLogin(r)
		if err != nil {
			return err
		}
		return h.writeExport(w, r, p, format)
	}
}

// startExport starts a background export of the entries the list's
// filters (in the form's URL) select, and shows its progress page. An XLSX
// that Excel could not open is refused before any work.
func (h *handlers) startExport(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	format := r.PostFormValue("format")
	if format != "csv" && format != "xlsx" {
		return platform.FieldError("format", "invalid_format", "the format must be CSV or XLSX")
	}
	f, err := h.filter(r.Context(), r, p)
	if err != nil {
		return err
	}
	total, err := sharelog.Count(r.Context(), h.db, f)
	if err != nil {
		return err
	}
	if format == "xlsx" && total > sharelog.MaxXLSXRows {
		return platform.Errorf(platform.ETooLarge, "too_many_rows", "more than %d entries match; narrow the filter or export CSV", sharelog.MaxXLSXRows)
	}
	v := h.site.NewView(w, r, nil).For("logweb")
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	spec := web.ExportSpec{
		Title:       v.T("Sharing log") + " · " + strings.ToUpper(format) + exportPeriod(v, r),
		Filename:    exportFilename(format),
		ContentType: ctype,
		Back:        "/logs?" + r.URL.RawQuery,
		Total:       total,
		Write: func(ctx context.Context, w io.Writer, progress func(int64)) (int64, error) {
			opts := h.exportOptions()
			opts.Progress = progress
			if format == "csv" {
				return sharelog.ExportCSV(ctx, h.db, f, opts, w)
			}
			return sharelog.ExportXLSX(ctx, h.db, f, opts, w)
		},
	}
	id, err := h.exports.Start(p, spec)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/exports/"+id, http.StatusSeeOther)
	return nil
}

// exportPeriod names the filter's dates in the export's title.
func exportPeriod(v *web.View, r *http.Request) string {
	q := r.URL.Query()
	day := func(s string) string {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return s
		}
		return d.Format("02/01/2006")
	}
	from, to := q.Get("from"), q.Get("to")
	switch {
	case from != "" && to != "":
		return ", " + day(from) + " – " + day(to)
	case from != "":
		return ", " + v.T("from %s", day(from))
	case to != "":
		return ", " + v.T("until %s", day(to))
	}
	return ""
}

func exportFilename(format string) string {
	return fmt.Sprintf("nhat-ky-chia-se-%s.%s", time.Now().In(web.VNZone).Format("20060102-1504"), format)
}

type listData struct {
	Entries platform.PageResult[EntryView]
	Q       map[string]string
	// Orgs and Services are the choices of the filters.
	Orgs     []directory.Org
	Services []ServiceOption
	Refusals []RefusalOption
}

// Filtered reports whether any filter is set, so an empty list can say
// whether the filters or the scope left it empty.
func (d listData) Filtered() bool {
	for _, v := range d.Q {
		if v != "" {
			return true
		}
	}
	return false
}

// options fills the filters' choices: the organisations in the user's
// scope (by name) and the catalog's services.
func (h *handlers) options(ctx context.Context, p *identity.Principal, d *listData) error {
	res, err := h.dir.ListOrgs(ctx, directory.OrgFilter{Under: p.Scope(identity.PermLogRead), Page: platform.Page{Limit: maxFilterOptions}})
	if err != nil {
		return err
	}
	d.Orgs = res.Items
	c := collate.New(language.Vietnamese) // Vietnamese alphabetical order: Đ after D
	slices.SortFunc(d.Orgs, func(a, b directory.Org) int { return c.CompareString(a.Name, b.Name) })
	if h.services != nil {
		if d.Services, err = h.services.ServiceOptions(ctx, maxFilterOptions); err != nil {
			return err
		}
	}
	return nil
}

func (h *handlers) listPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	res, _, err := h.list(r.Context(), r, p)
	d := listData{Entries: res, Q: map[string]string{}, Refusals: refusalOptions()}
	for _, k := range []string{"from", "to", "service", "status", "code", "org"} {
		d.Q[k] = r.URL.Query().Get(k)
	}
	if oerr := h.options(r.Context(), p, &d); oerr != nil {
		return oerr
	}
	if err != nil {
		fe, ferr := web.FormErrors(err)
		if ferr != nil {
			return ferr
		}
		d.Entries = platform.PageResult[EntryView]{}
		v := h.site.NewView(w, r, d)
		v.Errors = fe
		h.site.Render(w, r, http.StatusUnprocessableEntity, "logweb/logs.html", v)
		return nil
	}
	h.site.Page(w, r, "logweb/logs.html", d)
	return nil
}

func (h *handlers) entryPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	e, err := h.entry(r.Context(), r, p)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "logweb/entry.html", e)
	return nil
}
