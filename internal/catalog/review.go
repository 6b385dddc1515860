package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

// Review is one recorded review of a provider's default-shared list.
type Review struct {
	ReviewedAt time.Time `json:"reviewed_at"`
	By         string    `json:"by"`
	Note       string    `json:"note"`
}

// ReviewStatus is where a provider stands with the D47-34.2 review of its
// list of default-shared data.
type ReviewStatus struct {
	OrgID      int64   `json:"org_id"`
	OrgName    string  `json:"org_name"`
	LastReview *Review `json:"last_review"`
	// Due is the day the next review is due (zero when there is nothing to
	// review yet); Overdue says it has passed.
	Due     workday.Date `json:"due,omitzero"`
	Overdue bool         `json:"overdue"`
	// RuleID and Interval cite the rule applied (e.g. "D47-34.2", "6 months").
	RuleID   string `json:"rule_id"`
	Interval string `json:"interval"`
	// Services are the published default-shared services of the provider.
	Services []Service `json:"services"`
	// Items are the default-shared data items of its published databases.
	Items   []DefaultItem `json:"items"`
	History []Review      `json:"history"`
}

// DefaultItem is a default-shared data item held in a database.
type DefaultItem struct {
	DatabaseID   int64  `json:"database_id"`
	DatabaseName string `json:"database_name"`
	Key          string `json:"key"`
	Name         string `json:"name"`
}

// ReviewStatus computes the D47-34.2 review state of a provider on day
// today: the next review is due one interval (the rule in force on the day
// of the last review) after the last review, or, when no review was recorded
// yet, after the first publication of a default-shared service or of a
// database with default-shared items.
func (s *Store) ReviewStatus(ctx context.Context, orgID int64, today workday.Date) (ReviewStatus, error) {
	st := ReviewStatus{OrgID: orgID, Services: []Service{}, Items: []DefaultItem{}, History: []Review{}}
	if err := s.db.Read.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1`, orgID).Scan(&st.OrgName); err != nil {
		if err == sql.ErrNoRows {
			return st, platform.NotFound("organisation")
		}
		return st, err
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT reviewed_at, reviewed_by_name, note FROM catalog_reviews WHERE org_id = $1 ORDER BY reviewed_at DESC, id DESC`, orgID)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var r Review
		if err := rows.Scan(&r.ReviewedAt, &r.By, &r.Note); err != nil {
			rows.Close()
			return st, err
		}
		r.ReviewedAt = r.ReviewedAt.UTC()
		st.History = append(st.History, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	srows, err := s.db.Read.QueryContext(ctx, `SELECT `+serviceColumns+serviceFrom+`
		WHERE s.provider_org_id = $1 AND s.form = 'default' AND s.status = 'published' ORDER BY s.name`, orgID)
	if err != nil {
		return st, err
	}
	for srows.Next() {
		sv, err := scanService(srows)
		if err != nil {
			srows.Close()
			return st, err
		}
		st.Services = append(st.Services, sv)
	}
	srows.Close()
	if err := srows.Err(); err != nil {
		return st, err
	}
	if err := loadServiceParts(ctx, s.db.Read, st.Services); err != nil {
		return st, err
	}
	irows, err := s.db.Read.QueryContext(ctx, `SELECT d.id, d.name, i.key, i.name, d.published_at FROM catalog_database_items i
		JOIN catalog_databases d ON d.id = i.database_id
		WHERE d.owner_org_id = $1 AND d.status = 'published' AND i.classification = 'default' ORDER BY d.id, i.position`, orgID)
	if err != nil {
		return st, err
	}
	var firstDB time.Time // the list also holds default-shared items of published databases
	for irows.Next() {
		var it DefaultItem
		var pub sql.NullTime
		if err := irows.Scan(&it.DatabaseID, &it.DatabaseName, &it.Key, &it.Name, &pub); err != nil {
			irows.Close()
			return st, err
		}
		if pub.Valid && (firstDB.IsZero() || pub.Time.Before(firstDB)) {
			firstDB = pub.Time
		}
		st.Items = append(st.Items, it)
	}
	irows.Close()
	if err := irows.Err(); err != nil {
		return st, err
	}
	var from time.Time
	if len(st.History) > 0 {
		st.LastReview = &st.History[0]
		from = st.LastReview.ReviewedAt
	} else {
		from = firstDB
		for _, sv := range st.Services {
			if sv.PublishedAt != nil && (from.IsZero() || sv.PublishedAt.Before(from)) {
				from = *sv.PublishedAt
			}
		}
	}
	if from.IsZero() {
		return st, nil
	}
	due, rule, err := s.rules.Due(rules.KeyDefaultSharedReview, s.cal, workday.DateOf(from))
	if err != nil {
		return st, fmt.Errorf("D47-34.2 rule: %w", err)
	}
	st.Due, st.RuleID, st.Interval = due, rule.ID, rule.ValueText()
	st.Overdue = today.After(due)
	return st, nil
}

// RecordReview records that a provider reviewed its default-shared list
// (D47-34.2); the next review is due one interval later.
func (s *Store) RecordReview(ctx context.Context, by Actor, orgID int64, note string) error {
	return s.recordReview(ctx, by, orgID, note, time.Time{})
}

func (s *Store) recordReview(ctx context.Context, by Actor, orgID int64, note string, at time.Time) error {
	note = strings.TrimSpace(note)
	if err := checkText("note", note, 0, 4000); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if !at.IsZero() {
			now = at.UTC()
		}
		if _, err := orgPath(ctx, tx, orgID, "org_id"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO catalog_reviews (org_id, reviewed_at, reviewed_by, reviewed_by_name, note) VALUES ($1,$2,$3,$4,$5)`,
			orgID, now, by.userID(), by.Name, note)
		return err
	})
}

// ReviewOverviewRow is one provider in the review overview.
type ReviewOverviewRow struct {
	OrgID        int64        `json:"org_id"`
	OrgName      string       `json:"org_name"`
	ServiceCount int          `json:"service_count"`
	LastReview   *time.Time   `json:"last_review"`
	Due          workday.Date `json:"due,omitzero"`
	Overdue      bool         `json:"overdue"`
}

// ReviewOverview lists every provider with published default-shared
// services or default-shared data items in published databases, and its
// D47-34.2 review due date, soonest first.
func (s *Store) ReviewOverview(ctx context.Context, today workday.Date) ([]ReviewOverviewRow, error) {
	// Times are folded in Go: SQLite returns aggregates of timestamps as text.
	svs, err := queryRows(ctx, s.db.Read, "review overview services", scanOrgPublication, `SELECT o.id, o.name, s.published_at
		FROM catalog_services s JOIN organisations o ON o.id = s.provider_org_id
		WHERE s.form = 'default' AND s.status = 'published'`)
	if err != nil {
		return nil, err
	}
	dbs, err := queryRows(ctx, s.db.Read, "review overview databases", scanOrgPublication, `SELECT o.id, o.name, d.published_at
		FROM catalog_databases d JOIN organisations o ON o.id = d.owner_org_id WHERE d.status = 'published'
		AND EXISTS (SELECT 1 FROM catalog_database_items i WHERE i.database_id = d.id AND i.classification = 'default')`)
	if err != nil {
		return nil, err
	}
	byOrg := map[int64]*ReviewOverviewRow{}
	first := map[int64]time.Time{} // each provider's first publication
	note := func(x orgPublication) *ReviewOverviewRow {
		r := byOrg[x.id]
		if r == nil {
			r = &ReviewOverviewRow{OrgID: x.id, OrgName: x.name}
			byOrg[x.id] = r
		}
		if x.published.Valid && (first[x.id].IsZero() || x.published.Time.Before(first[x.id])) {
			first[x.id] = x.published.Time
		}
		return r
	}
	for _, x := range svs {
		note(x).ServiceCount++
	}
	for _, x := range dbs {
		note(x)
	}
	if err := s.lastReviews(ctx, byOrg); err != nil {
		return nil, err
	}
	out := []ReviewOverviewRow{}
	for id, r := range byOrg {
		from := first[id]
		if r.LastReview != nil {
			from = *r.LastReview
		}
		if !from.IsZero() {
			due, _, err := s.rules.Due(rules.KeyDefaultSharedReview, s.cal, workday.DateOf(from))
			if err != nil {
				return nil, fmt.Errorf("D47-34.2 rule: %w", err)
			}
			r.Due, r.Overdue = due, today.After(due)
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Due != out[j].Due {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].OrgID < out[j].OrgID
	})
	return out, nil
}

// orgPublication is a published record of a provider.
type orgPublication struct {
	id        int64
	name      string
	published sql.NullTime
}

func scanOrgPublication(row scanner) (orgPublication, error) {
	var x orgPublication
	err := row.Scan(&x.id, &x.name, &x.published)
	return x, err
}

// lastReviews sets each listed provider's last review.
func (s *Store) lastReviews(ctx context.Context, byOrg map[int64]*ReviewOverviewRow) error {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT org_id, reviewed_at FROM catalog_reviews`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		if r := byOrg[id]; r != nil && (r.LastReview == nil || at.After(*r.LastReview)) {
			at = at.UTC()
			r.LastReview = &at
		}
	}
	return rows.Err()
}
