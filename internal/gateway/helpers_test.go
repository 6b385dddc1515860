package gateway_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharelog"
)

// recorder is the sharing-log boundary in tests: it appends to a real
// sharelog.Writer (when given) and keeps a copy of every durable entry.
type recorder struct {
	next gateway.Appender
	mu   sync.Mutex
	all  []sharelog.Entry
	fail error
}

func (r *recorder) Append(ctx context.Context, e sharelog.Entry) (int64, error) {
	r.mu.Lock()
	fail := r.fail
	r.mu.Unlock()
	if fail != nil {
		return 0, fail
	}
	var seq int64
	if r.next != nil {
		var err error
		if seq, err = r.next.Append(ctx, e); err != nil {
			return 0, err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, e)
	return seq, nil
}

func (r *recorder) entries() []sharelog.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sharelog.Entry(nil), r.all...)
}

// byCorrelation returns the entries logged with a correlation ID.
func (r *recorder) byCorrelation(id string) []sharelog.Entry {
	var out []sharelog.Entry
	for _, e := range r.entries() {
		if e.CorrelationID == id {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) setFail(err error) {
	r.mu.Lock()
	r.fail = err
	r.mu.Unlock()
}

// mustWriter opens a migrated SQLite database and a real sharing-log writer.
func mustWriter(tb testing.TB, node string) (*sharelog.Writer, *platform.DB) {
	tb.Helper()
	db := platformtest.OpenSQLite(tb, []platform.Migrations{sharelog.Migrations()})
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	w, err := sharelog.NewWriter(context.Background(), db, node, sharelog.NewEd25519Signer(priv), sharelog.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.Close() })
	return w, db
}

// testGateway is a gateway running on a loopback port with Run.
type testGateway struct {
	*gateway.Gateway
	URL  string
	Addr string
	src  *gateway.StaticSource
	log  *recorder
	stop context.CancelFunc
	done chan error
}

// startGateway starts a gateway on 127.0.0.1:0 serving cfg; the sharing log
// is a real SQLite writer behind a recorder.
func startGateway(tb testing.TB, cfg *gateway.Config, opts gateway.Options) *testGateway {
	tb.Helper()
	if opts.Node == "" {
		opts.Node = "test-node"
	}
	w, _ := mustWriter(tb, opts.Node)
	rec := &recorder{next: w}
	src := gateway.NewStaticSource(cfg)
	g, err := gateway.New(opts, src, rec, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := g.Reload(context.Background()); err != nil {
		tb.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tg := &testGateway{Gateway: g, URL: "http://" + l.Addr().String(), Addr: l.Addr().String(), src: src, log: rec, stop: cancel, done: make(chan error, 1)}
	go func() { tg.done <- g.Run(ctx, l) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-tg.done; err != nil {
			tb.Errorf("gateway Run: %v", err)
		}
	})
	return tg
}

// result is one answered call.
type result struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (r result) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

var testClient = &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}

func do(tb testing.TB, method, url string, header map[string]string, body io.Reader) result {
	tb.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return decodeResult(resp, b)
}

func decodeResult(resp *http.Response, b []byte) result {
	res := result{status: resp.StatusCode, header: resp.Header, body: b}
	if len(b) > 0 && b[0] == '{' {
		_ = json.Unmarshal(b, &res.json)
	}
	return res
}

// raw sends a request exactly as written (path tricks the Go client would
// not produce) and reads the answer.
func raw(tb testing.TB, addr, request string) result {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, request); err != nil {
		tb.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return decodeResult(resp, b)
}

// testUpstream is a provider: the demo services plus test routes.
func testUpstream() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", gateway.DemoUpstream())
	mux.HandleFunc("/test/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"v1"`)
		io.WriteString(w, `{"a":1,"b":{"x":[1,2]},"c":"secret"}`)
	})
	mux.HandleFunc("/test/list", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"a":1,"c":"s1"},{"a":2,"b":true,"c":"s2"}]`)
	})
	mux.HandleFunc("/test/text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "a=1 c=secret")
	})
	echo := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Connection", "X-Drop-Me")
		w.Header().Set("X-Drop-Me", "hop")
		json.NewEncoder(w).Encode(map[string]any{"a": r.Method, "b": r.RequestURI, "c": r.Header, "body": string(body)})
	}
	mux.HandleFunc("/test/echo", echo)
	mux.HandleFunc("/test/echo/", echo)
	mux.HandleFunc("/test/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"a":"late"}`)
	})
	mux.HandleFunc("/test/pause", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(150 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"a":"paused"}`)
	})
	mux.HandleFunc("/test/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"a":"`+strings.Repeat("x", 2<<20)+`"}`)
	})
	mux.HandleFunc("/test/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"error":"provider maintenance","c":"kept in errors"}`)
	})
	return mux
}

// closedURL is an http URL on which nothing listens.
func closedURL(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func hashKey(k string) string { return platform.HashSecret(k) }

// waitFor polls cond for up to 5 s.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var errBoom = errors.New("disk on fire")

func sha256Of(b []byte) [32]byte { return sha256.Sum256(b) }

func newRegistry() *prometheus.Registry { return prometheus.NewRegistry() }

// scrape returns the registry's metrics in the text format.
func scrape(tb testing.TB, reg *prometheus.Registry) string {
	tb.Helper()
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	return string(do(tb, "GET", srv.URL, nil, nil).body)
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }
