package dbi

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

// FirstYear is the first assessment year: Decision 1970 dates from December 2021.
const FirstYear = 2022

// Assessment is one enterprise's assessment for one year (a round).
type Assessment struct {
	ID             int64     `json:"id"`
	EnterpriseID   int64     `json:"enterprise_id"`
	EnterpriseName string    `json:"enterprise_name"`
	Year           int       `json:"year"`
	Index          IndexKind `json:"index"`
	State          State     `json:"state"`
	// Assessor is the requested external column: consultant or doic.
	Assessor     Column `json:"assessor,omitempty"`
	ConsultantID *int64 `json:"consultant_id,omitempty"`
	// Basis is the column MIC's appraisal started from.
	Basis        Column     `json:"basis,omitempty"`
	ReturnReason string     `json:"return_reason,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	CertifiedAt  *time.Time `json:"certified_at,omitempty"`
}

// GroupUnits is one column of a corporation/group assessment: the member
// units with their levels (Annex III) and, optionally, the group's staff total.
type GroupUnits struct {
	StaffTotal int64  `json:"staff_total,omitempty"`
	Units      []Unit `json:"units"`
	// Reason explains MIC's adjustment of the units.
	Reason string `json:"reason,omitempty"`
}

// Outcome is one column's score: points and levels recomputed from its
// levels whenever they change (DBI-2).
type Outcome struct {
	Column   Column `json:"column"`
	Answered int    `json:"answered"`
	Criteria int    `json:"criteria"`
	Complete bool   `json:"complete"`
	// Total and Max are points; for a group, the score Đth x 1000 out of 5000.
	Total   int            `json:"total"`
	Max     int            `json:"max"`
	Level   int            `json:"level"`
	Pillars []PillarResult `json:"pillars"`
	// Missing lists the criteria without a level.
	Missing []string     `json:"missing,omitempty"`
	Group   *GroupResult `json:"group,omitempty"`
}

// Percent is Total/Max in percent, for display.
func (o Outcome) Percent() float64 {
	if o.Max == 0 {
		return 0
	}
	return math.Round(float64(o.Total)*1000/float64(o.Max)) / 10
}

// Detail is an assessment with its four columns, their outcomes, and what
// the caller may do now.
type Detail struct {
	Assessment
	Enterprise Enterprise                `json:"enterprise"`
	Consultant *Consultant               `json:"consultant,omitempty"`
	Levels     map[Column]map[string]int `json:"levels"`
	// Reasons are MIC's reasons for adjusted criteria.
	Reasons     map[string]string     `json:"reasons,omitempty"`
	Units       map[Column]GroupUnits `json:"units,omitempty"`
	Outcomes    map[Column]Outcome    `json:"outcomes"`
	Certificate *Certificate          `json:"certificate,omitempty"`
	// Editable is the column the caller may write now ("" for none).
	Editable Column `json:"editable_column,omitempty"`
	// Actions are the transitions the caller may take now.
	Actions []Action `json:"actions"`
	model   *Model
}

// Model is the criteria model of the assessment's index (nil for a group).
func (d *Detail) Model() *Model { return d.model }

// Level returns the level of a criterion in a column and whether it is set.
func (d *Detail) Level(c Column, criterion string) (int, bool) {
	l, ok := d.Levels[c][criterion]
	return l, ok
}

const assessmentColumns = `a.id, a.enterprise_id, o.name, a.year, a.index_kind, a.state, a.assessor, a.consultant_id, a.basis,
	a.return_reason, a.created_at, a.updated_at, a.certified_at`

const assessmentFrom = ` FROM dbi_assessments a JOIN organisations o ON o.id = a.enterprise_id`

func scanAssessment(row interface{ Scan(...any) error }) (Assessment, error) {
	var a Assessment
	var cid sql.NullInt64
	var cert sql.NullTime
	err := row.Scan(&a.ID, &a.EnterpriseID, &a.EnterpriseName, &a.Year, &a.Index, &a.State, &a.Assessor, &cid, &a.Basis,
		&a.ReturnReason, &a.CreatedAt, &a.UpdatedAt, &cert)
	if cid.Valid {
		a.ConsultantID = &cid.Int64
	}
	if cert.Valid {
		a.CertifiedAt = &cert.Time
	}
	return a, err
}

// parties are the assessment, its enterprise and its engaged consultant,
// read together for every decision.
type parties struct {
	a Assessment
	e Enterprise
	c *Consultant
}

func loadParties(ctx context.Context, q platform.Querier, id int64) (parties, error) {
	a, err := scanAssessment(q.QueryRowContext(ctx, `SELECT `+assessmentColumns+assessmentFrom+` WHERE a.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return parties{}, platform.NotFound("assessment")
	}
	if err != nil {
		return parties{}, err
	}
	e, err := getEnterprise(ctx, q, a.EnterpriseID)
	if err != nil {
		return parties{}, err
	}
	pt := parties{a: a, e: e}
	if a.ConsultantID != nil {
		c, err := getConsultant(ctx, q, *a.ConsultantID)
		if err != nil {
			return parties{}, err
		}
		pt.c = &c
	}
	return pt, nil
}

// canView: the enterprise, its province's assessors, MIC, and the engaged consultant.
func (pt parties) canView(p *identity.Principal) bool {
	return canViewEnterprise(p, pt.e) || (pt.c != nil && actsFor(p, pt.c))
}

// is reports whether p acts as who on this assessment.
func (pt parties) is(p *identity.Principal, who Actor) bool {
	switch who {
	case ActorEnterprise:
		return canFill(p, pt.e)
	case ActorMIC:
		return isMIC(p)
	case ActorAssessor:
		switch pt.a.Assessor {
		case ColDoIC:
			return isDoIC(p, pt.e)
		case ColConsultant:
			return actsFor(p, pt.c)
		}
	}
	return false
}

// writer is the actor who writes a column.
func writer(c Column) Actor {
	switch c {
	case ColSelf:
		return ActorEnterprise
	case ColMIC:
		return ActorMIC
	}
	return ActorAssessor
}

// editable is the column p may write now ("" for none).
func (pt parties) editable(p *identity.Principal) Column {
	col, ok := EditableColumn(pt.a.State, pt.a.Assessor)
	if !ok || !pt.is(p, writer(col)) {
		return ""
	}
	return col
}

// actions are the transitions p may take now.
func (pt parties) actions(p *identity.Principal) []Action {
	out := []Action{}
	for _, t := range ActionsFrom(pt.a.State) {
		if pt.is(p, t.By) {
			out = append(out, t.Action)
		}
	}
	return out
}

// Assessment returns an assessment with its columns and outcomes; outside
// the caller's scope it is not found.
func (s *Store) Assessment(ctx context.Context, p *identity.Principal, id int64) (Detail, error) {
	pt, err := loadParties(ctx, s.db.Read, id)
	if err != nil {
		return Detail{}, err
	}
	if !pt.canView(p) {
		return Detail{}, platform.NotFound("assessment")
	}
	return detail(ctx, s.db.Read, p, pt)
}

func detail(ctx context.Context, q platform.Querier, p *identity.Principal, pt parties) (Detail, error) {
	d := Detail{Assessment: pt.a, Enterprise: pt.e, Consultant: pt.c, Levels: map[Column]map[string]int{},
		Reasons: map[string]string{}, Outcomes: map[Column]Outcome{}, Editable: pt.editable(p), Actions: pt.actions(p)}
	if d.Consultant != nil && !isMIC(p) && !actsFor(p, d.Consultant) {
		pub := d.Consultant.public()
		d.Consultant = &pub
	}
	for _, c := range Columns {
		d.Levels[c] = map[string]int{}
	}
	if pt.a.Index == Group {
		units, err := readUnits(ctx, q, pt.a.ID)
		if err != nil {
			return Detail{}, err
		}
		d.Units = units
		for _, c := range Columns {
			d.Outcomes[c] = groupOutcome(c, units[c])
		}
	} else {
		m, err := ModelFor(pt.a.Index)
		if err != nil {
			return Detail{}, err
		}
		d.model = m
		levels, reasons, err := readLevels(ctx, q, pt.a.ID)
		if err != nil {
			return Detail{}, err
		}
		for c, l := range levels {
			d.Levels[c] = l
		}
		d.Reasons = reasons
		for _, c := range Columns {
			d.Outcomes[c] = scoreOutcome(m, c, d.Levels[c])
		}
	}
	if pt.a.State == StateCertified {
		cert, err := certificateOf(ctx, q, pt.a.ID)
		if err != nil {
			return Detail{}, err
		}
		d.Certificate = &cert
	}
	return d, nil
}

func readLevels(ctx context.Context, q platform.Querier, id int64) (map[Column]map[string]int, map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT col, criterion, level, reason FROM dbi_levels WHERE assessment_id = $1`, id)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	levels := map[Column]map[string]int{}
	reasons := map[string]string{}
	for rows.Next() {
		var c Column
		var crit, reason string
		var l int
		if err := rows.Scan(&c, &crit, &l, &reason); err != nil {
			return nil, nil, err
		}
		if levels[c] == nil {
			levels[c] = map[string]int{}
		}
		levels[c][crit] = l
		if c == ColMIC && reason != "" {
			reasons[crit] = reason
		}
	}
	return levels, reasons, rows.Err()
}

func readUnits(ctx context.Context, q platform.Querier, id int64) (map[Column]GroupUnits, error) {
	rows, err := q.QueryContext(ctx, `SELECT col, staff_total, units, reason FROM dbi_group_units WHERE assessment_id = $1`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[Column]GroupUnits{}
	for rows.Next() {
		var c Column
		var g GroupUnits
		var raw string
		if err := rows.Scan(&c, &g.StaffTotal, &raw, &g.Reason); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(raw), &g.Units); err != nil {
			return nil, fmt.Errorf("assessment %d: units of %s: %w", id, c, err)
		}
		out[c] = g
	}
	return out, rows.Err()
}

// scoreOutcome scores one column; criteria without a level score 0 (DBI-2)
// and are listed as missing.
func scoreOutcome(m *Model, c Column, levels map[string]int) Outcome {
	o := Outcome{Column: c, Answered: len(levels), Criteria: len(m.byID), Max: m.Max}
	for _, cr := range m.Criteria() {
		if _, ok := levels[cr.ID]; !ok {
			o.Missing = append(o.Missing, cr.ID)
		}
	}
	o.Complete = len(o.Missing) == 0
	if r, err := m.Score(levels); err == nil { // stored levels were checked on the way in
		o.Total, o.Level, o.Pillars = r.Total, r.Level, r.Pillars
	}
	return o
}

// groupOutcome scores one column of a group assessment; a group's score Đth
// (0-5) is kept as thousandths out of 5000 so it ranks with points.
func groupOutcome(c Column, g GroupUnits) Outcome {
	o := Outcome{Column: c, Answered: len(g.Units), Criteria: len(g.Units), Max: 5000}
	if len(g.Units) == 0 {
		return o
	}
	r, err := ScoreGroup(g.Units)
	if err != nil {
		return o
	}
	o.Complete, o.Group = true, &r
	o.Total, o.Level = int(math.Round(r.Score*1000)), r.Level
	for _, pr := range r.Pillars {
		o.Pillars = append(o.Pillars, PillarResult{Pillar: pr.Pillar, Points: int(math.Round(pr.Score * 1000)), Max: 5000, Level: pr.Level})
	}
	return o
}

// NewAssessment starts a round.
type NewAssessment struct {
	Year int `json:"year"`
	// Index defaults to the one suggested by the enterprise's size (DBI-4).
	Index IndexKind `json:"index"`
}

// CreateAssessment starts an enterprise's assessment for a year; a year has
// one assessment, a new year starts a new one (DBI-5).
func (s *Store) CreateAssessment(ctx context.Context, p *identity.Principal, enterpriseID int64, in NewAssessment) (Detail, error) {
	var id int64
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		e, err := fillableEnterprise(ctx, tx, p, enterpriseID)
		if err != nil {
			return err
		}
		if in.Year == 0 {
			in.Year = now.In(vnZone).Year()
		}
		if in.Index == "" {
			in.Index = e.SuggestedIndex
		}
		var v platform.Validation
		v.Check(in.Year >= FirstYear && in.Year <= now.In(vnZone).Year(), "year", "invalid_year", "the year must be between %d and %d", FirstYear, now.In(vnZone).Year())
		v.Check(in.Index.Valid(), "index", "invalid_index", "unknown index %q (want sme, large or group)", in.Index)
		if err := v.Err(); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO dbi_assessments (enterprise_id, year, index_kind, state, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$5) RETURNING id`, enterpriseID, in.Year, string(in.Index), string(StateDraft), now).Scan(&id)
		if platform.IsUniqueViolation(err) {
			return platform.FieldError("year", "round_exists", "the enterprise already has an assessment for %d; a new round starts with a new year", in.Year)
		}
		if err != nil {
			return fmt.Errorf("insert assessment: %w", err)
		}
		return addEvent(ctx, tx, now, p, Event{EnterpriseID: &enterpriseID, AssessmentID: &id, Action: "assessment.create",
			To: StateDraft, Detail: fmt.Sprintf("%d, %s index", in.Year, in.Index)})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Assessment(ctx, p, id)
}

// vnZone is Vietnam's time zone: the assessment year is Vietnam's calendar year.
var vnZone = workday.Zone

// LevelsInput writes levels of one column: a criterion mapped to null is
// cleared. Criteria not mentioned keep their level.
type LevelsInput struct {
	Column Column          `json:"column"`
	Levels map[string]*int `json:"levels"`
	// Reasons: MIC must say why each criterion it sets differs from the
	// column its appraisal started from (seed line 4508).
	Reasons map[string]string `json:"reasons,omitempty"`
}

// begin reads the parties in a write transaction and checks that p may write
// column col now: not certified, the column editable in this state, p its writer.
func begin(ctx context.Context, tx platform.Tx, p *identity.Principal, id int64, col Column) (parties, error) {
	pt, err := loadParties(ctx, tx, id)
	if err != nil {
		return parties{}, err
	}
	if !pt.canView(p) {
		return parties{}, platform.NotFound("assessment")
	}
	if pt.a.State == StateCertified {
		return parties{}, errCertified()
	}
	if !col.Valid() {
		return parties{}, platform.FieldError("column", "invalid_column", "unknown column %q (want self, consultant, doic or mic)", col)
	}
	if want, ok := EditableColumn(pt.a.State, pt.a.Assessor); !ok || want != col {
		return parties{}, platform.Errorf(platform.EConflict, "column_locked", "the %s column cannot be changed while the assessment is %s",
			col.Label("en"), pt.a.State.Label("en"))
	}
	if !pt.is(p, writer(col)) {
		return parties{}, platform.Forbidden()
	}
	return pt, nil
}

// SaveLevels writes levels of the column p may edit, and records the change.
// Unknown criteria, criteria of the other index and levels out of range are
// refused with every problem listed; nothing is written then.
func (s *Store) SaveLevels(ctx context.Context, p *identity.Principal, id int64, in LevelsInput) (Detail, error) {
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		pt, err := begin(ctx, tx, p, id, in.Column)
		if err != nil {
			return err
		}
		if pt.a.Index == Group {
			return platform.Errorf(platform.EInvalid, "group_takes_units", "a corporation/group assessment takes member units, not criterion levels")
		}
		m, err := ModelFor(pt.a.Index)
		if err != nil {
			return err
		}
		if err := checkLevels(m, in.Levels); err != nil {
			return err
		}
		levels, reasons, err := readLevels(ctx, tx, id)
		if err != nil {
			return err
		}
		cur := levels[in.Column]
		var basis map[string]int
		if in.Column == ColMIC {
			basis = levels[pt.a.Basis]
			if err := checkReasons(in, basis, reasons); err != nil {
				return err
			}
		}
		set, cleared := 0, 0
		ids := make([]string, 0, len(in.Levels))
		for cid := range in.Levels {
			ids = append(ids, cid)
		}
		slices.SortFunc(ids, compareIDs)
		for _, cid := range ids {
			l := in.Levels[cid]
			old, had := cur[cid]
			if l == nil {
				if had {
					if _, err := tx.ExecContext(ctx, `DELETE FROM dbi_levels WHERE assessment_id=$1 AND col=$2 AND criterion=$3`, id, string(in.Column), cid); err != nil {
						return err
					}
					cleared++
				}
				continue
			}
			reason := ""
			if in.Column == ColMIC {
				reason = reasonFor(in, reasons, cid, *l, basis)
			}
			if had && old == *l && (in.Column != ColMIC || reasons[cid] == reason) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO dbi_levels (assessment_id, col, criterion, level, reason) VALUES ($1,$2,$3,$4,$5)
				ON CONFLICT (assessment_id, col, criterion) DO UPDATE SET level = excluded.level, reason = excluded.reason`,
				id, string(in.Column), cid, *l, reason); err != nil {
				return err
			}
			set++
			if in.Column == ColMIC {
				// Each MIC adjustment is audited with its reason (DBI-5).
				from := "none"
				if had {
					from = strconv.Itoa(old)
				}
				b := "none"
				if bl, ok := basis[cid]; ok {
					b = strconv.Itoa(bl)
				}
				if err := addEvent(ctx, tx, now, p, Event{EnterpriseID: &pt.e.ID, AssessmentID: &id, Action: "mic.adjust",
					Detail: fmt.Sprintf("criterion %s: level %s -> %d (%s column: %s); reason: %s", cid, from, *l, pt.a.Basis, b, reason)}); err != nil {
					return err
				}
			}
		}
		if set+cleared == 0 {
			return nil
		}
		if err := touch(ctx, tx, now, id); err != nil {
			return err
		}
		return addEvent(ctx, tx, now, p, Event{EnterpriseID: &pt.e.ID, AssessmentID: &id, Action: "levels.save",
			Detail: fmt.Sprintf("%s column: %d levels set, %d cleared", in.Column, set, cleared)})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Assessment(ctx, p, id)
}

// checkLevels refuses unknown criteria, criteria of the other index and
// levels out of range, naming each (the scoring package words the problems).
func checkLevels(m *Model, in map[string]*int) error {
	set := map[string]int{}
	var probs []Problem
	for id, l := range in {
		if l != nil {
			set[id] = *l
		} else if _, ok := m.Criterion(id); !ok {
			probs = append(probs, Problem{Criterion: id, Message: m.unknownCriterion(id)})
		}
	}
	_, err := m.Score(set)
	var ve *ValidationError
	if errors.As(err, &ve) {
		probs = append(probs, ve.Problems...)
	} else if err != nil {
		return err
	}
	if len(probs) == 0 {
		return nil
	}
	return problemsError("invalid_levels", newValidationError(probs))
}

// problemsError turns a validation error into the platform's error with the
// problems as an extension member, so the API lists each one and forms can
// mark each criterion.
func problemsError(code string, ve *ValidationError) *platform.Error {
	e := platform.Errorf(platform.EInvalid, code, "%s", ve.Error())
	e.Extra = map[string]any{"problems": ve.Problems}
	if len(ve.Problems) > 0 && ve.Problems[0].Criterion != "" {
		e.Field = "levels." + ve.Problems[0].Criterion
	}
	return e
}

func reasonFor(in LevelsInput, stored map[string]string, cid string, level int, basis map[string]int) string {
	if bl, ok := basis[cid]; ok && bl == level {
		return "" // back to the basis: nothing to explain
	}
	if r, ok := in.Reasons[cid]; ok {
		return strings.TrimSpace(r)
	}
	return stored[cid]
}

// checkReasons requires a reason for every MIC level that differs from the
// basis column, and bounds their length.
func checkReasons(in LevelsInput, basis map[string]int, stored map[string]string) error {
	var probs []Problem
	for cid, l := range in.Levels {
		if l == nil {
			continue
		}
		r := reasonFor(in, stored, cid, *l, basis)
		if bl, ok := basis[cid]; (!ok || bl != *l) && r == "" {
			probs = append(probs, Problem{Criterion: cid, Message: "an adjustment needs a reason"})
		}
		if utf8.RuneCountInString(r) > 1000 {
			probs = append(probs, Problem{Criterion: cid, Message: "the reason must be at most 1000 characters"})
		}
	}
	if len(probs) > 0 {
		return problemsError("reason_required", newValidationError(probs))
	}
	return nil
}

func touch(ctx context.Context, tx platform.Tx, now time.Time, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE dbi_assessments SET updated_at = $1 WHERE id = $2`, now, id)
	return err
}

// UnitsInput writes one column of a corporation/group assessment (Annex III).
type UnitsInput struct {
	Column Column `json:"column"`
	// StaffTotal, when given, must equal the units' staff: it catches a list
	// that misses units ("staff weights do not add up").
	StaffTotal int64  `json:"staff_total,omitempty"`
	Units      []Unit `json:"units"`
	Reason     string `json:"reason,omitempty"`
}

// SaveUnits writes the member units of a group assessment's column after
// checking them with ScoreGroup; bad units change nothing.
func (s *Store) SaveUnits(ctx context.Context, p *identity.Principal, id int64, in UnitsInput) (Detail, error) {
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		pt, err := begin(ctx, tx, p, id, in.Column)
		if err != nil {
			return err
		}
		if pt.a.Index != Group {
			return platform.Errorf(platform.EInvalid, "levels_not_units", "only a corporation/group assessment takes member units")
		}
		r, err := ScoreGroup(in.Units)
		var ve *ValidationError
		if errors.As(err, &ve) {
			return problemsError("invalid_units", ve)
		} else if err != nil {
			return err
		}
		if in.StaffTotal < 0 || (in.StaffTotal > 0 && in.StaffTotal != r.Staff) {
			return problemsError("staff_mismatch", newValidationError([]Problem{{Message: fmt.Sprintf(
				"staff weights do not add up: the units' staff sum to %d, staff_total is %d", r.Staff, in.StaffTotal)}}))
		}
		in.Reason = strings.TrimSpace(in.Reason)
		units, err := readUnits(ctx, tx, id)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(in.Units)
		if err != nil {
			return err
		}
		if in.Column == ColMIC {
			basis, _ := json.Marshal(units[pt.a.Basis].Units)
			if string(basis) == string(raw) {
				in.Reason = ""
			} else if in.Reason == "" {
				return platform.FieldError("reason", "reason_required", "an adjustment needs a reason")
			}
		} else {
			in.Reason = ""
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dbi_group_units (assessment_id, col, staff_total, units, reason) VALUES ($1,$2,$3,$4,$5)
			ON CONFLICT (assessment_id, col) DO UPDATE SET staff_total = excluded.staff_total, units = excluded.units, reason = excluded.reason`,
			id, string(in.Column), in.StaffTotal, string(raw), in.Reason); err != nil {
			return err
		}
		if err := touch(ctx, tx, now, id); err != nil {
			return err
		}
		action, detail := "units.save", fmt.Sprintf("%s column: %d units, score %.4f, level %d", in.Column, len(in.Units), r.Score, r.Level)
		if in.Column == ColMIC && in.Reason != "" {
			action, detail = "mic.adjust", detail+"; reason: "+in.Reason
		}
		return addEvent(ctx, tx, now, p, Event{EnterpriseID: &pt.e.ID, AssessmentID: &id, Action: action, Detail: detail})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Assessment(ctx, p, id)
}

// ActionInput is a workflow step.
type ActionInput struct {
	Action Action `json:"action"`
	// Assessor for request_evaluation: consultant (with ConsultantID) or doic.
	Assessor     Column `json:"assessor,omitempty"`
	ConsultantID int64  `json:"consultant_id,omitempty"`
	// Reason is required to return an assessment; optional otherwise.
	Reason string `json:"reason,omitempty"`
}

// Act takes a workflow step (the Transitions table decides which), checking
// who may take it, that the column it closes has a level for every
// criterion (each missing criterion is listed), and the consultant's
// independence; certification issues the certificate and the ranking entry.
func (s *Store) Act(ctx context.Context, p *identity.Principal, id int64, in ActionInput) (Detail, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		pt, err := loadParties(ctx, tx, id)
		if err != nil {
			return err
		}
		if !pt.canView(p) {
			return platform.NotFound("assessment")
		}
		t, err := Next(pt.a.State, in.Action)
		if err != nil {
			return err
		}
		if !pt.is(p, t.By) {
			return platform.Forbidden()
		}
		if utf8.RuneCountInString(in.Reason) > 2000 {
			return platform.FieldError("reason", "too_long", "the reason must be at most 2000 characters")
		}
		if col, ok := CompletedColumn(in.Action, pt.a.Assessor); ok {
			if err := requireComplete(ctx, tx, pt.a, col); err != nil {
				return err
			}
		}
		a := pt.a
		detail := in.Reason
		switch in.Action {
		case ActRequestEvaluation:
			a.Assessor, a.ConsultantID = in.Assessor, nil
			switch in.Assessor {
			case ColDoIC:
				detail = "DoIC of " + pt.e.ProvinceName
			case ColConsultant:
				c, err := getConsultant(ctx, tx, in.ConsultantID)
				if err != nil {
					return platform.FieldError("consultant_id", "unknown_consultant", "choose a recognised consultant")
				}
				up, err := userOrgPath(ctx, tx, c.UserID)
				if err != nil {
					return err
				}
				if err := conflict(c, up, pt.e); err != nil {
					return err
				}
				a.ConsultantID, detail = &c.ID, fmt.Sprintf("consultant #%d %s", c.ID, c.Name)
			default:
				return platform.FieldError("assessor", "invalid_assessor", "choose a consultant or the provincial DoIC")
			}
		case ActWithdraw, ActDecline, ActReopen:
			a.Assessor, a.ConsultantID = "", nil
		case ActStartAppraisal:
			// MIC appraises from the external assessment, or directly from the self-assessment.
			a.Basis = ColSelf
			if pt.a.State == StateExternallyAssessed {
				a.Basis = pt.a.Assessor
			}
			if err := copyColumn(ctx, tx, id, a.Basis, ColMIC); err != nil {
				return err
			}
			detail = "from the " + string(a.Basis) + " column"
		case ActReturn:
			if in.Reason == "" {
				return platform.FieldError("reason", "required", "say why the assessment is returned")
			}
			a.ReturnReason = in.Reason
		case ActCertify:
			a.CertifiedAt = &now
			code, err := certify(ctx, tx, now, p, pt)
			if err != nil {
				return err
			}
			detail = "certificate " + code
		}
		r, err := tx.ExecContext(ctx, `UPDATE dbi_assessments SET state=$1, assessor=$2, consultant_id=$3, basis=$4, return_reason=$5,
			certified_at=$6, updated_at=$7 WHERE id=$8 AND state=$9`,
			string(t.To), string(a.Assessor), a.ConsultantID, string(a.Basis), a.ReturnReason, a.CertifiedAt, now, id, string(pt.a.State))
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return platform.Errorf(platform.EConflict, "changed", "the assessment was changed meanwhile; reload and try again")
		}
		return addEvent(ctx, tx, now, p, Event{EnterpriseID: &pt.e.ID, AssessmentID: &id, ConsultantID: a.ConsultantID,
			Action: "assessment." + string(in.Action), From: pt.a.State, To: t.To, Detail: detail})
	})
	if err != nil {
		return Detail{}, err
	}
	d, err := s.Assessment(ctx, p, id)
	if platform.ErrorClass(err) == platform.ENotFound && (in.Action == ActDecline) {
		// A consultant who declined no longer sees the assessment.
		return Detail{Assessment: Assessment{ID: id, State: StateSelfAssessed}}, nil
	}
	return d, err
}

// requireComplete refuses a step when a column lacks levels, listing every
// missing criterion (or the group's missing units).
func requireComplete(ctx context.Context, q platform.Querier, a Assessment, col Column) error {
	if a.Index == Group {
		units, err := readUnits(ctx, q, a.ID)
		if err != nil {
			return err
		}
		if !groupOutcome(col, units[col]).Complete {
			return platform.Errorf(platform.EInvalid, "missing_units", "the %s column has no member units yet", col.Label("en"))
		}
		return nil
	}
	m, err := ModelFor(a.Index)
	if err != nil {
		return err
	}
	levels, _, err := readLevels(ctx, q, a.ID)
	if err != nil {
		return err
	}
	o := scoreOutcome(m, col, levels[col])
	if o.Complete {
		return nil
	}
	probs := make([]Problem, len(o.Missing))
	for i, id := range o.Missing {
		probs[i] = Problem{Criterion: id, Message: "no level given"}
	}
	e := platform.Errorf(platform.EInvalid, "missing_criteria", "%d of %d criteria have no level in the %s column: %s",
		len(o.Missing), o.Criteria, col.Label("en"), strings.Join(o.Missing, ", "))
	e.Extra = map[string]any{"missing": o.Missing, "problems": probs}
	return e
}

// copyColumn replaces column to with the levels (or units) of column from.
func copyColumn(ctx context.Context, tx platform.Tx, id int64, from, to Column) error {
	for _, q := range []string{
		`DELETE FROM dbi_levels WHERE assessment_id = $1 AND col = $2`,
		`DELETE FROM dbi_group_units WHERE assessment_id = $1 AND col = $2`,
	} {
		if _, err := tx.ExecContext(ctx, q, id, string(to)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO dbi_levels (assessment_id, col, criterion, level, reason)
		SELECT assessment_id, $2, criterion, level, '' FROM dbi_levels WHERE assessment_id = $1 AND col = $3`, id, string(to), string(from)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO dbi_group_units (assessment_id, col, staff_total, units, reason)
		SELECT assessment_id, $2, staff_total, units, '' FROM dbi_group_units WHERE assessment_id = $1 AND col = $3`, id, string(to), string(from))
	return err
}

// AssessmentFilter narrows ListAssessments.
type AssessmentFilter struct {
	EnterpriseID int64
	State        State
	Limit        int
}

// ListAssessments lists assessments the caller may see, newest first.
func (s *Store) ListAssessments(ctx context.Context, p *identity.Principal, f AssessmentFilter) ([]Assessment, error) {
	where, args := []string{"1=1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1))
	}
	if f.EnterpriseID != 0 {
		add("a.enterprise_id = ?", f.EnterpriseID)
	}
	if f.State != "" {
		add("a.state = ?", string(f.State))
	}
	if !isMIC(p) {
		scope := append(p.Scope(identity.PermDBIFill), p.Scope(identity.PermDBIAssess)...)
		cond, a := identity.ScopeSQL("o.path", scope, len(args)+1)
		where, args = append(where, cond), append(args, a...)
	}
	if f.Limit <= 0 || f.Limit > platform.MaxPageSize {
		f.Limit = 100
	}
	args = append(args, f.Limit)
	return queryAssessments(ctx, s.db.Read, `SELECT `+assessmentColumns+assessmentFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY a.year DESC, a.id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
}

func queryAssessments(ctx context.Context, q platform.Querier, query string, args ...any) ([]Assessment, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list assessments: %w", err)
	}
	defer rows.Close()
	out := []Assessment{}
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Queue lists what waits for the caller: requested evaluations for the
// engaged consultant and for the province's DoIC, appraisals for MIC.
func (s *Store) Queue(ctx context.Context, p *identity.Principal) ([]Assessment, error) {
	if p == nil {
		return []Assessment{}, nil
	}
	var out []Assessment
	if isMIC(p) {
		as, err := queryAssessments(ctx, s.db.Read, `SELECT `+assessmentColumns+assessmentFrom+
			` WHERE a.state IN ($1, $2) ORDER BY a.updated_at LIMIT 200`, string(StateExternallyAssessed), string(StateUnderAppraisal))
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	cons, err := s.MyConsultants(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, c := range cons {
		if c.Status != ConsultantRecognised {
			continue
		}
		as, err := queryAssessments(ctx, s.db.Read, `SELECT `+assessmentColumns+assessmentFrom+
			` WHERE a.consultant_id = $1 AND a.state = $2 ORDER BY a.updated_at LIMIT 200`, c.ID, string(StateEvaluationRequested))
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	var doic []string
	for _, g := range p.Grants {
		if g.Role == identity.RoleDoICAssessor || g.Role == identity.RoleITAdmin {
			doic = append(doic, g.OrgPath)
		}
	}
	if len(doic) > 0 || p.IsPlatformAdmin() {
		if p.IsPlatformAdmin() {
			doic = nil
		}
		cond, args := identity.ScopeSQL("o.path", doic, 3)
		as, err := queryAssessments(ctx, s.db.Read, `SELECT `+assessmentColumns+assessmentFrom+
			` WHERE a.assessor = $1 AND a.state = $2 AND `+cond+` ORDER BY a.updated_at LIMIT 200`,
			append([]any{string(ColDoIC), string(StateEvaluationRequested)}, args...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	slices.SortStableFunc(out, func(a, b Assessment) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	return slices.CompactFunc(out, func(a, b Assessment) bool { return a.ID == b.ID }), nil
}

// Events returns an assessment's audit trail, oldest first.
func (s *Store) Events(ctx context.Context, p *identity.Principal, assessmentID int64) ([]Event, error) {
	pt, err := loadParties(ctx, s.db.Read, assessmentID)
	if err != nil {
		return nil, err
	}
	if !pt.canView(p) {
		return nil, platform.NotFound("assessment")
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, at, user_id, user_name, enterprise_id, assessment_id, consultant_id,
		action, from_state, to_state, detail FROM dbi_events WHERE assessment_id = $1 ORDER BY id`, assessmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var uid, eid, aid, cid sql.NullInt64
		if err := rows.Scan(&e.ID, &e.At, &uid, &e.UserName, &eid, &aid, &cid, &e.Action, &e.From, &e.To, &e.Detail); err != nil {
			return nil, err
		}
		for _, x := range []struct {
			n *sql.NullInt64
			p **int64
		}{{&uid, &e.UserID}, {&eid, &e.EnterpriseID}, {&aid, &e.AssessmentID}, {&cid, &e.ConsultantID}} {
			if x.n.Valid {
				*x.p = ptr(x.n.Int64)
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
