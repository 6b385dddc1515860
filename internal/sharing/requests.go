package sharing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

const requestColumns = `r.id, r.state, r.consumer_org_id, r.consumer_org_code, r.consumer_org_name, r.application_code,
	r.application_name, r.purpose, r.items, r.service_id, r.service_identifier, r.service_name, r.provider_org_id, pr.name,
	r.expected_calls_per_day, r.frequency_note, r.other_info, r.received_at, r.due_on, r.rule_id, r.rule_version,
	r.rule_value, r.rule_unit, r.created_by, r.decided_at, r.decided_by, r.on_time, r.refusal_reason,
	r.refusal_legal_basis, r.withdrawn_at, r.account_id, c.path, pr.path`

const requestFrom = ` FROM connection_requests r JOIN organisations c ON c.id = r.consumer_org_id
	JOIN organisations pr ON pr.id = r.provider_org_id`

func scanRequest(row interface{ Scan(...any) error }) (Request, error) {
	var r Request
	var items string
	var createdBy, decidedBy, accountID sql.NullInt64
	var decidedAt, withdrawnAt sql.NullTime
	var onTime sql.NullBool
	err := row.Scan(&r.ID, &r.State, &r.ConsumerOrgID, &r.ConsumerOrgCode, &r.ConsumerOrgName, &r.ApplicationCode,
		&r.ApplicationName, &r.Purpose, &items, &r.ServiceID, &r.ServiceIdentifier, &r.ServiceName, &r.ProviderOrgID,
		&r.ProviderOrgName, &r.ExpectedCallsPerDay, &r.FrequencyNote, &r.OtherInfo, &r.ReceivedAt, &r.DueOn,
		&r.Deadline.RuleID, &r.Deadline.RuleVersion, &r.Deadline.Value, &r.Deadline.Unit, &createdBy, &decidedAt,
		&decidedBy, &onTime, &r.RefusalReason, &r.RefusalLegalBasis, &withdrawnAt, &accountID, &r.consumerPath, &r.providerPath)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(items), &r.Items); err != nil {
		return r, fmt.Errorf("request %d items: %w", r.ID, err)
	}
	r.ItemCount = len(r.Items)
	r.CreatedBy, r.DecidedBy, r.AccountID = nullInt(createdBy), nullInt(decidedBy), nullInt(accountID)
	r.DecidedAt, r.WithdrawnAt = nullTime(decidedAt), nullTime(withdrawnAt)
	if onTime.Valid {
		r.OnTime = &onTime.Bool
	}
	r.ReceivedAt = r.ReceivedAt.UTC()
	r.due, err = workday.ParseDate(r.DueOn)
	return r, err
}

func nullInt(v sql.NullInt64) *int64 {
	if v.Valid {
		return &v.Int64
	}
	return nil
}

func nullTime(t sql.NullTime) *time.Time {
	if t.Valid {
		u := t.Time.UTC()
		return &u
	}
	return nil
}

// derive fills the fields that depend on today.
func (s *Store) derive(r *Request, today workday.Date) {
	if r.State != StateSubmitted {
		return
	}
	r.WorkingDaysLeft = s.cal.WorkingDaysBetween(today, r.due)
	r.Overdue = today.After(r.due)
	r.Nearing = !r.Overdue && r.WorkingDaysLeft <= 1
}

func (s *Store) today() workday.Date { return workday.DateOf(s.db.Now()) }

// load reads one request without any authorisation check.
func (s *Store) load(ctx context.Context, q platform.Querier, id int64) (Request, error) {
	r, err := scanRequest(q.QueryRowContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Request{}, platform.NotFound("connection request")
	}
	if err != nil {
		return Request{}, fmt.Errorf("load request %d: %w", id, err)
	}
	s.derive(&r, s.today())
	return r, nil
}

// canSee: the requester's officers, the provider's deciders, and the IT
// units and auditors above either side.
func canSee(p *identity.Principal, consumerPath, providerPath string) bool {
	return p.Allowed(identity.PermRequestCreate, consumerPath) || p.Allowed(identity.PermRequestDecide, providerPath) ||
		p.Allowed(identity.PermSharingOversee, consumerPath) || p.Allowed(identity.PermSharingOversee, providerPath) ||
		p.Allowed(identity.PermAuditRead, consumerPath) || p.Allowed(identity.PermAuditRead, providerPath)
}

// visibleSQL is canSee as a SQL condition on c.path and pr.path.
func visibleSQL(p *identity.Principal, next int) (string, []any) {
	var conds []string
	var args []any
	add := func(col string, perm identity.Permission) {
		c, a := identity.ScopeSQL(col, p.Scope(perm), next+len(args))
		conds = append(conds, c)
		args = append(args, a...)
	}
	add("c.path", identity.PermRequestCreate)
	add("pr.path", identity.PermRequestDecide)
	add("c.path", identity.PermSharingOversee)
	add("pr.path", identity.PermSharingOversee)
	add("c.path", identity.PermAuditRead)
	add("pr.path", identity.PermAuditRead)
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// CanDecide reports whether p may approve or refuse r (D47-35.3: the provider decides).
func CanDecide(p *identity.Principal, r Request) bool {
	return r.State == StateSubmitted && p.Allowed(identity.PermRequestDecide, r.providerPath)
}

// CanWithdraw reports whether p may withdraw r: the requester, before the decision.
func CanWithdraw(p *identity.Principal, r Request) bool {
	return r.State == StateSubmitted && p.Allowed(identity.PermRequestCreate, r.consumerPath)
}

// Request returns one request the principal may see; others are "not found".
func (s *Store) Request(ctx context.Context, p *identity.Principal, id int64) (Request, error) {
	r, err := s.load(ctx, s.db.Read, id)
	if err != nil {
		return Request{}, err
	}
	if !canSee(p, r.consumerPath, r.providerPath) {
		return Request{}, platform.NotFound("connection request")
	}
	return r, nil
}

// RequesterOrgs lists the organisations on whose behalf p may request access.
func (s *Store) RequesterOrgs(ctx context.Context, p *identity.Principal) ([]directory.Org, error) {
	res, err := s.dir.ListOrgs(ctx, directory.OrgFilter{Under: p.Scope(identity.PermRequestCreate), Page: platform.Page{Limit: platform.MaxPageSize}})
	return res.Items, err
}

// Service returns a service from the catalog.
func (s *Store) Service(ctx context.Context, id int64) (ServiceInfo, error) {
	if s.svc == nil {
		return ServiceInfo{}, platform.NotFound("sharing service")
	}
	return s.svc.ServiceInfo(ctx, id)
}

// requestableService returns the service if it can be requested now.
func (s *Store) requestableService(ctx context.Context, id int64) (ServiceInfo, error) {
	svc, err := s.Service(ctx, id)
	if platform.ErrorClass(err) == platform.ENotFound {
		return ServiceInfo{}, platform.FieldError("service_id", "unknown_service", "sharing service %d does not exist", id)
	}
	if err != nil {
		return ServiceInfo{}, err
	}
	if svc.Status != ServicePublished {
		return ServiceInfo{}, platform.FieldError("service_id", "service_not_available",
			"service %s is not published (status %s) and cannot be requested", svc.Identifier, svc.Status)
	}
	return svc, nil
}

// CreateRequest validates and files a connection request on behalf of a
// consumer organisation (D47-35.1). The provider's deadline is the rule in
// force on the day of receipt.
func (s *Store) CreateRequest(ctx context.Context, p *identity.Principal, in RequestInput) (Request, error) {
	if p == nil {
		return Request{}, platform.Errorf(platform.EUnauthorized, "unauthenticated", "please log in")
	}
	if in.ConsumerOrgID == 0 {
		in.ConsumerOrgID = p.OrgID
	}
	// The right to file for the organisation is decided first, apart
	// from the form's mistakes.
	var v platform.Validation
	consumer, err := s.dir.Org(ctx, in.ConsumerOrgID)
	switch {
	case platform.ErrorClass(err) == platform.ENotFound:
		v.Add("consumer_org_id", "unknown_org", "organisation %d does not exist", in.ConsumerOrgID)
	case err != nil:
		return Request{}, err
	case !p.Allowed(identity.PermRequestCreate, consumer.Path):
		return Request{}, platform.Forbidden()
	}
	// Every mistake of the form is reported at once: the service, then
	// the fields, then the items against what the service returns.
	var svc ServiceInfo
	if in.ServiceID > 0 {
		svc, err = s.requestableService(ctx, in.ServiceID)
		if err := v.Merge(err); err != nil {
			return Request{}, err
		}
	}
	in.check(&v)
	var items []Item
	if !v.Has("service_id") && !v.Has("items") {
		items, err = pickItems(in.Items, svc)
		if err := v.Merge(err); err != nil {
			return Request{}, err
		}
	}
	if err := v.Err(); err != nil {
		return Request{}, err
	}
	id, err := s.createRequest(ctx, p.UserID, consumer, in, svc, items, time.Time{})
	if err != nil {
		return Request{}, err
	}
	return s.load(ctx, s.db.Read, id)
}

// tx runs fn in one write transaction; a non-zero at replaces "now" (demo
// data is dated in the past).
func (s *Store) tx(ctx context.Context, at time.Time, fn func(tx platform.Tx, now time.Time) error) error {
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if !at.IsZero() {
			now = at.UTC()
		}
		return fn(tx, now)
	})
}

// deadline applies the rule in force on the day of receipt (D47-35.3, since
// 19 August 2025 D47-35.3/D194-40.3), the receipt day not counted.
func (s *Store) deadline(received time.Time) (workday.Date, rules.Rule, error) {
	due, rule, err := s.rules.Due(rules.KeyConnectionDecision, s.cal, workday.DateOf(received))
	if err != nil {
		return workday.Date{}, rules.Rule{}, fmt.Errorf("connection request deadline: %w", err)
	}
	return due, rule, nil
}

func actorArg(userID int64) any {
	if userID == 0 {
		return nil
	}
	return userID
}

func (s *Store) createRequest(ctx context.Context, actor int64, consumer directory.Org, in RequestInput, svc ServiceInfo, items []Item, at time.Time) (int64, error) {
	provider, err := s.dir.Org(ctx, svc.ProviderOrgID)
	if err != nil {
		return 0, fmt.Errorf("provider of service %s: %w", svc.Identifier, err)
	}
	itemsJSON, _ := json.Marshal(items)
	search := platform.Fold(strings.Join([]string{consumer.Code, consumer.Name, in.ApplicationCode, in.ApplicationName,
		svc.Identifier, svc.Name, provider.Name}, " "))
	var id int64
	var due workday.Date
	var rule rules.Rule
	err = s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM connection_requests WHERE state = 'submitted'
			AND consumer_org_id = $1 AND service_id = $2 AND application_name = $3`,
			consumer.ID, svc.ID, in.ApplicationName).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return platform.Errorf(platform.EConflict, "duplicate_request",
				"a request of this application for this service is already waiting for a decision")
		}
		var err error
		if due, rule, err = s.deadline(now); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO connection_requests (state, consumer_org_id, consumer_org_code,
			consumer_org_name, application_code, application_name, purpose, items, service_id, service_identifier,
			service_name, provider_org_id, expected_calls_per_day, frequency_note, other_info, received_at, due_on,
			rule_id, rule_version, rule_value, rule_unit, created_by, search_text)
			VALUES ('submitted',$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22) RETURNING id`,
			consumer.ID, consumer.Code, consumer.Name, in.ApplicationCode, in.ApplicationName, in.Purpose, string(itemsJSON),
			svc.ID, svc.Identifier, svc.Name, svc.ProviderOrgID, in.ExpectedCallsPerDay, in.FrequencyNote, in.OtherInfo,
			now, due.String(), rule.ID, rule.EffectiveFrom.String(), rule.Value, string(rule.Unit), actorArg(actor), search).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert request: %w", err)
		}
		names := itemLabels(items)
		return s.notify(ctx, tx, now, notice{
			orgID: svc.ProviderOrgID, kind: "request.submitted", requestID: id,
			title:   fmt.Sprintf("Yêu cầu kết nối mới: %s", svc.Identifier),
			titleEN: fmt.Sprintf("New connection request: %s", svc.Identifier),
			body: fmt.Sprintf("%s đề nghị kết nối, khai thác dịch vụ %s cho ứng dụng %s, %d trường dữ liệu: %s. Hạn xử lý: %s (%d %s, %s).",
				consumer.Name, svc.Name, in.ApplicationName, len(items), names, due.Time().Format("02/01/2006"), rule.Value, unitVI(string(rule.Unit)), rule.ID),
			bodyEN: fmt.Sprintf("%s requests access to service %s for application %s, %d data items: %s. Decide by %s (%d %s, %s).",
				consumer.Name, svc.Name, in.ApplicationName, len(items), names, due.Time().Format("02/01/2006"), rule.Value, unitEN(string(rule.Unit)), rule.ID),
		})
	})
	if err != nil {
		return 0, err
	}
	s.wake()
	return id, nil
}

// sentence drops the final full stop of user text placed inside a sentence.
func sentence(s string) string { return strings.TrimRight(s, ". ") }

func itemLabels(items []Item) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Label
	}
	return strings.Join(out, ", ")
}

func unitVI(u string) string {
	switch u {
	case string(rules.WorkingDays):
		return "ngày làm việc"
	case string(rules.Days):
		return "ngày"
	case string(rules.Months):
		return "tháng"
	}
	return u
}

func unitEN(u string) string {
	switch u {
	case string(rules.WorkingDays):
		return "working days"
	case string(rules.Days):
		return "days"
	case string(rules.Months):
		return "months"
	}
	return u
}

// RequestFilter narrows the request list.
type RequestFilter struct {
	State     State
	Overdue   bool // submitted and past the deadline
	Nearing   bool // submitted with at most 1 working day left (or overdue)
	ServiceID int64
	Query     string // diacritics-insensitive words
	Page      platform.Page
}

// ListRequests lists the requests p may see, newest first.
func (s *Store) ListRequests(ctx context.Context, p *identity.Principal, f RequestFilter) (platform.PageResult[Request], error) {
	if f.State != "" && !f.State.Valid() {
		return platform.PageResult[Request]{}, platform.FieldError("state", "invalid_state", "unknown state %q", f.State)
	}
	if f.Page.Limit <= 0 {
		f.Page.Limit = 50
	}
	where, args := s.requestWhere(p, f)
	args = append(args, f.Page.Limit+1)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE `+where+
		` ORDER BY r.id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return platform.PageResult[Request]{}, fmt.Errorf("list requests: %w", err)
	}
	out, err := s.scanRequests(rows)
	if err != nil {
		return platform.PageResult[Request]{}, err
	}
	return platform.NewPageResult(out, f.Page, func(r Request) int64 { return r.ID }), nil
}

func (s *Store) requestWhere(p *identity.Principal, f RequestFilter) (string, []any) {
	vis, args := visibleSQL(p, 1)
	where := []string{vis}
	add := func(cond string, v ...any) {
		for _, x := range v {
			args = append(args, x)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1)
		}
		where = append(where, cond)
	}
	if f.Page.After > 0 {
		add("r.id < ?", f.Page.After)
	}
	if f.State != "" {
		add("r.state = ?", string(f.State))
	}
	today := s.today()
	if f.Overdue {
		add("r.state = 'submitted' AND r.due_on < ?", today.String())
	}
	if f.Nearing {
		// At most 1 working day left: due on or before the next working day.
		add("r.state = 'submitted' AND r.due_on <= ?", s.cal.AddWorkingDays(today, 1).String())
	}
	if f.ServiceID > 0 {
		add("r.service_id = ?", f.ServiceID)
	}
	for _, tok := range platform.Tokens(f.Query) {
		add("(' ' || r.search_text) LIKE ?", "% "+tok+"%")
	}
	return strings.Join(where, " AND "), args
}

func (s *Store) scanRequests(rows *sql.Rows) ([]Request, error) {
	defer rows.Close()
	today := s.today()
	var out []Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, err
		}
		s.derive(&r, today)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ExportRequests lists up to max requests matching f (for spreadsheets).
func (s *Store) ExportRequests(ctx context.Context, p *identity.Principal, f RequestFilter, max int) ([]Request, error) {
	f.Page = platform.Page{Limit: max}
	res, err := s.ListRequests(ctx, p, f)
	return res.Items, err
}

// decidable loads a request for a decision by p: invisible requests are not
// found, visible ones p may not decide are forbidden.
func (s *Store) decidable(ctx context.Context, p *identity.Principal, id int64) (Request, error) {
	r, err := s.Request(ctx, p, id)
	if err != nil {
		return Request{}, err
	}
	if !p.Allowed(identity.PermRequestDecide, r.providerPath) {
		return Request{}, platform.Forbidden()
	}
	if r.State != StateSubmitted {
		return Request{}, notPending(r.State)
	}
	return r, nil
}

func notPending(st State) error {
	e := platform.Errorf(platform.EConflict, "not_pending", "the request is no longer waiting for a decision")
	e.Extra = map[string]any{"state": st}
	return e
}

var errLostRace = platform.Errorf(platform.EConflict, "not_pending", "the request is no longer waiting for a decision")

// markDecided moves a submitted request to its decided state. The condition
// on state makes concurrent decisions safe: only one UPDATE matches, the
// others change nothing and fail.
func markDecided(ctx context.Context, tx platform.Tx, id int64, to State, set string, args ...any) error {
	all := append([]any{string(to), id}, args...)
	res, err := tx.ExecContext(ctx, `UPDATE connection_requests SET state = $1`+set+` WHERE id = $2 AND state = 'submitted'`, all...)
	if err != nil {
		return fmt.Errorf("decide request %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return errLostRace
	}
	return nil
}

// Approve creates the connection account of a request (D47-35.3, D47-40):
// bound to the consumer, the application, the service, the approved items
// (a subset of the requested ones), a validity period and rate limits. The
// API key is returned once; only its SHA-256 is stored.
func (s *Store) Approve(ctx context.Context, p *identity.Principal, id int64, in ApproveInput) (Account, string, error) {
	r, err := s.decidable(ctx, p, id)
	if err != nil {
		return Account{}, "", err
	}
	var v platform.Validation
	items, err := s.approvedItems(ctx, &v, r, in)
	if err != nil {
		return Account{}, "", err
	}
	from, to := in.validity(&v, s.today())
	in.validateLimits(&v)
	if err := v.Err(); err != nil {
		return Account{}, "", err
	}
	key := NewAPIKey()
	accID, err := s.approve(ctx, p.UserID, r, items, in, from, to, key, time.Time{})
	if err != nil {
		return Account{}, "", err
	}
	a, err := s.loadAccount(ctx, s.db.Read, accID)
	return a, key, err
}

// approvedItems checks the chosen items against the request and against
// what the service returns today, recording the mistakes in v.
func (s *Store) approvedItems(ctx context.Context, v *platform.Validation, r Request, in ApproveInput) ([]Item, error) {
	svc, err := s.Service(ctx, r.ServiceID)
	if err != nil && platform.ErrorClass(err) != platform.ENotFound {
		return nil, err
	}
	if err != nil || svc.Status != ServicePublished {
		v.Add("service_id", "service_not_available", "the service is no longer published; refuse the request instead")
		return nil, nil
	}
	chosen := in.Items
	if len(chosen) == 0 {
		if in.form {
			v.Add("items", "required", "choose at least one data item")
			return nil, nil
		}
		chosen = r.ItemKeys()
	}
	requested := r.ItemKeys()
	for _, k := range chosen {
		if !slices.Contains(requested, k) {
			v.Add("items", "not_requested", "the data item %q was not requested", k)
			return nil, nil
		}
	}
	items, err := pickItems(chosen, svc)
	return items, v.Merge(err)
}

func (s *Store) approve(ctx context.Context, actor int64, r Request, items []Item, in ApproveInput, from, to time.Time, key string, at time.Time) (int64, error) {
	itemsJSON, _ := json.Marshal(items)
	var accID int64
	err := s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		onTime := !workday.DateOf(now).After(r.due)
		if err := markDecided(ctx, tx, r.ID, StateApproved, `, decided_at = $3, decided_by = $4, on_time = $5`,
			now, actorArg(actor), onTime); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO connection_accounts (request_id, consumer_org_id, application_code,
			application_name, purpose, service_id, service_identifier, service_name, provider_org_id, items, valid_from, valid_to,
			rate_per_minute, rate_per_day, key_hash, key_prefix, cert_fingerprint, status, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,'active',$18,$18) RETURNING id`,
			r.ID, r.ConsumerOrgID, r.ApplicationCode, r.ApplicationName, r.Purpose, r.ServiceID, r.ServiceIdentifier, r.ServiceName,
			r.ProviderOrgID, string(itemsJSON), from, to, in.RatePerMinute, in.RatePerDay, platform.HashSecret(key),
			keyPrefix(key), in.CertFingerprint, now).Scan(&accID)
		if err != nil {
			return fmt.Errorf("insert account: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE connection_requests SET account_id = $1 WHERE id = $2`, accID, r.ID); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, now, notice{
			orgID: r.ConsumerOrgID, kind: "request.approved", requestID: r.ID,
			title:   fmt.Sprintf("Yêu cầu kết nối đã được chấp thuận: %s", r.ServiceIdentifier),
			titleEN: fmt.Sprintf("Connection request approved: %s", r.ServiceIdentifier),
			body: fmt.Sprintf("%s đã tạo tài khoản kết nối số %d cho ứng dụng %s, dịch vụ %s, %d trường dữ liệu: %s. Hiệu lực %s đến %s.",
				r.ProviderOrgName, accID, r.ApplicationName, r.ServiceName, len(items), itemLabels(items),
				dayText(from), lastDay(to)),
			bodyEN: fmt.Sprintf("%s created connection account %d for application %s, service %s, %d data items: %s. Valid %s to %s.",
				r.ProviderOrgName, accID, r.ApplicationName, r.ServiceName, len(items), itemLabels(items),
				dayText(from), lastDay(to)),
		}); err != nil {
			return err
		}
		return s.notifyConfig(ctx, tx)
	})
	if err != nil {
		return 0, err
	}
	s.changed(ctx)
	s.wake()
	return accID, nil
}

// Refuse refuses a request in writing with its reason and the legal basis
// that restricts sharing (D47-35.3, D47-51.1a, D194-16.2). The consumer is
// notified, and so is the IT unit that handles obstacles (D47-48).
func (s *Store) Refuse(ctx context.Context, p *identity.Principal, id int64, in RefuseInput) (Request, error) {
	r, err := s.decidable(ctx, p, id)
	if err != nil {
		return Request{}, err
	}
	if err := in.validate(); err != nil {
		return Request{}, err
	}
	if err := s.refuse(ctx, p.UserID, r, in, time.Time{}); err != nil {
		return Request{}, err
	}
	return s.load(ctx, s.db.Read, id)
}

func (s *Store) refuse(ctx context.Context, actor int64, r Request, in RefuseInput, at time.Time) error {
	itUnit, err := s.itUnitOf(ctx, r.ProviderOrgID)
	if err != nil {
		return err
	}
	err = s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		onTime := !workday.DateOf(now).After(r.due)
		if err := markDecided(ctx, tx, r.ID, StateRefused, `, decided_at = $3, decided_by = $4, on_time = $5,
			refusal_reason = $6, refusal_legal_basis = $7`, now, actorArg(actor), onTime, in.Reason, in.LegalBasis); err != nil {
			return err
		}
		n := notice{
			orgID: r.ConsumerOrgID, kind: "request.refused", requestID: r.ID,
			title:   fmt.Sprintf("Yêu cầu kết nối bị từ chối: %s", r.ServiceIdentifier),
			titleEN: fmt.Sprintf("Connection request refused: %s", r.ServiceIdentifier),
			body: fmt.Sprintf("%s từ chối yêu cầu số %d của %s (ứng dụng %s). Lý do: %s. Căn cứ pháp lý: %s.",
				r.ProviderOrgName, r.ID, r.ConsumerOrgName, r.ApplicationName, sentence(in.Reason), sentence(in.LegalBasis)),
			bodyEN: fmt.Sprintf("%s refused request %d of %s (application %s). Reason: %s. Legal basis: %s.",
				r.ProviderOrgName, r.ID, r.ConsumerOrgName, r.ApplicationName, sentence(in.Reason), sentence(in.LegalBasis)),
		}
		if err := s.notify(ctx, tx, now, n); err != nil {
			return err
		}
		// D47-51.1a: the refusal is copied to the authority that handles
		// obstacles, the IT unit of the provider's ministry or province (D47-48).
		if itUnit.ID == 0 {
			return nil
		}
		users, err := overseers(ctx, tx, itUnit.Path)
		if err != nil {
			return err
		}
		n.kind = "request.refused.oversight"
		n.title = "Sao gửi: " + n.title
		n.titleEN = "Copy: " + n.titleEN
		n.orgID = itUnit.ID
		if len(users) == 0 {
			return s.notify(ctx, tx, now, n)
		}
		for _, u := range users {
			n.userID = u
			if err := s.notify(ctx, tx, now, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.wake()
	}
	return err
}

// itUnitOf returns the nearest organisation of a ministry or province kind
// on the path of org (itself included); zero when there is none.
func (s *Store) itUnitOf(ctx context.Context, orgID int64) (directory.Org, error) {
	o, err := s.dir.Org(ctx, orgID)
	if err != nil {
		return directory.Org{}, err
	}
	u, found, err := s.dir.ITUnitOf(ctx, o)
	if err != nil || !found {
		return directory.Org{}, err
	}
	return u, nil
}

// overseers returns the active users holding PermSharingOversee on the
// organisation at path (through a grant on it or an ancestor). Platform
// administrators are not included: they oversee the whole platform, not
// one ministry or province.
func overseers(ctx context.Context, q platform.Querier, path string) ([]int64, error) {
	var roles []string
	for _, r := range identity.Roles {
		if r.Role != identity.RolePlatformAdmin && slices.Contains(identity.PermissionsOf(r.Role), identity.PermSharingOversee) {
			roles = append(roles, string(r.Role))
		}
	}
	if len(roles) == 0 {
		return nil, nil
	}
	args := []any{path}
	ph := make([]string, len(roles))
	for i, r := range roles {
		args = append(args, r)
		ph[i] = "$" + strconv.Itoa(i+2)
	}
	ids, err := platform.QueryIDs(ctx, q, `SELECT DISTINCT u.id FROM role_grants g JOIN users u ON u.id = g.user_id
		JOIN organisations o ON o.id = g.org_id
		WHERE u.active AND $1 LIKE (o.path || '%') AND g.role IN (`+strings.Join(ph, ",")+`) ORDER BY u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find overseers: %w", err)
	}
	return ids, nil
}

// Withdraw withdraws a request before the provider decides; only the
// requester's officers may.
func (s *Store) Withdraw(ctx context.Context, p *identity.Principal, id int64) (Request, error) {
	r, err := s.Request(ctx, p, id)
	if err != nil {
		return Request{}, err
	}
	if !p.Allowed(identity.PermRequestCreate, r.consumerPath) {
		return Request{}, platform.Forbidden()
	}
	if r.State != StateSubmitted {
		return Request{}, notPending(r.State)
	}
	if err := s.withdraw(ctx, p.UserID, r, time.Time{}); err != nil {
		return Request{}, err
	}
	return s.load(ctx, s.db.Read, id)
}

func (s *Store) withdraw(ctx context.Context, actor int64, r Request, at time.Time) error {
	err := s.tx(ctx, at, func(tx platform.Tx, now time.Time) error {
		if err := markDecided(ctx, tx, r.ID, StateWithdrawn, `, withdrawn_at = $3, withdrawn_by = $4`, now, actorArg(actor)); err != nil {
			return err
		}
		return s.notify(ctx, tx, now, notice{
			orgID: r.ProviderOrgID, kind: "request.withdrawn", requestID: r.ID,
			title:   fmt.Sprintf("Yêu cầu kết nối đã được rút: %s", r.ServiceIdentifier),
			titleEN: fmt.Sprintf("Connection request withdrawn: %s", r.ServiceIdentifier),
			body:    fmt.Sprintf("%s đã rút yêu cầu số %d (ứng dụng %s); không cần xử lý nữa.", r.ConsumerOrgName, r.ID, r.ApplicationName),
			bodyEN:  fmt.Sprintf("%s withdrew request %d (application %s); no decision is needed.", r.ConsumerOrgName, r.ID, r.ApplicationName),
		})
	})
	if err == nil {
		s.wake()
	}
	return err
}
