package dbi

import (
	"context"
	"fmt"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// The demo data of the app (internal/app/demo.go) provides these
// organisations and logins; SeedDemo builds the DBI demo on them.
const (
	demoEnterpriseOrg = "MST-0401122334" // the demo enterprise user's company, Da Nang
	demoConsultingOrg = "MST-0401987654" // the demo consultant's consulting unit, Da Nang
	demoEnterpriseRef = "doanhnghiep"    // enterprise user
	demoConsultantRef = "tuvan"          // consultant
	demoDoICRef       = "sokhcn.danang"  // DoIC assessor of Da Nang
	demoMICRef        = "thamdinh.dbi"   // MIC appraiser
)

// demoEnterprise is one demo enterprise with its certified level last year.
type demoEnterprise struct {
	tax, name, province, field string
	staff                      int
	revenue, capital           float64
	subsidiaries               bool
	index                      IndexKind
	level                      int
	// now is what happens this year: "" nothing, or the state to reach.
	now State
}

// demoEnterprises cover every level 0-5, both indexes and a group, in four
// provinces; some have this year's assessment waiting for someone.
var demoEnterprises = []demoEnterprise{
	{"0401234501", "Công ty TNHH Nông sản Sơn Trà", "48", "agriculture", 8, 2.5, 2, false, SME, 1, ""},
	{"0401234502", "Công ty Cổ phần Logistics Cảng Tiên Sa", "48", "logistics", 620, 1250, 800, false, Large, 4, StateEvaluationRequested},
	{"0401234503", "Tổng công ty Cơ khí Sông Hàn", "48", "industry", 1200, 2100, 1500, true, Group, 2, ""},
	{"5701234504", "Công ty Cổ phần Thủy sản Hạ Long", "22", "fisheries", 150, 180, 90, false, SME, 2, ""},
	{"5701234505", "Công ty TNHH Du lịch Vịnh Xanh", "22", "services", 30, 20, 5, false, SME, 0, ""},
	{"0101234506", "Công ty TNHH Phần mềm Hồ Gươm", "01", "services", 45, 60, 20, false, SME, 5, StateExternallyAssessed},
	{"0101234507", "Công ty Cổ phần Xây dựng Thăng Long", "01", "construction", 260, 420, 300, false, Large, 3, ""},
	{"0101234508", "Công ty TNHH Chè Ba Vì", "01", "agriculture", 6, 1.8, 1, false, SME, 0, ""},
	{"0301234509", "Công ty Cổ phần Bán lẻ Sài Gòn Xanh", "79", "trade", 80, 250, 60, false, SME, 3, StateEvaluationRequested},
	{"0301234510", "Công ty Cổ phần Thương mại điện tử Phương Nam", "79", "trade", 900, 3200, 1800, false, Large, 5, ""},
	{"0301234511", "Công ty TNHH May mặc Bình Minh", "79", "industry", 95, 40, 15, false, SME, 1, ""},
}

// demoProvinces are created when the app's demo has no organisation for them.
var demoProvinces = map[string]directory.OrgInput{
	"01": {Code: "HN", Name: "UBND Thành phố Hà Nội", NameEN: "Hanoi People's Committee", Kind: directory.KindProvince, AdminUnitCode: "01"},
	"79": {Code: "HCM", Name: "UBND Thành phố Hồ Chí Minh", NameEN: "Ho Chi Minh City People's Committee", Kind: directory.KindProvince, AdminUnitCode: "79"},
}

// SeedDemo creates the DBI demo once: profiles, consultants (recognised and
// one to review), certified assessments of last year at every level in four
// provinces, and this year's assessments waiting for the demo users. orgs
// maps the app's demo organisation codes to their IDs.
func SeedDemo(ctx context.Context, s *Store, orgs map[string]int64) error {
	var n int
	if err := s.db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM dbi_enterprises`).Scan(&n); err != nil || n > 0 {
		return err
	}
	// The demo acts as the people who would act; steps with no demo login
	// run as the seeding itself (a platform-administrator principal).
	system := &identity.Principal{FullName: "Dữ liệu mẫu", OrgName: "govdx", Grants: []identity.Grant{{Role: identity.RolePlatformAdmin, OrgPath: "/"}}}
	who := func(username string) *identity.Principal {
		u, err := s.ids.UserByUsername(ctx, username)
		if err != nil {
			return system
		}
		return &identity.Principal{UserID: u.ID, Username: u.Username, FullName: u.FullName, OrgID: u.OrgID, OrgName: u.OrgName, Grants: u.Grants}
	}
	ent, cons, doic, mic := who(demoEnterpriseRef), who(demoConsultantRef), who(demoDoICRef), who(demoMICRef)
	thisYear := s.db.Now().In(vnZone).Year()

	// Consultants: the demo consulting unit, an independent expert, a unit in
	// Ho Chi Minh City, and an application for MIC to review.
	var consultant Consultant
	if id, ok := orgs[demoConsultingOrg]; ok && cons != system {
		err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
			cid, err := insertConsultant(ctx, tx, now, system, Application{Kind: KindUnit, Name: "Công ty Cổ phần Tư vấn Chuyển đổi số Miền Trung",
				Title: "dx", TaxCode: "0401987654", ProvinceCode: "48", Specialties: []string{"assessment", "strategy", "operations", "data"},
				Experience: "Tư vấn chuyển đổi số cho hơn 40 doanh nghiệp nhỏ và vừa khu vực miền Trung; đánh giá theo Bộ chỉ số DBI từ năm 2022.",
				Phone:      "0236 3777 888", Account: Account{Email: "tuvan@mientrungdx.vn"}}, id, &cons.UserID, ConsultantRecognised)
			consultant.ID = cid
			return err
		})
		if err != nil {
			return fmt.Errorf("demo consultant: %w", err)
		}
	}
	experts, err := s.networkOrg(ctx, true)
	if err != nil {
		return err
	}
	network, err := s.networkOrg(ctx, false)
	if err != nil {
		return err
	}
	saigon, err := s.ensureOrg(ctx, "MST-0309876543", directory.OrgInput{Name: "Công ty TNHH Tư vấn Số Sài Gòn", Kind: directory.KindEnterprise,
		ParentID: &network.ID, AdminUnitCode: "79", TaxCode: "0309876543"})
	if err != nil {
		return err
	}
	others := []struct {
		app    Application
		org    int64
		status ConsultantStatus
	}{
		{Application{Kind: KindIndividual, Name: "ThS. Nguyễn Văn Bình", Title: "dx", ProvinceCode: "01", Specialties: []string{"assessment", "strategy", "culture"},
			Experience: "15 năm quản trị hệ thống thông tin doanh nghiệp; giảng viên chương trình SMEdx.", Account: Account{Email: "binh.nv@chuyengia.vn"}}, experts.ID, ConsultantRecognised},
		{Application{Kind: KindUnit, Name: "Công ty TNHH Tư vấn Số Sài Gòn", Title: "digital_economy", TaxCode: "0309876543", ProvinceCode: "79",
			Specialties: []string{"customer", "digital_economy", "infrastructure"}, Experience: "Tư vấn thương mại điện tử và nền tảng số cho doanh nghiệp bán lẻ.",
			Phone: "028 3822 1234", Account: Account{Email: "lienhe@tuvanso-sg.vn"}}, saigon.ID, ConsultantRecognised},
		{Application{Kind: KindIndividual, Name: "Đỗ Thị Lan", Title: "dx", ProvinceCode: "22", Specialties: []string{"assessment", "data"},
			Experience: "Kiểm toán viên công nghệ thông tin, 8 năm kinh nghiệm.", Account: Account{Email: "lan.dt@chuyengia.vn"}}, experts.ID, ConsultantApplied},
	}
	for _, o := range others {
		err := s.db.Tx(ctx, func(tx platform.Tx, now time.Time) error {
			_, err := insertConsultant(ctx, tx, now, system, o.app, o.org, nil, o.status)
			return err
		})
		if err != nil {
			return fmt.Errorf("demo consultant %s: %w", o.app.Name, err)
		}
	}

	// The demo enterprise user's company: certified last year at level 2,
	// this year's self-assessment half done.
	if id, ok := orgs[demoEnterpriseOrg]; ok {
		e, err := s.CreateProfile(ctx, system, id, ProfileInput{Field: "trade", ProvinceCode: "48", Staff: 35, Revenue: 42.5, Capital: 15})
		if err != nil {
			return fmt.Errorf("demo enterprise profile: %w", err)
		}
		if err := s.demoRound(ctx, e, thisYear-1, SME, 2, StateCertified, system, doic, mic, nil); err != nil {
			return err
		}
		d, err := s.CreateAssessment(ctx, ent, e.ID, NewAssessment{Year: thisYear, Index: SME})
		if err != nil {
			return err
		}
		levels := demoLevels(d.model, 3)
		for id := range levels {
			if id[0] > '2' { // pillars 1 and 2 done, the rest to fill in
				delete(levels, id)
			}
		}
		if _, err := s.SaveLevels(ctx, ent, d.ID, LevelsInput{Column: ColSelf, Levels: levels}); err != nil {
			return err
		}
	}

	// Enterprises at every level in four provinces.
	for _, de := range demoEnterprises {
		parent, err := provinceOrg(ctx, s.db.Read, de.province)
		if err != nil {
			return err
		}
		if parent == nil {
			o, err := s.ensureOrg(ctx, demoProvinces[de.province].Code, demoProvinces[de.province])
			if err != nil {
				return err
			}
			parent = &o.ID
		}
		o, err := s.dir.CreateOrg(ctx, directory.OrgInput{Code: "MST-" + de.tax, Name: de.name, Kind: directory.KindEnterprise,
			ParentID: parent, AdminUnitCode: de.province, TaxCode: de.tax})
		if err != nil {
			return fmt.Errorf("demo enterprise %s: %w", de.name, err)
		}
		e, err := s.CreateProfile(ctx, system, o.ID, ProfileInput{Field: de.field, ProvinceCode: de.province, Staff: de.staff,
			Revenue: de.revenue, Capital: de.capital, HasSubsidiaries: de.subsidiaries})
		if err != nil {
			return fmt.Errorf("demo enterprise %s: %w", de.name, err)
		}
		assessorOf := func() *identity.Principal {
			if de.province == "48" {
				return doic
			}
			return nil // elsewhere MIC appraises the self-assessment directly
		}
		if err := s.demoRound(ctx, e, thisYear-1, de.index, de.level, StateCertified, system, assessorOf(), mic, nil); err != nil {
			return fmt.Errorf("demo enterprise %s: %w", de.name, err)
		}
		if de.now != "" && (de.province == "48" || consultant.ID != 0) {
			var c *Consultant
			if de.province != "48" && consultant.ID != 0 {
				cc, err := getConsultant(ctx, s.db.Read, consultant.ID)
				if err != nil {
					return err
				}
				c = &cc
			}
			assessor := doic
			if c != nil {
				assessor = cons
			}
			if err := s.demoRound(ctx, e, thisYear, de.index, min(de.level+1, MaxLevel), de.now, system, assessor, mic, c); err != nil {
				return fmt.Errorf("demo enterprise %s this year: %w", de.name, err)
			}
		}
	}
	return nil
}

// demoRound takes an enterprise's assessment of a year through the
// workflow up to state: the self-assessment at level, then the DoIC or the
// consultant (or, with neither, MIC directly), then MIC's certification.
func (s *Store) demoRound(ctx context.Context, e Enterprise, year int, index IndexKind, level int, state State,
	ent, assessor, mic *identity.Principal, consultant *Consultant) error {
	d, err := s.CreateAssessment(ctx, ent, e.ID, NewAssessment{Year: year, Index: index})
	if err != nil {
		return err
	}
	id := d.ID
	fill := func(p *identity.Principal, col Column, l int) error {
		if index == Group {
			_, err := s.SaveUnits(ctx, p, id, UnitsInput{Column: col, Units: demoUnits(l)})
			return err
		}
		_, err := s.SaveLevels(ctx, p, id, LevelsInput{Column: col, Levels: demoLevels(d.model, l)})
		return err
	}
	act := func(p *identity.Principal, in ActionInput) error {
		_, err := s.Act(ctx, p, id, in)
		return err
	}
	if err := fill(ent, ColSelf, level); err != nil {
		return err
	}
	if err := act(ent, ActionInput{Action: ActSubmit}); err != nil {
		return err
	}
	if assessor != nil {
		in := ActionInput{Action: ActRequestEvaluation, Assessor: ColDoIC}
		col := ColDoIC
		if consultant != nil {
			in, col = ActionInput{Action: ActRequestEvaluation, Assessor: ColConsultant, ConsultantID: consultant.ID}, ColConsultant
		}
		if err := act(ent, in); err != nil {
			return err
		}
		if state == StateEvaluationRequested {
			return nil
		}
		if err := fill(assessor, col, level); err != nil {
			return err
		}
		if err := act(assessor, ActionInput{Action: ActCompleteAssessment}); err != nil {
			return err
		}
		if state == StateExternallyAssessed {
			return nil
		}
	}
	if err := act(mic, ActionInput{Action: ActStartAppraisal}); err != nil {
		return err
	}
	return act(mic, ActionInput{Action: ActCertify})
}

// demoLevels rates every criterion around level l so that the overall level
// is l: a few criteria one above, a few one below, checked by scoring.
func demoLevels(m *Model, l int) map[string]*int {
	varied, flat := map[string]int{}, map[string]int{}
	for i, c := range m.Criteria() {
		v := l
		switch {
		case i%7 == 3 && l < MaxLevel:
			v = l + 1
		case i%11 == 5 && l > 0:
			v = l - 1
		}
		varied[c.ID], flat[c.ID] = v, l
	}
	pick := varied
	if r, err := m.Score(varied); err != nil || r.Level != l {
		pick = flat // every criterion at l gives exactly level l in both indexes
	}
	out := make(map[string]*int, len(pick))
	for id, v := range pick {
		out[id] = ptr(v)
	}
	return out
}

// demoUnits are a group's member units whose aggregate level is l.
func demoUnits(l int) []Unit {
	six := func(v int) []int { return []int{v, v, v, v, v, v} }
	lower := max(l-1, 0)
	return []Unit{
		{Name: "Công ty mẹ", Parent: true, Staff: 700, Level: l, PillarLevels: six(l)},
		{Name: "Công ty con Cơ khí chính xác", Staff: 350, Level: l, PillarLevels: six(l)},
		{Name: "Chi nhánh Quảng Nam", Staff: 150, Level: lower, PillarLevels: six(lower)},
	}
}
