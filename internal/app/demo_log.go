package app

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/govdx/govdx/internal/sharelog"
)

// seedDemoLog writes six months of past gateway calls for the demo's
// connection accounts into the sharing log (its own chain, "demo-history"),
// so statistics, quality reviews and log pages show realistic activity.
// The entries are hash-chained and signed like any others.
func seedDemoLog(ctx context.Context, a *App) error {
	accs, err := a.Sharing.GatewayAccounts(ctx)
	if err != nil {
		return err
	}
	signer, err := sharelog.LoadOrCreateKey(a.logKeyPath())
	if err != nil {
		return err
	}
	w, err := sharelog.NewWriter(ctx, a.DB, "demo-history", signer, sharelog.Options{})
	if err != nil {
		return err
	}
	rnd := rand.New(rand.NewPCG(47, 2020)) // fixed seed: the same demo every time
	now := a.DB.Now()
	var entries []sharelog.Entry
	for _, acc := range accs {
		svc, err := a.Catalog.Service(ctx, acc.ServiceID)
		if err != nil {
			continue
		}
		for day := 180; day >= 1; day-- {
			at := now.AddDate(0, 0, -day)
			if acc.ValidFrom.After(at) || (!acc.ValidTo.IsZero() && !at.Before(acc.ValidTo)) {
				continue
			}
			if wd := at.In(time.FixedZone("ICT", 7*3600)).Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			for i, n := 0, 3+rnd.IntN(12); i < n; i++ {
				t := time.Date(at.Year(), at.Month(), at.Day(), 1+rnd.IntN(9), rnd.IntN(60), rnd.IntN(60), rnd.IntN(1e9), time.UTC)
				e := sharelog.Entry{RequestedAt: t, Form: sharelog.FormOnline, RequesterOrgID: acc.ConsumerOrgID, RequesterApp: acc.Application,
					AccountID: acc.ID, ProviderOrgID: acc.ProviderOrgID, ServiceID: svc.ID, ServiceCode: svc.Identifier, Method: "GET",
					Path: fmt.Sprintf("/s/%s/%010d", svc.Identifier, 400000000+rnd.IntN(99999999)), Status: 200,
					CorrelationID: fmt.Sprintf("DEMO%022d", len(entries))}
				e.RequestDigest = sha256.Sum256(nil) // a GET has an empty body, as the gateway records it
				latency := time.Duration(20+rnd.IntN(180)) * time.Millisecond
				switch r := rnd.IntN(100); {
				case r < 2:
					e.Status, e.RefusalCode = 502, "upstream_error"
				case r < 3:
					e.Status, e.RefusalCode = 429, "rate_limited"
					latency = time.Millisecond
				default:
					e.ResponseBytes = int64(600 + rnd.IntN(900))
					e.ResponseDigest = sha256.Sum256([]byte(e.CorrelationID))
				}
				if e.RefusalCode != "" {
					// What the gateway releases on a refusal: its problem+json.
					body := fmt.Sprintf(`{"status":%d,"code":%q,"request_id":%q}`, e.Status, e.RefusalCode, e.CorrelationID)
					e.ResponseBytes, e.ResponseDigest = int64(len(body)), sha256.Sum256([]byte(body))
				}
				e.RespondedAt = t.Add(latency)
				e.LatencyMicros = latency.Microseconds()
				entries = append(entries, e)
			}
		}
	}
	// Concurrent appends share group commits, as gateway calls do.
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	next := make(chan sharelog.Entry)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range next {
				if _, err := w.Append(ctx, e); err != nil {
					select { // keep the first error; keep draining so the producer never blocks
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for _, e := range entries {
		next <- e
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		w.Close()
		return fmt.Errorf("demo sharing log: %w", err)
	}
	return w.Close()
}
