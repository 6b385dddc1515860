package catalog_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// recordsState sums up what the catalog holds, so a test can tell that a
// refused request wrote nothing: the records of each kind, the services'
// versions and the code lists' versions.
func recordsState(t *testing.T, e *env) string {
	t.Helper()
	ctx := context.Background()
	all := platform.Page{Limit: platform.MaxPageSize}
	svs, err := e.cat.ListServices(ctx, catalog.ServiceFilter{Viewer: platformAdmin(), Page: all})
	if err != nil {
		t.Fatal(err)
	}
	versions := 0
	for _, sv := range svs.Items {
		versions += sv.Version
	}
	dbs, err := e.cat.ListDatabases(ctx, catalog.DatabaseFilter{Viewer: platformAdmin(), Page: all})
	if err != nil {
		t.Fatal(err)
	}
	regs, err := e.cat.ListRegulations(ctx, catalog.RegulationFilter{Viewer: platformAdmin(), Page: all})
	if err != nil {
		t.Fatal(err)
	}
	cls, err := e.cat.ListCodeLists(ctx, "", all)
	if err != nil {
		t.Fatal(err)
	}
	clVersions := 0
	for _, c := range cls.Items {
		clVersions += c.Version
	}
	els, err := e.cat.ListElements(ctx, "", all)
	if err != nil {
		t.Fatal(err)
	}
	prs, err := e.cat.ListProposals(ctx, platformAdmin(), "", all)
	if err != nil {
		t.Fatal(err)
	}
	hosts, err := e.cat.UpstreamHosts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("services=%d/v%d databases=%d regulations=%d codelists=%d/v%d elements=%d proposals=%d hosts=%d",
		len(svs.Items), versions, len(dbs.Items), len(regs.Items), len(cls.Items), clVersions, len(els.Items), len(prs.Items), len(hosts))
}

// validationFixture is what the cases refer to: a service to edit, an
// element whose code is taken, a code list, and a draft proposal that lacks
// most of what a submission needs.
type validationFixture struct {
	service  catalog.Service
	element  catalog.Element
	codeList catalog.CodeList
	proposal catalog.Proposal
}

func newValidationFixture(t *testing.T, s *server) validationFixture {
	t.Helper()
	ctx := context.Background()
	var f validationFixture
	f.service = mustService(t, s.env, serviceInput("dn-stc.kiem-tra", s.orgs["DN.STC"]))
	var err error
	if f.element, err = s.cat.CreateElement(ctx, admin, catalog.ElementInput{Code: "ma_so_thue", Name: "Mã số thuế",
		DataType: "string", OwnerOrgID: s.orgs["BCA.C06"]}); err != nil {
		t.Fatal(err)
	}
	if f.codeList, err = s.cat.CreateCodeList(ctx, admin, catalog.CodeListInput{Code: "DM_GIOI_TINH", Name: "Danh mục giới tính",
		OwnerOrgID: s.orgs["BCA.C06"]}, []catalog.CodeEntry{{Code: "1", Name: "Nam"}}, ""); err != nil {
		t.Fatal(err)
	}
	if f.proposal, err = s.cat.CreateProposal(ctx, admin, catalog.ProposalInput{OwnerOrgID: s.orgs["BCA.C06"],
		Action: catalog.ProposalAdd, Name: "CSDL quốc gia về căn cước"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestAPIReportsEveryMistake: a body with several wrong fields is refused
// with 422 and a problem whose errors name every one of them, the first as
// its field; nothing is written.
func TestAPIReportsEveryMistake(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := newServer(t, db)
		f := newValidationFixture(t, s)
		long := strings.Repeat("x", 1001)

		badService := serviceInput("Sai Ma", s.orgs["DN.STC"])
		badService.Name = " "
		badService.Form = "free"
		badService.CapacityPerDay = -1
		badService.Items[1].Key = "von_dieu_le" // not in the schema
		badService.Items[2].ElementID = 999     // no such element (a database check)
		badService.RegulationID = 4242          // no such regulation (a database check)
		badEdit := serviceInput(f.service.Identifier, s.orgs["DN.STC"])
		badEdit.Name = ""
		badEdit.Method = "email"
		badEdit.UpstreamURL = "http://169.254.169.254/latest/meta-data/"

		cases := []struct {
			name, user, method, path string
			body                     any
			fields                   []string
		}{
			{"new service", "stc.officer", "POST", "/api/v1/catalog/services", badService,
				[]string{"identifier", "name", "form", "capacity_per_day", "items[1].key", "items[2].element_id", "regulation_id"}},
			{"service edit", "stc.officer", "PUT", "/api/v1/catalog/services/" + itoa(f.service.ID), badEdit,
				[]string{"name", "method", "upstream_url"}},
			{"new database", "stc.officer", "POST", "/api/v1/catalog/databases", catalog.DatabaseInput{Name: "", Kind: "galactic",
				Items: []catalog.DatabaseItem{{Key: "a b", Name: "", Classification: "secret"}}},
				[]string{"owner_org_id", "name", "kind", "items[0].key", "items[0].name", "items[0].classification"}},
			{"new regulation", "stc.officer", "POST", "/api/v1/catalog/regulations", catalog.RegulationInput{OwnerOrgID: s.orgs["DN.STC"],
				DatabaseID: 4242, ValiditySeconds: -1, LogRetentionDays: -1},
				[]string{"title", "who_may_access", "validity_seconds", "log_retention_days", "database_id"}},
			{"new code list", "c06.officer", "POST", "/api/v1/catalog/codelists", map[string]any{"code": "bad code!", "name": "",
				"description": strings.Repeat("x", 4001), "owner_org_id": s.orgs["BCA.C06"]},
				[]string{"code", "name", "description"}},
			{"code list version", "c06.officer", "POST", "/api/v1/catalog/codelists/" + itoa(f.codeList.ID) + "/versions",
				map[string]any{"entries": []catalog.CodeEntry{}, "note": long}, []string{"entries", "note"}},
			{"new element", "c06.officer", "POST", "/api/v1/catalog/elements", catalog.ElementInput{Code: f.element.Code, Name: "",
				DataType: "blob", CodeListID: 4242, OwnerOrgID: s.orgs["BCA.C06"]},
				[]string{"name", "data_type", "codelist_id", "code"}},
			{"new proposal", "c06.officer", "POST", "/api/v1/catalog/proposals", catalog.ProposalInput{OwnerOrgID: s.orgs["BCA.C06"],
				Action: "merge", DatabaseID: 4242}, []string{"action", "name", "database_id"}},
			{"proposal submission", "c06.officer", "POST", "/api/v1/catalog/proposals/" + itoa(f.proposal.ID) + "/submit",
				map[string]string{"note": ""},
				[]string{"objective", "data_scope", "master_data", "users_purposes", "sources", "sharing_methods", "justification"}},
			{"upstream host", "admin", "POST", "/api/v1/catalog/upstream-hosts", map[string]string{"host": "http://x/", "note": long},
				[]string{"host", "note"}},
			{"search filters", "", "GET", "/api/v1/catalog/search?kind=galactic&form=free&limit=many", nil,
				[]string{"limit", "kind", "form"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := recordsState(t, s.env)
				rec := s.do(t, c.user, c.method, c.path, c.body)
				p := wantProblem(t, rec, 422, c.fields[0])
				var got []string
				for _, is := range p.Errors {
					if is.Code == "" || is.Message == "" {
						t.Errorf("issue without code or message: %+v", is)
					}
					got = append(got, is.Field)
				}
				if !slices.Equal(got, c.fields) {
					t.Errorf("errors name %v, want %v: %s", got, c.fields, truncate(rec.Body.String()))
				}
				if p.Code != p.Errors[0].Code || p.Detail != p.Errors[0].Message {
					t.Errorf("the problem's code and detail are its first error's: %+v", p)
				}
				if after := recordsState(t, s.env); after != before {
					t.Errorf("a refused request wrote: %s -> %s", before, after)
				}
			})
		}
	})
}

// errorBeside reports whether page shows msg in the error element id and
// marks a field invalid, described by that element.
func errorBeside(page, id, msg string) error {
	if !regexp.MustCompile(`aria-invalid="true" aria-describedby="[^"]*\b` + regexp.QuoteMeta(id) + `"`).MatchString(page) {
		return fmt.Errorf("no field is marked invalid and described by #%s", id)
	}
	m := regexp.MustCompile(`<div class="error" id="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</div>`).FindStringSubmatch(page)
	if m == nil {
		return fmt.Errorf("no error element #%s", id)
	}
	if !strings.Contains(m[1], msg) {
		return fmt.Errorf("#%s says %q, want %q", id, m[1], msg)
	}
	return nil
}

// TestPagesShowEveryMistake: a form sent with several wrong fields comes
// back (422) with each message beside its field, in Vietnamese, and
// nothing is written.
func TestPagesShowEveryMistake(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := newServer(t, db)
		f := newValidationFixture(t, s)
		stc, c06 := itoa(s.orgs["DN.STC"]), itoa(s.orgs["BCA.C06"])
		type shown struct{ id, vi string }
		cases := []struct {
			name, user, method, path string
			form                     url.Values
			want                     []shown
		}{
			{"new service", "stc.officer", "POST", "/catalog/services", url.Values{"identifier": {"Sai Ma"}, "name": {""},
				"provider_org_id": {stc}, "form": {"free"}, "method": {"online"}, "capacity_per_second": {"5"},
				"capacity_per_day": {"nhiều"}, "upstream_url": {""}, "schema": {enterpriseSchema},
				"items": {"mã số | Mã số thuế\nma_so_thue | Mã số thuế | khong_co_ma\n\nten_doanh_nghiep | "}},
				[]shown{{"f-identifier-err", "mã định danh gồm 3-120 chữ thường"}, {"f-name-err", "cần nhập tên"},
					{"f-form-err", "hình thức chia sẻ phải là mặc định hoặc theo yêu cầu đặc thù"},
					{"f-capacity_per_day-err", "trường capacity_per_day phải là số nguyên"},
					{"f-upstream_url-err", "dịch vụ trực tuyến cần có địa chỉ dịch vụ nguồn"},
					{"f-items-err", "dòng 1: khóa trường dữ liệu &#34;mã số&#34; phải là tên thuộc tính JSON"},
					{"f-items-err", "<br>dòng 2: không có phần tử dữ liệu nào có mã &#34;khong_co_ma&#34;"},
					{"f-items-err", "<br>dòng 4: trường items[2].label là bắt buộc"}}},
			{"service edit", "stc.officer", "POST", "/catalog/services/" + itoa(f.service.ID), url.Values{"identifier": {f.service.Identifier},
				"name": {"Tên mới"}, "provider_org_id": {stc}, "form": {"default"}, "method": {"teleport"}, "capacity_per_second": {"-3"},
				"upstream_url": {"http://u:p@10.0.0.5/"}, "schema": {`{"type": `}, "items": {"ma_so_thue | Mã số thuế"}},
				[]shown{{"f-method-err", "phương thức chia sẻ phải là trực tuyến, đồng bộ hoặc gói dữ liệu"},
					{"f-capacity_per_second-err", "số lượt gọi mỗi giây phải từ 0 đến 1000000"},
					{"f-schema-err", "schema không phải là JSON hợp lệ"},
					{"f-upstream_url-err", "địa chỉ dịch vụ nguồn không được chứa tên đăng nhập, mật khẩu"}}},
			{"new database", "stc.officer", "POST", "/catalog/databases", url.Values{"name": {""}, "kind": {"galactic"},
				"owner_org_id": {stc}, "items": {"ma_so | Mã số | secret\nten | Tên | open | martians"}},
				[]shown{{"f-name-err", "cần nhập tên"}, {"f-kind-err", "loại cơ sở dữ liệu phải là quốc gia, dùng chung hoặc khác"},
					{"f-items-err", "dòng 1: hãy phân loại từng trường dữ liệu"},
					{"f-items-err", "<br>dòng 2: đối tượng khai thác &#34;martians&#34; không hợp lệ"}}},
			{"new regulation", "stc.officer", "POST", "/catalog/regulations", url.Values{"owner_org_id": {stc}, "title": {""},
				"topic": {""}, "who_may_access": {""}, "validity_hours": {"-5"}, "log_retention_days": {"mãi mãi"}},
				[]shown{{"f-title-err", "cần nhập tên"}, {"f-topic-err", "hãy nêu cơ sở dữ liệu hoặc nhóm dữ liệu chuyên đề"},
					{"f-who_may_access-err", "cần nêu đối tượng được khai thác"}, {"f-validity_hours-err", "hiệu lực phải từ 0 đến 10 năm"},
					{"f-log_retention_days-err", "trường log_retention_days phải là số nguyên"}}},
			{"new code list", "c06.officer", "POST", "/catalog/codelists", url.Values{"code": {"bad code!"}, "name": {""},
				"owner_org_id": {"BCA"}},
				[]shown{{"f-code-err", "mã gồm 1-80 chữ cái không dấu"}, {"f-name-err", "cần nhập tên"},
					{"f-owner_org_id-err", "trường owner_org_id phải là số nguyên"}}},
			{"new element", "c06.officer", "POST", "/catalog/dictionary", url.Values{"code": {f.element.Code}, "name": {""},
				"data_type": {"code"}, "source_database_id": {"x"}, "owner_org_id": {c06}},
				[]shown{{"f-name-err", "cần nhập tên"}, {"f-codelist_id-err", "phần tử kiểu mã danh mục cần chỉ rõ danh mục"},
					{"f-source_database_id-err", "trường source_database_id phải là số nguyên"}}},
			{"element edit", "c06.officer", "POST", "/catalog/dictionary/" + itoa(f.element.ID), url.Values{"code": {"x y"},
				"name": {"Mã số thuế"}, "data_type": {"blob"}, "codelist_id": {"4242"}, "owner_org_id": {c06}},
				[]shown{{"f-code-err", "mã gồm 1-80 chữ cái không dấu"}, {"f-data_type-err", "kiểu dữ liệu &#34;blob&#34; không hợp lệ"},
					{"f-codelist_id-err", "danh mục có mã số 4242 không tồn tại"}}},
			{"new proposal", "c06.officer", "POST", "/catalog/proposals", url.Values{"action": {"merge"}, "name": {""},
				"owner_org_id": {c06}, "database_id": {"abc"}},
				[]shown{{"f-action-err", "nội dung đề xuất phải là bổ sung, điều chỉnh hoặc đưa ra khỏi danh mục"},
					{"f-name-err", "cần nhập tên"}, {"f-database_id-err", "trường database_id phải là số nguyên"}}},
			{"upstream host", "admin", "POST", "/catalog/upstream-hosts", url.Values{"host": {"http://x/"}, "note": {strings.Repeat("x", 501)}},
				[]shown{{"f-host-err", "hãy nhập tên máy chủ hoặc địa chỉ IP"}, {"f-note-err", "trường note không được vượt quá 500 ký tự"}}},
			{"search filters", "", "GET", "/catalog?kind=galactic&form=free&provider=abc", nil,
				[]shown{{"kind-err", "loại cơ sở dữ liệu phải là national (quốc gia)"}, {"form-err", "hình thức chia sẻ phải là default (mặc định)"},
					{"provider-err", "trường provider phải là số không âm"}}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := recordsState(t, s.env)
				var body any
				if c.form != nil {
					body = c.form
				}
				rec := s.want(t, c.user, c.method, c.path, body, 422)
				page := rec.Body.String()
				for _, w := range c.want {
					if err := errorBeside(page, w.id, w.vi); err != nil {
						t.Error(err)
					}
				}
				if after := recordsState(t, s.env); after != before {
					t.Errorf("a refused form wrote: %s -> %s", before, after)
				}
			})
		}

		// A submission that lacks several parts lists each of them above
		// the proposal (the fields are on its edit form).
		t.Run("proposal submission", func(t *testing.T) {
			rec := s.want(t, "c06.officer", "POST", "/catalog/proposals/"+itoa(f.proposal.ID)+"/move", url.Values{"step": {"submit"}}, 422)
			m := regexp.MustCompile(`(?s)<div class="alert" role="alert">(.*?)</div>`).FindStringSubmatch(rec.Body.String())
			if m == nil {
				t.Fatalf("no alert: %s", truncate(rec.Body.String()))
			}
			for _, want := range []string{"<li>cần nhập trường objective trước khi gửi đề xuất (Điều 12.2)</li>",
				"<li>cần nhập trường sharing_methods trước khi gửi đề xuất (Điều 12.2)</li>",
				"<li>cần nêu sự cần thiết trước khi gửi đề xuất (Điều 12.1)</li>"} {
				if !strings.Contains(m[1], want) {
					t.Errorf("the alert lacks %q: %s", want, m[1])
				}
			}
			if pr, err := s.cat.Proposal(context.Background(), f.proposal.ID); err != nil || pr.State != catalog.ProposalDraft {
				t.Fatalf("the proposal must stay a draft: %v %+v", err, pr.State)
			}
		})
	})
}

// TestStoreCollectsMistakes: the store reports the input's own mistakes
// and those found in the database together.
func TestStoreCollectsMistakes(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		mustService(t, e, serviceInput("dn-stc.co-san", e.orgs["DN.STC"]))
		in := serviceInput("dn-stc.co-san", 9999) // taken identifier, unknown provider
		in.Name = ""
		in.DatabaseIDs = []int64{4242}
		in.Open = true // and no usage regulation
		_, err := e.cat.CreateService(ctx, admin, in)
		wantField(t, err, "name")
		var got []string
		for _, is := range platform.AsError(err).Issues() {
			got = append(got, is.Field)
		}
		if want := []string{"name", "identifier", "provider_org_id", "database_ids", "open"}; !slices.Equal(got, want) {
			t.Fatalf("issues %v, want %v", got, want)
		}
	})
}
