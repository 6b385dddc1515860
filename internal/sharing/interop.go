package sharing

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

// This file serves the features that work on top of connection requests
// and accounts (oversight: agreements, terminations, statistics, calendar).
// internal/app adapts these methods to the interfaces those features define.

// AccountSummary is a connection account as statistics and terminations need it.
type AccountSummary struct {
	ID            int64
	ServiceID     int64
	ConsumerOrgID int64
	ProviderOrgID int64
	Application   string
	Purpose       string // D47-35.2c, or the agreement's
	Status        string // active | revoked | terminated
	// The account works while ValidFrom <= now < ValidTo.
	ValidFrom, ValidTo time.Time
}

// AccountSummaries lists the accounts of a service (0: every service) held
// by a consumer organisation (0: every consumer), in id order.
func (s *Store) AccountSummaries(ctx context.Context, serviceID, consumerOrgID int64) ([]AccountSummary, error) {
	where, args := []string{"1=1"}, []any{}
	if serviceID != 0 {
		args = append(args, serviceID)
		where = append(where, "service_id = $"+strconv.Itoa(len(args)))
	}
	if consumerOrgID != 0 {
		args = append(args, consumerOrgID)
		where = append(where, "consumer_org_id = $"+strconv.Itoa(len(args)))
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, service_id, consumer_org_id, provider_org_id, application_name,
		purpose, status, valid_from, valid_to FROM connection_accounts WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("account summaries: %w", err)
	}
	defer rows.Close()
	out := []AccountSummary{}
	for rows.Next() {
		var a AccountSummary
		if err := rows.Scan(&a.ID, &a.ServiceID, &a.ConsumerOrgID, &a.ProviderOrgID, &a.Application, &a.Purpose, &a.Status,
			&a.ValidFrom, &a.ValidTo); err != nil {
			return nil, err
		}
		a.ValidFrom, a.ValidTo = a.ValidFrom.UTC(), a.ValidTo.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// TerminateAccounts stops accounts at once under D47-44, with the reason the
// gateway shows the consumer. Accounts already terminated are left as they
// are, so a retried call is harmless. The caller notifies the parties
// (D47-44.3).
func (s *Store) TerminateAccounts(ctx context.Context, ids []int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return platform.FieldError("reason", "reason_required", "a termination states its reason (D47-44)")
	}
	if len(ids) == 0 {
		return nil
	}
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		args := []any{reason, now}
		ph := make([]string, len(ids))
		for i, id := range ids {
			args = append(args, id)
			ph[i] = "$" + strconv.Itoa(i+3)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE connection_accounts SET status = 'terminated', status_reason = $1, updated_at = $2
			WHERE status <> 'terminated' AND id IN (`+strings.Join(ph, ",")+`)`, args...); err != nil {
			return fmt.Errorf("terminate accounts: %w", err)
		}
		return s.notifyConfig(ctx, tx)
	})
	if err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

// AgreementGrant asks for the connection account of one consumer of a
// special-request agreement in force (D47-36, D47-40).
type AgreementGrant struct {
	AgreementID   int64
	Version       int
	ServiceID     int64
	ProviderOrgID int64
	ConsumerOrgID int64
	// Items are the agreed data item keys; empty means every item of the service.
	Items []string
	// The account works while ValidFrom <= now < ValidTo.
	ValidFrom, ValidTo time.Time
	Purpose            string
	Application        string
}

// GrantAgreementAccount creates the account of an agreement and returns its
// id; granting it again returns the same account. Nobody learns its first
// API key: the consumer replaces the key (rotation) to receive one, shown
// once, as the inbox notice tells them.
func (s *Store) GrantAgreementAccount(ctx context.Context, g AgreementGrant) (int64, error) {
	if id, err := s.agreementAccount(ctx, g); err != nil || id != 0 {
		return id, err
	}
	svc, err := s.Service(ctx, g.ServiceID)
	if err != nil {
		return 0, fmt.Errorf("agreement %d: service %d: %w", g.AgreementID, g.ServiceID, err)
	}
	if svc.ProviderOrgID != g.ProviderOrgID {
		return 0, platform.FieldError("provider_org_id", "wrong_provider", "service %s is not provided by organisation %d", svc.Identifier, g.ProviderOrgID)
	}
	chosen := g.Items
	if len(chosen) == 0 {
		chosen = svc.Items
	}
	items, err := pickItems(chosen, svc)
	if err != nil {
		return 0, err
	}
	if !g.ValidTo.After(g.ValidFrom) {
		return 0, platform.FieldError("valid_to", "before_start", "the validity must end after it starts")
	}
	app := strings.TrimSpace(g.Application)
	if app == "" {
		app = fmt.Sprintf("Thỏa thuận số %d", g.AgreementID)
	}
	itemsJSON, _ := json.Marshal(items)
	key := NewAPIKey()
	var id int64
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO connection_accounts (agreement_id, agreement_version, consumer_org_id,
			application_name, purpose, service_id, service_identifier, service_name, provider_org_id, items, valid_from,
			valid_to, rate_per_minute, rate_per_day, key_hash, key_prefix, status, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,0,$14,$15,'active',$16,$16) RETURNING id`,
			g.AgreementID, g.Version, g.ConsumerOrgID, app, g.Purpose, svc.ID, svc.Identifier, svc.Name, svc.ProviderOrgID,
			string(itemsJSON), g.ValidFrom.UTC(), g.ValidTo.UTC(), DefaultRatePerMinute, platform.HashSecret(key), keyPrefix(key), now).Scan(&id)
		if err != nil {
			return err
		}
		if err := s.notify(ctx, tx, now, notice{
			orgID: g.ConsumerOrgID, kind: "account.granted", link: accountLink(id),
			title:   fmt.Sprintf("Tài khoản kết nối %d theo thỏa thuận số %d", id, g.AgreementID),
			titleEN: fmt.Sprintf("Connection account %d under agreement %d", id, g.AgreementID),
			body: fmt.Sprintf("Tài khoản kết nối dịch vụ %s (%d trường dữ liệu) đã được tạo theo thỏa thuận số %d. Hãy đổi khóa API trên trang Tài khoản kết nối để nhận khóa.",
				svc.Name, len(items), g.AgreementID),
			bodyEN: fmt.Sprintf("A connection account for service %s (%d data items) was created under agreement %d. Replace its API key on the Accounts page to receive a key.",
				svc.Name, len(items), g.AgreementID),
		}); err != nil {
			return err
		}
		return s.notifyConfig(ctx, tx)
	})
	if platform.IsUniqueViolation(err) {
		// A concurrent grant won: return its account.
		return s.agreementAccount(ctx, g)
	}
	if err != nil {
		return 0, fmt.Errorf("grant agreement account: %w", err)
	}
	s.changed(ctx)
	s.wake()
	return id, nil
}

func (s *Store) agreementAccount(ctx context.Context, g AgreementGrant) (int64, error) {
	var id int64
	err := s.db.Read.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM connection_accounts WHERE agreement_id = $1 AND consumer_org_id = $2`,
		g.AgreementID, g.ConsumerOrgID).Scan(&id)
	return id, err
}

// AmendAgreementAccount applies the governing version of an amended
// agreement (D47-39) to the account it granted: data items and validity.
// The key does not change; the gateway follows at once.
func (s *Store) AmendAgreementAccount(ctx context.Context, accountID int64, g AgreementGrant) error {
	svc, err := s.Service(ctx, g.ServiceID)
	if err != nil {
		return fmt.Errorf("agreement %d: service %d: %w", g.AgreementID, g.ServiceID, err)
	}
	chosen := g.Items
	if len(chosen) == 0 {
		chosen = svc.Items
	}
	items, err := pickItems(chosen, svc)
	if err != nil {
		return err
	}
	if !g.ValidTo.After(g.ValidFrom) {
		return platform.FieldError("valid_to", "before_start", "the validity must end after it starts")
	}
	itemsJSON, _ := json.Marshal(items)
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		r, err := tx.ExecContext(ctx, `UPDATE connection_accounts SET items = $1, valid_from = $2, valid_to = $3, agreement_version = $4, updated_at = $5
			WHERE id = $6 AND agreement_id = $7 AND consumer_org_id = $8`,
			string(itemsJSON), g.ValidFrom.UTC(), g.ValidTo.UTC(), g.Version, now, accountID, g.AgreementID, g.ConsumerOrgID)
		if err != nil {
			return fmt.Errorf("amend account %d: %w", accountID, err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return platform.NotFound("connection account of the agreement")
		}
		if err := s.notify(ctx, tx, now, notice{orgID: g.ConsumerOrgID, kind: "account.amended", link: accountLink(accountID),
			title:   fmt.Sprintf("Tài khoản kết nối điều chỉnh theo phiên bản %d của thỏa thuận", g.Version),
			titleEN: fmt.Sprintf("Connection account adjusted to version %d of the agreement", g.Version)}); err != nil {
			return err
		}
		return s.notifyConfig(ctx, tx)
	})
	if err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

// OrgNotice is a notification from another feature to every user of an
// organisation.
type OrgNotice struct {
	OrgID   int64
	Kind    string // e.g. "suspension.announced"
	Title   string // Vietnamese
	Body    string
	TitleEN string
	BodyEN  string
	Link    string // a path in the web UI
	// Email also queues an e-mail to the organisation's users.
	Email bool
}

// NotifyOrg puts a notice in an organisation's inbox (and mail outbox).
func (s *Store) NotifyOrg(ctx context.Context, n OrgNotice) error {
	if n.OrgID <= 0 || n.Kind == "" || n.Title == "" {
		return platform.Errorf(platform.EInvalid, "invalid_notice", "a notice needs an organisation, a kind and a title")
	}
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		return s.notify(ctx, tx, now, notice{orgID: n.OrgID, kind: n.Kind, title: n.Title, body: n.Body,
			titleEN: n.TitleEN, bodyEN: n.BodyEN, link: n.Link, inboxOnly: !n.Email})
	})
	if err == nil && n.Email {
		s.wake()
	}
	return err
}

// RequestCount counts the requests one provider received from one consumer.
type RequestCount struct {
	ProviderOrgID int64
	ConsumerOrgID int64
	Received      int
	Decided       int // approved or refused
	DecidedOnTime int // within the deadline in force on the day of receipt
	Overdue       int // still pending after the deadline
}

// RequestCounts counts the requests received with from <= received_at < to.
func (s *Store) RequestCounts(ctx context.Context, from, to time.Time) ([]RequestCount, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT provider_org_id, consumer_org_id, COUNT(*),
		COALESCE(SUM(CASE WHEN state IN ('approved', 'refused') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state IN ('approved', 'refused') AND on_time THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'submitted' AND due_on < $3 THEN 1 ELSE 0 END), 0)
		FROM connection_requests WHERE received_at >= $1 AND received_at < $2
		GROUP BY provider_org_id, consumer_org_id ORDER BY provider_org_id, consumer_org_id`,
		from.UTC(), to.UTC(), s.today().String())
	if err != nil {
		return nil, fmt.Errorf("request counts: %w", err)
	}
	defer rows.Close()
	out := []RequestCount{}
	for rows.Next() {
		var c RequestCount
		if err := rows.Scan(&c.ProviderOrgID, &c.ConsumerOrgID, &c.Received, &c.Decided, &c.DecidedOnTime, &c.Overdue); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// OpenDeadline is a pending request's decision deadline, for calendars and digests.
type OpenDeadline struct {
	OrgID   int64 // the provider, who must decide
	Due     workday.Date
	Kind    string // "connection_request"
	Title   string // Vietnamese
	TitleEN string
	Link    string
	RuleID  string
}

// OpenDeadlines lists the decision deadlines of pending requests due on or
// before until (overdue ones included), soonest first.
func (s *Store) OpenDeadlines(ctx context.Context, until workday.Date) ([]OpenDeadline, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+requestColumns+requestFrom+`
		WHERE r.state = 'submitted' AND r.due_on <= $1 ORDER BY r.due_on, r.id LIMIT 5000`, until.String())
	if err != nil {
		return nil, fmt.Errorf("open deadlines: %w", err)
	}
	reqs, err := s.scanRequests(rows)
	if err != nil {
		return nil, err
	}
	out := make([]OpenDeadline, len(reqs))
	for i, r := range reqs {
		out[i] = OpenDeadline{OrgID: r.ProviderOrgID, Due: r.due, Kind: "connection_request", RuleID: r.Deadline.RuleID,
			Title:   fmt.Sprintf("Xử lý yêu cầu kết nối số %d của %s (%s)", r.ID, r.ConsumerOrgName, r.ServiceIdentifier),
			TitleEN: fmt.Sprintf("Decide connection request %d of %s (%s)", r.ID, r.ConsumerOrgName, r.ServiceIdentifier),
			Link:    "/requests/" + strconv.FormatInt(r.ID, 10)}
	}
	return out, nil
}
