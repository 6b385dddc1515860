package syncshare

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// Copy states of a consumer's synchronised copy.
const (
	CopyNever   = "never"   // no pull has reached the head yet: not a valid copy
	CopyValid   = "valid"   // within the validity period of its last synchronisation
	CopyExpired = "expired" // D47-41.2b: must re-synchronise, its data is invalid
)

// Copy is a consumer's synchronised copy of a feed (D47-41.2b), as govdx
// knows it from the consumer's pulls.
type Copy struct {
	AccountID       int64      `json:"account_id"`
	ServiceID       int64      `json:"service_id"`
	Service         string     `json:"service"`
	ServiceName     string     `json:"service_name"`
	ConsumerOrgID   int64      `json:"consumer_org_id"`
	ConsumerOrgName string     `json:"consumer_org_name"`
	Application     string     `json:"application"`
	AccountStatus   string     `json:"account_status"`
	Cursor          int64      `json:"cursor"`
	Head            int64      `json:"head"`
	Pulls           int64      `json:"pulls"`
	LastPullAt      *time.Time `json:"last_pull_at"`
	LastSyncedAt    *time.Time `json:"last_synced_at"`
	ValidUntil      *time.Time `json:"valid_until"`
	State           string     `json:"state"`
}

// Behind counts the changes the copy has not fetched.
func (c Copy) Behind() int64 { return max(0, c.Head-c.Cursor) }

type status struct {
	lastCursor, maxCursor, pulls int64
	lastPull, synced, until      sql.NullTime
}

func (s *Store) loadStatus(ctx context.Context, accountID int64) (status, bool, error) {
	var st status
	err := s.db.Read.QueryRowContext(ctx, `SELECT last_cursor, max_cursor, pulls, last_pull_at, last_synced_at, valid_until
		FROM sync_status WHERE account_id = $1`, accountID).Scan(&st.lastCursor, &st.maxCursor, &st.pulls, &st.lastPull, &st.synced, &st.until)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("sync status %d: %w", accountID, err)
	}
	return st, true, nil
}

// recordPull records a batch released to an account; a batch that reached
// the head is a successful synchronisation, valid until validUntil
// (D47-41.2b).
func (s *Store) recordPull(ctx context.Context, accountID, serviceID, orgID, cursor int64, at time.Time, synced bool, validUntil time.Time) error {
	var syncedAt, until sql.NullTime
	if synced {
		syncedAt = sql.NullTime{Time: at, Valid: true}
		until = sql.NullTime{Time: validUntil, Valid: true}
	}
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sync_status (account_id, service_id, consumer_org_id, last_cursor, max_cursor,
			pulls, last_pull_at, last_synced_at, valid_until, updated_at) VALUES ($1, $2, $3, $4, $4, 1, $5, $6, $7, $8)
			ON CONFLICT (account_id) DO UPDATE SET last_cursor = excluded.last_cursor,
			max_cursor = CASE WHEN excluded.max_cursor > sync_status.max_cursor THEN excluded.max_cursor ELSE sync_status.max_cursor END,
			pulls = sync_status.pulls + 1, last_pull_at = excluded.last_pull_at,
			last_synced_at = COALESCE(excluded.last_synced_at, sync_status.last_synced_at),
			valid_until = COALESCE(excluded.valid_until, sync_status.valid_until), updated_at = excluded.updated_at`,
			accountID, serviceID, orgID, cursor, at, syncedAt, until, now)
		return err
	})
}

func copyState(synced, until *time.Time, now time.Time) string {
	switch {
	case synced == nil || until == nil:
		return CopyNever
	case now.Before(*until):
		return CopyValid
	}
	return CopyExpired
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// copies lists the synchronised copies of the accounts p may see on the
// given sync services (serviceID 0: all of them).
func (s *Store) copies(ctx context.Context, p *identity.Principal, serviceID int64, services []Service, head int64) ([]Copy, error) {
	out := []Copy{}
	if s.acc == nil || len(services) == 0 {
		return out, nil
	}
	byID := map[int64]Service{}
	for _, sv := range services {
		if sv.Method == MethodSync {
			byID[sv.ID] = sv
		}
	}
	accs, err := s.acc.VisibleAccounts(ctx, p, serviceID)
	if err != nil {
		return nil, err
	}
	heads := map[int64]int64{}
	if serviceID != 0 {
		heads[serviceID] = head
	} else if err := s.heads(ctx, heads); err != nil {
		return nil, err
	}
	now := s.now()
	for _, a := range accs {
		sv, ok := byID[a.ServiceID]
		if !ok {
			continue
		}
		st, _, err := s.loadStatus(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		c := Copy{AccountID: a.ID, ServiceID: sv.ID, Service: sv.Identifier, ServiceName: sv.Name, ConsumerOrgID: a.ConsumerOrgID,
			ConsumerOrgName: a.ConsumerOrgName, Application: a.Application, AccountStatus: a.Status, Cursor: st.lastCursor,
			Head: heads[sv.ID], Pulls: st.pulls, LastPullAt: timePtr(st.lastPull), LastSyncedAt: timePtr(st.synced), ValidUntil: timePtr(st.until)}
		c.State = copyState(c.LastSyncedAt, c.ValidUntil, now)
		out = append(out, c)
	}
	return out, nil
}

func (s *Store) heads(ctx context.Context, into map[int64]int64) error {
	rows, err := s.db.Read.QueryContext(ctx, `SELECT service_id, head FROM sync_feeds`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, h int64
		if err := rows.Scan(&id, &h); err != nil {
			return err
		}
		into[id] = h
	}
	return rows.Err()
}

// Copies lists the synchronised copies of every sync service that p may
// see: a consumer sees its own copies and when each expires (D47-41.2b).
func (s *Store) Copies(ctx context.Context, p *identity.Principal) ([]Copy, error) {
	if p == nil {
		return nil, platform.Errorf(platform.EUnauthorized, "unauthenticated", "please log in")
	}
	if s.svc == nil {
		return []Copy{}, nil
	}
	all, err := s.svc.HostedServices(ctx)
	if err != nil {
		return nil, err
	}
	return s.copies(ctx, p, 0, all, 0)
}

// Overview is the /sync page and its API twin: the hosted services p
// manages or oversees, the copies p may see, and the packages p's accounts
// may download.
type Overview struct {
	Services []ServiceSummary `json:"services"`
	Copies   []Copy           `json:"copies"`
	Packages []Package        `json:"packages"`
}

// ServiceSummary is one hosted service with its feed or packages counts.
type ServiceSummary struct {
	ServiceRef
	Head       int64      `json:"head"`
	LiveRows   int64      `json:"live_rows"`
	LastPushAt *time.Time `json:"last_push_at"`
	Packages   int        `json:"packages"`
	Valid      int        `json:"valid_packages"`
	CanManage  bool       `json:"can_manage"`
}

// OverviewOf builds the overview for p.
func (s *Store) OverviewOf(ctx context.Context, p *identity.Principal) (Overview, error) {
	ov := Overview{Services: []ServiceSummary{}, Copies: []Copy{}, Packages: []Package{}}
	if p == nil {
		return ov, platform.Errorf(platform.EUnauthorized, "unauthenticated", "please log in")
	}
	if s.svc == nil {
		return ov, nil
	}
	all, err := s.svc.HostedServices(ctx)
	if err != nil {
		return ov, err
	}
	for _, sv := range all {
		if !canView(p, sv) {
			continue
		}
		sum := ServiceSummary{ServiceRef: refOf(sv), CanManage: canManage(p, sv)}
		if sv.Method == MethodSync {
			f, _, err := s.loadFeed(ctx, s.db.Read, sv.ID)
			if err != nil {
				return ov, err
			}
			sum.Head, sum.LiveRows, sum.LastPushAt = f.Head, f.LiveRows, f.LastPushAt
		} else {
			list, err := s.packagesOf(ctx, sv.ID)
			if err != nil {
				return ov, err
			}
			sum.Packages = len(list)
			for _, pk := range list {
				if !pk.Expired {
					sum.Valid++
				}
			}
		}
		ov.Services = append(ov.Services, sum)
	}
	if ov.Copies, err = s.copies(ctx, p, 0, all, 0); err != nil {
		return ov, err
	}
	// Packages the accounts p sees may download now.
	if s.acc != nil {
		accs, err := s.acc.VisibleAccounts(ctx, p, 0)
		if err != nil {
			return ov, err
		}
		seen := map[int64]bool{}
		for _, a := range accs {
			// The user's own organisations' accounts, not those a provider
			// or an overseer merely sees.
			if seen[a.ServiceID] || a.Status != "active" || !p.Allowed(identity.PermRequestCreate, a.ConsumerPath) {
				continue
			}
			seen[a.ServiceID] = true
			for _, sv := range all {
				if sv.ID != a.ServiceID || sv.Method != MethodPackage {
					continue
				}
				list, err := s.packagesOf(ctx, sv.ID)
				if err != nil {
					return ov, err
				}
				for _, pk := range list {
					if !pk.Expired {
						ov.Packages = append(ov.Packages, pk)
					}
				}
			}
		}
	}
	return ov, nil
}

// parseInt64 reads a non-negative integer parameter.
func parseInt64(v string, def int64) (int64, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return def, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && n >= 0
}
