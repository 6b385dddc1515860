package oversight

import (
	"context"
	"database/sql"
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

// ListKind is a list reviewed every 6 months.
type ListKind string

const (
	ListDefaultShared ListKind = "default_shared" // D47-34.2: default-shared data list
	ListOpenData      ListKind = "open_data"      // D47-20.3: open-data list
)

// ListKinds lists the kinds.
var ListKinds = []ListKind{ListDefaultShared, ListOpenData}

func (k ListKind) rule() string {
	if k == ListOpenData {
		return rules.KeyOpenDataListReview
	}
	return rules.KeyDefaultSharedReview
}

// ListReview records a review of a ministry's or province's list.
type ListReview struct {
	ID             int64     `json:"id"`
	OrgID          int64     `json:"org_id"`
	OrgName        string    `json:"org_name"`
	Kind           ListKind  `json:"kind"`
	ReviewedOn     string    `json:"reviewed_on"`
	Note           string    `json:"note"`
	ReviewedByName string    `json:"reviewed_by_name"`
	CreatedAt      time.Time `json:"created_at"`
}

// ListReviewInput records a review.
type ListReviewInput struct {
	OrgID int64    `json:"org_id"`
	Kind  ListKind `json:"kind"`
	// ReviewedOn is the day of the review (YYYY-MM-DD); empty: today.
	ReviewedOn string `json:"reviewed_on,omitempty"`
	Note       string `json:"note"`
}

// RecordListReview records that a ministry or province reviewed its
// default-shared (D47-34.2) or open-data (D47-20.3) list; the next review
// is then due 6 months later (from the registry).
func (s *Store) RecordListReview(ctx context.Context, p *identity.Principal, in ListReviewInput) (ListReview, error) {
	if err := requireLogin(p); err != nil {
		return ListReview{}, err
	}
	var v platform.Validation
	o, err := s.org(ctx, in.OrgID, "org_id")
	if err := v.Merge(err); err != nil {
		return ListReview{}, err
	}
	if !v.Has("org_id") && !p.Allowed(identity.PermSharingOversee, o.Path) {
		return ListReview{}, platform.Forbidden()
	}
	v.Check(slices.Contains(s.cfg.ListKinds, in.Kind), "kind", "invalid_kind", "the list is the default-shared list or the open-data list")
	today := s.today(ctx)
	day := today
	if in.ReviewedOn != "" {
		d, err := parseDate("reviewed_on", in.ReviewedOn)
		v.Merge(err)
		day = d
	}
	if !v.Has("reviewed_on") && v.Check(!day.After(today), "reviewed_on", "in_future", "a review cannot be recorded for a future day") {
		v.Check(day.Year() >= 2020, "reviewed_on", "too_old", "the day is too far in the past")
	}
	note := strings.TrimSpace(in.Note)
	v.Merge(minText("note", note, 5, 4000, "summarise the review (at least 5 characters)"))
	if err := v.Err(); err != nil {
		return ListReview{}, err
	}
	by := actorOf(p)
	var out ListReview
	err = s.tx(ctx, time.Time{}, func(tx platform.Tx, now time.Time) error {
		out = ListReview{OrgID: o.ID, OrgName: o.Name, Kind: in.Kind, ReviewedOn: day.String(), Note: note, ReviewedByName: by.name, CreatedAt: now}
		return tx.QueryRowContext(ctx, `INSERT INTO list_reviews (org_id, kind, reviewed_on, note, reviewed_by_name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, o.ID, string(in.Kind), day.String(), note, by.name, now).Scan(&out.ID)
	})
	return out, err
}

// ListReviews returns the recorded reviews of an organisation, newest first.
func (s *Store) ListReviews(ctx context.Context, orgID int64) ([]ListReview, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT r.id, r.org_id, o.name, r.kind, r.reviewed_on, r.note, r.reviewed_by_name, r.created_at
		FROM list_reviews r JOIN organisations o ON o.id = r.org_id WHERE r.org_id = $1 ORDER BY r.reviewed_on DESC, r.id DESC`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ListReview{}
	for rows.Next() {
		var r ListReview
		if err := rows.Scan(&r.ID, &r.OrgID, &r.OrgName, &r.Kind, &r.ReviewedOn, &r.Note, &r.ReviewedByName, &r.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CalendarEntry is one legal deadline (or a dated event) of an organisation.
type CalendarEntry struct {
	Due     string `json:"due"` // YYYY-MM-DD, the last day
	OrgID   int64  `json:"org_id"`
	OrgName string `json:"org_name"`
	Kind    string `json:"kind"` // obstacle_answer, agreement_expiry, quality_report, list_review, suspension_start, or another feature's kind
	Title   string `json:"title"`
	TitleEN string `json:"title_en"`
	Link    string `json:"link"`
	RuleID  string `json:"rule_id,omitempty"`
	// Overdue: the day has passed; WorkingDaysLeft counts working days from today (negative when overdue).
	Overdue         bool `json:"overdue"`
	WorkingDaysLeft int  `json:"working_days_left"`
	due             workday.Date
	orgPath         string
}

// CalendarView is the calendar page: overdue and upcoming deadlines.
type CalendarView struct {
	Today    string          `json:"today"`
	Until    string          `json:"until"`
	Overdue  []CalendarEntry `json:"overdue"`
	Upcoming []CalendarEntry `json:"upcoming"`
	// Lists are the list reviews of the ministries and provinces in scope.
	Lists []ListStatus `json:"lists"`
}

// ListStatus is the review state of one list of one ministry or province.
type ListStatus struct {
	OrgID      int64    `json:"org_id"`
	OrgName    string   `json:"org_name"`
	Kind       ListKind `json:"kind"`
	LastReview string   `json:"last_review,omitempty"`
	NextDue    string   `json:"next_due"`
	RuleID     string   `json:"rule_id"`
	Overdue    bool     `json:"overdue"`
	Editable   bool     `json:"editable"`
}

// Calendar lists the deadlines of the organisations in p's scope (or of
// one organisation and its units): every overdue one and those due within
// days calendar days.
func (s *Store) Calendar(ctx context.Context, p *identity.Principal, orgID int64, days int) (CalendarView, error) {
	if err := requireLogin(p); err != nil {
		return CalendarView{}, err
	}
	if days <= 0 {
		days = 90
	}
	if days > 366 {
		return CalendarView{}, fieldErr("days", "too_long", "look at most %d days ahead", 366)
	}
	scope := scopeAny(p, identity.PermAccountRead, identity.PermAuditRead, identity.PermSharingOversee, identity.PermCatalogManage)
	if orgID != 0 {
		o, err := s.org(ctx, orgID, "org")
		if err != nil {
			return CalendarView{}, err
		}
		if !inScope(scope, o.Path) {
			return CalendarView{}, platform.NotFound("organisation")
		}
		scope = []string{o.Path}
	}
	today := s.today(ctx)
	until := today.AddDays(days)
	all, lists, err := s.deadlines(ctx, today, until)
	if err != nil {
		return CalendarView{}, err
	}
	v := CalendarView{Today: today.String(), Until: until.String(), Overdue: []CalendarEntry{}, Upcoming: []CalendarEntry{}, Lists: []ListStatus{}}
	for _, d := range all {
		if !inScope(scope, d.orgPath) {
			continue
		}
		if d.Overdue {
			v.Overdue = append(v.Overdue, d)
		} else {
			v.Upcoming = append(v.Upcoming, d)
		}
	}
	for _, l := range lists {
		if inScope(scope, l.path) {
			l.ListStatus.Editable = p.Allowed(identity.PermSharingOversee, l.path)
			v.Lists = append(v.Lists, l.ListStatus)
		}
	}
	return v, nil
}

type listStatus struct {
	ListStatus
	path string
}

// deadlines computes every organisation's deadlines: overdue ones and those
// due by until. It reads this feature's records, the catalog's databases
// and other features' deadlines.
func (s *Store) deadlines(ctx context.Context, today, until workday.Date) ([]CalendarEntry, []listStatus, error) {
	var out []CalendarEntry
	add := func(d CalendarEntry) {
		if d.due.After(until) {
			return
		}
		d.Due = d.due.String()
		d.Overdue = today.After(d.due)
		d.WorkingDaysLeft = s.cfg.Calendar.WorkingDaysBetween(today, d.due)
		out = append(out, d)
	}
	// Obstacles waiting for an answer (D47-49.1, 49.2).
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, title, level, due_on, rule_id, provider_org_id, COALESCE(it_unit_org_id, 0)
		FROM obstacles WHERE state = 'open' AND level < 3 AND answered_at IS NULL AND due_on <> ''`)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id, provider, itUnit int64
		var title, due, rule string
		var level int
		if err := rows.Scan(&id, &title, &level, &due, &rule, &provider, &itUnit); err != nil {
			rows.Close()
			return nil, nil, err
		}
		org := provider
		if level == 2 {
			org = itUnit
		}
		d, err := workday.ParseDate(due)
		if err != nil {
			continue
		}
		add(CalendarEntry{due: d, OrgID: org, Kind: "obstacle_answer", RuleID: rule, Link: "/obstacles/" + strconv.FormatInt(id, 10),
			Title: fmt.Sprintf("Trả lời vướng mắc (cấp %d): %s", level, title), TitleEN: fmt.Sprintf("Answer the obstacle (level %d): %s", level, title)})
	}
	rows.Close()
	// Agreements reaching the end of their duration (D47-38 item 4).
	rows, err = s.db.Read.QueryContext(ctx, `SELECT a.id, a.title, a.valid_to, ap.org_id FROM agreements a
		JOIN agreement_parties ap ON ap.agreement_id = a.id WHERE a.state = 'in_force' AND a.valid_to <> ''`)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id, org int64
		var title, to string
		if err := rows.Scan(&id, &title, &to, &org); err != nil {
			rows.Close()
			return nil, nil, err
		}
		d, err := workday.ParseDate(to)
		if err != nil {
			continue
		}
		add(CalendarEntry{due: d, OrgID: org, Kind: "agreement_expiry", RuleID: "D47-38.4", Link: "/agreements/" + strconv.FormatInt(id, 10),
			Title: "Thỏa thuận hết thời hạn: " + title, TitleEN: "Agreement ends: " + title})
	}
	rows.Close()
	// Planned maintenance starting soon (D47-43.1a).
	rows, err = s.db.Read.QueryContext(ctx, `SELECT id, service_name, provider_org_id, start_at FROM suspensions
		WHERE cancelled_at IS NULL AND lifted_at IS NULL AND kind = 'maintenance' AND start_at > $1`, s.now(ctx))
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id, org int64
		var name string
		var start time.Time
		if err := rows.Scan(&id, &name, &org, &start); err != nil {
			rows.Close()
			return nil, nil, err
		}
		add(CalendarEntry{due: workday.DateOf(start), OrgID: org, Kind: "suspension_start", RuleID: "D47-43.1a",
			Link: "/suspensions/" + strconv.FormatInt(id, 10), Title: "Bắt đầu tạm ngừng bảo trì: " + name, TitleEN: "Maintenance starts: " + name})
	}
	rows.Close()
	// Annual database reports (D47-16.4): this year's and last year's, when not submitted.
	if s.deps.Databases != nil {
		dbs, err := s.deps.Databases.AllDatabases(ctx)
		if err != nil {
			return nil, nil, err
		}
		submitted := map[[2]int64]bool{}
		rows, err = s.db.Read.QueryContext(ctx, `SELECT database_id, year FROM quality_reviews WHERE state <> 'draft' AND year >= $1`, today.Year()-1)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var id, year int64
			if err := rows.Scan(&id, &year); err != nil {
				rows.Close()
				return nil, nil, err
			}
			submitted[[2]int64{id, year}] = true
		}
		rows.Close()
		for _, year := range []int{today.Year() - 1, today.Year()} {
			due, rule, err := s.cfg.Rules.Due(rules.KeyQualityReportDue, s.cfg.Calendar, workday.NewDate(year, time.January, 1))
			if err != nil {
				return nil, nil, err
			}
			for _, d := range dbs {
				if submitted[[2]int64{d.ID, int64(year)}] {
					continue
				}
				add(CalendarEntry{due: due, OrgID: d.OwnerOrgID, Kind: "quality_report", RuleID: rule.ID,
					Link:  "/quality-reviews?year=" + strconv.Itoa(year),
					Title: fmt.Sprintf("Báo cáo kiểm tra, đánh giá CSDL năm %d: %s", year, d.Name), TitleEN: fmt.Sprintf("Database self-assessment %d: %s", year, d.Name)})
			}
		}
	}
	// Default-shared and open-data list reviews of each ministry and province (D47-34.2, D47-20.3).
	lists, err := s.listStatuses(ctx, today)
	if err != nil {
		return nil, nil, err
	}
	for _, l := range lists {
		due, _ := workday.ParseDate(l.NextDue)
		title, titleEN := "Rà soát danh mục dữ liệu chia sẻ mặc định", "Review the default-shared data list"
		if l.Kind == ListOpenData {
			title, titleEN = "Rà soát danh mục dữ liệu mở", "Review the open-data list"
		}
		add(CalendarEntry{due: due, OrgID: l.OrgID, Kind: "list_review", RuleID: l.RuleID, Link: "/calendar#lists", Title: title, TitleEN: titleEN})
	}
	// Other features' deadlines (e.g. connection requests, D47-35.3).
	if s.deps.Deadlines != nil {
		ext, err := s.deps.Deadlines.OpenDeadlines(ctx, until)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range ext {
			add(CalendarEntry{due: e.Due, OrgID: e.OrgID, Kind: e.Kind, Title: e.Title, TitleEN: e.TitleEN, Link: e.Link, RuleID: e.RuleID})
		}
	}
	var ids []int64
	for _, d := range out {
		ids = append(ids, d.OrgID)
	}
	orgs, err := s.orgNames(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	kept := out[:0]
	for _, d := range out {
		o, ok := orgs[d.OrgID]
		if !ok {
			continue
		}
		d.OrgName, d.orgPath = o.Name, o.Path
		kept = append(kept, d)
	}
	sort.SliceStable(kept, func(i, j int) bool {
		if kept[i].Due != kept[j].Due {
			return kept[i].Due < kept[j].Due
		}
		return kept[i].OrgName < kept[j].OrgName
	})
	return kept, lists, nil
}

// listStatuses computes the next list reviews of every ministry and province.
func (s *Store) listStatuses(ctx context.Context, today workday.Date) ([]listStatus, error) {
	kinds := make([]string, len(directory.ITUnitKinds))
	args := make([]any, len(directory.ITUnitKinds))
	for i, k := range directory.ITUnitKinds {
		kinds[i] = "$" + strconv.Itoa(i+1)
		args[i] = string(k)
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT o.id, o.name, o.path,
		(SELECT MAX(r.reviewed_on) FROM list_reviews r WHERE r.org_id = o.id AND r.kind = 'default_shared'),
		(SELECT MAX(r.reviewed_on) FROM list_reviews r WHERE r.org_id = o.id AND r.kind = 'open_data')
		FROM organisations o WHERE o.active AND o.kind IN (`+strings.Join(kinds, ",")+`) ORDER BY o.name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []listStatus
	for rows.Next() {
		var id int64
		var name, path string
		var last [2]sql.NullString
		if err := rows.Scan(&id, &name, &path, &last[0], &last[1]); err != nil {
			return nil, err
		}
		for i, kind := range ListKinds {
			if !slices.Contains(s.cfg.ListKinds, kind) {
				continue
			}
			st := listStatus{ListStatus: ListStatus{OrgID: id, OrgName: name, Kind: kind}, path: path}
			due := today // never reviewed: due now
			if last[i].Valid {
				st.LastReview = last[i].String
				d, err := workday.ParseDate(last[i].String)
				if err != nil {
					return nil, err
				}
				next, rule, err := s.cfg.Rules.Due(kind.rule(), s.cfg.Calendar, d)
				if err != nil {
					return nil, err
				}
				due, st.RuleID = next, rule.ID
			} else if rule, err := s.cfg.Rules.At(kind.rule(), today); err == nil {
				st.RuleID = rule.ID
			}
			st.NextDue = due.String()
			st.Overdue = today.After(due)
			out = append(out, st)
		}
	}
	return out, rows.Err()
}

// sendDigests sends each organisation with deadlines overdue or due within
// DigestWithin working days one digest per day, from DigestHour (Vietnam
// time). A row in digest_runs claims the (organisation, day), so with
// several nodes each digest is sent once.
func (s *Store) sendDigests(ctx context.Context, now time.Time) (int, error) {
	local := now.In(workday.Location())
	if local.Hour() < s.cfg.DigestHour {
		return 0, nil
	}
	today := workday.DateOf(now)
	horizon := s.cfg.Calendar.AddWorkingDays(today, s.cfg.DigestWithin)
	all, _, err := s.deadlines(ctx, today, horizon)
	if err != nil {
		return 0, err
	}
	byOrg := map[int64][]CalendarEntry{}
	var orgs []int64
	for _, d := range all {
		if d.Kind == "suspension_start" {
			continue // an event, not something to do
		}
		if _, ok := byOrg[d.OrgID]; !ok {
			orgs = append(orgs, d.OrgID)
		}
		byOrg[d.OrgID] = append(byOrg[d.OrgID], d)
	}
	sent := 0
	for _, org := range orgs {
		items := byOrg[org]
		err := s.tx(ctx, now, func(tx platform.Tx, at time.Time) error {
			r, err := tx.ExecContext(ctx, `INSERT INTO digest_runs (org_id, day, items, created_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (org_id, day) DO NOTHING`, org, today.String(), len(items), at)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 0 {
				return nil // already sent today (by this or another node)
			}
			sent++
			var vi, en strings.Builder
			overdue := 0
			for _, d := range items {
				mark, markEN := "", ""
				if d.Overdue {
					overdue++
					mark, markEN = " (QUÁ HẠN)", " (OVERDUE)"
				}
				fmt.Fprintf(&vi, "- %s%s: %s\n", vnDate(d.due), mark, d.Title)
				fmt.Fprintf(&en, "- %s%s: %s\n", vnDate(d.due), markEN, d.TitleEN)
			}
			return s.notify(ctx, tx, at, Notification{OrgID: org, Kind: "digest", Link: "/calendar", Email: true,
				Title:   fmt.Sprintf("Thời hạn cần xử lý ngày %s: %d việc (%d quá hạn)", vnDate(today), len(items), overdue),
				TitleEN: fmt.Sprintf("Deadlines on %s: %d items (%d overdue)", vnDate(today), len(items), overdue),
				Body:    vi.String(), BodyEN: en.String()})
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}
