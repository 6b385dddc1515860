package dbi_test

import (
	"context"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/dbi"
	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

func sets() []platform.Migrations {
	return []platform.Migrations{directory.Migrations(), identity.Migrations(), dbi.Migrations()}
}

const password = "correct horse battery"

// world is a ministry (MIC), two provinces with their DoIC, and the stores.
type world struct {
	db       *platform.DB
	dir      *directory.Store
	ids      *identity.Store
	store    *dbi.Store
	ministry directory.Org
	dn, qn   directory.Org
	mic      *identity.Principal // MIC appraiser
	doic     *identity.Principal // DoIC assessor of Da Nang
	doicQN   *identity.Principal // DoIC assessor of Quang Ninh
}

// now is the fixed clock of the tests: 2 March 2026, 09:00 in Vietnam.
var now = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

func newWorld(t testing.TB, db *platform.DB) *world {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return now }
	w := &world{db: db, dir: directory.NewStore(db), ids: identity.NewStore(db)}
	w.ids.SetFastHashing()
	w.store = dbi.NewStore(db, w.dir, w.ids)
	units := []directory.AdminUnit{
		{Code: "01", Level: "province", Name: "Hà Nội", FullName: "Thành phố Hà Nội"},
		{Code: "22", Level: "province", Name: "Quảng Ninh", FullName: "Tỉnh Quảng Ninh"},
		{Code: "48", Level: "province", Name: "Đà Nẵng", FullName: "Thành phố Đà Nẵng"},
		{Code: "79", Level: "province", Name: "Hồ Chí Minh", FullName: "Thành phố Hồ Chí Minh"},
	}
	if _, err := w.dir.ImportAdminUnits(ctx, units, ""); err != nil {
		t.Fatal(err)
	}
	w.ministry = w.org(t, directory.OrgInput{Code: "MIC", Name: "Bộ Thông tin và Truyền thông", Kind: directory.KindMinistry})
	w.dn = w.org(t, directory.OrgInput{Code: "DN", Name: "UBND Thành phố Đà Nẵng", Kind: directory.KindProvince, AdminUnitCode: "48"})
	w.qn = w.org(t, directory.OrgInput{Code: "QN", Name: "UBND Tỉnh Quảng Ninh", Kind: directory.KindProvince, AdminUnitCode: "22"})
	w.mic = w.user(t, "mic", w.ministry, identity.RoleMICAppraiser, w.ministry)
	w.doic = w.user(t, "doic.dn", w.dn, identity.RoleDoICAssessor, w.dn)
	w.doicQN = w.user(t, "doic.qn", w.qn, identity.RoleDoICAssessor, w.qn)
	return w
}

func (w *world) org(t testing.TB, in directory.OrgInput) directory.Org {
	t.Helper()
	o, err := w.dir.CreateOrg(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// user creates an account in org with role on "on" and returns its principal.
func (w *world) user(t testing.TB, name string, org directory.Org, role identity.Role, on directory.Org) *identity.Principal {
	t.Helper()
	ctx := context.Background()
	u, err := w.ids.CreateUser(ctx, identity.UserInput{OrgID: org.ID, Username: name, FullName: "User " + name, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		if err := w.ids.GrantRole(ctx, u.ID, role, on.ID, 0); err != nil {
			t.Fatal(err)
		}
	}
	return w.login(t, name)
}

func (w *world) login(t testing.TB, name string) *identity.Principal {
	t.Helper()
	_, p, err := w.ids.Login(context.Background(), name, password, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// enterprise registers an enterprise in province code and returns it with its user.
func (w *world) enterprise(t testing.TB, taxCode, name, province, username string) (dbi.Enterprise, *identity.Principal) {
	t.Helper()
	e, _, err := w.store.Register(context.Background(), dbi.Registration{TaxCode: taxCode, Name: name,
		ProfileInput: dbi.ProfileInput{Field: "services", ProvinceCode: province, Staff: 40, Revenue: 25.5, Capital: 12},
		Account:      dbi.Account{Username: username, FullName: "Chủ " + name, Email: username + "@example.vn", Password: password}})
	if err != nil {
		t.Fatal(err)
	}
	return e, w.login(t, username)
}

// consultant applies and is recognised by MIC; it returns the consultant and its user.
func (w *world) consultant(t testing.TB, in dbi.Application) (dbi.Consultant, *identity.Principal) {
	t.Helper()
	ctx := context.Background()
	if in.Title == "" {
		in.Title = "dx"
	}
	if in.ProvinceCode == "" {
		in.ProvinceCode = "48"
	}
	if len(in.Specialties) == 0 {
		in.Specialties = []string{"assessment", "data"}
	}
	in.Account.Password = password
	if in.Account.FullName == "" {
		in.Account.FullName = "Tư vấn " + in.Account.Username
	}
	c, err := w.store.Apply(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	c, err = w.store.Review(ctx, w.mic, c.ID, dbi.ConsultantRecognised, "")
	if err != nil {
		t.Fatal(err)
	}
	return c, w.login(t, in.Account.Username)
}

// all returns every criterion of the index at level l.
func all(t testing.TB, kind dbi.IndexKind, l int) map[string]*int {
	t.Helper()
	m, err := dbi.ModelFor(kind)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*int{}
	for _, c := range m.Criteria() {
		out[c.ID] = &l
	}
	return out
}

func lv(l int) *int { return &l }

func must[T any](t testing.TB) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// wantCode asserts err is a platform error with code.
func wantCode(t testing.TB, err error, code string) *platform.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s, got none", code)
	}
	e := platform.AsError(err)
	if e.Code != code {
		t.Fatalf("want error %s, got %v", code, err)
	}
	return e
}

var _ = platformtest.ForEachDB
