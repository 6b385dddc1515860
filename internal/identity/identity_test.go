package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

func sets() []platform.Migrations {
	return []platform.Migrations{directory.Migrations(), identity.Migrations()}
}

// world is two provinces with a department each, and a ministry.
type world struct {
	dir                        *directory.Store
	ids                        *identity.Store
	provA, deptA, provB, deptB directory.Org
	ministry                   directory.Org
}

func newWorld(t *testing.T, db *platform.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{dir: directory.NewStore(db), ids: identity.NewStore(db)}
	w.ids.SetFastHashing()
	mk := func(code string, kind directory.Kind, parent *directory.Org) directory.Org {
		in := directory.OrgInput{Code: code, Name: "Org " + code, Kind: kind}
		if parent != nil {
			in.ParentID = &parent.ID
		}
		o, err := w.dir.CreateOrg(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	w.ministry = mk("MIN", directory.KindMinistry, nil)
	w.provA = mk("PA", directory.KindProvince, nil)
	w.deptA = mk("PA.D1", directory.KindDepartment, &w.provA)
	w.provB = mk("PB", directory.KindProvince, nil)
	w.deptB = mk("PB.D1", directory.KindDepartment, &w.provB)
	return w
}

func (w *world) user(t *testing.T, name string, org directory.Org, role identity.Role, on directory.Org) identity.User {
	t.Helper()
	ctx := context.Background()
	u, err := w.ids.CreateUser(ctx, identity.UserInput{OrgID: org.ID, Username: name, FullName: "User " + name, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		if err := w.ids.GrantRole(ctx, u.ID, role, on.ID, 0); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func TestLoginSessionsAndThrottling(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		w.user(t, "an.nguyen", w.deptA, identity.RoleProviderOfficer, w.deptA)

		sid, p, err := w.ids.Login(ctx, "An.Nguyen", "correct horse battery", "10.0.0.1", "test")
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		if p.OrgID != w.deptA.ID || p.CSRF == "" || len(p.Grants) != 1 {
			t.Fatalf("principal = %+v", p)
		}
		got, err := w.ids.SessionPrincipal(ctx, sid)
		if err != nil || got.UserID != p.UserID || got.CSRF != p.CSRF {
			t.Fatalf("session principal = %+v, %v", got, err)
		}
		if err := w.ids.Logout(ctx, sid); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ids.SessionPrincipal(ctx, sid); platform.ErrorClass(err) != platform.EUnauthorized {
			t.Fatalf("after logout: %v", err)
		}

		// Five failures lock the account for the window, even with the right password.
		for i := 0; i < 5; i++ {
			if _, _, err := w.ids.Login(ctx, "an.nguyen", "wrong password!", "10.0.0.2", ""); platform.ErrorClass(err) != platform.EUnauthorized {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		if _, _, err := w.ids.Login(ctx, "an.nguyen", "correct horse battery", "10.0.0.3", ""); platform.ErrorClass(err) != platform.ETooMany {
			t.Fatalf("want throttled, got %v", err)
		}
		// The window passes: login works again.
		db.Now = func() time.Time { return time.Now().UTC().Add(16 * time.Minute) }
		if _, _, err := w.ids.Login(ctx, "an.nguyen", "correct horse battery", "10.0.0.3", ""); err != nil {
			t.Fatalf("after window: %v", err)
		}
		// Unknown users get the same answer as wrong passwords.
		if _, _, err := w.ids.Login(ctx, "nobody", "whatever12345", "10.0.0.4", ""); platform.AsError(err).Code != "invalid_login" {
			t.Fatalf("unknown user: %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		u := w.user(t, "bot", w.deptA, identity.RoleConsumerOfficer, w.deptA)
		secret, tok, err := w.ids.CreateToken(ctx, u.ID, "ci", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		var stored int
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1`, secret).Scan(&stored); err != nil || stored != 0 {
			t.Fatalf("the secret must not be stored in clear (%d, %v)", stored, err)
		}
		p, err := w.ids.TokenPrincipal(ctx, secret)
		if err != nil || p.UserID != u.ID || p.Via != "token" {
			t.Fatalf("token principal: %+v %v", p, err)
		}
		if _, err := w.ids.TokenPrincipal(ctx, secret+"x"); err == nil {
			t.Fatal("a wrong token must fail")
		}
		db.Now = func() time.Time { return time.Now().UTC().Add(25 * time.Hour) }
		if _, err := w.ids.TokenPrincipal(ctx, secret); err == nil {
			t.Fatal("an expired token must fail")
		}
		db.Now = func() time.Time { return time.Now().UTC() }
		if err := w.ids.RevokeToken(ctx, u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ids.TokenPrincipal(ctx, secret); err == nil {
			t.Fatal("a revoked token must fail")
		}
	})
}

func TestBadUserInputChangesNothing(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		w.user(t, "taken", w.deptA, "", w.deptA)
		tests := []struct {
			name  string
			in    identity.UserInput
			field string
		}{
			{"bad username", identity.UserInput{OrgID: w.deptA.ID, Username: "A B", FullName: "x", Password: "long enough pw"}, "username"},
			{"short password", identity.UserInput{OrgID: w.deptA.ID, Username: "abc", FullName: "x", Password: "short"}, "password"},
			{"no name", identity.UserInput{OrgID: w.deptA.ID, Username: "abc", Password: "long enough pw"}, "full_name"},
			{"bad email", identity.UserInput{OrgID: w.deptA.ID, Username: "abc", FullName: "x", Email: "not-an-email", Password: "long enough pw"}, "email"},
			{"unknown org", identity.UserInput{OrgID: 9999, Username: "abc", FullName: "x", Password: "long enough pw"}, "org_id"},
			{"duplicate", identity.UserInput{OrgID: w.deptA.ID, Username: "taken", FullName: "x", Password: "long enough pw"}, "username"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := w.ids.CreateUser(ctx, tt.in)
				if e := platform.AsError(err); e.Class != platform.EInvalid || e.Field != tt.field {
					t.Fatalf("got %v, want invalid %s", err, tt.field)
				}
				var n int
				if err := db.Read.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n); err != nil || n != 1 {
					t.Fatalf("users = %d, %v", n, err)
				}
			})
		}
	})
}

// TestAuthorisationMatrix: a user never sees or changes data outside the
// subtree they are granted.
func TestAuthorisationMatrix(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		users := map[string]identity.User{
			"platform": w.user(t, "platform", w.ministry, identity.RolePlatformAdmin, w.ministry),
			"itA":      w.user(t, "it.a", w.provA, identity.RoleITAdmin, w.provA),
			"provA":    w.user(t, "prov.a", w.deptA, identity.RoleProviderOfficer, w.deptA),
			"consA":    w.user(t, "cons.a", w.deptA, identity.RoleConsumerOfficer, w.deptA),
			"audA":     w.user(t, "aud.a", w.provA, identity.RoleAuditor, w.provA),
			"nobody":   w.user(t, "nobody", w.deptB, "", w.deptB),
		}
		principal := func(name string) *identity.Principal {
			sid, p, err := w.ids.Login(ctx, users[name].Username, "correct horse battery", "127.0.0.1", "")
			if err != nil || sid == "" {
				t.Fatalf("login %s: %v", name, err)
			}
			return p
		}
		orgs := map[string]directory.Org{"provA": w.provA, "deptA": w.deptA, "provB": w.provB, "deptB": w.deptB, "ministry": w.ministry}
		type row struct {
			user string
			perm identity.Permission
			org  string
			want bool
		}
		var rows []row
		allow := func(u string, perm identity.Permission, yes ...string) {
			set := map[string]bool{}
			for _, o := range yes {
				set[o] = true
			}
			for o := range orgs {
				rows = append(rows, row{u, perm, o, set[o]})
			}
		}
		for _, perm := range []identity.Permission{identity.PermOrgManage, identity.PermCatalogManage, identity.PermLogRead} {
			allow("platform", perm, "provA", "deptA", "provB", "deptB", "ministry")
		}
		allow("itA", identity.PermOrgManage, "provA", "deptA")
		allow("itA", identity.PermUserManage, "provA", "deptA")
		allow("itA", identity.PermRequestDecide, "provA", "deptA")
		allow("provA", identity.PermCatalogManage, "deptA")
		allow("provA", identity.PermRequestDecide, "deptA")
		allow("provA", identity.PermOrgManage)
		allow("provA", identity.PermRequestCreate)
		allow("consA", identity.PermRequestCreate, "deptA")
		allow("consA", identity.PermCatalogManage)
		allow("audA", identity.PermLogRead, "provA", "deptA")
		allow("audA", identity.PermCatalogManage)
		allow("nobody", identity.PermLogRead)
		allow("nobody", identity.PermOrgManage)
		for _, r := range rows {
			p := principal(r.user)
			if got := p.Allowed(r.perm, orgs[r.org].Path); got != r.want {
				t.Errorf("%s %s on %s = %v, want %v", r.user, r.perm, r.org, got, r.want)
			}
		}
		// Lists are scoped the same way: an IT admin of province A sees only A's users.
		p := principal("itA")
		res, err := w.ids.ListUsers(ctx, identity.UserFilter{Under: p.Scope(identity.PermUserManage), Page: platform.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range res.Items {
			if u.OrgID != w.provA.ID && u.OrgID != w.deptA.ID {
				t.Errorf("it admin of A sees user %s of org %d", u.Username, u.OrgID)
			}
		}
		if len(res.Items) != 4 {
			t.Errorf("it admin of A sees %d users, want 4", len(res.Items))
		}
		var anon *identity.Principal
		if anon.Allowed(identity.PermLogRead, w.deptA.Path) {
			t.Error("anonymous must be allowed nothing")
		}
	})
}
