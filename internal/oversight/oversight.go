// Package oversight is the supervision side of data sharing under Decree 47
// chapters II-III: special-request sharing agreements (D47-36..39),
// suspensions (D47-43) and terminations (D47-44) of connections, obstacles
// and their escalation (D47-47..50), the annual data-quality review of each
// database (D47-16), the 6-monthly list reviews (D47-34.2, D47-20.3), a
// calendar and daily digest of legal deadlines, and sharing statistics
// (D47-31.2d, D47-32.2b, D47-53.1d).
//
// Every period comes from the legal-rules registry. Services, connection
// accounts, databases, the sharing log and the inbox belong to other
// features; this package reaches them through the small interfaces of
// deps.go, which internal/app implements.
package oversight

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations returns the oversight schema. It refers to organisations
// (directory) only, so it runs after the directory's and in any order with
// the catalog, sharing and sharing-log schemas.
func Migrations() platform.Migrations {
	sub, _ := fs.Sub(migrationFS, "migrations")
	return platform.Migrations{Name: "oversight", FS: sub}
}

// ConfigChannel is the PostgreSQL NOTIFY channel gateway nodes listen on;
// suspension changes send the payload "suspensions".
const ConfigChannel = "govdx_config"

// Config holds the legal values, the calendar and the tunables.
type Config struct {
	// Rules is the legal-rules registry (default rules.Default()).
	Rules *rules.Registry
	// Calendar is the working-day calendar (default workday.Default()).
	Calendar *workday.Calendar
	// ConversionThreshold: a service with at least this many special-request
	// agreements in force is a candidate for conversion to default sharing
	// (D47-53.1d). Default 2.
	ConversionThreshold int
	// DigestHour is the hour of the day (Vietnam time, 0-23) from which the
	// daily deadline digest is sent. Default 7.
	DigestHour int
	// DigestWithin: the digest lists deadlines overdue or due within this many
	// working days. Default 3.
	DigestWithin int
	// LogEntryURL formats the link to a sharing-log entry cited as evidence
	// (one %d for the entry id). Default "/log/entries/%d".
	LogEntryURL string
	// MaxFileBytes bounds an uploaded file (signed agreement, evidence).
	// Default 10 MiB.
	MaxFileBytes int64
	// ListKinds are the lists whose 6-monthly review oversight tracks
	// (default both). Leave ListOpenData out when the open-data feature
	// tracks its own list reviews and feeds them in through Deps.Deadlines.
	ListKinds []ListKind
}

func (c *Config) defaults() {
	if c.Rules == nil {
		c.Rules = rules.Default()
	}
	if c.Calendar == nil {
		c.Calendar = workday.Default()
	}
	if c.ConversionThreshold <= 0 {
		c.ConversionThreshold = 2
	}
	if c.DigestHour <= 0 || c.DigestHour > 23 {
		c.DigestHour = 7
	}
	if c.DigestWithin <= 0 {
		c.DigestWithin = 3
	}
	if c.LogEntryURL == "" {
		c.LogEntryURL = "/log/entries/%d"
	}
	if c.MaxFileBytes <= 0 {
		c.MaxFileBytes = 10 << 20
	}
	if c.ListKinds == nil {
		c.ListKinds = ListKinds
	}
}

// Store keeps the oversight records and applies their rules. Methods that
// act for a user take the principal and decide authorisation themselves, so
// pages and API share one set of checks.
type Store struct {
	db   *platform.DB
	dir  *directory.Store
	deps Deps
	cfg  Config

	hooksMu sync.Mutex
	hooks   []func(ctx context.Context)
}

// NewStore returns an oversight store. Dependencies left nil disable what
// needs them (e.g. no Notifier: notifications stay queued).
func NewStore(db *platform.DB, dir *directory.Store, deps Deps, cfg Config) *Store {
	cfg.defaults()
	return &Store{db: db, dir: dir, deps: deps, cfg: cfg}
}

// WorkdayCalendar returns the working-day calendar the store applies.
func (s *Store) WorkdayCalendar() *workday.Calendar { return s.cfg.Calendar }

// Rules returns the legal-rules registry the store applies.
func (s *Store) Rules() *rules.Registry { return s.cfg.Rules }

// OnChange registers fn to be called after every committed change of
// suspensions (in this process), so the gateway rebuilds its snapshot. With
// PostgreSQL the change is also announced to other nodes with
// pg_notify('govdx_config', 'suspensions') inside the write transaction.
// fn runs synchronously after the commit with a context that is not
// cancelled with the request; it should return quickly.
func (s *Store) OnChange(fn func(ctx context.Context)) {
	s.hooksMu.Lock()
	defer s.hooksMu.Unlock()
	s.hooks = append(s.hooks, fn)
}

func (s *Store) changed(ctx context.Context) {
	s.hooksMu.Lock()
	hooks := slices.Clone(s.hooks)
	s.hooksMu.Unlock()
	ctx = context.WithoutCancel(ctx)
	for _, fn := range hooks {
		fn(ctx)
	}
}

// notifyGateway tells other nodes, inside tx, that suspensions changed.
func (s *Store) notifyGateway(ctx context.Context, tx platform.Tx) error {
	if s.db.Dialect != platform.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, 'suspensions')`, ConfigChannel)
	return err
}

// tx runs fn in one write transaction. A non-zero at replaces "now" (demo
// data with a past); then, after the commit, the queued tasks are run.
func (s *Store) tx(ctx context.Context, at time.Time, fn func(tx platform.Tx, now time.Time) error) error {
	if at.IsZero() {
		if t, ok := ctx.Value(clockKey{}).(time.Time); ok {
			at = t
		}
	}
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if !at.IsZero() {
			now = at.UTC()
		}
		return fn(tx, now)
	})
	if err != nil {
		return err
	}
	s.runTasksSoon(ctx)
	return nil
}

type clockKey struct{}

// withClock makes the store act as if the time were t: demo data is
// seeded through the public methods with a past.
func withClock(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, clockKey{}, t.UTC())
}

// now is the current time: the database clock (replaced in tests), or the
// clock of withClock.
func (s *Store) now(ctx context.Context) time.Time {
	if t, ok := ctx.Value(clockKey{}).(time.Time); ok {
		return t
	}
	return s.db.Now().UTC()
}

func (s *Store) today(ctx context.Context) workday.Date { return workday.DateOf(s.now(ctx)) }

// --- actors and organisations ---

// actor is who did something, as recorded.
type actor struct {
	userID int64
	name   string
}

func actorOf(p *identity.Principal) actor {
	if p == nil {
		return actor{name: "govdx"}
	}
	name := p.FullName
	if name == "" {
		name = p.Username
	}
	return actor{userID: p.UserID, name: name}
}

func (a actor) id() any {
	if a.userID == 0 {
		return nil
	}
	return a.userID
}

func requireLogin(p *identity.Principal) error {
	if p == nil {
		return platform.Errorf(platform.EUnauthorized, "unauthenticated", "authentication required (Bearer token or session)")
	}
	return nil
}

// org returns an organisation, or a field error naming field when it does not exist.
func (s *Store) org(ctx context.Context, id int64, field string) (directory.Org, error) {
	if id <= 0 {
		return directory.Org{}, fieldErr(field, "required", "choose an organisation")
	}
	o, err := s.dir.Org(ctx, id)
	if platform.ErrorClass(err) == platform.ENotFound {
		return o, fieldErr(field, "unknown_org", "no organisation has this id")
	}
	return o, err
}

// orgNames returns the names of the organisations with the given ids.
func (s *Store) orgNames(ctx context.Context, ids []int64) (map[int64]directory.Org, error) {
	ids = uniq(ids)
	return s.dir.OrgsByID(ctx, ids)
}

// jurisdictionOf returns the nearest ministry or province on the path of o
// (itself included), or the root of its tree when there is none.
func (s *Store) jurisdictionOf(ctx context.Context, o directory.Org) (directory.Org, error) {
	j, _, err := s.dir.ITUnitOf(ctx, o)
	return j, err
}

// allowedAny reports whether p holds any of perms on any of paths.
func allowedAny(p *identity.Principal, paths []string, perms ...identity.Permission) bool {
	for _, path := range paths {
		for _, perm := range perms {
			if p.Allowed(perm, path) {
				return true
			}
		}
	}
	return false
}

// scopeAny is the union of p's scopes for perms (nil = everywhere).
func scopeAny(p *identity.Principal, perms ...identity.Permission) []string {
	out := []string{}
	for _, perm := range perms {
		sc := p.Scope(perm)
		if sc == nil {
			return nil
		}
		out = append(out, sc...)
	}
	return out
}

// inScope reports whether path lies in one of the scope's subtrees.
func inScope(scope []string, path string) bool {
	if scope == nil {
		return true
	}
	for _, s := range scope {
		if strings.HasPrefix(path, s) {
			return true
		}
	}
	return false
}

// --- errors with translatable messages ---

// fmtMsg keeps the English template and arguments of a message with
// values, so pages can translate the template and format it again.
type fmtMsg struct {
	tmpl string
	args []any
}

func (m *fmtMsg) Error() string { return fmt.Sprintf(m.tmpl, m.args...) }

// fieldErr is a validation error about one field; with arguments it keeps
// the template for translation.
func fieldErr(field, code, tmpl string, args ...any) *platform.Error {
	e := platform.FieldError(field, code, tmpl, args...)
	if len(args) > 0 {
		e.Err = &fmtMsg{tmpl: tmpl, args: args}
	}
	return e
}

// coded is an error of a class with a translatable message.
func coded(class, code, tmpl string, args ...any) *platform.Error {
	e := platform.Errorf(class, code, tmpl, args...)
	if len(args) > 0 {
		e.Err = &fmtMsg{tmpl: tmpl, args: args}
	}
	return e
}

// Translate returns the message of err in the language of t (a function
// translating English templates, such as web.View.T).
func Translate(err error, t func(msg string, args ...any) string) string {
	e := platform.AsError(err)
	var m *fmtMsg
	if errors.As(e.Err, &m) {
		return t(m.tmpl, m.args...)
	}
	return t(e.Message)
}

// --- small helpers ---

func uniq(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	seen := map[int64]bool{}
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func checkText(field, v string, min, max int) error {
	if err := directory.CheckText(field, v, min, max); err != nil {
		e := platform.AsError(err)
		if e.Code == "required" {
			return fieldErr(field, "required", "this field is required")
		}
		if e.Code == "too_long" {
			return fieldErr(field, "too_long", "at most %d characters", max)
		}
		return err
	}
	return nil
}

// minText requires at least min characters after trimming.
func minText(field, v string, min, max int, msg string) error {
	n := len([]rune(strings.TrimSpace(v)))
	if n < min {
		return platform.FieldError(field, "required", "%s", msg)
	}
	return checkText(field, v, 0, max)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func nullTime(t sql.NullTime) time.Time {
	if t.Valid {
		return t.Time.UTC()
	}
	return time.Time{}
}

func nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func nullInt(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// inList renders "$n,$n+1,..." for ids starting at placeholder next.
var inList = platform.InList

// where builds a WHERE clause with numbered placeholders, plus scopes.
type where struct{ platform.Where }

func (w *where) add(cond string, v ...any) { w.Add(cond, v...) }

// scope adds "one of pathCols lies in scope" (nil scope = no condition).
func (w *where) scope(scope []string, pathCols ...string) {
	if scope == nil {
		return
	}
	if len(scope) == 0 {
		w.Conds = append(w.Conds, "1=0")
		return
	}
	var ors []string
	for _, col := range pathCols {
		for _, p := range scope {
			w.Args = append(w.Args, p+"%")
			ors = append(ors, col+" LIKE $"+strconv.Itoa(len(w.Args)))
		}
	}
	w.Conds = append(w.Conds, "("+strings.Join(ors, " OR ")+")")
}

func (w *where) sql() string {
	if len(w.Conds) == 0 {
		return "1=1"
	}
	return strings.Join(w.Conds, " AND ")
}

func (w *where) next() string { return "$" + strconv.Itoa(len(w.Args)+1) }

// parseTime reads an instant from a form or JSON: RFC 3339, or a local
// Vietnam time written "2006-01-02T15:04" (a browser's datetime-local) or
// "2006-01-02 15:04", or a date "2006-01-02" (its start in Vietnam).
func parseTime(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, workday.Location()); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fieldErr(field, "invalid_time", "write a date and time as YYYY-MM-DDTHH:MM (Vietnam time) or RFC 3339")
}

func parseDate(field, v string) (workday.Date, error) {
	d, err := workday.ParseDate(strings.TrimSpace(v))
	if err != nil {
		return d, fieldErr(field, "invalid_date", "write a date as YYYY-MM-DD")
	}
	return d, nil
}

// vnTime formats an instant in Vietnam time for messages.
func vnTime(t time.Time) string { return t.In(workday.Location()).Format("02/01/2006 15:04") }

// vnDate formats a civil date for messages.
func vnDate(d workday.Date) string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day(), int(d.Month()), d.Year())
}
