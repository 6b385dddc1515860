package catalog_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/workday"
)

func TestServiceValidation(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		stc := e.orgs["DN.STC"]
		mustService(t, e, serviceInput("dn-stc.dkkd.tra-cuu-doanh-nghiep", stc))

		cases := []struct {
			name  string
			edit  func(in *catalog.ServiceInput)
			field string
		}{
			{"bad identifier", func(in *catalog.ServiceInput) { in.Identifier = "Tra cứu/DN" }, "identifier"},
			{"numeric identifier", func(in *catalog.ServiceInput) { in.Identifier = "12345" }, "identifier"},
			{"duplicate identifier", func(in *catalog.ServiceInput) { in.Identifier = "dn-stc.dkkd.tra-cuu-doanh-nghiep" }, "identifier"},
			{"no name", func(in *catalog.ServiceInput) { in.Name = " " }, "name"},
			{"schema not JSON", func(in *catalog.ServiceInput) { in.Schema = `{"type": ` }, "schema"},
			{"schema not a schema", func(in *catalog.ServiceInput) { in.Schema = `{"type": "objekt"}` }, "schema"},
			{"schema bad pattern", func(in *catalog.ServiceInput) {
				in.Schema = `{"type":"object","properties":{"ma_so_thue":{"type":"string","pattern":"("}}}`
			}, "schema"},
			{"schema reads a file", func(in *catalog.ServiceInput) { in.Schema = `{"$ref": "file:///etc/passwd"}` }, "schema"},
			{"schema fetches a URL", func(in *catalog.ServiceInput) { in.Schema = `{"$ref": "http://169.254.169.254/latest"}` }, "schema"},
			{"empty schema", func(in *catalog.ServiceInput) { in.Schema = "" }, "schema"},
			{"no items", func(in *catalog.ServiceInput) { in.Items = nil }, "items"},
			{"item not in schema", func(in *catalog.ServiceInput) { in.Items[1].Key = "von_dieu_le" }, "items[1].key"},
			{"item key not a name", func(in *catalog.ServiceInput) { in.Items[0].Key = "mã số" }, "items[0].key"},
			{"item repeated", func(in *catalog.ServiceInput) { in.Items[2].Key = "ma_so_thue" }, "items[2].key"},
			{"item without label", func(in *catalog.ServiceInput) { in.Items[0].Label = "" }, "items[0].label"},
			{"unknown element", func(in *catalog.ServiceInput) { in.Items[0].ElementID = 999 }, "items[0].element_id"},
			{"bad form", func(in *catalog.ServiceInput) { in.Form = "free" }, "form"},
			{"bad method", func(in *catalog.ServiceInput) { in.Method = "email" }, "method"},
			{"no capacity", func(in *catalog.ServiceInput) { in.CapacityPerSec, in.CapacityPerDay = 0, 0 }, "capacity_per_second"},
			{"negative capacity", func(in *catalog.ServiceInput) { in.CapacityPerDay = -1 }, "capacity_per_day"},
			{"unknown provider", func(in *catalog.ServiceInput) { in.ProviderOrgID = 9999 }, "provider_org_id"},
			{"unknown database", func(in *catalog.ServiceInput) { in.DatabaseIDs = []int64{4242} }, "database_ids"},
			{"unknown regulation", func(in *catalog.ServiceInput) { in.RegulationID = 4242 }, "regulation_id"},
			{"online without upstream", func(in *catalog.ServiceInput) { in.UpstreamURL = "" }, "upstream_url"},
			{"file URL", func(in *catalog.ServiceInput) { in.UpstreamURL = "file:///etc/passwd" }, "upstream_url"},
			{"gopher URL", func(in *catalog.ServiceInput) { in.UpstreamURL = "gopher://10.0.0.1/" }, "upstream_url"},
			{"metadata IPv4", func(in *catalog.ServiceInput) { in.UpstreamURL = "http://169.254.169.254/latest/meta-data/" }, "upstream_url"},
			{"link-local IPv4", func(in *catalog.ServiceInput) { in.UpstreamURL = "https://169.254.10.20:8443/api" }, "upstream_url"},
			{"link-local IPv6", func(in *catalog.ServiceInput) { in.UpstreamURL = "http://[fe80::1]/" }, "upstream_url"},
			{"link-local IPv6 zone", func(in *catalog.ServiceInput) { in.UpstreamURL = "http://[fe80::1%25eth0]/" }, "upstream_url"},
			{"mapped metadata", func(in *catalog.ServiceInput) { in.UpstreamURL = "http://[::ffff:169.254.169.254]/" }, "upstream_url"},
			{"AWS IPv6 metadata", func(in *catalog.ServiceInput) { in.UpstreamURL = "http://[fd00:ec2::254]/" }, "upstream_url"},
			{"GCP metadata name", func(in *catalog.ServiceInput) {
				in.UpstreamURL = "http://Metadata.Google.Internal./computeMetadata/v1/"
			}, "upstream_url"},
			{"decimal IP", func(in *catalog.ServiceInput) { in.UpstreamURL = "http://2852039166/" }, "upstream_url"},
			{"hex IP", func(in *catalog.ServiceInput) { in.UpstreamURL = "http://0xa9fea9fe/" }, "upstream_url"},
			{"userinfo", func(in *catalog.ServiceInput) { in.UpstreamURL = "http://user:pw@host.example/" }, "upstream_url"},
			{"userinfo disguise", func(in *catalog.ServiceInput) { in.UpstreamURL = "http://trusted.gov.vn@169.254.169.254/" }, "upstream_url"},
			{"no host", func(in *catalog.ServiceInput) { in.UpstreamURL = "http:///path" }, "upstream_url"},
			{"relative", func(in *catalog.ServiceInput) { in.UpstreamURL = "/api/x" }, "upstream_url"},
			{"open special", func(in *catalog.ServiceInput) { in.Open, in.Form = true, catalog.FormSpecial }, "open"},
			{"open without regulation", func(in *catalog.ServiceInput) { in.Open = true }, "open"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := serviceInput("dn-stc.dkkd.kiem-tra", stc)
				c.edit(&in)
				_, err := e.cat.CreateService(ctx, admin, in)
				wantField(t, err, c.field)
			})
		}
		// Nothing was created by the refused inputs.
		res, err := e.cat.ListServices(ctx, catalog.ServiceFilter{Viewer: platformAdmin()})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != 1 {
			t.Fatalf("want 1 service, got %d", len(res.Items))
		}

		// A platform administrator's allow-list lets a link-local host through.
		in := serviceInput("dn-stc.dkkd.appliance", stc)
		in.UpstreamURL = "http://169.254.10.20:8080/api"
		_, err = e.cat.CreateService(ctx, admin, in)
		wantField(t, err, "upstream_url")
		if err := e.cat.AllowUpstreamHost(ctx, admin, "169.254.10.20", "LGSP appliance"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.cat.CreateService(ctx, admin, in); err != nil {
			t.Fatalf("allowed host refused: %v", err)
		}
		// The allow-list is per host: the metadata address stays refused, and so does userinfo.
		in = serviceInput("dn-stc.dkkd.meta", stc)
		in.UpstreamURL = "http://169.254.169.254/"
		_, err = e.cat.CreateService(ctx, admin, in)
		wantField(t, err, "upstream_url")
		in.UpstreamURL = "http://u:p@169.254.10.20/"
		_, err = e.cat.CreateService(ctx, admin, in)
		wantField(t, err, "upstream_url")
		wantField(t, e.cat.AllowUpstreamHost(ctx, admin, "http://x/", ""), "host")
	})
}

func platformAdmin() *identity.Principal {
	return &identity.Principal{UserID: 1, FullName: "Admin", Grants: []identity.Grant{{Role: identity.RolePlatformAdmin, OrgPath: "/1/"}}}
}

func TestServiceVersionsAndIdentifier(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		sv := mustService(t, e, serviceInput("dn-stc.dkkd.tra-cuu", e.orgs["DN.STC"]))
		in := sv.Input()
		in.Name = "Tra cứu doanh nghiệp (bản 2)"
		in.Items[1].Label = "Tên doanh nghiệp (tiếng Việt)"
		in.Schema = strings.Replace(enterpriseSchema, `"ten_doanh_nghiep": {"type": "string"}`, `"ten_doanh_nghiep": {"type": "string", "maxLength": 400}`, 1)
		e.clock = e.clock.Add(time.Hour)
		editor := catalog.Actor{UserID: 7, Name: "Ngô Thanh Bình"}
		if _, err := e.cat.UpdateService(ctx, editor, sv.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := e.cat.Publish(ctx, editor, sv.ID); err != nil {
			t.Fatal(err)
		}
		vs, err := e.cat.Versions(ctx, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 3 || vs[0].Version != 3 || vs[0].Action != "publish" || vs[1].Action != "update" || vs[2].Action != "create" {
			t.Fatalf("versions: %+v", vs)
		}
		if vs[1].ChangedBy != "Ngô Thanh Bình" || !vs[1].ChangedAt.Equal(e.clock) {
			t.Fatalf("who/when not kept: %+v", vs[1])
		}
		changed := map[string]catalog.Change{}
		for _, c := range vs[1].Changes {
			changed[c.Field] = c
		}
		if c := changed["name"]; c.Old != "Tra cứu thông tin doanh nghiệp" || c.New != "Tra cứu doanh nghiệp (bản 2)" {
			t.Fatalf("name change: %+v (all: %+v)", c, vs[1].Changes)
		}
		if c := changed["items.ten_doanh_nghiep.label"]; c.New != "Tên doanh nghiệp (tiếng Việt)" {
			t.Fatalf("item change: %+v", vs[1].Changes)
		}
		if c := changed["schema.properties.ten_doanh_nghiep.maxLength"]; c.Old != "" || c.New != "400" {
			t.Fatalf("schema change: %+v", vs[1].Changes)
		}
		if len(vs[1].Changes) != 3 {
			t.Fatalf("only the three edits should differ: %+v", vs[1].Changes)
		}
		if _, ok := changed["version"]; ok {
			t.Fatal("bookkeeping fields must not show as changes")
		}
		// The snapshot is the full description.
		if !bytes.Contains(vs[0].Snapshot, []byte(`"upstream_url"`)) || bytes.Contains(vs[0].Redacted().Snapshot, []byte(`"upstream_url"`)) {
			t.Fatal("snapshot should keep the upstream URL; the redacted one should not")
		}
		// Once published, the identifier is stable.
		in.Identifier = "dn-stc.dkkd.tra-cuu-moi"
		_, err = e.cat.UpdateService(ctx, editor, sv.ID, in)
		wantField(t, err, "identifier")
		// ServiceByIdentifier finds it; unknown ones are not found.
		got, err := e.cat.ServiceByIdentifier(ctx, "dn-stc.dkkd.tra-cuu")
		if err != nil || got.ID != sv.ID || len(got.Items) != 3 || got.Items[0].Key != "ma_so_thue" {
			t.Fatalf("by identifier: %+v %v", got, err)
		}
		_, err = e.cat.ServiceByIdentifier(ctx, "nope")
		wantClass(t, err, platform.ENotFound)
	})
}

func TestPublicationDeadline(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		vn := workday.Location()
		cases := []struct {
			name           string
			ready, publish time.Time
			wantDue        string
			wantLate       bool
		}{
			// Friday -> the next working day is Monday: publishing then is on time.
			{"weekend on time", time.Date(2025, 6, 6, 16, 0, 0, 0, vn), time.Date(2025, 6, 9, 9, 0, 0, 0, vn), "2025-06-09", false},
			{"weekend late", time.Date(2025, 6, 6, 16, 0, 0, 0, vn), time.Date(2025, 6, 10, 9, 0, 0, 0, vn), "2025-06-09", true},
			// 30 April and 1 May are holidays, 2 May was swapped off, then a weekend.
			{"holiday on time", time.Date(2025, 4, 29, 10, 0, 0, 0, vn), time.Date(2025, 5, 5, 8, 0, 0, 0, vn), "2025-05-05", false},
			{"holiday late", time.Date(2025, 4, 29, 10, 0, 0, 0, vn), time.Date(2025, 5, 6, 8, 0, 0, 0, vn), "2025-05-05", true},
			// 23:30 UTC on Thursday is already Friday in Vietnam.
			{"time zone", time.Date(2025, 6, 5, 23, 30, 0, 0, time.UTC), time.Date(2025, 6, 10, 1, 0, 0, 0, vn), "2025-06-09", true},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				sv := mustService(t, e, serviceInput("dn-stc.pub-"+string(rune('a'+i)), e.orgs["DN.STC"]))
				e.clock = c.ready.UTC()
				r, err := e.cat.MarkReady(ctx, admin, sv.ID)
				if err != nil {
					t.Fatal(err)
				}
				if r.Status != catalog.StatusReady || r.PublicationDue.String() != c.wantDue {
					t.Fatalf("ready: status %s due %s, want %s", r.Status, r.PublicationDue, c.wantDue)
				}
				if !r.PublicationOverdue(workday.DateOf(c.publish)) == c.wantLate {
					t.Fatalf("overdue before publication should be %v", c.wantLate)
				}
				e.clock = c.publish.UTC()
				p, err := e.cat.Publish(ctx, admin, sv.ID)
				if err != nil {
					t.Fatal(err)
				}
				if p.PublicationLate != c.wantLate || p.PublishedAt == nil || !p.PublishedAt.Equal(c.publish) || !p.ReadyAt.Equal(c.ready) {
					t.Fatalf("published: late=%v published=%v ready=%v", p.PublicationLate, p.PublishedAt, p.ReadyAt)
				}
			})
		}
		// Invalid transitions are refused and change nothing.
		sv := mustService(t, e, serviceInput("dn-stc.states", e.orgs["DN.STC"]))
		_, err := e.cat.Retire(ctx, admin, sv.ID)
		wantClass(t, err, platform.EConflict)
		if _, err := e.cat.Publish(ctx, admin, sv.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.cat.MarkReady(ctx, admin, sv.ID)
		wantClass(t, err, platform.EConflict)
		r, err := e.cat.Retire(ctx, admin, sv.ID)
		if err != nil || r.Status != catalog.StatusRetired || r.RetiredAt == nil {
			t.Fatalf("retire: %+v %v", r, err)
		}
		_, err = e.cat.Publish(ctx, admin, sv.ID)
		wantClass(t, err, platform.EConflict)
		if r, err = e.cat.Transition(ctx, admin, sv.ID, catalog.ToDraft); err != nil || r.Status != catalog.StatusDraft {
			t.Fatalf("back to draft: %+v %v", r, err)
		}
		// Directly published from draft: ready and published the same day, on time.
		if r, err = e.cat.Publish(ctx, admin, sv.ID); err != nil || r.PublicationLate {
			t.Fatalf("republish: %+v %v", r, err)
		}
		vs, _ := e.cat.Versions(ctx, sv.ID)
		if len(vs) != 5 {
			t.Fatalf("every status change is a version: %d", len(vs))
		}
	})
}

func TestDefaultListReview(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		stc := e.orgs["DN.STC"]
		st, err := e.cat.ReviewStatus(ctx, stc, workday.MustParseDate("2025-01-10"))
		if err != nil || !st.Due.IsZero() || st.Overdue {
			t.Fatalf("nothing to review yet: %+v %v", st, err)
		}
		sv := mustService(t, e, serviceInput("dn-stc.review", stc))
		e.clock = time.Date(2025, 1, 15, 3, 0, 0, 0, time.UTC)
		if _, err := e.cat.Publish(ctx, admin, sv.ID); err != nil {
			t.Fatal(err)
		}
		// D47-34.2: six months after the first publication; 15 July 2025 is a Tuesday.
		st, err = e.cat.ReviewStatus(ctx, stc, workday.MustParseDate("2025-07-15"))
		if err != nil || st.Due.String() != "2025-07-15" || st.Overdue || st.RuleID != "D47-34.2" || len(st.Services) != 1 {
			t.Fatalf("due: %+v %v", st, err)
		}
		st, _ = e.cat.ReviewStatus(ctx, stc, workday.MustParseDate("2025-07-16"))
		if !st.Overdue {
			t.Fatal("a day later the review is overdue")
		}
		// Recording a review moves the due date; 2025-08-02 is a Saturday, so the period ends on Monday 4 August.
		e.clock = time.Date(2025, 2, 2, 3, 0, 0, 0, time.UTC)
		if err := e.cat.RecordReview(ctx, catalog.Actor{Name: "Ngô Thanh Bình"}, stc, "Đã rà soát, giữ nguyên danh mục"); err != nil {
			t.Fatal(err)
		}
		st, _ = e.cat.ReviewStatus(ctx, stc, workday.MustParseDate("2025-07-16"))
		if st.LastReview == nil || st.LastReview.By != "Ngô Thanh Bình" || st.Due.String() != "2025-08-04" || st.Overdue {
			t.Fatalf("after review: %+v", st)
		}
		rows, err := e.cat.ReviewOverview(ctx, workday.MustParseDate("2025-07-16"))
		if err != nil || len(rows) != 1 || rows[0].OrgID != stc || rows[0].Due.String() != "2025-08-04" || rows[0].ServiceCount != 1 {
			t.Fatalf("overview: %+v %v", rows, err)
		}
		wantField(t, e.cat.RecordReview(ctx, admin, 9999, ""), "org_id")
	})
}

func TestProposalStateMachine(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		d, err := e.cat.CreateDatabase(ctx, admin, catalog.DatabaseInput{OwnerOrgID: e.orgs["BCA.C06"], Name: "CSDL căn cước", Kind: catalog.KindShared})
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.cat.CreateProposal(ctx, admin, catalog.ProposalInput{OwnerOrgID: e.orgs["BCA.C06"], Action: catalog.ProposalAdd,
			DatabaseID: d.ID, Name: "CSDL quốc gia về căn cước"})
		if err != nil || p.State != catalog.ProposalDraft || len(p.Events) != 1 {
			t.Fatalf("create: %+v %v", p, err)
		}
		// Incomplete (D47-12.2) proposals cannot be submitted.
		_, err = e.cat.MoveProposal(ctx, admin, p.ID, "submit", "")
		wantField(t, err, "objective")
		// Only submitted proposals are decided.
		_, err = e.cat.MoveProposal(ctx, admin, p.ID, "approve", "")
		wantClass(t, err, platform.EConflict)
		in := p.Input()
		in.Objective, in.DataScope, in.MasterData = "Quản lý căn cước", "Toàn quốc", "Số định danh cá nhân, họ tên, ngày sinh"
		in.UsersPurposes, in.Sources, in.SharingMethods = "Các bộ, ngành, địa phương: giải quyết TTHC", "Cơ sở dữ liệu quốc gia về dân cư", "Trực tuyến qua NDXP"
		if _, err := e.cat.UpdateProposal(ctx, admin, p.ID, in); err != nil {
			t.Fatal(err)
		}
		_, err = e.cat.MoveProposal(ctx, admin, p.ID, "submit", "")
		wantField(t, err, "justification")
		in.Justification = "Dữ liệu nền tảng, dùng chung cho nhiều cơ quan"
		if _, err := e.cat.UpdateProposal(ctx, admin, p.ID, in); err != nil {
			t.Fatal(err)
		}
		if p, err = e.cat.MoveProposal(ctx, catalog.Actor{Name: "C06"}, p.ID, "submit", "Gửi Bộ KH&CN"); err != nil || p.State != catalog.ProposalSubmitted {
			t.Fatalf("submit: %+v %v", p, err)
		}
		_, err = e.cat.UpdateProposal(ctx, admin, p.ID, in)
		wantClass(t, err, platform.EConflict)
		_, err = e.cat.MoveProposal(ctx, admin, p.ID, "submit", "")
		wantClass(t, err, platform.EConflict)
		_, err = e.cat.MoveProposal(ctx, admin, p.ID, "reject", "")
		wantField(t, err, "note")
		if p, err = e.cat.MoveProposal(ctx, catalog.Actor{Name: "MIC"}, p.ID, "approve", "Chính phủ đồng ý"); err != nil || p.State != catalog.ProposalApproved {
			t.Fatalf("approve: %+v %v", p, err)
		}
		_, err = e.cat.MoveProposal(ctx, admin, p.ID, "reject", "too late")
		wantClass(t, err, platform.EConflict)
		if len(p.Events) != 3 || p.Events[1].To != catalog.ProposalSubmitted || p.Events[1].By != "C06" || p.Events[2].Note != "Chính phủ đồng ý" {
			t.Fatalf("history: %+v", p.Events)
		}
		// Approval of an addition makes the database national.
		if d, _ = e.cat.Database(ctx, d.ID); d.Kind != catalog.KindNational {
			t.Fatalf("kind after approval: %s", d.Kind)
		}
		_, err = e.cat.MoveProposal(ctx, admin, p.ID, "fly", "")
		wantField(t, err, "action")
		// Visibility: the owner's managers and platform administrators.
		other := &identity.Principal{UserID: 9, Grants: []identity.Grant{{Role: identity.RoleProviderOfficer, OrgPath: "/" + itoa(e.orgs["QN"]) + "/"}}}
		res, _ := e.cat.ListProposals(ctx, other, "", platform.Page{})
		if len(res.Items) != 0 {
			t.Fatal("another province must not see the proposal")
		}
		res, _ = e.cat.ListProposals(ctx, platformAdmin(), catalog.ProposalApproved, platform.Page{})
		if len(res.Items) != 1 {
			t.Fatal("the national operator sees it")
		}
	})
}

func TestDatabasesRegulationsAndOpen(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		stc := e.orgs["DN.STC"]
		_, err := e.cat.CreateDatabase(ctx, admin, catalog.DatabaseInput{OwnerOrgID: stc, Name: "CSDL", Kind: "big"})
		wantField(t, err, "kind")
		_, err = e.cat.CreateDatabase(ctx, admin, catalog.DatabaseInput{OwnerOrgID: stc, Name: "CSDL", Kind: catalog.KindShared,
			Items: []catalog.DatabaseItem{{Key: "a", Name: "A", Classification: "secret"}}})
		wantField(t, err, "items[0].classification")
		_, err = e.cat.CreateDatabase(ctx, admin, catalog.DatabaseInput{OwnerOrgID: stc, Name: "CSDL", Kind: catalog.KindShared,
			Items: []catalog.DatabaseItem{{Key: "a", Name: "A", Classification: catalog.ClassOpen, ConsumerCategories: []string{"aliens"}}}})
		wantField(t, err, "items[0].consumer_categories")
		d, err := e.cat.CreateDatabase(ctx, admin, catalog.DatabaseInput{OwnerOrgID: stc, Name: "CSDL đăng ký doanh nghiệp Đà Nẵng",
			Kind: catalog.KindShared, Purpose: "Quản lý doanh nghiệp", Items: []catalog.DatabaseItem{
				{Key: "ma_so_thue", Name: "Mã số thuế", Classification: catalog.ClassOpen},
				{Key: "nguoi_dai_dien", Name: "Người đại diện theo pháp luật", Classification: catalog.ClassDefault, ConsumerCategories: []string{"state_agency"}},
			}})
		if err != nil || d.Status != catalog.StatusDraft || len(d.Items) != 2 || d.Items[1].ConsumerCategories[0] != "state_agency" {
			t.Fatalf("create database: %+v %v", d, err)
		}
		reg, err := e.cat.CreateRegulation(ctx, admin, catalog.RegulationInput{OwnerOrgID: stc, Title: "Quy chế khai thác CSDL DKDN",
			DatabaseID: d.ID, WhoMayAccess: "Mọi tổ chức, cá nhân", AuthRequired: false, ValiditySeconds: 86400,
			LogRetentionDays: 365 * 5, LogRequestBody: true})
		if err != nil {
			t.Fatal(err)
		}
		if reg.Validity() != 24*time.Hour || reg.LogRetention() != 5*365*24*time.Hour {
			t.Fatalf("durations: %v %v", reg.Validity(), reg.LogRetention())
		}
		_, err = e.cat.CreateRegulation(ctx, admin, catalog.RegulationInput{OwnerOrgID: stc, Title: "x", WhoMayAccess: "x"})
		wantField(t, err, "topic")
		_, err = e.cat.CreateRegulation(ctx, admin, catalog.RegulationInput{OwnerOrgID: stc, Title: "x", Topic: "y", WhoMayAccess: "x", LogRetentionDays: -1})
		wantField(t, err, "log_retention_days")

		in := serviceInput("dn-stc.open", stc)
		in.Open, in.RegulationID, in.DatabaseIDs = true, reg.ID, []int64{d.ID}
		sv := mustService(t, e, in)
		// Publishing needs the regulation published first.
		_, err = e.cat.Publish(ctx, admin, sv.ID)
		wantField(t, err, "regulation_id")
		if _, err := e.cat.PublishRegulation(ctx, admin, reg.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.cat.Publish(ctx, admin, sv.ID); err != nil {
			t.Fatal(err)
		}
		// The regulation cannot start requiring authentication under an open service.
		rin := reg.Input()
		rin.AuthRequired = true
		_, err = e.cat.UpdateRegulation(ctx, admin, reg.ID, rin)
		wantField(t, err, "auth_required")
		// An open service needs a regulation without authentication.
		strict, err := e.cat.CreateRegulation(ctx, admin, catalog.RegulationInput{OwnerOrgID: stc, Title: "Quy chế nội bộ",
			Topic: "Dữ liệu nội bộ", WhoMayAccess: "Cơ quan nhà nước", AuthRequired: true})
		if err != nil {
			t.Fatal(err)
		}
		in2 := serviceInput("dn-stc.open2", stc)
		in2.Open, in2.RegulationID = true, strict.ID
		_, err = e.cat.CreateService(ctx, admin, in2)
		wantField(t, err, "open")

		// D47-45.3: retention from the regulation; none means keep.
		if d, err := e.cat.RetentionFor(ctx, sv.ID); err != nil || d != 5*365*24*time.Hour {
			t.Fatalf("retention: %v %v", d, err)
		}
		plain := mustService(t, e, serviceInput("dn-stc.plain", stc))
		if d, err := e.cat.RetentionFor(ctx, plain.ID); err != nil || d != 0 {
			t.Fatalf("retention without regulation: %v %v", d, err)
		}
		_, err = e.cat.RetentionFor(ctx, 424242)
		wantClass(t, err, platform.ENotFound)
		got, err := e.cat.Regulation(ctx, reg.ID)
		if err != nil || got.AuthRequired || !got.LogRequestBody || got.LogResponseContent || got.Status != catalog.StatusPublished {
			t.Fatalf("regulation: %+v %v", got, err)
		}

		// Drafts are seen only by those who manage them.
		anon, _ := e.cat.ListDatabases(ctx, catalog.DatabaseFilter{})
		if len(anon.Items) != 0 {
			t.Fatal("a draft database is not public")
		}
		stcOfficer := &identity.Principal{UserID: 3, Grants: []identity.Grant{{Role: identity.RoleProviderOfficer, OrgPath: "/" + itoa(e.orgs["DN"]) + "/" + itoa(stc) + "/"}}}
		mine, _ := e.cat.ListDatabases(ctx, catalog.DatabaseFilter{Viewer: stcOfficer})
		if len(mine.Items) != 1 {
			t.Fatal("the owner sees its draft")
		}
		if _, err := e.cat.PublishDatabase(ctx, admin, d.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.cat.PublishDatabase(ctx, admin, d.ID)
		wantClass(t, err, platform.EConflict)
		anon, _ = e.cat.ListDatabases(ctx, catalog.DatabaseFilter{Query: "dang ky doanh nghiep"})
		if len(anon.Items) != 1 {
			t.Fatal("published databases are public and searchable")
		}
	})
}

func TestOnChangeHook(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		calls := 0
		e.cat.OnChange(func(ctx context.Context) {
			if ctx.Err() != nil {
				t.Error("hook context must not be cancelled")
			}
			calls++
		})
		v0, _ := e.cat.Version(ctx)
		sv := mustService(t, e, serviceInput("dn-stc.hook", e.orgs["DN.STC"]))
		if _, err := e.cat.Publish(ctx, admin, sv.ID); err != nil {
			t.Fatal(err)
		}
		// A refused change calls nothing and keeps the version.
		in := sv.Input()
		in.Schema = "{"
		if _, err := e.cat.UpdateService(ctx, admin, sv.ID, in); err == nil {
			t.Fatal("bad schema accepted")
		}
		v1, _ := e.cat.Version(ctx)
		if calls != 2 || v1 != v0+2 {
			t.Fatalf("calls=%d version %d -> %d", calls, v0, v1)
		}
	})
}
