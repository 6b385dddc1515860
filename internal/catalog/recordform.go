package catalog

import (
	"context"
	"net/http"
	"net/url"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

// recordForm is the edit form of one kind of catalog record. The pages
// that create, edit, update and act on services, databases, regulations,
// elements and proposals differ only in these parts, so one set of
// handlers serves them all and keeps their order of checks alike: login,
// the record's 404/403, then the form's 400.
type recordForm[Rec, In any] struct {
	template string // e.g. "catalog/regulation_form.html"
	base     string // the records' path, e.g. "/catalog/regulations"
	cancel   string // where a new form's Cancel leads
	created  string // the notice after creating
	id       func(Rec) int64
	blank    func(*http.Request) url.Values // a new form's values
	values   func(Rec) url.Values           // the form filled from a record
	load     func(*http.Request, *identity.Principal) (Rec, error)
	parse    func(*http.Request) (In, []int, error) // []int: source lines of list fields
	// check records the input's own mistakes (those found without the
	// database), so that a form with fields that cannot be read also
	// shows the mistakes of the others.
	check  func(*In, *platform.Validation)
	create func(context.Context, *identity.Principal, In) (Rec, error)
	update func(context.Context, *identity.Principal, Rec, In) (Rec, error)
	// retry, when set, shows a failed create's errors instead of the form
	// page: code lists and elements are created from their list's page.
	retry func(w http.ResponseWriter, r *http.Request, form url.Values, errs map[string]string) error
}

// recordAct is an action on a loaded record, shared by a page and the API.
type recordAct[Rec any] func(context.Context, *identity.Principal, Rec) (Rec, error)

// noLines adapts a form parser without list fields.
func noLines[In any](parse func(*http.Request) (In, error)) func(*http.Request) (In, []int, error) {
	return func(r *http.Request) (In, []int, error) {
		in, err := parse(r)
		return in, nil, err
	}
}

// read parses the form; when some fields cannot be read, the error names
// them and every other mistake of the input.
func (f recordForm[Rec, In]) read(r *http.Request) (In, []int, error) {
	in, nums, err := f.parse(r)
	if err == nil || f.check == nil {
		return in, nums, err
	}
	var v platform.Validation
	if err := v.Merge(err); err != nil {
		return in, nums, err
	}
	f.check(&in, &v)
	return in, nums, v.Err()
}

func (f recordForm[Rec, In]) path(rec Rec) string { return f.base + "/" + itoa(f.id(rec)) }

func (f recordForm[Rec, In]) showNew(h *handlers, w http.ResponseWriter, r *http.Request, p *identity.Principal,
	form url.Values, errs map[string]string) error {
	return h.showForm(w, r, p, f.template, f.base, f.cancel, false, nil, form, errs)
}

func (f recordForm[Rec, In]) showEdit(h *handlers, w http.ResponseWriter, r *http.Request, p *identity.Principal,
	rec Rec, form url.Values, errs map[string]string) error {
	return h.showForm(w, r, p, f.template, f.path(rec), f.path(rec), true, rec, form, errs)
}

// loadForPage reads the logged-in caller and, with the caller's rights,
// the record of the path.
func loadForPage[Rec any](r *http.Request, load func(*http.Request, *identity.Principal) (Rec, error)) (*identity.Principal, Rec, error) {
	var rec Rec
	p, err := web.RequireLogin(r)
	if err != nil {
		return nil, rec, err
	}
	rec, err = load(r, p)
	return p, rec, err
}

func (f recordForm[Rec, In]) newPage(h *handlers) platform.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := web.RequireLogin(r)
		if err != nil {
			return err
		}
		return f.showNew(h, w, r, p, f.blank(r), nil)
	}
}

func (f recordForm[Rec, In]) createForm(h *handlers) platform.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := web.RequireLogin(r)
		if err != nil {
			return err
		}
		in, nums, err := f.read(r)
		var rec Rec
		if err == nil {
			rec, err = f.create(r.Context(), p, in)
		}
		if err != nil {
			fe, err := formErrors(err, nums)
			if err != nil {
				return err
			}
			if f.retry != nil {
				return f.retry(w, r, r.PostForm, fe)
			}
			return f.showNew(h, w, r, p, r.PostForm, fe)
		}
		web.Redirect(w, r, f.path(rec), f.created)
		return nil
	}
}

func (f recordForm[Rec, In]) editPage(h *handlers) platform.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, rec, err := loadForPage(r, f.load)
		if err != nil {
			return err
		}
		return f.showEdit(h, w, r, p, rec, f.values(rec), nil)
	}
}

func (f recordForm[Rec, In]) updateForm(h *handlers) platform.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, rec, err := loadForPage(r, f.load)
		if err != nil {
			return err
		}
		in, nums, err := f.read(r)
		if err == nil {
			_, err = f.update(r.Context(), p, rec, in)
		}
		if err != nil {
			fe, err := formErrors(err, nums)
			if err != nil {
				return err
			}
			return f.showEdit(h, w, r, p, rec, r.PostForm, fe)
		}
		web.Redirect(w, r, f.path(rec), "Saved.")
		return nil
	}
}

// actionForm posts act on the record and returns to it with notice.
func (f recordForm[Rec, In]) actionForm(act recordAct[Rec], notice string) platform.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, rec, err := loadForPage(r, f.load)
		if err != nil {
			return err
		}
		if _, err := act(r.Context(), p, rec); err != nil {
			return err
		}
		web.Redirect(w, r, f.path(rec), notice)
		return nil
	}
}
