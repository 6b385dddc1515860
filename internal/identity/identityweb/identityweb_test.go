package identityweb_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
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

func TestUserAdministrationIsScoped(t *testing.T) {
	sets := []platform.Migrations{directory.Migrations(), identity.Migrations()}
	platformtest.ForEachDB(t, sets, func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		dir := directory.NewStore(db)
		ids := identity.NewStore(db)
		ids.SetFastHashing()
		mk := func(code string) directory.Org {
			o, err := dir.CreateOrg(ctx, directory.OrgInput{Code: code, Name: "UBND " + code, Kind: directory.KindProvince})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		a, b := mk("PA"), mk("PB")
		user := func(name string, o directory.Org, role identity.Role) (identity.User, string) {
			u, err := ids.CreateUser(ctx, identity.UserInput{OrgID: o.ID, Username: name, FullName: "Người " + name, Password: "long enough pw"})
			if err != nil {
				t.Fatal(err)
			}
			if role != "" {
				if err := ids.GrantRole(ctx, u.ID, role, o.ID, 0); err != nil {
					t.Fatal(err)
				}
			}
			tok, _, err := ids.CreateToken(ctx, u.ID, "t", 0)
			if err != nil {
				t.Fatal(err)
			}
			return u, tok
		}
		_, itA := user("it.a", a, identity.RoleITAdmin)
		userB, _ := user("staff.b", b, "")
		userA, staffA := user("staff.a", a, "")
		mux, _ := webtest.Mount(t, func(mux *http.ServeMux, site *web.Site, api *platform.API) error {
			return identityweb.Register(mux, site, api, ids, dir)
		})
		srv := httptest.NewServer(ids.Authenticate(mux))
		defer srv.Close()
		callAs := func(tok, method, path, body string) (int, string) {
			req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		call := func(method, path, body string) (int, string) { return callAs(itA, method, path, body) }
		id := func(u identity.User) string { return strconv.FormatInt(u.ID, 10) }
		for _, tt := range []struct {
			name, method, path, body string
			status                   int
			contains                 string
		}{
			{"sees own user", "GET", "/api/v1/users/" + id(userA), "", 200, `"staff.a"`},
			{"other province's user is hidden", "GET", "/api/v1/users/" + id(userB), "", 404, "not_found"},
			{"list is scoped", "GET", "/api/v1/users", "", 200, `"it.a"`},
			{"create in own province", "POST", "/api/v1/users", `{"org_id":` + strconv.FormatInt(a.ID, 10) + `,"username":"moi.a","full_name":"Mới","password":"long enough pw"}`, 201, `"moi.a"`},
			{"create in other province", "POST", "/api/v1/users", `{"org_id":` + strconv.FormatInt(b.ID, 10) + `,"username":"moi.b","full_name":"Mới","password":"long enough pw"}`, 403, "forbidden"},
			{"weak password", "POST", "/api/v1/users", `{"org_id":` + strconv.FormatInt(a.ID, 10) + `,"username":"yeu.a","full_name":"Yếu","password":"short"}`, 422, `"field":"password"`},
			{"grant in scope", "POST", "/api/v1/users/" + id(userA) + "/grants", `{"role":"provider_officer","org_id":` + strconv.FormatInt(a.ID, 10) + `}`, 201, "provider_officer"},
			{"no platform admin from an IT unit", "POST", "/api/v1/users/" + id(userA) + "/grants", `{"role":"platform_admin","org_id":` + strconv.FormatInt(a.ID, 10) + `}`, 403, "forbidden_role"},
			{"no grant on another province", "POST", "/api/v1/users/" + id(userA) + "/grants", `{"role":"auditor","org_id":` + strconv.FormatInt(b.ID, 10) + `}`, 403, "forbidden"},
			{"unknown role", "POST", "/api/v1/users/" + id(userA) + "/grants", `{"role":"king","org_id":` + strconv.FormatInt(a.ID, 10) + `}`, 422, `"field":"role"`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				status, body := call(tt.method, tt.path, tt.body)
				if status != tt.status || !strings.Contains(body, tt.contains) {
					t.Fatalf("%d %s", status, body)
				}
				if tt.name == "list is scoped" && strings.Contains(body, "staff.b") {
					t.Fatal("the list shows another province's user")
				}
			})
		}
		// Pages offer only what the viewer may do: an IT unit is not offered
		// the national roles, and someone who administers no users gets no
		// users page (with its "New user" button) at all.
		if status, body := call("GET", "/users/"+id(userA), ""); status != 200 || strings.Contains(body, `value="platform_admin"`) ||
			strings.Contains(body, `value="mic_appraiser"`) || !strings.Contains(body, `value="provider_officer"`) {
			t.Fatalf("user page of an IT unit: %d %s", status, body)
		}
		if status, _ := callAs(staffA, "GET", "/users", ""); status != http.StatusForbidden {
			t.Fatalf("users page for a user without administration rights: %d", status)
		}
		var n int
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM users WHERE username IN ('moi.b', 'yeu.a')`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("refused creations left %d users (%v)", n, err)
		}

		// The login form: wrong password re-shows the form; a POST without
		// the CSRF token is refused; the right password logs in.
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Get(srv.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(string(page))
		if m == nil {
			t.Fatalf("no CSRF field on the login form: %s", page)
		}
		post := func(form url.Values) *http.Response {
			res, err := c.PostForm(srv.URL+"/login", form)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		if res := post(url.Values{"username": {"staff.a"}, "password": {"long enough pw"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("login without CSRF: %d", res.StatusCode)
		}
		res, err = c.PostForm(srv.URL+"/login", url.Values{"_csrf": {m[1]}, "username": {"staff.a"}, "password": {"wrong password"}})
		if err != nil {
			t.Fatal(err)
		}
		page, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(page), `id="login-err"`) ||
			strings.Count(string(page), `aria-invalid="true" aria-describedby="login-err"`) != 2 {
			t.Fatalf("wrong password: %d, the fields do not point at the error: %s", res.StatusCode, page)
		}
		if res := post(url.Values{"_csrf": {m[1]}, "username": {"staff.a"}, "password": {"long enough pw"}, "next": {"//evil.example/"}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Fatalf("login: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	})
}
