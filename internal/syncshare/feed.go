package syncshare

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// RecordInput is one change a provider pushes into its feed.
type RecordInput struct {
	// Key identifies the record; it may be left out when Data holds the
	// feed's key item.
	Key string `json:"key,omitempty"`
	// Data is the record's whole state: an object whose keys are data
	// items of the service. Absent for deletions.
	Data json.RawMessage `json:"data,omitempty"`
	// Deleted removes the record; consumers following the feed learn of
	// it through a tombstone.
	Deleted bool `json:"deleted,omitempty"`
}

// PushInput is a batch of changes, applied all or nothing.
type PushInput struct {
	// KeyItem names the data item that keys the records. It is fixed by
	// the first push or snapshot (default: the service's first item).
	KeyItem string        `json:"key_item,omitempty"`
	Records []RecordInput `json:"records"`
}

// PushResult counts what a push or snapshot changed.
type PushResult struct {
	Rows      int `json:"rows"`
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Deleted   int `json:"deleted"`
	// NotFound counts deletions of keys the feed does not hold.
	NotFound int `json:"not_found"`
	// Head is the feed's sequence number after the change.
	Head int64 `json:"head"`
}

// Feed is the state of a service's change feed.
type Feed struct {
	ServiceID    int64      `json:"service_id"`
	KeyItem      string     `json:"key_item"`
	Head         int64      `json:"head"`
	LiveRows     int64      `json:"live_rows"`
	DeletedRows  int64      `json:"deleted_rows"`
	LastPushAt   *time.Time `json:"last_push_at"`
	LastPushBy   string     `json:"last_push_by"`
	LastPushKind string     `json:"last_push_kind"` // records | snapshot
	// PurgedSeq: tombstones up to this sequence number may have been
	// purged (PurgeTombstones); a cursor below it must start again from 0.
	PurgedSeq int64 `json:"purged_seq"`
	secret    string
}

// loadFeed returns the feed of a service; ok is false when nothing was
// ever pushed.
func (s *Store) loadFeed(ctx context.Context, q platform.Querier, serviceID int64) (Feed, bool, error) {
	f := Feed{ServiceID: serviceID}
	var last sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT key_item, secret, head, live_rows, deleted_rows, last_push_at, last_push_by, last_push_kind, purged_seq
		FROM sync_feeds WHERE service_id = $1`, serviceID).Scan(&f.KeyItem, &f.secret, &f.Head, &f.LiveRows, &f.DeletedRows,
		&last, &f.LastPushBy, &f.LastPushKind, &f.PurgedSeq)
	if errors.Is(err, sql.ErrNoRows) {
		return f, false, nil
	}
	if err != nil {
		return f, false, fmt.Errorf("load feed %d: %w", serviceID, err)
	}
	if last.Valid {
		t := last.Time.UTC()
		f.LastPushAt = &t
	}
	return f, true, nil
}

// keyItemFor decides the key item of a push: the feed's, once fixed.
func (s *Store) keyItemFor(ctx context.Context, svc Service, asked string) (string, error) {
	f, ok, err := s.loadFeed(ctx, s.db.Read, svc.ID)
	if err != nil {
		return "", err
	}
	asked = strings.TrimSpace(asked)
	if ok {
		if asked != "" && asked != f.KeyItem {
			return "", platform.FieldError("key_item", "key_item_fixed", "the feed is keyed by %q since its first push", f.KeyItem)
		}
		return f.KeyItem, nil
	}
	if asked == "" {
		if len(svc.Items) == 0 {
			return "", platform.FieldError("key_item", "required", "name the data item that keys the records")
		}
		return svc.Items[0].Key, nil
	}
	if !svc.hasItem(asked) {
		return "", platform.FieldError("key_item", "unknown_item", "%q is not a data item of the service (items: %s)", asked, strings.Join(svc.ItemKeys(), ", "))
	}
	return asked, nil
}

// lockFeed creates the feed if needed and locks it for the transaction
// (PostgreSQL: the row lock serialises pushes, so sequence numbers are
// given and committed in order; SQLite has one writer anyway). It returns
// the head.
func lockFeed(ctx context.Context, tx platform.Tx, serviceID int64, keyItem string, now time.Time) (int64, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO sync_feeds (service_id, key_item, secret, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) ON CONFLICT (service_id) DO NOTHING`, serviceID, keyItem, platform.RandomToken(24), now); err != nil {
		return 0, fmt.Errorf("create feed: %w", err)
	}
	var head int64
	err := tx.QueryRowContext(ctx, `UPDATE sync_feeds SET updated_at = $2 WHERE service_id = $1 RETURNING head`, serviceID, now).Scan(&head)
	if err != nil {
		return 0, fmt.Errorf("lock feed: %w", err)
	}
	return head, nil
}

type change struct {
	key     string
	data    []byte
	deleted bool
}

// PushRecords applies a batch of upserts and deletions to a sync service's
// feed (D47-23.1b), all or nothing: a bad record refuses the batch with
// every problem listed. A record whose data did not change takes no new
// sequence number, so consumers do not fetch it again.
func (s *Store) PushRecords(ctx context.Context, p *identity.Principal, ref string, in PushInput) (PushResult, error) {
	svc, err := s.service(ctx, p, ref, MethodSync, true)
	if err != nil {
		return PushResult{}, err
	}
	// The key item and the size of the batch are reported together; the
	// records are checked (every bad one listed) once both are right, as
	// their keys depend on the key item.
	var v platform.Validation
	keyItem, err := s.keyItemFor(ctx, svc, in.KeyItem)
	if err := v.Merge(err); err != nil {
		return PushResult{}, err
	}
	v.Check(len(in.Records) > 0, "records", "required", "send at least one record")
	v.Check(len(in.Records) <= s.opts.MaxPushRecords, "records", "too_many_records",
		"send at most %d records per push, or upload a snapshot", s.opts.MaxPushRecords)
	if err := v.Err(); err != nil {
		return PushResult{}, err
	}
	changes, err := s.checkPush(svc, keyItem, in)
	if err != nil {
		return PushResult{}, err
	}
	var res PushResult
	err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		res = PushResult{Rows: len(changes)}
		head, err := lockFeed(ctx, tx, svc.ID, keyItem, now)
		if err != nil {
			return err
		}
		var dLive, dDeleted int64
		for _, c := range changes {
			var old string
			var oldDeleted bool
			err := tx.QueryRowContext(ctx, `SELECT data, deleted FROM sync_records WHERE service_id = $1 AND record_key = $2`,
				svc.ID, c.key).Scan(&old, &oldDeleted)
			exists := err == nil
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			switch {
			case c.deleted && (!exists || oldDeleted):
				res.NotFound++
				continue
			case c.deleted:
				res.Deleted++
				dLive--
				dDeleted++
			case !exists:
				res.Inserted++
				dLive++
			case oldDeleted:
				res.Inserted++
				dLive++
				dDeleted--
			case old == string(c.data):
				res.Unchanged++
				continue
			default:
				res.Updated++
			}
			head++
			data := string(c.data)
			if c.deleted {
				data = "{}"
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO sync_records (service_id, record_key, seq, deleted, data, changed_at)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (service_id, record_key) DO UPDATE SET seq = excluded.seq,
				deleted = excluded.deleted, data = excluded.data, changed_at = excluded.changed_at`,
				svc.ID, c.key, head, c.deleted, data, now); err != nil {
				return fmt.Errorf("store record: %w", err)
			}
		}
		res.Head = head
		_, err = tx.ExecContext(ctx, `UPDATE sync_feeds SET head = $2, live_rows = live_rows + $3, deleted_rows = deleted_rows + $4,
			last_push_at = $5, last_push_by = $6, last_push_kind = 'records', updated_at = $5 WHERE service_id = $1`,
			svc.ID, head, dLive, dDeleted, now, p.FullName)
		return err
	})
	return res, err
}

// checkPush validates the records of a batch (1 to MaxPushRecords of them)
// and renders each canonically.
func (s *Store) checkPush(svc Service, keyItem string, in PushInput) ([]change, error) {
	var pb problems
	out := make([]change, 0, len(in.Records))
	seen := make(map[string]int, len(in.Records))
	for i, r := range in.Records {
		pos := "records[" + strconv.Itoa(i) + "]"
		c := change{key: r.Key, deleted: r.Deleted}
		hasData := len(r.Data) > 0 && string(r.Data) != "null"
		if r.Deleted {
			if hasData {
				pb.add("%s: a deletion carries no data", pos)
				continue
			}
		} else {
			var rec record
			if !hasData || json.Unmarshal(r.Data, &rec) != nil || rec == nil {
				pb.add("%s: data must be a JSON object of data items", pos)
				continue
			}
			bad := false
			for k := range rec {
				if !svc.hasItem(k) {
					pb.add("%s: %q is not a data item of the service (items: %s)", pos, k, strings.Join(svc.ItemKeys(), ", "))
					bad = true
				}
			}
			if bad {
				continue
			}
			if k, ok := keyOf(rec, keyItem); ok {
				if c.key != "" && c.key != k {
					pb.add("%s: key %q differs from its %s %q", pos, c.key, keyItem, k)
					continue
				}
				c.key = k
			}
			b, err := canonical(rec)
			if err != nil {
				pb.add("%s: %v", pos, err)
				continue
			}
			if len(b) > s.opts.MaxRecordBytes {
				pb.add("%s: the record is larger than %d bytes", pos, s.opts.MaxRecordBytes)
				continue
			}
			c.data = b
		}
		if c.key == "" {
			pb.add("%s: no key: give \"key\" or the data item %q", pos, keyItem)
			continue
		}
		if msg := checkKey(c.key); msg != "" {
			pb.add("%s: %s", pos, msg)
			continue
		}
		if j, dup := seen[c.key]; dup {
			pb.add("%s: key %q is also in records[%d]; send one change per record", pos, c.key, j)
			continue
		}
		seen[c.key] = i
		out = append(out, c)
	}
	if err := pb.err(); err != nil {
		e := platform.AsError(err)
		e.Field = "records"
		e.Message = strings.Replace(e.Message, "the file was refused", "the batch was refused", 1)
		return nil, e
	}
	return out, nil
}

// SnapshotInput describes a snapshot upload.
type SnapshotInput struct {
	// Format is csv, json or xlsx; empty recognises the content.
	Format string
	// KeyItem as in PushInput.
	KeyItem string
}

// stageRows is how many rows one staging transaction writes: short
// transactions keep SQLite's single writer (shared with the sharing log)
// available.
const stageRows = 500

// ReplaceSnapshot replaces the whole content of a sync service's feed with
// a CSV, XLSX or JSON file (D47-23.1b "synchronisation of all or part of a
// database"): new and changed rows take new sequence numbers, rows missing
// from the file become tombstones, unchanged rows stay as they are. All or
// nothing: the file is checked completely first, then applied by one
// transaction.
func (s *Store) ReplaceSnapshot(ctx context.Context, p *identity.Principal, ref string, in SnapshotInput, body io.Reader) (PushResult, error) {
	svc, err := s.service(ctx, p, ref, MethodSync, true)
	if err != nil {
		return PushResult{}, err
	}
	// The key item and the declared format are reported together, before
	// the file is received and checked against them.
	var v platform.Validation
	keyItem, err := s.keyItemFor(ctx, svc, in.KeyItem)
	if err := v.Merge(err); err != nil {
		return PushResult{}, err
	}
	declared := strings.ToLower(strings.TrimSpace(in.Format))
	v.Check(declared == "" || containsString(Formats, declared), "format", "unsupported_format", "the format must be csv, json or xlsx")
	if err := v.Err(); err != nil {
		return PushResult{}, err
	}
	u, err := s.receive(body)
	if err != nil {
		return PushResult{}, err
	}
	defer u.remove()
	format, err := detectFormat(in.Format, u.path)
	if err != nil {
		return PushResult{}, err
	}
	// Pass 1: check everything, keep nothing.
	var pb problems
	keys := map[string]string{}
	rows := 0
	cols, err := s.readTable(u.path, format, svc, &pb, func(pos string, rec record) error {
		rows++
		k, ok := keyOf(rec, keyItem)
		if !ok {
			pb.add("%s: the key %q is empty", pos, keyItem)
			return nil
		}
		if msg := checkKey(k); msg != "" {
			pb.add("%s: %s", pos, msg)
			return nil
		}
		if prev, dup := keys[k]; dup {
			pb.add("%s: key %q repeats %s", pos, k, prev)
			return nil
		}
		keys[k] = pos
		if b, err := canonical(rec); err != nil || len(b) > s.opts.MaxRecordBytes {
			pb.add("%s: the record is larger than %d bytes", pos, s.opts.MaxRecordBytes)
		}
		return nil
	})
	if err != nil {
		return PushResult{}, err
	}
	switch {
	case pb.total > 0:
	case rows == 0:
		// An empty file would delete every record: more likely a mistake
		// than a wish; deletions are pushed explicitly.
		pb.add("the file holds no rows; to remove records, push their deletions")
	case !containsString(cols, keyItem):
		pb.add("the file has no column for the key item %q", keyItem)
	}
	if err := pb.err(); err != nil {
		return PushResult{}, err
	}
	// Pass 2: stage the rows in short transactions.
	batch := platform.RandomToken(16)
	defer s.dropStaging(context.WithoutCancel(ctx), batch)
	var pending []change
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
			var sb strings.Builder
			args := make([]any, 0, len(pending)*4)
			sb.WriteString(`INSERT INTO sync_staging (batch, record_key, data, created_at) VALUES `)
			for i, c := range pending {
				if i > 0 {
					sb.WriteString(",")
				}
				n := len(args)
				fmt.Fprintf(&sb, "($%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4)
				args = append(args, batch, c.key, string(c.data), now)
			}
			_, err := tx.ExecContext(ctx, sb.String(), args...)
			return err
		})
		pending = pending[:0]
		return err
	}
	_, err = s.readTable(u.path, format, svc, &pb, func(pos string, rec record) error {
		k, _ := keyOf(rec, keyItem)
		b, err := canonical(rec)
		if err != nil {
			return err
		}
		pending = append(pending, change{key: k, data: b})
		if len(pending) >= stageRows {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return PushResult{}, fmt.Errorf("stage snapshot: %w", err)
	}
	if err := pb.err(); err != nil { // the file changed between passes
		return PushResult{}, err
	}
	return s.applySnapshot(ctx, p, svc, keyItem, batch, rows)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// applySnapshot applies a staged snapshot with set-based statements in one
// transaction: changed rows first, then tombstones, each taking the next
// sequence numbers in key order.
func (s *Store) applySnapshot(ctx context.Context, p *identity.Principal, svc Service, keyItem, batch string, rows int) (PushResult, error) {
	res := PushResult{Rows: rows}
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		res = PushResult{Rows: rows}
		head, err := lockFeed(ctx, tx, svc.ID, keyItem, now)
		if err != nil {
			return err
		}
		const changed = ` FROM sync_staging st LEFT JOIN sync_records r ON r.service_id = $1 AND r.record_key = st.record_key
			WHERE st.batch = $2 AND (r.record_key IS NULL OR r.deleted = TRUE OR r.data <> st.data)`
		var fresh, revived, total sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT SUM(CASE WHEN r.record_key IS NULL THEN 1 ELSE 0 END),
			SUM(CASE WHEN r.deleted = TRUE THEN 1 ELSE 0 END), COUNT(*)`+changed, svc.ID, batch).Scan(&fresh, &revived, &total); err != nil {
			return fmt.Errorf("compare snapshot: %w", err)
		}
		res.Inserted = int(fresh.Int64 + revived.Int64)
		res.Updated = int(total.Int64) - res.Inserted
		res.Unchanged = rows - int(total.Int64)
		if total.Int64 > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sync_records (service_id, record_key, seq, deleted, data, changed_at)
				SELECT $1, st.record_key, $3 + ROW_NUMBER() OVER (ORDER BY st.record_key), FALSE, st.data, $4`+changed+`
				ON CONFLICT (service_id, record_key) DO UPDATE SET seq = excluded.seq, deleted = FALSE, data = excluded.data,
				changed_at = excluded.changed_at`, svc.ID, batch, head, now); err != nil {
				return fmt.Errorf("apply snapshot: %w", err)
			}
			head += total.Int64
		}
		r, err := tx.ExecContext(ctx, `UPDATE sync_records SET deleted = TRUE, data = '{}', changed_at = $4, seq = $3 + t.rn
			FROM (SELECT r.record_key, ROW_NUMBER() OVER (ORDER BY r.record_key) AS rn FROM sync_records r
				WHERE r.service_id = $1 AND r.deleted = FALSE
				AND NOT EXISTS (SELECT 1 FROM sync_staging st WHERE st.batch = $2 AND st.record_key = r.record_key)) t
			WHERE sync_records.service_id = $1 AND sync_records.record_key = t.record_key`, svc.ID, batch, head, now)
		if err != nil {
			return fmt.Errorf("tombstones: %w", err)
		}
		n, err := r.RowsAffected()
		if err != nil {
			return err
		}
		res.Deleted = int(n)
		head += n
		res.Head = head
		if _, err := tx.ExecContext(ctx, `DELETE FROM sync_staging WHERE batch = $1`, batch); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE sync_feeds SET head = $2, live_rows = (SELECT COUNT(*) FROM sync_records WHERE service_id = $1 AND deleted = FALSE),
			deleted_rows = (SELECT COUNT(*) FROM sync_records WHERE service_id = $1 AND deleted = TRUE),
			last_push_at = $3, last_push_by = $4, last_push_kind = 'snapshot', updated_at = $3 WHERE service_id = $1`,
			svc.ID, head, now, p.FullName)
		return err
	})
	return res, err
}

// dropStaging removes a snapshot's staged rows (after it was applied, they
// are already gone) and rows left by uploads interrupted a day ago.
func (s *Store) dropStaging(ctx context.Context, batch string) {
	_ = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sync_staging WHERE batch = $1 OR created_at < $2`, batch, now.Add(-24*time.Hour))
		return err
	})
}

// FeedStatus is what a provider's page shows of a feed.
type FeedStatus struct {
	Service    ServiceRef `json:"service"`
	Feed       Feed       `json:"feed"`
	HasFeed    bool       `json:"has_feed"`
	ValidFor   int64      `json:"valid_for_seconds"`
	Copies     []Copy     `json:"copies"`
	CanManage  bool       `json:"can_manage"`
	MaxUpload  int64      `json:"max_upload_bytes"`
	MaxRecords int        `json:"max_push_records"`
}

// ServiceRef names a service in answers.
type ServiceRef struct {
	ID         int64  `json:"id"`
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
	Provider   string `json:"provider"`
	Method     string `json:"method"`
	Status     string `json:"status"`
	Items      []Item `json:"items"`
}

func refOf(svc Service) ServiceRef {
	return ServiceRef{ID: svc.ID, Identifier: svc.Identifier, Name: svc.Name, Provider: svc.ProviderName, Method: svc.Method,
		Status: svc.Status, Items: svc.Items}
}

// FeedOf returns the feed of a sync service with the copies of the
// consumers p may see.
func (s *Store) FeedOf(ctx context.Context, p *identity.Principal, ref string) (FeedStatus, error) {
	svc, err := s.viewable(ctx, p, ref, MethodSync)
	if err != nil {
		return FeedStatus{}, err
	}
	f, ok, err := s.loadFeed(ctx, s.db.Read, svc.ID)
	if err != nil {
		return FeedStatus{}, err
	}
	copies, err := s.copies(ctx, p, svc.ID, []Service{svc}, f.Head)
	if err != nil {
		return FeedStatus{}, err
	}
	if !canView(p, svc) {
		f.LastPushBy = "" // officers' names are for the provider and its overseers
	}
	return FeedStatus{Service: refOf(svc), Feed: f, HasFeed: ok, ValidFor: int64(svc.Validity / time.Second), Copies: copies,
		CanManage: canManage(p, svc), MaxUpload: s.opts.MaxUpload, MaxRecords: s.opts.MaxPushRecords}, nil
}
