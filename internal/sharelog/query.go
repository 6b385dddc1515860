package sharelog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// Filter selects entries for Query and the exports (D47-45: the provider,
// the consumer for its own calls and auditors query the log).
type Filter struct {
	// From and To bound RequestedAt: From <= t < To; zero means unbounded.
	From, To time.Time
	// RequesterOrgIDs and ProviderOrgIDs scope the result to organisations.
	// nil means any; an empty non-nil slice matches nothing, so a caller
	// that computed an empty scope never sees everything by mistake. When
	// both are set an entry matches either (the union), so an organisation
	// that is both consumer and provider sees both sides of its calls.
	RequesterOrgIDs []int64
	ProviderOrgIDs  []int64
	// ServiceID selects one service; 0 means any.
	ServiceID int64
	// Status selects a class of outcome; "" means any.
	Status StatusClass
	// Code selects one refusal code ("suspended", ...); "" means any.
	Code string
	// Page is the keyset page: entries after the entry with ID Page.After
	// in newest-first order, at most Page.Limit (default 50, capped at
	// platform.MaxPageSize). The exports ignore Limit.
	Page platform.Page
}

// keyset is a position in newest-first order: (requested_us, id) descending.
type keyset struct {
	us, id int64
}

// Query returns the entries matching f, newest first (by RequestedAt, then
// ID), without the kept bodies (use Get for one entry with its content).
// Entries that a journal-mode Writer of this process has acknowledged are
// included: Query waits for them to be indexed (see catchUp).
func Query(ctx context.Context, db *platform.DB, f Filter) (platform.PageResult[Entry], error) {
	catchUp(ctx, db)
	limit := f.Page.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > platform.MaxPageSize {
		limit = platform.MaxPageSize
	}
	p := platform.Page{After: f.Page.After, Limit: limit}
	after, err := cursorPosition(ctx, db.Read, f.Page.After)
	if err != nil {
		return platform.PageResult[Entry]{}, err
	}
	items, err := queryPage(ctx, db.Read, f, after, limit+1)
	if err != nil {
		return platform.PageResult[Entry]{}, err
	}
	return platform.NewPageResult(items, p, func(e Entry) int64 { return e.ID }), nil
}

// Get returns one entry with its kept content.
func Get(ctx context.Context, db *platform.DB, id int64) (Entry, error) {
	row := db.Read.QueryRowContext(ctx, `SELECT id, `+entryColumns+` FROM sharelog_entries WHERE id = $1`, id)
	var e Entry
	if _, _, err := scanEntry(row, &e); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Entry{}, platform.NotFound("sharing log entry")
		}
		return Entry{}, fmt.Errorf("get sharing-log entry: %w", err)
	}
	return e, nil
}

// cursorPosition turns the ID of the last entry of the previous page into
// its keyset position.
func cursorPosition(ctx context.Context, q platform.Querier, id int64) (*keyset, error) {
	if id <= 0 {
		return nil, nil
	}
	k := keyset{id: id}
	err := q.QueryRowContext(ctx, `SELECT requested_us FROM sharelog_entries WHERE id = $1`, id).Scan(&k.us)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, platform.FieldError("cursor", "invalid_cursor", "the cursor points at an entry that no longer exists")
	}
	if err != nil {
		return nil, fmt.Errorf("read sharing-log cursor: %w", err)
	}
	return &k, nil
}

// listColumns is entryColumns without the kept bodies, which lists never show.
func listColumns() string {
	r := strings.NewReplacer("request_body,", "NULL,", "response_body,", "NULL,")
	return r.Replace(entryColumns)
}

// queryPage reads up to limit entries after the keyset position.
func queryPage(ctx context.Context, q platform.Querier, f Filter, after *keyset, limit int) ([]Entry, error) {
	var w where
	if err := w.filter(f); err != nil {
		return nil, err
	}
	if after != nil {
		w.add("(requested_us, id) < (" + w.arg(after.us) + ", " + w.arg(after.id) + ")")
	}
	query := `SELECT id, ` + listColumns() + ` FROM sharelog_entries` + w.sql() +
		` ORDER BY requested_us DESC, id DESC LIMIT ` + strconv.Itoa(limit)
	rows, err := q.QueryContext(ctx, query, w.args...)
	if err != nil {
		return nil, fmt.Errorf("query sharing log: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if _, _, err := scanEntry(rows, &e); err != nil {
			return nil, fmt.Errorf("scan sharing-log entry: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Count returns how many entries match f (f.Page is ignored), after the
// entries this process acknowledged are indexed, as Query does. Exports
// use it to show their progress and to refuse an XLSX that Excel could not
// open before writing it.
func Count(ctx context.Context, db *platform.DB, f Filter) (int64, error) {
	catchUp(ctx, db)
	var w where
	if err := w.filter(f); err != nil {
		return 0, err
	}
	var n int64
	if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sharelog_entries`+w.sql(), w.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count sharing-log entries: %w", err)
	}
	return n, nil
}

// where collects SQL conditions and their numbered arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) add(cond string) { w.conds = append(w.conds, cond) }

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func (w *where) in(col string, ids []int64) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = w.arg(id)
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")"
}

func (w *where) filter(f Filter) error {
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return platform.FieldError("to", "invalid_range", "the end of the period must be after its start")
	}
	if !f.From.IsZero() {
		w.add("requested_us >= " + w.arg(f.From.UnixMicro()))
	}
	if !f.To.IsZero() {
		w.add("requested_us < " + w.arg(f.To.UnixMicro()))
	}
	if f.RequesterOrgIDs != nil || f.ProviderOrgIDs != nil {
		var scope []string
		if len(f.RequesterOrgIDs) > 0 {
			scope = append(scope, w.in("requester_org_id", f.RequesterOrgIDs))
		}
		if len(f.ProviderOrgIDs) > 0 {
			scope = append(scope, w.in("provider_org_id", f.ProviderOrgIDs))
		}
		if len(scope) == 0 {
			w.add("1 = 0") // an empty scope sees nothing
		} else {
			w.add("(" + strings.Join(scope, " OR ") + ")")
		}
	}
	if f.ServiceID != 0 {
		w.add("service_id = " + w.arg(f.ServiceID))
	}
	switch f.Status {
	case "":
	case StatusOK:
		w.add("refusal_code = '' AND status < 400")
	case StatusError:
		w.add("refusal_code = '' AND status >= 400")
	case StatusRefused:
		w.add("refusal_code <> ''")
	default:
		return platform.FieldError("status", "invalid_status", "status must be ok, error or refused")
	}
	if f.Code != "" {
		w.add("refusal_code = " + w.arg(f.Code))
	}
	return nil
}

// scanEntry reads a row of `id, entryColumns`. It returns the stored
// requested_us, and a description of malformed hash or digest columns
// (which Verify reports as an altered entry) instead of failing on them.
func scanEntry(r interface{ Scan(...any) error }, e *Entry) (requestedUS int64, malformed string, err error) {
	var form string
	var status int64
	var reqD, respD, hash []byte
	err = r.Scan(&e.ID, &e.Node, &e.Seq, &e.RequestedAt, &e.RespondedAt, &requestedUS, &form,
		&e.RequesterOrgID, &e.RequesterAppID, &e.RequesterApp, &e.AccountID, &e.ProviderOrgID, &e.ServiceID,
		&e.ServiceCode, &e.Method, &e.Path, &e.Query, &reqD, &e.RequestBytes, &e.RequestBody, &status,
		&e.RefusalCode, &respD, &e.ResponseBytes, &e.ResponseBody, &e.LatencyMicros, &e.KeepContent,
		&e.CorrelationID, &e.ForwardedFrom, &e.ForwardedTo, &hash)
	if err != nil {
		return 0, "", err
	}
	e.RequestedAt = e.RequestedAt.UTC()
	e.RespondedAt = e.RespondedAt.UTC()
	e.Form = Form(form)
	e.Status = int(status)
	for _, c := range []struct {
		dst  *[32]byte
		src  []byte
		name string
	}{{&e.RequestDigest, reqD, "request_digest"}, {&e.ResponseDigest, respD, "response_digest"}, {&e.Hash, hash, "hash"}} {
		if len(c.src) != len(c.dst) {
			malformed = c.name + " is not 32 bytes"
		}
		copy(c.dst[:], c.src)
	}
	return requestedUS, malformed, nil
}
