package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/govdx/govdx/internal/platform"
)

// dummyHash makes a login for an unknown user cost as much as for a known one.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("govdx-timing-equaliser"), bcrypt.DefaultCost)

// ErrBadLogin is the one answer for a wrong username or password.
var ErrBadLogin = platform.Errorf(platform.EUnauthorized, "invalid_login", "wrong username or password")

// Login checks a password and opens a session. Failures are counted per
// account and per client address; past the limit logins are refused until
// the window ends, whatever the password.
func (s *Store) Login(ctx context.Context, username, password, ip, userAgent string) (sessionID string, p *Principal, err error) {
	username = strings.ToLower(strings.TrimSpace(username))
	keys := []string{"user:" + username, "ip:" + ip}
	if err := s.checkThrottle(ctx, keys); err != nil {
		return "", nil, err
	}
	var id int64
	var hash string
	var active bool
	err = s.db.Read.QueryRowContext(ctx, `SELECT id, password_hash, active FROM users WHERE username = $1`, username).Scan(&id, &hash, &active)
	if errors.Is(err, sql.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return "", nil, s.fail(ctx, keys)
	}
	if err != nil {
		return "", nil, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || !active {
		return "", nil, s.fail(ctx, keys)
	}
	sessionID = platform.RandomToken(32)
	csrf := platform.RandomToken(20)
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, keys[0]); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_login_at = $1 WHERE id = $2`, now, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, ip, user_agent)
			VALUES ($1,$2,$3,$4,$5,$6,$7)`, platform.HashSecret(sessionID), id, csrf, now, now.Add(s.SessionTTL), ip, truncate(userAgent, 300))
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("open session: %w", err)
	}
	p, err = s.principal(ctx, id)
	if err != nil {
		return "", nil, err
	}
	p.Via, p.CSRF = "session", csrf
	return sessionID, p, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (s *Store) checkThrottle(ctx context.Context, keys []string) error {
	now := s.db.Now()
	for _, k := range keys {
		var n int
		var start time.Time
		err := s.db.Read.QueryRowContext(ctx, `SELECT failures, window_start FROM login_failures WHERE key = $1`, k).Scan(&n, &start)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		if n >= s.MaxFailures && now.Before(start.Add(s.Window)) {
			wait := start.Add(s.Window).Sub(now).Round(time.Second)
			e := platform.Errorf(platform.ETooMany, "login_throttled", "too many failed logins; try again in %s", wait)
			e.Extra = map[string]any{"retry_after_seconds": int(wait.Seconds())}
			return e
		}
	}
	return nil
}

func (s *Store) fail(ctx context.Context, keys []string) error {
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		for _, k := range keys {
			// A new window starts when the old one has passed.
			_, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, failures, window_start) VALUES ($1, 1, $2)
				ON CONFLICT (key) DO UPDATE SET
				failures = CASE WHEN login_failures.window_start < $3 THEN 1 ELSE login_failures.failures + 1 END,
				window_start = CASE WHEN login_failures.window_start < $3 THEN $2 ELSE login_failures.window_start END`,
				k, now, now.Add(-s.Window))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return ErrBadLogin
}

// Logout ends a session.
func (s *Store) Logout(ctx context.Context, sessionID string) error {
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, platform.HashSecret(sessionID))
		return err
	})
}

// SessionPrincipal resolves a session cookie value; ENotFound-class error when
// the session is unknown or expired.
func (s *Store) SessionPrincipal(ctx context.Context, sessionID string) (*Principal, error) {
	var uid int64
	var csrf string
	var exp time.Time
	err := s.db.Read.QueryRowContext(ctx, `SELECT s.user_id, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = $1 AND u.active`, platform.HashSecret(sessionID)).Scan(&uid, &csrf, &exp)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && s.db.Now().After(exp)) {
		return nil, platform.Errorf(platform.EUnauthorized, "session_expired", "your session has ended; please log in again")
	}
	if err != nil {
		return nil, err
	}
	p, err := s.principal(ctx, uid)
	if err != nil {
		return nil, err
	}
	p.Via, p.CSRF = "session", csrf
	return p, nil
}

func (s *Store) principal(ctx context.Context, userID int64) (*Principal, error) {
	p := &Principal{UserID: userID}
	err := s.db.Read.QueryRowContext(ctx, `SELECT u.username, u.full_name, u.org_id, o.path, o.name, u.lang FROM users u
		JOIN organisations o ON o.id = u.org_id WHERE u.id = $1`, userID).Scan(&p.Username, &p.FullName, &p.OrgID, &p.OrgPath, &p.OrgName, &p.Lang)
	if err != nil {
		return nil, fmt.Errorf("load principal: %w", err)
	}
	p.Grants, err = s.grants(ctx, s.db.Read, userID)
	return p, err
}

// Token is a personal API token (the secret is never stored, only its hash).
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// tokenPrefix marks govdx tokens so secret scanners can recognise them.
const tokenPrefix = "gdx_"

// CheckToken checks a new token's name and lifetime (0: no expiry),
// reporting both mistakes together.
func CheckToken(name string, ttl time.Duration) error {
	name = strings.TrimSpace(name)
	var v platform.Validation
	v.Check(name != "" && len(name) <= 100, "name", "invalid_name", "a token needs a name of at most 100 characters")
	v.Check(ttl >= 0 && ttl <= 2*366*24*time.Hour, "expires_in_days", "invalid_ttl", "a token lives at most two years")
	return v.Err()
}

// CreateToken issues a token for userID; the secret is returned once.
func (s *Store) CreateToken(ctx context.Context, userID int64, name string, ttl time.Duration) (secret string, t Token, err error) {
	name = strings.TrimSpace(name)
	if err := CheckToken(name, ttl); err != nil {
		return "", Token{}, err
	}
	secret = tokenPrefix + platform.RandomToken(24)
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		var exp any
		if ttl > 0 {
			exp = now.Add(ttl)
		}
		return tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at, expires_at)
			VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`, userID, name, secret[:10], platform.HashSecret(secret), now, exp).Scan(&t.ID)
	})
	if err != nil {
		return "", Token{}, err
	}
	toks, err := s.Tokens(ctx, userID)
	for _, x := range toks {
		if x.ID == t.ID {
			t = x
		}
	}
	return secret, t, err
}

// Tokens lists a user's tokens.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, name, prefix, created_at, expires_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var exp, used, rev sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.Prefix, &t.CreatedAt, &exp, &used, &rev); err != nil {
			return nil, err
		}
		t.ExpiresAt, t.LastUsedAt, t.RevokedAt = nullTime(exp), nullTime(used), nullTime(rev)
		out = append(out, t)
	}
	return out, rows.Err()
}

func nullTime(t sql.NullTime) *time.Time {
	if t.Valid {
		return &t.Time
	}
	return nil
}

// RevokeToken revokes one of the user's tokens.
func (s *Store) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		r, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL`, now, tokenID, userID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return platform.NotFound("token")
		}
		return nil
	})
}

// TokenPrincipal resolves a bearer token.
func (s *Store) TokenPrincipal(ctx context.Context, secret string) (*Principal, error) {
	bad := platform.Errorf(platform.EUnauthorized, "invalid_token", "the API token is not valid")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, bad
	}
	var id, uid int64
	var exp, rev sql.NullTime
	err := s.db.Read.QueryRowContext(ctx, `SELECT t.id, t.user_id, t.expires_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND u.active`, platform.HashSecret(secret)).Scan(&id, &uid, &exp, &rev)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	now := s.db.Now()
	if rev.Valid || (exp.Valid && now.After(exp.Time)) {
		return nil, bad
	}
	// last_used_at is advisory; it is written at most once a minute per token.
	_, _ = s.db.Write.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)`,
		now, id, now.Add(-time.Minute))
	p, err := s.principal(ctx, uid)
	if err != nil {
		return nil, err
	}
	p.Via = "token"
	return p, nil
}
