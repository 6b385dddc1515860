package identityweb_test

import (
	"context"
	"io"
	"net/http"
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

// TestRefusedGrantStaysOnTheUserPage: an administrator whose grant is
// refused (a national role, an organisation outside their scope or unknown,
// no role chosen) sees the user page again, in Vietnamese, with their
// choices kept and the reason beside the field it concerns, tied to it by
// aria-describedby; nothing is granted. The new-user form refuses a role
// the same way, before creating the user.
func TestRefusedGrantStaysOnTheUserPage(t *testing.T) {
	sets := []platform.Migrations{directory.Migrations(), identity.Migrations()}
	platformtest.ForEachDB(t, sets, func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		dir := directory.NewStore(db)
		ids := identity.NewStore(db)
		ids.SetFastHashing()
		mk := func(code string, kind directory.Kind, parent *int64) directory.Org {
			o, err := dir.CreateOrg(ctx, directory.OrgInput{Code: code, Name: "Cơ quan " + code, Kind: kind, ParentID: parent})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		a, b := mk("PA", directory.KindProvince, nil), mk("PB", directory.KindProvince, nil)
		deptA := mk("PA.STC", directory.KindDepartment, &a.ID)
		admin, err := ids.CreateUser(ctx, identity.UserInput{OrgID: a.ID, Username: "it.a", FullName: "Quản trị A", Password: "long enough pw"})
		if err != nil {
			t.Fatal(err)
		}
		if err := ids.GrantRole(ctx, admin.ID, identity.RoleITAdmin, a.ID, 0); err != nil {
			t.Fatal(err)
		}
		staff, err := ids.CreateUser(ctx, identity.UserInput{OrgID: deptA.ID, Username: "staff.a", FullName: "Nhân viên Sở A", Password: "long enough pw"})
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
		do := func(method, path string, form url.Values) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(form.Encode()))
			req.AddCookie(&http.Cookie{Name: identity.SessionCookie, Value: sid})
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(body)
		}
		userPath := "/users/" + strconv.FormatInt(staff.ID, 10)
		_, page := do("GET", userPath, nil)
		m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no CSRF field on the user page: %s", page)
		}
		csrf := m[1]
		grants := func(userID int64) int {
			t.Helper()
			var n int
			if err := db.Read.QueryRow(`SELECT COUNT(*) FROM role_grants WHERE user_id = $1`, userID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// beside: the select points at its error, which follows it in the
		// same field with the Vietnamese message.
		beside := func(selectID, message string) *regexp.Regexp {
			return regexp.MustCompile(`<select id="` + selectID + `"[^>]*aria-invalid="true" aria-describedby="` + selectID + `-err"[^>]*>(?s:.*?)</select>\s*<div class="error" id="` +
				selectID + `-err">` + regexp.QuoteMeta(message) + `</div></div>`)
		}
		id := func(o directory.Org) string { return strconv.FormatInt(o.ID, 10) }
		for _, tt := range []struct {
			name        string
			role, org   string
			status      int
			field, text string
			kept        string
		}{
			{"national role", "platform_admin", id(deptA), http.StatusForbidden, "grant-role", "chỉ quản trị nền tảng được cấp vai trò này",
				`<option value="` + id(deptA) + `" selected>`},
			{"another province", "auditor", id(b), http.StatusForbidden, "grant-org", "bạn không quản trị người dùng của cơ quan, tổ chức này",
				`<option value="auditor" selected>`},
			{"unknown organisation", "provider_officer", "999999", http.StatusUnprocessableEntity, "grant-org", "cơ quan, tổ chức có mã số 999999 không tồn tại",
				`<option value="provider_officer" selected>`},
			{"no role chosen", "", id(deptA), http.StatusUnprocessableEntity, "grant-role", "hãy chọn vai trò cần cấp",
				`<option value="` + id(deptA) + `" selected>`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				status, body := do("POST", userPath+"/grants", url.Values{"_csrf": {csrf}, "role": {tt.role}, "org_id": {tt.org}})
				if status != tt.status {
					t.Fatalf("status %d, want %d: %s", status, tt.status, body)
				}
				if !strings.Contains(body, "<h1>Nhân viên Sở A</h1>") || !strings.Contains(body, `action="`+userPath+`/grants#roles"`) {
					t.Fatalf("not the user page with its grant form: %s", body)
				}
				if !beside(tt.field, tt.text).MatchString(body) {
					t.Errorf("no %q beside #%s: %s", tt.text, tt.field, body)
				}
				if !strings.Contains(body, tt.kept) {
					t.Errorf("the other choice is not kept (%s)", tt.kept)
				}
				if strings.Count(body, `class="error"`) != 1 {
					t.Errorf("want exactly one error on the page: %s", body)
				}
			})
		}
		if n := grants(staff.ID); n != 0 {
			t.Fatalf("refused grants left %d grants", n)
		}
		// The form still grants what the administrator may grant.
		if status, _ := do("POST", userPath+"/grants", url.Values{"_csrf": {csrf}, "role": {"provider_officer"}, "org_id": {id(deptA)}}); status != http.StatusSeeOther || grants(staff.ID) != 1 {
			t.Fatalf("allowed grant: %d, %d grants", status, grants(staff.ID))
		}

		// The new-user form: a refused role is shown beside the role field,
		// with what was typed kept (but not the password), and no user is made.
		status, body := do("POST", "/users", url.Values{"_csrf": {csrf}, "full_name": {"Người Mới"}, "username": {"moi.a"},
			"org_id": {id(a)}, "role": {"mic_appraiser"}, "password": {"long enough pw"}})
		if status != http.StatusForbidden || !beside("role", "chỉ quản trị nền tảng được cấp vai trò này").MatchString(body) ||
			!strings.Contains(body, `value="moi.a"`) || strings.Contains(body, "long enough pw") {
			t.Fatalf("new user with a national role: %d %s", status, body)
		}
		var n int
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM users WHERE username = 'moi.a'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a refused role left the user behind (%d, %v)", n, err)
		}
	})
}
