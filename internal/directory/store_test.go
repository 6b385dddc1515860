package directory_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

func dirSets() []platform.Migrations { return []platform.Migrations{directory.Migrations()} }

// mustOrg creates an organisation or fails the test.
func mustOrg(tb testing.TB, s *directory.Store, code, name string, kind directory.Kind, parent *directory.Org) directory.Org {
	tb.Helper()
	in := directory.OrgInput{Code: code, Name: name, Kind: kind}
	if parent != nil {
		in.ParentID = &parent.ID
	}
	o, err := s.CreateOrg(context.Background(), in)
	if err != nil {
		tb.Fatalf("create %s: %v", code, err)
	}
	return o
}

func countRows(tb testing.TB, db *platform.DB, table string) int {
	tb.Helper()
	var n int
	if err := db.Read.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// wantField checks err is a coded error about field.
func wantField(tb testing.TB, err error, class, code, field string) {
	tb.Helper()
	var e *platform.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error = %v, want a %s/%s error on %s", err, class, code, field)
	}
	if e.Class != class || e.Code != code || e.Field != field {
		tb.Fatalf("error = %s/%s on %q (%s), want %s/%s on %q", e.Class, e.Code, e.Field, e.Message, class, code, field)
	}
}

func TestOrgTreeMoveAndCycle(t *testing.T) {
	platformtest.ForEachDB(t, dirSets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		s := directory.NewStore(db)
		prov := mustOrg(t, s, "PA", "UBND Tỉnh A", directory.KindProvince, nil)
		dept := mustOrg(t, s, "PA.SYT", "Sở Y tế A", directory.KindDepartment, &prov)
		unit := mustOrg(t, s, "PA.SYT.BV", "Bệnh viện A", directory.KindPublicService, &dept)
		other := mustOrg(t, s, "PB", "UBND Tỉnh B", directory.KindProvince, nil)

		if want := "/" + id(prov) + "/" + id(dept) + "/" + id(unit) + "/"; unit.Path != want {
			t.Fatalf("path = %q, want %q", unit.Path, want)
		}
		if unit.Depth() != 2 || prov.Depth() != 0 {
			t.Fatalf("depths = %d, %d", unit.Depth(), prov.Depth())
		}
		anc, err := s.Ancestors(ctx, unit)
		if err != nil || len(anc) != 2 || anc[0].ID != prov.ID || anc[1].ID != dept.ID {
			t.Fatalf("ancestors = %+v, %v", anc, err)
		}
		counts, err := s.ChildCounts(ctx, []int64{prov.ID, dept.ID, unit.ID})
		if err != nil || counts[prov.ID] != 1 || counts[dept.ID] != 1 || counts[unit.ID] != 0 {
			t.Fatalf("child counts = %v, %v", counts, err)
		}

		// Moving the department re-roots its whole subtree.
		in := dept.Input()
		in.ParentID = &other.ID
		moved, err := s.UpdateOrg(ctx, dept.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if want := "/" + id(other) + "/" + id(dept) + "/"; moved.Path != want {
			t.Fatalf("moved path = %q, want %q", moved.Path, want)
		}
		unit, _ = s.Org(ctx, unit.ID)
		if want := moved.Path + id(unit) + "/"; unit.Path != want {
			t.Fatalf("descendant path = %q, want %q", unit.Path, want)
		}
		if p, _ := s.Org(ctx, prov.ID); p.Path != "/"+id(prov)+"/" {
			t.Fatalf("untouched province path = %q", p.Path)
		}

		// A cycle (under itself or its own unit) is refused and changes nothing.
		for _, parent := range []int64{dept.ID, unit.ID} {
			in := dept.Input()
			in.ParentID = &parent
			_, err := s.UpdateOrg(ctx, dept.ID, in)
			wantField(t, err, platform.EInvalid, "cycle", "parent_id")
		}
		if d, _ := s.Org(ctx, dept.ID); d.Path != moved.Path {
			t.Fatalf("path after refused move = %q", d.Path)
		}

		// Back to the top level.
		in = dept.Input()
		in.ParentID = nil
		top, err := s.UpdateOrg(ctx, dept.ID, in)
		if err != nil || top.Path != "/"+id(dept)+"/" {
			t.Fatalf("to top: %q, %v", top.Path, err)
		}
		unit, _ = s.Org(ctx, unit.ID)
		if unit.Path != top.Path+id(unit)+"/" {
			t.Fatalf("descendant path after move to top = %q", unit.Path)
		}

		// Codes are unique.
		_, err = s.CreateOrg(ctx, directory.OrgInput{Code: "PA", Name: "Another", Kind: directory.KindOther})
		wantField(t, err, platform.EInvalid, "duplicate_code", "code")
		in = other.Input()
		in.Code = "PA"
		_, err = s.UpdateOrg(ctx, other.ID, in)
		wantField(t, err, platform.EInvalid, "duplicate_code", "code")
		if o, _ := s.Org(ctx, other.ID); o.Code != "PB" {
			t.Fatalf("code after refused update = %q", o.Code)
		}
		if n := countRows(t, db, "organisations"); n != 4 {
			t.Fatalf("organisations = %d, want 4", n)
		}

		_, err = s.UpdateOrg(ctx, 99999, other.Input())
		if platform.ErrorClass(err) != platform.ENotFound {
			t.Fatalf("update of a missing organisation: %v", err)
		}
	})
}

func id(o directory.Org) string { return strconv.FormatInt(o.ID, 10) }

func TestInvalidOrgInputChangesNothing(t *testing.T) {
	platformtest.ForEachDB(t, dirSets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		s := directory.NewStore(db)
		if err := s.EnsureAdminUnits(ctx); err != nil {
			t.Fatal(err)
		}
		parent := mustOrg(t, s, "PP", "Parent", directory.KindProvince, nil)
		target := mustOrg(t, s, "PP.T", "Target", directory.KindDepartment, &parent)
		missing := int64(424242)
		long := strings.Repeat("đ", 301)
		valid := func() directory.OrgInput {
			return directory.OrgInput{Code: "NEW-1", Name: "Sở mới", Kind: directory.KindDepartment, ParentID: &parent.ID}
		}
		cases := []struct {
			name, code, field string
			mod               func(*directory.OrgInput)
		}{
			{"bad code", "invalid_code", "code", func(in *directory.OrgInput) { in.Code = "a b" }},
			{"one-letter code", "invalid_code", "code", func(in *directory.OrgInput) { in.Code = "A" }},
			{"empty name", "required", "name", func(in *directory.OrgInput) { in.Name = "  " }},
			{"too-long name", "too_long", "name", func(in *directory.OrgInput) { in.Name = long }},
			{"too-long English name", "too_long", "name_en", func(in *directory.OrgInput) { in.NameEN = long }},
			{"too-long focal function", "too_long", "focal_point.function", func(in *directory.OrgInput) { in.FocalPoint.Function = strings.Repeat("x", 1001) }},
			{"bad email", "invalid_email", "email", func(in *directory.OrgInput) { in.Email = "not-an-address" }},
			{"bad focal email", "invalid_email", "focal_point.email", func(in *directory.OrgInput) { in.FocalPoint.Email = "Nguyễn <a@b.vn>" }},
			{"bad phone", "invalid_phone", "phone", func(in *directory.OrgInput) { in.Phone = "call me" }},
			{"short focal phone", "invalid_phone", "focal_point.phone", func(in *directory.OrgInput) { in.FocalPoint.Phone = "12345" }},
			{"bad tax code", "invalid_tax_code", "tax_code", func(in *directory.OrgInput) { in.TaxCode = "12345" }},
			{"bad website", "invalid_website", "website", func(in *directory.OrgInput) { in.Website = "javascript:alert(1)" }},
			{"unknown kind", "invalid_kind", "kind", func(in *directory.OrgInput) { in.Kind = "castle" }},
			{"unknown parent", "unknown_parent", "parent_id", func(in *directory.OrgInput) { in.ParentID = &missing }},
			{"malformed admin unit", "invalid_code", "admin_unit_code", func(in *directory.OrgInput) { in.AdminUnitCode = "HN" }},
			{"unknown admin unit", "unknown_admin_unit", "admin_unit_code", func(in *directory.OrgInput) { in.AdminUnitCode = "99999" }},
		}
		before := countRows(t, db, "organisations")
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := valid()
				c.mod(&in)
				_, err := s.CreateOrg(ctx, in)
				wantField(t, err, platform.EInvalid, c.code, c.field)
				in.Code = target.Code
				if c.field == "code" {
					c.mod(&in)
				}
				_, err = s.UpdateOrg(ctx, target.ID, in)
				wantField(t, err, platform.EInvalid, c.code, c.field)
			})
		}
		if after := countRows(t, db, "organisations"); after != before {
			t.Fatalf("organisations: %d before, %d after", before, after)
		}
		if got, _ := s.Org(ctx, target.ID); got.Name != "Target" || !got.UpdatedAt.Equal(target.UpdatedAt) {
			t.Fatalf("target changed: %+v", got)
		}

		// The shipped admin unit codes are accepted.
		in := valid()
		in.AdminUnitCode, in.TaxCode, in.Website = "01", "0101234567-001", "https://hanoi.gov.vn"
		if _, err := s.CreateOrg(ctx, in); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFocalPoint(t *testing.T) {
	platformtest.ForEachDB(t, dirSets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		s := directory.NewStore(db)
		o := mustOrg(t, s, "BTC", "Bộ Tài chính", directory.KindMinistry, nil)
		fp := directory.FocalPoint{Name: " Hoàng Thu Hà ", Position: "Phó Cục trưởng", Function: "Đầu mối chia sẻ dữ liệu",
			Phone: "024 2220 2828", Email: "ha@mof.gov.vn"}
		got, err := s.SetFocalPoint(ctx, o.ID, fp, "Sẵn sàng chia sẻ qua NDXP")
		if err != nil {
			t.Fatal(err)
		}
		if got.FocalPoint.Name != "Hoàng Thu Hà" || got.FocalPoint.Email != "ha@mof.gov.vn" || got.Readiness != "Sẵn sàng chia sẻ qua NDXP" {
			t.Fatalf("focal point = %+v / %q", got.FocalPoint, got.Readiness)
		}
		if got.Name != o.Name || got.Code != o.Code || got.Path != o.Path {
			t.Fatalf("other fields changed: %+v", got)
		}
		bad := fp
		bad.Phone = "abc"
		_, err = s.SetFocalPoint(ctx, o.ID, bad, "")
		wantField(t, err, platform.EInvalid, "invalid_phone", "focal_point.phone")
		_, err = s.SetFocalPoint(ctx, o.ID, fp, strings.Repeat("x", 2001))
		wantField(t, err, platform.EInvalid, "too_long", "sharing_readiness")
		if again, _ := s.Org(ctx, o.ID); again.FocalPoint.Phone != "024 2220 2828" || again.Readiness == "" {
			t.Fatalf("refused change was applied: %+v", again)
		}
		if _, err := s.SetFocalPoint(ctx, 99999, fp, ""); platform.ErrorClass(err) != platform.ENotFound {
			t.Fatalf("missing organisation: %v", err)
		}
	})
}

func TestSearchIgnoresDiacriticsAndWordOrder(t *testing.T) {
	platformtest.ForEachDB(t, dirSets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		s := directory.NewStore(db)
		hn := mustOrg(t, s, "HN", "UBND Thành phố Hà Nội", directory.KindProvince, nil)
		dept := mustOrg(t, s, "HN.STC", "Sở Tài chính Hà Nội", directory.KindDepartment, &hn)
		mustOrg(t, s, "DN", "UBND Thành phố Đà Nẵng", directory.KindProvince, nil)
		mustOrg(t, s, "NOI", "Công ty Nội thất", directory.KindEnterprise, nil)

		codes := func(f directory.OrgFilter) string {
			t.Helper()
			res, err := s.ListOrgs(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, o := range res.Items {
				out = append(out, o.Code)
			}
			return strings.Join(out, ",")
		}
		for q, want := range map[string]string{
			"ha noi":       "HN,HN.STC",
			"Hà Nội":       "HN,HN.STC",
			"noi ha":       "HN,HN.STC",
			"HA NOI":       "HN,HN.STC",
			"tai chinh ha": "HN.STC",
			"da nang":      "DN",
			"đà":           "DN",
			"hn stc":       "HN.STC",
			"noi":          "HN,HN.STC,NOI",
			"hanoi":        "",
		} {
			if got := codes(directory.OrgFilter{Query: q}); got != want {
				t.Errorf("search %q = %q, want %q", q, got, want)
			}
		}
		if got := codes(directory.OrgFilter{Query: "ha noi", Kind: directory.KindDepartment}); got != "HN.STC" {
			t.Errorf("search by kind = %q", got)
		}
		if got := codes(directory.OrgFilter{Roots: true}); got != "HN,DN,NOI" {
			t.Errorf("roots = %q", got)
		}
		if got := codes(directory.OrgFilter{ParentID: &hn.ID}); got != "HN.STC" {
			t.Errorf("children = %q", got)
		}
		if got := codes(directory.OrgFilter{Under: []string{dept.Path}}); got != "HN.STC" {
			t.Errorf("subtree = %q", got)
		}

		// Cursor pagination walks every organisation once.
		var seen []string
		page := platform.Page{Limit: 3}
		for {
			res, err := s.ListOrgs(ctx, directory.OrgFilter{Page: page})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range res.Items {
				seen = append(seen, o.Code)
			}
			if res.NextCursor == "" {
				break
			}
			if page.After, err = platform.DecodeCursor(res.NextCursor); err != nil {
				t.Fatal(err)
			}
		}
		if strings.Join(seen, ",") != "HN,HN.STC,DN,NOI" {
			t.Fatalf("pages = %v", seen)
		}
	})
}

func TestEnsureAdminUnitsLoadsTheShippedList(t *testing.T) {
	platformtest.ForEachDB(t, dirSets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		s := directory.NewStore(db)
		for range 2 { // the second call finds the list and does nothing
			if err := s.EnsureAdminUnits(ctx); err != nil {
				t.Fatal(err)
			}
		}
		provinces, err := s.AdminUnits(ctx, directory.AdminUnitFilter{Level: "province"})
		if err != nil {
			t.Fatal(err)
		}
		communes, err := s.AdminUnits(ctx, directory.AdminUnitFilter{Level: "commune"})
		if err != nil {
			t.Fatal(err)
		}
		if len(provinces) != 34 || len(communes) != 3321 {
			t.Fatalf("%d provinces and %d communes, want 34 and 3,321", len(provinces), len(communes))
		}
		if n := countRows(t, db, "admin_units"); n != 34+3321 {
			t.Fatalf("admin_units = %d", n)
		}
		hn, err := s.AdminUnit(ctx, "01")
		if err != nil || hn.Name != "Hà Nội" || hn.Level != "province" {
			t.Fatalf("01 = %+v, %v", hn, err)
		}
		found, err := s.AdminUnits(ctx, directory.AdminUnitFilter{Query: "ha noi", Level: "province"})
		if err != nil || len(found) != 1 || found[0].Code != "01" {
			t.Fatalf("search ha noi = %+v, %v", found, err)
		}
		inDN, err := s.AdminUnits(ctx, directory.AdminUnitFilter{Province: "48"})
		if err != nil || len(inDN) == 0 {
			t.Fatalf("communes of Đà Nẵng: %d, %v", len(inDN), err)
		}
		for _, u := range inDN {
			if u.ParentCode != "48" || u.Level != "commune" {
				t.Fatalf("unit outside Đà Nẵng: %+v", u)
			}
		}
		if _, err := s.AdminUnit(ctx, "999"); platform.ErrorClass(err) != platform.ENotFound {
			t.Fatalf("missing unit: %v", err)
		}
	})
}

// preReformCSV is a slice of the list as it was before July 2025: a
// province with a district and its communes.
const preReformCSV = `level,code,name,full_name,province_code,district_code,unit_type,valid_from
province,48,Đà Nẵng,Thành phố Đà Nẵng,,,Thành phố,1997-01-01
district,490,Liên Chiểu,Quận Liên Chiểu,48,,Quận,1997-01-01
commune,20194,Hòa Hiệp Bắc,Phường Hòa Hiệp Bắc,48,490,Phường,
commune,20197,Hòa Hiệp Nam,Phường Hòa Hiệp Nam,48,490,Phường,
commune,20200,Hòa Khánh Bắc,Phường Hòa Khánh Bắc,48,490,Phường,
`

// postReformCSV is the same area after the reform: no district, merged communes.
const postReformCSV = `level,code,name,full_name,province_code,unit_type
province,48,Đà Nẵng,Thành phố Đà Nẵng,,Thành phố
commune,20194,Hải Vân,Phường Hải Vân,48,Phường
commune,20197,Liên Chiểu,Phường Liên Chiểu,48,Phường
`

func TestImportAdminUnitsWithDistrictsAndRetirement(t *testing.T) {
	platformtest.ForEachDB(t, dirSets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		s := directory.NewStore(db)
		old, err := directory.ParseAdminUnitsCSV(strings.NewReader(preReformCSV))
		if err != nil {
			t.Fatal(err)
		}
		if old[2].ParentCode != "490" {
			t.Fatalf("a commune's parent is its district: %+v", old[2])
		}
		res, err := s.ImportAdminUnits(ctx, old, "")
		if err != nil || res != (directory.ImportResult{Inserted: 5}) {
			t.Fatalf("import = %+v, %v", res, err)
		}
		// The province holds its district and, through it, its communes.
		in, err := s.AdminUnits(ctx, directory.AdminUnitFilter{Province: "48"})
		if err != nil || len(in) != 4 {
			t.Fatalf("units in 48 = %d, %v", len(in), err)
		}

		newer, err := directory.ParseAdminUnitsCSV(strings.NewReader(postReformCSV))
		if err != nil {
			t.Fatal(err)
		}
		res, err = s.ImportAdminUnits(ctx, newer, "2025-07-01")
		if err != nil || res != (directory.ImportResult{Updated: 3, Retired: 2}) {
			t.Fatalf("import with retirement = %+v, %v", res, err)
		}
		for code, want := range map[string]string{"48": "", "20194": "", "20197": "", "490": "2025-07-01", "20200": "2025-07-01"} {
			u, err := s.AdminUnit(ctx, code)
			if err != nil || u.ValidTo != want {
				t.Errorf("%s valid_to = %q, want %q (%v)", code, u.ValidTo, want, err)
			}
		}
		if u, _ := s.AdminUnit(ctx, "20194"); u.Name != "Hải Vân" || u.ParentCode != "48" {
			t.Errorf("updated unit = %+v", u)
		}
		inForce, err := s.AdminUnits(ctx, directory.AdminUnitFilter{Province: "48", InForce: true})
		if err != nil || len(inForce) != 2 {
			t.Fatalf("in force in 48 = %d, %v", len(inForce), err)
		}
		// Re-running changes nothing more and says so; a bad date is refused
		// before any change.
		if res, err = s.ImportAdminUnits(ctx, newer, "2025-07-01"); err != nil || res != (directory.ImportResult{Unchanged: 3}) {
			t.Fatalf("re-run = %+v, %v", res, err)
		}
		_, err = s.ImportAdminUnits(ctx, old, "01/07/2025")
		wantField(t, err, platform.EInvalid, "invalid_date", "retire_on")
		if u, _ := s.AdminUnit(ctx, "20194"); u.Name != "Hải Vân" {
			t.Fatalf("refused import changed data: %+v", u)
		}
	})
}

func TestParseAdminUnitFiles(t *testing.T) {
	units, err := directory.ParseAdminUnitsCSV(strings.NewReader("\ufeff" + preReformCSV))
	if err != nil || len(units) != 5 || units[0].FullName != "Thành phố Đà Nẵng" || units[0].ValidFrom != "1997-01-01" {
		t.Fatalf("csv with BOM = %+v, %v", units, err)
	}
	shipped, err := directory.DefaultAdminUnits()
	if err != nil || len(shipped) != 34+3321 {
		t.Fatalf("shipped list = %d units, %v", len(shipped), err)
	}

	// The same rows in a workbook give the same units.
	f := excelize.NewFile()
	for i, line := range strings.Split(strings.TrimSpace(preReformCSV), "\n") {
		for j, cell := range strings.Split(line, ",") {
			name, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr("Sheet1", name, cell); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	fromXLSX, err := directory.ParseAdminUnitsXLSX(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromXLSX) != len(units) {
		t.Fatalf("xlsx gave %d units, csv %d", len(fromXLSX), len(units))
	}
	for i := range units {
		if fromXLSX[i] != units[i] {
			t.Fatalf("row %d: xlsx %+v, csv %+v", i, fromXLSX[i], units[i])
		}
	}

	const header = "level,code,name,province_code,valid_to\n"
	for _, c := range []struct {
		name, csv, want string
	}{
		{"empty", "", "no data rows"},
		{"header only", header, "no data rows"},
		{"missing column", "level,name\nprovince,Hà Nội\n", `no "code" column`},
		{"bad quoting", header + "province,\"01,Hà Nội,,\n", "malformed CSV"},
		{"bad level", header + "ward,01,Hà Nội,,\n", "line 2: invalid_level (level)"},
		{"bad code", header + "province,HN,Hà Nội,,\n", "line 2: invalid_code (code)"},
		{"no name", header + "province,01,,,\n", "line 2: required (name)"},
		{"commune without parent", header + "province,01,Hà Nội,,\ncommune,00004,Ba Đình,,\n", "line 3: required (province_code)"},
		{"bad date", header + "province,01,Hà Nội,,30/06/2025\n", "line 2: invalid_date (valid_to)"},
		{"duplicate", header + "province,01,Hà Nội,,\nprovince,01,Hà Nội,,\n", "line 3: duplicate_code (code)"},
		{"unknown parent", header + "province,01,Hà Nội,,\n \ncommune,00004,Ba Đình,02,\n", "line 4: unknown_parent (parent_code)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := directory.ParseAdminUnitsCSV(strings.NewReader(c.csv))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want %q", err, c.want)
			}
			if platform.ErrorClass(err) != platform.EInvalid {
				t.Fatalf("class = %s", platform.ErrorClass(err))
			}
		})
	}
	if _, err := directory.ParseAdminUnitsXLSX(strings.NewReader("level,code\nprovince,01\n")); err == nil ||
		!strings.Contains(err.Error(), "not a readable XLSX workbook") {
		t.Fatalf("csv given as xlsx: %v", err)
	}
}

func TestITUnitOfIsTheNearestMinistryOrProvince(t *testing.T) {
	platformtest.ForEachDB(t, dirSets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		s := directory.NewStore(db)
		prov := mustOrg(t, s, "DN", "Đà Nẵng", directory.KindProvince, nil)
		dept := mustOrg(t, s, "DN.STC", "Sở Tài chính", directory.KindDepartment, &prov)
		unit := mustOrg(t, s, "DN.STC.P1", "Phòng 1", directory.KindOther, &dept)
		root := mustOrg(t, s, "HX", "Hội", directory.KindOther, nil)
		child := mustOrg(t, s, "HX.1", "Chi hội", directory.KindOther, &root)
		for _, tt := range []struct {
			of, want directory.Org
			found    bool
		}{{unit, prov, true}, {dept, prov, true}, {prov, prov, true}, {child, root, false}, {root, root, false}} {
			got, found, err := s.ITUnitOf(ctx, tt.of)
			if err != nil || got.ID != tt.want.ID || found != tt.found {
				t.Errorf("ITUnitOf(%s) = %s, %v, %v; want %s, %v", tt.of.Code, got.Code, found, err, tt.want.Code, tt.found)
			}
		}
	})
}
