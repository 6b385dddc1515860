package opendata

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/workday"
)

// requirePublisher returns the principal when it may publish somewhere.
func requirePublisher(r *http.Request) (*identity.Principal, error) {
	p, err := web.RequireLogin(r)
	if err != nil {
		return nil, err
	}
	if !isPublisher(p) {
		return nil, platform.Forbidden()
	}
	return p, nil
}

// vocab is what the dataset form offers.
type vocab struct {
	Orgs        []directory.Org
	Licenses    []License
	Themes      []Theme
	Frequencies []Frequency
	Formats     []Format
	MaxUpload   string
	MaxBytes    int64
	UploadJS    string
	CSS         string
}

func (h *handlers) vocab(r *http.Request, p *identity.Principal) (vocab, error) {
	orgs, err := h.publisherOrgs(r.Context(), p)
	return vocab{Orgs: orgs, Licenses: Licenses, Themes: Themes, Frequencies: Frequencies, Formats: Formats,
		MaxUpload: humanBytes(h.store.MaxUpload()), MaxBytes: h.store.MaxUpload(), UploadJS: h.assets.URL("upload.js"), CSS: h.assets.URL("opendata.css")}, err
}

// publisherVocab is the publisher and what the dataset form offers them.
func (h *handlers) publisherVocab(r *http.Request) (*identity.Principal, vocab, error) {
	p, err := requirePublisher(r)
	if err != nil {
		return nil, vocab{}, err
	}
	voc, err := h.vocab(r, p)
	return p, voc, err
}

// --- dashboard ---

type manageData struct {
	vocab
	Datasets platform.PageResult[Dataset]
	Org      directory.Org
	Status   OrgStatus
	Q        string
	State    string
}

func (h *handlers) managePage(w http.ResponseWriter, r *http.Request) error {
	p, voc, err := h.publisherVocab(r)
	if err != nil {
		return err
	}
	if len(voc.Orgs) == 0 {
		return platform.Forbidden()
	}
	data := manageData{vocab: voc, Q: r.URL.Query().Get("q"), State: r.URL.Query().Get("state")}
	data.Org = voc.Orgs[0]
	orgID, _ := strconv.ParseInt(r.URL.Query().Get("org"), 10, 64)
	for _, o := range voc.Orgs {
		if o.ID == orgID || orgID == 0 && o.ID == p.OrgID {
			data.Org = o
		}
	}
	page, err := platform.PageFromRequest(r)
	if err != nil {
		return err
	}
	data.Datasets, err = h.store.ListManaged(r.Context(), ManagedFilter{Under: p.Scope(identity.PermOpenDataPublish), OrgID: orgID,
		State: data.State, Query: data.Q, Page: page})
	if err != nil {
		return err
	}
	if data.Status, err = h.store.Status(r.Context(), data.Org.ID, workday.DateOf(h.store.now())); err != nil {
		return err
	}
	h.site.Page(w, r, "opendata/manage.html", data)
	return nil
}

// --- dataset form ---

func datasetInputFrom(r *http.Request) DatasetInput {
	org, _ := strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	_ = r.ParseForm()
	return DatasetInput{OrgID: org, Name: r.PostFormValue("name"), Title: r.PostFormValue("title"), Notes: r.PostFormValue("notes"),
		Tags: SplitTags(r.PostFormValue("tags")), Themes: r.PostForm["themes"], LicenseID: r.PostFormValue("license_id"),
		Frequency: r.PostFormValue("frequency"), TemporalFrom: r.PostFormValue("temporal_from"), TemporalTo: r.PostFormValue("temporal_to"),
		Spatial: r.PostFormValue("spatial"), ContactName: r.PostFormValue("contact_name"), ContactEmail: r.PostFormValue("contact_email"),
		VersionNote: r.PostFormValue("version_note")}
}

// datasetForm is a dataset's values as a form (for redisplay).
func datasetForm(d Dataset) url.Values {
	v := url.Values{"org_id": {strconv.FormatInt(d.OrgID, 10)}, "name": {d.Name}, "title": {d.Title}, "notes": {d.Notes},
		"license_id": {d.LicenseID}, "frequency": {d.Frequency}, "temporal_from": {d.TemporalFrom}, "temporal_to": {d.TemporalTo},
		"spatial": {d.Spatial}, "contact_name": {d.ContactName}, "contact_email": {d.ContactEmail}}
	tags := ""
	for i, t := range d.Tags {
		if i > 0 {
			tags += ", "
		}
		tags += t
	}
	v.Set("tags", tags)
	v["themes"] = d.Themes
	return v
}

type newDatasetData struct {
	vocab
	Selected map[string]bool
}

func selectedThemes(v url.Values) map[string]bool {
	m := map[string]bool{}
	for _, t := range v["themes"] {
		m[t] = true
	}
	return m
}

func (h *handlers) newDatasetPage(w http.ResponseWriter, r *http.Request) error {
	p, voc, err := h.publisherVocab(r)
	if err != nil {
		return err
	}
	v := h.site.NewView(w, r, newDatasetData{vocab: voc, Selected: map[string]bool{}})
	v.Form = url.Values{"license_id": {DefaultLicense}, "frequency": {"annual"}, "org_id": {strconv.FormatInt(p.OrgID, 10)}}
	h.site.Render(w, r, http.StatusOK, "opendata/dataset_new.html", v)
	return nil
}

func (h *handlers) createDatasetForm(w http.ResponseWriter, r *http.Request) error {
	p, err := requirePublisher(r)
	if err != nil {
		return err
	}
	in := datasetInputFrom(r)
	d, err := h.createDataset(r.Context(), p, in)
	if err != nil {
		fe, err := web.FormErrors(err)
		if err != nil {
			return err
		}
		voc, verr := h.vocab(r, p)
		if verr != nil {
			return verr
		}
		v := h.site.NewView(w, r, newDatasetData{vocab: voc, Selected: selectedThemes(r.PostForm)})
		v.Errors, v.Form = fe, r.PostForm
		h.site.Render(w, r, http.StatusUnprocessableEntity, "opendata/dataset_new.html", v)
		return nil
	}
	web.Redirect(w, r, manageDatasetURL(d.ID), "Draft created. Add its resources, then publish it.")
	return nil
}

type manageDatasetData struct {
	vocab
	D             Dataset
	Selected      map[string]bool
	Versions      []VersionEntry
	History       []RevisionRecord
	Feedback      []Feedback
	FindingLabels map[string]string
	Update        *UpdateStatus
	Statuses      []Option
}

func (h *handlers) manageDatasetPage(w http.ResponseWriter, r *http.Request) error {
	id, err := platform.PathID(r, "id", "id")
	if err != nil {
		return err
	}
	return h.renderManageDataset(w, r, id, nil, http.StatusOK)
}

// renderManageDataset shows the publisher's page of a dataset, with form
// errors (field -> message) when a form failed.
func (h *handlers) renderManageDataset(w http.ResponseWriter, r *http.Request, id int64, errs map[string]string, status int) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	d, err := h.managedDataset(r.Context(), p, id)
	if err != nil {
		return err
	}
	voc, err := h.vocab(r, p)
	if err != nil {
		return err
	}
	data := manageDatasetData{vocab: voc, D: d, FindingLabels: FindingLabels, Statuses: options(FeedbackStatuses)}
	if data.Versions, err = h.store.Versions(r.Context(), d.ID); err != nil {
		return err
	}
	if data.History, err = h.store.CheckHistory(r.Context(), d.ID); err != nil {
		return err
	}
	if data.Feedback, err = h.store.ListFeedback(r.Context(), FeedbackFilter{DatasetID: d.ID, Limit: 100}); err != nil {
		return err
	}
	if errs != nil && r.Method == http.MethodPost {
		keepFeedbackAnswer(r, data.Feedback)
	}
	data.Update, _ = h.store.updateStatus(d, workday.DateOf(h.store.now()))
	v := h.site.NewView(w, r, &data)
	v.Errors = errs
	v.Form = datasetForm(d)
	if r.Method == http.MethodPost && errs != nil && r.PostForm != nil && r.PostForm.Get("title") != "" {
		v.Form = r.PostForm
	}
	data.Selected = selectedThemes(v.Form)
	if r.Method == http.MethodPost && hasFormErrors(errs, "link") {
		maps.Copy(v.Form, prefixForm("link", r.PostForm)) // the link form keeps what was sent
	}
	h.site.Render(w, r, status, "opendata/manage_dataset.html", v)
	return nil
}

// manageDatasetURL is the publisher's page of a dataset.
func manageDatasetURL(id int64) string {
	return "/opendata/manage/datasets/" + strconv.FormatInt(id, 10)
}

func (h *handlers) redisplay(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	fe, err := web.FormErrors(err)
	if err != nil {
		e := platform.AsError(err)
		if e.Class == platform.EConflict {
			return h.renderManageDataset(w, r, id, map[string]string{"_form": e.Message}, http.StatusConflict)
		}
		return err
	}
	return h.renderManageDataset(w, r, id, fe, http.StatusUnprocessableEntity)
}

// formErrors is web.FormErrors for one of the several forms of a page: the
// mistakes of its fields named in own are keyed form+"-"+field, to be shown
// beside them; any other mistake (the first) is keyed form, for the form's
// alert. Errors other than validation errors are returned.
func formErrors(err error, form string, own ...string) (map[string]string, error) {
	fe, err := web.FormErrors(err)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(fe))
	var others []string
	for field, msg := range fe {
		if slices.Contains(own, field) {
			out[form+"-"+field] = msg
		} else {
			others = append(others, field)
		}
	}
	if len(others) > 0 {
		// The first in the error's own order, not the map's.
		out[form] = fe[firstField(others, err)]
	}
	return out, nil
}

// firstField is the field of fields that err names first.
func firstField(fields []string, err error) string {
	for _, is := range platform.AsError(err).Issues() {
		if slices.Contains(fields, is.Field) {
			return is.Field
		}
	}
	if len(fields) > 0 {
		return fields[0]
	}
	return "_form"
}

// hasFormErrors reports whether errs holds a mistake of the form named form.
func hasFormErrors(errs map[string]string, form string) bool {
	for k := range errs {
		if k == form || strings.HasPrefix(k, form+"-") {
			return true
		}
	}
	return false
}

// prefixForm keys the submitted values of one form of a page with its
// name, as formErrors keys its mistakes.
func prefixForm(form string, v url.Values) url.Values {
	out := url.Values{}
	for k, vals := range v {
		out[form+"-"+k] = vals
	}
	return out
}

func (h *handlers) loadManaged(r *http.Request) (*identity.Principal, Dataset, error) {
	return h.callerDataset(r, web.RequireLogin)
}

func (h *handlers) updateDatasetForm(w http.ResponseWriter, r *http.Request) error {
	p, d, err := h.loadManaged(r)
	if err != nil {
		return err
	}
	in := datasetInputFrom(r)
	if _, err := h.updateDataset(r.Context(), p, d, in); err != nil {
		return h.redisplay(w, r, d.ID, err)
	}
	web.Redirect(w, r, manageDatasetURL(d.ID), "Saved.")
	return nil
}

func (h *handlers) publishForm(w http.ResponseWriter, r *http.Request) error {
	p, d, err := h.loadManaged(r)
	if err != nil {
		return err
	}
	if _, err := h.store.Publish(r.Context(), p.UserID, d.ID, r.PostFormValue("note")); err != nil {
		return h.redisplay(w, r, d.ID, err)
	}
	h.audit(r.Context(), p, "opendata.dataset.publish", "dataset:"+d.Name, r.PostFormValue("note"))
	web.Redirect(w, r, manageDatasetURL(d.ID), "Published: the dataset is open to everyone.")
	return nil
}

func (h *handlers) withdrawForm(w http.ResponseWriter, r *http.Request) error {
	p, d, err := h.loadManaged(r)
	if err != nil {
		return err
	}
	if _, err := h.withdraw(r.Context(), p, d, withdrawRequest{Reason: r.PostFormValue("reason")}); err != nil {
		return h.redisplay(w, r, d.ID, err)
	}
	web.Redirect(w, r, manageDatasetURL(d.ID), "Withdrawn from the portal.")
	return nil
}

func (h *handlers) deleteDatasetForm(w http.ResponseWriter, r *http.Request) error {
	p, d, err := h.loadManaged(r)
	if err != nil {
		return err
	}
	if err := h.store.DeleteDataset(r.Context(), d.ID); err != nil {
		return h.redisplay(w, r, d.ID, err)
	}
	h.audit(r.Context(), p, "opendata.dataset.delete", "dataset:"+d.Name, d.Title)
	web.Redirect(w, r, "/opendata/manage", "Draft deleted.")
	return nil
}

func (h *handlers) linkForm(w http.ResponseWriter, r *http.Request) error {
	p, d, err := h.loadManaged(r)
	if err != nil {
		return err
	}
	in := ResourceInput{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), Format: r.PostFormValue("format"),
		URL: r.PostFormValue("url"), ConfirmNoPersonalData: isOn(r.PostFormValue("confirm_no_personal_data")), ConfirmNote: r.PostFormValue("confirm_note")}
	res, err := h.addLink(r.Context(), p, d, in)
	if err != nil {
		fe, err := formErrors(err, "link", "name", "url", "format", "description")
		if err != nil {
			return err
		}
		return h.renderManageDataset(w, r, d.ID, fe, http.StatusUnprocessableEntity)
	}
	notice := "Link added."
	if res.Blocked() {
		notice = "Link added; it is held until an officer confirms it holds no personal information."
	}
	web.Redirect(w, r, manageDatasetURL(d.ID), notice)
	return nil
}

func (h *handlers) loadManagedResource(r *http.Request) (*identity.Principal, Resource, Dataset, error) {
	return h.callerResource(r, web.RequireLogin)
}

func (h *handlers) confirmForm(w http.ResponseWriter, r *http.Request) error {
	p, res, d, err := h.loadManagedResource(r)
	if err != nil {
		return err
	}
	if _, err := h.confirm(r.Context(), p, res, confirmRequest{Note: r.PostFormValue("note")}); err != nil {
		e := platform.AsError(err)
		if e.Class == platform.EInvalid || e.Class == platform.EConflict {
			return h.renderManageDataset(w, r, d.ID, map[string]string{"confirm-" + strconv.FormatInt(res.ID, 10): e.Message}, platform.StatusOf(e.Class))
		}
		return err
	}
	web.Redirect(w, r, manageDatasetURL(d.ID), "Confirmed: the resource may be published.")
	return nil
}

func (h *handlers) discardForm(w http.ResponseWriter, r *http.Request) error {
	return h.resourceForm(w, r, h.discard, "The held file was removed.")
}

func (h *handlers) deleteResourceForm(w http.ResponseWriter, r *http.Request) error {
	return h.resourceForm(w, r, h.deleteResource, "Resource removed.")
}

// resourceForm runs act on the path's resource and goes back to its
// dataset's page with notice, or shows the page with act's error.
func (h *handlers) resourceForm(w http.ResponseWriter, r *http.Request, act func(context.Context, *identity.Principal, Resource) error, notice string) error {
	p, res, d, err := h.loadManagedResource(r)
	if err != nil {
		return err
	}
	if err := act(r.Context(), p, res); err != nil {
		return h.redisplay(w, r, d.ID, err)
	}
	web.Redirect(w, r, manageDatasetURL(d.ID), notice)
	return nil
}

// --- plan (D47-19) ---

type planData struct {
	vocab
	Org    directory.Org
	Status OrgStatus
	Today  string
}

// The plan page's forms: their mistakes and values are keyed with these
// names (formErrors, prefixForm), as some of their fields share a name.
const (
	planReview = "review"
	planPhase  = "phase"
	planItem   = "item"
)

// planOrg returns the organisation chosen by ?org= (or the form's org_id)
// among those the principal may publish for.
func (h *handlers) planOrg(r *http.Request, p *identity.Principal) (directory.Org, vocab, error) {
	voc, err := h.vocab(r, p)
	if err != nil {
		return directory.Org{}, voc, err
	}
	if len(voc.Orgs) == 0 {
		return directory.Org{}, voc, platform.Forbidden()
	}
	s := r.URL.Query().Get("org")
	if r.Method == http.MethodPost {
		s = r.PostFormValue("org_id")
	}
	id, _ := strconv.ParseInt(s, 10, 64)
	if id == 0 {
		id = p.OrgID
	}
	for _, o := range voc.Orgs {
		if o.ID == id {
			return o, voc, nil
		}
	}
	if s != "" {
		return directory.Org{}, voc, platform.NotFound("organisation")
	}
	return voc.Orgs[0], voc, nil
}

func (h *handlers) planPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderPlan(w, r, "", nil, http.StatusOK)
}

// renderPlan shows the plan page, with the mistakes of the form named form
// beside its fields when it failed.
func (h *handlers) renderPlan(w http.ResponseWriter, r *http.Request, form string, errs map[string]string, status int) error {
	p, err := requirePublisher(r)
	if err != nil {
		return err
	}
	org, voc, err := h.planOrg(r, p)
	if err != nil {
		return err
	}
	today := workday.DateOf(h.store.now())
	st, err := h.store.Status(r.Context(), org.ID, today)
	if err != nil {
		return err
	}
	v := h.site.NewView(w, r, planData{vocab: voc, Org: org, Status: st, Today: today.String()})
	v.Errors = errs
	if errs != nil {
		v.Form = prefixForm(form, r.PostForm)
	}
	h.site.Render(w, r, status, "opendata/manage_plan.html", v)
	return nil
}

// planDone goes back to the plan after the form named form succeeded, or
// shows the page with its mistakes.
func (h *handlers) planDone(w http.ResponseWriter, r *http.Request, org directory.Org, form string, err error, notice string, fields ...string) error {
	if err != nil {
		fe, ferr := formErrors(err, form, fields...)
		if ferr != nil {
			return ferr
		}
		return h.renderPlan(w, r, form, fe, http.StatusUnprocessableEntity)
	}
	web.Redirect(w, r, "/opendata/manage/plan?org="+strconv.FormatInt(org.ID, 10), notice)
	return nil
}

func (h *handlers) addPhaseForm(w http.ResponseWriter, r *http.Request) error {
	_, org, err := h.publisherPlanOrg(r)
	if err != nil {
		return err
	}
	minDS, minStars := formInt(r, "min_datasets"), formInt(r, "min_stars")
	_, err = h.store.AddPhase(r.Context(), org.ID, PhaseInput{Name: r.PostFormValue("name"), StartsOn: r.PostFormValue("starts_on"),
		EndsOn: r.PostFormValue("ends_on"), MinDatasets: minDS, MinStars: minStars, Note: r.PostFormValue("note")})
	return h.planDone(w, r, org, planPhase, err, "Phase added.", "name", "starts_on", "ends_on", "min_datasets", "min_stars", "note")
}

// formInt is a form's whole number: 0 when empty, -1 (out of every range)
// when it is not a number.
func formInt(r *http.Request, field string) int {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

func (h *handlers) deletePhaseForm(w http.ResponseWriter, r *http.Request) error {
	return h.deletePlanRow(w, r, "pid", h.store.DeletePhase, "Phase removed.")
}

func (h *handlers) addItemForm(w http.ResponseWriter, r *http.Request) error {
	_, org, err := h.publisherPlanOrg(r)
	if err != nil {
		return err
	}
	phase, _ := strconv.ParseInt(r.PostFormValue("phase_id"), 10, 64)
	_, err = h.store.AddPlanItem(r.Context(), org.ID, PlanItemInput{PhaseID: phase, Title: r.PostFormValue("title"),
		Description: r.PostFormValue("description"), PlannedOn: r.PostFormValue("planned_on"), DatasetName: r.PostFormValue("dataset_name")})
	return h.planDone(w, r, org, planItem, err, "Added to the open-data list.", "title", "planned_on", "phase_id", "dataset_name", "description")
}

func (h *handlers) deleteItemForm(w http.ResponseWriter, r *http.Request) error {
	return h.deletePlanRow(w, r, "iid", h.store.DeletePlanItem, "Removed from the open-data list.")
}

// publisherPlanOrg is the publisher and the plan organisation a plan form acts on.
func (h *handlers) publisherPlanOrg(r *http.Request) (*identity.Principal, directory.Org, error) {
	p, err := requirePublisher(r)
	if err != nil {
		return nil, directory.Org{}, err
	}
	org, _, err := h.planOrg(r, p)
	return p, org, err
}

// deletePlanRow removes the row of the plan organisation named by the path's
// key; a failure is not a form error, so it is returned as is.
func (h *handlers) deletePlanRow(w http.ResponseWriter, r *http.Request, key string, del func(ctx context.Context, orgID, id int64) error, notice string) error {
	_, org, err := h.publisherPlanOrg(r)
	if err != nil {
		return err
	}
	id, err := platform.PathID(r, key, key)
	if err != nil {
		return err
	}
	if err := del(r.Context(), org.ID, id); err != nil {
		return err
	}
	return h.planDone(w, r, org, "", nil, notice)
}

func (h *handlers) addReviewForm(w http.ResponseWriter, r *http.Request) error {
	p, org, err := h.publisherPlanOrg(r)
	if err != nil {
		return err
	}
	_, err = h.store.AddReview(r.Context(), p.UserID, org.ID, r.PostFormValue("reviewed_on"), r.PostFormValue("note"))
	if err == nil {
		h.audit(r.Context(), p, "opendata.list.review", "org:"+strconv.FormatInt(org.ID, 10), r.PostFormValue("note"))
	}
	return h.planDone(w, r, org, planReview, err, "Review recorded.", "reviewed_on", "note")
}

// --- feedback and requests for publishers ---

type manageFeedbackData struct {
	Feedback []Feedback
	Requests []DataRequest
	Statuses []Option
	ReqStats []Option
	Status   string
}

func (h *handlers) manageFeedbackPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderManageFeedback(w, r, nil, http.StatusOK)
}

// renderManageFeedback shows the publisher's feedback and requests, with
// the mistakes of an answer's form (keyed answerForm's way) beside its
// fields, which keep the values sent.
func (h *handlers) renderManageFeedback(w http.ResponseWriter, r *http.Request, errs map[string]string, status int) error {
	p, err := requirePublisher(r)
	if err != nil {
		return err
	}
	scope := p.Scope(identity.PermOpenDataPublish)
	filter := r.URL.Query().Get("status")
	fb, err := h.store.ListFeedback(r.Context(), FeedbackFilter{Under: scope, Status: filter})
	if err != nil {
		return err
	}
	reqs, err := h.store.ListRequests(r.Context(), RequestFilter{Under: scope})
	if err != nil {
		return err
	}
	if errs != nil {
		keepFeedbackAnswer(r, fb)
		for i, q := range reqs {
			if answerForm("rq", q.ID) == r.PostFormValue("_answer") {
				reqs[i].Status, reqs[i].Response, reqs[i].DatasetName = r.PostFormValue("status"), r.PostFormValue("response"), r.PostFormValue("dataset_name")
			}
		}
	}
	v := h.site.NewView(w, r, manageFeedbackData{Feedback: fb, Requests: reqs, Statuses: options(FeedbackStatuses),
		ReqStats: options(RequestStatuses), Status: filter})
	v.Errors = errs
	h.site.Render(w, r, status, "opendata/manage_feedback.html", v)
	return nil
}

// answerForm names the form answering feedback ("fb") or a data request
// ("rq") id; its mistakes are keyed with it (formErrors).
func answerForm(kind string, id int64) string {
	return kind + "-" + strconv.FormatInt(id, 10)
}

// keepFeedbackAnswer puts the answer sent back in the feedback it was for,
// for a page redisplayed with its mistakes.
func keepFeedbackAnswer(r *http.Request, fb []Feedback) {
	for i, f := range fb {
		if answerForm("fb", f.ID) == r.PostFormValue("_answer") {
			fb[i].Status, fb[i].Response = r.PostFormValue("status"), r.PostFormValue("response")
		}
	}
}

// publisherAndID is the publisher and the path's id named key of a form
// answering feedback or a data request.
func publisherAndID(r *http.Request, key string) (*identity.Principal, int64, error) {
	p, err := requirePublisher(r)
	if err != nil {
		return nil, 0, err
	}
	id, err := platform.PathID(r, key, key)
	return p, id, err
}

func (h *handlers) respondFeedbackForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := publisherAndID(r, "fid")
	if err != nil {
		return err
	}
	fb, err := h.store.FeedbackByID(r.Context(), id)
	if err != nil {
		return err
	}
	if !canPublish(p, fb.OrgPath) {
		return platform.NotFound("feedback")
	}
	if _, err := h.store.RespondFeedback(r.Context(), p.UserID, id, r.PostFormValue("status"), r.PostFormValue("response")); err != nil {
		fe, err := formErrors(err, answerForm("fb", id), "status", "response")
		if err != nil {
			return err
		}
		r.PostForm.Set("_answer", answerForm("fb", id))
		if r.PostFormValue("back") == "dataset" {
			return h.renderManageDataset(w, r, fb.DatasetID, fe, http.StatusUnprocessableEntity)
		}
		return h.renderManageFeedback(w, r, fe, http.StatusUnprocessableEntity)
	}
	back := r.PostFormValue("back")
	if back != "dataset" {
		web.Redirect(w, r, "/opendata/manage/feedback", "Saved.")
		return nil
	}
	web.Redirect(w, r, manageDatasetURL(fb.DatasetID), "Saved.")
	return nil
}

func (h *handlers) respondRequestForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := publisherAndID(r, "qid")
	if err != nil {
		return err
	}
	req, err := h.store.Request(r.Context(), id)
	if err != nil {
		return err
	}
	// A request addressed to an organisation is answered by it; an
	// unaddressed one by any publisher who takes it up.
	if req.OrgID != 0 && !canPublish(p, req.OrgPath) {
		return platform.NotFound("data request")
	}
	if _, err := h.store.RespondRequest(r.Context(), p.UserID, id, r.PostFormValue("status"), r.PostFormValue("response"), r.PostFormValue("dataset_name")); err != nil {
		fe, err := formErrors(err, answerForm("rq", id), "status", "response", "dataset_name")
		if err != nil {
			return err
		}
		r.PostForm.Set("_answer", answerForm("rq", id))
		return h.renderManageFeedback(w, r, fe, http.StatusUnprocessableEntity)
	}
	web.Redirect(w, r, "/opendata/manage/feedback", "Saved.")
	return nil
}
