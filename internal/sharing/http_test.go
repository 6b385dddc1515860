package sharing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharing"
	"github.com/govdx/govdx/internal/web"
)

// server builds the same handler tree as the app: mux, site, API and
// authentication.
func (e *env) server(t *testing.T) (*httptest.Server, *platform.API) {
	t.Helper()
	mux := http.NewServeMux()
	site, err := web.New()
	if err != nil {
		t.Fatal(err)
	}
	api := platform.NewAPI(mux, "/api/v1", "govdx API", "test")
	if err := sharing.Register(mux, site, api, e.store); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.ids.Authenticate(mux))
	t.Cleanup(srv.Close)
	return srv, api
}

type step struct {
	name     string
	who      string // user whose token is sent; "" = anonymous
	method   string
	path     string
	body     string
	form     url.Values
	status   int
	contains []string // in the body
	absent   []string // not in the body
	field    string   // problem+json field
	follow   bool     // check contains/absent on the page the redirect leads to
}

func (e *env) do(t *testing.T, srv *httptest.Server, s step) (int, http.Header, []byte) {
	t.Helper()
	var body io.Reader
	if s.body != "" {
		body = strings.NewReader(s.body)
	} else if s.form != nil {
		body = strings.NewReader(s.form.Encode())
	}
	req, _ := http.NewRequest(s.method, srv.URL+s.path, body)
	if s.who != "" {
		req.Header.Set("Authorization", "Bearer "+e.token[s.who])
	}
	switch {
	case s.body != "":
		req.Header.Set("Content-Type", "application/json")
	case s.form != nil:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

func (e *env) run(t *testing.T, srv *httptest.Server, steps []step) {
	t.Helper()
	for _, s := range steps {
		status, h, b := e.do(t, srv, s)
		if status != s.status {
			t.Errorf("%s: %s %s as %q: status %d, want %d: %s", s.name, s.method, s.path, s.who, status, s.status, b)
			continue
		}
		if s.follow {
			status, h, b = e.do(t, srv, step{who: s.who, method: "GET", path: h.Get("Location")})
			if status != 200 {
				t.Errorf("%s: the redirect to %s answers %d", s.name, h.Get("Location"), status)
			}
		}
		for _, c := range s.contains {
			if !bytes.Contains(b, []byte(c)) {
				t.Errorf("%s: body lacks %q: %.600s", s.name, c, b)
			}
		}
		for _, c := range s.absent {
			if bytes.Contains(b, []byte(c)) {
				t.Errorf("%s: body holds %q", s.name, c)
			}
		}
		if s.field != "" {
			var p platform.Problem
			_ = json.Unmarshal(b, &p)
			if h.Get("Content-Type") != "application/problem+json" || p.Field != s.field {
				t.Errorf("%s: want problem+json naming %q, got %s %s", s.name, s.field, h.Get("Content-Type"), b)
			}
		}
	}
}

func TestAPIRoleChecksAndBadInput(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		srv, api := e.server(t)
		good := `{"application_code":"SYT-CPHN","application_name":"Cấp phép hành nghề","purpose":"Xác minh doanh nghiệp khi cấp phép",
			"service_id":1,"items":["ma_so_dn","ten_dn","dia_chi"],"expected_calls_per_day":500,"frequency_note":"8h-11h"}`
		e.run(t, srv, []step{
			{name: "anonymous", method: "GET", path: "/api/v1/requests", status: 401},
			{name: "unknown item", who: "syt", method: "POST", path: "/api/v1/requests", status: 422, field: "items",
				body: strings.Replace(good, `"dia_chi"`, `"so_cccd"`, 1), contains: []string{`"code":"unknown_item"`}},
			{name: "retired service", who: "syt", method: "POST", path: "/api/v1/requests", status: 422, field: "service_id",
				body: strings.Replace(good, `"service_id":1`, `"service_id":2`, 1), contains: []string{"service_not_available"}},
			{name: "wrong type", who: "syt", method: "POST", path: "/api/v1/requests", status: 422, field: "expected_calls_per_day",
				body: strings.Replace(good, `500`, `"many"`, 1)},
			{name: "unknown field", who: "syt", method: "POST", path: "/api/v1/requests", status: 422, field: "frequency",
				body: strings.Replace(good, `"frequency_note"`, `"frequency"`, 1)},
			{name: "no purpose", who: "syt", method: "POST", path: "/api/v1/requests", status: 422, field: "purpose",
				body: strings.Replace(good, `Xác minh doanh nghiệp khi cấp phép`, ``, 1)},
			{name: "provider files for the consumer", who: "stc", method: "POST", path: "/api/v1/requests", status: 403,
				body: strings.Replace(good, `"service_id":1`, `"consumer_org_id":`+strconv.FormatInt(e.orgs["DN.SYT"].ID, 10)+`,"service_id":1`, 1)},
			{name: "file", who: "syt", method: "POST", path: "/api/v1/requests", body: good, status: 201,
				contains: []string{`"state":"submitted"`, `"due_on":"2026-03-04"`, `"rule_id":"D47-35.3/D194-40.3"`, `"item_count":3`, `"consumer_org_code":"DN.SYT"`}},
			{name: "duplicate", who: "syt", method: "POST", path: "/api/v1/requests", body: good, status: 409},
			{name: "other province cannot see", who: "qn.it", method: "GET", path: "/api/v1/requests/1", status: 404},
			{name: "other agency cannot see", who: "snnmt", method: "GET", path: "/api/v1/requests/1", status: 404},
			{name: "IT unit sees", who: "danang.it", method: "GET", path: "/api/v1/requests/1", status: 200},
			{name: "lists are scoped", who: "qn.it", method: "GET", path: "/api/v1/requests", status: 200, contains: []string{`"items":[]`}},
			{name: "list", who: "stc", method: "GET", path: "/api/v1/requests?state=submitted", status: 200, contains: []string{`"id":1`}},
			{name: "bad state filter", who: "stc", method: "GET", path: "/api/v1/requests?state=lost", status: 422, field: "state"},
			{name: "requester cannot approve", who: "syt", method: "POST", path: "/api/v1/requests/1/approve", body: `{}`, status: 403},
			{name: "other province cannot approve", who: "qn.it", method: "POST", path: "/api/v1/requests/1/approve", body: `{}`, status: 404},
			{name: "refusal without legal basis", who: "stc", method: "POST", path: "/api/v1/requests/1/refuse", status: 422, field: "legal_basis",
				body: `{"reason":"Dữ liệu có thông tin cá nhân"}`},
			{name: "approve an item not requested", who: "stc", method: "POST", path: "/api/v1/requests/1/approve", status: 422, field: "items",
				body: `{"items":["von_dieu_le"]}`},
			{name: "bad validity", who: "stc", method: "POST", path: "/api/v1/requests/1/approve", status: 422, field: "valid_to",
				body: `{"valid_to":"31/12/2026"}`},
			{name: "approve", who: "stc", method: "POST", path: "/api/v1/requests/1/approve", status: 201,
				body: `{"items":["ma_so_dn","ten_dn"],"rate_per_minute":20}`, contains: []string{`"api_key":"gdxk_`, `"rate_per_minute":20`}},
			{name: "approve twice", who: "stc", method: "POST", path: "/api/v1/requests/1/approve", body: `{}`, status: 409},
			{name: "withdraw after decision", who: "syt", method: "POST", path: "/api/v1/requests/1/withdraw", status: 409},
			{name: "consumer sees its account", who: "syt", method: "GET", path: "/api/v1/accounts", status: 200, contains: []string{`"key_prefix":"gdxk_`, `"ma_so_dn"`}},
			{name: "other province sees no account", who: "qn.it", method: "GET", path: "/api/v1/accounts", status: 200, contains: []string{`"items":[]`}},
			{name: "provider cannot rotate", who: "stc", method: "POST", path: "/api/v1/accounts/1/rotate", status: 403},
			{name: "consumer rotates", who: "syt", method: "POST", path: "/api/v1/accounts/1/rotate", status: 200, contains: []string{`"api_key":"gdxk_`}},
			{name: "revoke without reason", who: "stc", method: "POST", path: "/api/v1/accounts/1/revoke", body: `{"reason":""}`, status: 422, field: "reason"},
			{name: "inbox", who: "syt", method: "GET", path: "/api/v1/inbox", status: 200, contains: []string{`"unread":2`, `"kind":"request.approved"`}},
			{name: "reminders", who: "stc", method: "GET", path: "/api/v1/reminders", status: 200, contains: []string{`"counts":{"nearing":0,"overdue":0}`}},
			{name: "read all", who: "syt", method: "POST", path: "/api/v1/inbox/read-all", status: 204},
			{name: "inbox read", who: "syt", method: "GET", path: "/api/v1/inbox?unread=1", status: 200, contains: []string{`"items":[]`, `"unread":0`}},
			{name: "revoke", who: "stc", method: "POST", path: "/api/v1/accounts/1/revoke", body: `{"reason":"Vi phạm quy chế khai thác"}`, status: 200,
				contains: []string{`"status":"revoked"`}},
		})
		// The API key appears in the approval response only, never cached.
		s := step{who: "stc", method: "POST", path: "/api/v1/requests", body: strings.Replace(good, "Cấp phép hành nghề", "Ứng dụng khác", 1)}
		s.who = "syt"
		if st, _, b := e.do(t, srv, s); st != 201 {
			t.Fatalf("file: %d %s", st, b)
		}
		st, h, b := e.do(t, srv, step{who: "stc", method: "POST", path: "/api/v1/requests/2/approve", body: `{}`})
		var kr sharing.KeyResponse
		if err := json.Unmarshal(b, &kr); err != nil || st != 201 || h.Get("Cache-Control") != "no-store" {
			t.Fatalf("approve: %d %s %v", st, h.Get("Cache-Control"), err)
		}
		if _, _, b := e.do(t, srv, step{who: "syt", method: "GET", path: "/api/v1/accounts/2"}); bytes.Contains(b, []byte(kr.APIKey)) {
			t.Fatal("the key is shown again")
		}
		// Every operation is documented.
		doc, _ := json.Marshal(api.OpenAPI())
		for _, p := range []string{"/api/v1/requests", "/api/v1/requests/{id}/approve", "/api/v1/requests/{id}/refuse",
			"/api/v1/requests/{id}/withdraw", "/api/v1/requests/export.csv", "/api/v1/accounts/{id}/rotate",
			"/api/v1/accounts/{id}/revoke", "/api/v1/inbox", "/api/v1/inbox/{id}/read", "/api/v1/reminders"} {
			if !bytes.Contains(doc, []byte(`"`+p+`"`)) {
				t.Errorf("OpenAPI lacks %s", p)
			}
		}
	})
}

func TestPages(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		srv, _ := e.server(t)
		e.mustRequest(t)
		e.run(t, srv, []step{
			{name: "list", who: "stc", method: "GET", path: "/requests", status: 200, contains: []string{"DN.STC.TRACUU_DN", "Org DN.SYT", "Xuất Excel"}},
			{name: "new form", who: "syt", method: "GET", path: "/requests/new?service=1", status: 200,
				contains: []string{"Người đại diện theo pháp luật", `name="items" value="von_dieu_le"`, "a) Cơ quan, tổ chức yêu cầu", "g) Thông tin khác"}},
			{name: "new form of a retired service", who: "syt", method: "GET", path: "/requests/new?service=2", status: 200,
				contains: []string{"dịch vụ chưa được công bố"}},
			{name: "provider cannot file", who: "stc", method: "GET", path: "/requests/new?service=1", status: 403},
			{name: "form with an unknown item", who: "syt", method: "POST", path: "/requests", status: 422,
				form:     url.Values{"service_id": {"1"}, "application_name": {"App"}, "purpose": {"Mục đích sử dụng dữ liệu"}, "items": {"nope"}, "expected_calls_per_day": {"10"}},
				contains: []string{`aria-describedby="items-err"`}},
			{name: "form", who: "syt", method: "POST", path: "/requests", status: 303,
				form: url.Values{"service_id": {"1"}, "application_name": {"App"}, "purpose": {"Mục đích sử dụng dữ liệu"}, "items": {"ma_so_dn", "ten_dn"}, "expected_calls_per_day": {"10"}}},
			{name: "detail for the provider", who: "stc", method: "GET", path: "/requests/1", status: 200,
				contains: []string{"hạn 04/03/2026 (2 ngày làm việc, D47-35.3/D194-40.3)", "500 lượt/ngày", `action="/requests/1/approve"`, `action="/requests/1/refuse"`}},
			{name: "detail for the requester", who: "syt", method: "GET", path: "/requests/1", status: 200, contains: []string{`action="/requests/1/withdraw"`}},
			{name: "detail elsewhere", who: "qn.it", method: "GET", path: "/requests/1", status: 404},
			{name: "refuse without legal basis", who: "stc", method: "POST", path: "/requests/1/refuse", status: 422,
				form: url.Values{"reason": {"Dữ liệu có thông tin cá nhân"}}, contains: []string{"căn cứ pháp lý hạn chế chia sẻ"}},
			{name: "approve with no item", who: "stc", method: "POST", path: "/requests/1/approve", status: 422,
				form: url.Values{"rate_per_minute": {"60"}}, contains: []string{"hãy chọn ít nhất một trường dữ liệu"}},
			{name: "approve", who: "stc", method: "POST", path: "/requests/1/approve", status: 303, follow: true,
				form:     url.Values{"items": {"ma_so_dn"}, "rate_per_minute": {"60"}, "rate_per_day": {"12000"}, "valid_from": {"2026-03-02"}, "valid_to": {"2026-12-31"}},
				contains: []string{`id="api-key">gdxk_`, "sẽ không được hiển thị lại", "60 lượt/phút, 12.000 lượt/ngày"}},
			{name: "refuse", who: "stc", method: "POST", path: "/requests/2/refuse", status: 303,
				form: url.Values{"reason": {"Dữ liệu có thông tin cá nhân"}, "legal_basis": {"Khoản 2 Điều 16 NĐ 194/2025"}}},
			{name: "accounts", who: "syt", method: "GET", path: "/accounts", status: 200, contains: []string{"Đổi khóa API", "gdxk_", `href="/requests/1"`, "12.000 lượt/ngày"}},
			{name: "no revoked accounts", who: "syt", method: "GET", path: "/accounts?status=revoked", status: 200,
				contains: []string{"Không có tài khoản kết nối nào ở trạng thái này.", `href="/accounts"`}},
			{name: "no accounts yet", who: "qn.it", method: "GET", path: "/accounts", status: 200,
				contains: []string{"Tài khoản được tạo khi bên cung cấp chấp thuận yêu cầu kết nối."}},
			{name: "rotate", who: "syt", method: "POST", path: "/accounts/1/rotate", status: 303, follow: true, contains: []string{`id="api-key">gdxk_`}},
			{name: "account page", who: "syt", method: "GET", path: "/accounts/1", status: 200,
				contains: []string{"Tài khoản kết nối #1", `action="/accounts/1/rotate"`, `data-confirm="Cấp khóa API mới?`, "/logs?org="}},
			{name: "account page elsewhere", who: "qn.it", method: "GET", path: "/accounts/1", status: 404},
			{name: "account page, not a number", who: "syt", method: "GET", path: "/accounts/x", status: 404},
			{name: "accounts link their page", who: "syt", method: "GET", path: "/accounts", status: 200, contains: []string{`href="/accounts/1"`}},
			{name: "revoke without reason", who: "stc", method: "POST", path: "/accounts/1/revoke", form: url.Values{"reason": {""}}, status: 422,
				contains: []string{"hãy nêu lý do thu hồi", `aria-describedby="reason-1-err"`, "Tài khoản kết nối #1"}},
			{name: "revoke", who: "stc", method: "POST", path: "/accounts/1/revoke", form: url.Values{"reason": {"Vi phạm quy chế khai thác"}}, status: 303},
			{name: "revoked account page", who: "syt", method: "GET", path: "/accounts/1", status: 200,
				contains: []string{"Vi phạm quy chế khai thác"}, absent: []string{`action="/accounts/1/rotate"`}},
			{name: "inbox", who: "danang.it", method: "GET", path: "/inbox", status: 200, contains: []string{"Sao gửi: Yêu cầu kết nối bị từ chối"}},
			{name: "reminders", who: "danang.it", method: "GET", path: "/reminders", status: 200, contains: []string{"Nhắc hạn"}},
			{name: "csv", who: "stc", method: "GET", path: "/requests/export.csv", status: 200, contains: []string{"\ufeffSố,Trạng thái"}},
			{name: "anonymous", method: "GET", path: "/requests", status: 303},
		})
	})
}

func TestExportGuardsFormulas(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		srv, _ := e.server(t)
		in := e.input()
		in.ApplicationName = `=HYPERLINK("http://evil","x")`
		in.Purpose = "@SUM(1+1) để xác minh dữ liệu"
		if _, err := e.store.CreateRequest(context.Background(), e.p["syt"], in); err != nil {
			t.Fatal(err)
		}
		st, h, b := e.do(t, srv, step{who: "stc", method: "GET", path: "/api/v1/requests/export.csv"})
		if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv %d %s", st, h.Get("Content-Type"))
		}
		if !bytes.Contains(b, []byte(`"'=HYPERLINK(""http://evil"",""x"")"`)) || !bytes.Contains(b, []byte(`'@SUM(1+1)`)) {
			t.Fatalf("csv not defused: %s", b)
		}
		st, _, b = e.do(t, srv, step{who: "stc", method: "GET", path: "/api/v1/requests/export.xlsx"})
		if st != 200 {
			t.Fatalf("xlsx %d", st)
		}
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil || len(rows) != 2 {
			t.Fatalf("rows %v %v", rows, err)
		}
		if rows[1][8] != `'=HYPERLINK("http://evil","x")` || rows[0][0] != "Số" {
			t.Fatalf("xlsx row %q header %q", rows[1][8], rows[0][0])
		}
		if formula, _ := f.GetCellFormula(f.GetSheetName(0), "I2"); formula != "" {
			t.Fatalf("a formula was written: %q", formula)
		}
		// Other organisations export nothing of it.
		_, _, b = e.do(t, srv, step{who: "qn.it", method: "GET", path: "/api/v1/requests/export.csv"})
		if bytes.Contains(b, []byte("HYPERLINK")) {
			t.Fatal("export is not scoped")
		}
	})
}

// TestKeyPageShownOnce: a new key's page is reached by a redirect, so a
// refresh never sends the approval or the replacement again; the page shows
// the key once, to the person who made it, and never from a cache.
func TestKeyPageShownOnce(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		srv, _ := e.server(t)
		e.mustRequest(t)
		st, h, _ := e.do(t, srv, step{who: "stc", method: "POST", path: "/requests/1/approve",
			form: url.Values{"items": {"ma_so_dn"}, "rate_per_minute": {"60"}}})
		page := h.Get("Location")
		if st != 303 || !strings.HasPrefix(page, "/accounts/1/key?t=") {
			t.Fatalf("approve: %d %s", st, page)
		}
		if st, h, _ := e.do(t, srv, step{who: "syt", method: "GET", path: page}); st != 303 || strings.Contains(h.Get("Location"), "/key") {
			t.Errorf("another person opens the key page: %d %s", st, h.Get("Location"))
		}
		st, h, keyPage := e.do(t, srv, step{who: "stc", method: "GET", path: page})
		if st != 200 || !bytes.Contains(keyPage, []byte(`id="api-key">gdxk_`)) || h.Get("Cache-Control") != "no-store" {
			t.Fatalf("key page: %d %s %.300s", st, h.Get("Cache-Control"), keyPage)
		}
		st, h, _ = e.do(t, srv, step{who: "stc", method: "GET", path: page})
		if st != 303 || !strings.HasPrefix(h.Get("Location"), "/accounts/1?notice=") {
			t.Fatalf("key page again: %d %s", st, h.Get("Location"))
		}
		if _, _, b := e.do(t, srv, step{who: "stc", method: "GET", path: h.Get("Location")}); !bytes.Contains(b, []byte("Khóa API chỉ hiển thị một lần")) ||
			bytes.Contains(b, []byte(`id="api-key"`)) {
			t.Errorf("the account page after the key was shown: %.2000s", b)
		}
		// Viewing changed nothing: the key shown is still the account's.
		key := regexp.MustCompile(`id="api-key">(gdxk_[^<]+)<`).FindSubmatch(keyPage)
		a, err := e.store.Account(context.Background(), e.p["stc"], 1)
		if err != nil || key == nil || !strings.HasPrefix(string(key[1]), a.KeyPrefix) {
			t.Errorf("the account's key after two views: %q, prefix %q, %v", key, a.KeyPrefix, err)
		}
	})
}
