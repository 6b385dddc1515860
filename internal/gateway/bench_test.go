package gateway_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/sharelog"
)

// cannedTransport answers every upstream call with the benchmark body, so
// the benchmarks measure the gateway's own work per call (no network).
type cannedTransport struct{}

func (cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(gateway.BenchBody)),
		ContentLength: int64(len(gateway.BenchBody)), Request: r}, nil
}

type nopLog struct{}

func (nopLog) Append(ctx context.Context, e sharelog.Entry) (int64, error) { return 1, nil }

func benchGateway(b *testing.B) http.Handler {
	b.Helper()
	items := []string{"ma_so_thue", "ten_doanh_nghiep", "ten_tieng_anh", "dia_chi_tru_so", "nguoi_dai_dien", "von_dieu_le",
		"trang_thai", "ngay_thanh_lap", "nganh_nghe_chinh", "nganh_nghe_khac", "co_quan_dang_ky", "dien_thoai", "email"}
	cfg := &gateway.Config{}
	for i := 0; i < 1000; i++ {
		cfg.Services = append(cfg.Services, gateway.Service{ID: int64(i + 1), Identifier: "svc-" + strconv.Itoa(i),
			UpstreamURL: "http://upstream.invalid/data", Status: gateway.ServicePublished, Items: items})
	}
	for i := 0; i < 10000; i++ {
		a := gateway.Account{ID: int64(i + 1), KeyHash: hashKey("gdxk_bench_" + strconv.Itoa(i)), ConsumerOrgID: int64(i % 500),
			ServiceID: int64(i%1000 + 1), Items: items, Status: gateway.AccountActive, RatePerMinute: 1 << 30}
		if i == 1 {
			a.Items = items[:4]
		}
		cfg.Accounts = append(cfg.Accounts, a)
	}
	g, err := gateway.New(gateway.Options{Transport: cannedTransport{}}, gateway.NewStaticSource(cfg), nopLog{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := g.Reload(context.Background()); err != nil {
		b.Fatal(err)
	}
	return g.Handler()
}

func benchCall(b *testing.B, path, key string) {
	h := benchGateway(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest("GET", path, nil)
			r.Header.Set("X-Api-Key", key)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}

// BenchmarkCall is the gateway's own work for one served call: parse,
// authenticate (SHA-256 of the key), checks, limiter, outbound request,
// buffering, digest, log entry, metrics.
func BenchmarkCall(b *testing.B) { benchCall(b, "/s/svc-0/enterprise/0101234567", "gdxk_bench_0") }

// BenchmarkCallProjected adds projection to 4 of 13 items.
func BenchmarkCallProjected(b *testing.B) {
	benchCall(b, "/s/svc-1/enterprise/0101234567", "gdxk_bench_1")
}

func BenchmarkProject(b *testing.B) {
	allow := gateway.NewItemSet("ma_so_thue", "ten_doanh_nghiep", "trang_thai", "dia_chi_tru_so")
	var dst []byte
	b.SetBytes(int64(len(gateway.BenchBody)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = gateway.Project(dst[:0], gateway.BenchBody, allow); err != nil {
			b.Fatal(err)
		}
	}
}
