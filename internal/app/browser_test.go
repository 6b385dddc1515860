package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/govdx/govdx/internal/app"
	"github.com/govdx/govdx/internal/web/webtest"
)

// browser starts headless Chromium (webtest.Chromium: skipped or failed
// without one).
func browser(t *testing.T) context.Context {
	t.Helper()
	path := webtest.Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// steps returns a function that runs browser steps or fails the test.
func steps(t *testing.T, ctx context.Context) func(...chromedp.Action[chromedp.Void]) {
	return func(s ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, s...); err != nil {
			t.Fatal(err)
		}
	}
}

// serve runs the real program on a random port with the demo data.
func serve(t *testing.T) string {
	t.Helper()
	a := newApp(t, "")
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + a.Addr()
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("GOVDX_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
}

// TestBrowserLoginAndDirectory logs in through the real login form and walks
// the organisation directory, searching without diacritics.
func TestBrowserLoginAndDirectory(t *testing.T) {
	ctx := browser(t)
	base := serve(t)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	lang := func() string {
		t.Helper()
		a, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
		if err != nil {
			t.Fatal(err)
		}
		return a.Value
	}
	do := steps(t, ctx)
	do(chromedp.Navigate(base + "/"))
	if l, h := lang(), text("h1"); l != "vi" || !strings.Contains(h, "Chào mừng") {
		t.Fatalf("home: lang %q heading %q", l, h)
	}
	screenshot(t, ctx, "home")
	do(chromedp.Click(chromedp.CSS(`a[href="/login"]`)),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "danang.it"),
		chromedp.SendKeys(chromedp.ID("password"), app.DemoPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(".who")))
	if who := text(".who"); !strings.Contains(who, "Đặng Văn Khoa") {
		t.Fatalf("after login the header shows %q", who)
	}
	do(chromedp.Navigate(base+"/orgs"),
		chromedp.WaitVisible(chromedp.CSS("input[name=q]")),
		chromedp.SendKeys(chromedp.CSS("input[name=q]"), "da nang so y te"),
		chromedp.Submit(chromedp.CSS("input[name=q]")))
	// The old page stays visible until the new one loads: wait for the
	// results page itself (its URL carries the query) before reading it.
	if results := eventually(t, func() string {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		if !strings.Contains(loc, "q=") {
			return ""
		}
		return tryText(ctx, "main")
	}, "Sở Y tế Đà Nẵng"); results == "" {
		t.Fatal("search without diacritics did not find the department")
	}
	screenshot(t, ctx, "orgs-search")
	do(chromedp.Click(chromedp.Search(`//main//a[contains(., "Sở Y tế Đà Nẵng")]`)))
	if page := eventually(t, func() string { return tryText(ctx, "main") }, "Lý Thị Thu"); page == "" {
		t.Fatal("organisation page lacks its focal point")
	}
	screenshot(t, ctx, "org")
	// The English switch keeps the page and changes the language.
	do(chromedp.Click(chromedp.CSS(`a[lang="en"]`)), chromedp.WaitVisible(chromedp.CSS("h1")))
	if l := lang(); l != "en" {
		t.Fatalf("English switch: lang %q", l)
	}
}

// eventually polls read until its result contains want (up to 15 s) and
// returns it, or "" when it never did.
func eventually(t *testing.T, read func() string, want string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		if last = read(); strings.Contains(last, want) {
			return last
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("last read: %.400s", last)
	return ""
}

// tryText reads an element's text, or "" while the page is changing under
// the read (a navigation in flight).
func tryText(ctx context.Context, sel string) string {
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(rctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		return ""
	}
	return s
}

// TestBrowserMenuFoldsOnSmallScreens: on a phone the main navigation folds
// behind a "Menu" button that opens it (and Escape closes it); on a wide
// screen the navigation shows and the button does not.
func TestBrowserMenuFoldsOnSmallScreens(t *testing.T) {
	ctx := browser(t)
	base := serve(t)
	shown := func(sel string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var e=document.querySelector(`+"`"+sel+"`"+`);return !!e && e.offsetParent !== null;})()`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	do := steps(t, ctx)
	do(chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".menu-toggle")))
	if shown("#mainnav-list a") {
		t.Fatal("phone: the navigation is open before the menu button is used")
	}
	do(chromedp.Click(chromedp.CSS(".menu-toggle")), chromedp.WaitVisible(chromedp.CSS(`#mainnav-list a[href="/orgs"]`)))
	if exp, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(".menu-toggle"), "aria-expanded")); err != nil || exp.Value != "true" {
		t.Fatalf("aria-expanded after opening: %q %v", exp.Value, err)
	}
	do(chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.CSS(`#mainnav-list a[href="/orgs"]`)))
	do(chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`#mainnav-list a[href="/orgs"]`)))
	if shown(".menu-toggle") {
		t.Fatal("wide screen: the menu button shows")
	}
}

// TestBrowserLogAndAccountPagesFitPhones: on a phone the sharing log, one
// of its entries (long digests) and the connection accounts fit the screen
// width; the log's table scrolls inside its own box instead of the page.
func TestBrowserLogAndAccountPagesFitPhones(t *testing.T) {
	ctx := browser(t)
	base := serve(t)
	do := steps(t, ctx)
	do(chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), app.DemoPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(".who")))
	// overflow names the elements of main reaching past the screen's right
	// edge, outside a scrolling table box.
	const overflow = `(function(){var w=document.documentElement.clientWidth,bad=[];
		document.querySelectorAll('main *').forEach(function(e){if(e.getBoundingClientRect().right>w+1&&!e.closest('.table-wrap'))bad.push(e.tagName+(e.id?'#'+e.id:''))});
		if(document.documentElement.scrollWidth>w)bad.push('page '+document.documentElement.scrollWidth);return bad.slice(0,5).join(', ')})()`
	for _, path := range []string{"/logs", "/logs/1", "/accounts"} {
		do(chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		screenshot(t, ctx, "phone"+strings.ReplaceAll(path, "/", "-"))
		bad, err := chromedp.Run(ctx, chromedp.Evaluate[string](overflow))
		if err != nil {
			t.Fatal(err)
		}
		if bad != "" {
			t.Errorf("%s is wider than a phone: %s", path, bad)
		}
	}
	do(chromedp.Navigate(base+"/logs"), chromedp.WaitVisible(chromedp.CSS(".table-wrap table")))
	scrolls, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var b=document.querySelector('.table-wrap');return b.scrollWidth>b.clientWidth})()`))
	if err != nil {
		t.Fatal(err)
	}
	if !scrolls {
		t.Error("the log's table squeezes into the phone's width instead of scrolling in its box")
	}
}

// TestBrowserAsksBeforeUndoableActions: a form whose action cannot be
// undone (here replacing a connection account's API key) asks first;
// answering no sends nothing, answering yes sends it.
func TestBrowserAsksBeforeUndoableActions(t *testing.T) {
	ctx := browser(t)
	base := serve(t)
	var accept atomic.Bool
	var asked atomic.Int32
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			asked.Add(1)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept.Load()})
		}
	}()
	do := steps(t, ctx)
	const rotate = `form[action$="/rotate"] button`
	do(chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "yte.consumer"),
		chromedp.SendKeys(chromedp.ID("password"), app.DemoPassword),
		chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.CSS(".who")),
		chromedp.Navigate(base+"/accounts"), chromedp.WaitVisible(chromedp.CSS(rotate)))

	do(chromedp.Click(chromedp.CSS(rotate)), chromedp.Sleep(500*time.Millisecond))
	if n := asked.Load(); n != 1 {
		t.Fatalf("%d questions before replacing the key, want 1", n)
	}
	if u, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(u, "/accounts") {
		t.Fatalf("after answering no the page is %q (%v), want the accounts list, nothing sent", u, err)
	}

	accept.Store(true)
	do(chromedp.Click(chromedp.CSS(rotate)), chromedp.WaitVisible(chromedp.ID("api-key")))
	key, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("api-key")))
	if err != nil || !strings.HasPrefix(key, "gdxk_") || asked.Load() != 2 {
		t.Fatalf("after answering yes: key %q, %d questions, %v", key, asked.Load(), err)
	}
}

// TestBrowserWideTablesTakeFocus: on a phone every table box that scrolls
// sideways can take keyboard focus (to scroll it with the arrow keys); on
// a wide screen the boxes that fit stay out of the tab order.
func TestBrowserWideTablesTakeFocus(t *testing.T) {
	ctx := browser(t)
	base := serve(t)
	do := steps(t, ctx)
	// boxes lists each .table-wrap as "scrolls/tabindex".
	const boxes = `Array.from(document.querySelectorAll('.table-wrap')).map(function(b){
		return (b.scrollWidth > b.clientWidth + 1) + '/' + b.getAttribute('tabindex')}).join(' ')`
	do(chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), app.DemoPassword),
		chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.CSS(".who")))
	for _, width := range []int64{390, 1280} {
		do(chromedp.EmulateViewport(width, 900), chromedp.Navigate(base+"/requests"), chromedp.WaitVisible(chromedp.CSS(".table-wrap")),
			chromedp.Sleep(200*time.Millisecond))
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](boxes))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range strings.Fields(got) {
			if b != "true/0" && b != "false/null" {
				t.Errorf("width %d: table boxes %q: a box that scrolls must take focus, one that fits must not", width, got)
				break
			}
		}
		if width == 390 && !strings.Contains(got, "true/0") {
			t.Errorf("phone: no table box scrolls on /requests (%q): the check checks nothing", got)
		}
	}
}

// TestBrowserUploadShowsProgress: a code-list import (a form marked
// data-progress) goes by XMLHttpRequest with a progress bar; the server's
// answer becomes the page: the redirect after a good file, the form with
// its line errors beside the file field after a bad one.
func TestBrowserUploadShowsProgress(t *testing.T) {
	ctx := browser(t)
	base := serve(t)
	do := steps(t, ctx)
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.csv"), filepath.Join(dir, "bad.csv")
	var b strings.Builder
	b.WriteString("code,name\n")
	for i := range 20000 {
		fmt.Fprintf(&b, "%05d,Mục %d\n", i, i)
	}
	if err := os.WriteFile(good, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("code,name\n1,Một\n,Thiếu mã\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// spy records, across the page change, that the file went by
	// XMLHttpRequest (the plain form would not set it).
	const spy = `(function(){var s=XMLHttpRequest.prototype.send;XMLHttpRequest.prototype.send=function(d){
		sessionStorage.setItem('xhr-upload', String(Number(sessionStorage.getItem('xhr-upload')||0)+1));return s.call(this,d)};return true})()`
	do(chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), app.DemoPassword),
		chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.CSS(".who")),
		chromedp.Navigate(base+"/catalog/codelists/1"), chromedp.WaitVisible(chromedp.ID("f-file")))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](spy)); err != nil {
		t.Fatal(err)
	}
	do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{bad}),
		chromedp.Click(chromedp.CSS(`form[data-progress] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("f-file-err")))
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("f-file-err")))
	if err != nil || !strings.Contains(msg, "3") {
		t.Fatalf("the bad file's line errors beside the field: %q %v", msg, err)
	}

	// The errors replaced the page's main part in place: the spy is still there.
	do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{good}),
		chromedp.Click(chromedp.CSS(`form[data-progress] button[type=submit]`)))
	// The answer is a redirect with a notice: wait for that page, read in
	// one evaluation so that no node of the page being left is used.
	const state = `location.search.indexOf('notice=') >= 0 && document.readyState === 'complete' ?
		document.querySelector('main').innerText : ''`
	var page string
	for i := 0; !strings.Contains(page, "20.000"); i++ {
		if i == 100 {
			t.Fatalf("after the good file the code list shows its 20.000 entries: %.300q", page)
		}
		time.Sleep(100 * time.Millisecond)
		page, _ = chromedp.Run(ctx, chromedp.Evaluate[string](state))
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[string](`sessionStorage.getItem('xhr-upload')`)); err != nil || n != "2" {
		t.Fatalf("uploads sent by XMLHttpRequest: %q %v, want 2", n, err)
	}
}

// TestBrowserExportShowsProgress: exporting the sharing log from its page
// starts a background job whose page follows it to the end, says the file
// is ready, and downloads it.
func TestBrowserExportShowsProgress(t *testing.T) {
	ctx := browser(t)
	base := serve(t)
	do := steps(t, ctx)
	dir := t.TempDir()
	if _, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatal(err)
	}
	do(chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), app.DemoPassword),
		chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.CSS(".who")),
		chromedp.Navigate(base+"/logs"),
		chromedp.Click(chromedp.CSS(`button[name=format][value=xlsx]`)),
		chromedp.WaitVisible(chromedp.CSS(".export-done")))
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.export-progress').value + ' ' +
		document.querySelector('.export-count').innerText + ' | ' + document.querySelector('.export-done').innerText`))
	if err != nil || !strings.HasPrefix(state, "100 ") || !strings.Contains(state, "dòng") || !strings.Contains(state, "Tệp đã sẵn sàng.") {
		t.Fatalf("the finished export's page: %q %v", state, err)
	}
	var files []os.DirEntry
	for i := 0; len(files) == 0 || strings.HasSuffix(files[0].Name(), ".crdownload"); i++ {
		if i == 100 {
			t.Fatalf("the file was not downloaded: %v", files)
		}
		time.Sleep(100 * time.Millisecond)
		files, _ = os.ReadDir(dir)
	}
	if name := files[0].Name(); !strings.HasPrefix(name, "nhat-ky-chia-se-") || !strings.HasSuffix(name, ".xlsx") {
		t.Errorf("downloaded %q", name)
	}
}
