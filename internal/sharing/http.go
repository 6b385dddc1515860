package sharing

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

type handlers struct {
	site    *web.Site
	store   *Store
	reveals *keyReveals // new API keys on their way to their page
}

// seesRequests: anyone who may file, decide, oversee or audit requests somewhere.
func seesRequests(p *identity.Principal) bool {
	if p == nil {
		return false
	}
	if p.IsPlatformAdmin() {
		return true
	}
	for _, perm := range []identity.Permission{identity.PermRequestCreate, identity.PermRequestDecide,
		identity.PermSharingOversee, identity.PermAuditRead} {
		if len(p.Scope(perm)) > 0 {
			return true
		}
	}
	return false
}

func seesAccounts(p *identity.Principal) bool {
	return p != nil && (p.IsPlatformAdmin() || len(p.Scope(identity.PermAccountRead)) > 0 || len(p.Scope(identity.PermSharingOversee)) > 0)
}

// Register adds the pages and API operations of connection requests,
// accounts, reminders and the inbox.
func Register(mux *http.ServeMux, site *web.Site, api *platform.API, s *Store) error {
	sub, _ := fs.Sub(templatesFS, "templates")
	if err := site.AddPages("sharing", sub); err != nil {
		return err
	}
	site.AddFeatureMessages("sharing", messages)
	site.AddNav(
		web.NavItem{Href: "/requests", Label: "Requests", Feature: "sharing", Order: 30, Show: seesRequests},
		web.NavItem{Href: "/accounts", Label: "Accounts", Feature: "sharing", Order: 31, Show: seesAccounts},
		web.NavItem{Href: "/inbox", Label: "Inbox", Feature: "sharing", Order: 95, Show: func(p *identity.Principal) bool { return p != nil },
			Badge: func(r *http.Request) int {
				n, _ := s.UnreadCount(r.Context(), identity.FromContext(r.Context()))
				return n
			}},
	)
	h := &handlers{site: site, store: s, reveals: newKeyReveals()}
	mux.HandleFunc("GET /requests", site.Handler(h.requestsPage))
	mux.HandleFunc("GET /requests/export.csv", site.Handler(h.exportAs(web.RequireLogin, "csv")))
	mux.HandleFunc("GET /requests/export.xlsx", site.Handler(h.exportAs(web.RequireLogin, "xlsx")))
	mux.HandleFunc("GET /requests/new", site.Handler(h.newRequestPage))
	mux.HandleFunc("POST /requests", site.Handler(h.createRequestForm))
	mux.HandleFunc("GET /requests/{id}", site.Handler(h.requestPage))
	mux.HandleFunc("POST /requests/{id}/approve", site.Handler(h.approveForm))
	mux.HandleFunc("POST /requests/{id}/refuse", site.Handler(h.refuseForm))
	mux.HandleFunc("POST /requests/{id}/withdraw", site.Handler(h.withdrawForm))
	mux.HandleFunc("GET /accounts", site.Handler(h.accountsPage))
	mux.HandleFunc("GET /accounts/{id}", site.Handler(h.accountPage))
	mux.HandleFunc("POST /accounts/{id}/rotate", site.Handler(h.rotateForm))
	mux.HandleFunc("GET /accounts/{id}/key", site.Handler(h.keyPage))
	mux.HandleFunc("POST /accounts/{id}/revoke", site.Handler(h.revokeForm))
	mux.HandleFunc("GET /reminders", site.Handler(h.remindersPage))
	mux.HandleFunc("GET /inbox", site.Handler(h.inboxPage))
	mux.HandleFunc("POST /inbox/read-all", site.Handler(h.readAllForm))
	mux.HandleFunc("POST /inbox/{id}/read", site.Handler(h.readForm))

	listQuery := map[string]string{
		"state":   "submitted | approved | refused | withdrawn",
		"overdue": "1: only pending requests past their deadline",
		"nearing": "1: only pending requests with at most 1 working day left (or overdue)",
		"service": "sharing service id",
		"q":       "search words (requester, application, service, provider; diacritics-insensitive)",
	}
	pageQuery := map[string]string{"cursor": "page cursor", "limit": "page size (1-500, default 50)"}
	// Plain record operations use identity's adapters, with the 404 kinds of platform.PathID.
	api.Handle("GET", "/requests", platform.Op{Summary: "List the connection requests I file, decide, oversee or audit (D47-35)", Tag: "sharing",
		Response: platform.PageResult[Request]{}, Query: merge(listQuery, pageQuery)}, h.apiRequests)
	api.Handle("POST", "/requests", platform.Op{Summary: "File a connection request with the D47-35.2 content; the provider's deadline is the rule in force on the day of receipt",
		Tag: "sharing", Request: RequestInput{}, Response: Request{}, Status: http.StatusCreated}, h.apiCreateRequest)
	api.Handle("GET", "/requests/export.csv", platform.Op{Summary: "Export the request list as CSV (UTF-8 with BOM)", Tag: "sharing",
		Query: listQuery, Produces: "text/csv"}, h.exportAs(identity.RequireAPI, "csv"))
	api.Handle("GET", "/requests/export.xlsx", platform.Op{Summary: "Export the request list as an XLSX workbook", Tag: "sharing",
		Query: listQuery, Produces: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, h.exportAs(identity.RequireAPI, "xlsx"))
	api.Handle("GET", "/requests/{id}", platform.Op{Summary: "One connection request", Tag: "sharing", Response: Request{}}, identity.RecordOp("connection request", http.StatusOK, s.Request))
	api.Handle("POST", "/requests/{id}/approve", platform.Op{Summary: "Approve: create the connection account (D47-35.3, D47-40); the API key is in this response only",
		Tag: "sharing", Request: ApproveInput{}, Response: KeyResponse{}, Status: http.StatusCreated}, h.apiApprove)
	api.Handle("POST", "/requests/{id}/refuse", platform.Op{Summary: "Refuse in writing with the reason and the legal basis (D47-51.1a, D194-16.2)",
		Tag: "sharing", Request: RefuseInput{}, Response: Request{}}, identity.RecordAction("connection request", http.StatusOK, s.Refuse))
	api.Handle("POST", "/requests/{id}/withdraw", platform.Op{Summary: "Withdraw my request before the decision", Tag: "sharing",
		Response: Request{}}, identity.RecordOp("connection request", http.StatusOK, s.Withdraw))
	api.Handle("GET", "/accounts", platform.Op{Summary: "List the connection accounts of my organisations (D47-40)", Tag: "sharing",
		Response: platform.PageResult[Account]{}, Query: merge(map[string]string{"status": "active | revoked | terminated", "service": "sharing service id"}, pageQuery)}, h.apiAccounts)
	api.Handle("GET", "/accounts/{id}", platform.Op{Summary: "One connection account", Tag: "sharing", Response: Account{}}, identity.RecordOp("connection account", http.StatusOK, s.Account))
	api.Handle("POST", "/accounts/{id}/rotate", platform.Op{Summary: "Replace the account's API key: the new key is in this response only, the old one stops at once",
		Tag: "sharing", Response: KeyResponse{}}, h.apiRotate)
	api.Handle("POST", "/accounts/{id}/revoke", platform.Op{Summary: "Revoke the account with a reason; it stops working at once", Tag: "sharing",
		Request: RevokeInput{}, Response: Account{}}, identity.RecordAction("connection account", http.StatusOK, s.Revoke))
	api.Handle("GET", "/reminders", platform.Op{Summary: "Pending requests I decide or oversee with at most 1 working day left or overdue", Tag: "sharing",
		Response: RemindersResponse{}}, h.apiReminders)
	api.Handle("GET", "/inbox", platform.Op{Summary: "My notifications, newest first, with the unread count", Tag: "sharing",
		Response: InboxResponse{}, Query: merge(map[string]string{"unread": "1: only unread notifications"}, pageQuery)}, h.apiInbox)
	api.Handle("POST", "/inbox/read-all", platform.Op{Summary: "Mark all my notifications read", Tag: "sharing", Status: http.StatusNoContent}, h.apiReadAll)
	api.Handle("POST", "/inbox/{id}/read", platform.Op{Summary: "Mark one notification read", Tag: "sharing", Status: http.StatusNoContent}, h.apiRead)
	return nil
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// authFunc returns the caller of a request: identity.RequireAPI for the
// API, web.RequireLogin for pages (each with its own 401).
type authFunc func(*http.Request) (*identity.Principal, error)

func flag(v string) bool { return v == "1" || v == "true" || v == "on" }

// listFilter reads the list filters and the page of a list request,
// reporting every bad one at once.
func listFilter(r *http.Request) (RequestFilter, error) {
	var v platform.Validation
	f := checkFilter(&v, r.URL.Query())
	page, err := platform.PageFromRequest(r)
	if err := v.Merge(err); err != nil {
		return f, err
	}
	f.Page = page
	return f, v.Err()
}

// filterFrom reads the list filters of a query string.
func filterFrom(q url.Values) (RequestFilter, error) {
	var v platform.Validation
	f := checkFilter(&v, q)
	return f, v.Err()
}

func checkFilter(v *platform.Validation, q url.Values) RequestFilter {
	f := RequestFilter{State: State(q.Get("state")), Overdue: flag(q.Get("overdue")), Nearing: flag(q.Get("nearing")), Query: q.Get("q")}
	v.Check(f.State == "" || f.State.Valid(), "state", "invalid_state", "state must be submitted, approved, refused or withdrawn")
	if s := q.Get("service"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if v.Check(err == nil && id > 0, "service", "invalid_id", "service must be a service id") {
			f.ServiceID = id
		}
	}
	return f
}

// filterQuery re-encodes the filters (without the cursor) for links.
func filterQuery(q url.Values) string {
	out := url.Values{}
	for _, k := range []string{"state", "overdue", "nearing", "service", "q"} {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out.Encode()
}

// noStore keeps responses carrying a secret out of every cache.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// exportAs is the handler of the export in format, for the API or the
// pages as auth says.
func (h *handlers) exportAs(auth authFunc, format string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := auth(r)
		if err != nil {
			return err
		}
		return h.export(w, r, p, format)
	}
}

func (h *handlers) export(w http.ResponseWriter, r *http.Request, p *identity.Principal, format string) error {
	f, err := filterFrom(r.URL.Query())
	if err != nil {
		return err
	}
	reqs, err := h.store.ExportRequests(r.Context(), p, f, MaxExportRows)
	if err != nil {
		return err
	}
	v := h.site.NewView(w, r, nil).For("sharing")
	rows := requestTable(reqs, func(s string) string { return v.T(s) })
	name := "yeu-cau-ket-noi"
	if v.Lang == "en" {
		name = "connection-requests"
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.`+format+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		return WriteCSV(w, rows)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	sheet := v.T("Requests")
	if len(sheet) > 31 || strings.ContainsAny(sheet, `[]:*?/\`) {
		sheet = "Requests"
	}
	return WriteXLSX(w, sheet, rows)
}
