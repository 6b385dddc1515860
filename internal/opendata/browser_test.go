package opendata

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/web/webtest"
)

// The upload form with the progress script, in a real browser: the file
// goes by XMLHttpRequest with the CSRF header and the page follows the
// JSON answer. Skipped without Chromium unless GOVDX_REQUIRE_BROWSER=1.
func TestBrowserUploadWithProgress(t *testing.T) {
	path := webtest.Chromium(t)
	w := newWorld(t, platformtest.OpenSQLite(t, sets()), Options{})
	w.user(t, "prov.a", w.deptA, identity.RoleProviderOfficer)
	d := w.dataset(t, w.deptA, "Danh sách hộ")
	sid, _, err := w.ids.Login(context.Background(), "prov.a", "correct horse battery", "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	// The server records how uploads arrive.
	var mu sync.Mutex
	var accepts []string
	mux := http.NewServeMux()
	site, _ := web.New()
	if err := Register(mux, site, platform.NewAPI(mux, "/api/v1", "t", "t"), w.store, w.dir, w.ids); err != nil {
		t.Fatal(err)
	}
	rec := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/upload") {
			mu.Lock()
			accepts = append(accepts, r.Header.Get("Accept")+"|"+r.Header.Get("X-CSRF-Token"))
			mu.Unlock()
		}
		mux.ServeHTTP(rw, r)
	})
	srv := httptest.NewServer(platform.AccessLog(slog.New(slog.DiscardHandler), nil, w.ids.Authenticate(rec)))
	defer srv.Close()

	file := filepath.Join(t.TempDir(), "ho.csv")
	if err := os.WriteFile(file, []byte("Họ và tên,Số CCCD\nNguyễn Văn An,079203001234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	defer cancel3()
	up := chromedp.CSS(`form[data-upload] input[type=file]`)
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/opendata"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "`+identity.SessionCookie+`=`+sid+`; path=/"`),
		chromedp.Navigate(srv.URL+"/opendata/manage/datasets/"+strconv.FormatInt(d.ID, 10)),
		chromedp.WaitVisible(up),
		chromedp.SetUploadFiles(up, []string{file}),
		chromedp.Click(chromedp.CSS(`form[data-upload] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(accepts) != 1 || !strings.HasPrefix(accepts[0], "application/json|") || strings.HasSuffix(accepts[0], "|") {
		t.Fatalf("the upload did not go through the script: %q", accepts)
	}
	if !strings.Contains(url, "notice=") || !strings.Contains(body, "079*******34") {
		t.Errorf("after the upload: %s\n%s", url, body)
	}
	got, _ := w.store.Dataset(context.Background(), d.ID)
	if len(got.Resources) != 1 || !got.Resources[0].Blocked() {
		t.Errorf("resources %+v", got.Resources)
	}
}
