package sharelog_test

import (
	"context"
	"crypto/sha256"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharelog"
)

// BenchmarkAppend measures durable entries per second with many concurrent
// appenders, as a gateway node produces them: at 50,000 calls/s and a few
// milliseconds per call plus the group commit, several hundred calls are in
// flight (Little's law), hence 256 appenders per CPU. BenchmarkAppendSteady
// measures a gateway's steadier load instead.
//
// direct commits every group to the database; journal makes it durable in
// the journal and indexes it into the database behind. In journal mode
// entries/s counts durable (journaled) entries and indexed/s includes the
// time the indexer needs, after the last Append, to bring the database up
// to date (at Close).
func BenchmarkAppend(b *testing.B) {
	for _, be := range platformtest.Backends() {
		for _, mode := range []string{"direct", "journal"} {
			b.Run(be.Name+"/"+mode, func(b *testing.B) {
				db := be.Open(b, sets())
				ctx := context.Background()
				opts := sharelog.Options{}
				journal := mode == "journal"
				if journal {
					opts.JournalDir = b.TempDir()
				}
				w, err := sharelog.NewWriter(ctx, db, "bench-node", mustSigner(b), opts)
				if err != nil {
					b.Fatal(err)
				}
				defer w.Close()
				proto := sampleEntry()
				var n atomic.Int64
				b.SetParallelism(256)
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := w.Append(ctx, proto); err != nil {
							b.Error(err)
							return
						}
						n.Add(1)
					}
				})
				b.StopTimer()
				b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "entries/s")
				if journal {
					start := time.Now()
					if err := w.Close(); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(n.Load())/(b.Elapsed()+time.Since(start)).Seconds(), "indexed/s")
				}
			})
		}
	}
}

func sampleEntry() sharelog.Entry {
	now := time.Now()
	return sharelog.Entry{
		RequestedAt:    now.Add(-3 * time.Millisecond),
		RespondedAt:    now,
		Form:           sharelog.FormOnline,
		RequesterOrgID: 1042,
		RequesterAppID: 7,
		RequesterApp:   "Cổng dịch vụ công tỉnh",
		AccountID:      311,
		ProviderOrgID:  12,
		ServiceID:      55,
		ServiceCode:    "csdlqg-dc/tra-cuu-cong-dan",
		Method:         "GET",
		Path:           "/svc/csdlqg-dc/tra-cuu-cong-dan/v1/citizens/001203004567",
		Query:          "fields=ho_ten,ngay_sinh",
		RequestDigest:  sha256.Sum256(nil),
		Status:         200,
		ResponseDigest: sha256.Sum256([]byte(`{"ho_ten":"Nguyễn Văn A"}`)),
		ResponseBytes:  512,
		LatencyMicros:  3000,
		CorrelationID:  "01J9Z3Q4XK5N2M7P8R9S0T1V2W",
	}
}
