package syncshare

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the local copy is a SQLite file
)

// This file is the reference consumer of synchronised sharing (`govdx sync
// pull`): it keeps a local SQLite copy of a feed up to date through the
// gateway, resumable after an interruption, and refuses to call the copy
// valid after its validity ends (D47-41.2b).

// LocalCopy is a consumer's SQLite copy of one feed: table records(key,
// seq, data) and table meta(name, value) holding the service, cursor,
// last synchronisation and validity.
type LocalCopy struct {
	db   *sql.DB
	Path string
}

// OpenCopy opens (creating if needed) a local copy.
func OpenCopy(ctx context.Context, path string) (*LocalCopy, error) {
	dsn := "file:" + strings.NewReplacer("%", "%25", "#", "%23", "?", "%3f").Replace(path) +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, seq INTEGER NOT NULL, data TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			db.Close()
			return nil, fmt.Errorf("open copy %s: %w", path, err)
		}
	}
	return &LocalCopy{db: db, Path: path}, nil
}

// Close closes the copy.
func (c *LocalCopy) Close() error { return c.db.Close() }

// CopyStatus is what a local copy knows of itself.
type CopyStatus struct {
	Service    string
	Gateway    string
	Cursor     int64
	Head       int64
	Records    int64
	SyncedAt   *time.Time
	ValidUntil *time.Time
}

// State is never, valid or expired at now (D47-41.2b).
func (st CopyStatus) State(now time.Time) string { return copyState(st.SyncedAt, st.ValidUntil, now) }

// Status reads the copy's state.
func (c *LocalCopy) Status(ctx context.Context) (CopyStatus, error) {
	var st CopyStatus
	meta, err := c.meta(ctx)
	if err != nil {
		return st, err
	}
	st.Service, st.Gateway = meta["service"], meta["gateway"]
	st.Cursor, _ = strconv.ParseInt(meta["cursor"], 10, 64)
	st.Head, _ = strconv.ParseInt(meta["head"], 10, 64)
	if t, err := time.Parse(time.RFC3339Nano, meta["synced_at"]); err == nil {
		st.SyncedAt = &t
	}
	if t, err := time.Parse(time.RFC3339Nano, meta["valid_until"]); err == nil {
		st.ValidUntil = &t
	}
	err = c.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM records`).Scan(&st.Records)
	return st, err
}

func (c *LocalCopy) meta(ctx context.Context) (map[string]string, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT name, value FROM meta`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

func setMeta(ctx context.Context, tx *sql.Tx, kv ...string) error {
	for i := 0; i+1 < len(kv); i += 2 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, kv[i], kv[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// Record returns one record's data from the copy (tests, tools).
func (c *LocalCopy) Record(ctx context.Context, key string) (json.RawMessage, bool, error) {
	var data string
	err := c.db.QueryRowContext(ctx, `SELECT data FROM records WHERE key = $1`, key).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return json.RawMessage(data), err == nil, err
}

// Puller pulls a feed through the gateway.
type Puller struct {
	// Gateway is the gateway's base URL, e.g. http://127.0.0.1:8081.
	Gateway string
	// Service is the sync service's identifier.
	Service string
	// Key is the connection account's API key.
	Key string
	// Limit is the batch size asked for [1000].
	Limit int
	// HTTP is the client [a client with a 2-minute timeout].
	HTTP *http.Client
}

// PullResult sums up one pull to the head.
type PullResult struct {
	Batches    int
	Upserted   int
	Deleted    int
	Cursor     int64
	Head       int64
	SyncedAt   time.Time
	ValidUntil time.Time
}

// CallError is a refusal of the gateway, with its stable code.
type CallError struct {
	Status int
	Code   string
	Detail string
	Field  string
}

func (e *CallError) Error() string {
	return fmt.Sprintf("the gateway answered %d %s: %s", e.Status, e.Code, e.Detail)
}

// Pull fetches batches into the copy until it reaches the head. Each batch
// is committed with its cursor, so an interrupted pull resumes where it
// stopped; a copy is valid only after a pull that reached the head.
func (p *Puller) Pull(ctx context.Context, c *LocalCopy) (PullResult, error) {
	var res PullResult
	meta, err := c.meta(ctx)
	if err != nil {
		return res, err
	}
	if s := meta["service"]; s != "" && s != p.Service {
		return res, fmt.Errorf("%s is a copy of %s, not of %s", c.Path, s, p.Service)
	}
	cursor, _ := strconv.ParseInt(meta["cursor"], 10, 64)
	restarted := false
	for {
		b, err := p.fetch(ctx, cursor)
		var ce *CallError
		if errors.As(err, &ce) && ce.Code == "bad_request" && ce.Field == "cursor" && cursor != 0 && !restarted {
			// The gateway does not know this cursor (the copy came from
			// elsewhere): start again with a full snapshot.
			cursor, restarted = 0, true
			continue
		}
		if err != nil {
			return res, err
		}
		if err := p.apply(ctx, c, b); err != nil {
			return res, fmt.Errorf("store batch: %w", err)
		}
		res.Batches++
		for _, r := range b.Records {
			if r.Deleted {
				res.Deleted++
			} else {
				res.Upserted++
			}
		}
		cursor, res.Cursor, res.Head = b.NextCursor, b.NextCursor, b.Head
		if !b.HasMore {
			if b.SyncedAt != nil && b.ValidUntil != nil {
				res.SyncedAt, res.ValidUntil = *b.SyncedAt, *b.ValidUntil
			}
			return res, nil
		}
	}
}

func (p *Puller) fetch(ctx context.Context, cursor int64) (Batch, error) {
	var b Batch
	limit := p.Limit
	if limit <= 0 {
		limit = defaultBatch
	}
	u := strings.TrimRight(p.Gateway, "/") + "/s/" + p.Service + "/changes?" +
		url.Values{"cursor": {strconv.FormatInt(cursor, 10)}, "limit": {strconv.Itoa(limit)}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return b, err
	}
	req.Header.Set("X-Api-Key", p.Key)
	req.Header.Set("Accept", "application/json")
	hc := p.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return b, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return b, err
	}
	if resp.StatusCode != http.StatusOK {
		ce := &CallError{Status: resp.StatusCode, Code: "http_" + strconv.Itoa(resp.StatusCode), Detail: strings.TrimSpace(string(body))}
		var prob struct{ Code, Detail, Field string }
		if json.Unmarshal(body, &prob) == nil && prob.Code != "" {
			ce.Code, ce.Detail, ce.Field = prob.Code, prob.Detail, prob.Field
		}
		return b, ce
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return b, fmt.Errorf("unreadable batch: %w", err)
	}
	if b.Cursor != cursor || b.NextCursor < cursor {
		return b, fmt.Errorf("the batch does not follow cursor %d", cursor)
	}
	return b, nil
}

// apply stores a batch and its cursor in one local transaction.
func (p *Puller) apply(ctx context.Context, c *LocalCopy, b Batch) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if b.Cursor == 0 {
		// A snapshot replaces whatever the copy held.
		if _, err := tx.ExecContext(ctx, `DELETE FROM records`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM meta WHERE name IN ('synced_at', 'valid_until')`); err != nil {
			return err
		}
	}
	for _, r := range b.Records {
		if r.Deleted {
			if _, err := tx.ExecContext(ctx, `DELETE FROM records WHERE key = $1`, r.Key); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO records (key, seq, data) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET seq = excluded.seq, data = excluded.data`, r.Key, r.Seq, string(r.Data)); err != nil {
			return err
		}
	}
	kv := []string{"service", p.Service, "gateway", p.Gateway, "cursor", strconv.FormatInt(b.NextCursor, 10),
		"head", strconv.FormatInt(b.Head, 10), "key_item", b.KeyItem}
	if !b.HasMore && b.SyncedAt != nil && b.ValidUntil != nil {
		kv = append(kv, "synced_at", b.SyncedAt.UTC().Format(time.RFC3339Nano), "valid_until", b.ValidUntil.UTC().Format(time.RFC3339Nano))
	}
	if err := setMeta(ctx, tx, kv...); err != nil {
		return err
	}
	return tx.Commit()
}
