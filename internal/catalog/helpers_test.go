package catalog_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

func sets() []platform.Migrations {
	return []platform.Migrations{directory.Migrations(), identity.Migrations(), catalog.Migrations()}
}

// env is a catalog on a real database with a small organisation tree:
// a province (DN) with two departments, another province (QN), and a ministry.
type env struct {
	db   *platform.DB
	dir  *directory.Store
	ids  *identity.Store
	cat  *catalog.Store
	orgs map[string]int64
	// clock is the database clock; tests move it.
	clock time.Time
}

var admin = catalog.Actor{UserID: 0, Name: "Tester"}

func newEnv(t testing.TB, db *platform.DB) *env {
	t.Helper()
	e := &env{db: db, dir: directory.NewStore(db), ids: identity.NewStore(db), orgs: map[string]int64{},
		clock: time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return e.clock }
	e.ids.SetFastHashing()
	e.cat = catalog.NewStore(db, catalog.Options{IndexCheckEvery: time.Millisecond})
	for _, o := range []struct{ code, parent, name string }{
		{"DN", "", "UBND Thành phố Đà Nẵng"},
		{"DN.STC", "DN", "Sở Tài chính Đà Nẵng"},
		{"DN.SYT", "DN", "Sở Y tế Đà Nẵng"},
		{"QN", "", "UBND Tỉnh Quảng Ninh"},
		{"BCA", "", "Bộ Công an"},
		{"BCA.C06", "BCA", "Cục C06"},
	} {
		kind := directory.KindDepartment
		if o.parent == "" {
			kind = directory.KindProvince
		}
		e.addOrg(t, o.code, o.parent, o.name, kind)
	}
	return e
}

// addOrg creates an organisation under parent ("" for a root) and keeps
// its id under code.
func (e *env) addOrg(t testing.TB, code, parent, name string, kind directory.Kind) {
	t.Helper()
	in := directory.OrgInput{Code: code, Name: name, Kind: kind}
	if parent != "" {
		pid := e.orgs[parent]
		in.ParentID = &pid
	}
	org, err := e.dir.CreateOrg(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	e.orgs[code] = org.ID
}

const enterpriseSchema = `{
  "type": "object",
  "properties": {
    "ma_so_thue": {"type": "string", "pattern": "^[0-9]{10}$"},
    "ten_doanh_nghiep": {"type": "string"},
    "dia_chi_tru_so": {"type": "string"},
    "trang_thai": {"type": "string", "enum": ["hoat_dong", "tam_ngung", "giai_the"]}
  },
  "required": ["ma_so_thue"]
}`

func serviceInput(identifier string, provider int64) catalog.ServiceInput {
	return catalog.ServiceInput{
		Identifier: identifier, Name: "Tra cứu thông tin doanh nghiệp", ProviderOrgID: provider,
		Description: "Tra cứu theo mã số thuế", Schema: enterpriseSchema,
		Items: []catalog.DataItem{{Key: "ma_so_thue", Label: "Mã số thuế"}, {Key: "ten_doanh_nghiep", Label: "Tên doanh nghiệp"},
			{Key: "trang_thai", Label: "Trạng thái hoạt động"}},
		Form: catalog.FormDefault, Method: catalog.MethodOnline, CapacityPerSec: 20, CapacityPerDay: 100000,
		UpstreamURL: "http://127.0.0.1:8090/dkkd/doanh-nghiep",
	}
}

func mustService(t testing.TB, e *env, in catalog.ServiceInput) catalog.Service {
	t.Helper()
	sv, err := e.cat.CreateService(context.Background(), admin, in)
	if err != nil {
		t.Fatalf("create service %s: %v", in.Identifier, err)
	}
	return sv
}

func wantField(t testing.TB, err error, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error on field %q, got none", field)
	}
	pe := platform.AsError(err)
	if pe.Class != platform.EInvalid || pe.Field != field {
		t.Fatalf("want invalid %q, got class=%s field=%q: %v", field, pe.Class, pe.Field, err)
	}
}

func wantClass(t testing.TB, err error, class string) {
	t.Helper()
	if platform.ErrorClass(err) != class {
		t.Fatalf("want %s, got %v", class, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func mustDate(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}
