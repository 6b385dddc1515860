package opendata

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

// uploadTimeout is how long one upload may take (the server's read timeout
// is shorter, for ordinary requests).
const uploadTimeout = 2 * time.Hour

// receiveUpload streams a multipart upload into the store: the fields
// before the file part (name, description, format, resource_id to replace,
// confirm_no_personal_data, confirm_note, _csrf) are read first, then the
// file part goes straight to disk without being buffered in memory.
// page says the request comes from the web form, which must carry the
// session's CSRF token (header or first field) before the file is read.
func (h *handlers) receiveUpload(w http.ResponseWriter, r *http.Request, page bool) (Resource, Dataset, error) {
	ctx := r.Context()
	p := identity.FromContext(ctx)
	if p == nil {
		return Resource{}, Dataset{}, platform.Errorf(platform.EUnauthorized, "unauthenticated", "authentication required")
	}
	d, err := h.pathDataset(r, p)
	if err != nil {
		return Resource{}, Dataset{}, err
	}
	// A big upload outlasts the server's read and write timeouts for ordinary requests.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(uploadTimeout))
	_ = rc.SetWriteDeadline(time.Now().Add(uploadTimeout + time.Minute))
	var res Resource
	err = web.StreamUpload(w, r, p, web.Upload{Limit: h.store.MaxUpload() + 1<<20, CSRF: page,
		TooLarge: platform.Errorf(platform.ETooLarge, "file_too_large", "the file is larger than the limit of %s", humanBytes(h.store.MaxUpload()))},
		func(fields url.Values, file io.Reader) error {
			var err error
			res, err = h.storeUpload(r, p, d, fields, file)
			return err
		})
	return res, d, err
}

func (h *handlers) storeUpload(r *http.Request, p *identity.Principal, d Dataset, fields url.Values, file io.Reader) (Resource, error) {
	ctx := r.Context()
	in := ResourceInput{Name: fields.Get("name"), Description: fields.Get("description"), Format: fields.Get("format"),
		ConfirmNoPersonalData: isOn(fields.Get("confirm_no_personal_data")), ConfirmNote: fields.Get("confirm_note")}
	fileName := ""
	if fp, ok := file.(interface{ FileName() string }); ok {
		fileName = fp.FileName()
	}
	if rid := fields.Get("resource_id"); rid != "" {
		resID, err := strconv.ParseInt(rid, 10, 64)
		if err != nil {
			return Resource{}, platform.NotFound("resource")
		}
		res, rd, err := h.managedResource(ctx, p, resID)
		if err != nil {
			return Resource{}, err
		}
		if rd.ID != d.ID {
			return Resource{}, platform.NotFound("resource")
		}
		out, err := h.store.ReplaceUpload(ctx, p.UserID, res.ID, in, fileName, file)
		if err == nil {
			h.audit(ctx, p, "opendata.resource.replace", "resource:"+res.UID, d.Name)
		}
		return out, err
	}
	out, err := h.store.AddUpload(ctx, p.UserID, d.ID, in, fileName, file)
	if err == nil {
		h.audit(ctx, p, "opendata.resource.upload", "resource:"+out.UID, d.Name+" check:"+outcomeOf(out))
	}
	return out, err
}

// outcomeOf is the check outcome of the resource's newest revision.
func outcomeOf(r Resource) string {
	switch {
	case r.Pending != nil:
		return r.Pending.Check.Outcome
	case r.Current != nil:
		return r.Current.Check.Outcome
	}
	return ""
}

func isOn(s string) bool {
	switch strings.ToLower(s) {
	case "on", "true", "1", "yes":
		return true
	}
	return false
}

// uploadPage is the web form's upload: JSON for the progress script
// (Accept: application/json), else a redirect or the page with the error.
func (h *handlers) uploadPage(w http.ResponseWriter, r *http.Request) {
	wantJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	res, d, err := h.receiveUpload(w, r, true)
	if err != nil {
		e := platform.AsError(err)
		if wantJSON {
			msg := e.Message
			if e.Class == platform.EInternal {
				platform.Logger(r.Context()).Error("upload failed", "err", err)
				msg = "internal error"
			}
			// Every mistake of the form, each translated (the script shows "error").
			view := h.site.NewView(w, r, nil)
			text := view.T(msg)
			for _, is := range e.Issues()[min(1, len(e.Issues())):] {
				text += "; " + view.T(is.Message)
			}
			platform.WriteJSON(w, platform.StatusOf(e.Class), map[string]any{"ok": false, "error": text, "field": e.Field})
			return
		}
		switch e.Class {
		case platform.EInvalid, platform.ETooLarge, platform.EConflict:
			if d.ID != 0 {
				errs := map[string]string{"upload": e.Message}
				if e.Class == platform.EInvalid {
					// The new-file form's fields show their mistakes beside them.
					errs, _ = formErrors(err, "upload", "name", "format", "description")
				}
				if rerr := h.renderManageDataset(w, r, d.ID, errs, platform.StatusOf(e.Class)); rerr == nil {
					return
				}
			}
		}
		h.site.Error(w, r, err)
		return
	}
	notice := "File uploaded and checked: no personal information found."
	if res.Blocked() {
		notice = "The file is held: its publication check found possible personal information. Confirm or remove it below."
	}
	to := "/opendata/manage/datasets/" + strconv.FormatInt(d.ID, 10)
	if wantJSON {
		platform.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "redirect": to + "?notice=" + url.QueryEscape(notice)})
		return
	}
	web.Redirect(w, r, to, notice)
}
