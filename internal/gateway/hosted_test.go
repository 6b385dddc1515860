package gateway_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/sharelog"
)

// fakeHosted answers hosted calls by path.
type fakeHosted struct {
	released atomic.Int32
	last     atomic.Pointer[gateway.HostedCall]
}

func (f *fakeHosted) ServeHosted(ctx context.Context, c *gateway.HostedCall) (*gateway.HostedResponse, error) {
	f.last.Store(c)
	rel := func(context.Context) { f.released.Add(1) }
	switch c.Rest {
	case "/json":
		h := http.Header{"Content-Type": {"application/json"}, gateway.HeaderValidUntil: {"2030-01-02T03:04:05Z"}}
		return &gateway.HostedResponse{Header: h, Body: []byte(`{"ok":true}`), Released: rel}, nil
	case "/stream":
		body := strings.Repeat("x", 100000)
		return &gateway.HostedResponse{Header: http.Header{"Content-Type": {"text/csv"}}, Content: io.NopCloser(strings.NewReader(body)),
			Size: int64(len(body)), Digest: sha256.Sum256([]byte(body)), Released: rel}, nil
	case "/gone":
		return nil, &gateway.Refusal{Code: gateway.CodePackageExpired, Detail: "expired", Extra: map[string]any{"valid_until": "2020-01-01T00:00:00Z"}}
	case "/boom":
		return nil, errors.New("disk on fire")
	}
	return nil, &gateway.Refusal{Code: gateway.CodeNotFound, Detail: "nothing here"}
}

func hostedConfig() *gateway.Config {
	return &gateway.Config{
		Services: []gateway.Service{
			{ID: 1, Identifier: "feed", Status: gateway.ServicePublished, Hosted: true, ValidityMethod: gateway.ValiditySync,
				ValidFor: time.Hour, Items: []string{"a", "b"}},
			{ID: 2, Identifier: "pkg", Status: gateway.ServicePublished, Hosted: true, ValidityMethod: gateway.ValidityPackage},
		},
		Accounts: []gateway.Account{
			{ID: 1, KeyHash: hashKey("gdxk_h"), ConsumerOrgID: 5, ServiceID: 1, Items: []string{"a"}, Status: gateway.AccountActive},
			{ID: 2, KeyHash: hashKey("gdxk_h"), ConsumerOrgID: 5, ServiceID: 2, Status: gateway.AccountActive},
		},
	}
}

// TestHosted: calls to hosted services are authorised like any other, then
// answered by the Hosted handler, logged (streamed content by its digest)
// before release, with the handler's refusals as problem+json.
func TestHosted(t *testing.T) {
	fh := &fakeHosted{}
	tg := startGateway(t, hostedConfig(), gateway.Options{Hosted: fh})
	key := map[string]string{"X-Api-Key": "gdxk_h"}

	r := do(t, "GET", tg.URL+"/s/feed/json?x=1", key, nil)
	if r.status != 200 || string(r.body) != `{"ok":true}` || r.header.Get("X-Data-Valid-Until") != "2030-01-02T03:04:05Z" ||
		r.header.Get("X-Data-Validity") != "sync" {
		t.Fatalf("json: %v %v", r, r.header)
	}
	c := fh.last.Load()
	if c.AccountID != 1 || c.ConsumerOrgID != 5 || c.Query.Get("x") != "1" || len(c.Items) != 1 || c.Service.ValidFor != time.Hour {
		t.Fatalf("hosted call: %+v", c)
	}
	e := tg.log.byCorrelation(r.header.Get("X-Correlation-Id"))
	if len(e) != 1 || e[0].Form != sharelog.FormSync || e[0].ResponseDigest != sha256Of(r.body) || fh.released.Load() != 1 {
		t.Fatalf("entry %+v released %d", e, fh.released.Load())
	}

	r = do(t, "GET", tg.URL+"/s/pkg/stream", key, nil)
	if r.status != 200 || len(r.body) != 100000 || r.header.Get("X-Data-Validity") != "package" {
		t.Fatalf("stream: %d %d", r.status, len(r.body))
	}
	e = tg.log.byCorrelation(r.header.Get("X-Correlation-Id"))
	if len(e) != 1 || e[0].Form != sharelog.FormPackage || e[0].ResponseDigest != sha256Of(r.body) || e[0].ResponseBytes != 100000 {
		t.Fatalf("stream entry: %+v", e)
	}

	r = do(t, "GET", tg.URL+"/s/pkg/gone", key, nil)
	if r.status != 410 || r.json["code"] != gateway.CodePackageExpired || r.json["valid_until"] != "2020-01-01T00:00:00Z" {
		t.Fatalf("gone: %v", r)
	}
	if r := do(t, "GET", tg.URL+"/s/pkg/boom", key, nil); r.status != 502 || r.json["code"] != gateway.CodeUpstreamError || strings.Contains(string(r.body), "fire") {
		t.Fatalf("boom: %v", r)
	}
	if r := do(t, "GET", tg.URL+"/s/feed/json", nil, nil); r.status != 401 {
		t.Fatalf("no key: %v", r)
	}
	// Nothing leaves when the log cannot record it, and Released does not run.
	before := fh.released.Load()
	tg.log.setFail(errBoom)
	if r := do(t, "GET", tg.URL+"/s/feed/json", key, nil); r.status != 503 || fh.released.Load() != before {
		t.Fatalf("log down: %v released %d", r, fh.released.Load())
	}
	if r := do(t, "GET", tg.URL+"/s/pkg/stream", key, nil); r.status != 503 || len(r.body) > 1000 {
		t.Fatalf("log down, stream: %d %d bytes", r.status, len(r.body))
	}
}

// TestHostedWithoutHandler: a gateway without a Hosted handler does not
// serve hosted services (they are skipped, not forwarded anywhere).
func TestHostedWithoutHandler(t *testing.T) {
	tg := startGateway(t, hostedConfig(), gateway.Options{})
	if r := do(t, "GET", tg.URL+"/s/feed/json", map[string]string{"X-Api-Key": "gdxk_h"}, nil); r.status != 404 || r.json["code"] != gateway.CodeUnknownService {
		t.Fatalf("%v", r)
	}
}
