package directory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/web"
)

// httpEnv is the directory's pages and API on a real database, behind the
// real authentication, with two provinces and users of different reach.
// (internal/app imports directory, so the app itself cannot be used here.)
type httpEnv struct {
	db       *platform.DB
	dir      *directory.Store
	ids      *identity.Store
	api      *platform.API
	handler  http.Handler
	ministry directory.Org
	provA    directory.Org // Hà Nội, administered by "ita"
	deptA    directory.Org
	provB    directory.Org // Đà Nẵng
	deptB    directory.Org
	tokens   map[string]string // username -> bearer token
}

const testPassword = "correct horse battery"

func newHTTPEnv(t *testing.T, db *platform.DB) *httpEnv {
	t.Helper()
	ctx := context.Background()
	e := &httpEnv{db: db, dir: directory.NewStore(db), ids: identity.NewStore(db), tokens: map[string]string{}}
	e.ids.SetFastHashing()
	if err := e.dir.EnsureAdminUnits(ctx); err != nil {
		t.Fatal(err)
	}
	site, err := web.New()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.api = platform.NewAPI(mux, "/api/v1", "govdx API", "test")
	if err := directory.Register(mux, site, e.api, e.dir); err != nil {
		t.Fatal(err)
	}
	e.handler = e.ids.Authenticate(mux)

	mk := func(in directory.OrgInput, parent *directory.Org) directory.Org {
		if parent != nil {
			in.ParentID = &parent.ID
		}
		o, err := e.dir.CreateOrg(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	e.ministry = mk(directory.OrgInput{Code: "BKHCN", Name: "Bộ Khoa học và Công nghệ", Kind: directory.KindMinistry}, nil)
	e.provA = mk(directory.OrgInput{Code: "HN", Name: "UBND Thành phố Hà Nội", NameEN: "Hanoi People's Committee", Kind: directory.KindProvince,
		AdminUnitCode: "01", FocalPoint: directory.FocalPoint{Name: "Nguyễn Văn An", Position: "Phó Giám đốc Sở KH&CN",
			Function: "Đầu mối chia sẻ dữ liệu", Phone: "024 3825 0000", Email: "an.nv@hanoi.gov.vn"},
		Readiness: "LGSP Hà Nội đã kết nối NDXP."}, nil)
	e.deptA = mk(directory.OrgInput{Code: "HN.STC", Name: "Sở Tài chính Hà Nội", Kind: directory.KindDepartment, AdminUnitCode: "01"}, &e.provA)
	e.provB = mk(directory.OrgInput{Code: "DN", Name: "UBND Thành phố Đà Nẵng", Kind: directory.KindProvince, AdminUnitCode: "48",
		FocalPoint: directory.FocalPoint{Name: "Võ Thị Hồng Nhung", Position: "Phó Giám đốc", Phone: "0236 3840 000", Email: "nhungvth@danang.gov.vn"}}, nil)
	e.deptB = mk(directory.OrgInput{Code: "DN.SYT", Name: "Sở Y tế Đà Nẵng", Kind: directory.KindDepartment, AdminUnitCode: "48"}, &e.provB)

	for _, u := range []struct {
		name string
		org  directory.Org
		role identity.Role
	}{
		{"admin", e.ministry, identity.RolePlatformAdmin},
		{"ita", e.provA, identity.RoleITAdmin},
		{"consumer", e.deptA, identity.RoleConsumerOfficer},
	} {
		user, err := e.ids.CreateUser(ctx, identity.UserInput{OrgID: u.org.ID, Username: u.name, FullName: "User " + u.name, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.ids.GrantRole(ctx, user.ID, u.role, u.org.ID, 0); err != nil {
			t.Fatal(err)
		}
		secret, _, err := e.ids.CreateToken(ctx, user.ID, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[u.name] = secret
	}
	return e
}

// do sends a request as user ("" = anonymous): JSON to the API, a form to pages.
func (e *httpEnv) do(t *testing.T, method, path, body, user string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != "" {
		if strings.HasPrefix(path, "/api/") {
			r.Header.Set("Content-Type", "application/json")
		} else {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if user != "" {
		r.Header.Set("Authorization", "Bearer "+e.tokens[user])
	}
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	return w
}

// snapshot renders every organisation row, to prove a refused request changed nothing.
func snapshot(t *testing.T, db *platform.DB) string {
	t.Helper()
	rows, err := db.Read.QueryContext(context.Background(), `SELECT id, code, name, name_en, kind, COALESCE(parent_id, 0), path,
		COALESCE(admin_unit_code, ''), email, focal_name, focal_phone, focal_email, sharing_readiness, updated_at FROM organisations ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, 14)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, vals...)
	}
	return b.String()
}

type scenario struct {
	name         string
	method, path string
	body         string
	user         string
	status       int
	// code and field are expected in a problem+json answer.
	code, field string
	// contains and excludes are checked against the body.
	contains, excludes []string
}

func TestHTTPScenarios(t *testing.T) {
	platformtest.ForEachDB(t, []platform.Migrations{directory.Migrations(), identity.Migrations()}, func(t *testing.T, db *platform.DB) {
		e := newHTTPEnv(t, db)
		id := func(o directory.Org) string { return fmt.Sprint(o.ID) }
		// org is an OrgInput body; updates keep the name the pages below look for.
		names := map[string]string{"HN.STC": e.deptA.Name, "DN.SYT": e.deptB.Name, "DN.SYTE": e.deptB.Name, "HN.TC": e.deptA.Name}
		org := func(code, parent, extra string) string {
			p := "null"
			if parent != "" {
				p = parent
			}
			name, ok := names[code]
			if !ok {
				name = "Đơn vị mới " + code
			}
			return `{"code":"` + code + `","name":"` + name + `","kind":"department","parent_id":` + p + extra + `}`
		}
		long := strings.Repeat("ư", 301)
		focal := `{"focal_point":{"name":"Trần Thị Mai","position":"Trưởng phòng","function":"Đầu mối","phone":"024 3556 7788","email":"mai@hanoi.gov.vn"},"sharing_readiness":"Sẵn sàng"}`

		scenarios := []scenario{
			// Public reads need no login.
			{name: "list orgs", method: "GET", path: "/api/v1/orgs", status: 200, contains: []string{`"code":"HN"`, `"code":"DN.SYT"`}},
			{name: "search without diacritics", method: "GET", path: "/api/v1/orgs?q=ha+noi", status: 200,
				contains: []string{"UBND Thành phố Hà Nội", "Sở Tài chính Hà Nội"}, excludes: []string{"Đà Nẵng"}},
			{name: "search in any word order", method: "GET", path: "/api/v1/orgs?q=noi+ha&kind=province", status: 200,
				contains: []string{`"code":"HN"`}, excludes: []string{"HN.STC"}},
			{name: "direct children", method: "GET", path: "/api/v1/orgs?parent=" + id(e.provB), status: 200,
				contains: []string{"DN.SYT"}, excludes: []string{`"code":"DN"`}},
			{name: "roots", method: "GET", path: "/api/v1/orgs?roots=true", status: 200,
				contains: []string{`"code":"DN"`}, excludes: []string{"DN.SYT"}},
			{name: "subtree", method: "GET", path: "/api/v1/orgs?under=" + id(e.provA), status: 200,
				contains: []string{"HN.STC"}, excludes: []string{"DN"}},
			{name: "page size", method: "GET", path: "/api/v1/orgs?limit=2", status: 200, contains: []string{`"next_cursor"`}},
			{name: "bad kind filter", method: "GET", path: "/api/v1/orgs?kind=castle", status: 422, code: "invalid_kind", field: "kind"},
			{name: "bad parent filter", method: "GET", path: "/api/v1/orgs?parent=x", status: 422, code: "invalid_id", field: "parent"},
			{name: "unknown parent filter", method: "GET", path: "/api/v1/orgs?parent=999999", status: 422, code: "unknown_org", field: "parent"},
			{name: "bad limit", method: "GET", path: "/api/v1/orgs?limit=0", status: 422, code: "invalid_limit", field: "limit"},
			{name: "one org", method: "GET", path: "/api/v1/orgs/" + id(e.provA), status: 200,
				contains: []string{`"code":"HN"`, "Nguyễn Văn An", `"sharing_readiness"`}, excludes: []string{`"path"`, "search_text", "/" + id(e.provA) + "/"}},
			{name: "missing org", method: "GET", path: "/api/v1/orgs/999999", status: 404, code: "not_found"},
			{name: "focal points", method: "GET", path: "/api/v1/focal-points", status: 200,
				contains: []string{"Nguyễn Văn An", "an.nv@hanoi.gov.vn", "Võ Thị Hồng Nhung"}},
			{name: "focal points of a province", method: "GET", path: "/api/v1/focal-points?under=" + id(e.provB), status: 200,
				contains: []string{"Võ Thị Hồng Nhung"}, excludes: []string{"Nguyễn Văn An"}},
			{name: "admin units", method: "GET", path: "/api/v1/admin-units?level=province&q=ha+noi", status: 200,
				contains: []string{`"code":"01"`, "Hà Nội"}, excludes: []string{`"code":"48"`}},
			{name: "communes of a province", method: "GET", path: "/api/v1/admin-units?province=48&limit=1", status: 200,
				contains: []string{`"level":"commune"`, `"parent_code":"48"`, `"next_cursor"`}},
			{name: "bad unit level", method: "GET", path: "/api/v1/admin-units?level=ward", status: 422, code: "invalid_level", field: "level"},
			{name: "bad province code", method: "GET", path: "/api/v1/admin-units?province=HN", status: 422, code: "invalid_code", field: "province"},
			{name: "one unit", method: "GET", path: "/api/v1/admin-units/48", status: 200, contains: []string{"Đà Nẵng"}},
			{name: "missing unit", method: "GET", path: "/api/v1/admin-units/99", status: 404, code: "not_found"},

			// Writes need a login.
			{name: "anonymous create", method: "POST", path: "/api/v1/orgs", body: org("X1", id(e.provA), ""), status: 401, code: "unauthenticated"},
			{name: "anonymous update", method: "PUT", path: "/api/v1/orgs/" + id(e.deptA), body: org("HN.STC", id(e.provA), ""), status: 401, code: "unauthenticated"},
			{name: "anonymous focal point", method: "PUT", path: "/api/v1/orgs/" + id(e.deptA) + "/focal-point", body: focal, status: 401, code: "unauthenticated"},

			// The IT admin of Hà Nội acts in Hà Nội only.
			{name: "edit in another province", method: "PUT", path: "/api/v1/orgs/" + id(e.deptB), body: org("DN.SYT", id(e.provB), ""), user: "ita", status: 403, code: "forbidden"},
			{name: "create in another province", method: "POST", path: "/api/v1/orgs", body: org("DN.X", id(e.provB), ""), user: "ita", status: 403, code: "forbidden", field: "parent_id"},
			{name: "create at the top", method: "POST", path: "/api/v1/orgs", body: org("TOP", "", ""), user: "ita", status: 403, code: "forbidden_root", field: "parent_id"},
			{name: "focal point in another province", method: "PUT", path: "/api/v1/orgs/" + id(e.deptB) + "/focal-point", body: focal, user: "ita", status: 403, code: "forbidden"},
			{name: "move out of the province", method: "PUT", path: "/api/v1/orgs/" + id(e.deptA), body: org("HN.STC", id(e.provB), ""), user: "ita", status: 403, code: "forbidden", field: "parent_id"},
			{name: "change a stable code", method: "PUT", path: "/api/v1/orgs/" + id(e.deptA), body: org("HN.TC", id(e.provA), ""), user: "ita", status: 403, code: "code_stable", field: "code"},
			{name: "consumer cannot edit", method: "PUT", path: "/api/v1/orgs/" + id(e.deptA), body: org("HN.STC", id(e.provA), ""), user: "consumer", status: 403, code: "forbidden"},
			{name: "create in own province", method: "POST", path: "/api/v1/orgs", body: org("HN.SYT", id(e.provA), `,"email":"syt@hanoi.gov.vn"`), user: "ita", status: 201,
				contains: []string{`"code":"HN.SYT"`, `"parent_id":` + id(e.provA)}},
			{name: "edit in own province", method: "PUT", path: "/api/v1/orgs/" + id(e.deptA), body: org("HN.STC", id(e.provA), `,"name_en":"Hanoi Department of Finance"`), user: "ita", status: 200,
				contains: []string{"Hanoi Department of Finance"}},
			{name: "set a focal point", method: "PUT", path: "/api/v1/orgs/" + id(e.deptA) + "/focal-point", body: focal, user: "ita", status: 200,
				contains: []string{"Trần Thị Mai", `"name_en":"Hanoi Department of Finance"`}},
			{name: "admin creates at the top", method: "POST", path: "/api/v1/orgs", body: org("BYT", "", ""), user: "admin", status: 201},
			{name: "admin changes a code", method: "PUT", path: "/api/v1/orgs/" + id(e.deptB), body: org("DN.SYTE", id(e.provB), ""), user: "admin", status: 200, contains: []string{`"code":"DN.SYTE"`}},

			// Bad input is a 422 naming the field, and changes nothing.
			{name: "malformed JSON", method: "POST", path: "/api/v1/orgs", body: `{"code":`, user: "ita", status: 422, code: "malformed_json"},
			{name: "two JSON values", method: "POST", path: "/api/v1/orgs", body: org("HN.A", id(e.provA), "") + "{}", user: "ita", status: 422, code: "malformed_json"},
			{name: "unknown field", method: "POST", path: "/api/v1/orgs", body: org("HN.B", id(e.provA), `,"nme":"x"`), user: "ita", status: 422, code: "unknown_field", field: "nme"},
			{name: "wrong type", method: "POST", path: "/api/v1/orgs", body: `{"code":"HN.C","name":"x","kind":"department","parent_id":"one"}`, user: "ita", status: 422, code: "invalid_type", field: "parent_id"},
			{name: "over-long name", method: "POST", path: "/api/v1/orgs", body: `{"code":"HN.D","name":"` + long + `","kind":"department","parent_id":` + id(e.provA) + `}`, user: "ita", status: 422, code: "too_long", field: "name"},
			{name: "bad email", method: "POST", path: "/api/v1/orgs", body: org("HN.E", id(e.provA), `,"email":"syt at hanoi"`), user: "ita", status: 422, code: "invalid_email", field: "email"},
			{name: "bad phone", method: "POST", path: "/api/v1/orgs", body: org("HN.F", id(e.provA), `,"phone":"12"`), user: "ita", status: 422, code: "invalid_phone", field: "phone"},
			{name: "bad code", method: "POST", path: "/api/v1/orgs", body: org("HN G", id(e.provA), ""), user: "ita", status: 422, code: "invalid_code", field: "code"},
			{name: "duplicate code", method: "POST", path: "/api/v1/orgs", body: org("DN.SYTE", id(e.provA), ""), user: "ita", status: 422, code: "duplicate_code", field: "code"},
			{name: "unknown admin unit", method: "POST", path: "/api/v1/orgs", body: org("HN.H", id(e.provA), `,"admin_unit_code":"99999"`), user: "ita", status: 422, code: "unknown_admin_unit", field: "admin_unit_code"},
			{name: "unknown parent", method: "POST", path: "/api/v1/orgs", body: org("HN.I", "999999", ""), user: "ita", status: 422, code: "unknown_parent", field: "parent_id"},
			{name: "cycle", method: "PUT", path: "/api/v1/orgs/" + id(e.provA), body: `{"code":"HN","name":"UBND Thành phố Hà Nội","kind":"province","parent_id":` + id(e.deptA) + `}`, user: "admin", status: 422, code: "cycle", field: "parent_id"},
			{name: "bad focal phone", method: "PUT", path: "/api/v1/orgs/" + id(e.deptA) + "/focal-point", body: `{"focal_point":{"phone":"phone me"}}`, user: "ita", status: 422, code: "invalid_phone", field: "focal_point.phone"},
			{name: "unknown focal field", method: "PUT", path: "/api/v1/orgs/" + id(e.deptA) + "/focal-point", body: `{"focal_point":{"nam":"x"}}`, user: "ita", status: 422, code: "unknown_field", field: "nam"},
			{name: "empty body", method: "PUT", path: "/api/v1/orgs/" + id(e.deptA) + "/focal-point", user: "ita", status: 422, code: "empty_body"},

			// Pages.
			{name: "tree page", method: "GET", path: "/orgs", status: 200, contains: []string{"UBND Thành phố Hà Nội", "UBND Thành phố Đà Nẵng", `href="/orgs?parent=` + id(e.provA) + `"`}},
			{name: "search page without diacritics", method: "GET", path: "/orgs?q=ha+noi", status: 200,
				contains: []string{"UBND Thành phố Hà Nội", "Sở Tài chính Hà Nội"}, excludes: []string{"UBND Thành phố Đà Nẵng"}},
			{name: "browse a province", method: "GET", path: "/orgs?parent=" + id(e.provB), status: 200, contains: []string{"Sở Y tế Đà Nẵng", `aria-current="location"`}},
			{name: "org page", method: "GET", path: "/orgs/" + id(e.deptA), status: 200,
				contains: []string{"Sở Tài chính Hà Nội", `href="/orgs/` + id(e.provA) + `"`, "Trần Thị Mai", "mailto:mai@hanoi.gov.vn"},
				excludes: []string{"/edit"}},
			{name: "org page shows edit to its manager", method: "GET", path: "/orgs/" + id(e.deptA), user: "ita", status: 200,
				contains: []string{`href="/orgs/` + id(e.deptA) + `/edit"`, `href="/orgs/` + id(e.deptA) + `/focal-point"`}},
			{name: "org page hides edit outside scope", method: "GET", path: "/orgs/" + id(e.deptB), user: "ita", status: 200, excludes: []string{"/edit"}},
			{name: "focal points page", method: "GET", path: "/focal-points", status: 200,
				contains: []string{"Nguyễn Văn An", "Phó Giám đốc Sở KH&amp;CN", "tel:024%203825%200000", "Chưa cử đầu mối", "Chưa công bố.", `<td class="nowrap"><a href="tel:`}},
			{name: "focal points of one province", method: "GET", path: "/focal-points?q=da+nang&under=" + id(e.provB), status: 200,
				contains: []string{"Võ Thị Hồng Nhung"}, excludes: []string{"Nguyễn Văn An"}},
			{name: "admin units page", method: "GET", path: "/admin-units", status: 200, contains: []string{"Thành phố Hà Nội", "MIT licence", "province=48", "<p><small>Permission is hereby granted"}, excludes: []string{"<pre>"}},
			{name: "communes page", method: "GET", path: "/admin-units?province=48&q=hai+van", status: 200, contains: []string{"Phường Hải Vân"}, excludes: []string{"Liên Chiểu"}},
			{name: "new form needs a login", method: "GET", path: "/orgs/new?parent=" + id(e.provA), status: 303},
			{name: "new form", method: "GET", path: "/orgs/new?parent=" + id(e.provA), user: "ita", status: 200,
				contains: []string{`name="_csrf"`, `<label for="code">`, `value="HN"`, `<label for="fp-email">`}},
			{name: "edit form locks the code", method: "GET", path: "/orgs/" + id(e.deptA) + "/edit", user: "ita", status: 200,
				contains: []string{`value="HN.STC" required readonly`, `value="HN"`}},
			{name: "form creates", method: "POST", path: "/orgs", user: "ita", status: 303,
				body: url.Values{"code": {"HN.SXD"}, "name": {"Sở Xây dựng Hà Nội"}, "kind": {"department"}, "parent_code": {"HN"}, "focal_point.name": {"Lê Văn Bình"}}.Encode()},
			{name: "form redisplays errors", method: "POST", path: "/orgs", user: "ita", status: 422,
				body:     url.Values{"code": {"HN.SNV"}, "name": {"Sở Nội vụ"}, "kind": {"department"}, "parent_code": {"HN"}, "email": {"snv@"}}.Encode(),
				contains: []string{`aria-invalid="true" aria-describedby="email-err"`, `id="email-err"`, "địa chỉ thư điện tử không hợp lệ", `value="Sở Nội vụ"`}},
			{name: "form names an unknown parent", method: "POST", path: "/orgs", user: "ita", status: 422,
				body:     url.Values{"code": {"HN.SNV"}, "name": {"Sở Nội vụ"}, "kind": {"department"}, "parent_code": {"NOPE"}}.Encode(),
				contains: []string{`id="parent_code-err"`, "không có cơ quan, tổ chức mang mã này"}},
			{name: "form refuses another province", method: "POST", path: "/orgs", user: "ita", status: 403,
				body:     url.Values{"code": {"DN.SNV"}, "name": {"Sở Nội vụ Đà Nẵng"}, "kind": {"department"}, "parent_code": {"DN"}}.Encode(),
				contains: []string{`id="parent_code-err"`}},
			{name: "focal form saves", method: "POST", path: "/orgs/" + id(e.provA) + "/focal-point", user: "ita", status: 303,
				body: url.Values{"focal_point.name": {"Nguyễn Văn An"}, "focal_point.phone": {"024 3825 1111"}}.Encode()},
			{name: "focal form redisplays errors", method: "POST", path: "/orgs/" + id(e.provA) + "/focal-point", user: "ita", status: 422,
				body:     url.Values{"focal_point.name": {"Nguyễn Văn An"}, "focal_point.email": {"an@"}}.Encode(),
				contains: []string{`id="fp-email-err"`, "thư điện tử của cán bộ đầu mối không hợp lệ"}},
			{name: "edit form saves", method: "POST", path: "/orgs/" + id(e.deptA), user: "ita", status: 303,
				body: url.Values{"code": {"HN.STC"}, "name": {"Sở Tài chính TP Hà Nội"}, "kind": {"department"}, "parent_code": {"HN"}, "admin_unit_code": {"01"}}.Encode()},
		}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				before := snapshot(t, db)
				w := e.do(t, sc.method, sc.path, sc.body, sc.user, nil)
				body := w.Body.String()
				if w.Code != sc.status {
					t.Fatalf("status = %d, want %d\n%s", w.Code, sc.status, body)
				}
				if sc.code != "" {
					var p platform.Problem
					if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
						t.Fatalf("content type = %q", ct)
					}
					if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
						t.Fatal(err)
					}
					if p.Code != sc.code || p.Field != sc.field || p.Status != sc.status {
						t.Fatalf("problem = %+v, want code %q field %q", p, sc.code, sc.field)
					}
				}
				for _, s := range sc.contains {
					if !strings.Contains(body, s) {
						t.Errorf("body lacks %q\n%s", s, body)
					}
				}
				for _, s := range sc.excludes {
					if strings.Contains(body, s) {
						t.Errorf("body has %q", s)
					}
				}
				if w.Code >= 400 {
					if after := snapshot(t, db); after != before {
						t.Fatalf("a refused request changed the directory:\nbefore %s\nafter  %s", before, after)
					}
				}
			})
		}

		// What the successful writes left behind.
		ctx := context.Background()
		if o, err := e.dir.OrgByCode(ctx, "HN.SXD"); err != nil || o.ParentID == nil || *o.ParentID != e.provA.ID || o.FocalPoint.Name != "Lê Văn Bình" {
			t.Errorf("form-created org = %+v, %v", o, err)
		}
		if o, _ := e.dir.Org(ctx, e.deptA.ID); o.Name != "Sở Tài chính TP Hà Nội" || o.FocalPoint.Name != "Trần Thị Mai" {
			t.Errorf("the edit form must keep the focal point: %+v", o)
		}
		if o, _ := e.dir.Org(ctx, e.provA.ID); o.FocalPoint.Phone != "024 3825 1111" || o.FocalPoint.Email != "" {
			t.Errorf("focal form result = %+v", o.FocalPoint)
		}
	})
}

// Refused pages and forms answer the right status and change nothing.
func TestPageRefusals(t *testing.T) {
	platformtest.ForEachDB(t, []platform.Migrations{directory.Migrations(), identity.Migrations()}, func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newHTTPEnv(t, db)
		sid, p, err := e.ids.Login(ctx, "ita", testPassword, "192.0.2.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		session := http.Header{"Cookie": {identity.SessionCookie + "=" + sid}}
		form := url.Values{"code": {"HN.SNV"}, "name": {"Sở Nội vụ"}, "kind": {"department"}, "parent_code": {"HN"}}

		for _, c := range []struct {
			name, method, path, body string
			user                     string
			header                   http.Header
			status                   int
		}{
			{"form without _csrf", "POST", "/orgs", form.Encode(), "", session, 403},
			{"form with a wrong _csrf", "POST", "/orgs", form.Encode() + "&_csrf=forged", "", session, 403},
			{"anonymous form", "POST", "/orgs", form.Encode(), "", nil, 403},
			{"edit page outside scope", "GET", fmt.Sprintf("/orgs/%d/edit", e.deptB.ID), "", "ita", nil, 403},
			{"edit outside scope", "POST", fmt.Sprintf("/orgs/%d", e.deptB.ID), url.Values{"code": {"DN.SYT"}, "name": {"x"}, "kind": {"department"}}.Encode(), "ita", nil, 403},
			{"focal page outside scope", "GET", fmt.Sprintf("/orgs/%d/focal-point", e.deptB.ID), "", "ita", nil, 403},
			{"focal form outside scope", "POST", fmt.Sprintf("/orgs/%d/focal-point", e.deptB.ID), "focal_point.name=x", "ita", nil, 403},
			{"new top-level page", "GET", "/orgs/new", "", "ita", nil, 403},
			{"missing org page", "GET", "/orgs/999999", "", "", nil, 404},
			{"bad filter", "GET", "/orgs?kind=castle", "", "", nil, 422},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, db)
				if w := e.do(t, c.method, c.path, c.body, c.user, c.header); w.Code != c.status {
					t.Fatalf("status = %d, want %d", w.Code, c.status)
				}
				if after := snapshot(t, db); after != before {
					t.Fatal("a refused form changed the directory")
				}
			})
		}

		// The same form with the session's token goes through.
		w := e.do(t, "POST", "/orgs", form.Encode()+"&_csrf="+url.QueryEscape(p.CSRF), "", session)
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/orgs/") {
			t.Fatalf("with _csrf: %d %s\n%s", w.Code, w.Header().Get("Location"), w.Body)
		}
		if _, err := e.dir.OrgByCode(ctx, "HN.SNV"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOpenAPIDocumentsTheDirectory(t *testing.T) {
	e := newHTTPEnv(t, platformtest.OpenSQLite(t, []platform.Migrations{directory.Migrations(), identity.Migrations()}))
	doc := e.api.OpenAPI()
	paths := doc["paths"].(map[string]any)
	for _, want := range []struct {
		path, method string
		public, body bool
	}{
		{"/api/v1/orgs", "get", true, false},
		{"/api/v1/orgs", "post", false, true},
		{"/api/v1/orgs/{id}", "get", true, false},
		{"/api/v1/orgs/{id}", "put", false, true},
		{"/api/v1/orgs/{id}/focal-point", "put", false, true},
		{"/api/v1/focal-points", "get", true, false},
		{"/api/v1/admin-units", "get", true, false},
		{"/api/v1/admin-units/{code}", "get", true, false},
	} {
		item, _ := paths[want.path].(map[string]any)
		op, ok := item[want.method].(map[string]any)
		if !ok {
			t.Errorf("%s %s is not documented", want.method, want.path)
			continue
		}
		if _, secured := op["security"]; secured == want.public {
			t.Errorf("%s %s: security = %v, public %v", want.method, want.path, op["security"], want.public)
		}
		if _, hasBody := op["requestBody"]; hasBody != want.body {
			t.Errorf("%s %s: request body documented = %v", want.method, want.path, hasBody)
		}
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, name := range []string{"directory_Org", "directory_OrgInput", "directory_FocalPoint", "directory_FocalPointInput", "directory_AdminUnit", "platform_PageResult_Org", "platform_PageResult_OrgFocalPoint"} {
		if _, ok := schemas[name]; !ok {
			t.Errorf("schema %s missing", name)
		}
	}
	if props := schemas["directory_Org"].(map[string]any)["properties"].(map[string]any); props["path"] != nil {
		t.Error("the public Org schema exposes the internal path")
	}
}
