package logweb_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharelog"
	"github.com/govdx/govdx/internal/sharelog/logweb"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/web/webtest"
)

func TestLogScopesAndExport(t *testing.T) {
	sets := []platform.Migrations{directory.Migrations(), identity.Migrations(), sharelog.Migrations()}
	platformtest.ForEachDB(t, sets, func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		dir := directory.NewStore(db)
		ids := identity.NewStore(db)
		ids.SetFastHashing()
		org := func(code string, parent *directory.Org) directory.Org {
			in := directory.OrgInput{Code: code, Name: "Org " + code, Kind: directory.KindDepartment}
			if parent != nil {
				in.ParentID = &parent.ID
			}
			o, err := dir.CreateOrg(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		prov := org("PROV", nil)
		provider := org("PROV.A", &prov)
		consumer := org("PROV.B", &prov)
		other := org("OTHER", nil)
		token := func(name string, o directory.Org, role identity.Role) string {
			u, err := ids.CreateUser(ctx, identity.UserInput{OrgID: o.ID, Username: name, FullName: name, Password: "long enough pw"})
			if err != nil {
				t.Fatal(err)
			}
			if err := ids.GrantRole(ctx, u.ID, role, o.ID, 0); err != nil {
				t.Fatal(err)
			}
			secret, _, err := ids.CreateToken(ctx, u.ID, "t", 0)
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		tokens := map[string]string{
			"provider": token("prov.officer", provider, identity.RoleProviderOfficer),
			"consumer": token("cons.officer", consumer, identity.RoleConsumerOfficer),
			"auditor":  token("auditor", prov, identity.RoleAuditor),
			"outsider": token("outsider", other, identity.RoleConsumerOfficer),
		}
		signer, err := sharelog.LoadOrCreateKey(filepath.Join(t.TempDir(), "k"))
		if err != nil {
			t.Fatal(err)
		}
		w, err := sharelog.NewWriter(ctx, db, "n1", signer, sharelog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		now := time.Now().UTC()
		calls := []sharelog.Entry{
			{RequesterOrgID: consumer.ID, ProviderOrgID: provider.ID, ServiceID: 7, ServiceCode: "a.svc", Method: "GET", Path: "/s/a.svc/1", Status: 200, CorrelationID: "c1"},
			{RequesterOrgID: consumer.ID, ProviderOrgID: provider.ID, ServiceID: 7, ServiceCode: "a.svc", Method: "GET", Path: "/s/a.svc/2", Status: 403, RefusalCode: "suspended", CorrelationID: "c2"},
			{RequesterOrgID: other.ID, ProviderOrgID: other.ID, ServiceID: 9, ServiceCode: "o.svc", Method: "GET", Path: "/s/o.svc/=cmd", Status: 200, CorrelationID: "c3"},
			// A caller the gateway could not identify, for a service it does not know.
			{ProviderOrgID: provider.ID, Method: "GET", Path: "/s/no.such/1", Status: 404, RefusalCode: "unknown_service", CorrelationID: "c4",
				LatencyMicros: 1234567, ResponseBytes: 12345},
		}
		for _, e := range calls {
			e.RequestedAt, e.RespondedAt, e.Form = now, now, sharelog.FormOnline
			if _, err := w.Append(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		exports, err := web.NewExports(t.TempDir(), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer exports.Close()
		mux, _ := webtest.Mount(t, func(mux *http.ServeMux, site *web.Site, api *platform.API) error {
			exports.Register(mux, site)
			return logweb.Register(mux, site, api, db, dir, codes{"a.svc": 7, "o.svc": 9}, exports)
		})
		srv := httptest.NewServer(ids.Authenticate(mux))
		defer srv.Close()
		get := func(who, path string) (int, string) {
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			if who != "" {
				req.Header.Set("Authorization", "Bearer "+tokens[who])
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		count := func(who, query string) int {
			status, body := get(who, "/api/v1/logs"+query)
			if status != 200 {
				t.Fatalf("%s %s: %d %s", who, query, status, body)
			}
			var res struct {
				Items []logweb.EntryView `json:"items"`
			}
			if err := json.Unmarshal([]byte(body), &res); err != nil {
				t.Fatal(err)
			}
			return len(res.Items)
		}
		for _, tt := range []struct {
			who, query string
			want       int
		}{
			{"provider", "", 3},
			{"consumer", "", 2},
			{"auditor", "", 3},
			{"outsider", "", 1},
			{"consumer", "?status=refused", 1},
			{"consumer", "?code=suspended", 1},
			{"provider", "?status=ok", 1},
			{"auditor", "?service=9", 0},
			{"auditor", "?service=a.svc", 2},
			{"auditor", "?org=PROV.B", 2},
			{"provider", "?org=PROV.A&status=refused", 2},
		} {
			if got := count(tt.who, tt.query); got != tt.want {
				t.Errorf("%s %s: %d entries, want %d", tt.who, tt.query, got, tt.want)
			}
		}
		if status, _ := get("", "/api/v1/logs"); status != 401 {
			t.Errorf("anonymous: %d", status)
		}
		if status, body := get("consumer", "/api/v1/logs?from=2026-13-01"); status != 422 || !strings.Contains(body, `"field":"from"`) {
			t.Errorf("bad date: %d %s", status, body)
		}
		// Every wrong filter is named at once.
		if status, body := get("auditor", "/api/v1/logs?from=2026-13-01&status=nope&service=no.such.svc&org=NO.SUCH"); status != 422 ||
			!strings.Contains(body, `"errors":[`) {
			t.Errorf("several bad filters: %d %s", status, body)
		} else {
			for _, f := range []string{"from", "status", "service", "org"} {
				if !strings.Contains(body, `{"field":"`+f+`"`) {
					t.Errorf("several bad filters: %s not named in %s", f, body)
				}
			}
		}
		if _, body := get("auditor", "/logs?from=2026-13-01&status=nope"); !strings.Contains(body, `id="from-err"`) || strings.Count(body, `class="error"`) < 2 {
			t.Errorf("page with two bad filters: %.3000s", body)
		}
		for _, q := range []string{"?org=" + strconv.FormatInt(other.ID, 10), "?org=OTHER"} {
			if status, _ := get("consumer", "/api/v1/logs"+q); status != 403 {
				t.Errorf("org outside scope %s: %d", q, status)
			}
		}
		for _, tt := range []struct{ query, field string }{
			{"?service=no.such.svc", "service"}, {"?service=-3", "service"},
			{"?org=NO.SUCH", "org"}, {"?org=0", "org"},
		} {
			if status, body := get("auditor", "/api/v1/logs"+tt.query); status != 422 || !strings.Contains(body, `"field":"`+tt.field+`"`) {
				t.Errorf("%s: %d %s", tt.query, status, body)
			}
		}
		// The page offers the organisations in scope and the services, and
		// keeps the organisation in its export links.
		if status, body := get("auditor", "/logs?org=PROV.B"); status != 200 {
			t.Errorf("page: %d", status)
		} else {
			for _, want := range []string{`<option value="PROV.B" selected>`, `<option value="PROV.A">`, `<option value="a.svc">`, `org=PROV.B`} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
			if strings.Contains(body, `value="OTHER"`) {
				t.Error("page offers an organisation outside the scope")
			}
		}
		// Numbers are written the Vietnamese way, unidentified parties say so,
		// and an empty list tells why it is empty.
		if status, body := get("provider", "/logs"); status != 200 {
			t.Errorf("page: %d", status)
		} else {
			for _, want := range []string{"1.234,6", "chưa xác định", `class="num-col nowrap">Độ trễ (ms)`, `<table class="wide">`} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
		}
		for _, tt := range []struct{ who, query, want string }{
			{"consumer", "?code=no_such_code", "Không có lượt gọi nào phù hợp với điều kiện lọc."},
			{"consumer", "?from=2026-13-01", "Hãy sửa điều kiện lọc ở trên để xem các lượt gọi."},
		} {
			if _, body := get(tt.who, "/logs"+tt.query); !strings.Contains(body, tt.want) {
				t.Errorf("%s %s: page lacks %q", tt.who, tt.query, tt.want)
			}
		}
		res, _ := sharelog.Query(ctx, db, sharelog.Filter{})
		var otherID, firstID, unknownID int64
		for _, e := range res.Items {
			switch e.CorrelationID {
			case "c3":
				otherID = e.ID
			case "c1":
				firstID = e.ID
			case "c4":
				unknownID = e.ID
			}
		}
		if status, body := get("provider", "/logs/"+strconv.FormatInt(unknownID, 10)); status != 200 ||
			!strings.Contains(body, "chưa xác định") || strings.Contains(body, "tài khoản 0") || !strings.Contains(body, "12.345 byte") {
			t.Errorf("entry of an unidentified caller: %d %.2000s", status, body)
		}
		// The entry page names the form of sharing and the sizes in Vietnamese.
		if status, body := get("provider", "/logs/"+strconv.FormatInt(firstID, 10)); status != 200 ||
			!strings.Contains(body, "khai thác trực tuyến") || !strings.Contains(body, "0 byte") || !strings.Contains(body, "thành công") {
			t.Errorf("entry page: %d %.2000s", status, body)
		}
		if status, _ := get("consumer", "/api/v1/logs/"+strconv.FormatInt(otherID, 10)); status != 404 {
			t.Errorf("entry outside scope: %d", status)
		}
		if status, body := get("outsider", "/api/v1/logs/export.csv"); status != 200 || !strings.Contains(body, "'=cmd") && !strings.Contains(body, "o.svc") {
			t.Errorf("export: %d %s", status, body)
		} else if strings.Contains(body, "a.svc") {
			t.Errorf("export leaks calls outside the scope: %s", body)
		}
		testExportJob(t, srv.URL, tokens)
	})
}

// testExportJob: the page's export runs in the background with the list's
// filters and the caller's scope; its page, status and file are its
// starter's only.
func testExportJob(t *testing.T, base string, tokens map[string]string) {
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(who, method, path string, form url.Values) (*http.Response, string) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Authorization", "Bearer "+tokens[who])
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	res, body := do("provider", "POST", "/logs/exports?status=refused", url.Values{"format": {"csv"}})
	job := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(job, "/exports/") {
		t.Fatalf("start export: %d %s %.500s", res.StatusCode, job, body)
	}
	var st web.ExportStatus
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, body := do("provider", "GET", job+"/status", nil)
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatalf("status: %v %s", err, body)
		}
		if st.State != web.ExportRunning || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st.State != web.ExportDone || st.Rows != 2 || st.Total != 2 || st.Percent != 100 || !strings.Contains(st.Title, "Nhật ký chia sẻ dữ liệu · CSV") {
		t.Fatalf("finished job: %+v", st)
	}
	if res, body := do("provider", "GET", job, nil); res.StatusCode != 200 || !strings.Contains(body, "Tệp đã sẵn sàng.") || !strings.Contains(body, job+"/file") {
		t.Errorf("job page: %d %.2000s", res.StatusCode, body)
	}
	res, body = do("provider", "GET", st.File, nil)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), ".csv") ||
		!strings.Contains(body, "suspended") || !strings.Contains(body, "unknown_service") || strings.Contains(body, "/s/a.svc/1") {
		t.Errorf("file: %d %v %s", res.StatusCode, res.Header, body)
	}
	for _, path := range []string{job, job + "/status", st.File} {
		if res, _ := do("consumer", "GET", path, nil); res.StatusCode != 404 {
			t.Errorf("another user's %s: %d", path, res.StatusCode)
		}
	}
	if res, _ := do("provider", "POST", "/logs/exports", url.Values{"format": {"pdf"}}); res.StatusCode != 422 {
		t.Errorf("unknown format: %d", res.StatusCode)
	}
	if res, _ := do("consumer", "POST", "/logs/exports?org=OTHER", url.Values{"format": {"xlsx"}}); res.StatusCode != 403 {
		t.Errorf("export outside the scope: %d", res.StatusCode)
	}
	if res, body := do("provider", "GET", "/exports", nil); res.StatusCode != 200 || !strings.Contains(body, "Tệp đã xuất") || !strings.Contains(body, st.Filename) {
		t.Errorf("my exports: %d %.2000s", res.StatusCode, body)
	}
}

// codes resolves service codes like the catalog does for the app.
type codes map[string]int64

func (c codes) ServiceID(_ context.Context, code string) (int64, error) {
	if id, ok := c[code]; ok {
		return id, nil
	}
	return 0, platform.NotFound("service")
}

func (c codes) ServiceOptions(context.Context, int) ([]logweb.ServiceOption, error) {
	var out []logweb.ServiceOption
	for code, id := range c {
		out = append(out, logweb.ServiceOption{ID: id, Code: code, Name: "Service " + code})
	}
	return out, nil
}
