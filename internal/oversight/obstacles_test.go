package oversight_test

import (
	"context"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

func obstacleInput(w *world) oversight.ObstacleInput {
	return oversight.ObstacleInput{Category: oversight.CategoryDataQuality, Title: "Owner names are truncated",
		Description: "Since August the owner field is cut at 50 characters in every response.", ServiceID: w.svc.ID,
		Evidence: []oversight.EvidenceInput{{Kind: "log_entry", LogEntryID: 4711, Note: "a truncated response"},
			{Kind: "link", URL: "https://lgsp.danang.gov.vn/tickets/88"},
			{Kind: "file", FileName: "sample.json", Data: []byte(`{"owner":"Nguyễn"}`)}}}
}

// TestObstacleEscalation walks D47-49: level 1 the provider has 7 working
// days; without an answer the scheduler escalates to the IT unit (level 2,
// 7 working days), then to level 3; only the filer may escalate early.
func TestObstacleEscalation(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-08-31 09:00")) // Monday before National Day
		ob := must[oversight.Obstacle](t)
		o := ob(w.store.FileObstacle(ctx, w.consumer, obstacleInput(w)))
		// 7 working days after Mon 31/8 across 2-3/9: Fri 11/9.
		if o.Level != 1 || o.DueOn != "2026-09-11" || o.RuleID != "D47-49.1" || len(o.Evidence) != 3 {
			t.Fatalf("filed: level %d due %s rule %s evidence %d", o.Level, o.DueOn, o.RuleID, len(o.Evidence))
		}
		if o.Evidence[0].URL != "/log/entries/4711" || o.Evidence[2].SHA256 == "" {
			t.Fatalf("evidence: %+v", o.Evidence)
		}
		if len(w.notifier.to(w.stc.ID, "obstacle.filed")) != 1 {
			t.Fatal("provider not told")
		}
		// Before the deadline only the filer may escalate.
		// (an IT administrator over the provider only, not over the filer)
		itSTC := &identity.Principal{UserID: 98, OrgID: w.stc.ID, OrgPath: w.stc.Path,
			Grants: []identity.Grant{{Role: identity.RoleITAdmin, OrgID: w.stc.ID, OrgPath: w.stc.Path}}}
		_, err := w.store.Escalate(ctx, itSTC, o.ID, oversight.ReasonInput{Reason: "No progress so far"})
		wantErr(t, err, platform.EForbidden, "not_filer_before_deadline", "")
		_, err = w.store.Escalate(ctx, w.provider, o.ID, oversight.ReasonInput{Reason: "No progress so far"})
		wantErr(t, err, platform.EForbidden, "not_filer_before_deadline", "")
		// The scheduler does nothing while the period runs.
		w.now = vn("2026-09-11 23:00")
		if rep := must[oversight.RunReport](t)(w.sched.RunOnce(ctx, w.now)); rep.Escalated != 0 {
			t.Fatal("escalated before the deadline")
		}
		// The day after the deadline, no answer: level 2 at the province's IT unit.
		w.now = vn("2026-09-14 00:05")
		if rep := must[oversight.RunReport](t)(w.sched.RunOnce(ctx, w.now)); rep.Escalated != 1 {
			t.Fatalf("escalated %d", rep.Escalated)
		}
		if rep := must[oversight.RunReport](t)(w.sched.RunOnce(ctx, w.now)); rep.Escalated != 0 {
			t.Fatal("escalated twice")
		}
		// A new store and scheduler on the same database (a restart) see the state.
		restarted := oversight.NewStore(db, w.dir, oversight.Deps{Services: w.services, Accounts: w.accounts, Notifier: w.notifier}, oversight.Config{})
		o = ob(restarted.Obstacle(ctx, w.auditor, o.ID))
		if o.Level != 2 || o.ITUnitID != w.dn.ID || o.DueOn != "2026-09-23" || !o.Events[len(o.Events)-1].Auto {
			t.Fatalf("level 2: %d it %d due %s events %+v", o.Level, o.ITUnitID, o.DueOn, o.Events)
		}
		if len(w.notifier.to(w.dn.ID, "obstacle.escalated")) != 1 {
			t.Fatal("IT unit not told")
		}
		// The provider no longer answers; the IT unit does not answer either: level 3.
		_, err = w.store.AnswerObstacle(ctx, w.provider, o.ID, oversight.AnswerInput{Answer: "We are looking into it now"})
		wantErr(t, err, platform.EForbidden, "forbidden", "")
		w.now = vn("2026-09-24 08:00")
		must[oversight.RunReport](t)(oversight.NewScheduler(restarted, 0, nil).RunOnce(ctx, w.now))
		o = ob(w.store.Obstacle(ctx, w.itDN, o.ID))
		if o.Level != 3 || o.DueOn != "" || !o.Access.Document {
			t.Fatalf("level 3: %+v", o)
		}
		// Level 3: the letter to MIC, then the resolution and its compliance check (D47-50.3).
		_, err = w.store.RecordDocument(ctx, w.itDN, o.ID, oversight.DocumentInput{Kind: oversight.DocMICLetter, Reference: "", Date: "2026-09-24"})
		wantErr(t, err, platform.EInvalid, "required", "reference")
		_, err = w.store.RecordDocument(ctx, w.itDN, o.ID, oversight.DocumentInput{Kind: oversight.DocMICLetter, Reference: "123/UBND-KHCN", Date: "2026-09-30"})
		wantErr(t, err, platform.EInvalid, "in_future", "date")
		o = ob(w.store.RecordDocument(ctx, w.itDN, o.ID, oversight.DocumentInput{Kind: oversight.DocMICLetter, Reference: "123/UBND-KHCN",
			Date: "2026-09-24", Summary: "Request to set a length standard for owner names"}))
		if o.DocReference != "123/UBND-KHCN" {
			t.Fatal("document not recorded")
		}
		o = ob(w.store.Resolve(ctx, w.itDN, o.ID, oversight.ResolveInput{Authority: oversight.AuthorityMIC,
			Resolution: "MIC guidance: owner names up to 200 characters; the provider fixes it by 30/10"}))
		if o.State != oversight.ObstacleResolved || o.ResolvedLevel != 3 || !o.Access.Compliance {
			t.Fatalf("resolved: %+v", o)
		}
		o = ob(w.store.CheckCompliance(ctx, w.itDN, o.ID, oversight.ComplianceInput{Compliant: true, Note: "Responses checked on 2/11"}))
		if o.Compliant == nil || !*o.Compliant || o.ComplianceCheckedAt == nil {
			t.Fatal("compliance check not recorded")
		}
		// Another province does not see it.
		_, err = w.store.Obstacle(ctx, w.qnIT, o.ID)
		wantErr(t, err, platform.ENotFound, "not_found", "")
	})
}

func TestObstacleAnswerAcceptAndEarlyEscalation(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-09-15 09:00"))
		ob := must[oversight.Obstacle](t)
		in := obstacleInput(w)
		// Bad input changes nothing.
		bad := []struct {
			change func(in *oversight.ObstacleInput)
			field  string
		}{
			{func(in *oversight.ObstacleInput) { in.Category = "weather" }, "category"},
			{func(in *oversight.ObstacleInput) { in.Description = "short" }, "description"},
			{func(in *oversight.ObstacleInput) {
				in.Evidence = []oversight.EvidenceInput{{Kind: "link", URL: "javascript:alert(1)"}}
			}, "evidence.url"},
			{func(in *oversight.ObstacleInput) { in.ServiceID = 0; in.ProviderOrgID = w.syt.ID }, "provider_org_id"},
		}
		for _, b := range bad {
			x := in
			b.change(&x)
			_, err := w.store.FileObstacle(ctx, w.consumer, x)
			wantErr(t, err, platform.EInvalid, "", b.field)
		}
		if n := count(t, db, "obstacles"); n != 0 {
			t.Fatalf("bad input changed the table: %d", n)
		}
		// The provider answers, the filer accepts: resolved at level 1 by the provider.
		o := ob(w.store.FileObstacle(ctx, w.consumer, in))
		o = ob(w.store.AnswerObstacle(ctx, w.provider, o.ID, oversight.AnswerInput{Answer: "Fixed in release 2.3 deployed today"}))
		if !strings.Contains(w.notifier.to(w.syt.ID, "obstacle.answered")[0].Body, "release 2.3") {
			t.Fatal("filer not told of the answer")
		}
		o = ob(w.store.AcceptAnswer(ctx, w.consumer, o.ID, oversight.ReasonInput{}))
		if o.State != oversight.ObstacleResolved || o.Authority != oversight.AuthorityProvider || o.ResolvedLevel != 1 {
			t.Fatalf("accepted: %+v", o)
		}
		// The filer may escalate before the deadline.
		o2 := ob(w.store.FileObstacle(ctx, w.consumer, in))
		_, err := w.store.Escalate(ctx, w.consumer, o2.ID, oversight.ReasonInput{Reason: ""})
		wantErr(t, err, platform.EInvalid, "required", "reason")
		o2 = ob(w.store.Escalate(ctx, w.consumer, o2.ID, oversight.ReasonInput{Reason: "The provider refuses to discuss"}))
		if o2.Level != 2 || o2.Events[len(o2.Events)-1].Auto {
			t.Fatalf("early escalation: %+v", o2)
		}
		// Answered obstacles are not escalated automatically.
		w.now = vn("2026-12-01 09:00")
		o3 := ob(w.store.FileObstacle(ctx, w.consumer, in))
		ob(w.store.AnswerObstacle(ctx, w.provider, o3.ID, oversight.AnswerInput{Answer: "Please send a sample request"}))
		w.now = vn("2027-01-20 09:00")
		must[oversight.RunReport](t)(w.sched.RunOnce(ctx, w.now))
		if o3 = ob(w.store.Obstacle(ctx, w.consumer, o3.ID)); o3.Level != 1 {
			t.Fatalf("an answered obstacle was escalated: level %d", o3.Level)
		}
	})
}

// TestCrossProvinceObstacleGoesToLevel3: D47-49.3 — between ministries or
// provinces no single IT unit is competent, so an unanswered obstacle goes
// from the provider straight to level 3.
func TestCrossProvinceObstacleGoesToLevel3(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-08-31 09:00"))
		qnConsumer := &identity.Principal{UserID: 77, OrgID: w.qnyt.ID, OrgPath: w.qnyt.Path,
			Grants: []identity.Grant{{Role: identity.RoleConsumerOfficer, OrgID: w.qnyt.ID, OrgPath: w.qnyt.Path}}}
		o, err := w.store.FileObstacle(ctx, qnConsumer, obstacleInput(w))
		if err != nil {
			t.Fatal(err)
		}
		w.now = vn("2026-09-14 00:05") // the provider's 7 working days have passed
		if _, err := w.sched.RunOnce(ctx, w.now); err != nil {
			t.Fatal(err)
		}
		o, err = w.store.Obstacle(ctx, qnConsumer, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Level != 3 || o.RuleID != "D47-49.3" {
			t.Fatalf("cross-province obstacle at level %d (%s), want 3 (D47-49.3)", o.Level, o.RuleID)
		}
	})
}
