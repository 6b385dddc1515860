package sharing

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/workday"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, platform.NotFound("record")
	}
	return id, nil
}

type requestsData struct {
	Res     platform.PageResult[Request]
	F       RequestFilter
	States  []State
	Filters template.URL // current filters, for export and paging links
	Counts  ReminderCounts
	CanFile bool
}

func (h *handlers) requestsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	f, err := listFilter(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListRequests(r.Context(), p, f)
	if err != nil {
		return err
	}
	counts, err := h.store.CountReminders(r.Context(), p)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "sharing/requests.html", requestsData{Res: res, F: f, States: States,
		Filters: template.URL(filterQuery(r.URL.Query())), Counts: counts,
		CanFile: p.IsPlatformAdmin() || len(p.Scope(identity.PermRequestCreate)) > 0})
	return nil
}

type newRequestData struct {
	Service  *ServiceInfo
	Provider string
	Items    []Item
	Orgs     []directory.Org
	Checked  map[string]bool
	// ServiceProblem explains why the chosen service cannot be requested.
	ServiceProblem string
}

func (h *handlers) newRequestData(r *http.Request, p *identity.Principal, serviceID string, checked []string) (newRequestData, error) {
	d := newRequestData{Checked: map[string]bool{}}
	for _, k := range checked {
		d.Checked[k] = true
	}
	orgs, err := h.store.RequesterOrgs(r.Context(), p)
	if err != nil {
		return d, err
	}
	if len(orgs) == 0 {
		return d, platform.Forbidden()
	}
	d.Orgs = orgs
	if serviceID == "" {
		return d, nil
	}
	id, err := strconv.ParseInt(serviceID, 10, 64)
	if err != nil || id <= 0 {
		d.ServiceProblem = "sharing service not found"
		return d, nil
	}
	svc, err := h.store.Service(r.Context(), id)
	if platform.ErrorClass(err) == platform.ENotFound {
		d.ServiceProblem = "sharing service not found"
		return d, nil
	}
	if err != nil {
		return d, err
	}
	if svc.Status != ServicePublished {
		d.ServiceProblem = "this service is not published and cannot be requested"
	}
	d.Service = &svc
	if prov, err := h.store.dir.Org(r.Context(), svc.ProviderOrgID); err == nil {
		d.Provider = prov.Name
	}
	for _, k := range svc.Items {
		label := svc.ItemLabels[k]
		if label == "" {
			label = k
		}
		d.Items = append(d.Items, Item{Key: k, Label: label})
	}
	return d, nil
}

func (h *handlers) newRequestPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	d, err := h.newRequestData(r, p, r.URL.Query().Get("service"), nil)
	if err != nil {
		return err
	}
	v := h.site.NewView(w, r, d)
	v.Form = url.Values{"consumer_org_id": {itoa(p.OrgID)}}
	h.site.Render(w, r, http.StatusOK, "sharing/request_new.html", v)
	return nil
}

func (h *handlers) createRequestForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	_ = r.ParseForm()
	org, _ := strconv.ParseInt(r.PostFormValue("consumer_org_id"), 10, 64)
	svc, _ := strconv.ParseInt(r.PostFormValue("service_id"), 10, 64)
	calls, _ := strconv.Atoi(r.PostFormValue("expected_calls_per_day"))
	in := RequestInput{ConsumerOrgID: org, ApplicationCode: r.PostFormValue("application_code"),
		ApplicationName: r.PostFormValue("application_name"), Purpose: r.PostFormValue("purpose"), ServiceID: svc,
		Items: r.PostForm["items"], ExpectedCallsPerDay: calls, FrequencyNote: r.PostFormValue("frequency_note"),
		OtherInfo: r.PostFormValue("other_info")}
	req, err := h.store.CreateRequest(r.Context(), p, in)
	if err != nil {
		fe, ferr := web.FormErrors(err)
		if ferr != nil {
			if platform.ErrorClass(err) != platform.EConflict {
				return ferr
			}
			fe = map[string]string{"_form": platform.AsError(err).Message}
		}
		d, derr := h.newRequestData(r, p, r.PostFormValue("service_id"), r.PostForm["items"])
		if derr != nil {
			return derr
		}
		v := h.site.NewView(w, r, d)
		v.Errors, v.Form = fe, r.PostForm
		h.site.Render(w, r, platform.StatusOf(platform.AsError(err).Class), "sharing/request_new.html", v)
		return nil
	}
	web.Redirect(w, r, "/requests/"+itoa(req.ID), "Request submitted.")
	return nil
}

type requestData struct {
	R           Request
	Account     *Account
	CanDecide   bool
	CanWithdraw bool
	Checked     map[string]bool
	ValidFrom   string
	ValidTo     string
}

func (h *handlers) renderRequest(w http.ResponseWriter, r *http.Request, p *identity.Principal, id int64, status int, fe map[string]string) error {
	req, err := h.store.Request(r.Context(), p, id)
	if err != nil {
		return err
	}
	d := requestData{R: req, CanDecide: CanDecide(p, req), CanWithdraw: CanWithdraw(p, req), Checked: map[string]bool{}}
	if req.AccountID != nil {
		if a, err := h.store.loadAccount(r.Context(), h.store.db.Read, *req.AccountID); err == nil {
			d.Account = &a
		}
	}
	today := h.store.today()
	d.ValidFrom, d.ValidTo = today.String(), today.AddMonths(12).AddDays(-1).String()
	for _, it := range req.Items {
		d.Checked[it.Key] = true
	}
	v := h.site.NewView(w, r, d)
	if fe != nil {
		v.Errors, v.Form = fe, r.PostForm
		if r.PostForm.Has("valid_to") {
			d.Checked = map[string]bool{}
			for _, k := range r.PostForm["items"] {
				d.Checked[k] = true
			}
			d.ValidFrom, d.ValidTo = r.PostFormValue("valid_from"), r.PostFormValue("valid_to")
			v.Data = d
		}
	}
	h.site.Render(w, r, status, "sharing/request.html", v)
	return nil
}

func (h *handlers) requestPage(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "connection request")
	if err != nil {
		return err
	}
	return h.renderRequest(w, r, p, id, http.StatusOK, nil)
}

// formFailed redisplays the request page with a validation error next to
// its field; other errors go to the error page.
func (h *handlers) formFailed(w http.ResponseWriter, r *http.Request, p *identity.Principal, id int64, err error) error {
	fe, ferr := web.FormErrors(err)
	if ferr != nil {
		return ferr
	}
	return h.renderRequest(w, r, p, id, http.StatusUnprocessableEntity, fe)
}

type keyData struct {
	Account Account
	Key     string
	Rotated bool
}

func (h *handlers) approveForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "connection request")
	if err != nil {
		return err
	}
	_ = r.ParseForm()
	perMin, _ := strconv.Atoi(r.PostFormValue("rate_per_minute"))
	perDay, _ := strconv.Atoi(r.PostFormValue("rate_per_day"))
	// On the form an empty choice of items is a mistake, not "all items",
	// and an empty or unreadable limit per minute too: Approve reports
	// them with every other mistake.
	in := ApproveInput{Items: r.PostForm["items"], ValidFrom: r.PostFormValue("valid_from"), ValidTo: r.PostFormValue("valid_to"),
		RatePerMinute: perMin, RatePerDay: perDay, CertFingerprint: r.PostFormValue("cert_fingerprint"), form: true}
	a, key, err := h.store.Approve(r.Context(), p, id, in)
	if err != nil {
		return h.formFailed(w, r, p, id, err)
	}
	h.revealKey(w, r, p, keyData{Account: a, Key: key})
	return nil
}

func (h *handlers) refuseForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "connection request")
	if err != nil {
		return err
	}
	if _, err := h.store.Refuse(r.Context(), p, id, RefuseInput{Reason: r.PostFormValue("reason"), LegalBasis: r.PostFormValue("legal_basis")}); err != nil {
		return h.formFailed(w, r, p, id, err)
	}
	web.Redirect(w, r, "/requests/"+itoa(id), "Request refused.")
	return nil
}

func (h *handlers) withdrawForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "connection request")
	if err != nil {
		return err
	}
	if _, err := h.store.Withdraw(r.Context(), p, id); err != nil {
		return err
	}
	web.Redirect(w, r, "/requests/"+itoa(id), "Request withdrawn.")
	return nil
}

type accountRow struct {
	Account
	CanRotate, CanRevoke, Expired bool
}

type accountsData struct {
	Rows       []accountRow
	NextCursor string
	Status     string
}

func (h *handlers) accountsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	f, err := accountFilterFrom(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListAccounts(r.Context(), p, f)
	if err != nil {
		return err
	}
	now := time.Now()
	d := accountsData{NextCursor: res.NextCursor, Status: string(f.Status)}
	for _, a := range res.Items {
		d.Rows = append(d.Rows, accountRow{Account: a, CanRotate: CanRotate(p, a), CanRevoke: CanRevoke(p, a), Expired: a.Expired(now)})
	}
	h.site.Page(w, r, "sharing/accounts.html", d)
	return nil
}

type accountData struct {
	Row      accountRow
	ErrorFor int64 // the account's own id when its revoke form has an error
}

func (h *handlers) accountPage(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "connection account")
	if err != nil {
		return err
	}
	return h.renderAccount(w, r, p, id, http.StatusOK, nil)
}

// renderAccount shows one account with the actions the caller may take
// (404 outside the caller's scope, as the API).
func (h *handlers) renderAccount(w http.ResponseWriter, r *http.Request, p *identity.Principal, id int64, status int, fe map[string]string) error {
	a, err := h.store.Account(r.Context(), p, id)
	if err != nil {
		return err
	}
	d := accountData{Row: accountRow{Account: a, CanRotate: CanRotate(p, a), CanRevoke: CanRevoke(p, a), Expired: a.Expired(time.Now())}}
	if fe != nil {
		d.ErrorFor = id
	}
	v := h.site.NewView(w, r, d)
	v.Errors = fe
	h.site.Render(w, r, status, "sharing/account.html", v)
	return nil
}

func (h *handlers) rotateForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "connection account")
	if err != nil {
		return err
	}
	a, key, err := h.store.RotateKey(r.Context(), p, id)
	if err != nil {
		return err
	}
	h.revealKey(w, r, p, keyData{Account: a, Key: key, Rotated: true})
	return nil
}

// revealKey sends the browser on to the page that shows a new key once,
// so that refreshing that page does not send the form again.
func (h *handlers) revealKey(w http.ResponseWriter, r *http.Request, p *identity.Principal, d keyData) {
	tok := h.reveals.put(p.UserID, d)
	http.Redirect(w, r, accountLink(d.Account.ID)+"/key?t="+tok, http.StatusSeeOther)
}

// keyPage shows a new key, once; afterwards (a refresh, the history) it
// sends to the account's page, which says the key is no longer shown.
func (h *handlers) keyPage(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "connection account")
	if err != nil {
		return err
	}
	d, ok := h.reveals.take(p.UserID, id, r.URL.Query().Get("t"))
	if !ok {
		web.Redirect(w, r, accountLink(id), "The API key is shown only once, just after it is made. If it was not copied, replace it.")
		return nil
	}
	noStore(w)
	h.site.Page(w, r, "sharing/key.html", d)
	return nil
}

func (h *handlers) revokeForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "connection account")
	if err != nil {
		return err
	}
	if _, err := h.store.Revoke(r.Context(), p, id, RevokeInput{Reason: r.PostFormValue("reason")}); err != nil {
		fe, ferr := web.FormErrors(err)
		if ferr != nil {
			return ferr
		}
		// On the account's own page, wherever the form was: the list's
		// page might not hold the account.
		return h.renderAccount(w, r, p, id, http.StatusUnprocessableEntity, fe)
	}
	web.Redirect(w, r, accountLink(id), "Account revoked.")
	return nil
}

type remindersData struct {
	Items  []Request
	Counts ReminderCounts
	Today  string
}

func (h *handlers) remindersPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	items, err := h.store.Reminders(r.Context(), p)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "sharing/reminders.html", remindersData{Items: items, Counts: countReminders(items),
		Today: h.store.today().Time().Format("02/01/2006")})
	return nil
}

type inboxData struct {
	Res        platform.PageResult[Notification]
	Unread     int
	UnreadOnly bool
}

func (h *handlers) inboxPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	d, err := h.inbox(r, p)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "sharing/inbox.html", d)
	return nil
}

// inbox reads the page of p's notifications the query asks for (cursor,
// unread=true) with the unread count, for the API and the page.
func (h *handlers) inbox(r *http.Request, p *identity.Principal) (inboxData, error) {
	page, err := platform.PageFromRequest(r)
	if err != nil {
		return inboxData{}, err
	}
	d := inboxData{UnreadOnly: flag(r.URL.Query().Get("unread"))}
	if d.Res, err = h.store.Inbox(r.Context(), p, web.Lang(r), InboxFilter{UnreadOnly: d.UnreadOnly, Page: page}); err != nil {
		return inboxData{}, err
	}
	if d.Unread, err = h.store.UnreadCount(r.Context(), p); err != nil {
		return inboxData{}, err
	}
	return d, nil
}

func (h *handlers) readForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "notification")
	if err != nil {
		return err
	}
	if err := h.store.MarkRead(r.Context(), p, id); err != nil {
		return err
	}
	// Follow the notification's link when asked to ("open"), else back to the inbox.
	if next := r.PostFormValue("next"); len(next) > 1 && next[0] == '/' && next[1] != '/' && next[1] != '\\' {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	web.Redirect(w, r, "/inbox", "")
	return nil
}

func (h *handlers) readAllForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	if err := h.store.MarkAllRead(r.Context(), p); err != nil {
		return err
	}
	web.Redirect(w, r, "/inbox", "All notifications marked read.")
	return nil
}

// UnitText is the English name of the deadline's unit (translated on pages).
func (r Request) UnitText() string { return unitEN(r.Deadline.Unit) }

// ReceivedDay is the Vietnamese civil date of receipt.
func (r Request) ReceivedDay() workday.Date { return workday.DateOf(r.ReceivedAt) }

// Timeliness is "on time" or "late" for a decided request, else "".
func (r Request) Timeliness() string {
	switch {
	case r.OnTime == nil:
		return ""
	case *r.OnTime:
		return "on time"
	}
	return "late"
}
