package dbi

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

// Pages and API of the criteria models and their rubrics (DBI-3).

func rubricPath(kind IndexKind, id string) string {
	return "/dbi/models/" + url.PathEscape(string(kind)) + "/criteria/" + url.PathEscape(id) + "/rubric"
}

// --- API ---

func (h *handlers) apiModel(w http.ResponseWriter, r *http.Request) error {
	m, err := h.store.Model(r.Context(), IndexKind(r.PathValue("index")))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, m)
	return nil
}

func (h *handlers) apiRubric(w http.ResponseWriter, r *http.Request) error {
	cr, err := h.store.Rubric(r.Context(), IndexKind(r.PathValue("index")), r.PathValue("id"))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, cr)
	return nil
}

func (h *handlers) apiSetRubric(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	// Refuse a caller who may not edit before reading the body, so the
	// answer does not depend on what they sent.
	if !canEditRubrics(p) {
		return platform.Forbidden()
	}
	var in RubricInput
	if err := platform.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	cr, err := h.store.SetRubric(r.Context(), p, IndexKind(r.PathValue("index")), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, cr)
	return nil
}

func (h *handlers) apiRubricHistory(w http.ResponseWriter, r *http.Request) error {
	p, err := identity.RequireAPI(r)
	if err != nil {
		return err
	}
	hist, err := h.store.RubricHistory(r.Context(), p, IndexKind(r.PathValue("index")), r.PathValue("id"))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, hist)
	return nil
}

// --- pages ---

// modelData is the public page of an index: pillars, criteria, rubrics.
type modelData struct {
	M       *Model
	CanEdit bool
	Levels  []int
}

// RubricText is the text of level l of a criterion, zero when none.
func (modelData) RubricText(c Criterion, l int) Text { return c.Rubric[l] }

func (h *handlers) modelPage(w http.ResponseWriter, r *http.Request) error {
	m, err := h.store.Model(r.Context(), IndexKind(r.PathValue("index")))
	if err != nil {
		return err
	}
	h.show(w, r, "model.html", modelData{M: m, CanEdit: canEditRubrics(principal(r)), Levels: []int{0, 1, 2, 3, 4, 5}})
	return nil
}

// rubricLevel is one level of the rubric form, with the texts shown.
type rubricLevel struct {
	Level  int
	VI, EN string
}

type rubricData struct {
	M       *Model
	C       *Criterion
	Levels  []rubricLevel
	History []RubricEdit
}

func (h *handlers) rubricPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	return h.renderRubric(w, r, p, http.StatusOK, nil, nil)
}

// renderRubric shows the edit form of the path's criterion; submitted is the
// posted form when it is redisplayed with errors.
func (h *handlers) renderRubric(w http.ResponseWriter, r *http.Request, p *identity.Principal, status int, submitted url.Values, errs map[string]string) error {
	kind, id := IndexKind(r.PathValue("index")), r.PathValue("id")
	hist, err := h.store.RubricHistory(r.Context(), p, kind, id) // decides 403 and 404
	if err != nil {
		return err
	}
	m, err := h.store.Model(r.Context(), kind)
	if err != nil {
		return err
	}
	c, _ := m.Criterion(id)
	d := rubricData{M: m, C: c, History: hist}
	for l := 0; l <= MaxLevel; l++ {
		rl := rubricLevel{Level: l, VI: c.Rubric[l].VI, EN: c.Rubric[l].EN}
		// Redisplay what was posted; levels not posted were left as they are.
		if v, ok := submitted[rubricField(l, "vi")]; ok {
			rl.VI = v[0]
		}
		if v, ok := submitted[rubricField(l, "en")]; ok {
			rl.EN = v[0]
		}
		d.Levels = append(d.Levels, rl)
	}
	h.render(w, r, status, "rubric.html", d, submitted, errs)
	return nil
}

// rubricField is the form and problem field of one level's text.
func rubricField(level int, lang string) string {
	return "levels." + strconv.Itoa(level) + "." + lang
}

func (h *handlers) rubricForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	kind, id := IndexKind(r.PathValue("index")), r.PathValue("id")
	in := RubricInput{Levels: map[string]Text{}}
	for l := 0; l <= MaxLevel; l++ {
		vi, okVI := r.PostForm[rubricField(l, "vi")]
		en, okEN := r.PostForm[rubricField(l, "en")]
		if !okVI && !okEN {
			continue // not on the form: unchanged
		}
		var t Text
		if okVI {
			t.VI = vi[0]
		}
		if okEN {
			t.EN = en[0]
		}
		in.Levels[strconv.Itoa(l)] = t
	}
	if _, err := h.store.SetRubric(r.Context(), p, kind, id, in); err != nil {
		fe, ferr := web.FormErrors(err) // every field in error, each beside its input
		if ferr != nil {
			return ferr
		}
		return h.renderRubric(w, r, p, http.StatusUnprocessableEntity, r.PostForm, fe)
	}
	v := url.Values{"notice": {"Saved."}}
	http.Redirect(w, r, "/dbi/models/"+url.PathEscape(string(kind))+"?"+v.Encode()+"#c-"+url.PathEscape(id), http.StatusSeeOther)
	return nil
}
