package sharelog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// Journal mode: the writer goroutine (runJournal) makes groups durable in
// the journal; the indexer goroutine (runIndexer) copies them into the
// database. The database position needs no bookkeeping of its own: it is
// the last seq of the node's chain in the database, read at start and after
// a failed commit.

// indexer is the state of the indexer goroutine.
type indexer struct {
	indexed int64    // last seq in the database
	hash    [32]byte // its hash
	cpSeq   int64    // seq of the last checkpoint or anchor
	stale   bool     // a commit failed: reload the position first
	rd      *journalReader
	entries []Entry
	since   time.Time // when the oldest record not yet indexed was seen
	retryAt time.Time
	backoff time.Duration
}

// openJournal opens and recovers the journal against the database head and
// positions the indexer after the database's last entry.
func (w *Writer) openJournal(ctx context.Context, h dbHead) error {
	j, err := openJournal(w.opts.JournalDir, w.node, w.opts.JournalSegmentSize, w.log)
	if err != nil {
		return err
	}
	w.jr = j
	seq, head, err := j.recover(h.seq, h.hash, func(seq int64) ([32]byte, bool, error) { return w.dbHashAt(ctx, seq) })
	if err != nil {
		return err
	}
	if seq > h.seq {
		// Only after an unclean stop: Close indexes everything.
		w.log.Warn("sharing-log journal holds entries not yet in the database; indexing them",
			"from", h.seq+1, "to", seq)
	}
	w.seq, w.head = seq, head
	w.ix = indexer{indexed: h.seq, hash: h.hash, cpSeq: h.cpSeq, rd: &journalReader{j: j}}
	w.ix.rd.seek(h.seq + 1)
	w.indexed.Store(h.seq)
	w.ixKick = make(chan struct{}, 1)
	w.jstopped = make(chan struct{})
	w.progress = make(chan struct{})
	if err := j.retire(h.seq); err != nil {
		return err
	}
	if w.opts.JournalPrefill {
		j.startPrefill()
	}
	registerJournalWriter(w)
	return nil
}

// dbHashAt reads the stored hash of one entry of the Writer's chain.
func (w *Writer) dbHashAt(ctx context.Context, seq int64) (h [32]byte, found bool, err error) {
	var b []byte
	err = w.querier().QueryRowContext(ctx,
		`SELECT hash FROM sharelog_entries WHERE node = $1 AND seq = $2`, w.node, seq).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	if err != nil {
		return h, false, fmt.Errorf("sharelog: read entry %d of chain %q: %w", seq, w.node, err)
	}
	copy(h[:], b)
	return h, len(b) == len(h), nil
}

// runJournal is the writer goroutine of journal mode.
func (w *Writer) runJournal(ctx context.Context) {
	defer close(w.jstopped)
	var last time.Time // start of the last flush
	for {
		select {
		case <-w.kick:
			w.linger()
			w.pace(last)
			last = time.Now()
			w.flush(ctx)
		case <-ctx.Done():
			w.markClosed()
			for w.flush(ctx) {
			}
			return
		case <-w.stop:
			for w.flush(ctx) {
			}
			return
		}
	}
}

// journalCommit hashes entries onto the chain, exactly as commit does, and
// makes them durable in the journal with one write and one fdatasync.
func (w *Writer) journalCommit(entries []Entry) (first int64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sharelog: journal write panicked: %v", r)
		}
		if err != nil {
			w.log.Error("sharing-log journal write failed", "entries", len(entries), "err", err)
			err = &platform.Error{Class: platform.EUnavailable, Code: "log_unavailable",
				Message: "the sharing log could not record the call", Err: err}
		}
		if cap(w.jbuf) > 16<<20 {
			w.jbuf = nil // do not keep a buffer grown by large kept bodies
		}
	}()
	if lag := w.seq - w.indexed.Load(); lag >= w.opts.MaxIndexLag {
		return 0, fmt.Errorf("sharelog: the database is %d entries behind the journal", lag)
	}
	b := w.jbuf[:0]
	seq, head := w.chain(entries, func(i int, e *Entry) { b = appendRecord(b, e, uint32(i)) })
	w.jbuf = b
	if err := w.jr.write(b, w.seq+1, seq); err != nil {
		return 0, err
	}
	first = w.seq + 1
	w.seq, w.head = seq, head
	select {
	case w.ixKick <- struct{}{}:
	default:
	}
	return first, nil
}

// runIndexer copies journaled entries into the database: as soon as
// IndexBatch of them are waiting, or when the oldest has waited
// IndexInterval. It writes checkpoints like the direct mode does, for
// entries it has stored. After the journal writer stopped it stores what
// is left, writes the final checkpoint and releases everything.
func (w *Writer) runIndexer(ctx context.Context) {
	defer close(w.stopped)
	defer unregisterJournalWriter(w)
	ctx = context.WithoutCancel(ctx) // stores are never cut short
	ix := &w.ix
	var tick <-chan time.Time
	if w.opts.CheckpointInterval > 0 {
		t := time.NewTicker(w.opts.CheckpointInterval)
		defer t.Stop()
		tick = t.C
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	jstopped := w.jstopped
	draining := false
	var drainErr error
	for {
		durable := w.jr.durableSeq()
		lag := durable - ix.indexed
		now := time.Now()
		if lag > 0 && ix.since.IsZero() {
			ix.since = now
		}
		paused := w.pauseIndex.Load()
		if lag > 0 && !paused && (draining || !now.Before(ix.retryAt)) &&
			(draining || lag >= int64(w.opts.IndexBatch) || now.Sub(ix.since) >= w.opts.IndexInterval || ix.indexed < w.urgent.Load()) {
			if err := w.index(ctx, durable); err != nil {
				w.log.Error("sharing-log indexing failed; entries stay in the journal", "indexed", ix.indexed, "journaled", durable, "err", err)
				if draining {
					if drainErr = err; ix.backoff >= time.Second {
						break // give up: the next start indexes them
					}
				}
				ix.backoff = min(max(2*ix.backoff, 100*time.Millisecond), 5*time.Second)
				ix.retryAt = time.Now().Add(ix.backoff)
				if draining {
					time.Sleep(ix.backoff)
				}
				continue
			}
			drainErr, ix.backoff, ix.retryAt = nil, 0, time.Time{}
			if durable == ix.indexed {
				ix.since = time.Time{}
			}
			continue
		}
		if draining {
			break
		}
		wait := time.Duration(-1)
		if lag > 0 && !paused {
			wait = max(ix.since.Add(w.opts.IndexInterval).Sub(now), ix.retryAt.Sub(now), 0)
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		if wait >= 0 {
			timer.Reset(wait)
		}
		select {
		case <-w.ixKick:
		case <-timer.C:
		case <-tick:
			if ix.indexed > ix.cpSeq && !ix.stale && !paused {
				if err := w.checkpointOnly(ctx, ix.indexed, ix.hash); err != nil {
					w.log.Error("sharing-log checkpoint failed", "err", err)
				} else {
					ix.cpSeq = ix.indexed
				}
			}
		case <-jstopped:
			draining = true
			jstopped = nil
		}
	}
	var cpErr error
	if ix.indexed > ix.cpSeq && !ix.stale && !w.pauseIndex.Load() {
		if cpErr = w.checkpointOnly(ctx, ix.indexed, ix.hash); cpErr == nil {
			ix.cpSeq = ix.indexed
		}
	}
	ix.rd.close()
	w.closeErr = errors.Join(drainErr, cpErr, w.release())
}

// index stores the next journaled entries, up to durable, in one
// transaction, with a checkpoint when one is due, and retires the journal
// segments the database now holds. A commit on the SQLite write connection
// is synchronous=FULL and a PostgreSQL commit is durable, so a segment is
// only removed after a durable commit of all its entries.
func (w *Writer) index(ctx context.Context, durable int64) (err error) {
	ix := &w.ix
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sharelog: indexing panicked: %v", r)
		}
		if err != nil {
			ix.stale = true
		}
	}()
	if ix.stale {
		h, err := w.reconnect(ctx)
		if err != nil {
			return err
		}
		if h.seq != ix.indexed {
			// The failed commit was applied after all (or the database moved).
			ix.indexed, ix.hash = h.seq, h.hash
			ix.rd.seek(h.seq + 1)
			w.indexed.Store(h.seq)
		}
		ix.cpSeq, ix.stale = h.cpSeq, false
		if durable <= ix.indexed {
			return nil
		}
	}
	upTo := min(durable, ix.indexed+int64(w.opts.IndexBatch))
	if k := w.opts.CheckpointEvery; k > 0 && ix.cpSeq+k > ix.indexed {
		upTo = min(upTo, ix.cpSeq+k) // a checkpoint every k entries, as in direct mode
	}
	entries, pos, err := ix.rd.read(upTo, w.opts.IndexBatch, ix.entries[:0])
	ix.entries = entries
	defer clear(entries) // do not keep strings alive until the next batch
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("sharelog: no journal record at seq %d although seq %d is durable", ix.indexed+1, durable)
	}
	last, lastHash := entries[len(entries)-1].Seq, entries[len(entries)-1].Hash
	var cp *checkpointRow
	if w.opts.CheckpointEvery > 0 && last-ix.cpSeq >= w.opts.CheckpointEvery {
		if cp, err = w.sign(kindCheckpoint, last, lastHash); err != nil {
			return err
		}
	}
	if err := w.store(ctx, entries, cp); err != nil {
		return err
	}
	ix.rd.pos = pos
	ix.indexed, ix.hash = last, lastHash
	if cp != nil {
		ix.cpSeq = last
	}
	w.indexed.Store(last)
	w.indexedProgress()
	if err := w.jr.retire(last); err != nil {
		w.log.Warn("sharing-log journal: cannot remove indexed segments", "err", err)
	}
	return nil
}

// Read-your-writes. In journal mode the database lags the journal by up to
// IndexInterval; Query, the exports and Verify first wait until the entries
// acknowledged by the Writers of this process on the same database are
// stored, asking the indexer to store them at once. Other processes (a
// control plane beside separate gateway nodes) see them after the lag.

// catchUpTimeout bounds that wait, so a query still answers, without the
// newest entries, while the database refuses the indexer's writes.
const catchUpTimeout = 2 * time.Second

var journalWriters struct {
	sync.Mutex
	byDB map[*platform.DB][]*Writer
}

func registerJournalWriter(w *Writer) {
	journalWriters.Lock()
	defer journalWriters.Unlock()
	if journalWriters.byDB == nil {
		journalWriters.byDB = map[*platform.DB][]*Writer{}
	}
	journalWriters.byDB[w.db] = append(journalWriters.byDB[w.db], w)
}

func unregisterJournalWriter(w *Writer) {
	journalWriters.Lock()
	defer journalWriters.Unlock()
	ws := slices.DeleteFunc(journalWriters.byDB[w.db], func(x *Writer) bool { return x == w })
	if len(ws) == 0 {
		delete(journalWriters.byDB, w.db)
	} else {
		journalWriters.byDB[w.db] = ws
	}
}

// catchUp waits until every entry acknowledged so far by this process's
// journal-mode Writers on db is in the database.
func catchUp(ctx context.Context, db *platform.DB) {
	journalWriters.Lock()
	ws := slices.Clone(journalWriters.byDB[db])
	journalWriters.Unlock()
	if len(ws) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, catchUpTimeout)
	defer cancel()
	for _, w := range ws {
		w.waitIndexed(ctx, w.jr.durableSeq())
	}
}

// waitIndexed asks the indexer to store everything up to target now and
// waits until it has, or ctx ends, or the Writer stops.
func (w *Writer) waitIndexed(ctx context.Context, target int64) {
	for {
		cur := w.urgent.Load()
		if cur >= target || w.urgent.CompareAndSwap(cur, target) {
			break
		}
	}
	select {
	case w.ixKick <- struct{}{}:
	default:
	}
	for {
		w.progressMu.Lock()
		ch := w.progress
		w.progressMu.Unlock()
		if w.indexed.Load() >= target {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return
		case <-w.stopped:
			return
		}
	}
}

// indexedProgress wakes the waiters of waitIndexed.
func (w *Writer) indexedProgress() {
	w.progressMu.Lock()
	close(w.progress)
	w.progress = make(chan struct{})
	w.progressMu.Unlock()
}
