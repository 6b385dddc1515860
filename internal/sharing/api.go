package sharing

import (
	"net/http"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// KeyResponse carries an account with its API key. The key is shown this
// once; only its SHA-256 is stored.
type KeyResponse struct {
	Account Account `json:"account"`
	APIKey  string  `json:"api_key"`
}

// InboxResponse is a page of notifications with the unread count.
type InboxResponse struct {
	Items      []Notification `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
	Unread     int            `json:"unread"`
}

// RemindersResponse lists requests nearing or past their deadline.
type RemindersResponse struct {
	Counts ReminderCounts `json:"counts"`
	Items  []Request      `json:"items"`
}

func (h *handlers) apiRequests(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
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
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiCreateRequest(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	var in RequestInput
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	req, err := h.store.CreateRequest(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/requests/"+itoa(req.ID))
	platform.WriteJSON(w, http.StatusCreated, req)
	return nil
}

func (h *handlers) apiApprove(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, identity.RequireAPI, "connection request")
	if err != nil {
		return err
	}
	var in ApproveInput
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	a, key, err := h.store.Approve(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	noStore(w)
	platform.WriteJSON(w, http.StatusCreated, KeyResponse{Account: a, APIKey: key})
	return nil
}

func (h *handlers) apiAccounts(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
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
	platform.WriteJSON(w, http.StatusOK, res)
	return nil
}

// accountFilterFrom reads the account list's filters and page, reporting
// every bad one at once.
func accountFilterFrom(r *http.Request) (AccountFilter, error) {
	var v platform.Validation
	f := AccountFilter{Status: AccountStatus(r.URL.Query().Get("status"))}
	switch f.Status {
	case "", AccountActive, AccountRevoked, AccountTerminated:
	default:
		v.Add("status", "invalid_status", "unknown account status %q", f.Status)
	}
	if s := r.URL.Query().Get("service"); s != "" {
		id, err := parseID(s)
		if v.Check(err == nil, "service", "invalid_id", "service must be a service id") {
			f.ServiceID = id
		}
	}
	page, err := platform.PageFromRequest(r)
	if err := v.Merge(err); err != nil {
		return f, err
	}
	f.Page = page
	return f, v.Err()
}

func (h *handlers) apiRotate(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, identity.RequireAPI, "connection account")
	if err != nil {
		return err
	}
	a, key, err := h.store.RotateKey(r.Context(), p, id)
	if err != nil {
		return err
	}
	noStore(w)
	platform.WriteJSON(w, http.StatusOK, KeyResponse{Account: a, APIKey: key})
	return nil
}

func (h *handlers) apiReminders(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	items, err := h.store.Reminders(r.Context(), p)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, RemindersResponse{Items: items, Counts: countReminders(items)})
	return nil
}

func (h *handlers) apiInbox(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	d, err := h.inbox(r, p)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, InboxResponse{Items: d.Res.Items, NextCursor: d.Res.NextCursor, Unread: d.Unread})
	return nil
}

func (h *handlers) apiRead(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, identity.RequireAPI, "notification")
	if err != nil {
		return err
	}
	if err := h.store.MarkRead(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiReadAll(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	if err := h.store.MarkAllRead(r.Context(), p); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
