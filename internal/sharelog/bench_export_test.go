package sharelog_test

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharelog"
)

// BenchmarkExport measures how many entries per second the CSV and XLSX
// exports write, reading the database a page at a time as they do for a
// person who exports a month of calls (the web UI runs them as background
// jobs with progress; this says how long such a job takes).
func BenchmarkExport(b *testing.B) {
	const entries = 20000
	for _, be := range platformtest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			db := be.Open(b, sets())
			ctx := context.Background()
			w, err := sharelog.NewWriter(ctx, db, "bench-node", mustSigner(b), sharelog.Options{})
			if err != nil {
				b.Fatal(err)
			}
			proto := sampleEntry()
			var wg sync.WaitGroup
			for g := 0; g < 64; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := g; i < entries; i += 64 {
						e := proto
						e.RequestedAt = proto.RequestedAt.Add(-time.Duration(i) * time.Second)
						if _, err := w.Append(ctx, e); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			for _, format := range []string{"csv", "xlsx"} {
				b.Run(format, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						var n int64
						var err error
						if format == "csv" {
							n, err = sharelog.ExportCSV(ctx, db, sharelog.Filter{}, sharelog.ExportOptions{}, io.Discard)
						} else {
							n, err = sharelog.ExportXLSX(ctx, db, sharelog.Filter{}, sharelog.ExportOptions{}, io.Discard)
						}
						if err != nil || n != entries {
							b.Fatalf("exported %d of %d: %v", n, entries, err)
						}
					}
					b.ReportMetric(float64(entries*b.N)/b.Elapsed().Seconds(), "entries/s")
				})
			}
		})
	}
}
