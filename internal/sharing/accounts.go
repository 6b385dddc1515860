package sharing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

// KeyPrefix starts every connection-account API key, so secret scanners
// and operators can recognise one (personal API tokens start with "gdx_").
const KeyPrefix = "gdxk_"

// NewAPIKey returns a fresh random API key (160 bits of entropy).
func NewAPIKey() string { return KeyPrefix + platform.RandomToken(20) }

// keyPrefix is the part of a key shown to tell keys apart.
func keyPrefix(key string) string {
	if len(key) > len(KeyPrefix)+6 {
		return key[:len(KeyPrefix)+6]
	}
	return key
}

const accountColumns = `a.id, a.request_id, a.agreement_id, a.consumer_org_id, c.name, a.application_code, a.application_name, a.purpose, a.service_id,
	a.service_identifier, a.service_name, a.provider_org_id, pr.name, a.items, a.valid_from, a.valid_to, a.rate_per_minute,
	a.rate_per_day, a.key_prefix, a.cert_fingerprint, a.status, a.status_reason, a.created_at, a.updated_at, a.rotated_at,
	a.revoked_at, c.path, pr.path`

const accountFrom = ` FROM connection_accounts a JOIN organisations c ON c.id = a.consumer_org_id
	JOIN organisations pr ON pr.id = a.provider_org_id`

func scanAccount(row interface{ Scan(...any) error }) (Account, error) {
	var a Account
	var items string
	var rotated, revoked sql.NullTime
	var req, agr sql.NullInt64
	err := row.Scan(&a.ID, &req, &agr, &a.ConsumerOrgID, &a.ConsumerOrgName, &a.ApplicationCode, &a.ApplicationName,
		&a.Purpose, &a.ServiceID, &a.ServiceIdentifier, &a.ServiceName, &a.ProviderOrgID, &a.ProviderOrgName, &items, &a.ValidFrom,
		&a.ValidTo, &a.RatePerMinute, &a.RatePerDay, &a.KeyPrefix, &a.CertFingerprint, &a.Status, &a.StatusReason,
		&a.CreatedAt, &a.UpdatedAt, &rotated, &revoked, &a.consumerPath, &a.providerPath)
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(items), &a.Items); err != nil {
		return a, fmt.Errorf("account %d items: %w", a.ID, err)
	}
	a.ValidFrom, a.ValidTo, a.CreatedAt, a.UpdatedAt = a.ValidFrom.UTC(), a.ValidTo.UTC(), a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	a.RotatedAt, a.RevokedAt = nullTime(rotated), nullTime(revoked)
	a.RequestID, a.AgreementID = nullInt(req), nullInt(agr)
	return a, nil
}

func (s *Store) loadAccount(ctx context.Context, q platform.Querier, id int64) (Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, `SELECT `+accountColumns+accountFrom+` WHERE a.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, platform.NotFound("connection account")
	}
	if err != nil {
		return Account{}, fmt.Errorf("load account %d: %w", id, err)
	}
	return a, nil
}

// canSeeAccount: both sides' account readers and the IT units above them.
func canSeeAccount(p *identity.Principal, a Account) bool {
	return p.Allowed(identity.PermAccountRead, a.consumerPath) || p.Allowed(identity.PermAccountRead, a.providerPath) ||
		p.Allowed(identity.PermSharingOversee, a.consumerPath) || p.Allowed(identity.PermSharingOversee, a.providerPath)
}

// CanRotate reports whether p may rotate the key: the consumer holds the key.
func CanRotate(p *identity.Principal, a Account) bool {
	return a.Status == AccountActive && p.Allowed(identity.PermRequestCreate, a.consumerPath)
}

// CanRevoke reports whether p may revoke the account: the provider that
// granted it, or the consumer that no longer needs it.
func CanRevoke(p *identity.Principal, a Account) bool {
	return a.Status == AccountActive && (p.Allowed(identity.PermRequestDecide, a.providerPath) ||
		p.Allowed(identity.PermRequestCreate, a.consumerPath))
}

// Account returns one account p may see; others are "not found".
func (s *Store) Account(ctx context.Context, p *identity.Principal, id int64) (Account, error) {
	a, err := s.loadAccount(ctx, s.db.Read, id)
	if err != nil {
		return Account{}, err
	}
	if !canSeeAccount(p, a) {
		return Account{}, platform.NotFound("connection account")
	}
	return a, nil
}

// AccountFilter narrows the account list.
type AccountFilter struct {
	Status    AccountStatus
	ServiceID int64
	Page      platform.Page
}

// ListAccounts lists the accounts p may see, newest first.
func (s *Store) ListAccounts(ctx context.Context, p *identity.Principal, f AccountFilter) (platform.PageResult[Account], error) {
	var conds []string
	var args []any
	for _, c := range []struct {
		col  string
		perm identity.Permission
	}{{"c.path", identity.PermAccountRead}, {"pr.path", identity.PermAccountRead},
		{"c.path", identity.PermSharingOversee}, {"pr.path", identity.PermSharingOversee}} {
		cond, a := identity.ScopeSQL(c.col, p.Scope(c.perm), len(args)+1)
		conds = append(conds, cond)
		args = append(args, a...)
	}
	where := []string{"(" + strings.Join(conds, " OR ") + ")"}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1))
	}
	switch f.Status {
	case "":
	case AccountActive, AccountRevoked, AccountTerminated:
		add("a.status = ?", string(f.Status))
	default:
		return platform.PageResult[Account]{}, platform.FieldError("status", "invalid_status", "unknown account status %q", f.Status)
	}
	if f.ServiceID > 0 {
		add("a.service_id = ?", f.ServiceID)
	}
	if f.Page.After > 0 {
		add("a.id < ?", f.Page.After)
	}
	if f.Page.Limit <= 0 {
		f.Page.Limit = 50
	}
	args = append(args, f.Page.Limit+1)
	out, err := platform.QueryAll(ctx, s.db.Read, scanAccount, `SELECT `+accountColumns+accountFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY a.id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return platform.PageResult[Account]{}, fmt.Errorf("list accounts: %w", err)
	}
	return platform.NewPageResult(out, f.Page, func(a Account) int64 { return a.ID }), nil
}

// RotateKey replaces the account's API key: the new key is returned once and
// the old one stops working as soon as the change is committed.
func (s *Store) RotateKey(ctx context.Context, p *identity.Principal, id int64) (Account, string, error) {
	a, err := s.Account(ctx, p, id)
	if err != nil {
		return Account{}, "", err
	}
	if !p.Allowed(identity.PermRequestCreate, a.consumerPath) {
		return Account{}, "", platform.Forbidden()
	}
	key := NewAPIKey()
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		res, err := tx.ExecContext(ctx, `UPDATE connection_accounts SET key_hash = $1, key_prefix = $2, rotated_at = $3,
			updated_at = $3 WHERE id = $4 AND status = 'active'`, platform.HashSecret(key), keyPrefix(key), now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return notActive(a.Status)
		}
		if err := s.notify(ctx, tx, now, notice{
			orgID: a.ConsumerOrgID, kind: "account.rotated", link: accountLink(a.ID),
			title:   fmt.Sprintf("Đã đổi khóa API của tài khoản kết nối %d", a.ID),
			titleEN: fmt.Sprintf("API key of connection account %d replaced", a.ID),
			body:    fmt.Sprintf("%s đã đổi khóa API của tài khoản %d (dịch vụ %s); khóa cũ không còn dùng được.", p.FullName, a.ID, a.ServiceIdentifier),
			bodyEN:  fmt.Sprintf("%s replaced the API key of account %d (service %s); the old key no longer works.", p.FullName, a.ID, a.ServiceIdentifier),
		}); err != nil {
			return err
		}
		return s.notifyConfig(ctx, tx)
	})
	if err != nil {
		return Account{}, "", err
	}
	s.changed(ctx)
	s.wake()
	a, err = s.loadAccount(ctx, s.db.Read, id)
	return a, key, err
}

func notActive(st AccountStatus) error {
	e := platform.Errorf(platform.EConflict, "account_not_active", "the account is not active")
	e.Extra = map[string]any{"status": st}
	return e
}

// Revoke ends an account at once, with a reason; the other side is notified.
func (s *Store) Revoke(ctx context.Context, p *identity.Principal, id int64, in RevokeInput) (Account, error) {
	a, err := s.Account(ctx, p, id)
	if err != nil {
		return Account{}, err
	}
	byProvider := p.Allowed(identity.PermRequestDecide, a.providerPath)
	if !byProvider && !p.Allowed(identity.PermRequestCreate, a.consumerPath) {
		return Account{}, platform.Forbidden()
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if err := checkLen("reason", in.Reason, 5, 2000); err != nil {
		return Account{}, platform.FieldError("reason", "reason_required", "give the reason for revoking the account (at least 5 characters)")
	}
	// The other side learns of it: the consumer when the provider revokes,
	// the provider when the consumer does, both when an IT unit over both does.
	provSide, consSide := byProvider, p.Allowed(identity.PermRequestCreate, a.consumerPath)
	var notifyOrgs []int64
	if !consSide || provSide {
		notifyOrgs = append(notifyOrgs, a.ConsumerOrgID)
	}
	if !provSide || consSide {
		notifyOrgs = append(notifyOrgs, a.ProviderOrgID)
	}
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		res, err := tx.ExecContext(ctx, `UPDATE connection_accounts SET status = 'revoked', status_reason = $1, revoked_at = $2,
			revoked_by = $3, updated_at = $2 WHERE id = $4 AND status = 'active'`, in.Reason, now, p.UserID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return notActive(a.Status)
		}
		for _, org := range notifyOrgs {
			if err := s.notify(ctx, tx, now, notice{
				orgID: org, kind: "account.revoked", link: accountLink(a.ID),
				title:   fmt.Sprintf("Tài khoản kết nối %d đã bị thu hồi", a.ID),
				titleEN: fmt.Sprintf("Connection account %d revoked", a.ID),
				body: fmt.Sprintf("%s (%s) đã thu hồi tài khoản %d của %s, dịch vụ %s. Lý do: %s.",
					p.FullName, p.OrgName, a.ID, a.ConsumerOrgName, a.ServiceIdentifier, sentence(in.Reason)),
				bodyEN: fmt.Sprintf("%s (%s) revoked account %d of %s, service %s. Reason: %s.",
					p.FullName, p.OrgName, a.ID, a.ConsumerOrgName, a.ServiceIdentifier, sentence(in.Reason)),
			}); err != nil {
				return err
			}
		}
		return s.notifyConfig(ctx, tx)
	})
	if err != nil {
		return Account{}, err
	}
	s.changed(ctx)
	s.wake()
	return s.loadAccount(ctx, s.db.Read, id)
}

func checkLen(field, v string, min, max int) error {
	n := len([]rune(v))
	if n < min || n > max {
		return platform.FieldError(field, "invalid_length", "%s must have %d to %d characters", field, min, max)
	}
	return nil
}

func accountLink(id int64) string { return "/accounts/" + strconv.FormatInt(id, 10) }

// GatewayAccounts returns every connection account, whatever its status,
// for the gateway's in-memory snapshot. The gateway authenticates by
// KeyHash (or CertFingerprint), refuses accounts that are not active or
// outside [ValidFrom, ValidTo), projects responses onto Items and enforces
// the rate limits.
func (s *Store) GatewayAccounts(ctx context.Context) ([]GatewayAccount, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT a.id, a.key_hash, a.cert_fingerprint, a.consumer_org_id, c.name,
		a.application_name, a.application_code, a.service_id, a.provider_org_id, a.items, a.valid_from, a.valid_to,
		a.rate_per_minute, a.rate_per_day, a.status, a.status_reason
		FROM connection_accounts a JOIN organisations c ON c.id = a.consumer_org_id ORDER BY a.id`)
	if err != nil {
		return nil, fmt.Errorf("gateway accounts: %w", err)
	}
	defer rows.Close()
	out := []GatewayAccount{}
	for rows.Next() {
		var g GatewayAccount
		var items string
		if err := rows.Scan(&g.ID, &g.KeyHash, &g.CertFingerprint, &g.ConsumerOrgID, &g.ConsumerOrgName, &g.Application,
			&g.ApplicationCode, &g.ServiceID, &g.ProviderOrgID, &items, &g.ValidFrom, &g.ValidTo, &g.RatePerMinute,
			&g.RatePerDay, &g.Status, &g.StatusReason); err != nil {
			return nil, err
		}
		var its []Item
		if err := json.Unmarshal([]byte(items), &its); err != nil {
			return nil, fmt.Errorf("account %d items: %w", g.ID, err)
		}
		g.Items = keys(its)
		g.ValidFrom, g.ValidTo = g.ValidFrom.UTC(), g.ValidTo.UTC()
		out = append(out, g)
	}
	return out, rows.Err()
}

// OnChange registers fn to be called after each committed change to
// accounts (approval, key rotation, revocation), with a context that is not
// cancelled with the request. fn runs synchronously: keep it quick (the
// gateway swaps its snapshot) or hand the work to a goroutine.
func (s *Store) OnChange(fn func(ctx context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, fn)
}

// ConfigChannel is the PostgreSQL NOTIFY channel on which account changes
// are announced (payload "accounts"), so gateway nodes follow each other.
const ConfigChannel = "govdx_config"

// notifyConfig announces an account change to other nodes; PostgreSQL
// delivers the NOTIFY only if the transaction commits.
func (s *Store) notifyConfig(ctx context.Context, tx platform.Tx) error {
	if s.db.Dialect != platform.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, 'accounts')`, ConfigChannel)
	return err
}

func (s *Store) changed(ctx context.Context) {
	s.mu.Lock()
	hooks := append([]func(context.Context){}, s.hooks...)
	s.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	for _, fn := range hooks {
		fn(ctx)
	}
}

// dayText formats the Vietnamese civil date of t.
func dayText(t time.Time) string { return t.In(workday.Location()).Format("02/01/2006") }

// lastDay formats the last valid day of an exclusive end instant.
func lastDay(to time.Time) string {
	return to.Add(-time.Nanosecond).In(workday.Location()).Format("02/01/2006")
}
