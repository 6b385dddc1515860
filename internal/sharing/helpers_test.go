package sharing_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharing"
)

func sets() []platform.Migrations {
	return []platform.Migrations{directory.Migrations(), identity.Migrations(), sharing.Migrations()}
}

// fakeServices is the catalog at the boundary: an in-memory map.
type fakeServices struct {
	mu sync.Mutex
	m  map[int64]sharing.ServiceInfo
}

func (f *fakeServices) ServiceInfo(ctx context.Context, id int64) (sharing.ServiceInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.m[id]
	if !ok {
		return sharing.ServiceInfo{}, platform.NotFound("service")
	}
	return s, nil
}

func (f *fakeServices) set(s sharing.ServiceInfo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[s.ID] = s
}

// env is a province with a provider, a consumer, their IT unit, and a
// second province, on a real database with a fixed clock.
type env struct {
	db    *platform.DB
	dir   *directory.Store
	ids   *identity.Store
	store *sharing.Store
	svc   *fakeServices
	orgs  map[string]directory.Org
	p     map[string]*identity.Principal // by username
	token map[string]string              // API token by username

	mu  sync.Mutex
	now time.Time
}

const (
	svcLookup  = 1 // published, DN.STC
	svcRetired = 2 // retired, DN.STC
	svcDraft   = 3 // draft, DN.STC
	svcLand    = 4 // published, DN.SNNMT
)

var vn = time.FixedZone("ICT", 7*3600)

func newEnv(t *testing.T, db *platform.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{db: db, dir: directory.NewStore(db), ids: identity.NewStore(db), orgs: map[string]directory.Org{},
		p: map[string]*identity.Principal{}, token: map[string]string{}, now: time.Date(2026, 3, 2, 9, 0, 0, 0, vn)}
	db.Now = e.clock
	e.ids.SetFastHashing()
	for _, o := range []struct {
		code, parent string
		kind         directory.Kind
	}{
		{"DN", "", directory.KindProvince}, {"DN.STC", "DN", directory.KindDepartment}, {"DN.SYT", "DN", directory.KindDepartment},
		{"DN.SNNMT", "DN", directory.KindDepartment}, {"QN", "", directory.KindProvince}, {"QN.SYT", "QN", directory.KindDepartment},
	} {
		in := directory.OrgInput{Code: o.code, Name: "Org " + o.code, Kind: o.kind}
		if o.parent != "" {
			pid := e.orgs[o.parent].ID
			in.ParentID = &pid
		}
		org, err := e.dir.CreateOrg(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		e.orgs[o.code] = org
	}
	for _, u := range []struct {
		name, org string
		role      identity.Role
	}{
		{"danang.it", "DN", identity.RoleITAdmin}, {"stc", "DN.STC", identity.RoleProviderOfficer},
		{"syt", "DN.SYT", identity.RoleConsumerOfficer}, {"snnmt", "DN.SNNMT", identity.RoleProviderOfficer},
		{"qn.it", "QN", identity.RoleITAdmin}, {"admin", "QN", identity.RolePlatformAdmin},
	} {
		user, err := e.ids.CreateUser(ctx, identity.UserInput{OrgID: e.orgs[u.org].ID, Username: u.name, FullName: "User " + u.name,
			Email: u.name + "@example.gov.vn", Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.ids.GrantRole(ctx, user.ID, u.role, e.orgs[u.org].ID, 0); err != nil {
			t.Fatal(err)
		}
		secret, _, err := e.ids.CreateToken(ctx, user.ID, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.ids.TokenPrincipal(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		e.p[u.name], e.token[u.name] = p, secret
	}
	items := []string{"ma_so_dn", "ten_dn", "dia_chi", "nguoi_dai_dien", "von_dieu_le"}
	labels := map[string]string{"ma_so_dn": "Mã số doanh nghiệp", "ten_dn": "Tên doanh nghiệp", "dia_chi": "Địa chỉ trụ sở",
		"nguoi_dai_dien": "Người đại diện theo pháp luật", "von_dieu_le": "Vốn điều lệ"}
	e.svc = &fakeServices{m: map[int64]sharing.ServiceInfo{}}
	for _, s := range []sharing.ServiceInfo{
		{ID: svcLookup, Identifier: "DN.STC.TRACUU_DN", Name: "Tra cứu thông tin doanh nghiệp", ProviderOrgID: e.orgs["DN.STC"].ID, Status: "published"},
		{ID: svcRetired, Identifier: "DN.STC.CU", Name: "Dịch vụ cũ", ProviderOrgID: e.orgs["DN.STC"].ID, Status: "retired"},
		{ID: svcDraft, Identifier: "DN.STC.NHAP", Name: "Dịch vụ nháp", ProviderOrgID: e.orgs["DN.STC"].ID, Status: "draft"},
		{ID: svcLand, Identifier: "DN.SNNMT.THUADAT", Name: "Tra cứu thửa đất", ProviderOrgID: e.orgs["DN.SNNMT"].ID, Status: "published"},
	} {
		s.Form, s.Method, s.Items, s.ItemLabels = "default", "online", items, labels
		e.svc.set(s)
	}
	e.store = sharing.NewStore(db, e.dir, e.svc, sharing.Config{BaseURL: "https://lgsp.example.gov.vn"})
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now.UTC()
}

func (e *env) setNow(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = t
}

func (e *env) input(items ...string) sharing.RequestInput {
	if len(items) == 0 {
		items = []string{"ma_so_dn", "ten_dn", "dia_chi", "nguoi_dai_dien"}
	}
	return sharing.RequestInput{ApplicationCode: "SYT-CPHN", ApplicationName: "Hệ thống cấp phép hành nghề",
		Purpose: "Xác minh thông tin doanh nghiệp khi cấp phép", ServiceID: svcLookup, Items: items, ExpectedCallsPerDay: 500}
}

// mustRequest files a request from syt for the lookup service.
func (e *env) mustRequest(t *testing.T, items ...string) sharing.Request {
	t.Helper()
	r, err := e.store.CreateRequest(context.Background(), e.p["syt"], e.input(items...))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// wantErr checks an error's class, code and field.
func wantErr(t *testing.T, err error, class, code, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s/%s error, got nil", class, code)
	}
	e := platform.AsError(err)
	if e.Class != class || (code != "" && e.Code != code) || e.Field != field {
		t.Fatalf("want %s/%s field %q, got %s/%s field %q (%v)", class, code, field, e.Class, e.Code, e.Field, err)
	}
}

func (e *env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Read.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
