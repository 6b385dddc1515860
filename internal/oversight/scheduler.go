package oversight

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// Scheduler runs the time-driven work of oversight: automatic escalation of
// obstacles whose answer period passed (D47-49), expiry of agreements,
// restoration of suspensions at their restoration time, the daily deadline
// digest, and the retry of queued tasks. All state lives in the database,
// so it survives restarts; each item is claimed with a conditional UPDATE
// (or a unique row), so several nodes may run schedulers at once and each
// item is done once.
type Scheduler struct {
	store *Store
	// Interval between runs (default 1 minute).
	Interval time.Duration
	Log      *slog.Logger
}

// NewScheduler returns a scheduler for the store.
func NewScheduler(s *Store, interval time.Duration, log *slog.Logger) *Scheduler {
	if interval <= 0 {
		interval = time.Minute
	}
	if log == nil {
		log = slog.Default()
	}
	return &Scheduler{store: s, Interval: interval, Log: log}
}

// RunReport counts what one run did.
type RunReport struct {
	Escalated int `json:"escalated"`
	Expired   int `json:"expired"`
	Restored  int `json:"restored"`
	Digests   int `json:"digests"`
	Tasks     int `json:"tasks"`
}

// RunOnce does every job due at now. Errors of one job do not stop the others.
func (sc *Scheduler) RunOnce(ctx context.Context, now time.Time) (RunReport, error) {
	var rep RunReport
	var errs []error
	var err error
	s := sc.store
	if rep.Escalated, err = s.autoEscalate(ctx, now); err != nil {
		errs = append(errs, fmt.Errorf("auto-escalation: %w", err))
	}
	if rep.Expired, err = s.expireAgreements(ctx, now); err != nil {
		errs = append(errs, fmt.Errorf("agreement expiry: %w", err))
	}
	if rep.Restored, err = s.restoreDue(ctx, now); err != nil {
		errs = append(errs, fmt.Errorf("suspension restoration: %w", err))
	}
	if rep.Digests, err = s.sendDigests(ctx, now); err != nil {
		errs = append(errs, fmt.Errorf("digest: %w", err))
	}
	if rep.Tasks, err = s.RunTasks(ctx, 500); err != nil {
		errs = append(errs, fmt.Errorf("tasks: %w", err))
	}
	return rep, errors.Join(errs...)
}

// Run does the due work every Interval until ctx ends, the first time one
// interval after the start (so a starting node serves first). A panic in a
// run is logged and the next tick runs again.
func (sc *Scheduler) Run(ctx context.Context) {
	platform.Every(ctx, sc.Interval, sc.safeRun)
}

func (sc *Scheduler) safeRun(ctx context.Context) {
	defer func() {
		if v := recover(); v != nil {
			sc.Log.Error("oversight scheduler panic", "panic", fmt.Sprint(v))
		}
	}()
	rep, err := sc.RunOnce(ctx, sc.store.now(ctx))
	if err != nil && ctx.Err() == nil {
		sc.Log.Warn("oversight scheduler", "err", err)
	}
	if rep != (RunReport{}) {
		sc.Log.Info("oversight scheduler", "escalated", rep.Escalated, "expired", rep.Expired, "restored", rep.Restored,
			"digests", rep.Digests, "tasks", rep.Tasks)
	}
}
