package sharelog

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// RetentionFunc returns how long the entries of a service must be kept
// under its usage regulation (D47-45.3); 0 adds nothing to Purge's cutoff.
// The catalog provides it.
type RetentionFunc func(serviceID int64) time.Duration

// PurgeResult says what Purge removed.
type PurgeResult struct {
	Deleted int64 // entries deleted
	Anchors int   // anchors written (one per deleted chunk)
	// Busy: another process was purging the same PostgreSQL database, so
	// this call did nothing.
	Busy bool
}

// purgeChunk bounds the entries deleted per transaction, so a purge never
// holds the (SQLite) write connection away from the gateway for long.
const purgeChunk = 1000

// Purge deletes expired entries. An entry is expired when it was requested
// before `before` and, when retention is not nil, its service's retention
// has also passed (now - retention(serviceID)); so `before` is the
// operator's cutoff and retention can only keep entries longer.
//
// Only a prefix of each chain is deleted: up to, not including, the first
// entry that is not expired. An entry kept for a long-retention service
// therefore also keeps the entries after it in its chain; in exchange each
// chain stays one contiguous, verifiable run. Before each chunk is deleted,
// its entries are re-verified from the chain's start, and in the same
// transaction a signed anchor records the hash of the last deleted entry,
// which is what the first remaining entry chains onto; Verify starts there.
// Checkpoints and anchors about the deleted entries are deleted with them.
//
// Purge refuses to touch a chain that does not verify up to its cut: run
// Verify to find out why.
func Purge(ctx context.Context, db *platform.DB, signer Signer, before time.Time, retention RetentionFunc) (PurgeResult, error) {
	var res PurgeResult
	if signer == nil {
		return res, fmt.Errorf("sharelog: purge needs a signer for its anchors")
	}
	unlock, ok, err := lockPurge(ctx, db)
	if err != nil || !ok {
		return PurgeResult{Busy: !ok && err == nil}, err
	}
	defer unlock()
	now := db.Now()
	expired := func(e *Entry) bool {
		if !e.RequestedAt.Before(before) {
			return false
		}
		return retention == nil || !e.RequestedAt.Add(retention(e.ServiceID)).After(now)
	}
	chains, err := listChains(ctx, db.Read)
	if err != nil {
		return res, err
	}
	pub := signer.PublicKey()
	for _, node := range chains {
		if err := purgeChain(ctx, db, signer, pub, node, expired, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// lockPurge lets one process at a time purge a PostgreSQL database (every
// `govdx serve` of a multi-node installation runs the daily purge; two at
// once would only race to the same deletions). SQLite belongs to one
// process. ok is false when another process holds the lock.
func lockPurge(ctx context.Context, db *platform.DB) (unlock func(), ok bool, err error) {
	if db.Dialect != platform.Postgres {
		return func() {}, true, nil
	}
	conn, err := db.Write.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("sharelog: purge lock: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, purgeLockID).Scan(&ok); err != nil || !ok {
		conn.Close()
		if err != nil {
			return nil, false, fmt.Errorf("sharelog: purge lock: %w", err)
		}
		return nil, false, nil
	}
	return func() {
		// Closing the connection would return it to the pool still locked.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, purgeLockID)
		conn.Close()
	}, true, nil
}

// purgeLockID is the advisory lock key of the purge; chain locks
// (chainLockID) hash a different prefix.
var purgeLockID = func() int64 {
	h := fnv.New64a()
	h.Write([]byte("govdx/sharelog-purge"))
	return int64(h.Sum64())
}()

func purgeChain(ctx context.Context, db *platform.DB, signer Signer, pub []byte, node string, expired func(*Entry) bool, res *PurgeResult) error {
	low, start, prev, err := chainStart(ctx, db.Read, node)
	if err != nil {
		return err
	}
	if low == math.MaxInt64 {
		return nil // nothing left in this chain
	}
	if low != start+1 {
		return fmt.Errorf("sharelog: refusing to purge chain %q: entries before seq %d are missing without an anchor", node, low)
	}
	var buf []byte
	it := &entryIter{ctx: ctx, q: db.Read, node: node, last: start}
	expected := start + 1
	for {
		// Collect and verify the next chunk of expired entries.
		var cut int64
		var cutHash [32]byte
		more := false
		for n := 0; n < purgeChunk; n++ {
			e, err := it.peek()
			if err != nil {
				return err
			}
			if e == nil || !expired(&e.Entry) {
				break
			}
			var h [32]byte
			h, buf = chainHash(buf, &prev, &e.Entry)
			if e.Seq != expected || e.malformed != "" || h != e.Hash {
				return fmt.Errorf("sharelog: refusing to purge chain %q: seq %d does not verify", node, expected)
			}
			prev, cut, cutHash = h, e.Seq, h
			expected++
			it.next()
			more = n == purgeChunk-1
		}
		if cut == 0 {
			return nil
		}
		anchor, err := signCheckpoint(signer, pub, kindAnchor, node, cut, cutHash[:], db.Now())
		if err != nil {
			return err
		}
		err = db.Tx(ctx, func(tx platform.Tx, _ time.Time) error {
			// A concurrent purge of the same chain would have moved its start.
			var first int64
			if err := tx.QueryRowContext(ctx, `SELECT seq FROM sharelog_entries WHERE node = $1 ORDER BY seq LIMIT 1`, node).Scan(&first); err != nil {
				return fmt.Errorf("purge chain %q: %w", node, err)
			}
			if first != start+1 {
				return fmt.Errorf("sharelog: chain %q changed during purge", node)
			}
			if err := insertCheckpoint(ctx, tx, anchor); err != nil {
				return err
			}
			r, err := tx.ExecContext(ctx, `DELETE FROM sharelog_entries WHERE node = $1 AND seq <= $2`, node, cut)
			if err != nil {
				return fmt.Errorf("purge chain %q: %w", node, err)
			}
			n, _ := r.RowsAffected()
			res.Deleted += n
			if _, err := tx.ExecContext(ctx, `DELETE FROM sharelog_checkpoints WHERE node = $1 AND seq < $2`, node, cut); err != nil {
				return fmt.Errorf("purge chain %q: %w", node, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		res.Anchors++
		start = cut
		if !more {
			return nil
		}
	}
}
