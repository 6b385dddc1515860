package oversight

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

// Quality review states.
const (
	QualityDraft        = "draft"
	QualitySubmitted    = "submitted"    // reported to the IT unit (D47-16.4)
	QualityAcknowledged = "acknowledged" // the IT unit read it and answered
)

// UsageRow is one line of the sharing use of a database (D47-16.2đ),
// pre-filled from the sharing log: who used it, how often, for what.
type UsageRow struct {
	ConsumerOrgID   int64    `json:"consumer_org_id"`
	ConsumerOrgName string   `json:"consumer_org_name"`
	ServiceID       int64    `json:"service_id"`
	ServiceName     string   `json:"service_name"`
	Calls           int64    `json:"calls"`
	Errors          int64    `json:"errors"`
	Purposes        []string `json:"purposes"`
}

// QualityReview is a database owner's annual self-assessment (D47-16).
type QualityReview struct {
	ID           int64  `json:"id"`
	DatabaseID   int64  `json:"database_id"`
	DatabaseName string `json:"database_name"`
	OwnerOrgID   int64  `json:"owner_org_id"`
	OwnerOrgName string `json:"owner_org_name"`
	ITUnitOrgID  int64  `json:"it_unit_org_id"`
	ITUnitName   string `json:"it_unit_org_name"`
	Year         int    `json:"year"`
	State        string `json:"state"`
	QualityReviewInput
	// Usage is pre-filled from the sharing log (D47-16.2đ).
	Usage            []UsageRow `json:"usage"`
	UsageRefreshedAt *time.Time `json:"usage_refreshed_at"`
	// DueOn is the report's due day (31 December, D47-16.4).
	DueOn              string     `json:"due_on"`
	RuleID             string     `json:"rule_id"`
	SubmittedAt        *time.Time `json:"submitted_at"`
	SubmittedByName    string     `json:"submitted_by_name,omitempty"`
	OnTime             *bool      `json:"on_time"`
	Feedback           string     `json:"feedback,omitempty"`
	AcknowledgedAt     *time.Time `json:"acknowledged_at"`
	AcknowledgedByName string     `json:"acknowledged_by_name,omitempty"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
	// Access says what the reader may do.
	Access struct {
		Edit        bool `json:"edit"`
		Acknowledge bool `json:"acknowledge"`
	} `json:"access"`

	ownerPath, itUnitPath string
}

// QualityReviewInput is the content of the self-assessment (D47-16.2, 16.3).
type QualityReviewInput struct {
	// a) inventory of data items.
	ItemCount int    `json:"item_count"`
	Inventory string `json:"inventory"`
	// b) compliance with standards and rules.
	Compliance string `json:"compliance"`
	// c) quality: accuracy, integrity, anomalies, with counts where the owner has them.
	Accuracy       string `json:"accuracy"`
	Integrity      string `json:"integrity"`
	Anomalies      string `json:"anomalies"`
	RecordsTotal   *int64 `json:"records_total"`
	RecordsChecked *int64 `json:"records_checked"`
	ErrorsFound    *int64 `json:"errors_found"`
	Duplicates     *int64 `json:"duplicates"`
	AnomalyCount   *int64 `json:"anomaly_count"`
	// d) maintenance, updates, update and access logs.
	Maintenance string `json:"maintenance"`
	// đ) sharing: remarks on the pre-filled use, against the usage regulation.
	UsageNote string `json:"usage_note"`
	// e) other.
	Other string `json:"other"`
	// D47-16.3: proposed maintenance actions.
	ProposedActions string `json:"proposed_actions"`
}

// NewQualityReview starts the review of a database for a year.
type NewQualityReview struct {
	DatabaseID int64 `json:"database_id"`
	Year       int   `json:"year"`
}

// AcknowledgeInput is the IT unit's answer to a submitted review.
type AcknowledgeInput struct {
	Feedback string `json:"feedback"`
}

// PlanInput is the IT unit's data-quality plan for a year.
type PlanInput struct {
	OrgID int64  `json:"org_id"`
	Year  int    `json:"year"`
	Plan  string `json:"plan"`
}

// validate checks the review and reports every part in error at once;
// pre holds mistakes found before (a count a form could not read).
func (in *QualityReviewInput) validate(strict bool, pre error) error {
	var v platform.Validation
	if err := v.Merge(pre); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"inventory", &in.Inventory}, {"compliance", &in.Compliance}, {"accuracy", &in.Accuracy}, {"integrity", &in.Integrity},
		{"anomalies", &in.Anomalies}, {"maintenance", &in.Maintenance}, {"usage_note", &in.UsageNote}, {"other", &in.Other},
		{"proposed_actions", &in.ProposedActions}} {
		*f.v = strings.TrimSpace(*f.v)
		v.Merge(checkText(f.name, *f.v, 0, 8000))
		if strict && f.name != "usage_note" && f.name != "other" {
			v.Check(*f.v != "", f.name, "required", "this part of the review (D47-16.2) must be filled in before it is submitted")
		}
	}
	v.Check(in.ItemCount >= 0, "item_count", "negative", "a count cannot be negative")
	for _, f := range []struct {
		name string
		v    *int64
	}{{"records_total", in.RecordsTotal}, {"records_checked", in.RecordsChecked}, {"errors_found", in.ErrorsFound},
		{"duplicates", in.Duplicates}, {"anomaly_count", in.AnomalyCount}} {
		v.Check(f.v == nil || *f.v >= 0, f.name, "negative", "a count cannot be negative")
	}
	if in.RecordsTotal != nil && in.RecordsChecked != nil && !v.Has("records_total") {
		v.Check(*in.RecordsChecked <= *in.RecordsTotal, "records_checked", "too_many", "more records checked than there are")
	}
	return v.Err()
}

const qualityColumns = `q.id, q.database_id, q.database_name, q.owner_org_id, oo.name, oo.path, COALESCE(q.it_unit_org_id, 0),
	COALESCE(io.name, ''), COALESCE(io.path, ''), q.year, q.state, q.item_count, q.inventory, q.compliance, q.accuracy, q.integrity,
	q.anomalies, q.records_total, q.records_checked, q.errors_found, q.duplicates, q.anomaly_count, q.maintenance, q.usage, q.usage_note,
	q.usage_refreshed_at, q.other, q.proposed_actions, q.due_on, q.rule_id, q.submitted_at, q.submitted_by_name, q.on_time, q.feedback,
	q.acknowledged_at, q.acknowledged_by_name, q.created_at, q.updated_at`

const qualityFrom = ` FROM quality_reviews q JOIN organisations oo ON oo.id = q.owner_org_id
	LEFT JOIN organisations io ON io.id = q.it_unit_org_id`

func scanQuality(row interface{ Scan(...any) error }) (QualityReview, error) {
	var q QualityReview
	var total, checked, errs, dups, anomalies sql.NullInt64
	var refreshed, submitted, acked sql.NullTime
	var onTime sql.NullBool
	var usage string
	in := &q.QualityReviewInput
	err := row.Scan(&q.ID, &q.DatabaseID, &q.DatabaseName, &q.OwnerOrgID, &q.OwnerOrgName, &q.ownerPath, &q.ITUnitOrgID, &q.ITUnitName,
		&q.itUnitPath, &q.Year, &q.State, &in.ItemCount, &in.Inventory, &in.Compliance, &in.Accuracy, &in.Integrity, &in.Anomalies,
		&total, &checked, &errs, &dups, &anomalies, &in.Maintenance, &usage, &in.UsageNote, &refreshed, &in.Other, &in.ProposedActions,
		&q.DueOn, &q.RuleID, &submitted, &q.SubmittedByName, &onTime, &q.Feedback, &acked, &q.AcknowledgedByName, &q.CreatedAt, &q.UpdatedAt)
	if err != nil {
		return q, err
	}
	ptr := func(n sql.NullInt64) *int64 {
		if !n.Valid {
			return nil
		}
		v := n.Int64
		return &v
	}
	in.RecordsTotal, in.RecordsChecked, in.ErrorsFound, in.Duplicates, in.AnomalyCount = ptr(total), ptr(checked), ptr(errs), ptr(dups), ptr(anomalies)
	q.UsageRefreshedAt, q.SubmittedAt, q.AcknowledgedAt = timePtr(refreshed), timePtr(submitted), timePtr(acked)
	q.CreatedAt, q.UpdatedAt = q.CreatedAt.UTC(), q.UpdatedAt.UTC()
	if onTime.Valid {
		b := onTime.Bool
		q.OnTime = &b
	}
	_ = json.Unmarshal([]byte(usage), &q.Usage)
	if q.Usage == nil {
		q.Usage = []UsageRow{}
	}
	return q, nil
}

func int64Arg(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

// QualityReview returns one review: the owner's officers, the IT unit and auditors may read it.
func (s *Store) QualityReview(ctx context.Context, p *identity.Principal, id int64) (QualityReview, error) {
	if err := requireLogin(p); err != nil {
		return QualityReview{}, err
	}
	q, err := scanQuality(s.db.Read.QueryRowContext(ctx, `SELECT `+qualityColumns+qualityFrom+` WHERE q.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return q, platform.NotFound("quality review")
	}
	if err != nil {
		return q, fmt.Errorf("load quality review: %w", err)
	}
	paths := []string{q.ownerPath, q.itUnitPath}
	if !allowedAny(p, paths, identity.PermCatalogManage, identity.PermAuditRead, identity.PermSharingOversee) {
		return QualityReview{}, platform.NotFound("quality review")
	}
	q.Access.Edit = q.State == QualityDraft && p.Allowed(identity.PermCatalogManage, q.ownerPath)
	q.Access.Acknowledge = q.State == QualitySubmitted && q.itUnitPath != "" && p.Allowed(identity.PermSharingOversee, q.itUnitPath)
	return q, nil
}

// usageOf builds the sharing use of a database in a year from the sharing
// log and the accounts' purposes (D47-16.2đ).
func (s *Store) usageOf(ctx context.Context, databaseID int64, year int, now time.Time) ([]UsageRow, error) {
	out := []UsageRow{}
	if s.deps.Services == nil || s.deps.Calls == nil {
		return out, nil
	}
	all, err := s.deps.Services.AllServices(ctx)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	var ids []int64
	for _, svc := range all {
		if slices.Contains(svc.DatabaseIDs, databaseID) {
			ids = append(ids, svc.ID)
			names[svc.ID] = svc.Name
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	from := workday.NewDate(year, time.January, 1).Time()
	to := workday.NewDate(year+1, time.January, 1).Time()
	if now.Before(to) {
		to = now
	}
	counts, err := s.deps.Calls.MonthlyCalls(ctx, from, to, ids)
	if err != nil {
		return nil, err
	}
	type key struct{ consumer, service int64 }
	rows := map[key]*UsageRow{}
	for _, c := range counts {
		if !slices.Contains(ids, c.ServiceID) {
			continue
		}
		k := key{c.ConsumerOrgID, c.ServiceID}
		r := rows[k]
		if r == nil {
			r = &UsageRow{ConsumerOrgID: c.ConsumerOrgID, ServiceID: c.ServiceID, ServiceName: names[c.ServiceID], Purposes: []string{}}
			rows[k] = r
		}
		r.Calls += c.Calls
		r.Errors += c.Errors
	}
	if s.deps.Accounts != nil {
		for _, id := range ids {
			accs, err := s.deps.Accounts.Accounts(ctx, id, 0)
			if err != nil {
				return nil, err
			}
			for _, a := range accs {
				r := rows[key{a.ConsumerOrgID, id}]
				if r == nil || a.Purpose == "" || slices.Contains(r.Purposes, a.Purpose) {
					continue
				}
				r.Purposes = append(r.Purposes, a.Purpose)
			}
		}
	}
	var orgIDs []int64
	for k := range rows {
		orgIDs = append(orgIDs, k.consumer)
	}
	orgs, err := s.orgNames(ctx, orgIDs)
	if err != nil {
		return nil, err
	}
	for k, r := range rows {
		r.ConsumerOrgName = orgs[k.consumer].Name
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Calls != out[j].Calls {
			return out[i].Calls > out[j].Calls
		}
		return out[i].ConsumerOrgID < out[j].ConsumerOrgID
	})
	return out, nil
}

// StartQualityReview starts the annual review of a database, pre-filled
// with the catalog's inventory and the year's sharing use from the log.
// The database owner (catalog.manage) starts it.
func (s *Store) StartQualityReview(ctx context.Context, p *identity.Principal, in NewQualityReview) (QualityReview, error) {
	if err := requireLogin(p); err != nil {
		return QualityReview{}, err
	}
	if s.deps.Databases == nil {
		return QualityReview{}, errNoDependency
	}
	// The database first: the rights depend on its owner.
	var v platform.Validation
	var dbi DatabaseInfo
	var owner directory.Org
	if v.Check(in.DatabaseID > 0, "database_id", "required", "choose a database") {
		var err error
		dbi, err = s.deps.Databases.Database(ctx, in.DatabaseID)
		if platform.ErrorClass(err) == platform.ENotFound {
			v.Add("database_id", "unknown_database", "no database has this id")
		} else if err != nil {
			return QualityReview{}, err
		}
	}
	if !v.Has("database_id") {
		var err error
		if owner, err = s.dir.Org(ctx, dbi.OwnerOrgID); err != nil {
			return QualityReview{}, err
		}
		if !p.Allowed(identity.PermCatalogManage, owner.Path) {
			return QualityReview{}, platform.Forbidden()
		}
	}
	thisYear := s.today(ctx).Year()
	v.Check(in.Year >= 2020 && in.Year <= thisYear, "year", "invalid_year", "the year reviewed is between 2020 and %d", thisYear)
	if err := v.Err(); err != nil {
		return QualityReview{}, err
	}
	id, err := s.startQualityReview(ctx, actorOf(p), dbi, owner, in.Year, time.Time{})
	if err != nil {
		return QualityReview{}, err
	}
	return s.QualityReview(ctx, p, id)
}

func (s *Store) startQualityReview(ctx context.Context, by actor, dbi DatabaseInfo, owner directory.Org, year int, at time.Time) (int64, error) {
	now := at
	if now.IsZero() {
		now = s.now(ctx)
	}
	usage, err := s.usageOf(ctx, dbi.ID, year, now)
	if err != nil {
		return 0, err
	}
	itUnit, err := s.jurisdictionOf(ctx, owner)
	if err != nil {
		return 0, err
	}
	// D47-16.4: reported before 31 December of the year reviewed.
	due, rule, err := s.cfg.Rules.Due(rules.KeyQualityReportDue, s.cfg.Calendar, workday.NewDate(year, time.January, 1))
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO quality_reviews (database_id, database_name, owner_org_id, it_unit_org_id, year, state,
			item_count, inventory, usage, usage_refreshed_at, due_on, rule_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $11, $9, $9) RETURNING id`,
			dbi.ID, dbi.Name, owner.ID, nullInt(itUnit.ID), year, dbi.ItemCount,
			fmt.Sprintf("Danh mục CSDL có %d trường dữ liệu / the catalog lists %d data items.", dbi.ItemCount, dbi.ItemCount),
			jsonText(usage), now, due.String(), rule.ID).Scan(&id)
		if platform.IsUniqueViolation(err) {
			return fieldErr("year", "review_exists", "this database already has a review for %d", year)
		}
		return err
	})
	return id, err
}

// UpdateQualityReview saves the owner's draft.
func (s *Store) UpdateQualityReview(ctx context.Context, p *identity.Principal, id int64, in QualityReviewInput) (QualityReview, error) {
	return s.updateQualityWith(ctx, p, id, in, nil)
}

// updateQualityWith is UpdateQualityReview reporting pre (the counts a
// form could not read) with the other mistakes, after the rights.
func (s *Store) updateQualityWith(ctx context.Context, p *identity.Principal, id int64, in QualityReviewInput, pre error) (QualityReview, error) {
	q, err := s.ownDraft(ctx, p, id, coded(platform.EConflict, "review_submitted", "the review has been submitted and can no longer be changed"))
	if err != nil {
		return q, err
	}
	if err := in.validate(false, pre); err != nil {
		return QualityReview{}, err
	}
	return s.changeQuality(ctx, p, id, func(tx platform.Tx, now time.Time) error {
		return saveQuality(ctx, tx, id, in, now)
	})
}

func saveQuality(ctx context.Context, tx platform.Tx, id int64, in QualityReviewInput, now time.Time) error {
	r, err := tx.ExecContext(ctx, `UPDATE quality_reviews SET item_count=$1, inventory=$2, compliance=$3, accuracy=$4, integrity=$5,
		anomalies=$6, records_total=$7, records_checked=$8, errors_found=$9, duplicates=$10, anomaly_count=$11, maintenance=$12,
		usage_note=$13, other=$14, proposed_actions=$15, updated_at=$16 WHERE id=$17 AND state='draft'`,
		in.ItemCount, in.Inventory, in.Compliance, in.Accuracy, in.Integrity, in.Anomalies, int64Arg(in.RecordsTotal),
		int64Arg(in.RecordsChecked), int64Arg(in.ErrorsFound), int64Arg(in.Duplicates), int64Arg(in.AnomalyCount), in.Maintenance,
		in.UsageNote, in.Other, in.ProposedActions, now, id)
	if err != nil {
		return fmt.Errorf("save quality review: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return coded(platform.EConflict, "review_submitted", "the review has been submitted and can no longer be changed")
	}
	return nil
}

// RefreshUsage re-reads the sharing use of the draft's year from the log.
func (s *Store) RefreshUsage(ctx context.Context, p *identity.Principal, id int64) (QualityReview, error) {
	q, err := s.QualityReview(ctx, p, id)
	if err != nil {
		return q, err
	}
	if !q.Access.Edit {
		if q.State != QualityDraft {
			return QualityReview{}, coded(platform.EConflict, "review_submitted", "the review has been submitted and can no longer be changed")
		}
		return QualityReview{}, platform.Forbidden()
	}
	usage, err := s.usageOf(ctx, q.DatabaseID, q.Year, s.now(ctx))
	if err != nil {
		return QualityReview{}, err
	}
	return s.changeQuality(ctx, p, id, func(tx platform.Tx, now time.Time) error {
		_, err := tx.ExecContext(ctx, `UPDATE quality_reviews SET usage = $1, usage_refreshed_at = $2, updated_at = $2 WHERE id = $3 AND state = 'draft'`,
			jsonText(usage), now, id)
		return err
	})
}

// changeQuality runs fn in one write transaction and returns the review as
// the caller then sees it.
func (s *Store) changeQuality(ctx context.Context, p *identity.Principal, id int64, fn func(tx platform.Tx, now time.Time) error) (QualityReview, error) {
	if err := s.tx(ctx, time.Time{}, fn); err != nil {
		return QualityReview{}, err
	}
	return s.QualityReview(ctx, p, id)
}

// ownDraft is QualityReview for the owner's officers, who alone change or
// submit the draft: 403 for others, then notDraft once it was submitted.
func (s *Store) ownDraft(ctx context.Context, p *identity.Principal, id int64, notDraft error) (QualityReview, error) {
	q, err := s.QualityReview(ctx, p, id)
	if err != nil {
		return q, err
	}
	if !p.Allowed(identity.PermCatalogManage, q.ownerPath) {
		return QualityReview{}, platform.Forbidden()
	}
	if q.State != QualityDraft {
		return QualityReview{}, notDraft
	}
	return q, nil
}

// SubmitQualityReview reports the review to the ministry or provincial IT
// unit (D47-16.4), recording whether it came by 31 December.
func (s *Store) SubmitQualityReview(ctx context.Context, p *identity.Principal, id int64, in *QualityReviewInput) (QualityReview, error) {
	return s.submitQualityWith(ctx, p, id, in, nil)
}

// submitQualityWith is SubmitQualityReview reporting pre (the counts a form
// could not read) with the other mistakes, after the rights.
func (s *Store) submitQualityWith(ctx context.Context, p *identity.Principal, id int64, in *QualityReviewInput, pre error) (QualityReview, error) {
	q, err := s.ownDraft(ctx, p, id, coded(platform.EConflict, "review_submitted", "the review has already been submitted"))
	if err != nil {
		return q, err
	}
	content := q.QualityReviewInput
	if in != nil {
		content = *in
	}
	if err := content.validate(true, pre); err != nil {
		return QualityReview{}, err
	}
	if err := s.submitQuality(ctx, actorOf(p), q, content, time.Time{}); err != nil {
		return QualityReview{}, err
	}
	return s.QualityReview(ctx, p, id)
}

func (s *Store) submitQuality(ctx context.Context, by actor, q QualityReview, content QualityReviewInput, at time.Time) error {
	return s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		if err := saveQuality(ctx, tx, q.ID, content, now); err != nil {
			return err
		}
		due, _ := workday.ParseDate(q.DueOn)
		onTime := !workday.DateOf(now).After(due)
		if _, err := tx.ExecContext(ctx, `UPDATE quality_reviews SET state = 'submitted', submitted_at = $1, submitted_by_name = $2,
			on_time = $3 WHERE id = $4`, now, by.name, onTime, q.ID); err != nil {
			return err
		}
		return s.notify(ctx, tx, now, Notification{OrgID: q.ITUnitOrgID, Kind: "quality.submitted",
			Link:    "/quality-reviews/" + strconv.FormatInt(q.ID, 10),
			Title:   fmt.Sprintf("Báo cáo kiểm tra, đánh giá CSDL năm %d: %s", q.Year, q.DatabaseName),
			TitleEN: fmt.Sprintf("Database self-assessment %d: %s", q.Year, q.DatabaseName),
			Body:    q.OwnerOrgName + " đã gửi báo cáo (Điều 16 Nghị định 47).", BodyEN: q.OwnerOrgName + " submitted its report (D47-16)."})
	})
}

// AcknowledgeQualityReview records the IT unit's answer to a submitted review.
func (s *Store) AcknowledgeQualityReview(ctx context.Context, p *identity.Principal, id int64, in AcknowledgeInput) (QualityReview, error) {
	q, err := s.QualityReview(ctx, p, id)
	if err != nil {
		return q, err
	}
	if q.itUnitPath == "" || !p.Allowed(identity.PermSharingOversee, q.itUnitPath) {
		return QualityReview{}, platform.Forbidden()
	}
	if q.State != QualitySubmitted {
		return QualityReview{}, coded(platform.EConflict, "not_submitted", "only a submitted review can be acknowledged")
	}
	fb := strings.TrimSpace(in.Feedback)
	if err := minText("feedback", fb, 5, 8000, "write the IT unit's feedback (at least 5 characters)"); err != nil {
		return QualityReview{}, err
	}
	by := actorOf(p)
	return s.changeQuality(ctx, p, id, func(tx platform.Tx, now time.Time) error {
		if _, err := tx.ExecContext(ctx, `UPDATE quality_reviews SET state = 'acknowledged', feedback = $1, acknowledged_at = $2,
			acknowledged_by_name = $3, updated_at = $2 WHERE id = $4 AND state = 'submitted'`, fb, now, by.name, id); err != nil {
			return err
		}
		return s.notify(ctx, tx, now, Notification{OrgID: q.OwnerOrgID, Kind: "quality.acknowledged",
			Link: "/quality-reviews/" + strconv.FormatInt(id, 10), Title: "Đơn vị chuyên trách CNTT phản hồi báo cáo CSDL: " + q.DatabaseName,
			TitleEN: "The IT unit answered the database report: " + q.DatabaseName, Body: fb, BodyEN: fb})
	})
}

// QualityRow is one database in the IT unit's overview of a year.
type QualityRow struct {
	DatabaseID   int64      `json:"database_id"`
	DatabaseName string     `json:"database_name"`
	OwnerOrgID   int64      `json:"owner_org_id"`
	OwnerOrgName string     `json:"owner_org_name"`
	ReviewID     int64      `json:"review_id,omitempty"`
	State        string     `json:"state"` // missing, draft, submitted, acknowledged
	DueOn        string     `json:"due_on"`
	SubmittedAt  *time.Time `json:"submitted_at"`
	// Late: submitted after the due day, or not submitted and the day passed.
	Late bool `json:"late"`
}

// QualityPlan is an IT unit's data-quality plan for a year.
type QualityPlan struct {
	OrgID         int64     `json:"org_id"`
	OrgName       string    `json:"org_name"`
	Year          int       `json:"year"`
	Plan          string    `json:"plan"`
	UpdatedByName string    `json:"updated_by_name"`
	UpdatedAt     time.Time `json:"updated_at"`
	// Editable: the reader may change it.
	Editable bool `json:"editable"`
}

// QualityOverview is the state of every database's review for a year in
// the reader's scope, with the IT units' plans: who reported and who is late.
type QualityOverview struct {
	Year      int           `json:"year"`
	DueOn     string        `json:"due_on"`
	Rows      []QualityRow  `json:"rows"`
	Plans     []QualityPlan `json:"plans"`
	Submitted int           `json:"submitted"`
	Late      int           `json:"late"`
	Missing   int           `json:"missing"`
}

// QualityOverview lists the databases p oversees or owns with the state of
// their review for the year.
func (s *Store) QualityOverview(ctx context.Context, p *identity.Principal, year int) (QualityOverview, error) {
	if err := requireLogin(p); err != nil {
		return QualityOverview{}, err
	}
	today := s.today(ctx)
	if year == 0 {
		year = today.Year()
	}
	if year < 2020 || year > today.Year() {
		return QualityOverview{}, fieldErr("year", "invalid_year", "the year reviewed is between 2020 and %d", today.Year())
	}
	due, _, err := s.cfg.Rules.Due(rules.KeyQualityReportDue, s.cfg.Calendar, workday.NewDate(year, time.January, 1))
	if err != nil {
		return QualityOverview{}, err
	}
	ov := QualityOverview{Year: year, DueOn: due.String(), Rows: []QualityRow{}, Plans: []QualityPlan{}}
	scope := scopeAny(p, identity.PermCatalogManage, identity.PermSharingOversee, identity.PermAuditRead)
	var dbs []DatabaseInfo
	if s.deps.Databases != nil {
		if dbs, err = s.deps.Databases.AllDatabases(ctx); err != nil {
			return ov, err
		}
	}
	orgs, err := s.ownerOrgs(ctx, dbs)
	if err != nil {
		return ov, err
	}
	reviews := map[int64]QualityReview{}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+qualityColumns+qualityFrom+` WHERE q.year = $1`, year)
	if err != nil {
		return ov, err
	}
	for rows.Next() {
		q, err := scanQuality(rows)
		if err != nil {
			rows.Close()
			return ov, err
		}
		reviews[q.DatabaseID] = q
	}
	rows.Close()
	for _, d := range dbs {
		o, ok := orgs[d.OwnerOrgID]
		if !ok || !inScope(scope, o.Path) {
			continue
		}
		r := QualityRow{DatabaseID: d.ID, DatabaseName: d.Name, OwnerOrgID: o.ID, OwnerOrgName: o.Name, State: "missing", DueOn: due.String()}
		if q, ok := reviews[d.ID]; ok {
			r.ReviewID, r.State, r.SubmittedAt = q.ID, q.State, q.SubmittedAt
			if q.OnTime != nil {
				r.Late = !*q.OnTime
			}
		}
		if r.SubmittedAt == nil {
			r.Late = today.After(due)
			if r.State == "missing" {
				ov.Missing++
			}
		} else {
			ov.Submitted++
		}
		if r.Late {
			ov.Late++
		}
		ov.Rows = append(ov.Rows, r)
	}
	sort.Slice(ov.Rows, func(i, j int) bool {
		if ov.Rows[i].OwnerOrgName != ov.Rows[j].OwnerOrgName {
			return ov.Rows[i].OwnerOrgName < ov.Rows[j].OwnerOrgName
		}
		return ov.Rows[i].DatabaseName < ov.Rows[j].DatabaseName
	})
	prows, err := s.db.Read.QueryContext(ctx, `SELECT qp.org_id, o.name, o.path, qp.year, qp.plan, qp.updated_by_name, qp.updated_at
		FROM quality_plans qp JOIN organisations o ON o.id = qp.org_id WHERE qp.year = $1 ORDER BY o.name`, year)
	if err != nil {
		return ov, err
	}
	defer prows.Close()
	for prows.Next() {
		var pl QualityPlan
		var path string
		if err := prows.Scan(&pl.OrgID, &pl.OrgName, &path, &pl.Year, &pl.Plan, &pl.UpdatedByName, &pl.UpdatedAt); err != nil {
			return ov, err
		}
		if !inScope(scope, path) {
			continue
		}
		pl.UpdatedAt = pl.UpdatedAt.UTC()
		pl.Editable = p.Allowed(identity.PermSharingOversee, path)
		ov.Plans = append(ov.Plans, pl)
	}
	return ov, prows.Err()
}

// SetQualityPlan records the IT unit's data-quality plan for a year.
func (s *Store) SetQualityPlan(ctx context.Context, p *identity.Principal, in PlanInput) (QualityPlan, error) {
	if err := requireLogin(p); err != nil {
		return QualityPlan{}, err
	}
	var v platform.Validation
	o, err := s.org(ctx, in.OrgID, "org_id")
	if err := v.Merge(err); err != nil {
		return QualityPlan{}, err
	}
	if !v.Has("org_id") && !p.Allowed(identity.PermSharingOversee, o.Path) {
		return QualityPlan{}, platform.Forbidden()
	}
	this := s.today(ctx).Year()
	v.Check(in.Year >= 2020 && in.Year <= this+1, "year", "invalid_year", "the plan's year is between 2020 and %d", this+1)
	plan := strings.TrimSpace(in.Plan)
	v.Merge(minText("plan", plan, 10, 8000, "write the plan (at least 10 characters)"))
	if err := v.Err(); err != nil {
		return QualityPlan{}, err
	}
	by := actorOf(p)
	var out QualityPlan
	err = s.tx(ctx, time.Time{}, func(tx platform.Tx, now time.Time) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO quality_plans (org_id, year, plan, updated_by_name, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (org_id, year) DO UPDATE SET plan = excluded.plan, updated_by_name = excluded.updated_by_name, updated_at = excluded.updated_at`,
			o.ID, in.Year, plan, by.name, now)
		out = QualityPlan{OrgID: o.ID, OrgName: o.Name, Year: in.Year, Plan: plan, UpdatedByName: by.name, UpdatedAt: now, Editable: true}
		return err
	})
	return out, err
}

// ownerOrgs reads the organisations that own dbs, by id.
func (s *Store) ownerOrgs(ctx context.Context, dbs []DatabaseInfo) (map[int64]directory.Org, error) {
	var owners []int64
	for _, d := range dbs {
		owners = append(owners, d.OwnerOrgID)
	}
	return s.orgNames(ctx, owners)
}

// DatabasesFor lists the databases p may start a review for (owner's catalog.manage).
func (s *Store) DatabasesFor(ctx context.Context, p *identity.Principal) ([]DatabaseInfo, error) {
	if s.deps.Databases == nil || p == nil {
		return nil, nil
	}
	dbs, err := s.deps.Databases.AllDatabases(ctx)
	if err != nil {
		return nil, err
	}
	orgs, err := s.ownerOrgs(ctx, dbs)
	if err != nil {
		return nil, err
	}
	var out []DatabaseInfo
	for _, d := range dbs {
		if o, ok := orgs[d.OwnerOrgID]; ok && p.Allowed(identity.PermCatalogManage, o.Path) {
			out = append(out, d)
		}
	}
	return out, nil
}
