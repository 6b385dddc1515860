package catalog_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

const personSchema = `{"type":"object","properties":{
  "so_dinh_danh":{"type":"string"},"ho_ten":{"type":"string"},"ngay_sinh":{"type":"string","format":"date"},
  "gioi_tinh":{"type":"string"},"noi_thuong_tru":{"type":"string"}}}`

// seedSearch publishes a population service (with the dictionary element
// for the personal identification number), an enterprise service, and a
// draft service, and returns the element.
func seedSearch(t *testing.T, e *env) (catalog.Element, catalog.Service, catalog.Service, catalog.Service) {
	t.Helper()
	ctx := context.Background()
	el, err := e.cat.CreateElement(ctx, admin, catalog.ElementInput{Code: "so_dinh_danh_ca_nhan", Name: "Số định danh cá nhân",
		Definition: "Dãy số tự nhiên gồm 12 số do Bộ Công an cấp", DataType: "string", Format: "12 chữ số",
		MasterSource: "CSDL quốc gia về dân cư", OwnerOrgID: e.orgs["BCA.C06"]})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.cat.CreateElement(ctx, admin, catalog.ElementInput{Code: "so_dinh_danh_ca_nhan", Name: "x", DataType: "string", OwnerOrgID: e.orgs["BCA"]})
	wantField(t, err, "code")
	dbPop, err := e.cat.CreateDatabase(ctx, admin, catalog.DatabaseInput{OwnerOrgID: e.orgs["BCA.C06"], Name: "Cơ sở dữ liệu quốc gia về dân cư",
		Kind: catalog.KindNational, Items: []catalog.DatabaseItem{{Key: "so_dinh_danh", Name: "Số định danh cá nhân", Classification: catalog.ClassDefault, ElementID: el.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cat.PublishDatabase(ctx, admin, dbPop.ID); err != nil {
		t.Fatal(err)
	}
	pop := catalog.ServiceInput{Identifier: "bca-c06.dan-cu.xac-thuc-cong-dan", Name: "Xác thực thông tin công dân",
		ProviderOrgID: e.orgs["BCA.C06"], Schema: personSchema, DatabaseIDs: []int64{dbPop.ID},
		Items: []catalog.DataItem{{Key: "so_dinh_danh", Label: "Số định danh cá nhân", ElementID: el.ID}, {Key: "ho_ten", Label: "Họ, chữ đệm và tên khai sinh"},
			{Key: "noi_thuong_tru", Label: "Nơi thường trú"}},
		Form: catalog.FormDefault, Method: catalog.MethodOnline, CapacityPerSec: 50, UpstreamURL: "https://ndxp.example.vn/c06"}
	svPop := mustService(t, e, pop)
	if _, err := e.cat.Publish(ctx, admin, svPop.ID); err != nil {
		t.Fatal(err)
	}
	// A provincial service returns the same element under another label.
	hc := pop
	hc.Identifier, hc.Name, hc.ProviderOrgID, hc.DatabaseIDs = "dn-syt.ho-so-suc-khoe", "Hồ sơ sức khỏe điện tử", e.orgs["DN.SYT"], nil
	hc.Items = []catalog.DataItem{{Key: "so_dinh_danh", Label: "Mã định danh công dân", ElementID: el.ID}, {Key: "ho_ten", Label: "Họ và tên"}}
	hc.Method = catalog.MethodSync
	svHC := mustService(t, e, hc)
	if _, err := e.cat.Publish(ctx, admin, svHC.ID); err != nil {
		t.Fatal(err)
	}
	ent := mustService(t, e, serviceInput("dn-stc.dkkd.tra-cuu-doanh-nghiep", e.orgs["DN.STC"]))
	if _, err := e.cat.Publish(ctx, admin, ent.ID); err != nil {
		t.Fatal(err)
	}
	draft := serviceInput("dn-stc.dkkd.ban-nhap", e.orgs["DN.STC"])
	draft.Name = "Danh sách doanh nghiệp giải thể (bản nháp)"
	svDraft := mustService(t, e, draft)
	return el, svPop, ent, svDraft
}

func TestSearch(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		_, svPop, ent, svDraft := seedSearch(t, e)
		search := func(q catalog.SearchQuery) catalog.SearchResult {
			t.Helper()
			res, err := e.cat.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		// Without diacritics, in any order, the last word a prefix.
		for _, text := range []string{"so dinh danh ca nhan", "Số định danh cá nhân", "ca nhan so dinh danh", "SO DINH DANH CA NH"} {
			res := search(catalog.SearchQuery{Text: text})
			if len(res.Items) == 0 || res.Items[0].Label != "Số định danh cá nhân" || res.Items[0].Services != 2 {
				t.Fatalf("%q: items %+v", text, res.Items)
			}
			if res.ServiceCount != 2 || res.DatabaseCount != 1 || res.Databases[0].Title != "Cơ sở dữ liệu quốc gia về dân cư" {
				t.Fatalf("%q: %+v", text, res)
			}
		}
		// A two-letter prefix expands; a lone letter is only a word.
		if res := search(catalog.SearchQuery{Text: "xa"}); res.ServiceCount != 1 {
			t.Fatalf("prefix xa: %+v", res.Services)
		}
		if res := search(catalog.SearchQuery{Text: "x"}); res.ServiceCount != 0 {
			t.Fatalf("lone letter: %+v", res.Services)
		}
		// Title matches rank first; organisation names are filled.
		res := search(catalog.SearchQuery{Text: "xac thuc cong dan"})
		if len(res.Services) == 0 || res.Services[0].ID != svPop.ID || res.Services[0].OrgName != "Cục C06" {
			t.Fatalf("ranking: %+v", res.Services)
		}
		// Filters: provider subtree, method, form, kind, type.
		res = search(catalog.SearchQuery{Text: "so dinh danh", ProviderOrgID: e.orgs["DN"]})
		if res.ServiceCount != 1 || res.Services[0].Title != "Hồ sơ sức khỏe điện tử" || res.DatabaseCount != 0 {
			t.Fatalf("provider filter: %+v", res)
		}
		res = search(catalog.SearchQuery{Text: "so dinh danh", Method: catalog.MethodOnline})
		if res.ServiceCount != 1 || res.Services[0].ID != svPop.ID || res.DatabaseCount != 0 {
			t.Fatalf("method filter: %+v", res)
		}
		res = search(catalog.SearchQuery{Text: "so dinh danh", Kind: catalog.KindNational})
		if res.ServiceCount != 1 || res.DatabaseCount != 1 {
			t.Fatalf("kind filter: %+v", res)
		}
		res = search(catalog.SearchQuery{Text: "doanh nghiep", Form: catalog.FormSpecial})
		if res.ServiceCount != 0 {
			t.Fatalf("form filter: %+v", res)
		}
		res = search(catalog.SearchQuery{Text: "doanh nghiep", Type: "database"})
		if len(res.Services) != 0 {
			t.Fatalf("type filter: %+v", res)
		}
		// Drafts: not for the public, visible to their managers.
		res = search(catalog.SearchQuery{Text: "giai the"})
		if res.ServiceCount != 0 {
			t.Fatalf("the public must not find drafts: %+v", res.Services)
		}
		officer := &identity.Principal{UserID: 5, Grants: []identity.Grant{{Role: identity.RoleProviderOfficer,
			OrgPath: "/" + itoa(e.orgs["DN"]) + "/" + itoa(e.orgs["DN.STC"]) + "/"}}}
		res = search(catalog.SearchQuery{Text: "giai the", Viewer: officer})
		if res.ServiceCount != 1 || res.Services[0].ID != svDraft.ID || res.Services[0].Status != catalog.StatusDraft {
			t.Fatalf("managers find their drafts: %+v", res.Services)
		}
		other := &identity.Principal{UserID: 6, Grants: []identity.Grant{{Role: identity.RoleProviderOfficer, OrgPath: "/" + itoa(e.orgs["QN"]) + "/"}}}
		if res = search(catalog.SearchQuery{Text: "giai the", Viewer: other}); res.ServiceCount != 0 {
			t.Fatal("another province must not find the draft")
		}
		// Changes reach the index at once: rename, retire.
		in := ent.Input()
		in.Name = "Tra cứu hồ sơ pháp nhân"
		if _, err := e.cat.UpdateService(ctx, admin, ent.ID, in); err != nil {
			t.Fatal(err)
		}
		if res = search(catalog.SearchQuery{Text: "phap nhan"}); res.ServiceCount != 1 {
			t.Fatalf("renamed service not found: %+v", res)
		}
		if res = search(catalog.SearchQuery{Text: "tra cuu thong tin doanh"}); res.ServiceCount != 0 {
			t.Fatalf("old name still found: %+v", res.Services)
		}
		if _, err := e.cat.Retire(ctx, admin, ent.ID); err != nil {
			t.Fatal(err)
		}
		if res = search(catalog.SearchQuery{Text: "phap nhan"}); res.ServiceCount != 0 {
			t.Fatal("retired services leave the search")
		}
		// Another node's change (simulated: a second store on the same database) is noticed through the version counter.
		other2 := catalog.NewStore(db, catalog.Options{IndexCheckEvery: 1})
		if r, _ := other2.Search(ctx, catalog.SearchQuery{Text: "suc khoe"}); r.ServiceCount != 1 {
			t.Fatal("second node: initial build")
		}
		hc, _ := e.cat.ServiceByIdentifier(ctx, "dn-syt.ho-so-suc-khoe")
		hin := hc.Input()
		hin.Name = "Bệnh án điện tử"
		if _, err := e.cat.UpdateService(ctx, admin, hc.ID, hin); err != nil {
			t.Fatal(err)
		}
		if r, _ := other2.Search(ctx, catalog.SearchQuery{Text: "benh an"}); r.ServiceCount != 1 {
			t.Fatal("second node did not notice the change")
		}
		// Empty text lists everything visible, with filters.
		res = search(catalog.SearchQuery{Type: "service"})
		if res.ServiceCount != 2 {
			t.Fatalf("browse: %+v", res)
		}
		_, err := e.cat.Search(ctx, catalog.SearchQuery{Form: "odd"})
		wantField(t, err, "form")
	})
}

func TestAvailable(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		el, svPop, _, _ := seedSearch(t, e)
		av, err := e.cat.Available(ctx, nil, "so dinh danh ca nhan")
		if err != nil {
			t.Fatal(err)
		}
		if len(av.Items) != 1 || av.Items[0].ElementID != el.ID || av.Items[0].Label != "Số định danh cá nhân" || len(av.Items[0].Services) != 2 {
			t.Fatalf("available: %+v", av.Items)
		}
		names := map[string]bool{}
		for _, s := range av.Items[0].Services {
			names[s.Name+"|"+s.ProviderName+"|"+s.ItemKey] = true
		}
		if !names["Xác thực thông tin công dân|Cục C06|so_dinh_danh"] || !names["Hồ sơ sức khỏe điện tử|Sở Y tế Đà Nẵng|so_dinh_danh"] {
			t.Fatalf("services: %+v", av.Items[0].Services)
		}
		if len(av.Held) != 1 || av.Held[0].DatabaseName != "Cơ sở dữ liệu quốc gia về dân cư" || len(av.Elements) != 1 {
			t.Fatalf("held/elements: %+v %+v", av.Held, av.Elements)
		}
		// Word order, and items without a dictionary element grouped by label.
		av, _ = e.cat.Available(ctx, nil, "thuong tru noi")
		if len(av.Items) != 1 || av.Items[0].Services[0].ID != svPop.ID {
			t.Fatalf("noi thuong tru: %+v", av.Items)
		}
		// Drafts are not available data.
		av, _ = e.cat.Available(ctx, platformAdmin(), "trang thai hoat dong")
		if len(av.Items) != 1 || len(av.Items[0].Services) != 1 {
			t.Fatalf("only the published enterprise service: %+v", av.Items)
		}
		av, _ = e.cat.Available(ctx, nil, "")
		if len(av.Items) != 0 {
			t.Fatal("empty query")
		}
		// Element listing of services returning it.
		res, err := e.cat.ListServices(ctx, catalog.ServiceFilter{ElementID: el.ID})
		if err != nil || len(res.Items) != 2 {
			t.Fatalf("services by element: %d %v", len(res.Items), err)
		}
	})
}

func TestCodeListImport(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		cl, err := e.cat.CreateCodeList(ctx, admin, catalog.CodeListInput{Code: "DM_GIOI_TINH", Name: "Danh mục giới tính", OwnerOrgID: e.orgs["BCA"]},
			[]catalog.CodeEntry{{Code: "1", Name: "Nam"}, {Code: "2", Name: "Nữ"}, {Code: "3", Name: "Chưa có thông tin"}}, "")
		if err != nil || cl.Version != 1 || cl.EntryCount != 3 {
			t.Fatalf("create: %+v %v", cl, err)
		}
		_, err = e.cat.CreateCodeList(ctx, admin, catalog.CodeListInput{Code: "DM_X", Name: "X", OwnerOrgID: e.orgs["BCA"]},
			[]catalog.CodeEntry{{Code: "1", Name: "A"}, {Code: "1", Name: "B"}}, "")
		wantField(t, err, "entries[1].code")

		// CSV with Vietnamese headers, a BOM, ';' separators and DD/MM/YYYY dates.
		good := "\ufeffMã;Tên;Mã cha;Hiệu lực từ;Hiệu lực đến\n48;Thành phố Đà Nẵng;;01/07/2025;\n20194;Phường Hải Vân;48;2025-07-01;\n"
		got, n, err := e.cat.ImportEntries(ctx, admin, cl.ID, strings.NewReader(good), "")
		if err != nil || n != 2 || got.Version != 2 {
			t.Fatalf("csv import: %+v %d %v", got, n, err)
		}
		entries, _ := e.cat.Entries(ctx, cl.ID, 0)
		if len(entries) != 2 || entries[0].ValidFrom != "2025-07-01" || entries[1].ParentCode != "48" {
			t.Fatalf("entries: %+v", entries)
		}
		old, _ := e.cat.Entries(ctx, cl.ID, 1)
		if len(old) != 3 || old[2].Name != "Chưa có thông tin" {
			t.Fatalf("version 1 kept: %+v", old)
		}
		// Bad lines are all named, and nothing is imported.
		bad := "code,name,valid_from,valid_to\n1,Nam,,\n,Nữ,,\n1,Lặp,,\n4,Khác,2025-13-01,\n5,Sai,2025-06-01,2025-01-01\n"
		_, _, err = e.cat.ImportEntries(ctx, admin, cl.ID, strings.NewReader(bad), "")
		pe := platform.AsError(err)
		if pe.Field != "file" || pe.Class != platform.EInvalid {
			t.Fatalf("bad csv: %v", err)
		}
		lines, _ := pe.Extra["errors"].([]catalog.LineError)
		var at []int
		for _, l := range lines {
			at = append(at, l.Line)
		}
		if len(lines) != 4 || at[0] != 3 || at[1] != 4 || at[2] != 5 || at[3] != 6 || !strings.Contains(pe.Message, "line 4 (code)") {
			t.Fatalf("line errors: %+v / %s", lines, pe.Message)
		}
		if c, _ := e.cat.CodeList(ctx, cl.ID); c.Version != 2 {
			t.Fatal("a bad file must not create a version")
		}
		_, _, err = e.cat.ImportEntries(ctx, admin, cl.ID, strings.NewReader("foo,bar\n1,2\n"), "")
		wantField(t, err, "file")
		_, _, err = e.cat.ImportEntries(ctx, admin, cl.ID, strings.NewReader("code,name\n\"1,Nam\n"), "")
		wantField(t, err, "file")

		// XLSX with a date cell and a text cell.
		f := excelize.NewFile()
		_ = f.SetSheetRow("Sheet1", "A1", &[]any{"code", "name", "valid_from"})
		_ = f.SetSheetRow("Sheet1", "A2", &[]any{"01", "Kinh", "2020-01-01"})
		_ = f.SetSheetRow("Sheet1", "A3", &[]any{"02", "Tày"})
		_ = f.SetCellValue("Sheet1", "C3", mustDate("2021-02-03"))
		_ = f.SetSheetRow("Sheet1", "A5", &[]any{"", "Thiếu mã"})
		var buf bytes.Buffer
		if _, err := f.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		dt, err := e.cat.CreateCodeList(ctx, admin, catalog.CodeListInput{Code: "DM_DAN_TOC", Name: "Danh mục dân tộc", OwnerOrgID: e.orgs["BCA"]}, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = e.cat.ImportEntries(ctx, admin, dt.ID, bytes.NewReader(buf.Bytes()), "")
		if pe := platform.AsError(err); pe.Field != "file" || !strings.Contains(pe.Message, "line 5 (code)") {
			t.Fatalf("xlsx bad row: %v", err)
		}
		_ = f.SetCellValue("Sheet1", "A5", "03")
		buf.Reset()
		_, _ = f.WriteTo(&buf)
		if _, n, err = e.cat.ImportEntries(ctx, admin, dt.ID, bytes.NewReader(buf.Bytes()), "xlsx"); err != nil || n != 3 {
			t.Fatalf("xlsx import: %d %v", n, err)
		}
		entries, _ = e.cat.Entries(ctx, dt.ID, 0)
		if entries[0].Code != "01" || entries[1].ValidFrom != "2021-02-03" {
			t.Fatalf("xlsx entries: %+v", entries)
		}
		vs, _ := e.cat.CodeListVersions(ctx, dt.ID)
		if len(vs) != 1 || vs[0].Note != "xlsx" || vs[0].EntryCount != 3 {
			t.Fatalf("versions: %+v", vs)
		}
		var out bytes.Buffer
		if err := catalog.WriteEntriesCSV(&out, []catalog.CodeEntry{{Code: "=1+2", Name: "@SUM(A1)"}}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "'=1+2,'@SUM(A1)") {
			t.Fatalf("formula injection guard: %q", out.String())
		}
	})
}
