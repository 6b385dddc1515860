package opendata

import (
	"bytes"
	"context"
	"encoding/csv"
	"io/fs"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/web/webtest"
)

// No account is needed to browse, search, download or call the open API
// (D47-17.1đ), and downloads are counted.
func TestAnonymousAccessAndDownloads(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ctx := context.Background()
		ckanFixture(t, w)
		c := w.client(t)
		for _, p := range []string{"/opendata", "/opendata?q=truong+hoc&res_format=CSV", "/opendata/datasets/danh-sach-truong-hoc",
			"/opendata/organizations", "/opendata/organizations/dn-stc", "/opendata/requests", "/opendata/licence", "/opendata/developers",
			"/api/3/action/package_list", "/catalog.ttl", "/opendata/export.csv", "/opendata/export.xlsx"} {
			if r := c.get(p); r.status != 200 {
				t.Errorf("GET %s: %d", p, r.status)
			}
		}
		page := string(c.get("/opendata/datasets/danh-sach-truong-hoc").body)
		for _, term := range UseTerms { // D47-18 terms on every dataset
			if !strings.Contains(page, term.VI) {
				t.Errorf("dataset page lacks the term %q", term.VI)
			}
		}
		if r := c.get("/opendata/datasets/ban-nhap-chua-cong-bo"); r.status != 404 {
			t.Errorf("draft page: %d", r.status)
		}
		d, _ := w.store.PublishedByName(ctx, "danh-sach-truong-hoc")
		res := d.PublicResources()[0]
		base := "/opendata/datasets/" + d.Name + "/resources/" + res.UID
		if r := c.get(base); r.status != 200 || !strings.Contains(string(r.body), "THPT Phan Châu Trinh") {
			t.Errorf("resource page with preview: %d", r.status)
		}
		dl := c.get(base + "/download")
		if dl.status != 200 || !strings.HasPrefix(dl.header.Get("Content-Type"), "text/csv; charset=utf-8") ||
			!strings.Contains(dl.header.Get("Content-Disposition"), "attachment") || string(dl.body) != "Tên trường,Số lớp\nTHPT Phan Châu Trinh,40\n" {
			t.Fatalf("download: %d %v %q", dl.status, dl.header, dl.body)
		}
		c.get(base + "/download")
		c.do("GET", base+"/download", nil, map[string]string{"Range": "bytes=5-"}) // a resumed download counts once
		c.do("HEAD", base+"/download", nil, nil)
		got, _, _ := w.store.Resource(ctx, res.ID)
		if got.Downloads != 2 {
			t.Errorf("downloads %d, want 2", got.Downloads)
		}
		pkg := c.get("/api/3/action/package_show?id=" + d.Name).json(t)
		if dig(pkg, "result", "download_count") != 2.0 {
			t.Errorf("package download_count %v", dig(pkg, "result", "download_count"))
		}
		if r := c.get(base + "/v/1"); r.status != 200 {
			t.Errorf("version download %d", r.status)
		}
		if r := c.get(base + "/v/9"); r.status != 404 {
			t.Errorf("missing version %d", r.status)
		}

		// Feedback without an account (the anonymous form has a CSRF cookie).
		r := c.form("/opendata/datasets/"+d.Name+"/feedback", url.Values{"kind": {"quality"}, "message": {"Thiếu trường Hòa Vang"}, "email": {"a@b.vn"}})
		if r.status != 303 {
			t.Fatalf("feedback: %d %s", r.status, r.body)
		}
		fb, _ := w.store.ListFeedback(ctx, FeedbackFilter{DatasetID: d.ID})
		if len(fb) != 1 || fb[0].AuthorEmail != "a@b.vn" {
			t.Fatalf("feedback %+v", fb)
		}
		if strings.Contains(string(c.get("/opendata/datasets/"+d.Name).body), "a@b.vn") {
			t.Error("the author's e-mail is shown publicly")
		}
		r = c.form("/opendata/datasets/"+d.Name+"/feedback", url.Values{"kind": {"quality"}, "message": {"x"}})
		if r.status != 422 {
			t.Errorf("short feedback: %d", r.status)
		}
		r = c.do("POST", "/opendata/datasets/"+d.Name+"/feedback", strings.NewReader("kind=quality&message=hello+world"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if r.status != 403 {
			t.Errorf("feedback without CSRF token: %d", r.status)
		}
		// Data requests and votes.
		r = c.form("/opendata/requests", url.Values{"title": {"Lịch thu gom rác"}, "org_id": {strconv.FormatInt(w.deptA.ID, 10)}})
		if r.status != 303 {
			t.Fatalf("request: %d", r.status)
		}
		reqs, _ := w.store.ListRequests(ctx, RequestFilter{})
		c.form("/opendata/requests/"+strconv.FormatInt(reqs[0].ID, 10)+"/vote", nil)
		c.form("/opendata/requests/"+strconv.FormatInt(reqs[0].ID, 10)+"/vote", nil)
		reqs, _ = w.store.ListRequests(ctx, RequestFilter{})
		if reqs[0].Votes != 2 {
			t.Errorf("votes %d, want 2 (one from the author, one vote per browser)", reqs[0].Votes)
		}
	})
}

// Publisher pages and API: only holders of opendata.publish on the
// dataset's organisation; others get 404 (existence not revealed) or 403.
func TestRoleChecks(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ckanFixture(t, w)
		ctx := context.Background()
		provA := w.user(t, "prov.a", w.deptA, identity.RoleProviderOfficer)
		provB := w.user(t, "prov.b", w.deptB, identity.RoleProviderOfficer)
		w.user(t, "consumer", w.deptA, identity.RoleConsumerOfficer)
		w.user(t, "itadmin", w.prov, identity.RoleITAdmin)
		ds, _ := w.store.ListManaged(ctx, ManagedFilter{OrgID: w.deptA.ID, Page: pageAll})
		idA := strconv.FormatInt(ds.Items[0].ID, 10)

		anon := w.client(t)
		if r := anon.get("/opendata/manage"); r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/login") {
			t.Errorf("anonymous manage: %d %s", r.status, r.header.Get("Location"))
		}
		if r := anon.do("POST", "/api/v1/opendata/datasets", strings.NewReader(`{}`), map[string]string{"Content-Type": "application/json"}); r.status != 401 {
			t.Errorf("anonymous API create: %d", r.status)
		}
		consumer := w.login(t, "consumer")
		if r := consumer.get("/opendata/manage"); r.status != 403 {
			t.Errorf("consumer officer manage: %d", r.status)
		}
		b := w.login(t, "prov.b")
		if r := b.get("/opendata/manage/datasets/" + idA); r.status != 404 {
			t.Errorf("other department's dataset: %d", r.status)
		}
		if r := b.form("/opendata/manage/datasets/"+idA+"/publish", nil); r.status != 404 {
			t.Errorf("publish another department's dataset: %d", r.status)
		}
		a := w.login(t, "prov.a")
		if r := a.get("/opendata/manage/datasets/" + idA); r.status != 200 {
			t.Errorf("own dataset: %d", r.status)
		}
		it := w.login(t, "itadmin")
		if r := it.get("/opendata/manage/datasets/" + idA); r.status != 200 {
			t.Errorf("IT admin of the province: %d", r.status)
		}
		// API with tokens.
		tb := w.bearer(t, provB.ID)
		body := `{"org_id": ` + strconv.FormatInt(w.deptA.ID, 10) + `, "title": "Dữ liệu của sở khác"}`
		if r := tb.do("POST", "/api/v1/opendata/datasets", strings.NewReader(body), map[string]string{"Content-Type": "application/json"}); r.status != 403 {
			t.Errorf("create in another organisation: %d %s", r.status, r.body)
		}
		if r := tb.get("/api/v1/opendata/datasets/" + idA); r.status != 404 {
			t.Errorf("API read of another department's dataset: %d", r.status)
		}
		ta := w.bearer(t, provA.ID)
		r := ta.do("POST", "/api/v1/opendata/datasets", strings.NewReader(`{"org_id": `+strconv.FormatInt(w.deptA.ID, 10)+`, "title": "Giá đất", "tags": ["đất đai"]}`),
			map[string]string{"Content-Type": "application/json"})
		if r.status != 201 {
			t.Fatalf("API create: %d %s", r.status, r.body)
		}
		list := ta.get("/api/v1/opendata/datasets").json(t)
		if items, _ := list["items"].([]any); len(items) != 4 {
			t.Errorf("provider A sees %d datasets, want 4", len(items))
		}
		if r := ta.get("/api/v1/opendata/datasets?org_id=abc"); r.status != 422 {
			t.Errorf("bad org_id: %d", r.status)
		}
	})
}

var pageAll = platform.Page{Limit: 100}

// Uploads through the web form (streaming, CSRF checked before the file)
// and the API; a bad file changes nothing.
func TestUploadOverHTTP(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ctx := context.Background()
		prov := w.user(t, "prov.a", w.deptA, identity.RoleProviderOfficer)
		d := w.dataset(t, w.deptA, "Giá đất")
		id := strconv.FormatInt(d.ID, 10)
		a := w.login(t, "prov.a")

		// Plain form: the CSRF token is the first field.
		body, ct := multipartBody(t, [][2]string{{"_csrf", a.csrf}, {"name", "Bảng giá"}, {"format", ""}}, "gia.csv", []byte("Đường,Giá\nTrần Phú,120000\n"))
		r := a.do("POST", "/opendata/manage/datasets/"+id+"/upload", body, map[string]string{"Content-Type": ct})
		if r.status != 303 || !strings.Contains(r.header.Get("Location"), "notice=") {
			t.Fatalf("form upload: %d %s", r.status, r.body)
		}
		// The progress script: header token, JSON answer.
		body, ct = multipartBody(t, [][2]string{{"name", "Danh sách"}}, "ds.csv", []byte("Họ và tên,Số CCCD\nAn,079203001234\n"))
		r = a.do("POST", "/opendata/manage/datasets/"+id+"/upload", body, map[string]string{"Content-Type": ct, "X-CSRF-Token": a.csrf, "Accept": "application/json"})
		if r.status != 200 || r.json(t)["ok"] != true {
			t.Fatalf("script upload: %d %s", r.status, r.body)
		}
		// Without a token: refused before the file is stored.
		body, ct = multipartBody(t, [][2]string{{"name", "x"}}, "x.csv", []byte("A\n1\n"))
		if r = a.do("POST", "/opendata/manage/datasets/"+id+"/upload", body, map[string]string{"Content-Type": ct}); r.status != 403 {
			t.Errorf("upload without CSRF: %d", r.status)
		}
		// A malformed file: a clear JSON error for the script, the page again for the form,
		// both in the page's language (Vietnamese by default).
		body, ct = multipartBody(t, nil, "bad.csv", []byte("A,B\n\"x,1\n"))
		r = a.do("POST", "/opendata/manage/datasets/"+id+"/upload", body, map[string]string{"Content-Type": ct, "X-CSRF-Token": a.csrf, "Accept": "application/json"})
		if r.status != 422 || !strings.Contains(r.json(t)["error"].(string), "dòng 2") {
			t.Errorf("malformed upload: %d %s", r.status, r.body)
		}
		// The reason is Vietnamese too, not the CSV reader's English.
		if msg, _ := r.json(t)["error"].(string); strings.Contains(msg, "quoted-field") || !strings.Contains(msg, "chưa được đóng") {
			t.Errorf("malformed upload reason: %q", msg)
		}
		body, ct = multipartBody(t, [][2]string{{"_csrf", a.csrf}}, "bad.csv", []byte("A,B\n\"x,1\n"))
		if r = a.do("POST", "/opendata/manage/datasets/"+id+"/upload", body, map[string]string{"Content-Type": ct}); r.status != 422 || !strings.Contains(string(r.body), "tệp CSV sai cú pháp") {
			t.Errorf("malformed upload by form: %d", r.status)
		}
		got, _ := w.store.Dataset(ctx, d.ID)
		if len(got.Resources) != 2 {
			t.Fatalf("%d resources, want 2", len(got.Resources))
		}
		w.tmpEmpty(t)

		// Publishing is refused while the CCCD file is held, then works once it is confirmed.
		if r = a.form("/opendata/manage/datasets/"+id+"/publish", nil); r.status != 409 || !strings.Contains(string(r.body), "bị giữ lại khi kiểm tra trước công bố") {
			t.Errorf("publish with a held resource: %d", r.status)
		}
		var held Resource
		for _, res := range got.Resources {
			if res.Blocked() {
				held = res
			}
		}
		if r = a.form("/opendata/manage/resources/"+strconv.FormatInt(held.ID, 10)+"/confirm", url.Values{"note": {"Dữ liệu giả lập để kiểm thử"}}); r.status != 303 {
			t.Fatalf("confirm: %d %s", r.status, r.body)
		}
		if r = a.form("/opendata/manage/datasets/"+id+"/publish", nil); r.status != 303 {
			t.Fatalf("publish: %d %s", r.status, r.body)
		}

		// API upload with a token, replacing a resource.
		tok := w.bearer(t, prov.ID)
		body, ct = multipartBody(t, [][2]string{{"resource_id", strconv.FormatInt(held.ID, 10)}}, "ds.csv", []byte("Phường,Số hộ\nHải Châu,3\n"))
		r = tok.do("POST", "/api/v1/opendata/datasets/"+id+"/resources", body, map[string]string{"Content-Type": ct})
		if r.status != 201 {
			t.Fatalf("API upload: %d %s", r.status, r.body)
		}
		if v := dig(r.json(t), "current", "version"); v != 2.0 {
			t.Errorf("replaced version %v", v)
		}
		checks := tok.get("/api/v1/opendata/datasets/" + id + "/checks")
		if checks.status != 200 || !strings.Contains(string(checks.body), `"citizen_id"`) {
			t.Errorf("kept checks: %d %s", checks.status, checks.body)
		}
	})
}

func TestExportGuardsFormulas(t *testing.T) {
	docs := []*Doc{{Name: "x", Title: "=HYPERLINK(\"http://evil\",\"click\")", OrgTitle: "+1", Tags: []string{"@SUM(A1)"}, LicenseID: "-2"}}
	var b bytes.Buffer
	if err := writeExportCSV(&b, "http://h", docs); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	row := recs[1]
	for _, v := range []string{row[1], row[3], row[5], row[7]} {
		if !strings.HasPrefix(v, "'") {
			t.Errorf("cell %q is not guarded", v)
		}
	}
	b.Reset()
	if err := writeExportXLSX(&b, "http://h", docs); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, _ := f.GetCellValue("Datasets", "B2")
	if v != "'=HYPERLINK(\"http://evil\",\"click\")" {
		t.Errorf("xlsx cell %q", v)
	}
	if fm, _ := f.GetCellFormula("Datasets", "B2"); fm != "" {
		t.Errorf("a formula was written: %q", fm)
	}
	for _, s := range []string{"\tx", "\rx", "=1", "+1", "-1", "@x"} {
		if safeCell(s)[0] != '\'' {
			t.Errorf("safeCell(%q)", s)
		}
	}
	if safeCell("Hà Nội") != "Hà Nội" || safeCell("") != "" {
		t.Error("plain text changed")
	}
}

// Every English text of the pages has its Vietnamese translation.
func TestEveryTextIsTranslated(t *testing.T) {
	site, err := web.New()
	if err != nil {
		t.Fatal(err)
	}
	site.AddMessages(messages)
	v := site.NewView(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), nil)
	var texts []string
	for _, pt := range webtest.PageTexts(t, templatesFS) {
		texts = append(texts, pt.Text)
	}
	for _, l := range codeLabels {
		texts = append(texts, l)
	}
	for _, l := range FindingLabels {
		texts = append(texts, l)
	}
	for _, l := range facetTitles {
		texts = append(texts, l)
	}
	for _, s := range portalSorts {
		texts = append(texts, s.Label)
	}
	texts = append(texts, systemNotes...)
	// Texts chosen in code: a phase's status, why publishing is refused, and
	// the sources of the rules the plan pages cite.
	texts = append(texts, Phase{Status: "in_progress"}.StatusLabel(), Dataset{}.PublishBlocker(),
		Dataset{Resources: []Resource{{Name: "held"}}}.PublishBlocker())
	for _, key := range []string{rules.KeyOpenDataListReview, rules.KeyOpenDataUpdate} {
		for _, r := range rules.Default().Versions(key) {
			texts = append(texts, r.Source)
		}
	}
	for _, s := range texts {
		if v.T(s) == s {
			t.Errorf("no Vietnamese for %q", s)
		}
	}
}

// The pages' Content-Security-Policy allows no style attributes (style-src
// 'self'): a style="" in a template is silently ignored by browsers, which
// once left the data-requests page with its table squeezed beside a wide form.
func TestTemplatesHaveNoStyleAttributes(t *testing.T) {
	files, err := fs.Glob(templatesFS, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	for _, f := range files {
		b, _ := templatesFS.ReadFile(f)
		if i := bytes.Index(b, []byte(`style="`)); i >= 0 {
			t.Errorf("%s: style attribute (blocked by the CSP): %.60s", f, b[i:])
		}
	}
}

// A draft that Publish would refuse shows why instead of a Publish button;
// once its held resource is confirmed, the button is offered.
func TestManagePageOffersPublishOnlyWhenPossible(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		w.user(t, "prov.a", w.deptA, identity.RoleProviderOfficer)
		a := w.login(t, "prov.a")
		d := w.dataset(t, w.deptA, "Danh sách hộ")
		page := "/opendata/manage/datasets/" + strconv.FormatInt(d.ID, 10)
		publish := `action="` + page + `/publish"`
		if r := a.get(page); r.status != 200 || strings.Contains(string(r.body), publish) || !strings.Contains(string(r.body), "Cần thêm ít nhất một tài nguyên") {
			t.Errorf("empty draft: %d, publish offered or no reason given", r.status)
		}
		res := w.upload(t, d, "ho.csv", "Họ và tên,Số CCCD\nNguyễn Văn An,079203001234\n")
		if !res.Blocked() {
			t.Fatalf("resource not held: %+v", res)
		}
		if r := a.get(page); strings.Contains(string(r.body), publish) || !strings.Contains(string(r.body), "Có tài nguyên đang bị giữ lại") {
			t.Errorf("held draft: publish offered or no reason given")
		}
		if _, err := w.store.Confirm(context.Background(), 0, res.ID, "số liệu giả lập để thử"); err != nil {
			t.Fatal(err)
		}
		if r := a.get(page); !strings.Contains(string(r.body), publish) {
			t.Errorf("confirmed draft: no publish button")
		}
	})
}

// Sizes follow the page language's decimal mark, as {{.Num}} does.
func TestSizeInLanguage(t *testing.T) {
	r := Revision{Size: 6758}
	if vi, en := r.SizeIn("vi"), r.SizeIn("en"); vi != "6,6 KB" || en != "6.6 KB" {
		t.Errorf("SizeIn: vi %q en %q", vi, en)
	}
	if got := (Revision{Size: 823}).SizeIn("vi"); got != "823 B" {
		t.Errorf("SizeIn bytes: %q", got)
	}
}
