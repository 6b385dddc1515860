package identityweb_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/identity/identityweb"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/web/webtest"
)

// TestEveryMistakeAtOnce: the new-user, token and grant forms and API
// bodies with several wrong fields answer one 422 naming them all: the
// API's problem lists them in errors, the pages show each beside its field
// in Vietnamese (aria-describedby to it); nothing is written.
func TestEveryMistakeAtOnce(t *testing.T) {
	sets := []platform.Migrations{directory.Migrations(), identity.Migrations()}
	platformtest.ForEachDB(t, sets, func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		dir := directory.NewStore(db)
		ids := identity.NewStore(db)
		ids.SetFastHashing()
		a, err := dir.CreateOrg(ctx, directory.OrgInput{Code: "PA", Name: "UBND Tỉnh A", Kind: directory.KindProvince})
		if err != nil {
			t.Fatal(err)
		}
		admin, err := ids.CreateUser(ctx, identity.UserInput{OrgID: a.ID, Username: "it.a", FullName: "Quản trị A", Password: "long enough pw"})
		if err != nil {
			t.Fatal(err)
		}
		if err := ids.GrantRole(ctx, admin.ID, identity.RoleITAdmin, a.ID, 0); err != nil {
			t.Fatal(err)
		}
		staff, err := ids.CreateUser(ctx, identity.UserInput{OrgID: a.ID, Username: "staff.a", FullName: "Nhân viên A", Password: "long enough pw"})
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := ids.CreateToken(ctx, admin.ID, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		sid, _, err := ids.Login(ctx, "it.a", "long enough pw", "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		mux, _ := webtest.Mount(t, func(mux *http.ServeMux, site *web.Site, api *platform.API) error {
			return identityweb.Register(mux, site, api, ids, dir)
		})
		srv := httptest.NewServer(ids.Authenticate(mux))
		defer srv.Close()
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		send := func(method, path, contentType, body string, auth func(*http.Request)) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			auth(req)
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		bearer := func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
		session := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: identity.SessionCookie, Value: sid}) }
		// written counts what a refused request must leave as it was.
		written := func() string {
			t.Helper()
			var users, grants, tokens int
			if err := db.Read.QueryRow(`SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM role_grants), (SELECT COUNT(*) FROM api_tokens)`).
				Scan(&users, &grants, &tokens); err != nil {
				t.Fatal(err)
			}
			return strconv.Itoa(users) + " users, " + strconv.Itoa(grants) + " grants, " + strconv.Itoa(tokens) + " tokens"
		}
		orgA, userPath := strconv.FormatInt(a.ID, 10), "/users/"+strconv.FormatInt(staff.ID, 10)

		t.Run("API", func(t *testing.T) {
			for _, tt := range []struct {
				name, path, body string
				want             []string // field/code
			}{
				{"new user", "/api/v1/users", `{"org_id":` + orgA + `,"username":"A B","full_name":"","email":"x@","password":"short"}`,
					[]string{"username/invalid_username", "full_name/invalid_full_name", "email/invalid_email", "password/weak_password"}},
				{"new user in an unknown organisation", "/api/v1/users", `{"org_id":999999,"username":"staff.a","full_name":"X","password":"short"}`,
					[]string{"org_id/unknown_org", "password/weak_password", "username/duplicate_username"}},
				{"new token", "/api/v1/me/tokens", `{"name":" ","expires_in_days":1000}`,
					[]string{"expires_in_days/invalid_ttl", "name/invalid_name"}},
				{"grant", "/api/v1" + userPath + "/grants", `{"role":"king","org_id":999999}`,
					[]string{"role/invalid_role", "org_id/unknown_org"}},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before := written()
					status, body := send("POST", tt.path, "application/json", tt.body, bearer)
					if status != http.StatusUnprocessableEntity {
						t.Fatalf("status %d, want 422: %s", status, body)
					}
					var p platform.Problem
					if err := json.Unmarshal([]byte(body), &p); err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, is := range p.Errors {
						got = append(got, is.Field+"/"+is.Code)
					}
					if !slices.Equal(got, tt.want) || p.Field+"/"+p.Code != tt.want[0] {
						t.Errorf("errors %v (first %s/%s), want %v", got, p.Field, p.Code, tt.want)
					}
					if after := written(); after != before {
						t.Fatalf("a refused request wrote: %s, then %s", before, after)
					}
				})
			}
		})

		t.Run("pages", func(t *testing.T) {
			_, page := send("GET", userPath, "", "", session)
			m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no CSRF field on the user page: %s", page)
			}
			csrf := m[1]
			// beside: the control with the id is marked invalid and points
			// at its error, which holds the Vietnamese message.
			beside := func(body, id, message string) bool {
				tag := regexp.MustCompile(`<(?:input|select|textarea) [^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(body)
				return strings.Contains(tag, `aria-invalid="true"`) &&
					regexp.MustCompile(`aria-describedby="[^"]*\b`+regexp.QuoteMeta(id)+`-err"`).MatchString(tag) &&
					strings.Contains(body, `<div class="error" id="`+id+`-err">`+html.EscapeString(message)+`</div>`)
			}
			type want struct{ id, message string }
			for _, tt := range []struct {
				name, path string
				form       url.Values
				want       []want
				kept       string
			}{
				{"new user", "/users", url.Values{"full_name": {""}, "username": {"A B"}, "email": {"x@"}, "org_id": {orgA},
					"role": {"king"}, "password": {"short"}},
					[]want{{"full_name", "cần nhập họ và tên (tối đa 200 ký tự)"},
						{"username", "tên đăng nhập gồm 3-64 ký tự chữ thường không dấu, chữ số, '.', '_' hoặc '-'"},
						{"email", "địa chỉ thư điện tử không hợp lệ"}, {"role", `vai trò "king" không hợp lệ`},
						{"password", "mật khẩu phải có ít nhất 10 ký tự"}},
					`value="A B"`},
				{"new user in an unknown organisation", "/users", url.Values{"full_name": {"Người Mới"}, "username": {"staff.a"},
					"org_id": {"999999"}, "password": {"long enough pw"}},
					[]want{{"org_id", "cơ quan, tổ chức có mã số 999999 không tồn tại"}, {"username", `tên đăng nhập "staff.a" đã được dùng`}},
					`value="Người Mới"`},
				{"new token", "/account/tokens", url.Values{"name": {" "}, "days": {"1000"}},
					[]want{{"token-name", "khóa cần có tên, tối đa 100 ký tự"}, {"token-days", "số ngày phải là số nguyên từ 0 (không hết hạn) đến 732"}},
					`value="1000"`},
				{"new token with days that are no number", "/account/tokens", url.Values{"name": {strings.Repeat("x", 101)}, "days": {"soon"}},
					[]want{{"token-name", "khóa cần có tên, tối đa 100 ký tự"}, {"token-days", "số ngày phải là số nguyên từ 0 (không hết hạn) đến 732"}},
					`value="soon"`},
				{"grant", userPath + "/grants", url.Values{"role": {"king"}, "org_id": {"999999"}},
					[]want{{"grant-role", `vai trò "king" không hợp lệ`}, {"grant-org", "cơ quan, tổ chức có mã số 999999 không tồn tại"}},
					"<h1>Nhân viên A</h1>"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before := written()
					tt.form.Set("_csrf", csrf)
					status, body := send("POST", tt.path, "application/x-www-form-urlencoded", tt.form.Encode(), session)
					if status != http.StatusUnprocessableEntity {
						t.Fatalf("status %d, want 422: %s", status, body)
					}
					for _, x := range tt.want {
						if !beside(body, x.id, x.message) {
							t.Errorf("no %q beside #%s", x.message, x.id)
						}
					}
					if n := strings.Count(body, `class="error"`); n != len(tt.want) {
						t.Errorf("%d errors on the page, want %d: %s", n, len(tt.want), body)
					}
					if !strings.Contains(body, tt.kept) {
						t.Errorf("the page lacks %s", tt.kept)
					}
					if strings.Contains(body, "long enough pw") || strings.Contains(body, `value="short"`) {
						t.Error("the page shows the password typed")
					}
					if after := written(); after != before {
						t.Fatalf("a refused form wrote: %s, then %s", before, after)
					}
				})
			}
		})
	})
}
