package sharing_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharing"
	"github.com/govdx/govdx/internal/workday"
)

func TestAgreementAccountsAndTermination(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		changes := 0
		var mu sync.Mutex
		e.store.OnChange(func(context.Context) { mu.Lock(); changes++; mu.Unlock() })
		g := sharing.AgreementGrant{AgreementID: 77, Version: 2, ServiceID: svcLookup, ProviderOrgID: e.orgs["DN.STC"].ID,
			ConsumerOrgID: e.orgs["DN.SYT"].ID, ValidFrom: time.Date(2026, 3, 1, 0, 0, 0, 0, vn), ValidTo: time.Date(2027, 3, 1, 0, 0, 0, 0, vn),
			Purpose: "Thỏa thuận chia sẻ dữ liệu đặc thù", Application: "Hệ thống thanh tra y tế"}
		bad := g
		bad.ProviderOrgID = e.orgs["DN.SNNMT"].ID
		_, err := e.store.GrantAgreementAccount(ctx, bad)
		wantErr(t, err, platform.EInvalid, "wrong_provider", "provider_org_id")
		// Granted concurrently and again: one account.
		ids := make([]int64, 4)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				var err error
				if ids[i], err = e.store.GrantAgreementAccount(ctx, g); err != nil {
					t.Error(err)
				}
			}(i)
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] || id == 0 {
				t.Fatalf("grants returned %v", ids)
			}
		}
		a, err := e.store.Account(ctx, e.p["syt"], ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if a.RequestID != nil || a.AgreementID == nil || *a.AgreementID != 77 || len(a.Items) != 5 || a.Purpose != g.Purpose {
			t.Fatalf("%+v", a)
		}
		// D47-39: an amendment's governing version changes the account's items
		// and validity; the account (and its key) stays.
		am := g
		am.Version, am.Items, am.ValidTo = 3, []string{a.Items[0].Key, a.Items[1].Key}, time.Date(2028, 3, 1, 0, 0, 0, 0, vn)
		if err := e.store.AmendAgreementAccount(ctx, a.ID, am); err != nil {
			t.Fatal(err)
		}
		if got, err := e.store.Account(ctx, e.p["syt"], a.ID); err != nil || len(got.Items) != 2 || !got.ValidTo.Equal(am.ValidTo) {
			t.Fatalf("amended account: %+v %v", got, err)
		}
		other := am
		other.ConsumerOrgID = e.orgs["DN.STC"].ID
		wantErr(t, e.store.AmendAgreementAccount(ctx, a.ID, other), platform.ENotFound, "not_found", "")
		// The consumer gets its key by rotation.
		if _, key, err := e.store.RotateKey(ctx, e.p["syt"], a.ID); err != nil || !strings.HasPrefix(key, "gdxk_") {
			t.Fatalf("rotate %v", err)
		}
		sum, err := e.store.AccountSummaries(ctx, svcLookup, e.orgs["DN.SYT"].ID)
		if err != nil || len(sum) != 1 || sum[0].ID != a.ID || sum[0].Status != "active" || sum[0].Purpose != g.Purpose {
			t.Fatalf("summaries %+v %v", sum, err)
		}
		if sum, _ := e.store.AccountSummaries(ctx, svcLand, 0); len(sum) != 0 {
			t.Fatalf("summaries of another service %+v", sum)
		}
		err = e.store.TerminateAccounts(ctx, []int64{a.ID}, " ")
		wantErr(t, err, platform.EInvalid, "reason_required", "reason")
		for i := 0; i < 2; i++ {
			if err := e.store.TerminateAccounts(ctx, []int64{a.ID}, "Hết thời hạn thỏa thuận (D47-44.1d)"); err != nil {
				t.Fatal(err)
			}
		}
		ga, _ := e.store.GatewayAccounts(ctx)
		if len(ga) != 1 || ga[0].Status != "terminated" || ga[0].StatusReason != "Hết thời hạn thỏa thuận (D47-44.1d)" {
			t.Fatalf("%+v", ga)
		}
		mu.Lock()
		defer mu.Unlock()
		if changes < 4 { // grant, rotate, terminate twice (a retried termination still announces)
			t.Fatalf("changes %d", changes)
		}
	})
}

func TestNotifyOrgCountsAndDeadlines(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if err := e.store.NotifyOrg(ctx, sharing.OrgNotice{OrgID: e.orgs["DN.SYT"].ID, Kind: "suspension.announced", Title: "Tạm ngừng dịch vụ",
			TitleEN: "Service suspended", Link: "/suspensions/1"}); err != nil {
			t.Fatal(err)
		}
		if err := e.store.NotifyOrg(ctx, sharing.OrgNotice{OrgID: e.orgs["DN.SYT"].ID, Kind: "digest", Title: "Bản tin", Email: true}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM mail_outbox`); n != 1 {
			t.Fatalf("only the notice asking for e-mail is mailed: %d", n)
		}
		inbox, _ := e.store.Inbox(ctx, e.p["syt"], "en", sharing.InboxFilter{})
		if len(inbox.Items) != 2 || inbox.Items[1].Title != "Service suspended" {
			t.Fatalf("%+v", inbox.Items)
		}
		// Requests: one decided on time, one overdue, one fresh.
		e.setNow(time.Date(2026, 2, 24, 9, 0, 0, 0, vn))
		r1 := e.mustRequest(t)
		if _, _, err := e.store.Approve(ctx, e.p["stc"], r1.ID, sharing.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
		in := e.input()
		in.ApplicationName = "late"
		if _, err := e.store.CreateRequest(ctx, e.p["syt"], in); err != nil {
			t.Fatal(err)
		}
		e.setNow(time.Date(2026, 3, 2, 9, 0, 0, 0, vn))
		in.ApplicationName = "fresh"
		if _, err := e.store.CreateRequest(ctx, e.p["syt"], in); err != nil {
			t.Fatal(err)
		}
		c, err := e.store.RequestCounts(ctx, time.Date(2026, 2, 1, 0, 0, 0, 0, vn), time.Date(2026, 3, 1, 0, 0, 0, 0, vn))
		if err != nil || len(c) != 1 || c[0].Received != 2 || c[0].Decided != 1 || c[0].DecidedOnTime != 1 || c[0].Overdue != 1 ||
			c[0].ProviderOrgID != e.orgs["DN.STC"].ID {
			t.Fatalf("counts %+v %v", c, err)
		}
		dl, err := e.store.OpenDeadlines(ctx, workday.MustParseDate("2026-03-03"))
		if err != nil || len(dl) != 1 || dl[0].Due.String() != "2026-02-26" || dl[0].OrgID != e.orgs["DN.STC"].ID || dl[0].RuleID == "" {
			t.Fatalf("deadlines %+v %v", dl, err)
		}
		if dl, _ := e.store.OpenDeadlines(ctx, workday.MustParseDate("2026-03-04")); len(dl) != 2 {
			t.Fatalf("deadlines until 4/3: %d", len(dl))
		}
	})
}
