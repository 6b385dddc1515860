package oversight_test

import (
	"context"
	"testing"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// TestSeedDemo seeds the demo story and checks it shows what the pages promise.
func TestSeedDemo(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-11-10 10:00"))
		snnmt, err := w.dir.CreateOrg(ctx, directory.OrgInput{Code: "DN.SNNMT", Name: "Org DN.SNNMT", Kind: directory.KindDepartment, ParentID: &w.dn.ID})
		if err != nil {
			t.Fatal(err)
		}
		ward, err := w.dir.CreateOrg(ctx, directory.OrgInput{Code: "DN.HAIVAN", Name: "Org DN.HAIVAN", Kind: directory.KindCommune, ParentID: &w.dn.ID})
		if err != nil {
			t.Fatal(err)
		}
		w.services.list = append(w.services.list, oversight.ServiceInfo{ID: 14, Identifier: "dn-snnmt/parcels", Name: "Parcels",
			ProviderOrgID: snnmt.ID, Status: "published", Form: oversight.FormDefault, Items: []string{"parcel", "owner"}})
		w.accounts.list = append(w.accounts.list, oversight.AccountInfo{ID: 9, ServiceID: 14, ConsumerOrgID: w.hcc.ID, ProviderOrgID: snnmt.ID,
			Status: oversight.AccountActive, ValidFrom: vn("2026-01-01 00:00"), ValidTo: vn("2027-12-31 00:00")})
		orgs := map[string]int64{"DN": w.dn.ID, "DN.STC": w.stc.ID, "DN.SYT": w.syt.ID, "DN.TTHCC": w.hcc.ID, "DN.SGDDT": w.gd.ID,
			"DN.SNNMT": snnmt.ID, "QN": w.qn.ID, "QN.SYT": w.qnyt.ID, "DN.HAIVAN": ward.ID}
		if err := oversight.SeedDemo(ctx, w.store, orgs, nil); err != nil {
			t.Fatal(err)
		}
		if err := oversight.SeedDemo(ctx, w.store, orgs, nil); err != nil {
			t.Fatal(err)
		}
		list := must[platform.PageResult[oversight.Agreement]](t)(w.store.ListAgreements(ctx, w.itDN, oversight.AgreementFilter{}))
		if len(list.Items) != 4 {
			t.Fatalf("agreements: %d", len(list.Items))
		}
		st := must[oversight.SharingStatistics](t)(w.store.Statistics(ctx, oversight.StatsFilter{}))
		if len(st.Agreements) != 1 || !st.Agreements[0].Candidate {
			t.Fatalf("candidate: %+v", st.Agreements)
		}
		obs := must[platform.PageResult[oversight.Obstacle]](t)(w.store.ListObstacles(ctx, w.itDN, oversight.ObstacleFilter{}))
		levels := map[int]int{}
		auto := false
		for _, o := range obs.Items {
			levels[o.Level]++
			full := must[oversight.Obstacle](t)(w.store.Obstacle(ctx, w.itDN, o.ID))
			for _, e := range full.Events {
				auto = auto || e.Auto
			}
		}
		if len(obs.Items) != 4 || levels[3] != 1 || !auto {
			t.Fatalf("obstacles: %d levels %v auto %v", len(obs.Items), levels, auto)
		}
		sus := must[platform.PageResult[oversight.Suspension]](t)(w.store.ListSuspensions(ctx, w.itDN, oversight.SuspensionFilter{}))
		statuses := map[string]int{}
		for _, x := range sus.Items {
			statuses[x.Status]++
		}
		if statuses[oversight.SuspensionScheduled] != 1 || statuses[oversight.SuspensionActive] != 1 || statuses[oversight.SuspensionRestored] != 2 {
			t.Fatalf("suspensions: %v", statuses)
		}
		ov := must[oversight.QualityOverview](t)(w.store.QualityOverview(ctx, w.itDN, 2025))
		if ov.Submitted != 2 {
			t.Fatalf("quality 2025: %+v", ov)
		}
		terms := must[platform.PageResult[oversight.Termination]](t)(w.store.ListTerminations(ctx, w.itDN, platform.Page{}))
		if len(terms.Items) != 1 || terms.Items[0].AgreementID == 0 || terms.Items[0].AccountsStoppedAt == nil {
			t.Fatalf("terminations: %+v", terms.Items)
		}
	})
}
