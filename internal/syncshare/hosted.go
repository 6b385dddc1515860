package syncshare

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/gateway"
)

var _ gateway.Hosted = (*Store)(nil)

// Batch is one page of a change feed, as consumers receive it through the
// gateway: GET /s/{service}/changes?cursor=N&limit=M.
type Batch struct {
	Service string `json:"service"`
	// Cursor is the cursor asked for; 0 starts with a full snapshot.
	Cursor int64 `json:"cursor"`
	// NextCursor is where the next pull starts; store it with the batch.
	NextCursor int64 `json:"next_cursor"`
	// HasMore is true until the batch reaches the head of the feed.
	HasMore  bool  `json:"has_more"`
	Head     int64 `json:"head"`
	Snapshot bool  `json:"snapshot"`
	// KeyItem names the data item the keys come from.
	KeyItem string `json:"key_item"`
	// SyncedAt is the last successful synchronisation of this account
	// (this batch when it reaches the head) and ValidUntil that instant
	// plus the regulation's validity period (D47-41.2b); both null before
	// a first complete synchronisation.
	SyncedAt   *time.Time `json:"synced_at"`
	ValidUntil *time.Time `json:"valid_until"`
	Records    []Change   `json:"records"`
}

// Change is one record of a batch: its current state or its deletion.
type Change struct {
	Key     string          `json:"key"`
	Seq     int64           `json:"seq"`
	Deleted bool            `json:"deleted,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// SyncState is an account's own synchronisation, GET /s/{service}/status.
type SyncState struct {
	Service      string     `json:"service"`
	Head         int64      `json:"head"`
	Cursor       int64      `json:"cursor"`
	LastPullAt   *time.Time `json:"last_pull_at"`
	LastSyncedAt *time.Time `json:"last_synced_at"`
	ValidUntil   *time.Time `json:"valid_until"`
	State        string     `json:"state"`
}

const (
	defaultBatch = 1000
	// maxBatchBytes bounds one answer: the gateway releases answers whole.
	maxBatchBytes = 8 << 20
)

// ServeHosted answers calls to the hosted services (gateway.Hosted):
//
//	sync:    GET /s/{service}/changes?cursor=N&limit=M, GET /s/{service}/status
//	package: GET /s/{service}/packages, GET /s/{service}/packages/{id},
//	         GET /s/{service}/packages/{id}/manifest
func (s *Store) ServeHosted(ctx context.Context, c *gateway.HostedCall) (*gateway.HostedResponse, error) {
	parts := strings.Split(strings.Trim(c.Rest, "/"), "/")
	if c.Method != http.MethodGet && c.Method != http.MethodHead {
		return nil, &gateway.Refusal{Code: gateway.CodeMethodNotAllowed, Detail: "hosted data is read with GET"}
	}
	switch c.Service.ValidityMethod {
	case gateway.ValiditySync:
		switch {
		case len(parts) == 1 && parts[0] == "changes":
			return s.serveChanges(ctx, c)
		case len(parts) == 1 && parts[0] == "status":
			return s.serveState(ctx, c)
		}
		return nil, &gateway.Refusal{Code: gateway.CodeNotFound, Detail: "a synchronised service answers /changes?cursor=N and /status"}
	case gateway.ValidityPackage:
		if parts[0] == "packages" {
			switch len(parts) {
			case 1:
				return s.servePackageList(ctx, c)
			case 2:
				return s.servePackage(ctx, c, parts[1], false)
			case 3:
				if parts[2] == "manifest" {
					return s.servePackage(ctx, c, parts[1], true)
				}
			}
		}
		return nil, &gateway.Refusal{Code: gateway.CodeNotFound, Detail: "a package service answers /packages, /packages/{id} and /packages/{id}/manifest"}
	}
	return nil, &gateway.Refusal{Code: gateway.CodeNotFound, Detail: "this service holds no hosted data"}
}

func jsonResponse(v any, h http.Header) (*gateway.HostedResponse, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	return &gateway.HostedResponse{Status: http.StatusOK, Header: h, Body: append(b, '\n')}, nil
}

func badRequest(field, detail string) error {
	return &gateway.Refusal{Code: gateway.CodeBadRequest, Field: field, Detail: detail}
}

// pseudoKey hides a record key from a consumer not approved for the key
// item (D47-35.2d) while keeping it stable, so upserts and deletions still
// find the record: an HMAC of the key under the feed's secret and the
// account, so accounts cannot match each other's keys either.
func pseudoKey(secret string, accountID int64, key string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(accountID, 10)))
	m.Write([]byte{0})
	m.Write([]byte(key))
	return "p-" + hex.EncodeToString(m.Sum(nil)[:16])
}

func (s *Store) serveChanges(ctx context.Context, c *gateway.HostedCall) (*gateway.HostedResponse, error) {
	cursor, ok := parseInt64(c.Query.Get("cursor"), 0)
	if !ok {
		return nil, badRequest("cursor", "cursor must be a whole number from a previous batch (0 for a full snapshot)")
	}
	limit, ok := parseInt64(c.Query.Get("limit"), defaultBatch)
	if !ok || limit < 1 || limit > int64(s.opts.MaxBatch) {
		return nil, badRequest("limit", "limit must be 1 to "+strconv.Itoa(s.opts.MaxBatch))
	}
	svcID := c.Service.ID
	f, _, err := s.loadFeed(ctx, s.db.Read, svcID)
	if err != nil {
		return nil, err
	}
	head := f.Head
	if cursor > head {
		return nil, badRequest("cursor", "the cursor is ahead of the feed (head "+strconv.FormatInt(head, 10)+"); start again from 0")
	}
	if err := purgedBeyond(cursor, f.PurgedSeq); err != nil {
		return nil, err
	}
	var st status
	if c.AccountID != 0 {
		st, _, err = s.loadStatus(ctx, c.AccountID)
		if err != nil {
			return nil, err
		}
		// A cursor never given to this account would let a consumer claim
		// a complete copy it never fetched.
		if cursor > st.maxCursor {
			return nil, badRequest("cursor", "this account was never given cursor "+strconv.FormatInt(cursor, 10)+"; start again from 0")
		}
	}
	snapshot := cursor == 0
	q := `SELECT record_key, seq, deleted, data FROM sync_records WHERE service_id = $1 AND seq > $2 AND seq <= $3`
	if snapshot {
		q += ` AND deleted = FALSE` // a fresh copy has nothing to delete
	}
	rows, err := s.db.Read.QueryContext(ctx, q+` ORDER BY seq LIMIT $4`, svcID, cursor, head, limit+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hideKey := c.Items != nil && f.KeyItem != ""
	if hideKey {
		_, approved := c.Items[f.KeyItem]
		hideKey = !approved
	}
	b := Batch{Service: c.Service.Identifier, Cursor: cursor, Head: head, Snapshot: snapshot, KeyItem: f.KeyItem, Records: []Change{}}
	size := 0
	for rows.Next() {
		var ch Change
		var data string
		if err := rows.Scan(&ch.Key, &ch.Seq, &ch.Deleted, &data); err != nil {
			return nil, err
		}
		if int64(len(b.Records)) == limit || (size > 0 && size+len(data) > maxBatchBytes) {
			b.HasMore = true
			break
		}
		if !ch.Deleted {
			ch.Data = json.RawMessage(data)
			if c.Items != nil {
				// D47-35.2d: only the approved items of each record.
				p, err := gateway.Project(nil, ch.Data, c.Items)
				if err != nil {
					return nil, err
				}
				ch.Data = p
			}
		}
		if hideKey {
			ch.Key = pseudoKey(f.secret, c.AccountID, ch.Key)
		}
		size += len(ch.Key) + len(ch.Data) + 40
		b.Records = append(b.Records, ch)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// A purge that ran meanwhile may have taken tombstones this batch
	// should have carried.
	if cursor != 0 {
		var purged int64
		if err := s.db.Read.QueryRowContext(ctx, `SELECT purged_seq FROM sync_feeds WHERE service_id = $1`, svcID).Scan(&purged); err != nil {
			return nil, err
		}
		if err := purgedBeyond(cursor, purged); err != nil {
			return nil, err
		}
	}
	b.NextCursor = head
	if b.HasMore {
		b.NextCursor = b.Records[len(b.Records)-1].Seq
	}
	now := s.now()
	validFor := c.Service.ValidFor
	h := http.Header{}
	atHead := !b.HasMore
	if atHead {
		// D47-41.2b: the copy is valid for the period from this, its last
		// successful synchronisation.
		until := now.Add(validFor)
		b.SyncedAt, b.ValidUntil = &now, &until
	} else {
		b.SyncedAt, b.ValidUntil = timePtr(st.synced), timePtr(st.until)
	}
	if b.SyncedAt != nil {
		h.Set(gateway.HeaderSyncedAt, b.SyncedAt.UTC().Format(time.RFC3339))
		h.Set(gateway.HeaderValidUntil, b.ValidUntil.UTC().Format(time.RFC3339))
	} else {
		// No complete copy yet: the records are valid only as retrieved.
		h.Set(gateway.HeaderValidUntil, now.UTC().Format(time.RFC3339))
	}
	resp, err := jsonResponse(b, h)
	if err != nil {
		return nil, err
	}
	if c.AccountID != 0 {
		acct, org, next, synced := c.AccountID, c.ConsumerOrgID, b.NextCursor, atHead
		until := now.Add(validFor)
		resp.Released = func(ctx context.Context) {
			// Recorded once the batch is in the sharing log: the status
			// page shows what was really released. A failure leaves the
			// status behind, never ahead.
			_ = s.recordPull(ctx, acct, svcID, org, next, now, synced, until)
		}
	}
	return resp, nil
}

func (s *Store) serveState(ctx context.Context, c *gateway.HostedCall) (*gateway.HostedResponse, error) {
	f, _, err := s.loadFeed(ctx, s.db.Read, c.Service.ID)
	if err != nil {
		return nil, err
	}
	out := SyncState{Service: c.Service.Identifier, Head: f.Head, State: CopyNever}
	h := http.Header{}
	if c.AccountID != 0 {
		st, _, err := s.loadStatus(ctx, c.AccountID)
		if err != nil {
			return nil, err
		}
		out.Cursor, out.LastPullAt, out.LastSyncedAt, out.ValidUntil = st.lastCursor, timePtr(st.lastPull), timePtr(st.synced), timePtr(st.until)
		out.State = copyState(out.LastSyncedAt, out.ValidUntil, s.now())
	}
	if out.ValidUntil != nil {
		h.Set(gateway.HeaderValidUntil, out.ValidUntil.Format(time.RFC3339))
		h.Set(gateway.HeaderSyncedAt, out.LastSyncedAt.Format(time.RFC3339))
	} else {
		h.Set(gateway.HeaderValidUntil, s.now().Format(time.RFC3339))
	}
	return jsonResponse(out, h)
}

func (s *Store) servePackageList(ctx context.Context, c *gateway.HostedCall) (*gateway.HostedResponse, error) {
	list, err := s.packagesOf(ctx, c.Service.ID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].CreatedBy = "" // officers' names are for the provider's pages
	}
	h := http.Header{}
	h.Set(gateway.HeaderValidUntil, s.now().Format(time.RFC3339))
	return jsonResponse(map[string]any{"service": c.Service.Identifier, "packages": list}, h)
}

func (s *Store) servePackage(ctx context.Context, c *gateway.HostedCall, idText string, manifest bool) (*gateway.HostedResponse, error) {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return nil, &gateway.Refusal{Code: gateway.CodeNotFound, Detail: "no such package"}
	}
	pkg, err := s.loadPackage(ctx, id)
	if err != nil || pkg.serviceID != c.Service.ID {
		return nil, &gateway.Refusal{Code: gateway.CodeNotFound, Detail: "no such package of this service"}
	}
	until := pkg.ValidUntil.Format(time.RFC3339)
	if pkg.Expired || pkg.FileRemovedAt != nil {
		// D47-41.2c: a package is invalid after its window.
		return nil, &gateway.Refusal{Code: gateway.CodePackageExpired, Detail: "the package's validity window ended; download a newer package",
			Extra: map[string]any{"valid_until": until, "package_id": pkg.ID}}
	}
	if c.Items != nil {
		// D47-35.2d: a file cannot be cut down without breaking its
		// checksum, so it goes only to accounts approved for all it holds.
		var missing []string
		for _, it := range pkg.Items {
			if _, ok := c.Items[it]; !ok {
				missing = append(missing, it)
			}
		}
		if len(missing) > 0 {
			return nil, &gateway.Refusal{Code: gateway.CodeItemNotApproved,
				Detail: "the package holds data items not approved for this connection account", Extra: map[string]any{"items": missing}}
		}
	}
	pkg.CreatedBy = ""
	h := http.Header{}
	h.Set(gateway.HeaderValidUntil, until)
	if manifest {
		return jsonResponse(pkg.Manifest, h)
	}
	sum, err := hex.DecodeString(pkg.SHA256)
	if err != nil || len(sum) != sha256.Size {
		return nil, fmt.Errorf("package %d: bad stored checksum %q", pkg.ID, pkg.SHA256)
	}
	etag := `"` + pkg.SHA256 + `"`
	rng, err := packageRange(c.Header, c.Method, etag, pkg.Size)
	if err != nil {
		return nil, err
	}
	h.Set("Content-Type", pkg.MediaType)
	h.Set("Content-Disposition", `attachment; filename="`+pkg.FileName+`"`)
	h.Set("ETag", etag)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	if rng != nil {
		// A resumed or partial download: the log records the part sent.
		digest, err := s.rangeDigest(ctx, pkg.ID, *rng)
		if err != nil {
			return nil, err
		}
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rng.start, rng.start+rng.length-1, pkg.Size))
		return &gateway.HostedResponse{Status: http.StatusPartialContent, Header: h, Size: rng.length, Digest: digest,
			Content: s.openPackageAt(ctx, pkg.ID, rng.start)}, nil
	}
	resp := &gateway.HostedResponse{Status: http.StatusOK, Header: h, Size: pkg.Size, Content: s.openPackage(ctx, pkg.ID)}
	copy(resp.Digest[:], sum)
	return resp, nil
}
