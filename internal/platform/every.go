package platform

import (
	"context"
	"time"
)

// Every calls fn every d until ctx ends, the first time one interval after
// the start: the loop of the background jobs (reloads, schedulers).
func Every(ctx context.Context, d time.Duration, fn func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if ctx.Err() != nil {
			return
		}
		fn(ctx)
	}
}
