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
)

// D47-35.3, D194-40.3: the deadline is the rule in force on the day of
// receipt, counted in working days with the receipt day not counted.
func TestDeadlineInForceOnTheDayOfReceipt(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tests := []struct {
			name     string
			received time.Time
			due      string
			rule     string
			value    int
		}{
			{"last day of the 5-day rule", time.Date(2025, 8, 18, 10, 0, 0, 0, vn), "2025-08-25", "D47-35.3", 5},
			{"first day of the 2-day rule", time.Date(2025, 8, 19, 10, 0, 0, 0, vn), "2025-08-21", "D47-35.3/D194-40.3", 2},
			{"late evening UTC is already 19 August in Vietnam", time.Date(2025, 8, 18, 23, 30, 0, 0, time.UTC), "2025-08-21", "D47-35.3/D194-40.3", 2},
			{"just before National Day 2025 (1-2/9 off)", time.Date(2025, 8, 29, 16, 0, 0, 0, vn), "2025-09-04", "D47-35.3/D194-40.3", 2},
			{"just before Tết 2026 (14-22/2 off)", time.Date(2026, 2, 13, 11, 0, 0, 0, vn), "2026-02-24", "D47-35.3/D194-40.3", 2},
			{"just before Tết 2025 under the 5-day rule", time.Date(2025, 1, 24, 11, 0, 0, 0, vn), "2025-02-07", "D47-35.3", 5},
			{"received on a Saturday", time.Date(2026, 3, 7, 11, 0, 0, 0, vn), "2026-03-10", "D47-35.3/D194-40.3", 2},
		}
		for i, tt := range tests {
			e.setNow(tt.received)
			in := e.input()
			in.ApplicationName = "App " + tt.name // one pending request per application
			r, err := e.store.CreateRequest(ctx, e.p["syt"], in)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if r.DueOn != tt.due || r.Deadline.RuleID != tt.rule || r.Deadline.Value != tt.value || r.Deadline.Unit != "working_days" {
				t.Errorf("%d %s: due %s by %s (%d %s), want %s by %s (%d)", i, tt.name, r.DueOn, r.Deadline.RuleID,
					r.Deadline.Value, r.Deadline.Unit, tt.due, tt.rule, tt.value)
			}
			if !r.ReceivedAt.Equal(tt.received) || r.State != sharing.StateSubmitted || r.ItemCount != 4 {
				t.Errorf("%s: received %v state %s items %d", tt.name, r.ReceivedAt, r.State, r.ItemCount)
			}
		}
		// The version is recorded, so a later change of the law does not move old deadlines.
		var version string
		if err := db.Read.QueryRowContext(ctx, `SELECT rule_version FROM connection_requests WHERE due_on = '2025-08-25'`).Scan(&version); err != nil || version != "2020-05-25" {
			t.Fatalf("rule version = %q, %v", version, err)
		}
	})
}

func TestApproveCreatesAccountLimitedToApprovedItems(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		changes := 0
		e.store.OnChange(func(context.Context) { changes++ })
		r := e.mustRequest(t)
		// A later day than the deadline (Mon 2 -> due Wed 4 March) makes the decision late.
		e.setNow(time.Date(2026, 3, 5, 10, 0, 0, 0, vn))
		_, _, err := e.store.Approve(ctx, e.p["stc"], r.ID, sharing.ApproveInput{Items: []string{"ma_so_dn", "von_dieu_le"}})
		wantErr(t, err, platform.EInvalid, "not_requested", "items")
		_, _, err = e.store.Approve(ctx, e.p["stc"], r.ID, sharing.ApproveInput{Items: []string{"ma_so_dn"}, CertFingerprint: "xyz"})
		wantErr(t, err, platform.EInvalid, "invalid_fingerprint", "cert_fingerprint")
		_, _, err = e.store.Approve(ctx, e.p["stc"], r.ID, sharing.ApproveInput{Items: []string{"ma_so_dn"}, ValidFrom: "2026-03-10", ValidTo: "2026-03-09"})
		wantErr(t, err, platform.EInvalid, "before_start", "valid_to")
		if changes != 0 || e.count(t, `SELECT COUNT(*) FROM connection_accounts`) != 0 {
			t.Fatal("a refused input must change nothing")
		}

		fp := strings.Repeat("AB:", 31) + "AB"
		a, key, err := e.store.Approve(ctx, e.p["stc"], r.ID, sharing.ApproveInput{Items: []string{"ten_dn", "ma_so_dn"},
			ValidFrom: "2026-03-05", ValidTo: "2026-12-31", RatePerMinute: 30, RatePerDay: 5000, CertFingerprint: fp})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(key, sharing.KeyPrefix) || len(key) < 30 || !strings.HasPrefix(key, a.KeyPrefix) {
			t.Fatalf("key %q prefix %q", key, a.KeyPrefix)
		}
		if len(a.Items) != 2 || a.Items[0].Key != "ma_so_dn" || a.Items[1].Key != "ten_dn" || a.Items[0].Label != "Mã số doanh nghiệp" {
			t.Fatalf("approved items %+v (want the service's order)", a.Items)
		}
		if a.RatePerMinute != 30 || a.RatePerDay != 5000 || a.Status != sharing.AccountActive || a.ConsumerOrgID != e.orgs["DN.SYT"].ID {
			t.Fatalf("account %+v", a)
		}
		if !a.ValidFrom.Equal(time.Date(2026, 3, 5, 0, 0, 0, 0, vn)) || !a.ValidTo.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, vn)) {
			t.Fatalf("validity %v .. %v", a.ValidFrom, a.ValidTo)
		}
		got, err := e.store.Request(ctx, e.p["syt"], r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != sharing.StateApproved || got.AccountID == nil || *got.AccountID != a.ID || got.OnTime == nil || *got.OnTime || got.DecidedAt == nil {
			t.Fatalf("request after approval: %+v", got)
		}
		if got.ItemCount != 4 {
			t.Fatalf("the request keeps its 4 requested items, got %d", got.ItemCount)
		}
		// Only the hash is stored.
		if n := e.count(t, `SELECT COUNT(*) FROM connection_accounts WHERE key_hash = $1`, platform.HashSecret(key)); n != 1 {
			t.Fatal("hash not stored")
		}
		if n := e.count(t, `SELECT COUNT(*) FROM connection_accounts WHERE key_hash = $1 OR key_prefix = $1 OR items LIKE $2`, key, "%"+key+"%"); n != 0 {
			t.Fatal("the key itself is stored")
		}
		ga, err := e.store.GatewayAccounts(ctx)
		if err != nil || len(ga) != 1 {
			t.Fatalf("gateway accounts %v %v", ga, err)
		}
		g := ga[0]
		if g.ID != a.ID || g.KeyHash != platform.HashSecret(key) || g.CertFingerprint != strings.Repeat("ab", 32) ||
			g.ConsumerOrgID != e.orgs["DN.SYT"].ID || g.ConsumerOrgName != "Org DN.SYT" || g.Application != "Hệ thống cấp phép hành nghề" ||
			g.ApplicationCode != "SYT-CPHN" || g.ServiceID != svcLookup || strings.Join(g.Items, ",") != "ma_so_dn,ten_dn" ||
			!g.ValidFrom.Equal(a.ValidFrom) || !g.ValidTo.Equal(a.ValidTo) || g.RatePerMinute != 30 || g.RatePerDay != 5000 ||
			g.Status != "active" || g.StatusReason != "" || g.ProviderOrgID != e.orgs["DN.STC"].ID {
			t.Fatalf("gateway account %+v", g)
		}
		if changes != 1 {
			t.Fatalf("OnChange called %d times, want 1", changes)
		}
		// The consumer is told, in the inbox and by mail.
		inbox, err := e.store.Inbox(ctx, e.p["syt"], "en", sharing.InboxFilter{})
		if err != nil || len(inbox.Items) != 1 || inbox.Items[0].Kind != "request.approved" || !strings.Contains(inbox.Items[0].Body, "2 data items") {
			t.Fatalf("consumer inbox %+v %v", inbox.Items, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM mail_outbox WHERE to_addr = 'syt@example.gov.vn' AND sent_at IS NULL`); n != 1 {
			t.Fatalf("consumer mails queued: %d", n)
		}
		// Approving again is a conflict.
		_, _, err = e.store.Approve(ctx, e.p["stc"], r.ID, sharing.ApproveInput{})
		wantErr(t, err, platform.EConflict, "not_pending", "")
	})
}

func TestApproveDefaultsToAllRequestedItems(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		r := e.mustRequest(t, "ma_so_dn", "dia_chi")
		a, _, err := e.store.Approve(context.Background(), e.p["danang.it"], r.ID, sharing.ApproveInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Items) != 2 || a.RatePerMinute != sharing.DefaultRatePerMinute || a.RatePerDay != 0 {
			t.Fatalf("%+v", a)
		}
		// Default validity: one year from today (Monday 2 March 2026), inclusive.
		if a.LastDay().In(vn).Format("2006-01-02") != "2027-03-01" {
			t.Fatalf("last day %v", a.LastDay())
		}
		got, _ := e.store.Request(context.Background(), e.p["syt"], r.ID)
		if got.OnTime == nil || !*got.OnTime {
			t.Fatal("decided on the day of receipt is on time")
		}
	})
}

// D47-51.1a, D194-16.2: a refusal states the reason and the legal basis,
// and is copied to the IT unit of the provider's province (D47-48).
func TestRefuseNeedsReasonAndLegalBasisAndNotifiesITUnit(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		r := e.mustRequest(t)
		_, err := e.store.Refuse(ctx, e.p["stc"], r.ID, sharing.RefuseInput{LegalBasis: "Khoản 2 Điều 16 NĐ 194/2025"})
		wantErr(t, err, platform.EInvalid, "reason_required", "reason")
		_, err = e.store.Refuse(ctx, e.p["stc"], r.ID, sharing.RefuseInput{Reason: "Dữ liệu có thông tin cá nhân nhạy cảm", LegalBasis: "  "})
		wantErr(t, err, platform.EInvalid, "legal_basis_required", "legal_basis")
		if got, _ := e.store.Request(ctx, e.p["stc"], r.ID); got.State != sharing.StateSubmitted {
			t.Fatal("an invalid refusal changed the request")
		}
		got, err := e.store.Refuse(ctx, e.p["stc"], r.ID, sharing.RefuseInput{Reason: "Dữ liệu có thông tin cá nhân nhạy cảm",
			LegalBasis: "Khoản 2 Điều 16 NĐ 194/2025; NĐ 13/2023"})
		if err != nil {
			t.Fatal(err)
		}
		if got.State != sharing.StateRefused || got.RefusalReason == "" || got.RefusalLegalBasis == "" || got.OnTime == nil || !*got.OnTime {
			t.Fatalf("%+v", got)
		}
		consumer, _ := e.store.Inbox(ctx, e.p["syt"], "vi", sharing.InboxFilter{})
		if len(consumer.Items) != 1 || consumer.Items[0].Kind != "request.refused" || !strings.Contains(consumer.Items[0].Body, "NĐ 13/2023") {
			t.Fatalf("consumer inbox %+v", consumer.Items)
		}
		it, _ := e.store.Inbox(ctx, e.p["danang.it"], "vi", sharing.InboxFilter{})
		found := false
		for _, n := range it.Items {
			found = found || n.Kind == "request.refused.oversight" && !n.ForOrg
		}
		if !found {
			t.Fatalf("the IT unit of the province did not get the refusal: %+v", it.Items)
		}
		if other, _ := e.store.Inbox(ctx, e.p["qn.it"], "vi", sharing.InboxFilter{}); len(other.Items) != 0 {
			t.Fatalf("another province's IT unit was notified: %+v", other.Items)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM mail_outbox WHERE to_addr = 'danang.it@example.gov.vn'`); n != 1 {
			t.Fatalf("mails to the IT unit: %d", n)
		}
	})
}

func TestWithdrawBeforeDecision(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		r := e.mustRequest(t)
		_, err := e.store.Withdraw(ctx, e.p["stc"], r.ID)
		wantErr(t, err, platform.EForbidden, "forbidden", "")
		got, err := e.store.Withdraw(ctx, e.p["syt"], r.ID)
		if err != nil || got.State != sharing.StateWithdrawn || got.WithdrawnAt == nil {
			t.Fatalf("%+v %v", got, err)
		}
		_, _, err = e.store.Approve(ctx, e.p["stc"], r.ID, sharing.ApproveInput{})
		wantErr(t, err, platform.EConflict, "not_pending", "")
		_, err = e.store.Withdraw(ctx, e.p["syt"], r.ID)
		wantErr(t, err, platform.EConflict, "not_pending", "")
		inbox, _ := e.store.Inbox(ctx, e.p["stc"], "en", sharing.InboxFilter{})
		if len(inbox.Items) != 2 || inbox.Items[0].Kind != "request.withdrawn" || inbox.Items[1].Kind != "request.submitted" {
			t.Fatalf("provider inbox %+v", inbox.Items)
		}
	})
}

func TestDecisionOutsideTheProviderChangesNothing(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		r := e.mustRequest(t)
		before := e.count(t, `SELECT COUNT(*) FROM notifications`)
		// The requester sees the request but may not decide it.
		_, _, err := e.store.Approve(ctx, e.p["syt"], r.ID, sharing.ApproveInput{})
		wantErr(t, err, platform.EForbidden, "forbidden", "")
		_, err = e.store.Refuse(ctx, e.p["syt"], r.ID, sharing.RefuseInput{Reason: "không đồng ý cung cấp", LegalBasis: "Điều 16"})
		wantErr(t, err, platform.EForbidden, "forbidden", "")
		// Another provider of the same province sees nothing: not found, its existence is not revealed.
		_, _, err = e.store.Approve(ctx, e.p["snnmt"], r.ID, sharing.ApproveInput{})
		wantErr(t, err, platform.ENotFound, "not_found", "")
		_, _, err = e.store.Approve(ctx, e.p["qn.it"], r.ID, sharing.ApproveInput{})
		wantErr(t, err, platform.ENotFound, "not_found", "")
		got, _ := e.store.Request(ctx, e.p["stc"], r.ID)
		if got.State != sharing.StateSubmitted || got.DecidedAt != nil || e.count(t, `SELECT COUNT(*) FROM connection_accounts`) != 0 ||
			e.count(t, `SELECT COUNT(*) FROM notifications`) != before {
			t.Fatal("a refused decision changed something")
		}
		// The IT unit of the province may decide for its agencies.
		if _, _, err := e.store.Approve(ctx, e.p["danang.it"], r.ID, sharing.ApproveInput{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestUnknownItemsAndUnpublishedServicesAreRefused(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := e.input("ma_so_dn", "so_cccd_chu_so_huu")
		_, err := e.store.CreateRequest(ctx, e.p["syt"], in)
		wantErr(t, err, platform.EInvalid, "unknown_item", "items")
		in = e.input()
		in.Items = nil
		_, err = e.store.CreateRequest(ctx, e.p["syt"], in)
		wantErr(t, err, platform.EInvalid, "required", "items")
		for _, id := range []int64{svcRetired, svcDraft} {
			in := e.input()
			in.ServiceID = id
			_, err := e.store.CreateRequest(ctx, e.p["syt"], in)
			wantErr(t, err, platform.EInvalid, "service_not_available", "service_id")
		}
		in = e.input()
		in.ServiceID = 99
		_, err = e.store.CreateRequest(ctx, e.p["syt"], in)
		wantErr(t, err, platform.EInvalid, "unknown_service", "service_id")
		in = e.input()
		in.Purpose = "ngắn"
		_, err = e.store.CreateRequest(ctx, e.p["syt"], in)
		wantErr(t, err, platform.EInvalid, "", "purpose")
		in = e.input()
		in.ConsumerOrgID = e.orgs["QN.SYT"].ID
		_, err = e.store.CreateRequest(ctx, e.p["syt"], in)
		wantErr(t, err, platform.EForbidden, "forbidden", "")
		if n := e.count(t, `SELECT COUNT(*) FROM connection_requests`); n != 0 {
			t.Fatalf("%d requests filed", n)
		}
		// A service retired after the request cannot be approved.
		r := e.mustRequest(t)
		s, _ := e.svc.ServiceInfo(ctx, svcLookup)
		s.Status = "retired"
		e.svc.set(s)
		_, _, err = e.store.Approve(ctx, e.p["stc"], r.ID, sharing.ApproveInput{})
		wantErr(t, err, platform.EInvalid, "service_not_available", "service_id")
		// Two pending requests of one application for one service are one too many.
		s.Status = "published"
		e.svc.set(s)
		_, err = e.store.CreateRequest(ctx, e.p["syt"], e.input())
		wantErr(t, err, platform.EConflict, "duplicate_request", "")
	})
}

// Concurrent approvals of one request: exactly one wins (the conditional
// UPDATE ... WHERE state = 'submitted'), one account exists.
func TestConcurrentApprovalsExactlyOneWins(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for round := 0; round < 3; round++ {
			in := e.input()
			in.ApplicationName = "App " + string(rune('A'+round))
			r, err := e.store.CreateRequest(ctx, e.p["syt"], in)
			if err != nil {
				t.Fatal(err)
			}
			const n = 8
			var wg sync.WaitGroup
			errs := make([]error, n)
			keys := make([]string, n)
			start := make(chan struct{})
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					<-start
					who := []string{"stc", "danang.it", "admin"}[i%3]
					_, keys[i], errs[i] = e.store.Approve(ctx, e.p[who], r.ID, sharing.ApproveInput{Items: []string{"ma_so_dn"}})
				}(i)
			}
			close(start)
			wg.Wait()
			won := 0
			for i, err := range errs {
				switch {
				case err == nil:
					won++
					if keys[i] == "" {
						t.Fatal("the winner got no key")
					}
				case platform.ErrorClass(err) != platform.EConflict:
					t.Fatalf("loser %d: want conflict, got %v", i, err)
				}
			}
			if won != 1 {
				t.Fatalf("round %d: %d approvals won", round, won)
			}
			if c := e.count(t, `SELECT COUNT(*) FROM connection_accounts WHERE request_id = $1`, r.ID); c != 1 {
				t.Fatalf("round %d: %d accounts", round, c)
			}
			if c := e.count(t, `SELECT COUNT(*) FROM notifications WHERE request_id = $1 AND kind = 'request.approved'`, r.ID); c != 1 {
				t.Fatalf("round %d: %d approval notifications", round, c)
			}
		}
	})
}

func TestRotateAndRevoke(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		changes := 0
		e.store.OnChange(func(context.Context) { changes++ })
		r := e.mustRequest(t)
		a, key1, err := e.store.Approve(ctx, e.p["stc"], r.ID, sharing.ApproveInput{})
		if err != nil {
			t.Fatal(err)
		}
		// The provider does not hold the key: only the consumer rotates it.
		_, _, err = e.store.RotateKey(ctx, e.p["stc"], a.ID)
		wantErr(t, err, platform.EForbidden, "forbidden", "")
		_, _, err = e.store.RotateKey(ctx, e.p["qn.it"], a.ID)
		wantErr(t, err, platform.ENotFound, "not_found", "")
		a2, key2, err := e.store.RotateKey(ctx, e.p["syt"], a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if key2 == key1 || a2.KeyPrefix == a.KeyPrefix || a2.RotatedAt == nil {
			t.Fatalf("rotation kept the key: %q %q", key1, key2)
		}
		ga, _ := e.store.GatewayAccounts(ctx)
		if ga[0].KeyHash != platform.HashSecret(key2) {
			t.Fatal("the gateway still sees the old key")
		}
		_, err = e.store.Revoke(ctx, e.p["stc"], a.ID, sharing.RevokeInput{Reason: " "})
		wantErr(t, err, platform.EInvalid, "reason_required", "reason")
		_, err = e.store.Revoke(ctx, e.p["snnmt"], a.ID, sharing.RevokeInput{Reason: "không còn nhu cầu"})
		wantErr(t, err, platform.ENotFound, "not_found", "")
		rv, err := e.store.Revoke(ctx, e.p["stc"], a.ID, sharing.RevokeInput{Reason: "Vi phạm quy chế khai thác"})
		if err != nil {
			t.Fatal(err)
		}
		if rv.Status != sharing.AccountRevoked || rv.RevokedAt == nil || rv.StatusReason != "Vi phạm quy chế khai thác" {
			t.Fatalf("%+v", rv)
		}
		ga, _ = e.store.GatewayAccounts(ctx)
		if ga[0].Status != "revoked" || ga[0].StatusReason != "Vi phạm quy chế khai thác" {
			t.Fatalf("gateway %+v", ga[0])
		}
		_, _, err = e.store.RotateKey(ctx, e.p["syt"], a.ID)
		wantErr(t, err, platform.EConflict, "account_not_active", "")
		_, err = e.store.Revoke(ctx, e.p["syt"], a.ID, sharing.RevokeInput{Reason: "không còn nhu cầu"})
		wantErr(t, err, platform.EConflict, "account_not_active", "")
		if changes != 3 {
			t.Fatalf("OnChange called %d times, want 3 (approve, rotate, revoke)", changes)
		}
		// The consumer learns of the provider's revocation.
		inbox, _ := e.store.Inbox(ctx, e.p["syt"], "en", sharing.InboxFilter{})
		if inbox.Items[0].Kind != "account.revoked" || !strings.Contains(inbox.Items[0].Body, "Vi phạm") {
			t.Fatalf("%+v", inbox.Items[0])
		}
		// Lists are scoped: the consumer and provider see it, the other province does not.
		for who, want := range map[string]int{"syt": 1, "stc": 1, "danang.it": 1, "qn.it": 0, "snnmt": 0, "admin": 1} {
			res, err := e.store.ListAccounts(ctx, e.p[who], sharing.AccountFilter{})
			if err != nil || len(res.Items) != want {
				t.Errorf("%s sees %d accounts (%v), want %d", who, len(res.Items), err, want)
			}
		}
	})
}

func TestRemindersNearingAndOverdue(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		file := func(at time.Time, app string) sharing.Request {
			e.setNow(at)
			in := e.input()
			in.ApplicationName = app
			r, err := e.store.CreateRequest(ctx, e.p["syt"], in)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		old := file(time.Date(2026, 2, 24, 9, 0, 0, 0, vn), "old")      // due Thu 26/2
		near := file(time.Date(2026, 3, 2, 9, 0, 0, 0, vn), "near")     // due Wed 4/3
		fresh := file(time.Date(2026, 3, 3, 9, 0, 0, 0, vn), "fresh")   // due Thu 5/3
		e.setNow(time.Date(2026, 3, 3, 14, 0, 0, 0, vn))                // Tuesday 3 March
		decided := file(time.Date(2026, 2, 20, 9, 0, 0, 0, vn), "done") // holiday receipt, due 24/2
		e.setNow(time.Date(2026, 3, 3, 14, 0, 0, 0, vn))
		if _, err := e.store.Withdraw(ctx, e.p["syt"], decided.ID); err != nil {
			t.Fatal(err)
		}
		rs, err := e.store.Reminders(ctx, e.p["stc"])
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 2 || rs[0].ID != old.ID || !rs[0].Overdue || rs[1].ID != near.ID || !rs[1].Nearing || rs[1].WorkingDaysLeft != 1 {
			t.Fatalf("reminders %+v", rs)
		}
		for who, want := range map[string]int{"danang.it": 2, "qn.it": 0, "syt": 0, "snnmt": 0} {
			if rs, _ := e.store.Reminders(ctx, e.p[who]); len(rs) != want {
				t.Errorf("%s: %d reminders, want %d", who, len(rs), want)
			}
		}
		res, err := e.store.ListRequests(ctx, e.p["syt"], sharing.RequestFilter{Overdue: true})
		if err != nil || len(res.Items) != 1 || res.Items[0].ID != old.ID {
			t.Fatalf("overdue filter %+v %v", res.Items, err)
		}
		res, _ = e.store.ListRequests(ctx, e.p["syt"], sharing.RequestFilter{State: sharing.StateSubmitted})
		if len(res.Items) != 3 || res.Items[0].ID != fresh.ID {
			t.Fatalf("state filter %+v", res.Items)
		}
		_, err = e.store.ListRequests(ctx, e.p["syt"], sharing.RequestFilter{State: "lost"})
		wantErr(t, err, platform.EInvalid, "invalid_state", "state")
		// Inbox reminders once a day.
		n, err := e.store.RemindDue(ctx)
		if err != nil || n != 2 {
			t.Fatalf("reminded %d, %v", n, err)
		}
		if n, _ := e.store.RemindDue(ctx); n != 0 {
			t.Fatalf("reminded twice the same day: %d", n)
		}
		e.setNow(time.Date(2026, 3, 4, 8, 0, 0, 0, vn))
		if n, _ := e.store.RemindDue(ctx); n != 3 {
			t.Fatalf("next day: reminded %d, want 3", n)
		}
		kinds := map[string]int{}
		inbox, _ := e.store.Inbox(ctx, e.p["stc"], "en", sharing.InboxFilter{})
		for _, it := range inbox.Items {
			kinds[it.Kind]++
		}
		if kinds["request.overdue"] != 2 || kinds["request.nearing"] != 3 {
			t.Fatalf("reminder kinds %v", kinds)
		}
	})
}

func TestInboxReadState(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.mustRequest(t)
		in := e.input()
		in.ApplicationName = "second"
		if _, err := e.store.CreateRequest(ctx, e.p["syt"], in); err != nil {
			t.Fatal(err)
		}
		if n, _ := e.store.UnreadCount(ctx, e.p["stc"]); n != 2 {
			t.Fatalf("unread %d", n)
		}
		if n, _ := e.store.UnreadCount(ctx, e.p["syt"]); n != 0 {
			t.Fatalf("requester unread %d", n)
		}
		inbox, _ := e.store.Inbox(ctx, e.p["stc"], "vi", sharing.InboxFilter{})
		if !strings.HasPrefix(inbox.Items[0].Title, "Yêu cầu kết nối mới") || !strings.HasPrefix(inbox.Items[0].Link, "/requests/") {
			t.Fatalf("%+v", inbox.Items[0])
		}
		// Someone else's notification is not found.
		err := e.store.MarkRead(ctx, e.p["syt"], inbox.Items[0].ID)
		wantErr(t, err, platform.ENotFound, "not_found", "")
		if err := e.store.MarkRead(ctx, e.p["stc"], inbox.Items[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := e.store.UnreadCount(ctx, e.p["stc"]); n != 1 {
			t.Fatalf("unread after one read %d", n)
		}
		unread, _ := e.store.Inbox(ctx, e.p["stc"], "vi", sharing.InboxFilter{UnreadOnly: true})
		if len(unread.Items) != 1 || unread.Items[0].ID != inbox.Items[1].ID {
			t.Fatalf("unread list %+v", unread.Items)
		}
		if err := e.store.MarkAllRead(ctx, e.p["stc"]); err != nil {
			t.Fatal(err)
		}
		if n, _ := e.store.UnreadCount(ctx, e.p["stc"]); n != 0 {
			t.Fatalf("unread after all read %d", n)
		}
	})
}
