package dbi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/dbi"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/web/webtest"
)

// server serves the DBI pages and API of w as the app wires them.
func server(t *testing.T, w *world) *httptest.Server {
	t.Helper()
	mux, _ := webtest.Mount(t, func(mux *http.ServeMux, site *web.Site, api *platform.API) error {
		return dbi.Register(mux, site, api, w.store)
	})
	srv := httptest.NewServer(w.ids.Authenticate(mux))
	t.Cleanup(srv.Close)
	return srv
}

// client is a caller: a bearer token for the API, a session for pages.
type client struct {
	t       *testing.T
	srv     *httptest.Server
	token   string
	session string
	csrf    string
}

func (w *world) client(t *testing.T, srv *httptest.Server, p *identity.Principal) *client {
	t.Helper()
	c := &client{t: t, srv: srv}
	if p == nil {
		return c
	}
	secret, _, err := w.ids.CreateToken(context.Background(), p.UserID, "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	sid, sp, err := w.ids.Login(context.Background(), p.Username, password, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	c.token, c.session, c.csrf = secret, sid, sp.CSRF
	return c
}

// api calls the JSON API and returns the status and body.
func (c *client) api(method, path string, body any) (int, string) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, c.srv.URL+"/api/v1"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return c.do(req)
}

// page gets a page (GET) or posts a form with the session's CSRF token.
func (c *client) page(method, path string, form url.Values) (int, string) {
	c.t.Helper()
	var rd io.Reader
	if form != nil {
		form.Set("_csrf", c.csrf)
		rd = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.srv.URL+path, rd)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.session != "" {
		req.AddCookie(&http.Cookie{Name: identity.SessionCookie, Value: c.session})
	}
	return c.do(req)
}

func (c *client) do(req *http.Request) (int, string) {
	c.t.Helper()
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := cl.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if loc := res.Header.Get("Location"); loc != "" {
		return res.StatusCode, loc
	}
	return res.StatusCode, string(b)
}

func expect(t *testing.T, what string, status int, body string, wantStatus int, wantIn ...string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("%s: status %d, want %d: %.600s", what, status, wantStatus, body)
	}
	for _, s := range wantIn {
		if !strings.Contains(body, s) {
			t.Fatalf("%s: body lacks %q: %.2000s", what, s, body)
		}
	}
}

// TestHTTPRolesAndVerification runs the workflow through the API with each
// role's token, checks who is refused, drives the pages with a session, and
// verifies the certificate on the public page.
func TestHTTPRolesAndVerification(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		w := newWorld(t, db)
		srv := server(t, w)
		anon := w.client(t, srv, nil)

		// Public: scoring, models, size, registration.
		st, body := anon.api("POST", "/dbi/score", map[string]any{"index": "sme", "levels": map[string]int{"1.1.1": 3, "2.1.1": 4}})
		expect(t, "score", st, body, 200, `"total":23`)
		st, body = anon.api("POST", "/dbi/score", map[string]any{"index": "sme", "levels": map[string]int{"1.1.1": 9, "2.6.1": 1}})
		expect(t, "bad score", st, body, 422, "level 9 is out of range", "belongs to the large index", `"problems"`)
		st, body = anon.api("GET", "/dbi/size?sector=logistics&staff=60&revenue=80&capital=60", nil)
		expect(t, "size", st, body, 200, `"size":"medium"`, `"index":"sme"`)
		st, body = anon.api("POST", "/dbi/registrations", dbi.Registration{TaxCode: "0401234567", Name: "Công ty TNHH Hàn Giang",
			ProfileInput: dbi.ProfileInput{Field: "trade", ProvinceCode: "48", Staff: 30, Revenue: 40, Capital: 10},
			Account:      dbi.Account{Username: "hangiang", FullName: "Nguyễn Hạnh", Password: password}})
		expect(t, "register", st, body, 201, `"size":"small"`)
		var reg struct {
			Enterprise dbi.Enterprise `json:"enterprise"`
		}
		_ = json.Unmarshal([]byte(body), &reg)
		eid := strconv.FormatInt(reg.Enterprise.ID, 10)

		ent := w.client(t, srv, w.login(t, "hangiang"))
		doic, doicQN, mic := w.client(t, srv, w.doic), w.client(t, srv, w.doicQN), w.client(t, srv, w.mic)
		st, body = anon.api("GET", "/dbi/enterprises/"+eid, nil)
		expect(t, "anonymous enterprise", st, body, 401)
		st, body = doicQN.api("GET", "/dbi/enterprises/"+eid, nil)
		expect(t, "other province", st, body, 404)
		st, body = ent.api("POST", "/dbi/enterprises/"+eid+"/assessments", dbi.NewAssessment{})
		expect(t, "create", st, body, 201, `"state":"draft"`, `"editable_column":"self"`)
		var d dbi.Detail
		_ = json.Unmarshal([]byte(body), &d)
		aid := "/dbi/assessments/" + strconv.FormatInt(d.ID, 10)

		// Pages: the long form saves and re-renders points and levels.
		st, body = ent.page("GET", aid+"/edit", nil)
		expect(t, "form", st, body, 200, `data-score-url="/api/v1/dbi/score"`, `name="L.1.1.1"`, `id="pillar-6"`, "/dbi/static/dbi.")
		form := url.Values{"column": {"self"}, "op": {"save:pillar-2"}, "L.1.1.1": {"3"}, "L.2.1.1": {"4"}}
		st, loc := ent.page("POST", aid+"/edit", form)
		expect(t, "save form", st, loc, 303, "/edit?notice=", "#pillar-2")
		st, body = ent.page("GET", aid+"/edit", nil)
		expect(t, "saved form", st, body, 200, `<span class="big" id="total">23</span>`, `value="3" checked`)
		// Finishing with missing criteria marks them on the form.
		form = url.Values{"column": {"self"}, "op": {"finish"}, "L.1.1.1": {"3"}}
		st, body = ent.page("POST", aid+"/edit", form)
		expect(t, "finish incomplete", st, body, 422, "Còn tiêu chí chưa được chấm", "1.1.2, 1.1.3", `class="crit missing" id="c-1.1.2"`)

		// The API: bad levels, wrong column, wrong role, all refused.
		st, body = ent.api("PUT", aid+"/levels", dbi.LevelsInput{Column: dbi.ColSelf, Levels: map[string]*int{"1.1.1": lv(6)}})
		expect(t, "out of range", st, body, 422, "invalid_levels", "criterion 1.1.1: level 6 is out of range 0-5")
		st, body = ent.api("PUT", aid+"/levels", dbi.LevelsInput{Column: dbi.ColMIC, Levels: map[string]*int{"1.1.1": lv(1)}})
		expect(t, "MIC column", st, body, 409, "column_locked")
		st, body = doic.api("PUT", aid+"/levels", dbi.LevelsInput{Column: dbi.ColSelf, Levels: map[string]*int{"1.1.1": lv(1)}})
		expect(t, "DoIC on self column", st, body, 403, "forbidden")
		st, body = ent.api("PUT", aid+"/levels", dbi.LevelsInput{Column: dbi.ColSelf, Levels: all(t, dbi.SME, 3)})
		expect(t, "all levels", st, body, 200, `"total":192`)
		for _, step := range []struct {
			c    *client
			in   dbi.ActionInput
			want string
		}{
			{ent, dbi.ActionInput{Action: dbi.ActSubmit}, `"state":"self_assessed"`},
			{ent, dbi.ActionInput{Action: dbi.ActRequestEvaluation, Assessor: dbi.ColDoIC}, `"state":"evaluation_requested"`},
		} {
			st, body = step.c.api("POST", aid+"/actions", step.in)
			expect(t, string(step.in.Action), st, body, 200, step.want)
		}
		st, body = ent.api("POST", aid+"/actions", dbi.ActionInput{Action: dbi.ActCertify})
		expect(t, "enterprise certifies", st, body, 409, "invalid_transition")
		st, body = doic.api("GET", "/dbi/queue", nil)
		expect(t, "DoIC queue", st, body, 200, `"enterprise_name":"Công ty TNHH Hàn Giang"`)
		st, body = doic.api("PUT", aid+"/levels", dbi.LevelsInput{Column: dbi.ColDoIC, Levels: all(t, dbi.SME, 3)})
		expect(t, "DoIC column", st, body, 200)
		st, body = doic.api("POST", aid+"/actions", dbi.ActionInput{Action: dbi.ActCompleteAssessment})
		expect(t, "DoIC completes", st, body, 200, `"state":"externally_assessed"`)
		st, body = ent.api("POST", aid+"/actions", dbi.ActionInput{Action: dbi.ActStartAppraisal})
		expect(t, "enterprise appraises", st, body, 403)

		// MIC through the pages: start, adjust with a reason on the form, certify.
		st, body = mic.page("GET", aid, nil)
		expect(t, "MIC sees the assessment", st, body, 200, "Bắt đầu thẩm định", "Sở TTTT đánh giá")
		st, loc = mic.page("POST", aid+"/act", url.Values{"action": {"start_appraisal"}})
		expect(t, "start appraisal", st, loc, 303)
		form = url.Values{"column": {"mic"}, "op": {"save"}, "L.1.1.1": {"5"}}
		st, body = mic.page("POST", aid+"/edit", form)
		expect(t, "adjust without reason", st, body, 422, "điều chỉnh cần có lý do")
		form.Set("R.1.1.1", "Đã có website thương mại điện tử")
		st, _ = mic.page("POST", aid+"/edit", form)
		expect(t, "adjust", st, "", 303)
		// A step's refusal shows beside its field; certifying asks first.
		st, body = mic.page("POST", aid+"/act", url.Values{"action": {"return"}})
		expect(t, "return without a reason", st, body, 422, `aria-invalid="true" aria-describedby="reason-return-err"`,
			`<div class="error" id="reason-return-err">`, `data-confirm="Cấp chứng nhận mức này?`)
		if strings.Contains(body, `<div class="alert" role="alert">`) {
			t.Error("the reason's refusal is also shown at the top of the page")
		}
		st, loc = mic.page("POST", aid+"/act", url.Values{"action": {"certify"}})
		expect(t, "certify", st, loc, 303)
		// The history gives the workflow's details in Vietnamese.
		st, body = mic.page("GET", aid, nil)
		expect(t, "history", st, body, 200, "cột Sở TTTT đánh giá: chấm 60 tiêu chí, xóa 0 mức", "từ cột Sở TTTT đánh giá", "bộ chỉ số Doanh nghiệp nhỏ và vừa")
		st, body = mic.api("GET", aid, nil)
		expect(t, "certified", st, body, 200, `"state":"certified"`, `"reasons":{"1.1.1":"Đã có website thương mại điện tử"}`)
		_ = json.Unmarshal([]byte(body), &d)
		code := d.Certificate.Code
		st, body = ent.page("GET", aid+"/edit", nil)
		expect(t, "form after certification", st, body, 409, "không thể thay đổi")

		// The public verification page, its PDF and the API.
		st, body = anon.page("GET", "/dbi/verify/"+code, nil)
		expect(t, "verify page", st, body, 200, "Công ty TNHH Hàn Giang", "Chứng nhận hợp lệ", code, "Hình thành", "0401234567")
		st, loc = anon.page("GET", "/dbi/verify?code="+url.QueryEscape(strings.ToLower(code)), nil)
		expect(t, "verify lookup", st, loc, 303, "/dbi/verify/"+code)
		st, body = anon.page("GET", "/dbi/verify/DBI-2026-NONE-NONE", nil)
		expect(t, "unknown code", st, body, 404, "Không có chứng nhận nào")
		st, body = anon.page("GET", "/dbi/verify/"+code+"/pdf", nil)
		expect(t, "PDF", st, body, 200, "%PDF-1.4", "/Encoding /Identity-H", "/FontFile2") // text is glyph-encoded (Vietnamese)
		st, body = anon.api("GET", "/dbi/certificates/"+code, nil)
		expect(t, "certificate API", st, body, 200, `"level":3`, `"pillar_levels":[`)

		// Public listings and the report.
		for _, path := range []string{"/dbi", "/dbi/register", "/dbi/consultants", "/dbi/consultants/apply", "/dbi/rankings?year=2026",
			"/dbi/statistics?year=2026&normalise=1", "/dbi/verify"} {
			st, body = anon.page("GET", path, nil)
			expect(t, path, st, body, 200, "<h1>")
		}
		st, body = anon.page("GET", "/dbi/rankings?year=2026", nil)
		expect(t, "rankings", st, body, 200, "Công ty TNHH Hàn Giang", code)
		st, body = anon.page("GET", "/dbi/statistics?year=2026", nil)
		expect(t, "statistics", st, body, 200, `role="img"`, "<title id=\"lvl-chart-title\">", "Đà Nẵng")
		st, body = doicQN.api("GET", "/dbi/reports/provincial?year=2026&province=48", nil)
		expect(t, "other province's report", st, body, 403)
		st, body = doic.page("GET", "/dbi/reports/provincial?year=2026&province=48", nil)
		expect(t, "report", st, body, 200, "PK")
		st, body = ent.page("GET", "/dbi", nil)
		expect(t, "dashboard", st, body, 200, "Công ty TNHH Hàn Giang")
		st, body = ent.page("GET", "/dbi/enterprises/"+eid, nil)
		expect(t, "enterprise page", st, body, 200, "Đã chứng nhận", "Bắt đầu kỳ đánh giá")
		// A refused size update marks the select beside its message.
		st, body = ent.page("POST", "/dbi/enterprises/"+eid+"/profile", url.Values{"staff": {"30"}, "revenue": {"40"}, "capital": {"10"}})
		expect(t, "size data without a sector", st, body, 422, `aria-invalid="true" aria-describedby="f-field-err"`,
			`<div class="error" id="f-field-err">hãy chọn ngành, lĩnh vực</div>`)
		// A page form without the CSRF token is refused.
		ent.csrf = "wrong"
		st, _ = ent.page("POST", "/dbi/enterprises/"+eid+"/assessments", url.Values{"year": {"2025"}})
		expect(t, "csrf", st, "", 403)
	})
}

// TestHTTPGroupForm: the member-units form of a corporation/group saves,
// and refuses staff weights that do not add up with the units kept.
func TestHTTPGroupForm(t *testing.T) {
	w := newWorld(t, platformtest.OpenSQLite(t, sets()))
	srv := server(t, w)
	e, entP := w.enterprise(t, "0100100100", "Tổng công ty Sông Hồng", "48", "songhong")
	ent := w.client(t, srv, entP)
	st, body := ent.api("POST", "/dbi/enterprises/"+strconv.FormatInt(e.ID, 10)+"/assessments", dbi.NewAssessment{Index: dbi.Group})
	expect(t, "create", st, body, 201, `"index":"group"`)
	var d dbi.Detail
	_ = json.Unmarshal([]byte(body), &d)
	aid := "/dbi/assessments/" + strconv.FormatInt(d.ID, 10)
	st, body = ent.page("GET", aid+"/edit", nil)
	expect(t, "units form", st, body, 200, `name="u.name.0"`, `name="u.p6.2"`, `name="staff_total"`)
	form := url.Values{"column": {"self"}, "op": {"save"}, "parent": {"0"}, "staff_total": {"1200"},
		"u.name.0": {"Công ty mẹ"}, "u.staff.0": {"800"}, "u.level.0": {"3"},
		"u.name.1": {"Công ty con"}, "u.staff.1": {"200"}, "u.level.1": {"1"}, "u.name.2": {""}}
	for p := 1; p <= 6; p++ {
		form.Set("u.p"+strconv.Itoa(p)+".0", "3")
		form.Set("u.p"+strconv.Itoa(p)+".1", "1")
	}
	st, body = ent.page("POST", aid+"/edit", form)
	expect(t, "staff mismatch", st, body, 422, "staff weights do not add up", `value="Công ty con"`)
	form.Set("staff_total", "1000")
	st, _ = ent.page("POST", aid+"/edit", form)
	expect(t, "saved", st, "", 303)
	st, body = ent.api("GET", aid, nil)
	expect(t, "group outcome", st, body, 200, `"total":2600`, `"level":3`)
}
