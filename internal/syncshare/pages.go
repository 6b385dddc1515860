package syncshare

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

func (h *handlers) indexPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	ov, err := h.store.OverviewOf(r.Context(), p)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "syncshare/index.html", ov)
	return nil
}

// servicePageData is a hosted service's page: its feed or packages, the
// consumers' copies, and the provider's upload forms.
type servicePageData struct {
	Service   ServiceRef
	Sync      bool
	Feed      FeedStatus
	Packages  []Package
	CanManage bool
	Validity  time.Duration
	Formats   []string
	MaxUpload int64
	// Form says which upload form the errors are about; Problems lists
	// the bad lines of a refused file.
	Form     string
	Problems []string
}

// ValidityDays is the regulation's validity period in whole days (0 when
// none is stated or it is not whole days: see ValidityText).
func (d servicePageData) ValidityDays() int {
	if d.Validity <= 0 || d.Validity%(24*time.Hour) != 0 {
		return 0
	}
	return int(d.Validity / (24 * time.Hour))
}

// ValidityText is a validity period that is not whole days.
func (d servicePageData) ValidityText() string {
	if d.Validity <= 0 || d.ValidityDays() > 0 {
		return ""
	}
	return d.Validity.String()
}

// MaxUploadMiB is the upload limit in MiB.
func (d servicePageData) MaxUploadMiB() int64 { return d.MaxUpload >> 20 }

func (h *handlers) serviceData(r *http.Request, p *identity.Principal) (servicePageData, error) {
	ctx := r.Context()
	svc, err := h.store.viewable(ctx, p, r.PathValue("ref"), "")
	if err != nil {
		return servicePageData{}, err
	}
	d := servicePageData{Service: refOf(svc), Sync: svc.Method == MethodSync, CanManage: canManage(p, svc), Validity: svc.Validity,
		Formats: Formats, MaxUpload: h.store.opts.MaxUpload}
	ref := strconv.FormatInt(svc.ID, 10)
	if d.Sync {
		d.Feed, err = h.store.FeedOf(ctx, p, ref)
	} else {
		_, d.Packages, err = h.store.Packages(ctx, p, ref)
	}
	return d, err
}

func (h *handlers) servicePage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	d, err := h.serviceData(r, p)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "syncshare/service.html", d)
	return nil
}

// uploadForm runs a page upload and answers with a redirect, or the page
// with the error next to the form.
func (h *handlers) uploadForm(w http.ResponseWriter, r *http.Request, form string, run func(p *identity.Principal, fields url.Values, file io.Reader) (string, error)) {
	p := identity.FromContext(r.Context())
	if p == nil {
		h.site.Error(w, r, platform.Errorf(platform.EUnauthorized, "login_required", "please log in"))
		return
	}
	var notice string
	var fields url.Values
	err := h.multipartUpload(w, r, p, func(f url.Values, file io.Reader) error {
		fields = f
		var err error
		notice, err = run(p, f, file)
		return err
	})
	if err == nil {
		web.Redirect(w, r, "/sync/services/"+url.PathEscape(r.PathValue("ref")), notice)
		return
	}
	e := platform.AsError(err)
	switch e.Class {
	case platform.EInvalid, platform.ETooLarge, platform.EConflict:
		d, derr := h.serviceData(r, p)
		if derr != nil {
			h.site.Error(w, r, derr)
			return
		}
		d.Form = form
		if list, ok := e.Extra["errors"].([]string); ok && len(list) > 1 {
			d.Problems = list
		}
		v := h.site.NewView(w, r, d)
		v.Errors = uploadErrors(e, formFields[form])
		v.Form = fields
		h.site.Render(w, r, platform.StatusOf(e.Class), "syncshare/service.html", v)
		return
	}
	h.site.Error(w, r, err)
}

// formFields are the fields of each upload form that show their mistake
// beside them.
var formFields = map[string][]string{
	"snapshot": {"format", "key_item", "file"},
	"package":  {"name", "source", "format", "valid_for", "file"},
}

// uploadErrors maps every mistake of an upload to its field on the form
// (a file too large to the file), and any other to the form as a whole.
func uploadErrors(e *platform.Error, fields []string) map[string]string {
	issues := e.Issues()
	if e.Class == platform.ETooLarge && e.Field != "" {
		issues = []platform.FieldIssue{{Field: e.Field, Code: e.Code, Message: e.Message}}
	}
	out := map[string]string{}
	for _, is := range issues {
		if slices.Contains(fields, is.Field) {
			out[is.Field] = is.Message
		} else if out["_form"] == "" {
			out["_form"] = is.Message
		}
	}
	if len(out) == 0 {
		out["_form"] = e.Message
	}
	return out
}

func (h *handlers) snapshotForm(w http.ResponseWriter, r *http.Request) {
	h.uploadForm(w, r, "snapshot", func(p *identity.Principal, f url.Values, file io.Reader) (string, error) {
		if _, err := h.store.ReplaceSnapshot(r.Context(), p, r.PathValue("ref"), SnapshotInput{Format: f.Get("format"), KeyItem: f.Get("key_item")}, file); err != nil {
			return "", err
		}
		return noticeSnapshot, nil
	})
}

func (h *handlers) packageForm(w http.ResponseWriter, r *http.Request) {
	h.uploadForm(w, r, "package", func(p *identity.Principal, f url.Values, file io.Reader) (string, error) {
		in := packageInput(f)
		if days := f.Get("valid_days"); days != "" {
			in.ValidFor, in.validForErr = ParseValidFor(days + "d")
		}
		if _, err := h.store.BuildPackage(r.Context(), p, r.PathValue("ref"), in, file); err != nil {
			return "", err
		}
		return noticePackage, nil
	})
}
