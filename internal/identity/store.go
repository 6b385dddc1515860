package identity

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/govdx/govdx/internal/platform"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations returns the identity schema (after the directory's).
func Migrations() platform.Migrations {
	sub, _ := fs.Sub(migrationFS, "migrations")
	return platform.Migrations{Name: "identity", FS: sub}
}

// Store keeps users, grants, sessions and tokens.
type Store struct {
	db *platform.DB
	// bcryptCost is lowered in tests only.
	bcryptCost int
	// SessionTTL is how long a session lives without re-login (default 12 h).
	SessionTTL time.Duration
	// Throttle bounds failed logins: MaxFailures per Window per account and per address.
	MaxFailures int
	Window      time.Duration
}

// NewStore returns an identity store on db.
func NewStore(db *platform.DB) *Store {
	return &Store{db: db, bcryptCost: bcrypt.DefaultCost, SessionTTL: 12 * time.Hour, MaxFailures: 5, Window: 15 * time.Minute}
}

// SetFastHashing lowers the bcrypt cost; for tests and demo seeding only.
func (s *Store) SetFastHashing() { s.bcryptCost = bcrypt.MinCost }

// User is a person who logs in; they belong to one organisation.
type User struct {
	ID          int64      `json:"id"`
	OrgID       int64      `json:"org_id"`
	OrgName     string     `json:"org_name"`
	Username    string     `json:"username"`
	FullName    string     `json:"full_name"`
	Email       string     `json:"email"`
	Phone       string     `json:"phone"`
	Active      bool       `json:"active"`
	Lang        string     `json:"lang"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at"`
	Grants      []Grant    `json:"grants"`
}

// UserInput is what may be set on a user.
type UserInput struct {
	OrgID    int64  `json:"org_id"`
	Username string `json:"username"`
	FullName string `json:"full_name"`
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Password string `json:"password,omitempty"`
	Lang     string `json:"lang"`
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// CheckPassword enforces a minimum length; long passphrases are welcome.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < 10 {
		return platform.FieldError("password", "weak_password", "the password must have at least 10 characters")
	}
	if len(pw) > 72 {
		return platform.FieldError("password", "too_long", "the password must be at most 72 bytes")
	}
	return nil
}

// Validate checks every field of a new user (needPassword) or of a profile
// change, trimming them in place, and reports every mistake together.
func (in *UserInput) Validate(needPassword bool) error {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.FullName = strings.TrimSpace(in.FullName)
	in.Email = strings.TrimSpace(in.Email)
	var v platform.Validation
	v.Check(usernameRE.MatchString(in.Username), "username", "invalid_username", "a username is 3-64 lowercase letters, digits, '.', '_' or '-'")
	n := utf8.RuneCountInString(in.FullName)
	v.Check(n >= 1 && n <= 200, "full_name", "invalid_full_name", "the full name is required (at most 200 characters)")
	if in.Email != "" {
		at := strings.LastIndex(in.Email, "@")
		v.Check(at >= 1 && at != len(in.Email)-1 && len(in.Email) <= 254 && !strings.ContainsAny(in.Email, " <>"),
			"email", "invalid_email", "email is not a valid e-mail address")
	}
	if in.Lang == "" {
		in.Lang = "vi"
	}
	v.Check(in.Lang == "vi" || in.Lang == "en", "lang", "invalid_lang", "lang must be vi or en")
	v.Check(in.OrgID > 0, "org_id", "required", "the user's organisation is required")
	if needPassword || in.Password != "" {
		_ = v.Merge(CheckPassword(in.Password))
	}
	return v.Err()
}

// CheckNewUser checks a new user as CreateUser does, trimming in place,
// without writing: every field, then, for the fields without a mistake,
// that the username is free and the organisation exists. Every mistake is
// reported together.
func (s *Store) CheckNewUser(ctx context.Context, in *UserInput) error {
	var v platform.Validation
	_ = v.Merge(in.Validate(true))
	if err := s.checkUserRefs(ctx, s.db.Read, &v, *in); err != nil {
		return err
	}
	return v.Err()
}

// checkUserRefs adds to v a username already taken and an organisation
// that does not exist, for the fields without a mistake yet.
func (s *Store) checkUserRefs(ctx context.Context, q platform.Querier, v *platform.Validation, in UserInput) error {
	if !v.Has("username") {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = $1`, in.Username).Scan(&n); err != nil {
			return err
		}
		v.Check(n == 0, "username", "duplicate_username", "username %q is taken", in.Username)
	}
	if !v.Has("org_id") {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1`, in.OrgID).Scan(&n); err != nil {
			return err
		}
		v.Check(n > 0, "org_id", "unknown_org", "organisation %d does not exist", in.OrgID)
	}
	return nil
}

// CreateUser adds a user with a password. Every mistake of the input is
// reported together (CheckNewUser) before anything is written.
func (s *Store) CreateUser(ctx context.Context, in UserInput) (User, error) {
	if err := s.CheckNewUser(ctx, &in); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.bcryptCost)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	var id int64
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (org_id, username, full_name, email, phone, password_hash, lang, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8) RETURNING id`,
			in.OrgID, in.Username, in.FullName, in.Email, in.Phone, string(hash), in.Lang, now).Scan(&id)
		switch {
		case platform.IsUniqueViolation(err):
			return platform.FieldError("username", "duplicate_username", "username %q is taken", in.Username)
		case platform.IsForeignKeyViolation(err):
			return platform.FieldError("org_id", "unknown_org", "organisation %d does not exist", in.OrgID)
		}
		return err
	})
	if err != nil {
		return User{}, err
	}
	return s.User(ctx, id)
}

// UpdateUser changes a user's profile (not the password, not the username).
func (s *Store) UpdateUser(ctx context.Context, id int64, in UserInput, active bool) (User, error) {
	in.Password = ""
	if err := in.Validate(false); err != nil {
		return User{}, err
	}
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		r, err := tx.ExecContext(ctx, `UPDATE users SET org_id=$1, full_name=$2, email=$3, phone=$4, lang=$5, active=$6, updated_at=$7 WHERE id=$8`,
			in.OrgID, in.FullName, in.Email, in.Phone, in.Lang, active, now, id)
		if platform.IsForeignKeyViolation(err) {
			return platform.FieldError("org_id", "unknown_org", "organisation %d does not exist", in.OrgID)
		}
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return platform.NotFound("user")
		}
		if !active {
			_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		}
		return err
	})
	if err != nil {
		return User{}, err
	}
	return s.User(ctx, id)
}

// SetPassword replaces a user's password and ends their sessions.
func (s *Store) SetPassword(ctx context.Context, username, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.bcryptCost)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		var id int64
		err := tx.QueryRowContext(ctx, `UPDATE users SET password_hash=$1, updated_at=$2 WHERE username=$3 RETURNING id`,
			string(hash), now, strings.ToLower(username)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return platform.NotFound("user")
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return err
	})
}

const userColumns = `u.id, u.org_id, o.name, u.username, u.full_name, u.email, u.phone, u.active, u.lang, u.created_at, u.last_login_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var last sql.NullTime
	err := row.Scan(&u.ID, &u.OrgID, &u.OrgName, &u.Username, &u.FullName, &u.Email, &u.Phone, &u.Active, &u.Lang, &u.CreatedAt, &last)
	if last.Valid {
		u.LastLoginAt = &last.Time
	}
	return u, err
}

// User returns a user with their grants.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.db.Read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, platform.NotFound("user")
	}
	if err != nil {
		return User{}, err
	}
	u.Grants, err = s.grants(ctx, s.db.Read, id)
	return u, err
}

// UserByUsername returns a user by login name.
func (s *Store) UserByUsername(ctx context.Context, username string) (User, error) {
	var id int64
	err := s.db.Read.QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, strings.ToLower(username)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, platform.NotFound("user")
	}
	if err != nil {
		return User{}, err
	}
	return s.User(ctx, id)
}

// UserFilter narrows the user list; Under limits it to subtrees (nil = all).
type UserFilter struct {
	Query string
	Under []string
	Page  platform.Page
}

// ListUsers lists users whose organisation lies in scope.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) (platform.PageResult[User], error) {
	scope, args := ScopeSQL("o.path", f.Under, 2)
	args = append([]any{f.Page.After}, args...)
	q := `SELECT ` + userColumns + ` FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id > $1 AND ` + scope
	for _, t := range platform.Tokens(f.Query) {
		args = append(args, "%"+t+"%")
		q += fmt.Sprintf(" AND (lower(u.username) LIKE $%d OR lower(u.full_name) LIKE $%d OR o.search_text LIKE $%d)", len(args), len(args), len(args))
	}
	if f.Page.Limit <= 0 {
		f.Page.Limit = 50
	}
	args = append(args, f.Page.Limit+1)
	q += fmt.Sprintf(" ORDER BY u.id LIMIT $%d", len(args))
	out, err := platform.QueryAll(ctx, s.db.Read, scanUser, q, args...)
	if err != nil {
		return platform.PageResult[User]{}, fmt.Errorf("list users: %w", err)
	}
	for i := range out {
		if out[i].Grants, err = s.grants(ctx, s.db.Read, out[i].ID); err != nil {
			return platform.PageResult[User]{}, err
		}
	}
	return platform.NewPageResult(out, f.Page, func(u User) int64 { return u.ID }), nil
}

func (s *Store) grants(ctx context.Context, q platform.Querier, userID int64) ([]Grant, error) {
	rows, err := q.QueryContext(ctx, `SELECT g.id, g.role, g.org_id, o.path, o.name FROM role_grants g
		JOIN organisations o ON o.id = g.org_id WHERE g.user_id = $1 ORDER BY g.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Grant{}
	for rows.Next() {
		var g Grant
		if err := rows.Scan(&g.ID, &g.Role, &g.OrgID, &g.OrgPath, &g.OrgName); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// GrantRole gives userID role on the subtree of orgID.
func (s *Store) GrantRole(ctx context.Context, userID int64, role Role, orgID, grantedBy int64) error {
	if !role.Valid() {
		return platform.FieldError("role", "invalid_role", "unknown role %q", role)
	}
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO role_grants (user_id, role, org_id, granted_by, created_at) VALUES ($1,$2,$3,$4,$5)
			ON CONFLICT (user_id, role, org_id) DO NOTHING`, userID, role, orgID, grantedBy, now)
		if platform.IsForeignKeyViolation(err) {
			return platform.FieldError("org_id", "unknown_org", "user or organisation does not exist")
		}
		return err
	})
}

// RevokeGrant removes one grant of a user.
func (s *Store) RevokeGrant(ctx context.Context, userID, grantID int64) error {
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM role_grants WHERE id = $1 AND user_id = $2`, grantID, userID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return platform.NotFound("grant")
		}
		return nil
	})
}

// Audit records who did what; failures to audit fail the caller's action.
func (s *Store) Audit(ctx context.Context, p *Principal, action, object, detail string) error {
	var uid, oid any
	if p != nil {
		uid, oid = p.UserID, p.OrgID
	}
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (at, user_id, org_id, action, object, detail) VALUES ($1,$2,$3,$4,$5,$6)`,
			now, uid, oid, action, object, detail)
		return err
	})
}
