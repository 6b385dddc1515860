package oversight

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

type obstaclesData struct {
	List       platform.PageResult[Obstacle]
	State      string
	Level      int
	Categories []ObstacleCategory
	CanFile    bool
}

func (h *handlers) obstaclesPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	f, err := obstacleFilter(r)
	if err != nil {
		return err
	}
	res, err := h.store.ListObstacles(r.Context(), p, f)
	if err != nil {
		return err
	}
	sc := p.Scope(identity.PermRequestCreate)
	h.site.Page(w, r, "oversight/obstacles.html", obstaclesData{List: res, State: f.State, Level: f.Level,
		Categories: ObstacleCategories, CanFile: sc == nil || len(sc) > 0})
	return nil
}

// obstacleFilter reads the page and the filters of an obstacle list, the
// page's errors first.
func obstacleFilter(r *http.Request) (ObstacleFilter, error) {
	page, err := platform.PageFromRequest(r)
	if err != nil {
		return ObstacleFilter{}, err
	}
	q := r.URL.Query()
	f := ObstacleFilter{State: q.Get("state"), Category: ObstacleCategory(q.Get("category")), Page: page}
	var v platform.Validation
	v.Check(f.State == "" || f.State == ObstacleOpen || f.State == ObstacleResolved, "state", "invalid_state", "state is open or resolved")
	v.Check(f.Category == "" || f.Category.Valid(), "category", "invalid_category", "unknown category")
	if l := q.Get("level"); l != "" {
		n, err := strconv.Atoi(l)
		if v.Check(err == nil && n >= 1 && n <= 3, "level", "invalid_level", "level is 1, 2 or 3") {
			f.Level = n
		}
	}
	return f, v.Err()
}

type obstacleFormData struct {
	Services   []ServiceInfo
	Providers  []directory.Org
	Filers     []directory.Org
	Categories []ObstacleCategory
}

func (h *handlers) obstacleFormData(r *http.Request, p *identity.Principal) (obstacleFormData, error) {
	svcs, err := h.publishedServices(r.Context())
	if err != nil {
		return obstacleFormData{}, err
	}
	filers, err := h.orgsWith(r.Context(), p, identity.PermRequestCreate)
	if err != nil {
		return obstacleFormData{}, err
	}
	providers, err := h.allOrgs(r.Context())
	if err != nil {
		return obstacleFormData{}, err
	}
	return obstacleFormData{Services: svcs, Providers: providers, Filers: filers, Categories: ObstacleCategories}, nil
}

func (h *handlers) newObstaclePage(w http.ResponseWriter, r *http.Request) error {
	return newForm(h, w, r, "oversight/obstacle_new.html", h.obstacleFormData, func(p *identity.Principal, d obstacleFormData) (url.Values, error) {
		if len(d.Filers) == 0 {
			return nil, platform.Forbidden()
		}
		return url.Values{"filer_org_id": {strconv.FormatInt(p.OrgID, 10)}, "service_id": {r.URL.Query().Get("service")}}, nil
	})
}

// evidenceFromForm reads the optional log entry, link and file of a form;
// a file it cannot read is its error, returned with the other evidence so
// that the store reports it together with the form's other mistakes.
func (h *handlers) evidenceFromForm(r *http.Request) ([]EvidenceInput, error) {
	var out []EvidenceInput
	if id := formInt(r, "log_entry_id"); id != 0 || r.PostFormValue("log_entry_id") != "" {
		out = append(out, EvidenceInput{Kind: "log_entry", LogEntryID: id, Note: r.PostFormValue("evidence_note")})
	}
	if u := r.PostFormValue("link"); u != "" {
		out = append(out, EvidenceInput{Kind: "link", URL: u, Note: r.PostFormValue("evidence_note")})
	}
	name, ctype, data, err := formFile(r, "file", h.store.cfg.MaxFileBytes)
	if data != nil {
		out = append(out, EvidenceInput{Kind: "file", FileName: name, ContentType: ctype, Data: data, Note: r.PostFormValue("evidence_note")})
	}
	return out, err
}

func (h *handlers) fileObstacleForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	ev, fileErr := h.evidenceFromForm(r)
	o, err := h.store.fileObstacleWith(r.Context(), p, ObstacleInput{Category: ObstacleCategory(r.PostFormValue("category")),
		Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), FilerOrgID: formInt(r, "filer_org_id"),
		ServiceID: formInt(r, "service_id"), ProviderOrgID: formInt(r, "provider_org_id"), Evidence: ev}, fileErr)
	if err != nil {
		return formAgain(h, w, r, p, "oversight/obstacle_new.html", h.obstacleFormData, err)
	}
	redirect(w, r, idPath("/obstacles/", o.ID), "Obstacle filed; the provider was notified.")
	return nil
}

type option struct{ Value, Label string }

type obstacleData struct {
	O           Obstacle
	Authorities []option
	Levels      []int
}

func (h *handlers) obstaclePage(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "obstacle")
	if err != nil {
		return err
	}
	o, err := h.store.Obstacle(r.Context(), p, id)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "oversight/obstacle.html", obstacleData{O: o, Authorities: authoritiesAt(o.Level), Levels: []int{1, 2, 3}})
	return nil
}

func authoritiesAt(level int) []option {
	list := []string{AuthorityITUnit, AuthorityMinister}
	if level == 3 {
		list = []string{AuthorityMinister, AuthorityMIC, AuthorityPM}
	}
	out := make([]option, len(list))
	for i, a := range list {
		out[i] = option{Value: a, Label: AuthorityLabel(a)}
	}
	return out
}

var obstacleNotices = map[string]string{
	"answer": "Answer recorded; the filer was notified.", "accept": "Answer accepted: the obstacle is resolved.",
	"escalate": "Obstacle escalated.", "document": "Document recorded.", "resolve": "Resolution recorded.",
	"compliance": "Compliance check recorded.", "evidence": "Evidence added.",
}

// obstacleActionForm handles every form of the obstacle page.
func (h *handlers) obstacleActionForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "obstacle")
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	notice, ok := obstacleNotices[action]
	if !ok {
		return platform.NotFound("page")
	}
	ctx := r.Context()
	switch action {
	case "answer":
		_, err = h.store.AnswerObstacle(ctx, p, id, AnswerInput{Answer: r.PostFormValue("answer")})
	case "accept":
		_, err = h.store.AcceptAnswer(ctx, p, id, ReasonInput{Reason: r.PostFormValue("reason")})
	case "escalate":
		_, err = h.store.Escalate(ctx, p, id, ReasonInput{Reason: r.PostFormValue("reason")})
	case "document":
		_, err = h.store.RecordDocument(ctx, p, id, DocumentInput{Kind: r.PostFormValue("kind"), Reference: r.PostFormValue("reference"),
			Date: r.PostFormValue("date"), Summary: r.PostFormValue("summary")})
	case "resolve":
		_, err = h.store.Resolve(ctx, p, id, ResolveInput{Resolution: r.PostFormValue("resolution"), Authority: r.PostFormValue("authority")})
	case "compliance":
		_, err = h.store.CheckCompliance(ctx, p, id, ComplianceInput{Compliant: r.PostFormValue("compliant") == "yes", Note: r.PostFormValue("note")})
	case "evidence":
		ev, fileErr := h.evidenceFromForm(r)
		if len(ev) == 0 && fileErr == nil {
			fileErr = fieldErr("evidence.kind", "required", "give a sharing-log entry, a link or a file")
		}
		_, err = h.store.addEvidence(ctx, p, id, ev, fileErr)
	}
	if err != nil {
		o, lerr := h.store.Obstacle(ctx, p, id)
		if lerr != nil {
			return err
		}
		return h.renderForm(w, r, "oversight/obstacle.html", obstacleData{O: o, Authorities: authoritiesAt(o.Level), Levels: []int{1, 2, 3}}, err)
	}
	redirect(w, r, idPath("/obstacles/", id), notice)
	return nil
}

func (h *handlers) evidenceFile(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "obstacle")
	if err != nil {
		return err
	}
	eid, err := platform.PathID(r, "eid", "evidence file")
	if err != nil {
		return err
	}
	e, data, err := h.store.EvidenceFile(r.Context(), p, id, eid)
	if err != nil {
		return err
	}
	writeFile(w, e.FileName, e.ContentType, data)
	return nil
}
