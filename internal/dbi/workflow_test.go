package dbi_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/dbi"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// TestTransitionTable checks every state x action pair against the
// workflow of DBI-5: allowed pairs lead where they should, all others are
// refused, and nothing leaves certified.
func TestTransitionTable(t *testing.T) {
	actions := []dbi.Action{dbi.ActSubmit, dbi.ActReopen, dbi.ActRequestEvaluation, dbi.ActWithdraw, dbi.ActDecline,
		dbi.ActCompleteAssessment, dbi.ActStartAppraisal, dbi.ActCertify, dbi.ActReturn}
	type key struct {
		s dbi.State
		a dbi.Action
	}
	allowed := map[key]struct {
		to dbi.State
		by dbi.Actor
	}{
		{dbi.StateDraft, dbi.ActSubmit}:                           {dbi.StateSelfAssessed, dbi.ActorEnterprise},
		{dbi.StateSelfAssessed, dbi.ActReopen}:                    {dbi.StateDraft, dbi.ActorEnterprise},
		{dbi.StateSelfAssessed, dbi.ActRequestEvaluation}:         {dbi.StateEvaluationRequested, dbi.ActorEnterprise},
		{dbi.StateSelfAssessed, dbi.ActStartAppraisal}:            {dbi.StateUnderAppraisal, dbi.ActorMIC},
		{dbi.StateEvaluationRequested, dbi.ActWithdraw}:           {dbi.StateSelfAssessed, dbi.ActorEnterprise},
		{dbi.StateEvaluationRequested, dbi.ActDecline}:            {dbi.StateSelfAssessed, dbi.ActorAssessor},
		{dbi.StateEvaluationRequested, dbi.ActCompleteAssessment}: {dbi.StateExternallyAssessed, dbi.ActorAssessor},
		{dbi.StateExternallyAssessed, dbi.ActStartAppraisal}:      {dbi.StateUnderAppraisal, dbi.ActorMIC},
		{dbi.StateUnderAppraisal, dbi.ActCertify}:                 {dbi.StateCertified, dbi.ActorMIC},
		{dbi.StateUnderAppraisal, dbi.ActReturn}:                  {dbi.StateReturned, dbi.ActorMIC},
		{dbi.StateReturned, dbi.ActReopen}:                        {dbi.StateDraft, dbi.ActorEnterprise},
	}
	for _, s := range dbi.States {
		for _, a := range actions {
			t.Run(string(s)+"/"+string(a), func(t *testing.T) {
				tr, err := dbi.Next(s, a)
				want, ok := allowed[key{s, a}]
				switch {
				case ok && err != nil:
					t.Fatalf("want allowed, got %v", err)
				case ok && (tr.To != want.to || tr.By != want.by):
					t.Fatalf("got -> %s by %s, want -> %s by %s", tr.To, tr.By, want.to, want.by)
				case !ok && err == nil:
					t.Fatalf("want refused, got -> %s", tr.To)
				case !ok && s == dbi.StateCertified:
					wantCode(t, err, "certified_immutable")
				case !ok:
					wantCode(t, err, "invalid_transition")
				}
			})
		}
	}
	// Exactly one column is writable per state, by the right party.
	for _, c := range []struct {
		s        dbi.State
		assessor dbi.Column
		want     dbi.Column
	}{
		{dbi.StateDraft, "", dbi.ColSelf},
		{dbi.StateEvaluationRequested, dbi.ColDoIC, dbi.ColDoIC},
		{dbi.StateEvaluationRequested, dbi.ColConsultant, dbi.ColConsultant},
		{dbi.StateUnderAppraisal, dbi.ColDoIC, dbi.ColMIC},
		{dbi.StateSelfAssessed, "", ""},
		{dbi.StateExternallyAssessed, dbi.ColDoIC, ""},
		{dbi.StateCertified, dbi.ColDoIC, ""},
		{dbi.StateReturned, "", ""},
	} {
		if got, _ := dbi.EditableColumn(c.s, c.assessor); got != c.want {
			t.Errorf("EditableColumn(%s, %s) = %q, want %q", c.s, c.assessor, got, c.want)
		}
	}
}

// TestWorkflowEndToEnd walks an SME from registration to a verifiable
// certificate through the DoIC, with a MIC adjustment, on both backends.
func TestWorkflowEndToEnd(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		e, ent := w.enterprise(t, "0401234567", "Công ty TNHH Hàn Giang", "48", "hangiang")
		if e.Size != dbi.SizeSmall || e.SuggestedIndex != dbi.SME || e.Sector != dbi.SectorTradeServices || e.ProvinceName != "Đà Nẵng" {
			t.Fatalf("profile: %+v", e)
		}
		if !strings.HasPrefix(e.Path, w.dn.Path) {
			t.Fatalf("enterprise %s is not under its province %s", e.Path, w.dn.Path)
		}
		d := must[dbi.Detail](t)(w.store.CreateAssessment(ctx, ent, e.ID, dbi.NewAssessment{}))
		if d.Year != 2026 || d.Index != dbi.SME || d.State != dbi.StateDraft || d.Editable != dbi.ColSelf {
			t.Fatalf("new assessment: %+v", d.Assessment)
		}
		id := d.ID

		// Progress is saved in parts; points and levels are recomputed on every save.
		d = must[dbi.Detail](t)(w.store.SaveLevels(ctx, ent, id, dbi.LevelsInput{Column: dbi.ColSelf,
			Levels: map[string]*int{"1.1.1": lv(3), "2.1.1": lv(4)}}))
		if o := d.Outcomes[dbi.ColSelf]; o.Total != 3+20 || o.Answered != 2 || o.Complete || len(o.Missing) != 58 {
			t.Fatalf("partial outcome: %+v", o)
		}
		d = must[dbi.Detail](t)(w.store.SaveLevels(ctx, ent, id, dbi.LevelsInput{Column: dbi.ColSelf, Levels: all(t, dbi.SME, 3)}))
		if o := d.Outcomes[dbi.ColSelf]; o.Total != 192 || o.Level != 3 || !o.Complete {
			t.Fatalf("self outcome: %+v", o)
		}
		if !slices.Contains(d.Actions, dbi.ActSubmit) {
			t.Fatalf("enterprise actions: %v", d.Actions)
		}
		// The DoIC cannot act before the enterprise asks.
		_, err := w.store.Act(ctx, w.doic, id, dbi.ActionInput{Action: dbi.ActSubmit})
		wantCode(t, err, "forbidden")

		act := func(p *identity.Principal, in dbi.ActionInput, want dbi.State) dbi.Detail {
			t.Helper()
			d, err := w.store.Act(ctx, p, id, in)
			if err != nil {
				t.Fatalf("%s: %v", in.Action, err)
			}
			if d.State != want {
				t.Fatalf("%s: state %s, want %s", in.Action, d.State, want)
			}
			return d
		}
		act(ent, dbi.ActionInput{Action: dbi.ActSubmit}, dbi.StateSelfAssessed)
		act(ent, dbi.ActionInput{Action: dbi.ActRequestEvaluation, Assessor: dbi.ColDoIC}, dbi.StateEvaluationRequested)

		// Another province's DoIC does not even see it.
		_, err = w.store.Assessment(ctx, w.doicQN, id)
		wantCode(t, err, "not_found")
		// The enterprise can no longer write its column.
		_, err = w.store.SaveLevels(ctx, ent, id, dbi.LevelsInput{Column: dbi.ColSelf, Levels: map[string]*int{"1.1.1": lv(5)}})
		wantCode(t, err, "column_locked")

		q := must[[]dbi.Assessment](t)(w.store.Queue(ctx, w.doic))
		if len(q) != 1 || q[0].ID != id {
			t.Fatalf("DoIC queue: %+v", q)
		}
		d = must[dbi.Detail](t)(w.store.SaveLevels(ctx, w.doic, id, dbi.LevelsInput{Column: dbi.ColDoIC, Levels: all(t, dbi.SME, 2)}))
		if d.Editable != dbi.ColDoIC || d.Outcomes[dbi.ColDoIC].Level != 2 {
			t.Fatalf("DoIC column: %s %+v", d.Editable, d.Outcomes[dbi.ColDoIC])
		}
		act(w.doic, dbi.ActionInput{Action: dbi.ActCompleteAssessment}, dbi.StateExternallyAssessed)
		d = act(w.mic, dbi.ActionInput{Action: dbi.ActStartAppraisal}, dbi.StateUnderAppraisal)
		if d.Basis != dbi.ColDoIC || d.Outcomes[dbi.ColMIC].Total != d.Outcomes[dbi.ColDoIC].Total {
			t.Fatalf("appraisal starts from the DoIC column: basis %s, %+v", d.Basis, d.Outcomes[dbi.ColMIC])
		}

		// An adjustment without a reason is refused and changes nothing.
		_, err = w.store.SaveLevels(ctx, w.mic, id, dbi.LevelsInput{Column: dbi.ColMIC, Levels: map[string]*int{"2.1.1": lv(4)}})
		wantCode(t, err, "reason_required")
		d = must[dbi.Detail](t)(w.store.Assessment(ctx, w.mic, id))
		if l, _ := d.Level(dbi.ColMIC, "2.1.1"); l != 2 {
			t.Fatalf("refused adjustment was written: %d", l)
		}
		d = must[dbi.Detail](t)(w.store.SaveLevels(ctx, w.mic, id, dbi.LevelsInput{Column: dbi.ColMIC,
			Levels: map[string]*int{"2.1.1": lv(4)}, Reasons: map[string]string{"2.1.1": "Kế hoạch chuyển đổi số đã được phê duyệt"}}))
		if d.Reasons["2.1.1"] == "" || d.Outcomes[dbi.ColMIC].Total != 128+10 {
			t.Fatalf("adjusted: reasons %v, %+v", d.Reasons, d.Outcomes[dbi.ColMIC])
		}
		d = act(w.mic, dbi.ActionInput{Action: dbi.ActCertify}, dbi.StateCertified)
		c := d.Certificate
		if c == nil || c.Level != 2 || c.Total != 138 || c.Max != 320 || len(c.PillarLevels) != 6 || c.PillarLevels[1] != 4 {
			t.Fatalf("certificate: %+v", c)
		}
		if !strings.HasPrefix(c.Code, "DBI-2026-") || len(c.Code) != len("DBI-2026-ABCD-EFGH") {
			t.Fatalf("code %q", c.Code)
		}

		// The verification code finds it, however it is typed; an unknown code does not.
		v := must[dbi.Certificate](t)(w.store.CertificateByCode(ctx, " "+strings.ToLower(c.Code)+" "))
		if v.EnterpriseName != "Công ty TNHH Hàn Giang" || v.Level != 2 || v.Issuer != "Bộ Thông tin và Truyền thông" {
			t.Fatalf("verified: %+v", v)
		}
		_, err = w.store.CertificateByCode(ctx, "DBI-2026-AAAA-AAAA")
		wantCode(t, err, "not_found")

		// Certified is immutable: no level, no step, for anyone.
		for _, p := range []*identity.Principal{ent, w.doic, w.mic} {
			for _, col := range dbi.Columns {
				_, err = w.store.SaveLevels(ctx, p, id, dbi.LevelsInput{Column: col, Levels: map[string]*int{"1.1.1": lv(5)}})
				wantCode(t, err, "certified_immutable")
			}
			_, err = w.store.Act(ctx, p, id, dbi.ActionInput{Action: dbi.ActReturn, Reason: "x"})
			wantCode(t, err, "certified_immutable")
		}
		// A year has one round; a new year starts a new one.
		_, err = w.store.CreateAssessment(ctx, ent, e.ID, dbi.NewAssessment{Year: 2026})
		wantCode(t, err, "round_exists")
		_, err = w.store.CreateAssessment(ctx, ent, e.ID, dbi.NewAssessment{Year: 2027})
		wantCode(t, err, "invalid_year")
		must[dbi.Detail](t)(w.store.CreateAssessment(ctx, ent, e.ID, dbi.NewAssessment{Year: 2025, Index: dbi.Large}))

		// Everything is audited, the adjustment with its reason.
		evs := must[[]dbi.Event](t)(w.store.Events(ctx, ent, id))
		var actions []string
		for _, ev := range evs {
			actions = append(actions, ev.Action)
			if ev.Action == "mic.adjust" && (!strings.Contains(ev.Detail, "2.1.1: level 2 -> 4") || !strings.Contains(ev.Detail, "Kế hoạch")) {
				t.Errorf("adjustment event: %q", ev.Detail)
			}
		}
		want := []string{"assessment.create", "levels.save", "levels.save", "assessment.submit", "assessment.request_evaluation",
			"levels.save", "assessment.complete_assessment", "assessment.start_appraisal", "mic.adjust", "levels.save", "assessment.certify"}
		if !slices.Equal(actions, want) {
			t.Fatalf("events:\n got %v\nwant %v", actions, want)
		}

		// The result is ranked.
		rs := must[[]dbi.Ranked](t)(w.store.Rankings(ctx, dbi.RankingFilter{Year: 2026}))
		if len(rs) != 1 || rs[0].EnterpriseID != e.ID || rs[0].Level != 2 || rs[0].Score != 431 || rs[0].CertificateCode != c.Code {
			t.Fatalf("rankings: %+v", rs)
		}
		st := must[dbi.Statistics](t)(w.store.Statistics(ctx, 2026))
		if st.National.Count != 1 || st.National.ByLevel[2] != 1 || len(st.Provinces) != 1 || st.Provinces[0].AvgScore != 43.1 {
			t.Fatalf("statistics: %+v", st)
		}
	})
}

// TestBadInputChangesNothing: every refused input names its problem and
// leaves the assessment as it was.
func TestBadInputChangesNothing(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		e, ent := w.enterprise(t, "0401234567", "Công ty TNHH Hàn Giang", "48", "hangiang")
		id := must[dbi.Detail](t)(w.store.CreateAssessment(ctx, ent, e.ID, dbi.NewAssessment{})).ID
		must[dbi.Detail](t)(w.store.SaveLevels(ctx, ent, id, dbi.LevelsInput{Column: dbi.ColSelf, Levels: map[string]*int{"1.1.1": lv(2)}}))
		unchanged := func() {
			t.Helper()
			d := must[dbi.Detail](t)(w.store.Assessment(ctx, ent, id))
			if len(d.Levels[dbi.ColSelf]) != 1 || d.Levels[dbi.ColSelf]["1.1.1"] != 2 || d.State != dbi.StateDraft {
				t.Fatalf("changed: %v %s", d.Levels[dbi.ColSelf], d.State)
			}
		}

		// Levels out of range, with a valid one in the same request: all refused.
		_, err := w.store.SaveLevels(ctx, ent, id, dbi.LevelsInput{Column: dbi.ColSelf,
			Levels: map[string]*int{"1.1.1": lv(4), "1.1.2": lv(6), "3.2.1": lv(-1)}})
		e1 := wantCode(t, err, "invalid_levels")
		if !strings.Contains(e1.Message, "criterion 1.1.2: level 6 is out of range 0-5") || !strings.Contains(e1.Message, "criterion 3.2.1: level -1") {
			t.Fatalf("message: %s", e1.Message)
		}
		unchanged()

		// Criteria of the other index, and the source's label.
		_, err = w.store.SaveLevels(ctx, ent, id, dbi.LevelsInput{Column: dbi.ColSelf,
			Levels: map[string]*int{"2.6.1": lv(3), "1.2 A": lv(2), "9.9.9": nil}})
		e2 := wantCode(t, err, "invalid_levels")
		for _, want := range []string{"criterion 2.6.1: belongs to the large index, not the sme index", `the source's "1.2 A" is 1.2.4`, "criterion 9.9.9: not a criterion of the sme index"} {
			if !strings.Contains(e2.Message, want) {
				t.Errorf("message lacks %q: %s", want, e2.Message)
			}
		}
		if probs, _ := e2.Extra["problems"].([]dbi.Problem); len(probs) != 3 {
			t.Errorf("problems: %v", e2.Extra)
		}
		unchanged()

		// Submitting with missing criteria lists each one.
		_, err = w.store.Act(ctx, ent, id, dbi.ActionInput{Action: dbi.ActSubmit})
		e3 := wantCode(t, err, "missing_criteria")
		missing, _ := e3.Extra["missing"].([]string)
		if len(missing) != 59 || missing[0] != "1.1.2" || !slices.Contains(missing, "6.1.7") || slices.Contains(missing, "1.1.1") {
			t.Fatalf("missing: %v", missing)
		}
		if !strings.HasPrefix(e3.Message, "59 of 60 criteria have no level in the Self-assessment column: 1.1.2, 1.1.3,") || !strings.Contains(e3.Message, "6.1.7") {
			t.Fatalf("message: %s", e3.Message)
		}
		unchanged()

		// A column that is not open, a column that does not exist, a step out of order.
		_, err = w.store.SaveLevels(ctx, ent, id, dbi.LevelsInput{Column: dbi.ColMIC, Levels: map[string]*int{"1.1.1": lv(1)}})
		wantCode(t, err, "column_locked")
		_, err = w.store.SaveLevels(ctx, ent, id, dbi.LevelsInput{Column: "boss", Levels: map[string]*int{"1.1.1": lv(1)}})
		wantCode(t, err, "invalid_column")
		_, err = w.store.Act(ctx, ent, id, dbi.ActionInput{Action: dbi.ActCertify})
		wantCode(t, err, "invalid_transition")
		_, err = w.store.Act(ctx, w.mic, id, dbi.ActionInput{Action: "fly"})
		wantCode(t, err, "invalid_transition")
		unchanged()

		// Size data and registration.
		_, err = w.store.UpdateProfile(ctx, ent, e.ID, dbi.ProfileInput{Field: "mining", Staff: 3})
		wantCode(t, err, "invalid_field")
		_, err = w.store.UpdateProfile(ctx, ent, e.ID, dbi.ProfileInput{Field: "trade", Staff: 3, Revenue: -1})
		wantCode(t, err, "invalid_amount")
		_, _, err = w.store.Register(ctx, dbi.Registration{TaxCode: "0401234567", Name: "Trùng mã số thuế",
			ProfileInput: dbi.ProfileInput{Field: "trade", ProvinceCode: "48"},
			Account:      dbi.Account{Username: "trung", FullName: "A", Password: password}})
		wantCode(t, err, "tax_code_registered")
		_, _, err = w.store.Register(ctx, dbi.Registration{TaxCode: "0409999999", Name: "Công ty mới",
			ProfileInput: dbi.ProfileInput{Field: "trade", ProvinceCode: "48"},
			Account:      dbi.Account{Username: "hangiang", FullName: "A", Password: password}})
		wantCode(t, err, "username_taken")
		if _, err := w.dir.OrgByCode(ctx, "MST-0409999999"); platform.ErrorClass(err) != platform.ENotFound {
			t.Fatalf("a refused registration left its organisation: %v", err)
		}
		_, _, err = w.store.Register(ctx, dbi.Registration{TaxCode: "0409999999", Name: "Công ty mới",
			ProfileInput: dbi.ProfileInput{Field: "trade", ProvinceCode: "99"},
			Account:      dbi.Account{Username: "moi", FullName: "A", Password: password}})
		wantCode(t, err, "unknown_province")
	})
}

// TestGroupAssessment: a corporation enters its member units; weights that
// do not add up are refused, nothing changed.
func TestGroupAssessment(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		e, ent := w.enterprise(t, "0100100100", "Tổng công ty Sông Hồng", "48", "songhong")
		id := must[dbi.Detail](t)(w.store.CreateAssessment(ctx, ent, e.ID, dbi.NewAssessment{Index: dbi.Group})).ID
		units := []dbi.Unit{
			{Name: "Công ty mẹ", Parent: true, Staff: 800, Level: 3, PillarLevels: []int{3, 4, 2, 3, 3, 2}},
			{Name: "Công ty con phía Bắc", Staff: 150, Level: 1, PillarLevels: []int{1, 2, 1, 1, 0, 1}},
			{Name: "Chi nhánh phía Nam", Staff: 50, Level: 2, PillarLevels: []int{2, 2, 2, 2, 2, 2}},
		}
		_, err := w.store.SaveUnits(ctx, ent, id, dbi.UnitsInput{Column: dbi.ColSelf, StaffTotal: 1200, Units: units})
		e1 := wantCode(t, err, "staff_mismatch")
		if !strings.Contains(e1.Message, "staff weights do not add up: the units' staff sum to 1000, staff_total is 1200") {
			t.Fatalf("message: %s", e1.Message)
		}
		_, err = w.store.SaveLevels(ctx, ent, id, dbi.LevelsInput{Column: dbi.ColSelf, Levels: map[string]*int{"1.1.1": lv(1)}})
		wantCode(t, err, "group_takes_units")
		_, err = w.store.Act(ctx, ent, id, dbi.ActionInput{Action: dbi.ActSubmit})
		wantCode(t, err, "missing_units")
		d := must[dbi.Detail](t)(w.store.SaveUnits(ctx, ent, id, dbi.UnitsInput{Column: dbi.ColSelf, StaffTotal: 1000, Units: units}))
		o := d.Outcomes[dbi.ColSelf]
		if o.Total != 2650 || o.Level != 3 || !o.Complete || o.Group == nil {
			t.Fatalf("group outcome: %+v", o)
		}
		must[dbi.Detail](t)(w.store.Act(ctx, ent, id, dbi.ActionInput{Action: dbi.ActSubmit}))
		// MIC appraises directly from the self-assessment and certifies.
		d = must[dbi.Detail](t)(w.store.Act(ctx, w.mic, id, dbi.ActionInput{Action: dbi.ActStartAppraisal}))
		if d.Basis != dbi.ColSelf || d.Outcomes[dbi.ColMIC].Total != 2650 {
			t.Fatalf("direct appraisal: %s %+v", d.Basis, d.Outcomes[dbi.ColMIC])
		}
		units[1].Level = 2
		_, err = w.store.SaveUnits(ctx, w.mic, id, dbi.UnitsInput{Column: dbi.ColMIC, Units: units})
		wantCode(t, err, "reason_required")
		must[dbi.Detail](t)(w.store.SaveUnits(ctx, w.mic, id, dbi.UnitsInput{Column: dbi.ColMIC, Units: units, Reason: "Công ty con đã triển khai ERP"}))
		d = must[dbi.Detail](t)(w.store.Act(ctx, w.mic, id, dbi.ActionInput{Action: dbi.ActCertify}))
		if c := d.Certificate; c == nil || c.Total != 2800 || c.Max != 5000 || c.Level != 3 {
			t.Fatalf("certificate: %+v", c)
		}
	})
}

// TestConsultantEngagement: the conflict check (not an insured employee,
// not a member unit), recognition, and the consultant's column.
func TestConsultantEngagement(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		e, ent := w.enterprise(t, "0401234567", "Công ty TNHH Hàn Giang", "48", "hangiang")
		id := must[dbi.Detail](t)(w.store.CreateAssessment(ctx, ent, e.ID, dbi.NewAssessment{})).ID
		must[dbi.Detail](t)(w.store.SaveLevels(ctx, ent, id, dbi.LevelsInput{Column: dbi.ColSelf, Levels: all(t, dbi.SME, 4)}))
		must[dbi.Detail](t)(w.store.Act(ctx, ent, id, dbi.ActionInput{Action: dbi.ActSubmit}))

		employee, _ := w.consultant(t, dbi.Application{Kind: dbi.KindIndividual, EmployerTaxCode: "0401234567",
			Account: dbi.Account{Username: "nhanvien"}})
		branch, _ := w.consultant(t, dbi.Application{Kind: dbi.KindUnit, Name: "Chi nhánh tư vấn Hàn Giang", TaxCode: "0401234567-001",
			Account: dbi.Account{Username: "chinhanh"}})
		good, goodUser := w.consultant(t, dbi.Application{Kind: dbi.KindUnit, Name: "Công ty Tư vấn Miền Trung", TaxCode: "0402222222",
			Account: dbi.Account{Username: "mientrung"}})
		pending, err := w.store.Apply(ctx, dbi.Application{Kind: dbi.KindIndividual, Title: "dx", ProvinceCode: "48",
			Specialties: []string{"strategy"}, Account: dbi.Account{Username: "choduyet", FullName: "Chờ Duyệt", Password: password}})
		if err != nil {
			t.Fatal(err)
		}
		// A member unit placed under the enterprise in the directory.
		sub, subUser := w.consultant(t, dbi.Application{Kind: dbi.KindUnit, Name: "Công ty con", TaxCode: "0403333333",
			Account: dbi.Account{Username: "congtycon"}})
		if _, err := db.Write.ExecContext(ctx, `UPDATE organisations SET path = $1 WHERE id = $2`, e.Path+"999/", sub.OrgID); err != nil {
			t.Fatal(err)
		}
		_ = subUser

		for _, c := range []struct {
			id   int64
			code string
			msg  string
		}{
			{employee.ID, "consultant_conflict", "insured employee"},
			{branch.ID, "consultant_conflict", "member unit of the enterprise"},
			{sub.ID, "consultant_conflict", "member unit of the enterprise"},
			{pending.ID, "consultant_not_recognised", "recognised by MIC"},
			{999999, "unknown_consultant", "recognised consultant"},
		} {
			_, err := w.store.Act(ctx, ent, id, dbi.ActionInput{Action: dbi.ActRequestEvaluation, Assessor: dbi.ColConsultant, ConsultantID: c.id})
			pe := wantCode(t, err, c.code)
			if !strings.Contains(pe.Message, c.msg) || pe.Field != "consultant_id" {
				t.Errorf("consultant %d: %v", c.id, pe)
			}
		}
		if d := must[dbi.Detail](t)(w.store.Assessment(ctx, ent, id)); d.State != dbi.StateSelfAssessed || d.ConsultantID != nil {
			t.Fatalf("a refused engagement changed the assessment: %+v", d.Assessment)
		}
		// A consultant not engaged does not see the assessment.
		_, err = w.store.Assessment(ctx, goodUser, id)
		wantCode(t, err, "not_found")

		d := must[dbi.Detail](t)(w.store.Act(ctx, ent, id, dbi.ActionInput{Action: dbi.ActRequestEvaluation, Assessor: dbi.ColConsultant, ConsultantID: good.ID}))
		if d.Assessor != dbi.ColConsultant || d.ConsultantID == nil || *d.ConsultantID != good.ID {
			t.Fatalf("engaged: %+v", d.Assessment)
		}
		// The DoIC is not the requested assessor now.
		_, err = w.store.SaveLevels(ctx, w.doic, id, dbi.LevelsInput{Column: dbi.ColConsultant, Levels: map[string]*int{"1.1.1": lv(1)}})
		wantCode(t, err, "forbidden")
		q := must[[]dbi.Assessment](t)(w.store.Queue(ctx, goodUser))
		if len(q) != 1 || q[0].ID != id {
			t.Fatalf("consultant queue: %+v", q)
		}
		d = must[dbi.Detail](t)(w.store.SaveLevels(ctx, goodUser, id, dbi.LevelsInput{Column: dbi.ColConsultant, Levels: all(t, dbi.SME, 3)}))
		if d.Outcomes[dbi.ColConsultant].Level != 3 || d.Outcomes[dbi.ColSelf].Level != 4 {
			t.Fatalf("columns: %+v", d.Outcomes)
		}
		must[dbi.Detail](t)(w.store.Act(ctx, goodUser, id, dbi.ActionInput{Action: dbi.ActCompleteAssessment}))

		// Revoking recognition takes the consultant role away.
		must[dbi.Consultant](t)(w.store.Review(ctx, w.mic, good.ID, dbi.ConsultantRevoked, "Không đáp ứng tiêu chí"))
		if again := w.login(t, "mientrung"); again.HasRole(identity.RoleConsultant) {
			t.Fatal("revoked consultant keeps the role")
		}
		_, err = w.store.Review(ctx, w.mic, good.ID, dbi.ConsultantRejected, "x")
		wantCode(t, err, "invalid_review")
		_, err = w.store.Review(ctx, ent, pending.ID, dbi.ConsultantRecognised, "")
		wantCode(t, err, "forbidden")

		// The public list shows the recognised, without private fields.
		res := must[platform.PageResult[dbi.Consultant]](t)(w.store.ListConsultants(ctx, nil, dbi.ConsultantFilter{Specialty: "assessment"}))
		if len(res.Items) != 3 {
			t.Fatalf("recognised: %d", len(res.Items))
		}
		for _, c := range res.Items {
			if c.EmployerTaxCode != "" || c.Status != dbi.ConsultantRecognised {
				t.Errorf("public consultant: %+v", c)
			}
		}
		_, err = w.store.ListConsultants(ctx, ent, dbi.ConsultantFilter{Status: dbi.ConsultantApplied})
		wantCode(t, err, "forbidden")
		apps := must[platform.PageResult[dbi.Consultant]](t)(w.store.ListConsultants(ctx, w.mic, dbi.ConsultantFilter{Status: dbi.ConsultantApplied}))
		if len(apps.Items) != 1 || apps.Items[0].ID != pending.ID {
			t.Fatalf("applications: %+v", apps.Items)
		}
	})
}
