package opendata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

// Phase is a period of the organisation's open-data plan with the minimum
// level to reach by its end (D47-19: minimum levels per phase): at least
// MinDatasets datasets published during the phase at MinStars or more.
type Phase struct {
	ID          int64  `json:"id"`
	OrgID       int64  `json:"org_id"`
	Name        string `json:"name"`
	StartsOn    string `json:"starts_on"`
	EndsOn      string `json:"ends_on"`
	MinDatasets int    `json:"min_datasets"`
	MinStars    int    `json:"min_stars"`
	Note        string `json:"note"`
	// Computed:
	Published int    `json:"published"` // datasets published in the phase at MinStars or more
	Status    string `json:"status"`    // upcoming | in_progress | met | missed
}

// PhaseInput creates a phase.
type PhaseInput struct {
	Name        string `json:"name"`
	StartsOn    string `json:"starts_on"`
	EndsOn      string `json:"ends_on"`
	MinDatasets int    `json:"min_datasets"`
	MinStars    int    `json:"min_stars"`
	Note        string `json:"note"`
}

// PlanItem is a dataset the organisation plans to open, with its date.
type PlanItem struct {
	ID           int64  `json:"id"`
	OrgID        int64  `json:"org_id"`
	PhaseID      int64  `json:"phase_id,omitempty"`
	Title        string `json:"title"`
	Description  string `json:"description"`
	PlannedOn    string `json:"planned_on"`
	DatasetID    int64  `json:"dataset_id,omitempty"`
	DatasetName  string `json:"dataset_name,omitempty"`
	DatasetState string `json:"dataset_state,omitempty"`
	// Status: planned | late (past its date, not published) | published.
	Status string `json:"status"`
}

// PlanItemInput creates a plan item.
type PlanItemInput struct {
	PhaseID     int64  `json:"phase_id,omitempty"`
	Title       string `json:"title"`
	Description string `json:"description"`
	PlannedOn   string `json:"planned_on"`
	DatasetName string `json:"dataset_name,omitempty"`
}

func parseDay(field, s string) (workday.Date, error) {
	d, err := workday.ParseDate(strings.TrimSpace(s))
	if err != nil {
		return d, platform.FieldError(field, "invalid_date", "write the date as YYYY-MM-DD")
	}
	return d, nil
}

// parseDayIn is parseDay recording its mistake in v.
func parseDayIn(v *platform.Validation, field, s string) workday.Date {
	d, err := parseDay(field, s)
	_ = v.Merge(err) // parseDay only returns field errors
	return d
}

// AddPhase adds a phase to an organisation's plan.
func (s *Store) AddPhase(ctx context.Context, orgID int64, in PhaseInput) (Phase, error) {
	in.Name, in.Note = strings.TrimSpace(in.Name), strings.TrimSpace(in.Note)
	var v platform.Validation
	checkTextIn(&v, "name", in.Name, 2, 200)
	checkTextIn(&v, "note", in.Note, 0, 2000)
	from := parseDayIn(&v, "starts_on", in.StartsOn)
	to := parseDayIn(&v, "ends_on", in.EndsOn)
	if !v.Has("starts_on") && !v.Has("ends_on") {
		v.Check(!to.Before(from), "ends_on", "invalid_period", "the phase ends before it starts")
	}
	v.Check(in.MinDatasets >= 0 && in.MinDatasets <= 10000, "min_datasets", "invalid_number", "the minimum number of datasets must be between 0 and 10000")
	v.Check(in.MinStars >= 1 && in.MinStars <= 5, "min_stars", "invalid_number", "the minimum openness level is 1 to 5 stars")
	if err := v.Err(); err != nil {
		return Phase{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if err := checkOrg(ctx, tx, orgID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO od_plan_phases (org_id, name, starts_on, ends_on, min_datasets, min_stars, note, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`, orgID, in.Name, from.String(), to.String(), in.MinDatasets, in.MinStars, in.Note, now).Scan(&id)
	})
	if err != nil {
		return Phase{}, err
	}
	return Phase{ID: id, OrgID: orgID, Name: in.Name, StartsOn: from.String(), EndsOn: to.String(), MinDatasets: in.MinDatasets, MinStars: in.MinStars, Note: in.Note}, nil
}

// DeletePhase removes a phase of an organisation's plan (its items stay, unphased).
func (s *Store) DeletePhase(ctx context.Context, orgID, id int64) error {
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if _, err := tx.ExecContext(ctx, `UPDATE od_plan_items SET phase_id = NULL WHERE phase_id = $1 AND org_id = $2`, id, orgID); err != nil {
			return err
		}
		return execOne(ctx, tx, "phase", `DELETE FROM od_plan_phases WHERE id = $1 AND org_id = $2`, id, orgID)
	})
}

// AddPlanItem adds a planned dataset to an organisation's open-data list.
func (s *Store) AddPlanItem(ctx context.Context, orgID int64, in PlanItemInput) (PlanItem, error) {
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	var v platform.Validation
	checkTextIn(&v, "title", in.Title, 3, 300)
	checkTextIn(&v, "description", in.Description, 0, 4000)
	day := parseDayIn(&v, "planned_on", in.PlannedOn)
	var id int64
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if err := checkOrg(ctx, tx, orgID); err != nil {
			return err
		}
		// The phase and the dataset named are looked up and reported with
		// the other mistakes, before anything is written.
		var phase any
		if in.PhaseID > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM od_plan_phases WHERE id = $1 AND org_id = $2`, in.PhaseID, orgID).Scan(&n); err != nil {
				return err
			}
			v.Check(n > 0, "phase_id", "unknown_phase", "the phase does not exist")
			phase = in.PhaseID
		}
		ds, err := orgDatasetID(ctx, tx, orgID, in.DatasetName)
		if err := v.Merge(err); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO od_plan_items (org_id, phase_id, title, description, planned_on, dataset_id, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, orgID, phase, in.Title, in.Description, day.String(), ds, now).Scan(&id)
	})
	if err != nil {
		return PlanItem{}, err
	}
	return PlanItem{ID: id, OrgID: orgID, PhaseID: in.PhaseID, Title: in.Title, Description: in.Description, PlannedOn: day.String()}, nil
}

// LinkPlanItem attaches a dataset to a plan item (or detaches with "").
func (s *Store) LinkPlanItem(ctx context.Context, orgID, itemID int64, datasetName string) error {
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		ds, err := orgDatasetID(ctx, tx, orgID, datasetName)
		if err != nil {
			return err
		}
		return execOne(ctx, tx, "plan item", `UPDATE od_plan_items SET dataset_id = $1 WHERE id = $2 AND org_id = $3`, ds, itemID, orgID)
	})
}

// orgDatasetID is the id of the organisation's dataset named name, or nil
// (SQL NULL) when no name is given.
func orgDatasetID(ctx context.Context, tx platform.Tx, orgID int64, name string) (any, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, nil
	}
	var did int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM od_datasets WHERE name = $1 AND org_id = $2`, name, orgID).Scan(&did)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.FieldError("dataset_name", "unknown_dataset", "the organisation has no dataset named %q", name)
	}
	if err != nil {
		return nil, err
	}
	return did, nil
}

// DeletePlanItem removes an item from the plan.
func (s *Store) DeletePlanItem(ctx context.Context, orgID, itemID int64) error {
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		return execOne(ctx, tx, "plan item", `DELETE FROM od_plan_items WHERE id = $1 AND org_id = $2`, itemID, orgID)
	})
}

// Review is a recorded review of the organisation's open-data list.
type Review struct {
	ID         int64  `json:"id"`
	ReviewedOn string `json:"reviewed_on"`
	Note       string `json:"note"`
}

// AddReview records that the organisation reviewed its open-data list on a
// day (D47-20.3: at least every N months, by rule).
func (s *Store) AddReview(ctx context.Context, actor, orgID int64, day, note string) (Review, error) {
	note = strings.TrimSpace(note)
	var v platform.Validation
	d := parseDayIn(&v, "reviewed_on", day)
	v.Check(checkText("note", note, 3, 2000) == nil, "note", "required", "summarise the review (what was added, changed or removed)")
	if !v.Has("reviewed_on") {
		v.Check(!d.After(workday.DateOf(s.now())), "reviewed_on", "future_date", "a review cannot be recorded in the future")
	}
	if err := v.Err(); err != nil {
		return Review{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if err := checkOrg(ctx, tx, orgID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO od_list_reviews (org_id, reviewed_on, note, reviewed_by, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id`,
			orgID, d.String(), note, actor, now).Scan(&id)
	})
	if err != nil {
		return Review{}, err
	}
	return Review{ID: id, ReviewedOn: d.String(), Note: note}, nil
}

// Deadline is a date computed from a legal rule, with the rule cited.
type Deadline struct {
	Due      workday.Date `json:"due"`
	RuleID   string       `json:"rule_id"`
	RuleText string       `json:"rule_text"` // e.g. "6 months"
	Source   string       `json:"source"`
	Overdue  bool         `json:"overdue"`
}

// UpdateStatus is a published dataset's place in its update schedule
// (D47-20.3: updated within N months of the scheduled date, by rule).
type UpdateStatus struct {
	DatasetID   int64        `json:"dataset_id"`
	DatasetName string       `json:"dataset_name"`
	Title       string       `json:"title"`
	Frequency   string       `json:"frequency"`
	LastUpdate  workday.Date `json:"last_update"`
	Scheduled   workday.Date `json:"scheduled"`
	Deadline    *Deadline    `json:"deadline,omitempty"`
	// State: ok | due (past the scheduled date, within the deadline) | overdue.
	State string `json:"state"`
}

// OrgStatus is an organisation's open-data obligations on a day.
type OrgStatus struct {
	OrgID      int64          `json:"org_id"`
	Today      workday.Date   `json:"today"`
	Reviews    []Review       `json:"reviews"`
	NextReview *Deadline      `json:"next_review,omitempty"`
	Updates    []UpdateStatus `json:"updates"`
	Phases     []Phase        `json:"phases"`
	Items      []PlanItem     `json:"items"`
	Published  int            `json:"published"`
	Drafts     int            `json:"drafts"`
	Held       int            `json:"held"` // resources held by their publication check
	OpenIssues int            `json:"open_feedback"`
}

func (s *Store) deadline(key string, event, today workday.Date) (*Deadline, error) {
	due, rule, err := s.opts.Rules.Due(key, s.opts.Calendar, event)
	if errors.Is(err, rules.ErrNotFound) {
		return nil, nil // no rule in force on that day: nothing is due
	}
	if err != nil {
		return nil, err
	}
	return &Deadline{Due: due, RuleID: rule.ID, RuleText: rule.ValueText(), Source: rule.Source, Overdue: today.After(due)}, nil
}

// Status computes the organisation's plan, review and update obligations
// on day today, applying the rules in force on each event's date.
func (s *Store) Status(ctx context.Context, orgID int64, today workday.Date) (OrgStatus, error) {
	st := OrgStatus{OrgID: orgID, Today: today, Reviews: []Review{}, Updates: []UpdateStatus{}, Phases: []Phase{}, Items: []PlanItem{}}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, reviewed_on, note FROM od_list_reviews WHERE org_id = $1 ORDER BY reviewed_on DESC, id DESC`, orgID)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var r Review
		if err := rows.Scan(&r.ID, &r.ReviewedOn, &r.Note); err != nil {
			rows.Close()
			return st, err
		}
		st.Reviews = append(st.Reviews, r)
	}
	rows.Close()

	ds, err := s.loadDatasets(ctx, s.db.Read, `d.org_id = $1`, orgID)
	if err != nil {
		return st, err
	}
	var firstPublished workday.Date
	for _, d := range ds {
		for _, r := range d.Resources {
			if r.Blocked() {
				st.Held++
			}
		}
		switch d.State {
		case StateDraft:
			st.Drafts++
		case StatePublished:
			st.Published++
			if d.PublishedAt != nil {
				if p := workday.DateOf(*d.PublishedAt); firstPublished.IsZero() || p.Before(firstPublished) {
					firstPublished = p
				}
			}
			u, err := s.updateStatus(d, today)
			if err != nil {
				return st, err
			}
			if u != nil {
				st.Updates = append(st.Updates, *u)
			}
		}
	}
	sort.SliceStable(st.Updates, func(i, j int) bool { return st.Updates[i].Scheduled.Before(st.Updates[j].Scheduled) })

	// D47-20.3: the list is reviewed every N months, counted from the last
	// review, or from the first publication when there was none.
	base := firstPublished
	if len(st.Reviews) > 0 {
		base, _ = workday.ParseDate(st.Reviews[0].ReviewedOn)
	}
	if !base.IsZero() {
		if st.NextReview, err = s.deadline(rules.KeyOpenDataListReview, base, today); err != nil {
			return st, err
		}
	}

	if st.Phases, err = s.phases(ctx, orgID, ds, today); err != nil {
		return st, err
	}
	if st.Items, err = s.planItems(ctx, orgID, today); err != nil {
		return st, err
	}
	err = s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM od_feedback f JOIN od_datasets d ON d.id = f.dataset_id
		WHERE d.org_id = $1 AND f.status IN ('new', 'in_progress')`, orgID).Scan(&st.OpenIssues)
	return st, err
}

func (s *Store) updateStatus(d Dataset, today workday.Date) (*UpdateStatus, error) {
	f, ok := FrequencyOf(d.Frequency)
	if !ok || !f.Scheduled() || d.DataUpdatedAt == nil {
		return nil, nil
	}
	last := workday.DateOf(*d.DataUpdatedAt)
	scheduled := last.AddDays(f.Days)
	if f.Months > 0 {
		scheduled = last.AddMonths(f.Months)
	}
	u := &UpdateStatus{DatasetID: d.ID, DatasetName: d.Name, Title: d.Title, Frequency: d.Frequency, LastUpdate: last, Scheduled: scheduled, State: "ok"}
	dl, err := s.deadline(rules.KeyOpenDataUpdate, scheduled, today)
	if err != nil {
		return nil, err
	}
	u.Deadline = dl
	switch {
	case dl != nil && dl.Overdue:
		u.State = "overdue"
	case today.After(scheduled):
		u.State = "due"
	}
	return u, nil
}

func (s *Store) phases(ctx context.Context, orgID int64, ds []Dataset, today workday.Date) ([]Phase, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, org_id, name, starts_on, ends_on, min_datasets, min_stars, note
		FROM od_plan_phases WHERE org_id = $1 ORDER BY starts_on, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Phase{}
	for rows.Next() {
		var p Phase
		if err := rows.Scan(&p.ID, &p.OrgID, &p.Name, &p.StartsOn, &p.EndsOn, &p.MinDatasets, &p.MinStars, &p.Note); err != nil {
			return nil, err
		}
		from, _ := workday.ParseDate(p.StartsOn)
		to, _ := workday.ParseDate(p.EndsOn)
		for _, d := range ds {
			if !d.Published() || d.PublishedAt == nil {
				continue
			}
			pd := workday.DateOf(*d.PublishedAt)
			if !pd.Before(from) && !pd.After(to) && d.Stars() >= p.MinStars {
				p.Published++
			}
		}
		switch {
		case today.Before(from):
			p.Status = "upcoming"
		case p.Published >= p.MinDatasets:
			p.Status = "met"
		case !today.After(to):
			p.Status = "in_progress"
		default:
			p.Status = "missed"
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Store) planItems(ctx context.Context, orgID int64, today workday.Date) ([]PlanItem, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT i.id, i.org_id, COALESCE(i.phase_id, 0), i.title, i.description, i.planned_on,
		COALESCE(i.dataset_id, 0), COALESCE(d.name, ''), COALESCE(d.state, '')
		FROM od_plan_items i LEFT JOIN od_datasets d ON d.id = i.dataset_id WHERE i.org_id = $1 ORDER BY i.planned_on, i.id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PlanItem{}
	for rows.Next() {
		var it PlanItem
		if err := rows.Scan(&it.ID, &it.OrgID, &it.PhaseID, &it.Title, &it.Description, &it.PlannedOn, &it.DatasetID, &it.DatasetName, &it.DatasetState); err != nil {
			return nil, err
		}
		day, _ := workday.ParseDate(it.PlannedOn)
		switch {
		case it.DatasetState == StatePublished:
			it.Status = "published"
		case today.After(day):
			it.Status = "late"
		default:
			it.Status = "planned"
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Publisher is an organisation with published datasets (a CKAN organisation).
type Publisher struct {
	OrgID     int64     `json:"org_id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"` // CKAN name
	Title     string    `json:"title"`
	TitleEN   string    `json:"title_en"`
	Website   string    `json:"website"`
	Email     string    `json:"email"`
	Focal     string    `json:"focal_point"`
	Datasets  int       `json:"datasets"`
	CreatedAt time.Time `json:"created_at"`
}

// Publishers lists the organisations with published datasets, by title.
func (s *Store) Publishers(ctx context.Context) ([]Publisher, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT o.id, o.code, o.name, o.name_en, o.website, o.email, o.focal_name, COUNT(d.id), o.created_at
		FROM organisations o JOIN od_datasets d ON d.org_id = o.id AND d.state = 'published'
		GROUP BY o.id, o.code, o.name, o.name_en, o.website, o.email, o.focal_name, o.created_at ORDER BY o.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Publisher{}
	for rows.Next() {
		var p Publisher
		if err := rows.Scan(&p.OrgID, &p.Code, &p.Title, &p.TitleEN, &p.Website, &p.Email, &p.Focal, &p.Datasets, &p.CreatedAt); err != nil {
			return nil, err
		}
		p.Name = OrgName(p.Code)
		p.CreatedAt = p.CreatedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// PublisherByName finds an organisation by CKAN name, code or numeric id,
// whether or not it has published datasets.
func (s *Store) PublisherByName(ctx context.Context, name string) (Publisher, error) {
	var p Publisher
	err := s.db.Read.QueryRowContext(ctx, `SELECT o.id, o.code, o.name, o.name_en, o.website, o.email, o.focal_name, o.created_at,
		(SELECT COUNT(*) FROM od_datasets d WHERE d.org_id = o.id AND d.state = 'published')
		FROM organisations o WHERE LOWER(REPLACE(o.code, '.', '-')) = $1 OR o.code = $2 OR CAST(o.id AS TEXT) = $2`,
		strings.ToLower(name), name).Scan(&p.OrgID, &p.Code, &p.Title, &p.TitleEN, &p.Website, &p.Email, &p.Focal, &p.CreatedAt, &p.Datasets)
	if errors.Is(err, sql.ErrNoRows) {
		return Publisher{}, platform.NotFound("organization")
	}
	if err != nil {
		return Publisher{}, fmt.Errorf("organisation: %w", err)
	}
	p.Name = OrgName(p.Code)
	p.CreatedAt = p.CreatedAt.UTC()
	return p, nil
}

// dayText formats a date as pages do (dd/mm/yyyy).
func dayText(d workday.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day(), int(d.Month()), d.Year())
}

func isoDayText(s string) string {
	d, err := workday.ParseDate(s)
	if err != nil {
		return s
	}
	return dayText(d)
}

// DueText is the due date for pages.
func (d Deadline) DueText() string { return dayText(d.Due) }

// ScheduledText is the scheduled update date for pages.
func (u UpdateStatus) ScheduledText() string { return dayText(u.Scheduled) }

// LastUpdateText is the last update date for pages.
func (u UpdateStatus) LastUpdateText() string { return dayText(u.LastUpdate) }

// PeriodText is the phase's period for pages.
func (p Phase) PeriodText() string { return isoDayText(p.StartsOn) + " – " + isoDayText(p.EndsOn) }

// PlannedText is the planned publication date for pages.
func (it PlanItem) PlannedText() string { return isoDayText(it.PlannedOn) }

// OnText is the review date for pages.
func (r Review) OnText() string { return isoDayText(r.ReviewedOn) }
