package oversight

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

type qualityOverviewData struct {
	Ov         QualityOverview
	Databases  []DatabaseInfo
	PlanOrgs   []directory.Org
	Years      []int
	ThisYear   int
	CanPlanFor bool
}

func (h *handlers) qualityOverviewData(r *http.Request, p *identity.Principal, year int) (qualityOverviewData, error) {
	ov, err := h.store.QualityOverview(r.Context(), p, year)
	if err != nil {
		return qualityOverviewData{}, err
	}
	dbs, err := h.store.DatabasesFor(r.Context(), p)
	if err != nil {
		return qualityOverviewData{}, err
	}
	orgs, err := h.jurisdictionsWith(r.Context(), p, identity.PermSharingOversee)
	if err != nil {
		return qualityOverviewData{}, err
	}
	this := h.store.today(r.Context()).Year()
	var years []int
	for y := this; y >= this-3 && y >= 2020; y-- {
		years = append(years, y)
	}
	return qualityOverviewData{Ov: ov, Databases: dbs, PlanOrgs: orgs, Years: years, ThisYear: this, CanPlanFor: len(orgs) > 0}, nil
}

func (h *handlers) qualityOverviewPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	year, err := queryInt(r, "year")
	if err != nil {
		return err
	}
	d, err := h.qualityOverviewData(r, p, int(year))
	if err != nil {
		return err
	}
	form := url.Values{"year": {strconv.Itoa(d.Ov.Year)}}
	for _, pl := range d.Ov.Plans {
		if pl.Editable {
			form.Set("plan", pl.Plan)
			form.Set("org_id", strconv.FormatInt(pl.OrgID, 10))
		}
	}
	h.render(w, r, "oversight/quality_overview.html", d, form)
	return nil
}

func (h *handlers) startQualityForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	q, err := h.store.StartQualityReview(r.Context(), p, NewQualityReview{DatabaseID: formInt(r, "database_id"), Year: int(formInt(r, "year"))})
	if err != nil {
		d, derr := h.qualityOverviewData(r, p, 0)
		if derr != nil {
			return derr
		}
		return h.renderForm(w, r, "oversight/quality_overview.html", d, err)
	}
	redirect(w, r, idPath("/quality-reviews/", q.ID), "Review started, pre-filled from the catalog and the sharing log.")
	return nil
}

func (h *handlers) planForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	year := int(formInt(r, "year"))
	if _, err := h.store.SetQualityPlan(r.Context(), p, PlanInput{OrgID: formInt(r, "org_id"), Year: year, Plan: r.PostFormValue("plan")}); err != nil {
		d, derr := h.qualityOverviewData(r, p, 0)
		if derr != nil {
			return derr
		}
		return h.renderForm(w, r, "oversight/quality_overview.html", d, err)
	}
	redirect(w, r, "/quality-reviews?year="+strconv.Itoa(year), "Plan saved.")
	return nil
}

type qualityData struct {
	Q QualityReview
}

func qualityForm(in QualityReviewInput) url.Values {
	num := func(v *int64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatInt(*v, 10)
	}
	return url.Values{"item_count": {strconv.Itoa(in.ItemCount)}, "inventory": {in.Inventory}, "compliance": {in.Compliance},
		"accuracy": {in.Accuracy}, "integrity": {in.Integrity}, "anomalies": {in.Anomalies}, "records_total": {num(in.RecordsTotal)},
		"records_checked": {num(in.RecordsChecked)}, "errors_found": {num(in.ErrorsFound)}, "duplicates": {num(in.Duplicates)},
		"anomaly_count": {num(in.AnomalyCount)}, "maintenance": {in.Maintenance}, "usage_note": {in.UsageNote}, "other": {in.Other},
		"proposed_actions": {in.ProposedActions}}
}

// qualityFromForm reads the review's fields; the counts that are not
// numbers are its error, one field each.
func qualityFromForm(r *http.Request) (QualityReviewInput, error) {
	in := QualityReviewInput{Inventory: r.PostFormValue("inventory"), Compliance: r.PostFormValue("compliance"),
		Accuracy: r.PostFormValue("accuracy"), Integrity: r.PostFormValue("integrity"), Anomalies: r.PostFormValue("anomalies"),
		Maintenance: r.PostFormValue("maintenance"), UsageNote: r.PostFormValue("usage_note"), Other: r.PostFormValue("other"),
		ProposedActions: r.PostFormValue("proposed_actions")}
	var v platform.Validation
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("item_count")))
	v.Check(err == nil || strings.TrimSpace(r.PostFormValue("item_count")) == "", "item_count", "invalid_number", "write a whole number")
	in.ItemCount = n
	for _, f := range []struct {
		name string
		dst  **int64
	}{{"records_total", &in.RecordsTotal}, {"records_checked", &in.RecordsChecked}, {"errors_found", &in.ErrorsFound},
		{"duplicates", &in.Duplicates}, {"anomaly_count", &in.AnomalyCount}} {
		s := strings.TrimSpace(r.PostFormValue(f.name))
		if s == "" {
			continue
		}
		x, err := strconv.ParseInt(s, 10, 64)
		if v.Check(err == nil, f.name, "invalid_number", "write a whole number") {
			*f.dst = &x
		}
	}
	return in, v.Err()
}

func (h *handlers) qualityPage(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "quality review")
	if err != nil {
		return err
	}
	q, err := h.store.QualityReview(r.Context(), p, id)
	if err != nil {
		return err
	}
	h.render(w, r, "oversight/quality.html", qualityData{Q: q}, qualityForm(q.QualityReviewInput))
	return nil
}

// qualityForm handles the review page's buttons: save, refresh, submit, acknowledge.
func (h *handlers) qualityForm(w http.ResponseWriter, r *http.Request) error {
	p, id, err := identity.CallerAndID(r, web.RequireLogin, "quality review")
	if err != nil {
		return err
	}
	ctx := r.Context()
	notice := "Saved."
	switch r.PostFormValue("action") {
	case "refresh":
		_, err = h.store.RefreshUsage(ctx, p, id)
		notice = "Sharing use refreshed from the log."
	case "acknowledge":
		_, err = h.store.AcknowledgeQualityReview(ctx, p, id, AcknowledgeInput{Feedback: r.PostFormValue("feedback")})
		notice = "Feedback sent to the database owner."
	case "submit", "save":
		// The counts that are not numbers are reported with the other mistakes.
		in, numErr := qualityFromForm(r)
		if r.PostFormValue("action") == "submit" {
			_, err = h.store.submitQualityWith(ctx, p, id, &in, numErr)
			notice = "Review submitted to the IT unit."
		} else {
			_, err = h.store.updateQualityWith(ctx, p, id, in, numErr)
		}
	default:
		return platform.FieldError("action", "invalid_action", "unknown action")
	}
	if err != nil {
		q, lerr := h.store.QualityReview(ctx, p, id)
		if lerr != nil {
			return err
		}
		return h.renderForm(w, r, "oversight/quality.html", qualityData{Q: q}, err)
	}
	redirect(w, r, idPath("/quality-reviews/", id), notice)
	return nil
}

// --- calendar ---

type calendarData struct {
	C     CalendarView
	Orgs  []directory.Org
	Org   int64
	Days  int
	Kinds []ListKind
}

func (h *handlers) calendarData(r *http.Request, p *identity.Principal) (calendarData, error) {
	org, days, err := deadlineQuery(r)
	if err != nil {
		return calendarData{}, err
	}
	c, err := h.store.Calendar(r.Context(), p, org, int(days))
	if err != nil {
		return calendarData{}, err
	}
	orgs, err := h.jurisdictionsWith(r.Context(), p, identity.PermAccountRead)
	if err != nil {
		return calendarData{}, err
	}
	if days == 0 {
		days = 90
	}
	return calendarData{C: c, Orgs: orgs, Org: org, Days: int(days), Kinds: h.store.cfg.ListKinds}, nil
}

func (h *handlers) calendarPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	d, err := h.calendarData(r, p)
	if err != nil {
		return err
	}
	h.render(w, r, "oversight/calendar.html", d, url.Values{"reviewed_on": {h.store.today(r.Context()).String()}})
	return nil
}

func (h *handlers) listReviewForm(w http.ResponseWriter, r *http.Request) error {
	p, err := web.RequireLogin(r)
	if err != nil {
		return err
	}
	_, err = h.store.RecordListReview(r.Context(), p, ListReviewInput{OrgID: formInt(r, "org_id"), Kind: ListKind(r.PostFormValue("kind")),
		ReviewedOn: r.PostFormValue("reviewed_on"), Note: r.PostFormValue("note")})
	if err != nil {
		d, derr := h.calendarData(r, p)
		if derr != nil {
			return derr
		}
		return h.renderForm(w, r, "oversight/calendar.html", d, err)
	}
	redirect(w, r, "/calendar#lists", "Review recorded; the next one is due in 6 months.")
	return nil
}
