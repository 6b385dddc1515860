package dbi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/dbi"
	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// problemFields reads a problem+json answer's errors array as field → code,
// checking that its first entry is also the problem's field and code.
func problemFields(t *testing.T, what, body string) map[string]string {
	t.Helper()
	var p struct {
		Field  string `json:"field"`
		Code   string `json:"code"`
		Errors []struct {
			Field, Code, Message string
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("%s: %v: %s", what, err, body)
	}
	out := map[string]string{}
	for _, e := range p.Errors {
		if e.Message == "" {
			t.Errorf("%s: %s has no message", what, e.Field)
		}
		out[e.Field] = e.Code
	}
	if len(p.Errors) > 0 && (p.Errors[0].Field != p.Field || p.Errors[0].Code != p.Code) {
		t.Errorf("%s: first error %s/%s, problem %s/%s", what, p.Errors[0].Field, p.Errors[0].Code, p.Field, p.Code)
	}
	return out
}

// wantFields asserts that an API answer is a 422 naming exactly these
// fields with these codes.
func wantFields(t *testing.T, what string, status int, body string, want map[string]string) {
	t.Helper()
	expect(t, what, status, body, 422, `"errors":[`)
	got := problemFields(t, what, body)
	for f, code := range want {
		if got[f] != code {
			t.Errorf("%s: field %s has code %q, want %q (all: %v)", what, f, got[f], code, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: fields %v, want %v", what, got, want)
	}
}

// besideFields asserts that a page shows each error beside its field, in
// Vietnamese: the control marked invalid and described by the message.
func besideFields(t *testing.T, what string, status int, body string, want map[string]string) {
	t.Helper()
	expect(t, what, status, body, 422)
	for id, vi := range want {
		for _, s := range []string{`aria-invalid="true" aria-describedby="` + id + `-err"`, `<div class="error" id="` + id + `-err">` + vi + `</div>`} {
			if !strings.Contains(body, s) {
				t.Errorf("%s: page lacks %s", what, s)
			}
		}
	}
}

// anonPost posts a form as an anonymous visitor, with the CSRF cookie
// anonymous forms carry.
func anonPost(c *client, path string, form url.Values) (int, string) {
	c.t.Helper()
	const tok = "anonymous-csrf-token-0123456789"
	form.Set("_csrf", tok)
	req, _ := http.NewRequest("POST", c.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "govdx_csrf", Value: tok})
	return c.do(req)
}

// TestEveryMistakeReported: the enterprise, profile, round, consultant,
// size and ranking inputs report all their wrong fields at once, through
// the API (problem+json errors) and beside each field on the pages, in
// Vietnamese; nothing is written.
func TestEveryMistakeReported(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		srv := server(t, w)
		anon := w.client(t, srv, nil)
		e, entP := w.enterprise(t, "0401234567", "Công ty TNHH Hàn Giang", "48", "hangiang")
		ent, mic := w.client(t, srv, entP), w.client(t, srv, w.mic)
		eid := strconv.FormatInt(e.ID, 10)
		orgs := func() int {
			t.Helper()
			var n int
			if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		users := func() int {
			t.Helper()
			var n int
			if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		nOrgs, nUsers := orgs(), users()
		unwritten := func(what string) {
			t.Helper()
			if o, u := orgs(), users(); o != nOrgs || u != nUsers {
				t.Fatalf("%s: organisations %d→%d, users %d→%d", what, nOrgs, o, nUsers, u)
			}
		}

		// Registration through the API: pure mistakes, then those that need the database.
		for _, c := range []struct {
			name string
			in   dbi.Registration
			want map[string]string
		}{
			{"pure", dbi.Registration{TaxCode: "12ab", Name: "", Phone: "abc",
				ProfileInput: dbi.ProfileInput{Field: "mining", ProvinceCode: "48", Staff: -2, Revenue: -1, Capital: 3},
				Account:      dbi.Account{Username: "A", FullName: "", Email: "not-an-address", Password: "short"}},
				map[string]string{"tax_code": "invalid_tax_code", "name": "required", "phone": "invalid_phone", "field": "invalid_field",
					"staff": "invalid_staff", "revenue": "invalid_amount", "username": "invalid_username", "full_name": "required",
					"email": "invalid_email", "password": "weak_password"}},
			{"database", dbi.Registration{TaxCode: "0401234567", Name: "Trùng mã số thuế",
				ProfileInput: dbi.ProfileInput{Field: "trade", ProvinceCode: "99", Capital: -4},
				Account:      dbi.Account{Username: "hangiang", FullName: "Nguyễn An", Password: password}},
				map[string]string{"tax_code": "tax_code_registered", "province_code": "unknown_province", "capital": "invalid_amount",
					"username": "username_taken"}},
			{"no province", dbi.Registration{ProfileInput: dbi.ProfileInput{Field: "trade"},
				Account: dbi.Account{Username: "moi", FullName: "Nguyễn An", Password: password}},
				map[string]string{"tax_code": "required", "name": "required", "province_code": "required"}},
		} {
			st, body := anon.api("POST", "/dbi/registrations", c.in)
			wantFields(t, "registration "+c.name, st, body, c.want)
			unwritten("registration " + c.name)
		}

		// Registration through the page: each message beside its field, in Vietnamese.
		st, body := anonPost(anon, "/dbi/register", url.Values{"tax_code": {""}, "name": {""}, "phone": {"abc"}, "province_code": {"48"},
			"field": {""}, "staff": {"mười"}, "revenue": {"1"}, "capital": {"-1"}, "full_name": {"Nguyễn An"},
			"username": {"Ab"}, "password": {"short"}})
		besideFields(t, "register page", st, body, map[string]string{
			"f-tax_code": "cần nhập mã số thuế",
			"f-name":     "cần nhập tên",
			"f-phone":    "số điện thoại không hợp lệ",
			"f-field":    "hãy chọn ngành, lĩnh vực",
			"f-staff":    "số lao động phải là số nguyên",
			"f-capital":  "nguồn vốn phải là số tiền không âm (tỷ đồng)",
			"f-username": "tên đăng nhập gồm 3-64 ký tự chữ thường không dấu, chữ số, &#39;.&#39;, &#39;_&#39; hoặc &#39;-&#39;",
			"f-password": "mật khẩu phải có ít nhất 10 ký tự",
		})
		unwritten("register page")

		// The size data: API and page, after the rights are checked.
		before := must[dbi.Enterprise](t)(w.store.Enterprise(ctx, entP, e.ID))
		st, body = ent.api("PUT", "/dbi/enterprises/"+eid, dbi.ProfileInput{Field: "mining", Staff: -1, Revenue: -1, Capital: -1})
		wantFields(t, "profile API", st, body, map[string]string{"field": "invalid_field", "staff": "invalid_staff",
			"revenue": "invalid_amount", "capital": "invalid_amount"})
		st, body = w.client(t, srv, w.doicQN).api("PUT", "/dbi/enterprises/"+eid, dbi.ProfileInput{Field: "mining", Staff: -1})
		expect(t, "profile API outside the scope", st, body, 404)
		st, body = ent.page("POST", "/dbi/enterprises/"+eid+"/profile", url.Values{"field": {""}, "staff": {"4x"}, "revenue": {"-2"}, "capital": {"7"}})
		besideFields(t, "profile page", st, body, map[string]string{
			"f-field":   "hãy chọn ngành, lĩnh vực",
			"f-staff":   "số lao động phải là số nguyên",
			"f-revenue": "doanh thu phải là số tiền không âm (tỷ đồng)",
		})
		if !strings.Contains(body, `name="capital" value="7"`) {
			t.Error("profile page: the posted capital is not kept")
		}
		if after := must[dbi.Enterprise](t)(w.store.Enterprise(ctx, entP, e.ID)); after.UpdatedAt != before.UpdatedAt || after.Staff != before.Staff || after.Field != before.Field {
			t.Fatalf("a refused profile changed the enterprise: %+v", after)
		}

		// A directory enterprise's profile: sector and province at once.
		o := w.org(t, directory.OrgInput{Code: "MST-0500000001", Name: "Công ty Cổ phần Sơn Trà", Kind: directory.KindEnterprise, TaxCode: "0500000001"})
		nOrgs++
		st, body = mic.api("POST", "/dbi/enterprises", map[string]any{"org_id": o.ID, "field": "x", "province_code": "99", "staff": -1})
		wantFields(t, "profile of a directory enterprise", st, body, map[string]string{"field": "invalid_field", "province_code": "unknown_province", "staff": "invalid_staff"})
		if _, err := w.store.Enterprise(ctx, w.mic, o.ID); platform.ErrorClass(err) != platform.ENotFound {
			t.Fatalf("a refused profile was created: %v", err)
		}

		// A new round: year and index at once; the page marks both.
		st, body = ent.api("POST", "/dbi/enterprises/"+eid+"/assessments", dbi.NewAssessment{Year: 1999, Index: "huge"})
		wantFields(t, "new round API", st, body, map[string]string{"year": "invalid_year", "index": "invalid_index"})
		st, body = ent.page("POST", "/dbi/enterprises/"+eid+"/assessments", url.Values{"year": {"2030"}, "index": {"huge"}})
		besideFields(t, "new round page", st, body, map[string]string{
			"year":  "năm phải từ 2022 đến 2026",
			"index": "bộ chỉ số &#34;huge&#34; không hợp lệ (chọn sme, large hoặc group)",
		})
		if !strings.Contains(body, `name="staff" value="40"`) {
			t.Error("new round page: the size data form lost the saved figures")
		}
		if as := must[[]dbi.Assessment](t)(w.store.ListAssessments(ctx, entP, dbi.AssessmentFilter{EnterpriseID: e.ID})); len(as) != 0 {
			t.Fatalf("a refused round was created: %+v", as)
		}

		// A consultant's application: API and page.
		app := dbi.Application{Kind: "unit", Name: "", Title: "boss", TaxCode: "123", EmployerTaxCode: "456",
			ProvinceCode: "99", Specialties: []string{"assessment", "astrology"}, Experience: strings.Repeat("x", 4001), Phone: "abc",
			Account: dbi.Account{Username: "tu van", FullName: "Trần Bình", Email: "x@", Password: "short"}}
		st, body = anon.api("POST", "/dbi/consultants", app)
		wantFields(t, "application API", st, body, map[string]string{"name": "required", "title": "invalid_title", "tax_code": "invalid_tax_code",
			"employer_tax_code": "invalid_tax_code", "specialties": "invalid_specialty", "experience": "too_long", "phone": "invalid_phone",
			"province_code": "unknown_province", "username": "invalid_username", "email": "invalid_email", "password": "weak_password"})
		unwritten("application API")
		// A unit whose tax code is taken, with a taken username and no kind mistake.
		st, body = anon.api("POST", "/dbi/consultants", dbi.Application{Kind: "unit", Name: "Công ty Tư vấn", Title: "dx", TaxCode: "0401234567",
			ProvinceCode: "48", Specialties: []string{"data"}, Account: dbi.Account{Username: "hangiang", FullName: "Trần Bình", Password: password}})
		wantFields(t, "application API, database", st, body, map[string]string{"tax_code": "tax_code_registered", "username": "username_taken"})
		unwritten("application API, database")
		st, body = anonPost(anon, "/dbi/consultants/apply", url.Values{"kind": {"robot"}, "name": {"Trần Bình"}, "title": {""},
			"province_code": {"48"}, "experience": {strings.Repeat("x", 4001)}, "full_name": {"Trần Bình"}, "username": {"tranbinh"},
			"password": {password}})
		besideFields(t, "application page", st, body, map[string]string{
			"f-kind":        "hãy chọn chuyên gia hoặc đơn vị tư vấn",
			"f-title":       "hãy chọn chức danh",
			"f-specialties": "hãy chọn ít nhất một chuyên môn",
			"f-experience":  "kinh nghiệm không được vượt quá 4000 ký tự",
		})
		unwritten("application page")
		if cs := must[platform.PageResult[dbi.Consultant]](t)(w.store.ListConsultants(ctx, w.mic, dbi.ConsultantFilter{Status: dbi.ConsultantApplied})); len(cs.Items) != 0 {
			t.Fatalf("a refused application was recorded: %+v", cs.Items)
		}

		// Query inputs of the API.
		st, body = anon.api("GET", "/dbi/size?sector=mining&staff=many&revenue=lots&capital=1", nil)
		wantFields(t, "size", st, body, map[string]string{"sector": "invalid_sector", "staff": "invalid_number", "revenue": "invalid_amount"})
		st, body = anon.api("GET", "/dbi/rankings?offset=-1&limit=x&level=9", nil)
		wantFields(t, "rankings", st, body, map[string]string{"year": "required", "offset": "invalid_offset", "limit": "invalid_number", "level": "invalid_level"})
	})
}
