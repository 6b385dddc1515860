package oversight

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/workday"
)

// SeedDemo fills the demo province with oversight records that tell a
// story: agreements in force (one amended, one asked to join, two on the same
// service so it is a candidate for default sharing), a planned maintenance
// and past suspensions with their notices, obstacles at every level (one
// escalated automatically), data-quality reviews and list reviews. orgs maps
// the demo organisation codes (DN.STC, DN.SYT...) to ids; services maps
// service identifiers to ids (nil: every service the Services dependency
// knows). Parts whose dependencies are missing are skipped. A second run
// changes nothing.
func SeedDemo(ctx context.Context, s *Store, orgs map[string]int64, services map[string]int64) error {
	var n int
	if err := s.db.Read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM obstacles) + (SELECT COUNT(*) FROM agreements)`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	d := &demo{s: s, orgs: orgs, now: s.now(ctx)}
	if err := d.pickServices(ctx, services); err != nil {
		return err
	}
	for _, step := range []func(context.Context) error{d.agreements, d.suspensions, d.termination, d.obstacles, d.quality, d.lists} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	// Let the scheduler do what time did: escalations and restorations.
	_, err := NewScheduler(s, 0, nil).RunOnce(ctx, d.now)
	if err != nil && !errors.Is(err, errNoDependency) {
		return fmt.Errorf("demo scheduler run: %w", err)
	}
	// The IT unit answers the obstacle the scheduler sent to level 3.
	return d.afterEscalation(ctx)
}

type demo struct {
	s         *Store
	orgs      map[string]int64
	now       time.Time
	svcA      ServiceInfo // special-request service (land parcels of DN.SNNMT): agreements, a violation
	svcB      ServiceInfo // a service of DN.STC (business register): maintenance, obstacles
	obstacle3 int64
}

// at is the demo clock n days before now, at the given Vietnam hour.
func (d *demo) at(daysAgo, hour int) time.Time {
	day := workday.DateOf(d.now).AddDays(-daysAgo)
	return day.Time().Add(time.Duration(hour) * time.Hour).UTC()
}

func (d *demo) ctx(ctx context.Context, daysAgo, hour int) context.Context {
	return withClock(ctx, d.at(daysAgo, hour))
}

// person is a demo officer holding role on the organisation with code.
func (d *demo) person(ctx context.Context, code, name string, role identity.Role) (*identity.Principal, error) {
	id, ok := d.orgs[code]
	if !ok {
		return nil, fmt.Errorf("demo organisation %s missing", code)
	}
	o, err := d.s.dir.Org(ctx, id)
	if err != nil {
		return nil, err
	}
	return &identity.Principal{UserID: 0, Username: name, FullName: name, OrgID: o.ID, OrgPath: o.Path, OrgName: o.Name,
		Grants: []identity.Grant{{Role: role, OrgID: o.ID, OrgPath: o.Path, OrgName: o.Name}}}, nil
}

func (d *demo) pickServices(ctx context.Context, services map[string]int64) error {
	if d.s.deps.Services == nil {
		return nil
	}
	var list []ServiceInfo
	if services == nil {
		all, err := d.s.deps.Services.AllServices(ctx)
		if err != nil {
			return err
		}
		list = all
	} else {
		keys := make([]string, 0, len(services))
		for k := range services {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			svc, err := d.s.deps.Services.Service(ctx, services[k])
			if err != nil {
				return err
			}
			list = append(list, svc)
		}
	}
	published := func(pick func(ServiceInfo) bool) ServiceInfo {
		for _, svc := range list {
			if svc.Status == "published" && pick(svc) {
				return svc
			}
		}
		return ServiceInfo{}
	}
	inDN := func(svc ServiceInfo) bool { return d.inDN(svc.ProviderOrgID) }
	d.svcA = published(func(s ServiceInfo) bool { return s.Form == FormSpecialRequest && inDN(s) })
	d.svcB = published(func(s ServiceInfo) bool { return s.ProviderOrgID == d.orgs["DN.STC"] && s.Method == "online" })
	if d.svcB.ID == 0 {
		d.svcB = published(func(s ServiceInfo) bool { return s.ID != d.svcA.ID })
	}
	if d.svcA.ID == 0 {
		d.svcA = d.svcB
	}
	return nil
}

// inDN reports whether the organisation is one of Da Nang's departments.
func (d *demo) inDN(orgID int64) bool {
	for code, id := range d.orgs {
		if id == orgID && strings.HasPrefix(code, "DN.") {
			return true
		}
	}
	return false
}

func (d *demo) terms(svc ServiceInfo, fromDaysAgo, lengthDays int, items int) Terms {
	keys := svc.Items
	if len(keys) > items {
		keys = keys[:items]
	}
	from := workday.DateOf(d.now).AddDays(-fromDaysAgo)
	return Terms{Items: append([]string{}, keys...),
		Data:         "Thông tin thửa đất và người sử dụng đất của các thửa đất nêu trong hồ sơ thủ tục hành chính.",
		Place:        "Hệ thống giải quyết thủ tục hành chính của bên khai thác, đặt tại Trung tâm dữ liệu thành phố Đà Nẵng.",
		ValidFrom:    from.String(),
		ValidTo:      from.AddDays(lengthDays).String(),
		DurationNote: "Gia hạn theo thỏa thuận của hai bên.",
		Method:       "online", MethodNote: "Gọi qua LGSP Đà Nẵng, tối đa 60 lượt/phút.",
		Processing:     "Đối chiếu với hồ sơ thủ tục; không chia sẻ tiếp cho bên thứ ba, không công khai.",
		Conditions:     "Chỉ tra cứu thửa đất có trong hồ sơ đang giải quyết; không dùng cho mục đích thương mại.",
		DataProtection: "Tuân thủ Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân và Luật Dữ liệu 2024.",
		Security:       "Xác thực bằng khóa API và chứng thư số (mTLS); mã hóa khi truyền và khi lưu.",
		Storage:        "Lưu cùng hồ sơ thủ tục trong 12 tháng; dữ liệu phát sinh lưu theo chế độ lưu trữ hồ sơ.",
		Deletion:       "Xóa trong 30 ngày sau khi kết thúc thỏa thuận, có biên bản xóa gửi bên cung cấp.",
		Other:          "Đầu mối phối hợp: Văn phòng Đăng ký đất đai (Sở Nông nghiệp và Môi trường) và văn phòng bên khai thác.",
	}
}

func (d *demo) agreements(ctx context.Context) error {
	if d.svcA.ID == 0 {
		return nil
	}
	stc, err := d.providerPerson(ctx, d.svcA)
	if err != nil {
		return err
	}
	syt, err := d.person(ctx, "DN.SYT", "Lý Thị Thu", identity.RoleConsumerOfficer)
	if err != nil {
		return err
	}
	hcc, err := d.person(ctx, "DN.TTHCC", "Phan Thị Lan", identity.RoleConsumerOfficer)
	if err != nil {
		return err
	}
	gd, err := d.person(ctx, "DN.SGDDT", "Huỳnh Văn Tài", identity.RoleConsumerOfficer)
	if err != nil {
		return err
	}
	qnyt, err := d.person(ctx, "QN.SYT", "Nguyễn Hải Yến", identity.RoleConsumerOfficer)
	if err != nil {
		return err
	}
	pdf := []byte("%PDF-1.4\n% govdx demo: thỏa thuận đã ký số\n%%EOF\n")
	// 1. In force since two months, amended last month, another province asks to join.
	t1 := d.terms(d.svcA, 64, 365, 3)
	a, err := d.s.CreateAgreement(d.ctx(ctx, 75, 9), syt, AgreementInput{ServiceID: d.svcA.ID, ConsumerOrgID: syt.OrgID,
		Title:         "Thông tin thửa đất phục vụ cấp phép cơ sở khám bệnh, chữa bệnh",
		Justification: "Thẩm định hồ sơ cấp phép cần thông tin người sử dụng đất và mục đích sử dụng của thửa đất đặt cơ sở; không có dịch vụ chia sẻ mặc định cung cấp các thông tin này.",
		Terms:         t1})
	if err != nil {
		return fmt.Errorf("demo agreement: %w", err)
	}
	steps := []func() error{
		func() error { _, err := d.s.StartDrafting(d.ctx(ctx, 73, 10), stc, a.ID); return err },
		func() error {
			_, err := d.s.AddComment(d.ctx(ctx, 72, 14), stc, a.ID, CommentInput{Body: "Đề nghị bổ sung cam kết không lưu số định danh cá nhân của người sử dụng đất quá 12 tháng."})
			return err
		},
		func() error {
			_, err := d.s.AddComment(d.ctx(ctx, 71, 9), syt, a.ID, CommentInput{Body: "Đồng ý, đã sửa mục 10 (lưu trữ)."})
			return err
		},
		func() error {
			_, err := d.s.Confirm(d.ctx(ctx, 66, 15), syt, a.ID, 1, ConfirmInput{SignedPDFName: "thoa-thuan-v1-syt.pdf", SignedPDF: pdf})
			return err
		},
		func() error {
			_, err := d.s.Confirm(d.ctx(ctx, 65, 10), stc, a.ID, 1, ConfirmInput{SignedPDFName: "thoa-thuan-v1-stc.pdf", SignedPDF: pdf})
			return err
		},
		func() error {
			t2 := t1
			t2.Items = d.svcA.Items
			if len(t2.Items) > 4 {
				t2.Items = t2.Items[:4]
			}
			to, _ := workday.ParseDate(t1.ValidTo)
			t2.ValidTo = to.AddDays(365).String()
			_, err := d.s.ProposeAmendment(d.ctx(ctx, 20, 9), syt, a.ID, VersionInput{Terms: &t2,
				ChangeNote: "Bổ sung trường dữ liệu, gia hạn thêm 12 tháng"})
			return err
		},
		func() error { _, err := d.s.Confirm(d.ctx(ctx, 18, 16), stc, a.ID, 2, ConfirmInput{}); return err },
		func() error { _, err := d.s.Confirm(d.ctx(ctx, 17, 8), syt, a.ID, 2, ConfirmInput{}); return err },
		func() error {
			_, err := d.s.RequestJoin(d.ctx(ctx, 3, 10), qnyt, a.ID, JoinInput{
				Purpose: "Sở Y tế Quảng Ninh thẩm định hồ sơ của cơ sở y tế có địa điểm tại Đà Nẵng đăng ký hoạt động liên tỉnh."})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("demo agreement step %d: %w", i+1, err)
		}
	}
	// 2. A second agreement in force on the same service: a candidate for default sharing (D47-53.1d).
	b, err := d.s.CreateAgreement(d.ctx(ctx, 40, 9), stc, AgreementInput{ServiceID: d.svcA.ID, ConsumerOrgID: hcc.OrgID,
		Title:         "Tra cứu thông tin thửa đất tại Bộ phận một cửa",
		Justification: "Bộ phận một cửa cần kiểm tra thông tin thửa đất khi tiếp nhận hồ sơ đất đai, chưa có dịch vụ chia sẻ mặc định.",
		Terms:         d.terms(d.svcA, 33, 540, 2)})
	if err != nil {
		return fmt.Errorf("demo agreement 2: %w", err)
	}
	for i, step := range []func() error{
		func() error { _, err := d.s.StartDrafting(d.ctx(ctx, 39, 9), stc, b.ID); return err },
		func() error { _, err := d.s.Confirm(d.ctx(ctx, 35, 9), hcc, b.ID, 1, ConfirmInput{}); return err },
		func() error { _, err := d.s.Confirm(d.ctx(ctx, 34, 14), stc, b.ID, 1, ConfirmInput{}); return err },
	} {
		if err := step(); err != nil {
			return fmt.Errorf("demo agreement 2 step %d: %w", i+1, err)
		}
	}
	// 3. A joint draft waiting for the provider's confirmation.
	c, err := d.s.CreateAgreement(d.ctx(ctx, 6, 9), gd, AgreementInput{ServiceID: d.svcA.ID, ConsumerOrgID: gd.OrgID,
		Title:         "Thông tin thửa đất cho cấp phép cơ sở giáo dục ngoài công lập",
		Justification: "Cần đối chiếu quyền sử dụng đất của địa điểm đặt trường; dịch vụ mặc định không cung cấp.",
		Terms:         d.terms(d.svcA, -10, 365, 2)})
	if err != nil {
		return fmt.Errorf("demo agreement 3: %w", err)
	}
	if _, err := d.s.StartDrafting(d.ctx(ctx, 5, 9), stc, c.ID); err != nil {
		return err
	}
	_, err = d.s.Confirm(d.ctx(ctx, 2, 15), gd, c.ID, 1, ConfirmInput{})
	return err
}

func (d *demo) suspensions(ctx context.Context) error {
	if d.svcB.ID == 0 {
		return nil
	}
	stc, err := d.providerPerson(ctx, d.svcB)
	if err != nil {
		return err
	}
	window := func(daysAgo int) (string, string, error) {
		earliest, _, err := d.s.EarliestMaintenanceStart(d.at(daysAgo, 9))
		if err != nil {
			return "", "", err
		}
		start := earliest.Add(22 * time.Hour)
		return start.Format(time.RFC3339), start.Add(4 * time.Hour).Format(time.RFC3339), nil
	}
	// A past maintenance (restored by the scheduler) and one planned.
	for _, daysAgo := range []int{40, 2} {
		start, restore, err := window(daysAgo)
		if err != nil {
			return err
		}
		if _, err := d.s.CreateSuspensions(d.ctx(ctx, daysAgo, 9), stc, SuspensionInput{ServiceID: d.svcB.ID, Kind: KindMaintenance,
			Start: start, RestoreAt: restore,
			Reason: "Nâng cấp máy chủ cơ sở dữ liệu đăng ký doanh nghiệp và tối ưu chỉ mục tra cứu."}); err != nil {
			return fmt.Errorf("demo maintenance: %w", err)
		}
	}
	// A violation found on a Monday and noticed two days later: late (D47-43.5); since restored.
	svc := d.svcA
	provider, err := d.providerPerson(ctx, svc)
	if err != nil {
		return err
	}
	late, err := d.s.CreateSuspensions(d.ctx(ctx, 8, 16), provider, SuspensionInput{ServiceID: svc.ID, Kind: KindViolation,
		ConsumerOrgIDs: []int64{d.orgs["DN.TTHCC"]}, DiscoveredAt: d.at(10, 9).Format(time.RFC3339),
		Reason:              "Dữ liệu thửa đất được lưu và hiển thị công khai trên cổng thông tin của đơn vị, trái quy chế khai thác.",
		Handling:            "Tạm ngừng tài khoản kết nối; yêu cầu gỡ dữ liệu đã công khai.",
		RestoreRequirements: "Gỡ dữ liệu khỏi cổng thông tin, gửi biên bản xóa và cam kết tuân thủ quy chế."})
	if err != nil {
		return fmt.Errorf("demo violation: %w", err)
	}
	if _, err := d.s.LiftSuspension(d.ctx(ctx, 6, 10), provider, late[0].ID, ReasonInput{Reason: "Đã nhận biên bản xóa dữ liệu."}); err != nil {
		return err
	}
	// A security risk found this morning, noticed at once: active, on time.
	_, err = d.s.CreateSuspensions(d.ctx(ctx, 0, 8), stc, SuspensionInput{ServiceID: d.svcB.ID, Kind: KindSecurity,
		ConsumerOrgIDs: []int64{d.orgs["DN.SGDDT"]}, DiscoveredAt: d.at(0, 7).Format(time.RFC3339),
		Reason:              "Khóa API của ứng dụng bị lộ trong mã nguồn công khai.",
		Handling:            "Tạm ngừng kết nối của ứng dụng đến khi đổi khóa.",
		RestoreRequirements: "Đổi khóa API, rà soát lịch sử truy cập và báo cáo kết quả."})
	return err
}

func (d *demo) providerPerson(ctx context.Context, svc ServiceInfo) (*identity.Principal, error) {
	names := map[string]string{"DN.STC": "Ngô Thanh Bình", "DN.SNNMT": "Trương Công Định"}
	for code, id := range d.orgs {
		if id == svc.ProviderOrgID {
			name := names[code]
			if name == "" {
				name = "Cán bộ cơ quan cung cấp"
			}
			return d.person(ctx, code, name, identity.RoleProviderOfficer)
		}
	}
	o, err := d.s.dir.Org(ctx, svc.ProviderOrgID)
	if err != nil {
		return nil, err
	}
	return &identity.Principal{FullName: "Cán bộ cơ quan cung cấp", OrgID: o.ID, OrgPath: o.Path,
		Grants: []identity.Grant{{Role: identity.RoleProviderOfficer, OrgID: o.ID, OrgPath: o.Path}}}, nil
}

// termination: a ward's agreement, in force for months, ended when the
// procedure moved to the national portal; its account was terminated
// (D47-44.1d) and the termination recorded.
func (d *demo) termination(ctx context.Context) error {
	if d.svcA.ID == 0 {
		return nil
	}
	if _, ok := d.orgs["DN.HAIVAN"]; !ok {
		return nil
	}
	prov, err := d.providerPerson(ctx, d.svcA)
	if err != nil {
		return err
	}
	ward, err := d.person(ctx, "DN.HAIVAN", "Lê Văn Hùng", identity.RoleConsumerOfficer)
	if err != nil {
		return err
	}
	t := d.terms(d.svcA, 118, 365, 2)
	t.Place = "Bộ phận một cửa UBND phường Hải Vân."
	a, err := d.s.CreateAgreement(d.ctx(ctx, 130, 9), ward, AgreementInput{ServiceID: d.svcA.ID, ConsumerOrgID: ward.OrgID,
		Title:         "Tra cứu thửa đất phục vụ xác nhận hồ sơ tại phường Hải Vân",
		Justification: "Phường cần đối chiếu thông tin thửa đất khi xác nhận hồ sơ; chưa có dịch vụ chia sẻ mặc định.",
		Terms:         t})
	if err != nil {
		return fmt.Errorf("demo ward agreement: %w", err)
	}
	for i, step := range []func() error{
		func() error { _, err := d.s.StartDrafting(d.ctx(ctx, 128, 9), prov, a.ID); return err },
		func() error { _, err := d.s.Confirm(d.ctx(ctx, 120, 9), ward, a.ID, 1, ConfirmInput{}); return err },
		func() error { _, err := d.s.Confirm(d.ctx(ctx, 119, 15), prov, a.ID, 1, ConfirmInput{}); return err },
		func() error {
			_, err := d.s.EndAgreement(d.ctx(ctx, 4, 11), ward, a.ID, ReasonInput{
				Reason: "Thủ tục đã chuyển sang khai thác qua Cổng dịch vụ công quốc gia; phường không còn nhu cầu kết nối."})
			return err
		},
	} {
		if err := step(); err != nil {
			return fmt.Errorf("demo ward agreement step %d: %w", i+1, err)
		}
	}
	return nil
}

func (d *demo) obstacles(ctx context.Context) error {
	syt, err := d.person(ctx, "DN.SYT", "Lý Thị Thu", identity.RoleConsumerOfficer)
	if err != nil {
		return err
	}
	hcc, err := d.person(ctx, "DN.TTHCC", "Phan Thị Lan", identity.RoleConsumerOfficer)
	if err != nil {
		return err
	}
	gd, err := d.person(ctx, "DN.SGDDT", "Huỳnh Văn Tài", identity.RoleConsumerOfficer)
	if err != nil {
		return err
	}
	qnyt, err := d.person(ctx, "QN.SYT", "Nguyễn Hải Yến", identity.RoleConsumerOfficer)
	if err != nil {
		return err
	}
	snnmt, err := d.person(ctx, "DN.SNNMT", "Trương Công Định", identity.RoleProviderOfficer)
	if err != nil {
		return err
	}
	in := func(filer *identity.Principal, provider string, cat ObstacleCategory, title, desc string) ObstacleInput {
		o := ObstacleInput{Category: cat, Title: title, Description: desc, FilerOrgID: filer.OrgID, ProviderOrgID: d.orgs[provider]}
		if d.svcB.ID != 0 && d.svcB.ProviderOrgID == d.orgs[provider] {
			o.ServiceID = d.svcB.ID
		}
		return o
	}
	// 1. No answer from the provider: the scheduler escalates it to the IT unit.
	e1 := in(syt, "DN.STC", CategoryDataQuality, "Trường người đại diện bị cắt ngắn",
		"Từ tháng trước, trường họ tên người đại diện trong kết quả trả về bị cắt ở 50 ký tự, ảnh hưởng đối chiếu hồ sơ.")
	e1.Evidence = []EvidenceInput{{Kind: "log_entry", LogEntryID: 1, Note: "Một lượt gọi trả về dữ liệu bị cắt"},
		{Kind: "file", FileName: "mau-ket-qua.json", ContentType: "application/json", Data: []byte(`{"nguoi_dai_dien":"Nguyễn Thị Minh Khai Phạm Hoàng Anh Tuấn Lê Văn"}`)}}
	if _, err := d.s.FileObstacle(d.ctx(ctx, 20, 10), syt, e1); err != nil {
		return fmt.Errorf("demo obstacle 1: %w", err)
	}
	// 2. Answered and accepted at level 1; compliance checked.
	o2, err := d.s.FileObstacle(d.ctx(ctx, 12, 9), hcc, in(hcc, "DN.SNNMT", CategoryConnection, "Không kết nối được qua chứng thư số mới",
		"Sau khi gia hạn chứng thư số, mọi lời gọi dịch vụ thửa đất bị từ chối với mã invalid_credential."))
	if err != nil {
		return fmt.Errorf("demo obstacle 2: %w", err)
	}
	if _, err := d.s.AnswerObstacle(d.ctx(ctx, 9, 15), snnmt, o2.ID, AnswerInput{Answer: "Đã cập nhật vân tay chứng thư mới vào tài khoản kết nối; đề nghị gọi lại."}); err != nil {
		return err
	}
	if _, err := d.s.AcceptAnswer(d.ctx(ctx, 8, 9), hcc, o2.ID, ReasonInput{Reason: "Đã kết nối lại bình thường."}); err != nil {
		return err
	}
	if _, err := d.s.CheckCompliance(d.ctx(ctx, 2, 10), snnmt, o2.ID, ComplianceInput{Compliant: true, Note: "Nhật ký chia sẻ cho thấy các lời gọi thành công từ ngày trả lời."}); err != nil {
		return err
	}
	// 3. Between provinces: the filer escalates early; the IT unit does not answer in time (level 3 after the scheduler).
	o3, err := d.s.FileObstacle(d.ctx(ctx, 30, 9), qnyt, in(qnyt, "DN.STC", CategoryStandards, "Mã ngành nghề không theo danh mục dùng chung",
		"Dịch vụ trả mã ngành nghề theo danh mục cũ (2007), không khớp danh mục dùng chung hiện hành nên không đối chiếu được."))
	if err != nil {
		return fmt.Errorf("demo obstacle 3: %w", err)
	}
	if _, err := d.s.Escalate(d.ctx(ctx, 27, 9), qnyt, o3.ID, ReasonInput{Reason: "Cơ quan cung cấp cho biết cần ý kiến của cấp trên về danh mục."}); err != nil {
		return err
	}
	d.obstacle3 = o3.ID
	// 4. Just filed: the answer is due in the coming days (calendar).
	if _, err := d.s.FileObstacle(d.ctx(ctx, 2, 14), gd, in(gd, "DN.STC", CategoryInfrastructure, "Thời gian phản hồi vượt 10 giây giờ cao điểm",
		"Từ 8h đến 10h sáng, thời gian phản hồi của dịch vụ thường vượt 10 giây, hệ thống cấp phép bị quá thời gian chờ.")); err != nil {
		return fmt.Errorf("demo obstacle 4: %w", err)
	}
	return nil
}

// afterEscalation: the IT unit writes to MIC about the level-3 obstacle.
func (d *demo) afterEscalation(ctx context.Context) error {
	if d.obstacle3 == 0 {
		return nil
	}
	it, err := d.person(ctx, "DN", "Đặng Văn Khoa", identity.RoleITAdmin)
	if err != nil {
		return err
	}
	o, err := d.s.Obstacle(ctx, it, d.obstacle3)
	if err != nil || o.Level != 3 {
		return err
	}
	_, err = d.s.RecordDocument(ctx, it, o.ID, DocumentInput{Kind: DocMICLetter, Reference: "1234/UBND-KHCN", Date: workday.DateOf(d.now).String(),
		Summary: "Đề nghị Bộ Khoa học và Công nghệ hướng dẫn áp dụng danh mục ngành nghề dùng chung trong trao đổi dữ liệu."})
	return err
}

func (d *demo) quality(ctx context.Context) error {
	if d.s.deps.Databases == nil {
		return nil
	}
	dbs, err := d.s.deps.Databases.AllDatabases(ctx)
	if err != nil {
		return err
	}
	year := workday.DateOf(d.now).Year()
	// The province's databases first: the demo tells Da Nang's story.
	sort.SliceStable(dbs, func(i, j int) bool { return d.inDN(dbs[i].OwnerOrgID) && !d.inDN(dbs[j].OwnerOrgID) })
	started := 0
	for _, db := range dbs {
		if started == 2 {
			break
		}
		var code string
		for c, id := range d.orgs {
			if id == db.OwnerOrgID {
				code = c
			}
		}
		if code == "" {
			continue
		}
		owner, err := d.person(ctx, code, "Cán bộ quản lý CSDL", identity.RoleProviderOfficer)
		if err != nil {
			return err
		}
		// Last year's report, submitted on time.
		q, err := d.s.StartQualityReview(d.ctx(ctx, 30+workday.DateOf(d.now).Sub(workday.NewDate(year, time.January, 1)), 9), owner,
			NewQualityReview{DatabaseID: db.ID, Year: year - 1})
		if err != nil {
			return fmt.Errorf("demo quality review: %w", err)
		}
		total, checked, errs := int64(182400), int64(5000), int64(41)
		in := QualityReviewInput{ItemCount: db.ItemCount, Inventory: q.Inventory + " Bổ sung 3 trường theo danh mục dùng chung.",
			Compliance: "Áp dụng từ điển dữ liệu dùng chung phiên bản 1.0; mã định danh theo quy định.",
			Accuracy:   "Đối chiếu mẫu 5.000 bản ghi với hồ sơ gốc.", Integrity: "Không có bản ghi mồ côi; khóa ngoại đầy đủ.",
			Anomalies:    "41 bản ghi sai định dạng ngày thành lập.",
			RecordsTotal: &total, RecordsChecked: &checked, ErrorsFound: &errs,
			Maintenance:     "Sao lưu hằng ngày; nhật ký cập nhật và truy cập lưu 24 tháng.",
			ProposedActions: "Chuẩn hóa định dạng ngày; bổ sung kiểm tra khi nhập liệu."}
		if _, err := d.s.SubmitQualityReview(d.ctx(ctx, 10+workday.DateOf(d.now).Sub(workday.NewDate(year, time.January, 1)), 15), owner, q.ID, &in); err != nil {
			return err
		}
		// This year's, started and pre-filled from the sharing log.
		if started == 0 {
			if _, err := d.s.StartQualityReview(ctx, owner, NewQualityReview{DatabaseID: db.ID, Year: year}); err != nil {
				return err
			}
		}
		started++
	}
	it, err := d.person(ctx, "DN", "Đặng Văn Khoa", identity.RoleITAdmin)
	if err != nil {
		return err
	}
	_, err = d.s.SetQualityPlan(ctx, it, PlanInput{OrgID: it.OrgID, Year: year,
		Plan: "Tháng 10: hướng dẫn các sở tự kiểm tra. Tháng 11: kiểm tra mẫu 3 CSDL dùng chung. 15/12: tổng hợp, báo cáo UBND thành phố."})
	return err
}

func (d *demo) lists(ctx context.Context) error {
	it, err := d.person(ctx, "DN", "Đặng Văn Khoa", identity.RoleITAdmin)
	if err != nil {
		return err
	}
	qn, err := d.person(ctx, "QN", "Bùi Đức Thắng", identity.RoleITAdmin)
	if err != nil {
		return err
	}
	today := workday.DateOf(d.now)
	reviews := []struct {
		who     *identity.Principal
		kind    ListKind
		daysAgo int
		note    string
	}{
		{it, ListDefaultShared, 200, "Rà soát danh mục dữ liệu chia sẻ mặc định với 12 sở, ngành; bổ sung 4 dịch vụ."},
		{it, ListOpenData, 60, "Rà soát danh mục dữ liệu mở; cập nhật 8 bộ dữ liệu theo phản hồi."},
		{qn, ListDefaultShared, 30, "Rà soát định kỳ; không thay đổi danh mục."},
	}
	for _, r := range reviews {
		if !containsKind(d.s.cfg.ListKinds, r.kind) {
			continue
		}
		if _, err := d.s.RecordListReview(ctx, r.who, ListReviewInput{OrgID: r.who.OrgID, Kind: r.kind,
			ReviewedOn: today.AddDays(-r.daysAgo).String(), Note: r.note}); err != nil {
			return err
		}
	}
	return nil
}

func containsKind(list []ListKind, k ListKind) bool {
	for _, x := range list {
		if x == k {
			return true
		}
	}
	return false
}
