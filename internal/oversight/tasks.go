package oversight

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// Task kinds: work in other features done after the commit of the change
// that asked for it (outbox pattern, so a crash loses nothing).
const (
	taskNotify    = "notify"    // payload: Notification
	taskGrant     = "grant"     // payload: grantTask
	taskTerminate = "terminate" // payload: terminateTask
)

type grantTask struct {
	AgreementID int64 `json:"agreement_id"`
	OrgID       int64 `json:"org_id"`
}

type terminateTask struct {
	AccountIDs    []int64 `json:"account_ids"`
	Reason        string  `json:"reason"`
	TerminationID int64   `json:"termination_id,omitempty"`
}

var errNoDependency = errors.New("dependency not configured")

// queue adds a task in tx.
func (s *Store) queue(ctx context.Context, tx platform.Tx, now time.Time, kind string, payload any) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO oversight_tasks (kind, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $3)`,
		kind, jsonText(payload), now)
	if err != nil {
		return fmt.Errorf("queue %s: %w", kind, err)
	}
	return nil
}

// notify queues a notification in tx.
func (s *Store) notify(ctx context.Context, tx platform.Tx, now time.Time, n Notification) error {
	if n.OrgID == 0 {
		return nil
	}
	return s.queue(ctx, tx, now, taskNotify, n)
}

// runTasksSoon runs the due tasks right after a commit, so notices and
// account changes take effect at once; failures stay queued for the scheduler.
func (s *Store) runTasksSoon(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	if _, err := s.RunTasks(ctx, 200); err != nil {
		platform.Logger(ctx).Warn("oversight tasks", "err", err)
	}
}

type taskRow struct {
	id       int64
	kind     string
	payload  string
	attempts int
}

// RunTasks runs up to limit due tasks and returns how many succeeded. Each
// task is claimed with a conditional UPDATE, so with several nodes exactly
// one runs it; a failed task is retried later with a growing delay.
func (s *Store) RunTasks(ctx context.Context, limit int) (int, error) {
	now := s.now(ctx)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, kind, payload, attempts FROM oversight_tasks
		WHERE done_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
		ORDER BY id LIMIT $2`, now, limit)
	if err != nil {
		return 0, fmt.Errorf("due tasks: %w", err)
	}
	var due []taskRow
	for rows.Next() {
		var t taskRow
		if err := rows.Scan(&t.id, &t.kind, &t.payload, &t.attempts); err != nil {
			rows.Close()
			return 0, err
		}
		due = append(due, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	done := 0
	var errs []error
	for _, t := range due {
		ok, err := s.claimTask(ctx, t.id, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue
		}
		runErr := s.runTask(ctx, t)
		if err := s.finishTask(ctx, t, runErr); err != nil {
			errs = append(errs, err)
		}
		if runErr == nil {
			done++
		} else {
			errs = append(errs, fmt.Errorf("task %d (%s): %w", t.id, t.kind, runErr))
		}
	}
	return done, errors.Join(errs...)
}

func (s *Store) claimTask(ctx context.Context, id int64, now time.Time) (bool, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx platform.Tx, _ time.Time) error {
		r, err := tx.ExecContext(ctx, `UPDATE oversight_tasks SET claimed_until = $1, attempts = attempts + 1
			WHERE id = $2 AND done_at IS NULL AND (claimed_until IS NULL OR claimed_until < $3)`, now.Add(5*time.Minute), id, now)
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	return n == 1, err
}

func (s *Store) finishTask(ctx context.Context, t taskRow, runErr error) error {
	return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
		if runErr == nil {
			_, err := tx.ExecContext(ctx, `UPDATE oversight_tasks SET done_at = $1, claimed_until = NULL, last_error = '' WHERE id = $2`, now, t.id)
			return err
		}
		delay := 30 * time.Second << min(t.attempts, 7) // 30 s, 1 min, ... about 1 h
		msg := runErr.Error()
		if len(msg) > 1000 {
			msg = msg[:1000]
		}
		_, err := tx.ExecContext(ctx, `UPDATE oversight_tasks SET claimed_until = NULL, next_attempt_at = $1, last_error = $2 WHERE id = $3`,
			now.Add(delay), msg, t.id)
		return err
	})
}

func (s *Store) runTask(ctx context.Context, t taskRow) error {
	switch t.kind {
	case taskNotify:
		if s.deps.Notifier == nil {
			return errNoDependency
		}
		var n Notification
		if err := json.Unmarshal([]byte(t.payload), &n); err != nil {
			return err
		}
		return s.deps.Notifier.Notify(ctx, n)
	case taskGrant:
		var g grantTask
		if err := json.Unmarshal([]byte(t.payload), &g); err != nil {
			return err
		}
		return s.grantAccount(ctx, g)
	case taskTerminate:
		if s.deps.Accounts == nil {
			return errNoDependency
		}
		var tt terminateTask
		if err := json.Unmarshal([]byte(t.payload), &tt); err != nil {
			return err
		}
		if len(tt.AccountIDs) > 0 {
			if err := s.deps.Accounts.TerminateAccounts(ctx, tt.AccountIDs, tt.Reason); err != nil {
				return err
			}
		}
		if tt.TerminationID != 0 {
			return s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
				_, err := tx.ExecContext(ctx, `UPDATE terminations SET accounts_stopped_at = $1 WHERE id = $2 AND accounts_stopped_at IS NULL`, now, tt.TerminationID)
				return err
			})
		}
		return nil
	}
	return fmt.Errorf("unknown task kind %q", t.kind)
}

// PendingTasks counts tasks not yet done (for readiness and tests).
func (s *Store) PendingTasks(ctx context.Context) (int, error) {
	var n int
	err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM oversight_tasks WHERE done_at IS NULL`).Scan(&n)
	return n, err
}
