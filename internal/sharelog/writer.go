package sharelog

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// ErrClosed is returned by Append after the Writer was closed.
var ErrClosed = errors.New("sharelog: writer closed")

// Options tune a Writer. Zero values select the defaults.
type Options struct {
	// MaxBatch bounds the entries committed in one transaction (default
	// 1024). Appenders wait when that many are already pending, which
	// bounds memory when the database is slower than the traffic.
	MaxBatch int
	// MaxWait lets the writer linger for more entries before committing a
	// batch smaller than MaxBatch. Default 0: commit as soon as the previous
	// commit ends; concurrent calls batch up by themselves while it runs.
	MaxWait time.Duration
	// CheckpointEvery writes a signed checkpoint once this many entries were
	// appended since the last one (default 10000; negative: never by count).
	CheckpointEvery int64
	// CheckpointInterval writes a signed checkpoint this often when entries
	// were appended since the last one (default 10s; negative: never by
	// time). It bounds how much of a chain's tail could be cut unnoticed.
	CheckpointInterval time.Duration
	// Logger receives commit failures (default: discarded).
	Logger *slog.Logger

	// JournalDir turns on journal mode: Append returns once its entry is
	// durable in an append-only journal on local disk, in
	// <JournalDir>/<node>/, and the entries reach the database shortly
	// after, in large transactions (see journal.go). Empty: direct mode,
	// where Append waits for the database commit.
	JournalDir string
	// JournalSegmentSize is the size at which a journal segment is rotated
	// (default 64 MiB).
	JournalSegmentSize int64
	// JournalPrefill writes a segment of zeros in the background when the
	// journal has no spare to reuse (a new node), so that flushes overwrite
	// allocated blocks from the start instead of growing a file, which
	// halves their latency on ext4 (see journal.go). Costs one segment of
	// disk writes once.
	JournalPrefill bool
	// IndexBatch bounds the entries the indexer writes to the database in
	// one transaction (journal mode; default 4096).
	IndexBatch int
	// IndexInterval is how long journaled entries may wait for a fuller
	// batch before the indexer writes them to the database (journal mode;
	// default 200ms).
	IndexInterval time.Duration
	// MaxIndexLag fails appends (log_unavailable) while this many journaled
	// entries are not yet in the database, so a database outage cannot
	// grow the journal without bound (journal mode; default 1,000,000).
	MaxIndexLag int64
	// FlushInterval is the shortest time between the starts of two
	// journal flushes (journal mode; default 1ms; negative: none). An
	// entry appended after a quiet spell is flushed at once; under load
	// the entries arriving meanwhile share the next flush. Each flush
	// costs a fixed amount of CPU (about 0.15 ms of kernel time on the
	// development VM), so without pacing a fast disk would flush groups of
	// a few entries and spend more CPU than the database commit it
	// replaces.
	FlushInterval time.Duration
}

func (o *Options) defaults() {
	if o.MaxBatch <= 0 {
		o.MaxBatch = 1024
	}
	if o.CheckpointEvery == 0 {
		o.CheckpointEvery = 10000
	}
	if o.CheckpointInterval == 0 {
		o.CheckpointInterval = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.JournalSegmentSize <= 0 {
		o.JournalSegmentSize = DefaultJournalSegmentSize
	}
	if o.IndexBatch <= 0 {
		o.IndexBatch = 4096
	}
	if o.IndexInterval <= 0 {
		o.IndexInterval = 200 * time.Millisecond
	}
	if o.MaxIndexLag <= 0 {
		o.MaxIndexLag = 1_000_000
	}
	if o.FlushInterval == 0 {
		o.FlushInterval = time.Millisecond
	}
}

// Writer appends entries to one node's chain with group commit: callers of
// Append block until their entry is committed; one goroutine commits all
// entries pending at that moment in a single transaction (multi-row
// INSERTs), so many calls share one fsync.
//
// In journal mode (Options.JournalDir) that goroutine writes the group to
// the node's journal with one write and one fdatasync instead, and a second
// goroutine, the indexer, copies the journaled entries into the database in
// large transactions. The chain, its hashes and its checkpoints are the
// same; the database lags the journal by up to Options.IndexInterval.
//
// One Writer per node name at a time: with PostgreSQL the Writer holds a
// session advisory lock on its chain, so a second process started with the
// same node name fails at NewWriter instead of forking the chain.
type Writer struct {
	db     *platform.DB
	node   string
	signer Signer
	pub    []byte
	opts   Options
	log    *slog.Logger

	mu      sync.Mutex
	pending *batch
	closed  bool

	kick     chan struct{} // cap 1: entries are pending
	full     chan struct{} // cap 1: the pending batch reached MaxBatch
	stop     chan struct{}
	stopped  chan struct{}
	closeErr error

	// Owned by the writer goroutine once started.
	seq    int64    // last committed (journal mode: journaled) seq of the chain
	head   [32]byte // hash of entry seq
	cpSeq  int64    // seq of the last checkpoint or anchor (direct mode)
	stale  bool     // a commit failed: reload the head before the next one (direct mode)
	buf    []byte
	spare  []Entry
	lockID int64

	// Owned by the goroutine that writes the database: the writer in
	// direct mode, the indexer in journal mode.
	args   []any
	pgConn *sql.Conn      // PostgreSQL: dedicated connection holding the chain lock
	lite   *sqliteBatcher // SQLite: commits on the pool's write connection

	// Journal mode only (jr != nil).
	jr         *journal
	jbuf       []byte        // records of the group being journaled
	ix         indexer       // owned by the indexer goroutine
	indexed    atomic.Int64  // last seq in the database
	ixKick     chan struct{} // cap 1: records became durable
	jstopped   chan struct{} // closed when the journal writer goroutine ended
	pauseIndex atomic.Bool   // tests: leave entries in the journal only
	urgent     atomic.Int64  // a reader waits for the entries up to this seq
	progressMu sync.Mutex
	progress   chan struct{} // closed and replaced when indexed moves
}

// batch is the group of entries committed together; appenders wait on done
// and then read first and err.
type batch struct {
	entries []Entry
	done    chan struct{}
	first   int64
	err     error
}

// insertChunk is the largest multi-row INSERT; smaller remainders use the
// powers of two below it, so only a handful of statements are ever prepared.
// 128 rows x 30 columns stays far below both backends' parameter limits.
const insertChunk = 128

// NewWriter recovers the head of node's chain (last seq and hash) and starts
// the writer goroutine. It stops when ctx ends or Close is called; either way
// pending entries are committed and a final checkpoint is written.
//
// With SQLite the write connection is switched to synchronous=FULL: in WAL
// mode NORMAL survives a process crash but may lose the last commits on
// power loss, and an entry must be durable before its response is released.
// The switch applies to the process's single SQLite write connection, so
// other features' writes become durable on power loss too. With PostgreSQL
// the Writer keeps one pool connection for itself, holding the chain lock.
func NewWriter(ctx context.Context, db *platform.DB, node string, signer Signer, opts Options) (*Writer, error) {
	if node == "" || len(node) > 200 || cleanText(node) != node {
		return nil, fmt.Errorf("sharelog: invalid node name %q", node)
	}
	if signer == nil {
		return nil, errors.New("sharelog: a signer is required")
	}
	opts.defaults()
	w := &Writer{
		db:      db,
		node:    node,
		signer:  signer,
		pub:     signer.PublicKey(),
		opts:    opts,
		log:     opts.Logger.With("feature", "sharelog", "node", node),
		kick:    make(chan struct{}, 1),
		full:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
		lockID:  chainLockID(node),
	}
	w.pending = w.newBatch()
	if db.Dialect == platform.SQLite {
		w.lite = &sqliteBatcher{db: db.Write}
		if err := w.lite.commit(ctx, nil, nil); err != nil { // sets synchronous=FULL now
			return nil, err
		}
	}
	h, err := w.connect(ctx)
	if err != nil {
		w.release()
		return nil, err
	}
	if opts.JournalDir != "" {
		if err := w.openJournal(ctx, h); err != nil {
			w.release()
			return nil, err
		}
		go w.runJournal(ctx)
		go w.runIndexer(ctx)
		return w, nil
	}
	w.seq, w.head, w.cpSeq = h.seq, h.hash, h.cpSeq
	go w.run(ctx)
	return w, nil
}

// Append records e and returns its seq once it is durable: committed to
// the database, or in journal mode flushed to the journal. Node, Seq, Hash
// and ID are set by the Writer. When ctx ends first Append returns
// ctx.Err() and the entry may or may not have been committed: the caller
// must then treat the call as not logged and not release the response.
func (w *Writer) Append(ctx context.Context, e Entry) (int64, error) {
	if err := normalize(&e, w.db.Now()); err != nil {
		return 0, err
	}
	e.Node, e.Seq, e.ID, e.Hash = w.node, 0, 0, [32]byte{}
	w.mu.Lock()
	for {
		if w.closed {
			w.mu.Unlock()
			return 0, ErrClosed
		}
		if len(w.pending.entries) < w.opts.MaxBatch {
			break
		}
		// Back-pressure: wait until the full batch is committed.
		b := w.pending
		w.mu.Unlock()
		select {
		case <-b.done:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		w.mu.Lock()
	}
	b := w.pending
	i := len(b.entries)
	b.entries = append(b.entries, e)
	if i+1 == w.opts.MaxBatch && (w.opts.MaxWait > 0 || w.jr != nil) {
		// Under the lock, so that the signal always means the pending
		// batch: flush drains it when it takes the batch.
		select {
		case w.full <- struct{}{}:
		default:
		}
	}
	w.mu.Unlock()
	if i == 0 {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	select {
	case <-b.done:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.first + int64(i), nil
}

// Close commits pending entries, writes a final checkpoint and stops the
// writer. Appends after Close fail with ErrClosed.
func (w *Writer) Close() error {
	if w.markClosed() {
		close(w.stop)
	}
	<-w.stopped
	return w.closeErr
}

// markClosed refuses new appends; it reports whether this call closed.
func (w *Writer) markClosed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false
	}
	w.closed = true
	return true
}

func (w *Writer) newBatch() *batch {
	entries := w.spare
	w.spare = nil
	if entries == nil {
		entries = make([]Entry, 0, w.opts.MaxBatch)
	}
	return &batch{entries: entries, done: make(chan struct{})}
}

func (w *Writer) run(ctx context.Context) {
	defer close(w.stopped)
	// Commits must not be cut short by the caller's context: an entry
	// handed to the writer is committed or reported as failed.
	dbctx := context.WithoutCancel(ctx)
	var tick <-chan time.Time
	if w.opts.CheckpointInterval > 0 {
		t := time.NewTicker(w.opts.CheckpointInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-w.kick:
			w.linger()
			w.flush(dbctx)
		case <-tick:
			if w.seq > w.cpSeq && !w.stale {
				if err := w.checkpointOnly(dbctx, w.seq, w.head); err != nil {
					w.log.Error("sharing-log checkpoint failed", "err", err)
				} else {
					w.cpSeq = w.seq
				}
			}
		case <-ctx.Done():
			w.markClosed()
			w.shutdown(dbctx)
			return
		case <-w.stop:
			w.shutdown(dbctx)
			return
		}
	}
}

// linger waits up to MaxWait for the pending batch to fill.
func (w *Writer) linger() { w.waitFull(w.opts.MaxWait) }

// pace waits until FlushInterval has passed since the last flush started
// (journal mode), or the pending batch is full.
func (w *Writer) pace(last time.Time) { w.waitFull(w.opts.FlushInterval - time.Since(last)) }

// waitFull waits up to d for the pending batch to reach MaxBatch.
func (w *Writer) waitFull(d time.Duration) {
	if d <= 0 {
		return
	}
	w.mu.Lock()
	n := len(w.pending.entries)
	w.mu.Unlock()
	if n >= w.opts.MaxBatch {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-w.full:
	case <-w.stop:
	}
}

// flush commits the pending batch, if any, and wakes its appenders.
func (w *Writer) flush(ctx context.Context) bool {
	w.mu.Lock()
	b := w.pending
	if len(b.entries) == 0 {
		w.mu.Unlock()
		return false
	}
	w.pending = w.newBatch()
	select {
	case <-w.full: // about the batch taken here
	default:
	}
	w.mu.Unlock()
	if w.jr != nil {
		b.first, b.err = w.journalCommit(b.entries)
	} else {
		b.first, b.err = w.commit(ctx, b.entries)
	}
	close(b.done)
	clear(b.entries) // drop references to bodies before reuse
	w.spare = b.entries[:0]
	return true
}

func (w *Writer) shutdown(ctx context.Context) {
	for w.flush(ctx) {
	}
	var err error
	if w.seq > w.cpSeq && !w.stale {
		if err = w.checkpointOnly(ctx, w.seq, w.head); err == nil {
			w.cpSeq = w.seq
		}
	}
	w.closeErr = errors.Join(err, w.release())
}

// release frees the prepared statements, the PostgreSQL chain lock and the
// journal.
func (w *Writer) release() error {
	var err error
	if w.lite != nil {
		err = w.lite.close(context.Background())
	}
	if w.jr != nil {
		err = errors.Join(err, w.jr.close())
	}
	if w.pgConn != nil {
		_, uerr := w.pgConn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, w.lockID)
		err = errors.Join(err, uerr, w.pgConn.Close())
		w.pgConn = nil
	}
	return err
}

// chainLockID derives the PostgreSQL advisory lock key of a chain.
func chainLockID(node string) int64 {
	h := fnv.New64a()
	h.Write([]byte("govdx/sharelog/"))
	h.Write([]byte(node))
	return int64(h.Sum64())
}

// dbHead is the chain's head as stored in the database.
type dbHead struct {
	seq   int64    // last seq (or the anchor's, for a fully purged chain)
	hash  [32]byte // its hash
	cpSeq int64    // seq of the last checkpoint or anchor
}

// connect takes the chain lock (PostgreSQL) and loads the chain head.
func (w *Writer) connect(ctx context.Context) (dbHead, error) {
	if w.db.Dialect == platform.Postgres {
		conn, err := w.db.Write.Conn(ctx)
		if err != nil {
			return dbHead{}, fmt.Errorf("sharelog: connect: %w", err)
		}
		var ok bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, w.lockID).Scan(&ok); err != nil {
			conn.Close()
			return dbHead{}, fmt.Errorf("sharelog: lock chain %q: %w", w.node, err)
		}
		if !ok {
			conn.Close()
			return dbHead{}, fmt.Errorf("sharelog: chain %q is being written by another process; node names must be unique", w.node)
		}
		w.pgConn = conn
	}
	var h dbHead
	var err error
	h.seq, h.hash, h.cpSeq, err = chainHead(ctx, w.querier(), w.node)
	return h, err
}

// querier is the connection the Writer's own reads go through: with
// PostgreSQL the one holding the chain lock.
func (w *Writer) querier() platform.Querier {
	if w.pgConn != nil {
		return w.pgConn
	}
	return w.db.Write
}

// reconnect recovers after a failed commit, which may or may not have been
// applied: the head is reloaded from the database. With PostgreSQL a live
// connection keeps its session and so its chain lock; a dead one is
// replaced, and the lock taken again.
func (w *Writer) reconnect(ctx context.Context) (dbHead, error) {
	if w.pgConn != nil {
		if w.pgConn.PingContext(ctx) == nil {
			var h dbHead
			var err error
			h.seq, h.hash, h.cpSeq, err = chainHead(ctx, w.pgConn, w.node)
			if err == nil {
				return h, nil
			}
		}
		// Discard rather than return to the pool: the session may still hold the lock.
		_ = w.pgConn.Raw(func(any) error { return driver.ErrBadConn })
		_ = w.pgConn.Close()
		w.pgConn = nil
	}
	return w.connect(ctx)
}

// chainHead returns the last seq and hash of node's chain and the seq of its
// last checkpoint or anchor. A fully purged chain continues after its anchor.
func chainHead(ctx context.Context, q platform.Querier, node string) (seq int64, head [32]byte, cpSeq int64, err error) {
	var h []byte
	err = q.QueryRowContext(ctx, `SELECT seq, hash FROM sharelog_entries WHERE node = $1 ORDER BY seq DESC LIMIT 1`, node).Scan(&seq, &h)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, head, 0, fmt.Errorf("sharelog: read chain head: %w", err)
	}
	var aseq int64
	var ah []byte
	err = q.QueryRowContext(ctx, `SELECT seq, hash FROM sharelog_checkpoints WHERE node = $1 AND kind = $2 ORDER BY seq DESC LIMIT 1`, node, kindAnchor).Scan(&aseq, &ah)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, head, 0, fmt.Errorf("sharelog: read chain anchor: %w", err)
	}
	if aseq > seq {
		seq, h = aseq, ah
	}
	if seq > 0 && len(h) != len(head) {
		return 0, head, 0, fmt.Errorf("sharelog: chain %q: stored hash of seq %d has %d bytes", node, seq, len(h))
	}
	copy(head[:], h)
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM sharelog_checkpoints WHERE node = $1`, node).Scan(&cpSeq); err != nil {
		return 0, head, 0, fmt.Errorf("sharelog: read last checkpoint: %w", err)
	}
	return seq, head, cpSeq, nil
}

// commit hashes entries onto the chain and stores them in one transaction,
// with a checkpoint when one is due. The in-memory head only moves once the
// transaction has committed.
func (w *Writer) commit(ctx context.Context, entries []Entry) (first int64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sharelog: commit panicked: %v", r)
		}
		if err != nil {
			w.stale = true
			w.log.Error("sharing-log commit failed", "entries", len(entries), "err", err)
			err = &platform.Error{Class: platform.EUnavailable, Code: "log_unavailable",
				Message: "the sharing log could not record the call", Err: err}
		}
	}()
	if w.stale {
		h, err := w.reconnect(ctx)
		if err != nil {
			return 0, err
		}
		w.seq, w.head, w.cpSeq, w.stale = h.seq, h.hash, h.cpSeq, false
	}
	seq, head := w.chain(entries, nil)
	var cp *checkpointRow
	if w.opts.CheckpointEvery > 0 && seq-w.cpSeq >= w.opts.CheckpointEvery {
		if cp, err = w.sign(kindCheckpoint, seq, head); err != nil {
			return 0, err
		}
	}
	if err := w.store(ctx, entries, cp); err != nil {
		return 0, err
	}
	first = w.seq + 1
	w.seq, w.head = seq, head
	if cp != nil {
		w.cpSeq = seq
	}
	return first, nil
}

// checkpointOnly writes a checkpoint of entry seq in its own transaction.
func (w *Writer) checkpointOnly(ctx context.Context, seq int64, hash [32]byte) error {
	cp, err := w.sign(kindCheckpoint, seq, hash)
	if err != nil {
		return err
	}
	return w.store(ctx, nil, cp)
}

// store writes entries and cp (either may be empty) in one transaction.
func (w *Writer) store(ctx context.Context, entries []Entry, cp *checkpointRow) error {
	if w.lite != nil {
		return w.lite.commit(ctx, entries, cp)
	}
	if w.pgConn == nil {
		return errors.New("sharelog: no connection holding the chain lock")
	}
	tx, err := w.pgConn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := w.pgWrite(ctx, tx, entries, cp); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// pgWrite inserts on PostgreSQL; pgx prepares and caches each statement text
// per connection, and the writer's connection is dedicated.
func (w *Writer) pgWrite(ctx context.Context, tx *sql.Tx, entries []Entry, cp *checkpointRow) error {
	for rest := entries; len(rest) > 0; {
		n := chunkSize(len(rest))
		args := w.args[:0]
		for i := range rest[:n] {
			v := entryValues(&rest[i])
			args = append(args, v[:]...)
		}
		w.args = args
		_, err := tx.ExecContext(ctx, insertSQL(platform.Postgres, n), args...)
		clear(args) // do not keep the batch's strings and bodies alive
		if err != nil {
			return fmt.Errorf("insert sharing-log entries: %w", err)
		}
		rest = rest[n:]
	}
	if cp != nil {
		return insertCheckpoint(ctx, tx, cp)
	}
	return nil
}

// chunkSize picks the multi-row INSERT size for the next n entries.
func chunkSize(n int) int {
	if n >= insertChunk {
		return insertChunk
	}
	c := 1
	for c*2 <= n {
		c *= 2
	}
	return c
}

// entryColumns are the stored columns in insert order; entryValues and
// the SELECTs in query.go follow the same order.
const entryColumns = `node, seq, requested_at, responded_at, requested_us, form, requester_org_id, requester_app_id, requester_app,
account_id, provider_org_id, service_id, service_code, method, path, query, request_digest, request_bytes,
request_body, status, refusal_code, response_digest, response_bytes, response_body, latency_us, content_kept,
correlation_id, forwarded_from, forwarded_to, hash`

const numEntryColumns = 30

// insertSQL builds a multi-row INSERT. SQLite gets anonymous "?" markers:
// the driver looks up every "$N" by name, which is quadratic in the number
// of parameters of a statement and dominated the cost of large batches.
func insertSQL(d platform.Dialect, rows int) string {
	var b strings.Builder
	b.Grow(80 + len(entryColumns) + rows*numEntryColumns*5)
	b.WriteString("INSERT INTO sharelog_entries (")
	b.WriteString(entryColumns)
	b.WriteString(") VALUES ")
	p := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < numEntryColumns; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			if d == platform.SQLite {
				b.WriteByte('?')
				continue
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(p))
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// entryValues returns the values of entryColumns for e.
func entryValues(e *Entry) [numEntryColumns]any {
	return [numEntryColumns]any{
		e.Node, e.Seq, e.RequestedAt, e.RespondedAt, e.RequestedAt.UnixMicro(), string(e.Form), e.RequesterOrgID, e.RequesterAppID, e.RequesterApp,
		e.AccountID, e.ProviderOrgID, e.ServiceID, e.ServiceCode, e.Method, e.Path, e.Query, e.RequestDigest[:], e.RequestBytes,
		keptBody(e.RequestBody, e.KeepContent), int64(e.Status), e.RefusalCode, e.ResponseDigest[:], e.ResponseBytes,
		keptBody(e.ResponseBody, e.KeepContent), e.LatencyMicros, e.KeepContent,
		e.CorrelationID, e.ForwardedFrom, e.ForwardedTo, e.Hash[:]}
}

// keptBody is NULL when content is not kept, and never NULL when it is.
func keptBody(b []byte, keep bool) any {
	if !keep {
		return nil
	}
	if b == nil {
		return []byte{}
	}
	return b
}

// checkpointRow is a signed statement "entry seq of node has hash".
type checkpointRow struct {
	Node      string
	Seq       int64
	Kind      string
	Hash      []byte
	CreatedAt time.Time
	PublicKey []byte
	Signature []byte
}

func (w *Writer) sign(kind string, seq int64, head [32]byte) (*checkpointRow, error) {
	return signCheckpoint(w.signer, w.pub, kind, w.node, seq, head[:], w.db.Now())
}

func signCheckpoint(s Signer, pub []byte, kind, node string, seq int64, hash []byte, now time.Time) (*checkpointRow, error) {
	at := now.UTC().Truncate(time.Microsecond)
	sig, err := s.Sign(checkpointMessage(kind, node, seq, hash, at))
	if err != nil {
		return nil, fmt.Errorf("sharelog: sign %s: %w", kind, err)
	}
	return &checkpointRow{Node: node, Seq: seq, Kind: kind, Hash: hash, CreatedAt: at, PublicKey: pub, Signature: sig}, nil
}

func insertCheckpoint(ctx context.Context, tx *sql.Tx, cp *checkpointRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sharelog_checkpoints (node, seq, kind, hash, created_at, public_key, signature)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, cp.Node, cp.Seq, cp.Kind, cp.Hash, cp.CreatedAt, cp.PublicKey, cp.Signature)
	if err != nil {
		return fmt.Errorf("insert sharing-log %s: %w", cp.Kind, err)
	}
	return nil
}

// chain numbers entries after the in-memory head and hashes them onto the
// chain; each is passed to each when not nil. It returns the new head
// without moving the writer's: that happens once the entries are durable.
func (w *Writer) chain(entries []Entry, each func(i int, e *Entry)) (int64, [32]byte) {
	seq, head := w.seq, w.head
	for i := range entries {
		seq++
		e := &entries[i]
		e.Seq = seq
		e.Hash, w.buf = chainHash(w.buf, &head, e)
		head = e.Hash
		if each != nil {
			each(i, e)
		}
	}
	return seq, head
}
