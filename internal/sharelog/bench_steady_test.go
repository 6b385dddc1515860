//go:build linux

package sharelog_test

import (
	"context"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharelog"
)

// BenchmarkAppendSteady appends at a steady 9,000 entries/s, the load of a
// busy gateway node, from a pool of callers (open loop: the rate does not
// drop when appends slow down), and reports the process's CPU time per
// entry (all goroutines, the kernel's share of flushes included; the load
// generator itself costs about 10 µs) and the latency of Append. Unlike
// BenchmarkAppend, where hundreds of callers wait at once and batches are
// large, batches here are as small as the flush cycle makes them, which is
// where the fixed cost per flush or commit shows.
//
// The journal runs on recycled segments, as a node does after its first
// segment (64 MiB, about half a minute at this rate): 2 MiB segments and
// 20,000 entries appended and indexed before the measurement. An
// append-only first segment costs about 5 µs more per entry and 0.5 ms
// more at p50.
//
//	go test -run X -bench AppendSteady -benchtime 45000x ./internal/sharelog/
func BenchmarkAppendSteady(b *testing.B) {
	const rate = 9000
	for _, be := range platformtest.Backends() {
		for _, mode := range []string{"direct", "journal"} {
			b.Run(be.Name+"/"+mode, func(b *testing.B) {
				db := be.Open(b, sets())
				opts := sharelog.Options{}
				if mode == "journal" {
					opts.JournalDir, opts.JournalSegmentSize = b.TempDir(), 2<<20
				}
				w, err := sharelog.NewWriter(context.Background(), db, "bench-node", mustSigner(b), opts)
				if err != nil {
					b.Fatal(err)
				}
				defer w.Close()
				proto := sampleEntry()
				if mode == "journal" {
					warmUp(b, w, proto, 20000)
				}
				work := make(chan struct{}, b.N)
				lats := make([]time.Duration, 0, b.N)
				var mu sync.Mutex
				var wg sync.WaitGroup
				for range 1000 {
					wg.Go(func() {
						var mine []time.Duration
						for range work {
							start := time.Now()
							if _, err := w.Append(context.Background(), proto); err != nil {
								b.Error(err)
							}
							mine = append(mine, time.Since(start))
						}
						mu.Lock()
						lats = append(lats, mine...)
						mu.Unlock()
					})
				}
				b.ResetTimer()
				cpu0 := processCPU()
				start := time.Now()
				for sent := 0; sent < b.N; {
					for due := min(b.N, int(time.Since(start).Seconds()*rate)); sent < due; sent++ {
						work <- struct{}{}
					}
					time.Sleep(200 * time.Microsecond)
				}
				close(work)
				wg.Wait()
				if err := w.Close(); err != nil { // journal mode: the indexer's remaining work counts
					b.Fatal(err)
				}
				cpu := processCPU() - cpu0
				b.StopTimer()
				slices.Sort(lats)
				b.ReportMetric(float64(cpu.Nanoseconds())/1e3/float64(b.N), "cpu-µs/entry")
				b.ReportMetric(float64(lats[len(lats)/2].Microseconds())/1e3, "p50-ms")
				b.ReportMetric(float64(lats[len(lats)*99/100].Microseconds())/1e3, "p99-ms")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// processCPU is the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// warmUp appends n entries from many callers and waits until they are in
// the database, so the journal has rotated and has a spare segment.
func warmUp(b *testing.B, w *sharelog.Writer, e sharelog.Entry, n int) {
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			for range n/100 + min(1, max(0, n%100-i)) {
				if _, err := w.Append(context.Background(), e); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for deadline := time.Now().Add(time.Minute); sharelog.IndexedSeq(w) < int64(n); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("warm-up entries not indexed after a minute")
		}
	}
}
