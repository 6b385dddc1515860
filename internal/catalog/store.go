package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

// Options configure a Store; the zero value uses the shipped calendar and
// legal rules.
type Options struct {
	// Calendar counts working days (D47-25.1); default workday.Default().
	Calendar *workday.Calendar
	// Rules holds the legal values (D47-25.1, D47-34.2); default rules.Default().
	Rules *rules.Registry
	// IndexCheckEvery is how often a search reads the catalog version to
	// notice changes committed by other nodes (default 1 s).
	IndexCheckEvery time.Duration
}

// Store reads and writes the catalog. The database is authoritative; the
// search index is an in-memory cache kept in step with it.
type Store struct {
	db    *platform.DB
	cal   *workday.Calendar
	rules *rules.Registry

	hooksMu sync.Mutex
	hooks   []func(ctx context.Context)

	idx *searchIndex
}

// NewStore returns a catalog store on db.
func NewStore(db *platform.DB, opt Options) *Store {
	if opt.Calendar == nil {
		opt.Calendar = workday.Default()
	}
	if opt.Rules == nil {
		opt.Rules = rules.Default()
	}
	if opt.IndexCheckEvery <= 0 {
		opt.IndexCheckEvery = time.Second
	}
	return &Store{db: db, cal: opt.Calendar, rules: opt.Rules, idx: newSearchIndex(opt.IndexCheckEvery)}
}

// Calendar returns the working-day calendar the store uses.
func (s *Store) Calendar() *workday.Calendar { return s.cal }

// OnChange registers fn to be called after every committed catalog change
// (in this process), e.g. so the gateway rebuilds its configuration
// snapshot. fn runs synchronously after the commit with a context that is
// not cancelled with the request; it should return quickly.
func (s *Store) OnChange(fn func(ctx context.Context)) {
	s.hooksMu.Lock()
	defer s.hooksMu.Unlock()
	s.hooks = append(s.hooks, fn)
}

func (s *Store) notify(ctx context.Context) {
	s.hooksMu.Lock()
	hooks := append([]func(context.Context){}, s.hooks...)
	s.hooksMu.Unlock()
	ctx = context.WithoutCancel(ctx)
	for _, fn := range hooks {
		fn(ctx)
	}
}

// Version returns the catalog version: a counter bumped by every change on
// any node, so other processes can tell cheaply that the catalog changed.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.Read.QueryRowContext(ctx, `SELECT value FROM catalog_meta WHERE key = 'version'`).Scan(&v)
	return v, err
}

// touched lists what a change affected, so the search index reloads only that.
type touched struct {
	services  []int64
	databases []int64
	elements  []int64
	all       bool
}

// change runs fn in one transaction that also bumps the catalog version;
// after the commit it brings the search index up to date and calls the
// change hooks.
func (s *Store) change(ctx context.Context, fn func(tx platform.Tx, now time.Time, t *touched) error) error {
	return s.changeAt(ctx, time.Time{}, fn)
}

// changeAt is change with the transaction's clock set to at (zero = now);
// only the demo data uses it, to give records a believable history.
func (s *Store) changeAt(ctx context.Context, at time.Time, fn func(tx platform.Tx, now time.Time, t *touched) error) error {
	var t touched
	var version int64
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if !at.IsZero() {
			now = at.UTC()
		}
		t = touched{}
		if err := fn(tx, now, &t); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `UPDATE catalog_meta SET value = value + 1 WHERE key = 'version' RETURNING value`).Scan(&version)
	})
	if err != nil {
		return err
	}
	s.indexAfterChange(ctx, version, t)
	s.notify(ctx)
	return nil
}

// orgPath returns an organisation's path, or a field error naming field.
func orgPath(ctx context.Context, q platform.Querier, id int64, field string) (string, error) {
	var p string
	err := q.QueryRowContext(ctx, `SELECT path FROM organisations WHERE id = $1`, id).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", platform.FieldError(field, "unknown_org", "organisation %d does not exist", id)
	}
	return p, err
}

// OrgPath returns an organisation's materialised path ("" and not-found
// error when it does not exist).
func (s *Store) OrgPath(ctx context.Context, id int64) (string, error) {
	p, err := orgPath(ctx, s.db.Read, id, "org_id")
	if platform.ErrorClass(err) == platform.EInvalid {
		return "", platform.NotFound("organisation")
	}
	return p, err
}

// managedOrgs returns the organisations where p may manage the catalog:
// nil means all (platform administrator), an empty map none.
func (s *Store) managedOrgs(ctx context.Context, p *identity.Principal) (map[int64]bool, error) {
	scope := p.Scope(identity.PermCatalogManage)
	if scope == nil {
		return nil, nil
	}
	if len(scope) == 0 {
		return map[int64]bool{}, nil
	}
	cond, args := identity.ScopeSQL("path", scope, 1)
	return s.orgIDs(ctx, `SELECT id FROM organisations WHERE `+cond, args...)
}

// subtreeOrgs returns the ids of an organisation and all its units.
func (s *Store) subtreeOrgs(ctx context.Context, orgID int64) (map[int64]bool, error) {
	path, err := s.OrgPath(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return s.orgIDs(ctx, `SELECT id FROM organisations WHERE path LIKE $1`, path+"%")
}

// orgIDs reads the set of organisation ids a query selects.
func (s *Store) orgIDs(ctx context.Context, query string, args ...any) (map[int64]bool, error) {
	ids, err := queryRows(ctx, s.db.Read, "organisation ids", scanID, query, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// OrgNames returns the names of the given organisations.
func (s *Store) OrgNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	ph, args := inList(ids, 1)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, name FROM organisations WHERE id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// inList renders placeholders $next.. for ids.
var inList = platform.InList

// underOrg narrows a listing (organisations joined as o) to an
// organisation and its units, when orgID is not 0; param names the filter
// in the error for an unknown organisation.
func (s *Store) underOrg(ctx context.Context, w *where, orgID int64, param string) error {
	if orgID == 0 {
		return nil
	}
	path, err := s.OrgPath(ctx, orgID)
	if err != nil {
		return platform.FieldError(param, "unknown_org", "organisation %d does not exist", orgID)
	}
	w.add("o.path LIKE ?", path+"%")
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// where builds a WHERE clause with numbered placeholders, plus the
// catalog's visibility scope.
type where struct{ platform.Where }

func (w *where) add(cond string, v ...any) { w.Add(cond, v...) }

// scope appends a visibility condition: public records, or owned by an
// organisation in the viewer's catalog.manage scope.
func (w *where) scope(publicCond, pathCol string, p *identity.Principal) {
	sc := p.Scope(identity.PermCatalogManage)
	cond, args := identity.ScopeSQL(pathCol, sc, len(w.Args)+1)
	w.Args = append(w.Args, args...)
	w.Conds = append(w.Conds, "("+publicCond+" OR "+cond+")")
}

func (w *where) sql() string { return w.SQL() }

func (w *where) next() string { return "$" + strconv.Itoa(len(w.Args)+1) }

func pageLimit(p platform.Page) int {
	if p.Limit <= 0 {
		return 50
	}
	return p.Limit
}

// checkText validates a text field's length in characters.
func checkText(field, v string, min, max int) error {
	n := len([]rune(v))
	if n < min {
		if min == 1 {
			return platform.FieldError(field, "required", "%s is required", field)
		}
		return platform.FieldError(field, "too_short", "%s must have at least %d characters", field, min)
	}
	if n > max {
		return platform.FieldError(field, "too_long", "%s must be at most %d characters", field, max)
	}
	return nil
}

// textRule records in v a text field's length mistake.
func textRule(v *platform.Validation, field, s string, min, max int) {
	_ = v.Merge(checkText(field, s, min, max)) // checkText's errors are all field errors
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	var pe *platform.Error
	if errors.As(err, &pe) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
