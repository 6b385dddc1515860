package syncshare

import (
	"context"
	"fmt"
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
		id, size       int64
		until, created time.Time
		building       bool
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, size_bytes, valid_until, created_at, status FROM sync_packages
		WHERE file_removed_at IS NULL ORDER BY id`)
	if err != nil {
		return PackagePurge{}, fmt.Errorf("purge packages: %w", err)
	}
	var cands []candidate
	for rows.Next() {
		var c candidate
		var status string
		if err := rows.Scan(&c.id, &c.size, &c.until, &c.created, &status); err != nil {
			rows.Close()
			return PackagePurge{}, fmt.Errorf("purge packages: %w", err)
		}
		c.building = status == "building"
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return PackagePurge{}, fmt.Errorf("purge packages: %w", err)
	}
	now := s.now()
	var res PackagePurge
	for _, c := range cands {
		var err error
		switch {
		case c.building && now.Sub(c.created) >= abandonedAfter:
			err = s.db.Tx(ctx, func(tx platform.Tx, _ time.Time) error {
				if _, err := tx.ExecContext(ctx, `DELETE FROM sync_package_chunks WHERE package_id = $1`, c.id); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `DELETE FROM sync_packages WHERE id = $1 AND status = 'building'`, c.id)
				return err
			})
			if err == nil {
				res.Abandoned++
			}
		case !c.building && now.Sub(c.until) >= keep:
			err = s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
				if _, err := tx.ExecContext(ctx, `DELETE FROM sync_package_chunks WHERE package_id = $1`, c.id); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `UPDATE sync_packages SET file_removed_at = $2 WHERE id = $1`, c.id, now)
				return err
			})
			if err == nil {
				res.Files++
				res.Bytes += c.size
			}
		}
		if err != nil {
			return res, fmt.Errorf("purge package %d: %w", c.id, err)
		}
	}
	return res, nil
}
