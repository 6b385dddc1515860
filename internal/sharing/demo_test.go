package sharing_test

import (
	"context"
	"testing"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharing"
)

func TestSeedDemoCoversEveryStateOnce(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		orgs := map[string]int64{}
		for code, o := range e.orgs {
			orgs[code] = o.ID
		}
		// The demo's consumers exist in the app's demo directory; here they are stand-ins.
		orgs["DN.TTHCC"], orgs["DN.SGDDT"] = e.orgs["DN.SNNMT"].ID, e.orgs["QN.SYT"].ID
		services := map[string]int64{"DN.STC.TRACUU_DN": svcLookup, "DN.STC.CU": svcRetired, "DN.SNNMT.THUADAT": svcLand}
		for i := 0; i < 2; i++ {
			if err := sharing.SeedDemo(ctx, e.store, orgs, services); err != nil {
				t.Fatal(err)
			}
		}
		for st, want := range map[string]int{"submitted": 3, "approved": 1, "refused": 1, "withdrawn": 1} {
			if n := e.count(t, `SELECT COUNT(*) FROM connection_requests WHERE state = $1`, st); n != want {
				t.Errorf("%s: %d requests, want %d", st, n, want)
			}
		}
		ga, err := e.store.GatewayAccounts(ctx)
		if err != nil || len(ga) != 1 || ga[0].KeyHash != platform.HashSecret(sharing.DemoAPIKey) || ga[0].ServiceID != svcLookup ||
			ga[0].ConsumerOrgID != orgs["DN.SYT"] || len(ga[0].Items) >= 5 || len(ga[0].Items) == 0 {
			t.Fatalf("demo account %+v %v", ga, err)
		}
		rs, err := e.store.Reminders(ctx, e.p["danang.it"])
		if err != nil {
			t.Fatal(err)
		}
		var nearing, overdue int
		for _, r := range rs {
			if r.Overdue {
				overdue++
			} else if r.Nearing {
				nearing++
			}
		}
		if nearing != 1 || overdue != 1 {
			t.Fatalf("demo reminders: %d nearing, %d overdue", nearing, overdue)
		}
		if n, _ := e.store.UnreadCount(ctx, e.p["stc"]); n == 0 {
			t.Fatal("no notification in the provider's inbox")
		}
	})
}
