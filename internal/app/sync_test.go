package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/app"
	"github.com/govdx/govdx/internal/gateway"
)

// runAppClock runs the demo program like runApp, with its database clock
// shifted by *offset (read atomically), so a test can let a day pass.
func runAppClock(t *testing.T, dsn string, offset *atomic.Int64) (*app.App, string, string) {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), PostgresDSN: dsn, Demo: true, Migrate: true,
		Logger: slog.New(slog.DiscardHandler), Gateway: app.GatewayConfig{Addr: "127.0.0.1:0", Options: gateway.Options{Node: "test"}}})
	if err != nil {
		t.Fatal(err)
	}
	// Set before anything runs, so no goroutine reads the clock while it changes.
	a.DB.Now = func() time.Time { return time.Now().UTC().Add(time.Duration(offset.Load())) }
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
	for i := 0; a.GatewayAddr() == "" && i < 300; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	return a, "http://" + a.Addr(), "http://" + a.GatewayAddr()
}

// gwGet calls the gateway.
func gwGet(t *testing.T, url, key string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// page fetches a page with the client's session.
func (c *client) page(path string) string {
	c.t.Helper()
	res, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		c.t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return string(b)
}

type copyView struct {
	AccountID  int64      `json:"account_id"`
	State      string     `json:"state"`
	ValidUntil *time.Time `json:"valid_until"`
}

func demoAccountKey(c *client, service string) (int64, string) {
	c.t.Helper()
	var accounts struct {
		Items []struct {
			ID                int64  `json:"id"`
			ServiceIdentifier string `json:"service_identifier"`
		} `json:"items"`
	}
	c.do("GET", "/api/v1/accounts", nil, 200, &accounts)
	for _, a := range accounts.Items {
		if a.ServiceIdentifier == service {
			var key struct {
				APIKey string `json:"api_key"`
			}
			c.do("POST", fmt.Sprintf("/api/v1/accounts/%d/rotate", a.ID), nil, 200, &key)
			return a.ID, key.APIKey
		}
	}
	c.t.Fatalf("no account for %s", service)
	return 0, ""
}

// TestSyncCopyExpiresAndPackages walks items 6 and 7 through the real
// program: the demo consumer pulls the demo feed through the gateway, its
// status page shows when its copy expires, and after a day without pulling
// the copy is expired; a package downloads within its window, the expired
// one is refused with 410 package_expired, and both calls are logged.
func TestSyncCopyExpiresAndPackages(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { syncCopyExpiresAndPackages(t, "") })
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("GOVDX_TEST_POSTGRES")
		if dsn == "" {
			t.Skip("GOVDX_TEST_POSTGRES not set")
		}
		syncCopyExpiresAndPackages(t, freshSchema(t, dsn))
	})
}

func syncCopyExpiresAndPackages(t *testing.T, dsn string) {
	var offset atomic.Int64
	_, base, gw := runAppClock(t, dsn, &offset)

	hcc := login(t, base, "hcc.consumer")
	accID, key := demoAccountKey(hcc, app.DemoSyncService)
	copies := func(c *client) copyView {
		t.Helper()
		var list struct {
			Items []copyView `json:"items"`
		}
		c.do("GET", "/api/v1/sync/copies", nil, 200, &list)
		for _, x := range list.Items {
			if x.AccountID == accID {
				return x
			}
		}
		t.Fatalf("no copy for account %d: %+v", accID, list.Items)
		return copyView{}
	}
	if c := copies(hcc); c.State != "never" {
		t.Fatalf("before any pull: %+v", c)
	}
	res, body := gwGet(t, gw+"/s/"+app.DemoSyncService+"/changes?cursor=0", key)
	if res.StatusCode != 200 || !strings.Contains(string(body), "40A8001021") || strings.Contains(string(body), "dia_chi") {
		t.Fatalf("pull: %d %s", res.StatusCode, body)
	}
	until, err := time.Parse(time.RFC3339, res.Header.Get("X-Data-Valid-Until"))
	if err != nil || until.Sub(time.Now()) < 23*time.Hour || until.Sub(time.Now()) > 25*time.Hour {
		t.Fatalf("valid until %v (%v): the demo regulation gives one day", until, err)
	}
	c := copies(hcc)
	if c.State != "valid" || c.ValidUntil == nil {
		t.Fatalf("after the pull: %+v", c)
	}
	if p := hcc.page("/sync"); !strings.Contains(p, "còn giá trị") || !strings.Contains(p, app.DemoSyncService) {
		t.Fatalf("the status page does not show the valid copy:\n%s", p)
	}

	// A day passes without a pull.
	offset.Store(int64(24*time.Hour + time.Minute))
	hcc = login(t, base, "hcc.consumer")
	if c := copies(hcc); c.State != "expired" {
		t.Fatalf("a day later: %+v", c)
	}
	if p := hcc.page("/sync"); !strings.Contains(p, "hết giá trị") {
		t.Fatalf("the status page does not flag the expired copy:\n%s", p)
	}
	provider := login(t, base, "taichinh.provider")
	var feed struct {
		Feed struct {
			Head     int64 `json:"head"`
			LiveRows int64 `json:"live_rows"`
		} `json:"feed"`
		Copies []copyView `json:"copies"`
	}
	provider.do("GET", "/api/v1/sync/services/"+app.DemoSyncService+"/feed", nil, 200, &feed)
	if feed.Feed.LiveRows != 7 || len(feed.Copies) != 1 || feed.Copies[0].State != "expired" {
		t.Fatalf("provider's view: %+v", feed)
	}
	if p := provider.page("/sync/services/" + app.DemoSyncService); !strings.Contains(p, "hết giá trị") || !strings.Contains(p, "Thay thế toàn bộ dữ liệu") {
		t.Fatalf("provider's page:\n%s", p)
	}
	offset.Store(0)

	// Packages: the health department's account downloads the valid one.
	syt := login(t, base, "yte.consumer")
	var ov struct {
		Packages []struct {
			ID       int64  `json:"id"`
			SHA256   string `json:"sha256"`
			Download string `json:"download"`
		} `json:"packages"`
	}
	syt.do("GET", "/api/v1/sync", nil, 200, &ov)
	if len(ov.Packages) != 1 {
		t.Fatalf("downloadable packages: %+v", ov.Packages)
	}
	_, pkey := demoAccountKey(syt, app.DemoPackageService)
	res, body = gwGet(t, gw+ov.Packages[0].Download, pkey)
	sum := sha256.Sum256(body)
	if res.StatusCode != 200 || hex.EncodeToString(sum[:]) != ov.Packages[0].SHA256 || !strings.Contains(string(body), "'@HOME") {
		t.Fatalf("download: %d %s", res.StatusCode, body)
	}
	var pkgs struct {
		Packages []struct {
			ID      int64 `json:"id"`
			Expired bool  `json:"expired"`
		} `json:"packages"`
	}
	syt.do("GET", "/api/v1/sync/services/"+app.DemoPackageService+"/packages", nil, 200, &pkgs)
	var expired int64
	for _, p := range pkgs.Packages {
		if p.Expired {
			expired = p.ID
		}
	}
	res, body = gwGet(t, fmt.Sprintf("%s/s/%s/packages/%d", gw, app.DemoPackageService, expired), pkey)
	if res.StatusCode != 410 || !strings.Contains(string(body), `"code":"package_expired"`) {
		t.Fatalf("expired package: %d %s", res.StatusCode, body)
	}
	corr := res.Header.Get("X-Correlation-Id")
	var logs struct {
		Items []struct {
			CorrelationID string `json:"correlation_id"`
			RefusalCode   string `json:"refusal_code"`
			Form          string `json:"form"`
		} `json:"items"`
	}
	syt.do("GET", "/api/v1/logs", nil, 200, &logs)
	found := false
	for _, e := range logs.Items {
		found = found || (e.CorrelationID == corr && e.RefusalCode == "package_expired" && e.Form == "package")
	}
	if !found {
		t.Fatalf("the refused download is not in the consumer's sharing log: %+v", logs.Items)
	}
}

// TestProviderUploads: the provider pushes records and a snapshot through
// the API and builds a package from the page's form (multipart, CSRF
// field first); a malformed file re-displays the page with its bad lines.
func TestProviderUploads(t *testing.T) {
	_, base, _ := runApp(t)
	provider := login(t, base, "taichinh.provider")
	var res struct {
		Inserted int   `json:"inserted"`
		Deleted  int   `json:"deleted"`
		Head     int64 `json:"head"`
	}
	provider.do("POST", "/api/v1/sync/services/"+app.DemoSyncService+"/records", map[string]any{"records": []map[string]any{
		{"data": map[string]string{"ma_ho_kinh_doanh": "40A8009999", "ten_ho_kinh_doanh": "Hộ kinh doanh Mới"}},
		{"key": "40A8001021", "deleted": true}}}, 200, &res)
	if res.Inserted != 1 || res.Deleted != 1 {
		t.Fatalf("push: %+v", res)
	}
	consumer := login(t, base, "hcc.consumer")
	consumer.do("POST", "/api/v1/sync/services/"+app.DemoSyncService+"/records", map[string]any{"records": []map[string]any{
		{"key": "x", "deleted": true}}}, 403, nil)

	req, _ := http.NewRequest("PUT", base+"/api/v1/sync/services/"+app.DemoSyncService+"/snapshot?format=csv", strings.NewReader(
		"ma_ho_kinh_doanh,ten_ho_kinh_doanh,dia_chi\n40A8009999,Hộ kinh doanh Mới,Đà Nẵng\n40A8001022,Tạp hóa Minh Tâm,Đà Nẵng\n"))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("X-CSRF-Token", provider.csrf)
	r, err := provider.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.Contains(string(b), `"deleted":5`) {
		t.Fatalf("snapshot: %d %s", r.StatusCode, b)
	}

	form := func(file string) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("_csrf", provider.csrf)
		mw.WriteField("name", "Doanh nghiệp mới tháng 3")
		mw.WriteField("format", "xlsx")
		mw.WriteField("valid_days", "10")
		fw, _ := mw.CreateFormFile("file", "data.csv")
		io.WriteString(fw, file)
		mw.Close()
		req, _ := http.NewRequest("POST", base+"/sync/services/"+app.DemoPackageService+"/packages", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", base)
		r, err := provider.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b)
	}
	st, page := form("ma_so_thue,ten_doanh_nghiep\n0402300001,CÔNG TY A\n")
	if st != 200 || !strings.Contains(page, "Đã tạo và công bố gói dữ liệu") || !strings.Contains(page, "Doanh nghiệp mới tháng 3") {
		t.Fatalf("package form: %d\n%s", st, page)
	}
	st, page = form("ma_so_thue,so_cccd\n0402300001,079123456789\n0402300002,079123456780\n")
	if st != 422 || !strings.Contains(page, "so_cccd") {
		t.Fatalf("bad package form: %d\n%s", st, page)
	}
}

// TestOpenServiceWithoutCredentials is item 5: an open service (D47-21.1b,
// D47-40.1) answers through the gateway without a credential, and the
// call is logged (account 0).
func TestOpenServiceWithoutCredentials(t *testing.T) {
	a, base, gw := runApp(t)
	upstream := httptest.NewServer(gateway.DemoUpstream())
	defer upstream.Close()
	tmpl, err := a.Catalog.ServiceByIdentifier(context.Background(), "btc.dkdn.tra-cuu-doanh-nghiep")
	if err != nil {
		t.Fatal(err)
	}
	if !tmpl.Open {
		t.Fatal("the demo national look-up should be open")
	}
	in := tmpl.Input()
	in.Identifier = "btc.dkdn.e2e-mo"
	in.UpstreamURL = upstream.URL + "/dkkd/doanh-nghiep"
	admin := login(t, base, "admin")
	var svc struct {
		ID int64 `json:"id"`
	}
	admin.do("POST", "/api/v1/catalog/services", in, 201, &svc)
	admin.do("POST", fmt.Sprintf("/api/v1/catalog/services/%d/publish", svc.ID), nil, 200, nil)
	res, body := gwGet(t, gw+"/s/btc.dkdn.e2e-mo/0401234567", "")
	if res.StatusCode != 200 || !strings.Contains(string(body), "ma_so_thue") {
		t.Fatalf("open call: %d %s", res.StatusCode, body)
	}
	corr := res.Header.Get("X-Correlation-Id")
	var logs struct {
		Items []struct {
			CorrelationID string `json:"correlation_id"`
			AccountID     int64  `json:"account_id"`
			Status        int    `json:"status"`
		} `json:"items"`
	}
	admin.do("GET", "/api/v1/logs", nil, 200, &logs)
	found := false
	for _, e := range logs.Items {
		found = found || (e.CorrelationID == corr && e.AccountID == 0 && e.Status == 200)
	}
	if !found {
		t.Fatalf("the open call %s is not logged: %+v", corr, logs.Items)
	}
}
