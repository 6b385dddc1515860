package catalog_test

import (
	"context"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/workday"
)

func TestSeedDemo(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.clock = time.Now().UTC()
		for _, o := range []struct{ code, parent string }{{"BTC", ""}, {"BKHCN", ""}, {"DN.SNNMT", "DN"}, {"DN.SGDDT", "DN"}, {"QN.SYT", "QN"}} {
			e.addOrg(t, o.code, o.parent, "Org "+o.code, directory.KindDepartment)
		}
		if err := catalog.SeedDemo(ctx, e.cat, e.orgs, ""); err != nil {
			t.Fatal(err)
		}
		v1, _ := e.cat.Version(ctx)
		if err := catalog.SeedDemo(ctx, e.cat, e.orgs, ""); err != nil {
			t.Fatal(err)
		}
		if v2, _ := e.cat.Version(ctx); v2 != v1 {
			t.Fatal("a second seeding must change nothing")
		}
		today := workday.DateOf(time.Now())
		late, err := e.cat.ServiceByIdentifier(ctx, "dn-stc.dkkd.doanh-nghiep-thanh-lap-moi")
		if err != nil || !late.PublicationLate || late.Status != catalog.StatusPublished {
			t.Fatalf("late publication: %+v %v", late, err)
		}
		ready, _ := e.cat.ServiceByIdentifier(ctx, "dn-snnmt.dat-dai.tra-cuu-quy-hoach")
		if ready.Status != catalog.StatusReady || !ready.PublicationOverdue(today) {
			t.Fatalf("ready and overdue: %+v", ready)
		}
		main, _ := e.cat.ServiceByIdentifier(ctx, "dn-stc.dkkd.tra-cuu-doanh-nghiep")
		if main.Status != catalog.StatusPublished || main.PublicationLate || len(main.Items) != 6 || main.UpstreamURL != catalog.DemoUpstream+"/dkkd/doanh-nghiep" {
			t.Fatalf("main demo service: %+v", main)
		}
		if vs, _ := e.cat.Versions(ctx, main.ID); len(vs) != 4 {
			t.Fatalf("demo history: %d versions", len(vs))
		}
		retired, _ := e.cat.ServiceByIdentifier(ctx, "dn-syt.tiem-chung.tra-cuu-lich-su")
		if retired.Status != catalog.StatusRetired {
			t.Fatalf("retired: %s", retired.Status)
		}
		draft, _ := e.cat.ServiceByIdentifier(ctx, "dn-stc.dkkd.dong-bo-ho-kinh-doanh")
		if draft.Status != catalog.StatusDraft {
			t.Fatalf("draft: %s", draft.Status)
		}
		if st, _ := e.cat.ReviewStatus(ctx, e.orgs["DN.SNNMT"], today); !st.Overdue {
			t.Fatalf("the land department's review should be overdue: %+v", st)
		}
		if st, _ := e.cat.ReviewStatus(ctx, e.orgs["DN.STC"], today); st.Overdue || st.LastReview == nil {
			t.Fatalf("the finance department reviewed recently: %+v", st)
		}
		av, err := e.cat.Available(ctx, nil, "so dinh danh ca nhan")
		if err != nil || len(av.Items) == 0 || len(av.Items[0].Services) < 2 {
			t.Fatalf("available: %+v %v", av, err)
		}
	})
}
