package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/app"
	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/sharelog"
)

// client is a logged-in API user (session cookie + CSRF header).
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func login(t *testing.T, base, user string) *client {
	t.Helper()
	return loginWith(t, base, user, app.DemoPassword)
}

// do calls the API and decodes the answer into out, failing on another status.
func (c *client) do(method, path string, body any, want int, out any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// runApp runs the real program with its gateway on random ports.
func runApp(t *testing.T) (*app.App, string, string) {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Demo: true, Migrate: true,
		Logger: slog.New(slog.DiscardHandler), Gateway: app.GatewayConfig{Addr: "127.0.0.1:0", Options: gateway.Options{Node: "test"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		a.Close()
	})
	for i := 0; a.GatewayAddr() == "" && i < 200; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if a.GatewayAddr() == "" {
		t.Fatal("gateway did not start")
	}
	return a, "http://" + a.Addr(), "http://" + a.GatewayAddr()
}

// TestPublishRequestApproveCall walks Decree 47's main path through the API
// and the gateway: a provider publishes a service, another agency requests
// it, the provider approves a subset of the items, the consumer calls the
// gateway and receives only those items, the call is in the sharing log
// and the log verifies; a revoked account stops at once.
func TestPublishRequestApproveCall(t *testing.T) {
	a, base, gw, upstream, provider, tmpl := startProvider(t)
	in := tmpl.Input()
	in.Identifier = "dn-stc.dkkd.e2e"
	in.Name = "Tra cứu doanh nghiệp (kiểm thử)"
	in.UpstreamURL = upstream.URL + "/dkkd/doanh-nghiep"
	var svc struct {
		ID    int64 `json:"id"`
		Items []struct {
			Key string `json:"key"`
		} `json:"items"`
	}
	provider.do("POST", "/api/v1/catalog/services", in, 201, &svc)
	provider.do("POST", fmt.Sprintf("/api/v1/catalog/services/%d/ready", svc.ID), nil, 200, nil)
	provider.do("POST", fmt.Sprintf("/api/v1/catalog/services/%d/publish", svc.ID), nil, 200, nil)
	if len(svc.Items) < 3 {
		t.Fatalf("the service returns too few items: %+v", svc.Items)
	}
	approved := []string{svc.Items[0].Key, svc.Items[1].Key}

	consumer := login(t, base, "hcc.consumer")
	var req struct {
		ID    int64  `json:"id"`
		DueOn string `json:"due_on"`
	}
	consumer.do("POST", "/api/v1/requests", map[string]any{"service_id": svc.ID, "items": approved,
		"application_code": "hcc.motcua", "application_name": "Hệ thống một cửa", "purpose": "Kiểm tra thông tin doanh nghiệp khi tiếp nhận hồ sơ",
		"expected_calls_per_day": 200}, 201, &req)
	if req.DueOn == "" {
		t.Fatalf("the request has no deadline: %+v", req)
	}
	var key struct {
		APIKey string `json:"api_key"`
	}
	provider.do("POST", fmt.Sprintf("/api/v1/requests/%d/approve", req.ID), map[string]any{}, 201, &key)
	if !strings.HasPrefix(key.APIKey, "gdxk_") {
		t.Fatalf("no key: %+v", key)
	}

	call := func() (*http.Response, map[string]any) {
		return gatewayGet(t, gw+"/s/dn-stc.dkkd.e2e/0401234567", key.APIKey)
	}
	res, body := call()
	if res.StatusCode != 200 {
		t.Fatalf("gateway call: %d %v", res.StatusCode, body)
	}
	if len(body) != len(approved) || body[approved[0]] == nil || body[approved[1]] == nil {
		t.Fatalf("the answer must hold exactly the approved items %v: %v", approved, body)
	}
	corr := res.Header.Get("X-Correlation-Id")
	if corr == "" || res.Header.Get("X-Data-Valid-Until") == "" {
		t.Fatalf("missing correlation or validity headers: %v", res.Header)
	}

	var logs struct {
		Items []struct {
			CorrelationID string `json:"correlation_id"`
			Status        int    `json:"status"`
		} `json:"items"`
	}
	consumer.do("GET", "/api/v1/logs", nil, 200, &logs)
	found := false
	for _, e := range logs.Items {
		found = found || (e.CorrelationID == corr && e.Status == 200)
	}
	if !found {
		t.Fatalf("the call %s is not in the consumer's sharing log: %+v", corr, logs.Items)
	}

	// A suspension for this consumer (a violation, D47-43.2) is enforced by
	// the gateway at once, with the announced restoration time; lifting it
	// restores the service.
	restore := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	var sus struct {
		ID int64 `json:"id"`
	}
	var created []struct {
		ID int64 `json:"id"`
	}
	provider.do("POST", "/api/v1/suspensions", map[string]any{"service_id": svc.ID, "kind": "violation",
		"consumer_org_ids": []int64{consumerOrg(t, a, "DN.TTHCC")}, "restore_at": restore,
		"reason": "Gọi vượt tần suất đã đăng ký", "handling": "Tạm ngừng kết nối 2 ngày",
		"restore_requirements": "Điều chỉnh tần suất gọi theo quy chế"}, 201, &created)
	if len(created) != 1 {
		t.Fatalf("suspension not created: %+v", created)
	}
	sus.ID = created[0].ID
	if res, body := call(); res.StatusCode != 403 || body["code"] != "suspended" || body["restore_at"] == nil {
		t.Fatalf("a suspended consumer was not refused with the restoration time: %d %v", res.StatusCode, body)
	}
	provider.do("POST", fmt.Sprintf("/api/v1/suspensions/%d/lift", sus.ID), map[string]any{}, 200, nil)
	if res, body := call(); res.StatusCode != 200 {
		t.Fatalf("after lifting the suspension: %d %v", res.StatusCode, body)
	}

	// Revocation stops the account at once.
	var accounts struct {
		Items []struct {
			ID        int64 `json:"id"`
			RequestID int64 `json:"request_id"`
		} `json:"items"`
	}
	consumer.do("GET", "/api/v1/accounts", nil, 200, &accounts)
	var accID int64
	for _, acc := range accounts.Items {
		if acc.RequestID == req.ID {
			accID = acc.ID
		}
	}
	if accID == 0 {
		t.Fatalf("the consumer does not see its account: %+v", accounts.Items)
	}
	provider.do("POST", fmt.Sprintf("/api/v1/accounts/%d/revoke", accID), map[string]string{"reason": "Kết thúc thử nghiệm"}, 200, nil)
	if res, body := call(); res.StatusCode < 400 {
		t.Fatalf("a revoked account still works: %d %v", res.StatusCode, body)
	}

	rep, err := sharelog.Verify(context.Background(), a.DB, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("log verify: %+v", rep)
	}
}

func consumerOrg(t *testing.T, a *app.App, code string) int64 {
	t.Helper()
	o, err := a.Directory.OrgByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

// TestNewAgencyThroughTheAPI is issue #4's acceptance walk: a new agency
// is set up through the API (organisation, user, role), its officer
// requests the demo service, the provider approves some of its items, the
// account calls the gateway and gets only those, is suspended and refused
// with the announced restoration time, and the agency's call history and
// the log's verification show every call.
func TestNewAgencyThroughTheAPI(t *testing.T) {
	a, base, gw, upstream, provider, svc := startProvider(t)
	ctx := context.Background()

	// The demo providers' systems answer on 127.0.0.1:8090 in `serve
	// --demo`; here the provider points the demo service at this test's.
	in := svc.Input()
	in.UpstreamURL = upstream.URL + "/dkkd/doanh-nghiep"
	provider.do("PUT", fmt.Sprintf("/api/v1/catalog/services/%d", svc.ID), in, 200, nil)

	// The city's IT unit sets up the Department of Construction and its officer.
	it := login(t, base, "danang.it")
	city := consumerOrg(t, a, "DN")
	var org struct {
		ID int64 `json:"id"`
	}
	it.do("POST", "/api/v1/orgs", map[string]any{"code": "DN.SXD", "name": "Sở Xây dựng Đà Nẵng", "kind": "department",
		"parent_id": city, "admin_unit_code": "48", "focal_point": map[string]string{"name": "Trần Văn Bình",
			"position": "Chánh Văn phòng", "phone": "0236 3822 111", "email": "binhtv@danang.gov.vn"}}, 201, &org)
	const password = "Xay-dung-2026-an-toan"
	var user struct {
		ID int64 `json:"id"`
	}
	it.do("POST", "/api/v1/users", map[string]any{"org_id": org.ID, "username": "xaydung.consumer", "full_name": "Trần Văn Bình",
		"email": "binhtv@danang.gov.vn", "password": password}, 201, &user)
	it.do("POST", fmt.Sprintf("/api/v1/users/%d/grants", user.ID), map[string]any{"role": "consumer_officer", "org_id": org.ID}, 201, nil)
	consumer := loginWith(t, base, "xaydung.consumer", password)

	approved := []string{svc.Items[0].Key, svc.Items[1].Key}
	var req struct {
		ID int64 `json:"id"`
	}
	consumer.do("POST", "/api/v1/requests", map[string]any{"service_id": svc.ID, "items": approved,
		"application_code": "sxd.cap-phep", "application_name": "Hệ thống cấp phép xây dựng",
		"purpose": "Xác minh chủ đầu tư khi tiếp nhận hồ sơ cấp phép xây dựng", "expected_calls_per_day": 100}, 201, &req)
	var key struct {
		APIKey string `json:"api_key"`
	}
	provider.do("POST", fmt.Sprintf("/api/v1/requests/%d/approve", req.ID), map[string]any{}, 201, &key)

	// curl -H 'X-Api-Key: …' http://GATEWAY/s/<demo service>/0401234567
	var corrs []string
	call := func() (int, map[string]any) {
		t.Helper()
		res, body := gatewayGet(t, gw+"/s/"+app.DemoServiceIdentifier+"/0401234567", key.APIKey)
		corrs = append(corrs, res.Header.Get("X-Correlation-Id"))
		return res.StatusCode, body
	}
	st, body := call()
	if st != 200 || len(body) != len(approved) || body[approved[0]] == nil || body[approved[1]] == nil {
		t.Fatalf("the new agency must get exactly the approved items %v: %d %v", approved, st, body)
	}

	restore := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	provider.do("POST", "/api/v1/suspensions", map[string]any{"service_id": svc.ID, "kind": "violation",
		"consumer_org_ids": []int64{org.ID}, "restore_at": restore.Format(time.RFC3339),
		"reason": "Khai thác sai mục đích đã đăng ký", "handling": "Tạm ngừng kết nối 3 ngày",
		"restore_requirements": "Báo cáo giải trình mục đích khai thác"}, 201, nil)
	st, body = call()
	if at, _ := body["restore_at"].(string); st != 403 || body["code"] != "suspended" || at != restore.Format(time.RFC3339) {
		t.Fatalf("suspended agency: %d %v, want 403 suspended until %s", st, body, restore.Format(time.RFC3339))
	}

	// The agency's history shows both calls; the log verifies.
	var logs struct {
		Items []struct {
			CorrelationID string `json:"correlation_id"`
			Status        int    `json:"status"`
			RefusalCode   string `json:"refusal_code"`
		} `json:"items"`
	}
	consumer.do("GET", "/api/v1/logs", nil, 200, &logs)
	seen := map[string]string{}
	for _, e := range logs.Items {
		seen[e.CorrelationID] = fmt.Sprint(e.Status, e.RefusalCode)
	}
	if len(logs.Items) != 2 || seen[corrs[0]] != "200" || seen[corrs[1]] != "403suspended" {
		t.Fatalf("the agency's history: %+v, want %v as 200 and 403 suspended", logs.Items, corrs)
	}
	// The same history filtered as people do on /logs: by organisation and
	// service code (resolved through the directory and the catalog).
	var filtered struct {
		Items []struct{} `json:"items"`
	}
	consumer.do("GET", "/api/v1/logs?org=DN.SXD&service="+svc.Identifier, nil, 200, &filtered)
	if len(filtered.Items) != 2 {
		t.Fatalf("history by organisation and service code: %d calls, want 2", len(filtered.Items))
	}
	rep, err := sharelog.Verify(ctx, a.DB, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("log verify: %+v %v", rep, err)
	}
}

// startProvider runs the program and a demo provider's system, and logs
// the demo service's provider officer in; svc is the demo service.
func startProvider(t *testing.T) (a *app.App, base, gw string, upstream *httptest.Server, provider *client, svc catalog.Service) {
	t.Helper()
	a, base, gw = runApp(t)
	upstream = httptest.NewServer(gateway.DemoUpstream())
	t.Cleanup(upstream.Close)
	provider = login(t, base, "taichinh.provider")
	svc, err := a.Catalog.ServiceByIdentifier(context.Background(), app.DemoServiceIdentifier)
	if err != nil {
		t.Fatal(err)
	}
	return a, base, gw, upstream, provider, svc
}

// gatewayGet calls the gateway with an API key and decodes the JSON answer.
func gatewayGet(t *testing.T, url, key string) (*http.Response, map[string]any) {
	t.Helper()
	r, _ := http.NewRequest("GET", url, nil)
	r.Header.Set("X-Api-Key", key)
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: %d, not JSON: %v", url, res.StatusCode, err)
	}
	return res, body
}

// loginWith logs user in with password.
func loginWith(t *testing.T, base, user, password string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	c.do("POST", "/api/v1/session", map[string]string{"username": user, "password": password}, 200, &me)
	c.csrf = me.CSRF
	return c
}
