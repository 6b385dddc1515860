package catalog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/web/webtest"
)

// server is the catalog's pages and API behind identity's authentication,
// with one API token per test user.
type server struct {
	*env
	h      http.Handler
	api    *platform.API
	tokens map[string]string
}

func newServer(t *testing.T, db *platform.DB) *server {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t, db)
	mux, api := webtest.Mount(t, func(mux *http.ServeMux, site *web.Site, api *platform.API) error {
		return catalog.Register(mux, site, api, e.cat, e.dir)
	})
	s := &server{env: e, h: e.ids.Authenticate(mux), api: api, tokens: map[string]string{}}
	for _, u := range []struct {
		name, org string
		role      identity.Role
	}{
		{"stc.officer", "DN.STC", identity.RoleProviderOfficer},
		{"syt.officer", "DN.SYT", identity.RoleProviderOfficer},
		{"dn.it", "DN", identity.RoleITAdmin},
		{"qn.it", "QN", identity.RoleITAdmin},
		{"syt.consumer", "DN.SYT", identity.RoleConsumerOfficer},
		{"c06.officer", "BCA.C06", identity.RoleProviderOfficer},
		{"admin", "BCA", identity.RolePlatformAdmin},
	} {
		user, err := e.ids.CreateUser(ctx, identity.UserInput{OrgID: e.orgs[u.org], Username: u.name, FullName: "User " + u.name, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.ids.GrantRole(ctx, user.ID, u.role, e.orgs[u.org], 0); err != nil {
			t.Fatal(err)
		}
		secret, _, err := e.ids.CreateToken(ctx, user.ID, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[u.name] = secret
	}
	return s
}

// do sends a request as user ("" = anonymous); a string body is JSON, url.Values a form.
func (s *server) do(t *testing.T, user, method, path string, body any) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	case []byte:
		rd, ctype = bytes.NewReader(b), "text/csv"
	default:
		j, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req := httptest.NewRequest(method, path, rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[user])
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec
}

func (s *server) want(t *testing.T, user, method, path string, body any, status int) *httptest.ResponseRecorder {
	t.Helper()
	rec := s.do(t, user, method, path, body)
	if rec.Code != status {
		t.Fatalf("%s %s as %q: status %d, want %d: %s", method, path, user, rec.Code, status, truncate(rec.Body.String()))
	}
	return rec
}

func truncate(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, truncate(rec.Body.String()))
	}
	return v
}

func wantProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, field string) platform.Problem {
	t.Helper()
	if rec.Code != status || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
		t.Fatalf("want %d problem+json, got %d %s: %s", status, rec.Code, rec.Header().Get("Content-Type"), truncate(rec.Body.String()))
	}
	p := decode[platform.Problem](t, rec)
	if p.Field != field {
		t.Fatalf("problem field %q, want %q: %+v", p.Field, field, p)
	}
	return p
}

func TestHTTPServicesAcrossAgencies(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := newServer(t, db)
		in := serviceInput("dn-stc.dkkd.tra-cuu-doanh-nghiep", s.orgs["DN.STC"])
		// Anonymous callers cannot write.
		wantProblem(t, s.do(t, "", "POST", "/api/v1/catalog/services", in), 401, "")
		// A provider creates services only for its own organisation.
		bad := in
		bad.ProviderOrgID = s.orgs["DN.SYT"]
		wantProblem(t, s.do(t, "stc.officer", "POST", "/api/v1/catalog/services", bad), 403, "")
		sv := decode[catalog.Service](t, s.want(t, "stc.officer", "POST", "/api/v1/catalog/services", in, 201))
		path := "/api/v1/catalog/services/" + itoa(sv.ID)

		// A draft is visible to its managers only (by id and by identifier).
		s.want(t, "", "GET", path, nil, 404)
		s.want(t, "", "GET", "/api/v1/catalog/services/dn-stc.dkkd.tra-cuu-doanh-nghiep", nil, 404)
		s.want(t, "syt.officer", "GET", path, nil, 404)
		s.want(t, "qn.it", "GET", path, nil, 404)
		s.want(t, "dn.it", "GET", path, nil, 200)
		s.want(t, "", "GET", "/catalog/services/"+itoa(sv.ID), nil, 404)
		// ... and editing a hidden draft of another agency answers 404, not 403.
		wantProblem(t, s.do(t, "syt.officer", "PUT", path, in), 404, "")

		s.want(t, "stc.officer", "POST", path+"/publish", nil, 200)
		got := decode[catalog.Service](t, s.want(t, "", "GET", "/api/v1/catalog/services/dn-stc.dkkd.tra-cuu-doanh-nghiep", nil, 200))
		if got.ID != sv.ID || got.UpstreamURL != "" || len(got.Items) != 3 {
			t.Fatalf("public view must hide the upstream endpoint: %+v", got)
		}
		// The page writes the capacity with the Vietnamese thousands separator.
		if body := s.want(t, "", "GET", "/catalog/services/"+itoa(sv.ID), nil, 200).Body.String(); !strings.Contains(body, "20 lượt gọi mỗi giây; 100.000 lượt gọi mỗi ngày") {
			t.Errorf("service page capacity: %.3000s", body)
		}
		if mine := decode[catalog.Service](t, s.want(t, "stc.officer", "GET", path, nil, 200)); mine.UpstreamURL == "" {
			t.Fatal("the provider sees its upstream endpoint")
		}

		// Writes by anyone but the provider's managers are refused.
		edit := in
		edit.Name = "Tra cứu doanh nghiệp (sửa)"
		wantProblem(t, s.do(t, "", "PUT", path, edit), 401, "")
		wantProblem(t, s.do(t, "syt.officer", "PUT", path, edit), 403, "")
		wantProblem(t, s.do(t, "qn.it", "PUT", path, edit), 403, "")
		wantProblem(t, s.do(t, "syt.consumer", "PUT", path, edit), 403, "")
		wantProblem(t, s.do(t, "syt.officer", "POST", path+"/retire", nil), 403, "")
		// The province's IT unit manages its departments' catalog.
		s.want(t, "dn.it", "PUT", path, edit, 200)
		// A provider cannot hand its service to another agency.
		moved := edit
		moved.ProviderOrgID = s.orgs["QN"]
		wantProblem(t, s.do(t, "stc.officer", "PUT", path, moved), 403, "")

		// Bad input: 422 naming the field, and nothing changes.
		before := decode[[]catalog.Version](t, s.want(t, "", "GET", path+"/versions", nil, 200))
		broken := edit
		broken.Name = "Không được lưu"
		broken.Schema = `{"type": "object", "properties": {"ma_so_thue": {"type": 42}}}`
		wantProblem(t, s.do(t, "stc.officer", "PUT", path, broken), 422, "schema")
		broken.Schema = enterpriseSchema
		broken.UpstreamURL = "http://169.254.169.254/latest/meta-data/"
		wantProblem(t, s.do(t, "stc.officer", "PUT", path, broken), 422, "upstream_url")
		broken.UpstreamURL = "http://u:p@10.0.0.5/"
		wantProblem(t, s.do(t, "stc.officer", "PUT", path, broken), 422, "upstream_url")
		wantProblem(t, s.do(t, "stc.officer", "PUT", path, `{"name": "x", "surprise": 1}`), 422, "surprise")
		other := serviceInput("dn-stc.other", s.orgs["DN.STC"])
		s.want(t, "stc.officer", "POST", "/api/v1/catalog/services", other, 201)
		dup := other
		wantProblem(t, s.do(t, "stc.officer", "POST", "/api/v1/catalog/services", dup), 422, "identifier")
		after := decode[[]catalog.Version](t, s.want(t, "", "GET", path+"/versions", nil, 200))
		cur := decode[catalog.Service](t, s.want(t, "", "GET", path, nil, 200))
		if len(after) != len(before) || cur.Name != "Tra cứu doanh nghiệp (sửa)" {
			t.Fatalf("a refused change must change nothing: %d -> %d versions, name %q", len(before), len(after), cur.Name)
		}
		for _, v := range after {
			for _, c := range v.Changes {
				if c.Field == "upstream_url" {
					t.Fatal("public history must not show the upstream endpoint")
				}
			}
		}
		// Invalid transition: 409.
		wantProblem(t, s.do(t, "stc.officer", "POST", path+"/ready", nil), 409, "")

		// Pages: the same rules; a form with a bad schema is redisplayed with the message.
		s.want(t, "syt.officer", "GET", "/catalog/services/"+itoa(sv.ID)+"/edit", nil, 403)
		s.want(t, "stc.officer", "GET", "/catalog/services/"+itoa(sv.ID)+"/edit", nil, 200)
		form := url.Values{"identifier": {in.Identifier}, "name": {"Qua biểu mẫu"}, "provider_org_id": {itoa(s.orgs["DN.STC"])},
			"form": {"default"}, "method": {"online"}, "capacity_per_second": {"5"}, "upstream_url": {in.UpstreamURL},
			"items": {"ma_so_thue | Mã số thuế"}, "schema": {`{"type": `}}
		rec := s.want(t, "stc.officer", "POST", "/catalog/services/"+itoa(sv.ID), form, 422)
		if !strings.Contains(rec.Body.String(), `aria-invalid="true" aria-describedby="f-schema-hint f-schema-err"`) || !strings.Contains(rec.Body.String(), `id="f-schema-hint"`) {
			t.Fatalf("the schema field should be marked, its hint and error read with it: %s", truncate(rec.Body.String()))
		}
		form.Set("schema", enterpriseSchema)
		form.Set("items", "ma_so_thue | Mã số thuế\nkhong_co | Không có trong schema")
		rec = s.want(t, "stc.officer", "POST", "/catalog/services/"+itoa(sv.ID), form, 422)
		// In Vietnamese, values included (web/translate.go).
		if !strings.Contains(rec.Body.String(), `dòng 2: khóa trường dữ liệu &#34;khong_co&#34; không phải`) {
			t.Fatalf("item errors name the line: %s", truncate(rec.Body.String()))
		}
		form.Set("items", "ma_so_thue | Mã số thuế\n\nten_doanh_nghiep | Tên doanh nghiệp")
		s.want(t, "stc.officer", "POST", "/catalog/services/"+itoa(sv.ID), form, 303)
		s.want(t, "syt.officer", "POST", "/catalog/services/"+itoa(sv.ID), form, 403)
		if cur = decode[catalog.Service](t, s.want(t, "", "GET", path, nil, 200)); cur.Name != "Qua biểu mẫu" || len(cur.Items) != 2 {
			t.Fatalf("form update: %+v", cur)
		}
		// Anonymous page writes go to the login page.
		if rec := s.do(t, "", "POST", "/catalog/services/"+itoa(sv.ID)+"/status", url.Values{"to": {"retire"}}); rec.Code != 403 && rec.Code != 303 {
			t.Fatalf("anonymous page write: %d", rec.Code)
		}
	})
}

func TestHTTPPagesAndSearch(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		s := newServer(t, db)
		el, svPop, ent, draft := seedSearch(t, s.env)
		dbs, _ := s.cat.ListDatabases(ctx, catalog.DatabaseFilter{Viewer: platformAdmin()})
		reg, err := s.cat.CreateRegulation(ctx, admin, catalog.RegulationInput{OwnerOrgID: s.orgs["DN.STC"], Title: "Quy chế khai thác dữ liệu doanh nghiệp",
			Topic: "Doanh nghiệp", WhoMayAccess: "Cơ quan nhà nước", AuthRequired: true, LogRetentionDays: 1825})
		if err != nil {
			t.Fatal(err)
		}
		cl, err := s.cat.CreateCodeList(ctx, admin, catalog.CodeListInput{Code: "DM_GIOI_TINH", Name: "Danh mục giới tính", OwnerOrgID: s.orgs["BCA"]},
			[]catalog.CodeEntry{{Code: "1", Name: "Nam"}, {Code: "2", Name: "Nữ"}, {Code: "3", Name: "=HYPERLINK(\"x\")"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		// Anonymous search sees published records only.
		rec := s.want(t, "", "GET", "/catalog?q=so+dinh+danh+ca+nhan", nil, 200)
		body := rec.Body.String()
		if !strings.Contains(body, "Xác thực thông tin công dân") || !strings.Contains(body, "Số định danh cá nhân") || !strings.Contains(body, "Tìm kiếm") {
			t.Fatalf("search page: %s", truncate(body))
		}
		if strings.Contains(s.want(t, "", "GET", "/catalog?q=giai+the", nil, 200).Body.String(), "giải thể") {
			t.Fatal("anonymous search shows a draft")
		}
		if !strings.Contains(s.want(t, "stc.officer", "GET", "/catalog?q=giai+the", nil, 200).Body.String(), "giải thể") {
			t.Fatal("the provider's search shows its draft")
		}
		res := decode[catalog.SearchResult](t, s.want(t, "", "GET", "/api/v1/catalog/search?q=ca+nhan+so+dinh+danh&method=online", nil, 200))
		if res.ServiceCount != 1 || res.Services[0].ID != svPop.ID {
			t.Fatalf("api search: %+v", res)
		}
		wantProblem(t, s.do(t, "", "GET", "/api/v1/catalog/search?kind=galactic", nil), 422, "kind")
		av := decode[catalog.Availability](t, s.want(t, "", "GET", "/api/v1/catalog/available?item=so+dinh+danh+ca+nhan", nil, 200))
		if len(av.Items) != 1 || len(av.Items[0].Services) != 2 {
			t.Fatalf("available: %+v", av)
		}
		if body := s.want(t, "", "GET", "/catalog/available?item=so+dinh+danh", nil, 200).Body.String(); !strings.Contains(body, "Hồ sơ sức khỏe điện tử") {
			t.Fatalf("available page: %s", truncate(body))
		}
		// Every page renders, for the public and for managers.
		for _, c := range []struct{ user, path string }{
			{"", "/catalog"}, {"", "/catalog?type=service"}, {"", "/catalog/services/" + itoa(svPop.ID)},
			{"", "/catalog/services/" + itoa(ent.ID) + "/history"}, {"stc.officer", "/catalog/services/" + itoa(draft.ID)},
			{"", "/catalog/databases"}, {"", "/catalog/databases/" + itoa(dbs.Items[0].ID)}, {"c06.officer", "/catalog/databases/" + itoa(dbs.Items[0].ID) + "/edit"},
			{"stc.officer", "/catalog/regulations"}, {"stc.officer", "/catalog/regulations/" + itoa(reg.ID)}, {"stc.officer", "/catalog/regulations/" + itoa(reg.ID) + "/edit"},
			{"", "/catalog/codelists"}, {"admin", "/catalog/codelists"}, {"", "/catalog/codelists/" + itoa(cl.ID)}, {"admin", "/catalog/codelists/" + itoa(cl.ID)},
			{"", "/catalog/dictionary"}, {"c06.officer", "/catalog/dictionary"}, {"", "/catalog/dictionary/" + itoa(el.ID)}, {"c06.officer", "/catalog/dictionary/" + itoa(el.ID) + "/edit"},
			{"", "/catalog/available"}, {"", "/catalog/reviews"}, {"", "/catalog/reviews/" + itoa(s.orgs["DN.STC"])}, {"stc.officer", "/catalog/reviews/" + itoa(s.orgs["DN.STC"])},
			{"stc.officer", "/catalog/proposals"}, {"stc.officer", "/catalog/proposals/new"}, {"stc.officer", "/catalog/services/new"},
			{"stc.officer", "/catalog/databases/new"}, {"stc.officer", "/catalog/regulations/new"}, {"admin", "/catalog/upstream-hosts"},
		} {
			rec := s.want(t, c.user, "GET", c.path, nil, 200)
			if !strings.Contains(rec.Body.String(), "</html>") {
				t.Fatalf("%s: incomplete page", c.path)
			}
		}
		// Drafts and internal pages are not public.
		s.want(t, "", "GET", "/catalog/regulations/"+itoa(reg.ID), nil, 404)
		s.want(t, "qn.it", "GET", "/catalog/regulations/"+itoa(reg.ID), nil, 404)
		s.want(t, "stc.officer", "GET", "/catalog/upstream-hosts", nil, 403)
		s.want(t, "syt.consumer", "GET", "/catalog/services/new", nil, 403)
		s.want(t, "", "GET", "/catalog/services/999999", nil, 404)

		// Exports: CSV with a BOM and formula guard; XLSX is a zip.
		rec = s.want(t, "", "GET", "/catalog/export?type=services&format=csv", nil, 200)
		if !strings.HasPrefix(rec.Body.String(), "\ufeffid,identifier") || strings.Contains(rec.Body.String(), "giải thể") {
			t.Fatalf("csv export: %s", truncate(rec.Body.String()))
		}
		rec = s.want(t, "", "GET", "/api/v1/catalog/export?format=xlsx", nil, 200)
		if !bytes.HasPrefix(rec.Body.Bytes(), []byte("PK")) {
			t.Fatal("xlsx export is not a workbook")
		}
		rec = s.want(t, "", "GET", "/catalog/codelists/"+itoa(cl.ID)+"/entries.csv", nil, 200)
		if !strings.Contains(rec.Body.String(), `"'=HYPERLINK(""x"")"`) {
			t.Fatalf("code list csv must guard formulas: %s", rec.Body.String())
		}
		wantProblem(t, s.do(t, "", "GET", "/api/v1/catalog/export?format=pdf", nil), 422, "format")

		// The OpenAPI document covers the catalog operations.
		doc, _ := json.Marshal(s.api.OpenAPI())
		for _, p := range []string{"/api/v1/catalog/search", "/api/v1/catalog/services/{ref}/publish", "/api/v1/catalog/codelists/{id}/import"} {
			if !bytes.Contains(doc, []byte(p)) {
				t.Fatalf("openapi lacks %s", p)
			}
		}
	})
}

func TestHTTPCodeListsProposalsAndHosts(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := newServer(t, db)
		cl := decode[catalog.CodeList](t, s.want(t, "c06.officer", "POST", "/api/v1/catalog/codelists", map[string]any{
			"code": "DM_DAN_TOC", "name": "Danh mục dân tộc", "owner_org_id": s.orgs["BCA.C06"],
			"entries": []catalog.CodeEntry{{Code: "01", Name: "Kinh"}}}, 201))
		wantProblem(t, s.do(t, "stc.officer", "POST", "/api/v1/catalog/codelists/"+itoa(cl.ID)+"/import", []byte("code,name\n02,Tày\n")), 403, "")
		wantProblem(t, s.do(t, "", "POST", "/api/v1/catalog/codelists/"+itoa(cl.ID)+"/import", []byte("code,name\n02,Tày\n")), 401, "")
		p := wantProblem(t, s.do(t, "c06.officer", "POST", "/api/v1/catalog/codelists/"+itoa(cl.ID)+"/import", []byte("code,name\n02,Tày\n,Thái\n02,Hoa\n")), 422, "file")
		if !strings.Contains(p.Detail, "line 3") || !strings.Contains(p.Detail, "line 4") {
			t.Fatalf("line errors: %+v", p)
		}
		got := decode[map[string]any](t, s.do(t, "", "GET", "/api/v1/catalog/codelists/"+itoa(cl.ID), nil))
		if entries, _ := got["entries"].([]any); len(entries) != 1 {
			t.Fatalf("nothing imported: %+v", got)
		}
		imp := decode[map[string]any](t, s.want(t, "c06.officer", "POST", "/api/v1/catalog/codelists/"+itoa(cl.ID)+"/import?note=GSO", []byte("Mã,Tên\n01,Kinh\n02,Tày\n03,Thái\n"), 201))
		if imp["imported"] != float64(3) {
			t.Fatalf("import: %+v", imp)
		}
		// A long list's page shows its first 500 entries and searches them;
		// the API and the CSV keep them all.
		var long bytes.Buffer
		long.WriteString("code,name\n")
		for i := range 620 {
			fmt.Fprintf(&long, "%04d,Xã số %d\n", i, i)
		}
		s.want(t, "c06.officer", "POST", "/api/v1/catalog/codelists/"+itoa(cl.ID)+"/import", long.Bytes(), 201)
		page := s.want(t, "", "GET", "/catalog/codelists/"+itoa(cl.ID), nil, 200).Body.String()
		if !strings.Contains(page, "Đang hiển thị 500 mục đầu trong số 620 mục") || strings.Contains(page, "<code>0500</code>") {
			t.Fatalf("the long list's page must show 500 of 620 entries")
		}
		page = s.want(t, "", "GET", "/catalog/codelists/"+itoa(cl.ID)+"?q=xa+so+61", nil, 200).Body.String()
		if !strings.Contains(page, "<code>0061</code>") || !strings.Contains(page, "<code>0613</code>") || strings.Contains(page, "<code>0060</code>") {
			t.Fatalf("searching the entries by name, diacritics ignored")
		}
		if !strings.Contains(s.want(t, "", "GET", "/catalog/codelists/"+itoa(cl.ID)+"?q=nothing-like-it", nil, 200).Body.String(), "Không có mục nào phù hợp.") {
			t.Fatal("an empty search says so")
		}
		if got := decode[map[string]any](t, s.do(t, "", "GET", "/api/v1/catalog/codelists/"+itoa(cl.ID), nil)); len(got["entries"].([]any)) != 620 {
			t.Fatal("the API gives every entry")
		}

		// D47-12: the owner drafts and submits; only the national operator decides.
		pr := decode[catalog.Proposal](t, s.want(t, "c06.officer", "POST", "/api/v1/catalog/proposals", catalog.ProposalInput{
			OwnerOrgID: s.orgs["BCA.C06"], Action: catalog.ProposalAdd, Name: "CSDL quốc gia về căn cước", Objective: "Quản lý căn cước",
			DataScope: "Toàn quốc", MasterData: "Số định danh cá nhân", UsersPurposes: "Bộ, ngành, địa phương", Sources: "Công dân",
			SharingMethods: "NDXP", Justification: "Dữ liệu nền tảng"}, 201))
		ppath := "/api/v1/catalog/proposals/" + itoa(pr.ID)
		s.want(t, "stc.officer", "GET", ppath, nil, 404)
		s.want(t, "", "GET", ppath, nil, 401)
		wantProblem(t, s.do(t, "admin", "POST", ppath+"/approve", map[string]string{"note": ""}), 409, "")
		s.want(t, "c06.officer", "POST", ppath+"/submit", map[string]string{"note": "Kính gửi Bộ KH&CN"}, 200)
		wantProblem(t, s.do(t, "c06.officer", "POST", ppath+"/approve", map[string]string{"note": ""}), 403, "")
		wantProblem(t, s.do(t, "admin", "POST", ppath+"/reject", map[string]string{"note": ""}), 422, "note")
		done := decode[catalog.Proposal](t, s.want(t, "admin", "POST", ppath+"/approve", map[string]string{"note": "Đồng ý"}, 200))
		if done.State != catalog.ProposalApproved || len(done.Events) != 3 {
			t.Fatalf("approved: %+v", done)
		}
		s.want(t, "c06.officer", "GET", "/catalog/proposals/"+itoa(pr.ID), nil, 200)

		// Upstream allow-list: platform administrators only.
		wantProblem(t, s.do(t, "dn.it", "POST", "/api/v1/catalog/upstream-hosts", map[string]string{"host": "169.254.1.1"}), 403, "")
		s.want(t, "admin", "POST", "/api/v1/catalog/upstream-hosts", map[string]string{"host": "169.254.1.1", "note": "LGSP"}, 201)
		in := serviceInput("dn-stc.appliance", s.orgs["DN.STC"])
		in.UpstreamURL = "http://169.254.1.1/api"
		s.want(t, "stc.officer", "POST", "/api/v1/catalog/services", in, 201)
		s.want(t, "admin", "DELETE", "/api/v1/catalog/upstream-hosts/169.254.1.1", nil, 204)

		// D47-34.2 review: the provider records it; others may only read.
		org := itoa(s.orgs["DN.STC"])
		wantProblem(t, s.do(t, "syt.officer", "POST", "/api/v1/catalog/reviews/"+org, map[string]string{"note": "x"}), 403, "")
		st := decode[catalog.ReviewStatus](t, s.want(t, "stc.officer", "POST", "/api/v1/catalog/reviews/"+org, map[string]string{"note": "Đã rà soát"}, 201))
		if st.LastReview == nil || st.LastReview.Note != "Đã rà soát" {
			t.Fatalf("review: %+v", st)
		}
		s.want(t, "", "GET", "/api/v1/catalog/reviews/"+org, nil, 200)
	})
}

// TestHTTPHistoryAndImportPagesInWords: a service's history names fields
// and actions in Vietnamese with values written the page's way, and a
// refused code-list import lists its bad lines, translated, beside the file
// field.
func TestHTTPHistoryAndImportPagesInWords(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := newServer(t, db)
		in := serviceInput("dn-stc.history", s.orgs["DN.STC"])
		sv := decode[catalog.Service](t, s.want(t, "stc.officer", "POST", "/api/v1/catalog/services", in, 201))
		in.CapacityPerDay = 250000
		s.want(t, "stc.officer", "PUT", "/api/v1/catalog/services/"+itoa(sv.ID), in, 200)
		for _, path := range []string{"/catalog/services/" + itoa(sv.ID) + "/history", "/catalog/services/" + itoa(sv.ID)} {
			body := s.want(t, "stc.officer", "GET", path, nil, 200).Body.String()
			for _, want := range []string{"chỉnh sửa", "tạo mới", "Năng lực: số lượt gọi mỗi ngày", "100.000", "250.000", "Sở Tài chính Đà Nẵng"} {
				if !strings.Contains(body, want) {
					t.Errorf("%s lacks %q", path, want)
				}
			}
			for _, raw := range []string{"capacity_per_day", "provider_org_id", ">update<", "— update"} {
				if strings.Contains(body, raw) {
					t.Errorf("%s shows the raw %q", path, raw)
				}
			}
		}

		cl := decode[catalog.CodeList](t, s.want(t, "c06.officer", "POST", "/api/v1/catalog/codelists", map[string]any{
			"code": "DM_DAN_TOC", "name": "Danh mục dân tộc", "owner_org_id": s.orgs["BCA.C06"]}, 201))
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "dan-toc.csv")
		fw.Write([]byte("code,name,valid_from\n01,Kinh,\n01,Tày,xx\n,Thái,\n"))
		mw.Close()
		req := httptest.NewRequest("POST", "/catalog/codelists/"+itoa(cl.ID)+"/import", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+s.tokens["c06.officer"])
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != 422 {
			t.Fatalf("bad import: status %d: %s", rec.Code, truncate(body))
		}
		for _, want := range []string{`aria-invalid="true" aria-describedby="f-file-err"`, `id="f-file-err"`,
			"dòng 3", "mã &#34;01&#34; bị lặp lại (xuất hiện lần đầu ở dòng 2)", "&#34;xx&#34; không phải là ngày", "dòng 4", "mã để trống"} {
			if !strings.Contains(body, want) {
				t.Errorf("import errors lack %q", want)
			}
		}
	})
}
