package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/sharelog"
)

var enterpriseItems = []string{"ma_so_thue", "ten_doanh_nghiep", "dia_chi_tru_so", "nguoi_dai_dien", "von_dieu_le", "trang_thai", "ngay_thanh_lap", "nganh_nghe_chinh"}

var restoreAt = time.Date(2031, 5, 1, 8, 0, 0, 0, time.UTC)

// testConfig is a province with services in every state the gateway
// distinguishes and an account for every refusal.
func testConfig(upstream string, down string) *gateway.Config {
	past := time.Now().Add(-48 * time.Hour)
	return &gateway.Config{
		Services: []gateway.Service{
			{ID: 1, Identifier: "dkkd", Name: "Tra cứu doanh nghiệp", ProviderOrgID: 100, ProviderOrg: "Sở Tài chính",
				UpstreamURL: upstream + "/dkkd", Status: gateway.ServicePublished, Items: enterpriseItems},
			{ID: 2, Identifier: "test", UpstreamURL: upstream + "/test", Status: gateway.ServicePublished,
				Items: []string{"a", "b", "c"}, Timeout: 300 * time.Millisecond, LogContent: true},
			{ID: 3, Identifier: "ho-so", UpstreamURL: upstream + "/hs", Status: gateway.ServicePublished, Open: true},
			{ID: 4, Identifier: "bao-tri", UpstreamURL: upstream + "/dkkd", Status: gateway.ServicePublished},
			{ID: 5, Identifier: "nhap", UpstreamURL: upstream + "/dkkd", Status: "draft"},
			{ID: 6, Identifier: "csdlqg-dc/cong-dan", UpstreamURL: upstream + "/dc", Status: gateway.ServicePublished,
				ValidityMethod: gateway.ValiditySync, ValidFor: 24 * time.Hour},
			{ID: 7, Identifier: "down", UpstreamURL: down, Status: gateway.ServicePublished},
		},
		Accounts: []gateway.Account{
			{ID: 1, KeyHash: hashKey("gdxk_full"), ConsumerOrgID: 10, ConsumerOrg: "UBND phường Hải Châu", ApplicationID: 5, Application: "Một cửa",
				ServiceID: 1, Items: enterpriseItems, Status: gateway.AccountActive},
			{ID: 2, KeyHash: hashKey("gdxk_limited"), ConsumerOrgID: 11, ServiceID: 1,
				Items: []string{"ma_so_thue", "ten_doanh_nghiep", "trang_thai"}, Status: gateway.AccountActive},
			{ID: 3, KeyHash: hashKey("gdxk_expired"), ConsumerOrgID: 12, ServiceID: 1, Items: enterpriseItems,
				ValidFrom: past.Add(-time.Hour), ValidTo: past, Status: gateway.AccountActive},
			{ID: 4, KeyHash: hashKey("gdxk_terminated"), ConsumerOrgID: 13, ServiceID: 1, Items: enterpriseItems,
				Status: gateway.AccountTerminated, Reason: "D47-44.1d: the consumer no longer needs the data"},
			{ID: 5, KeyHash: hashKey("gdxk_revoked"), ConsumerOrgID: 14, ServiceID: 1, Status: gateway.AccountRevoked},
			{ID: 6, KeyHash: hashKey("gdxk_rate"), ConsumerOrgID: 15, ServiceID: 1, Items: enterpriseItems, RatePerMinute: 2, Status: gateway.AccountActive},
			{ID: 7, KeyHash: hashKey("gdxk_suspended"), ConsumerOrgID: 30, ServiceID: 1, Items: enterpriseItems, Status: gateway.AccountActive},
			{ID: 8, KeyHash: hashKey("gdxk_test"), ConsumerOrgID: 10, ServiceID: 2, Items: []string{"a", "b"}, Status: gateway.AccountActive},
			{ID: 9, KeyHash: hashKey("gdxk_maint"), ConsumerOrgID: 10, ServiceID: 4, Status: gateway.AccountActive},
			// The same key as account 1, for another service.
			{ID: 10, KeyHash: hashKey("gdxk_full"), ConsumerOrgID: 10, ServiceID: 6, Status: gateway.AccountActive},
			{ID: 11, KeyHash: hashKey("gdxk_notyet"), ConsumerOrgID: 16, ServiceID: 1, ValidFrom: time.Now().Add(240 * time.Hour), Status: gateway.AccountActive},
			{ID: 12, KeyHash: hashKey("gdxk_test_full"), ConsumerOrgID: 10, ServiceID: 2, Items: []string{"a", "b", "c"}, Status: gateway.AccountActive},
			{ID: 13, KeyHash: hashKey("gdxk_down"), ConsumerOrgID: 10, ServiceID: 7, Status: gateway.AccountActive},
		},
		Suspensions: []gateway.Suspension{
			{ID: 1, ServiceID: 1, ConsumerOrgID: 30, Start: past, RestoreAt: restoreAt, Reason: "vi phạm quy chế khai thác", Kind: gateway.SuspendViolation},
			{ID: 2, ServiceID: 4, Start: past, Reason: "nâng cấp hệ thống", Kind: gateway.SuspendMaintenance},
			// Announced, not yet in force (D47-43.1a: 7 working days ahead).
			{ID: 3, ServiceID: 1, Start: time.Now().Add(200 * time.Hour), RestoreAt: restoreAt, Reason: "bảo trì", Kind: gateway.SuspendMaintenance},
		},
	}
}

func startProvince(t *testing.T) (*testGateway, *httptest.Server) {
	t.Helper()
	up := httptest.NewServer(testUpstream())
	t.Cleanup(up.Close)
	tg := startGateway(t, testConfig(up.URL, closedURL(t)), gateway.Options{
		MaxRequestBody: 1 << 20, MaxResponseBody: 1 << 20, MaxHeaderBytes: 4 << 10, ReadHeaderTimeout: 300 * time.Millisecond,
	})
	return tg, up
}

func TestCalls(t *testing.T) {
	tg, _ := startProvince(t)
	key := func(k string) map[string]string { return map[string]string{"X-Api-Key": k} }
	tests := []struct {
		name     string
		method   string
		path     string
		header   map[string]string
		body     string
		status   int
		code     string // refusal code; "" for served calls
		check    func(t *testing.T, r result)
		account  int64
		noLogged bool
	}{
		{name: "served whole", path: "/s/dkkd/doanh-nghiep/0101234567", header: key("gdxk_full"), status: 200, account: 1,
			check: func(t *testing.T, r result) {
				if len(r.json) != len(enterpriseItems) || r.json["ma_so_thue"] != "0101234567" {
					t.Errorf("want every item, got %v", r.json)
				}
			}},
		{name: "authorization scheme", path: "/s/dkkd/doanh-nghiep/0101234567", header: map[string]string{"Authorization": "ApiKey gdxk_full"}, status: 200, account: 1},
		{name: "projected to approved items", path: "/s/dkkd/doanh-nghiep/0101234567", header: key("gdxk_limited"), status: 200, account: 2,
			check: func(t *testing.T, r result) {
				if got := sortedKeys(r.json); !slices.Equal(got, []string{"ma_so_thue", "ten_doanh_nghiep", "trang_thai"}) {
					t.Errorf("items = %v", got)
				}
			}},
		{name: "fields narrows", path: "/s/dkkd/doanh-nghiep/0101234567?fields=ma_so_thue,von_dieu_le", header: key("gdxk_full"), status: 200,
			check: func(t *testing.T, r result) {
				if got := sortedKeys(r.json); !slices.Equal(got, []string{"ma_so_thue", "von_dieu_le"}) {
					t.Errorf("items = %v", got)
				}
			}},
		{name: "fields not approved", path: "/s/dkkd/doanh-nghiep/0101234567?fields=ma_so_thue,von_dieu_le", header: key("gdxk_limited"), status: 403, code: "item_not_approved",
			check: func(t *testing.T, r result) {
				if items, _ := r.json["items"].([]any); len(items) != 1 || items[0] != "von_dieu_le" {
					t.Errorf("refused items = %v", r.json["items"])
				}
			}},
		{name: "projected list and validators dropped", path: "/s/test/list", header: key("gdxk_test"), status: 200,
			check: func(t *testing.T, r result) {
				if string(r.body) != `[{"a":1},{"a":2,"b":true}]` {
					t.Errorf("body = %s", r.body)
				}
			}},
		{name: "projection drops etag", path: "/s/test/json", header: key("gdxk_test"), status: 200,
			check: func(t *testing.T, r result) {
				if string(r.body) != `{"a":1,"b":{"x":[1,2]}}` || r.header.Get("Etag") != "" {
					t.Errorf("body = %s, etag %q", r.body, r.header.Get("Etag"))
				}
			}},
		{name: "unprojectable withheld", path: "/s/test/text", header: key("gdxk_test"), status: 502, code: "upstream_error"},
		{name: "provider error passes", path: "/s/test/status/503", header: key("gdxk_test"), status: 503,
			check: func(t *testing.T, r result) {
				if r.json["error"] != "provider maintenance" || r.header.Get("X-Data-Valid-Until") != "" {
					t.Errorf("body %s, validity %q", r.body, r.header.Get("X-Data-Valid-Until"))
				}
			}},
		{name: "two-segment identifier, sync validity", path: "/s/csdlqg-dc/cong-dan/cong-dan/001203004567", header: key("gdxk_full"), status: 200, account: 10,
			check: func(t *testing.T, r result) {
				until, err := time.Parse(time.RFC3339, r.header.Get("X-Data-Valid-Until"))
				if err != nil || until.Before(time.Now().Add(23*time.Hour)) || r.header.Get("X-Data-Validity") != "sync" {
					t.Errorf("validity %q %q", r.header.Get("X-Data-Valid-Until"), r.header.Get("X-Data-Validity"))
				}
			}},
		{name: "open service without credential", path: "/s/ho-so/ho-so/HS-2026-001", status: 200, account: 0},
		{name: "missing credential", path: "/s/dkkd/doanh-nghiep/0101234567", status: 401, code: "invalid_credential",
			check: func(t *testing.T, r result) {
				if r.header.Get("Www-Authenticate") == "" {
					t.Error("no WWW-Authenticate")
				}
			}},
		{name: "unknown key", path: "/s/dkkd/doanh-nghiep/0101234567", header: key("gdxk_nope"), status: 401, code: "invalid_credential"},
		{name: "malformed key", path: "/s/dkkd/doanh-nghiep/0101234567", header: map[string]string{"Authorization": "Bearer xyz"}, status: 401, code: "invalid_credential"},
		{name: "conflicting keys", path: "/s/dkkd/doanh-nghiep/0101234567", header: map[string]string{"Authorization": "ApiKey gdxk_full", "X-Api-Key": "gdxk_limited"}, status: 401, code: "invalid_credential"},
		{name: "revoked", path: "/s/dkkd/doanh-nghiep/0101234567", header: key("gdxk_revoked"), status: 401, code: "invalid_credential", account: 5},
		{name: "no account for service", path: "/s/test/json", header: key("gdxk_limited"), status: 403, code: "no_account"},
		{name: "expired", path: "/s/dkkd/doanh-nghiep/0101234567", header: key("gdxk_expired"), status: 403, code: "account_expired", account: 3},
		{name: "not yet valid", path: "/s/dkkd/doanh-nghiep/0101234567", header: key("gdxk_notyet"), status: 403, code: "account_not_yet_valid"},
		{name: "terminated", path: "/s/dkkd/doanh-nghiep/0101234567", header: key("gdxk_terminated"), status: 403, code: "terminated",
			check: func(t *testing.T, r result) {
				if !strings.Contains(r.json["reason"].(string), "D47-44") {
					t.Errorf("reason = %v", r.json["reason"])
				}
			}},
		{name: "suspended for consumer", path: "/s/dkkd/doanh-nghiep/0101234567", header: key("gdxk_suspended"), status: 403, code: "suspended", account: 7,
			check: func(t *testing.T, r result) {
				if r.json["restore_at"] != restoreAt.Format(time.RFC3339) || r.json["suspension_kind"] != "violation" || r.header.Get("Retry-After") == "" {
					t.Errorf("problem %s, Retry-After %q", r.body, r.header.Get("Retry-After"))
				}
			}},
		{name: "suspended for everyone, restoration unknown", path: "/s/bao-tri/doanh-nghiep/0101234567", header: key("gdxk_maint"), status: 403, code: "suspended",
			check: func(t *testing.T, r result) {
				if v, ok := r.json["restore_at"]; !ok || v != nil {
					t.Errorf("restore_at = %v (present %v)", v, ok)
				}
			}},
		{name: "unknown service", path: "/s/khong-co/x", header: key("gdxk_full"), status: 404, code: "unknown_service"},
		{name: "draft service", path: "/s/nhap/doanh-nghiep/0101234567", header: key("gdxk_full"), status: 404, code: "unknown_service"},
		{name: "not a call", path: "/admin", status: 404, code: "unknown_service"},
		{name: "method", method: "TRACE", path: "/s/dkkd/x", header: key("gdxk_full"), status: 405, code: "method_not_allowed"},
		{name: "upstream down", path: "/s/down/x", header: key("gdxk_down"), status: 502, code: "upstream_error"},
		{name: "upstream slow", path: "/s/test/slow", header: key("gdxk_test"), status: 504, code: "upstream_timeout"},
		{name: "response too large", path: "/s/test/big", header: key("gdxk_test_full"), status: 502, code: "response_too_large"},
		{name: "body too large", method: "POST", path: "/s/test/echo", header: key("gdxk_test_full"), body: strings.Repeat("x", 2<<20), status: 413, code: "body_too_large"},
		{name: "hop-by-hop smuggling", path: "/s/test/echo", header: map[string]string{"X-Api-Key": "gdxk_test_full", "Connection": "close, X-Api-Key"}, status: 400, code: "bad_request"},
		{name: "upgrade", path: "/s/test/echo", header: map[string]string{"X-Api-Key": "gdxk_test_full", "Connection": "Upgrade", "Upgrade": "h2c"}, status: 400, code: "bad_request"},
		{name: "kept correlation id", path: "/s/dkkd/doanh-nghiep/0101234567", header: map[string]string{"X-Api-Key": "gdxk_full", "X-Correlation-ID": "consumer-trace-0001"}, status: 200,
			check: func(t *testing.T, r result) {
				if r.header.Get("X-Correlation-Id") != "consumer-trace-0001" {
					t.Errorf("correlation id %q", r.header.Get("X-Correlation-Id"))
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "GET"
			}
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			r := do(t, method, tg.URL+tc.path, tc.header, body)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.code != "" {
				if ct := r.header.Get("Content-Type"); ct != "application/problem+json" || r.json["code"] != tc.code {
					t.Fatalf("want problem %q, got %s %s", tc.code, ct, r.body)
				}
			}
			corr := r.header.Get("X-Correlation-Id")
			if corr == "" {
				t.Fatal("no X-Correlation-ID")
			}
			if tc.status == 200 && r.header.Get("X-Data-Valid-Until") == "" {
				t.Error("served without X-Data-Valid-Until (D47-41)")
			}
			// D47-45: every call, served or refused, has its entry.
			got := tg.log.byCorrelation(corr)
			if len(got) != 1 {
				t.Fatalf("%d log entries for %s", len(got), corr)
			}
			e := got[0]
			if e.Status != tc.status || e.RefusalCode != tc.code || e.Method != method {
				t.Errorf("logged %d %q %s, want %d %q", e.Status, e.RefusalCode, e.Method, tc.status, tc.code)
			}
			if tc.body == "" && e.RequestDigest != sha256Of(nil) {
				t.Errorf("logged request digest %x for a call without a body, want the empty body's", e.RequestDigest)
			}
			if tc.account != 0 && e.AccountID != tc.account {
				t.Errorf("logged account %d, want %d", e.AccountID, tc.account)
			}
			if e.ResponseDigest != sha256Of(r.body) || e.ResponseBytes != int64(len(r.body)) {
				t.Error("logged digest is not the digest of the body released (D47-8.4)")
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestRateLimited(t *testing.T) {
	tg, _ := startProvince(t)
	var last result
	for i := 0; i < 3; i++ {
		last = do(t, "GET", tg.URL+"/s/dkkd/doanh-nghiep/0101234567", map[string]string{"X-Api-Key": "gdxk_rate"}, nil)
	}
	if last.status != 429 || last.json["code"] != "rate_limited" || last.header.Get("Retry-After") == "" {
		t.Fatalf("third call in a minute with limit 2: %v (Retry-After %q)", last, last.header.Get("Retry-After"))
	}
	// The limiter survives a reload.
	if err := tg.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := do(t, "GET", tg.URL+"/s/dkkd/doanh-nghiep/0101234567", map[string]string{"X-Api-Key": "gdxk_rate"}, nil); r.status != 429 {
		t.Fatalf("after reload: %v", r)
	}
}

func TestForwardedRequest(t *testing.T) {
	tg, _ := startProvince(t)
	r := do(t, "POST", tg.URL+"/s/test/echo/x%20y?q=1", map[string]string{
		"X-Api-Key": "gdxk_test_full", "X-Govdx-Consumer-Org": "999", "X-Forwarded-For": "6.6.6.6", "Cookie": "session=1",
		"Content-Type": "text/plain",
	}, strings.NewReader("hello"))
	if r.status != 200 {
		t.Fatal(r)
	}
	h := r.json["c"].(map[string]any)
	first := func(k string) string {
		v, _ := h[k].([]any)
		if len(v) == 0 {
			return ""
		}
		return v[0].(string)
	}
	if r.json["b"] != "/test/echo/x%20y?q=1" || r.json["body"] != "hello" {
		t.Errorf("upstream saw %v %v", r.json["b"], r.json["body"])
	}
	if first("X-Api-Key") != "" || first("Cookie") != "" {
		t.Error("credentials or cookies reached the provider")
	}
	if first("X-Govdx-Consumer-Org") != "10" || first("X-Govdx-Account") != "12" || first("X-Forwarded-For") != "127.0.0.1" {
		t.Errorf("gateway headers: org %q account %q xff %q", first("X-Govdx-Consumer-Org"), first("X-Govdx-Account"), first("X-Forwarded-For"))
	}
	if first("X-Correlation-Id") != r.header.Get("X-Correlation-Id") {
		t.Error("correlation id not passed to the provider")
	}
	if r.header.Get("X-Drop-Me") != "" {
		t.Error("a header listed in the provider's Connection header was released")
	}
	e := tg.log.byCorrelation(r.header.Get("X-Correlation-Id"))[0]
	if !e.KeepContent || string(e.RequestBody) != "hello" || e.RequestDigest != sha256Of([]byte("hello")) || e.Query != "q=1" {
		t.Errorf("logged request: keep %v body %q query %q", e.KeepContent, e.RequestBody, e.Query)
	}
}

func TestPathTricks(t *testing.T) {
	tg, _ := startProvince(t)
	tests := []struct {
		target string
		status int
		logged bool // false: refused by the HTTP server before the gateway (not a call)
	}{
		{"/s/test/../dkkd/doanh-nghiep/0101234567", 400, true},
		{"/s/test/%2e%2e/echo", 400, true},
		{"/s/test/.%2E/echo", 400, true},
		{"/s/test/a%2Fb", 400, true},
		{"/s/test/a%5cb", 400, true},
		{"/s/test/a%00b", 400, true},
		{"/s/test//echo", 400, true},
		{"/s/test/./echo", 400, true},
		{"/s/test/a\\b", 400, true},
		{"http://evil.example/s/test/echo", 400, true},
		{"//evil.example/s/test/echo", 404, true},
		{"/s/test/a%zz", 400, false},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			before := len(tg.log.entries())
			r := raw(t, tg.Addr, "GET "+tc.target+" HTTP/1.1\r\nHost: gw\r\nX-Api-Key: gdxk_test_full\r\nConnection: close\r\n\r\n")
			if r.status != tc.status {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			entries := tg.log.entries()
			if !tc.logged {
				if len(entries) != before {
					t.Fatal("a request refused by the HTTP server reached the gateway")
				}
				return
			}
			if len(entries) != before+1 || entries[len(entries)-1].RefusalCode != r.json["code"] {
				t.Fatalf("refusal %v not logged", r.json["code"])
			}
		})
	}
}

func TestOversizedHeaderAndSlowClient(t *testing.T) {
	tg, _ := startProvince(t)
	// Above the limit: refused and logged by the gateway.
	r := raw(t, tg.Addr, "GET /s/test/echo HTTP/1.1\r\nHost: gw\r\nX-Api-Key: gdxk_test_full\r\nX-Big: "+strings.Repeat("a", 6<<10)+"\r\n\r\n")
	if r.status != http.StatusRequestHeaderFieldsTooLarge || r.json["code"] != "header_too_large" {
		t.Fatalf("oversized header: %v", r)
	}
	if e := tg.log.byCorrelation(r.header.Get("X-Correlation-Id")); len(e) != 1 || e[0].RefusalCode != "header_too_large" {
		t.Fatalf("oversized header not logged: %v", e)
	}
	// Far above it, the HTTP server answers before the gateway sees the request.
	r = raw(t, tg.Addr, "GET /s/test/echo HTTP/1.1\r\nHost: gw\r\nX-Big: "+strings.Repeat("a", 32<<10)+"\r\n\r\n")
	if r.status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("very large header: %d", r.status)
	}
	// A client that never finishes its header is cut off.
	c, err := net.Dial("tcp", tg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /s/test/echo HTTP/1.1\r\nHost: gw\r\n")
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 512)
	for {
		if _, err := c.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("slow-header client was not cut off")
			}
			break // closed by the gateway
		}
	}
}

func TestChunkedBodyTooLarge(t *testing.T) {
	tg, _ := startProvince(t)
	// No Content-Length: the limit applies while reading.
	body := io.MultiReader(strings.NewReader(strings.Repeat("y", 2<<20)))
	req, _ := http.NewRequest("POST", tg.URL+"/s/test/echo", struct{ io.Reader }{body})
	req.Header.Set("X-Api-Key", "gdxk_test_full")
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestReloadRevokes(t *testing.T) {
	up := httptest.NewServer(testUpstream())
	defer up.Close()
	cfg := testConfig(up.URL, closedURL(t))
	tg := startGateway(t, cfg, gateway.Options{})
	path := tg.URL + "/s/dkkd/doanh-nghiep/0101234567"
	if r := do(t, "GET", path, map[string]string{"X-Api-Key": "gdxk_full"}, nil); r.status != 200 {
		t.Fatal(r)
	}
	gen := tg.Generation()
	next := *cfg
	next.Accounts = slices.Clone(cfg.Accounts)
	next.Accounts[0].Status = gateway.AccountRevoked
	next.Suspensions = append(slices.Clone(cfg.Suspensions), gateway.Suspension{ID: 9, ServiceID: 1, ConsumerOrgID: 11, Start: time.Now().Add(-time.Second), Kind: gateway.SuspendSecurity})
	tg.src.Set(&next)
	if err := tg.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if tg.Generation() != gen+1 {
		t.Fatalf("generation %d after %d", tg.Generation(), gen)
	}
	if r := do(t, "GET", path, map[string]string{"X-Api-Key": "gdxk_full"}, nil); r.status != 401 {
		t.Fatalf("revoked account after reload: %v", r)
	}
	if r := do(t, "GET", path, map[string]string{"X-Api-Key": "gdxk_limited"}, nil); r.json["code"] != "suspended" {
		t.Fatalf("suspended consumer after reload: %v", r)
	}
}

func TestLogUnavailableWithholdsResponse(t *testing.T) {
	tg, _ := startProvince(t)
	tg.log.setFail(errBoom)
	r := do(t, "GET", tg.URL+"/s/dkkd/doanh-nghiep/0101234567", map[string]string{"X-Api-Key": "gdxk_full"}, nil)
	if r.status != 503 || r.json["code"] != "log_unavailable" || bytes.Contains(r.body, []byte("0101234567")) {
		t.Fatalf("got %v", r)
	}
}

func TestNotReadyAndHealth(t *testing.T) {
	rec := &recorder{}
	g, err := gateway.New(gateway.Options{}, gateway.NewStaticSource(nil), rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g.Handler())
	defer srv.Close()
	if r := do(t, "GET", srv.URL+"/readyz", nil, nil); r.status != 503 {
		t.Fatalf("readyz before load: %d", r.status)
	}
	if r := do(t, "GET", srv.URL+"/s/x/y", nil, nil); r.status != 503 || r.json["code"] != "not_ready" || len(rec.entries()) != 1 {
		t.Fatalf("call before load: %v", r)
	}
	if err := g.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := do(t, "GET", srv.URL+p, nil, nil); r.status != 200 {
			t.Fatalf("%s: %d", p, r.status)
		}
	}
}

func TestGracefulDrain(t *testing.T) {
	arrived := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		time.Sleep(150 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"a":"drained"}`)
	}))
	defer up.Close()
	w, _ := mustWriter(t, "drain")
	rec := &recorder{next: w}
	g, err := gateway.New(gateway.Options{}, gateway.NewStaticSource(testConfig(up.URL, closedURL(t))), rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx, l) }()
	type answer struct {
		resp *http.Response
		body []byte
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest("GET", "http://"+l.Addr().String()+"/s/test/x", nil)
		req.Header.Set("X-Api-Key", "gdxk_test_full")
		resp, err := testClient.Do(req)
		if err != nil {
			got <- answer{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- answer{resp, b, err}
	}()
	<-arrived // the call is in flight at the provider
	cancel()
	a := <-got
	if a.err != nil || a.resp.StatusCode != 200 || string(a.body) != `{"a":"drained"}` {
		t.Fatalf("in-flight call during shutdown: %v %s", a.err, a.body)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(rec.byCorrelation(a.resp.Header.Get("X-Correlation-Id"))) != 1 {
		t.Fatal("drained call not logged")
	}
}

func TestMetrics(t *testing.T) {
	up := httptest.NewServer(testUpstream())
	defer up.Close()
	reg := newRegistry()
	g, err := gateway.New(gateway.Options{}, gateway.NewStaticSource(testConfig(up.URL, closedURL(t))), &recorder{}, reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g.Handler())
	defer srv.Close()
	do(t, "GET", srv.URL+"/s/dkkd/doanh-nghiep/0101234567", map[string]string{"X-Api-Key": "gdxk_full"}, nil)
	do(t, "GET", srv.URL+"/s/dkkd/doanh-nghiep/0101234567", map[string]string{"X-Api-Key": "gdxk_terminated"}, nil)
	text := scrape(t, reg)
	for _, want := range []string{
		`govdx_gateway_calls_total{consumer="10",service="dkkd"} 1`,
		`govdx_gateway_errors_total{code="terminated",consumer="13",service="dkkd"} 1`,
		`govdx_gateway_call_duration_seconds_count{service="dkkd"} 2`,
		`govdx_gateway_config_generation 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestConfigFileRoundTrip(t *testing.T) {
	cfg := testConfig("http://127.0.0.1:1", "http://127.0.0.1:2")
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"timeout":"300ms"`)) || !bytes.Contains(b, []byte(`"valid_for":"24h0m0s"`)) {
		t.Fatalf("durations not written as strings: %s", b)
	}
	path := t.TempDir() + "/gw.json"
	if err := writeFile(path, b); err != nil {
		t.Fatal(err)
	}
	got, err := gateway.FileSource{Path: path}.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Services[1].Timeout != 300*time.Millisecond || got.Services[5].ValidFor != 24*time.Hour || len(got.Accounts) != len(cfg.Accounts) {
		t.Fatalf("round trip lost values: %+v", got.Services[1])
	}
}

func sortedKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var _ = sharelog.FormOnline
