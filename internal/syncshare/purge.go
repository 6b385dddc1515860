package syncshare

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// PackagePurge is what PurgePackages removed.
type PackagePurge struct {
	Files     int   `json:"files"`     // files of expired packages
	Bytes     int64 `json:"bytes"`     // their size
	Abandoned int   `json:"abandoned"` // builds that never completed, removed whole
}

// DefaultPackageFileRetention is how long an expired package's file is
// kept by default: long enough for a provider to look into a consumer's
// question about a package it just missed.
const DefaultPackageFileRetention = 30 * 24 * time.Hour

// abandonedAfter: a package still building after this long was cut short
// by a stop during its upload; nothing will complete it.
const abandonedAfter = 24 * time.Hour

// PurgePackages removes the files of packages whose validity window ended
// at least keep ago, and builds abandoned for a day. An expired package is
// invalid (D47-41.2c) and a download answers package_expired whether or
// not its file is still there; its record and manifest stay, and the
// sharing log keeps the digest of every copy released. Each package is
// removed in its own transaction, so a failure leaves the others done.
func (s *Store) PurgePackages(ctx context.Context, keep time.Duration) (PackagePurge, error) {
	if keep < 0 {
		return PackagePurge{}, fmt.Errorf("purge packages: negative retention %v", keep)
	}
	type candidate struct {
		id, size  int64
		abandoned bool
	}
	now := s.now()
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, size_bytes, status = 'building' FROM sync_packages
		WHERE file_removed_at IS NULL AND ((status = 'ready' AND valid_until <= $1) OR (status = 'building' AND created_at <= $2))
		ORDER BY id`, now.Add(-keep), now.Add(-abandonedAfter))
	if err != nil {
		return PackagePurge{}, fmt.Errorf("purge packages: %w", err)
	}
	var cands []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.size, &c.abandoned); err != nil {
			rows.Close()
			return PackagePurge{}, fmt.Errorf("purge packages: %w", err)
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return PackagePurge{}, fmt.Errorf("purge packages: %w", err)
	}
	var res PackagePurge
	for _, c := range cands {
		if c.abandoned {
			if err := s.deletePackage(ctx, c.id); err != nil {
				return res, fmt.Errorf("purge package %d: %w", c.id, err)
			}
			res.Abandoned++
			continue
		}
		err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sync_package_chunks WHERE package_id = $1`, c.id); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE sync_packages SET file_removed_at = $2 WHERE id = $1`, c.id, now)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("purge package %d: %w", c.id, err)
		}
		res.Files++
		res.Bytes += c.size
	}
	return res, nil
}

// DefaultTombstoneRetention is how long a deletion stays in a feed by
// default. A consumer that has not pulled for longer starts again from a
// snapshot; its copy had expired long before under any usual validity
// period (D47-41.2b).
const DefaultTombstoneRetention = 90 * 24 * time.Hour

// purgedBeyond refuses a cursor below a feed's purge floor: deletions the
// consumer has not seen may be gone, so only a snapshot is complete. The
// reference client answers this refusal by starting again from 0.
func purgedBeyond(cursor, purgedSeq int64) error {
	if cursor != 0 && cursor < purgedSeq {
		return badRequest("cursor", "deletions up to seq "+strconv.FormatInt(purgedSeq, 10)+
			" were purged from the feed since this cursor; start again from 0")
	}
	return nil
}

// TombstonePurge is what PurgeTombstones removed.
type TombstonePurge struct {
	Feeds      int   `json:"feeds"`
	Tombstones int64 `json:"tombstones"`
}

// PurgeTombstones removes from every feed the deletions older than keep:
// the oldest tombstones in sequence order, up to the first one that is
// still young. The feed's purged_seq rises to the last one removed, so a
// consumer whose cursor is below it starts again from a snapshot instead
// of missing those deletions. Each feed is purged in its own transaction,
// under the feed's lock, like a push.
func (s *Store) PurgeTombstones(ctx context.Context, keep time.Duration) (TombstonePurge, error) {
	if keep < 0 {
		return TombstonePurge{}, fmt.Errorf("purge tombstones: negative retention %v", keep)
	}
	feeds, err := platform.QueryIDs(ctx, s.db.Read, `SELECT service_id FROM sync_feeds WHERE deleted_rows > 0 ORDER BY service_id`)
	if err != nil {
		return TombstonePurge{}, fmt.Errorf("purge tombstones: %w", err)
	}
	var res TombstonePurge
	for _, id := range feeds {
		n, err := s.purgeFeed(ctx, id, keep)
		if err != nil {
			return res, fmt.Errorf("purge tombstones of feed %d: %w", id, err)
		}
		if n > 0 {
			res.Feeds++
			res.Tombstones += n
		}
	}
	return res, nil
}

func (s *Store) purgeFeed(ctx context.Context, serviceID int64, keep time.Duration) (int64, error) {
	var removed int64
	err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		cutoff := now.Add(-keep)
		// The row lock orders this against pushes (PostgreSQL).
		var head int64
		if err := tx.QueryRowContext(ctx, `UPDATE sync_feeds SET purged_seq = purged_seq WHERE service_id = $1 RETURNING head`,
			serviceID).Scan(&head); err != nil {
			return err
		}
		var young sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(seq) FROM sync_records WHERE service_id = $1 AND deleted = TRUE AND changed_at >= $2`,
			serviceID, cutoff).Scan(&young); err != nil {
			return err
		}
		below := head + 1
		if young.Valid {
			below = young.Int64
		}
		var floor sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(seq) FROM sync_records WHERE service_id = $1 AND deleted = TRUE AND seq < $2`,
			serviceID, below).Scan(&floor); err != nil {
			return err
		}
		if !floor.Valid {
			return nil
		}
		r, err := tx.ExecContext(ctx, `DELETE FROM sync_records WHERE service_id = $1 AND deleted = TRUE AND seq <= $2`, serviceID, floor.Int64)
		if err != nil {
			return err
		}
		if removed, err = r.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE sync_feeds SET deleted_rows = deleted_rows - $2,
			purged_seq = CASE WHEN purged_seq > $3 THEN purged_seq ELSE $3 END WHERE service_id = $1`, serviceID, removed, floor.Int64)
		return err
	})
	return removed, err
}
