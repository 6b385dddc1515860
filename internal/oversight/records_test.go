package oversight_test

import (
	"context"
	"testing"

	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// TestTermination checks D47-44: a ground is required, accounts stop at
// once, the consumer and related agencies are told, the record stays.
func TestTermination(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-09-15 09:00"))
		in := oversight.TerminationInput{ServiceID: w.svc.ID, ConsumerOrgID: w.syt.ID, Detail: "The licensing procedure moved to the national portal"}
		_, err := w.store.Terminate(ctx, w.provider, in)
		wantErr(t, err, platform.EInvalid, "reason_required", "reason")
		in.Reason = "tired"
		_, err = w.store.Terminate(ctx, w.provider, in)
		wantErr(t, err, platform.EInvalid, "reason_required", "reason")
		in.Reason = oversight.ReasonNoLongerNeeded
		_, err = w.store.Terminate(ctx, w.consumer, in)
		wantErr(t, err, platform.EForbidden, "forbidden", "")
		if count(t, db, "terminations") != 0 || len(w.accounts.terminated) != 0 {
			t.Fatal("a refused termination changed something")
		}
		in.RelatedOrgIDs = []int64{w.gd.ID}
		term := must[oversight.Termination](t)(w.store.Terminate(ctx, w.provider, in))
		if len(term.AccountIDs) != 1 || term.AccountIDs[0] != 1 || term.AccountsStoppedAt == nil {
			t.Fatalf("termination: %+v", term)
		}
		if len(w.accounts.terminated) != 1 || w.accounts.list[0].Status != oversight.AccountTerminated {
			t.Fatal("the account did not stop")
		}
		for _, org := range []int64{w.syt.ID, w.dn.ID, w.gd.ID} {
			if len(w.notifier.to(org, "termination")) != 1 {
				t.Fatalf("org %d not told", org)
			}
		}
		// Nothing left to terminate.
		_, err = w.store.Terminate(ctx, w.provider, in)
		wantErr(t, err, platform.EInvalid, "no_active_account", "consumer_org_id")
		// The consumer reads the record; another province does not.
		must[oversight.Termination](t)(w.store.Termination(ctx, w.consumer, term.ID))
		_, err = w.store.Termination(ctx, w.qnIT, term.ID)
		wantErr(t, err, platform.ENotFound, "not_found", "")
		list := must[platform.PageResult[oversight.Termination]](t)(w.store.ListTerminations(ctx, w.auditor, platform.Page{}))
		if len(list.Items) != 1 {
			t.Fatalf("list: %d", len(list.Items))
		}
	})
}

// TestQualityReview checks D47-16: the sharing use is pre-filled from the
// log, the report is due on 31 December, the IT unit sees who is late.
func TestQualityReview(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-11-20 09:00"))
		w.calls.counts = []oversight.CallCount{
			{Month: "2026-03", ServiceID: 11, ProviderOrgID: w.stc.ID, ConsumerOrgID: w.syt.ID, Calls: 1200, Errors: 12},
			{Month: "2026-04", ServiceID: 11, ProviderOrgID: w.stc.ID, ConsumerOrgID: w.syt.ID, Calls: 800, Errors: 8},
			{Month: "2026-04", ServiceID: 11, ProviderOrgID: w.stc.ID, ConsumerOrgID: w.hcc.ID, Calls: 300},
			{Month: "2026-04", ServiceID: 12, ProviderOrgID: w.stc.ID, ConsumerOrgID: w.syt.ID, Calls: 999}, // another database
		}
		qr := must[oversight.QualityReview](t)
		_, err := w.store.StartQualityReview(ctx, w.provider, oversight.NewQualityReview{DatabaseID: 21, Year: 2027})
		wantErr(t, err, platform.EInvalid, "invalid_year", "year")
		_, err = w.store.StartQualityReview(ctx, w.consumer, oversight.NewQualityReview{DatabaseID: 21, Year: 2026})
		wantErr(t, err, platform.EForbidden, "forbidden", "")
		q := qr(w.store.StartQualityReview(ctx, w.provider, oversight.NewQualityReview{DatabaseID: 21, Year: 2026}))
		if q.DueOn != "2026-12-31" || q.RuleID != "D47-16.4" || q.ItemCount != 42 || q.ITUnitOrgID != w.dn.ID {
			t.Fatalf("review: %+v", q)
		}
		if len(q.Usage) != 2 || q.Usage[0].ConsumerOrgID != w.syt.ID || q.Usage[0].Calls != 2000 || q.Usage[0].Errors != 20 ||
			len(q.Usage[0].Purposes) != 1 || q.Usage[0].Purposes[0] != "Licensing of clinics" || q.Usage[1].Calls != 300 {
			t.Fatalf("usage pre-filled from the log: %+v", q.Usage)
		}
		_, err = w.store.StartQualityReview(ctx, w.provider, oversight.NewQualityReview{DatabaseID: 21, Year: 2026})
		wantErr(t, err, platform.EInvalid, "review_exists", "year")
		// The overview shows both databases; none submitted yet, not late yet.
		ov := must[oversight.QualityOverview](t)(w.store.QualityOverview(ctx, w.itDN, 2026))
		if len(ov.Rows) != 2 || ov.Late != 0 || ov.Missing != 1 {
			t.Fatalf("overview: %+v", ov)
		}
		// Submitting needs the parts of D47-16.2.
		_, err = w.store.SubmitQualityReview(ctx, w.provider, q.ID, nil)
		wantErr(t, err, platform.EInvalid, "required", "compliance")
		n := int64(-1)
		in := q.QualityReviewInput
		in.ErrorsFound = &n
		_, err = w.store.UpdateQualityReview(ctx, w.provider, q.ID, in)
		wantErr(t, err, platform.EInvalid, "negative", "errors_found")
		total, checked, errs := int64(120000), int64(5000), int64(37)
		in = oversight.QualityReviewInput{ItemCount: 42, Inventory: "42 items, 3 new in 2026", Compliance: "Follows the national data dictionary v1.0",
			Accuracy: "Sample of 5,000 records checked against paper files", Integrity: "No orphan records", Anomalies: "37 owner names truncated",
			RecordsTotal: &total, RecordsChecked: &checked, ErrorsFound: &errs, Maintenance: "Weekly backups; access log kept 2 years",
			ProposedActions: "Widen the owner field; re-import affected records"}
		q = qr(w.store.SubmitQualityReview(ctx, w.provider, q.ID, &in))
		if q.State != oversight.QualitySubmitted || q.OnTime == nil || !*q.OnTime || len(w.notifier.to(w.dn.ID, "quality.submitted")) != 1 {
			t.Fatalf("submitted: %+v", q)
		}
		_, err = w.store.UpdateQualityReview(ctx, w.provider, q.ID, in)
		wantErr(t, err, platform.EConflict, "review_submitted", "")
		q = qr(w.store.AcknowledgeQualityReview(ctx, w.itDN, q.ID, oversight.AcknowledgeInput{Feedback: "Accepted; include in the 2027 plan"}))
		if q.State != oversight.QualityAcknowledged {
			t.Fatal("not acknowledged")
		}
		must[oversight.QualityPlan](t)(w.store.SetQualityPlan(ctx, w.itDN, oversight.PlanInput{OrgID: w.dn.ID, Year: 2026,
			Plan: "Check every shared database by 15 December"}))
		// In January the other database is late.
		w.now = vn("2027-01-05 09:00")
		ov = must[oversight.QualityOverview](t)(w.store.QualityOverview(ctx, w.itDN, 2026))
		if ov.Late != 1 || ov.Submitted != 1 || len(ov.Plans) != 1 {
			t.Fatalf("overview in January: %+v", ov)
		}
	})
}

// TestStatistics aggregates per province and per organisation.
func TestStatistics(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-09-15 09:00"))
		w.calls.counts = []oversight.CallCount{
			{Month: "2026-08", ServiceID: 11, ProviderOrgID: w.stc.ID, ConsumerOrgID: w.syt.ID, Calls: 1000, Errors: 50},
			{Month: "2026-09", ServiceID: 11, ProviderOrgID: w.stc.ID, ConsumerOrgID: w.hcc.ID, Calls: 500, Errors: 0},
			{Month: "2026-09", ServiceID: 13, ProviderOrgID: w.qnyt.ID, ConsumerOrgID: w.syt.ID, Calls: 100, Errors: 10},
		}
		w.requests.counts = []oversight.RequestCount{{ProviderOrgID: w.stc.ID, ConsumerOrgID: w.syt.ID, Received: 4, Decided: 3, DecidedOnTime: 2, Overdue: 1}}
		must[oversight.Obstacle](t)(w.store.FileObstacle(ctx, w.consumer, obstacleInput(w)))
		// Two agreements in force on the same service: a candidate for default sharing.
		for _, consumer := range []int64{w.syt.ID, w.hcc.ID} {
			a := must[oversight.Agreement](t)(w.store.CreateAgreement(ctx, w.itDN, oversight.AgreementInput{ServiceID: w.svc.ID,
				ConsumerOrgID: consumer, Title: "Business data", Justification: "No default service covers it", Terms: fullTerms()}))
			must[oversight.Agreement](t)(w.store.StartDrafting(ctx, w.provider, a.ID))
			// The province's IT administrator acts for both sides and says which.
			_, err := w.store.Confirm(ctx, w.itDN, a.ID, 1, oversight.ConfirmInput{})
			wantErr(t, err, platform.EInvalid, "org_required", "org_id")
			must[oversight.Agreement](t)(w.store.Confirm(ctx, w.itDN, a.ID, 1, oversight.ConfirmInput{OrgID: w.stc.ID}))
			must[oversight.Agreement](t)(w.store.Confirm(ctx, w.itDN, a.ID, 1, oversight.ConfirmInput{OrgID: consumer}))
		}
		st := must[oversight.SharingStatistics](t)(w.store.Statistics(ctx, oversight.StatsFilter{Months: 3}))
		if st.From != "2026-07" || st.To != "2026-09" || len(st.ByMonth) != 3 || st.ByMonth[1].Calls != 1000 || st.ByMonth[1].ErrorRate != 5 {
			t.Fatalf("months: %s..%s %+v", st.From, st.To, st.ByMonth)
		}
		if st.Totals.Calls != 1600 || st.Totals.ServicesPublished != 2 || st.Totals.RequestsReceived != 4 || st.Totals.AccountsActive != 2 ||
			st.Totals.ObstaclesOpen != 1 || st.Totals.AgreementsInForce != 2 || st.Totals.OnTimeRate != 66.7 {
			t.Fatalf("totals: %+v", st.Totals)
		}
		if len(st.Jurisdictions) != 2 || st.Jurisdictions[0].OrgID != w.dn.ID || st.Jurisdictions[0].Calls != 1500 || st.Jurisdictions[1].OrgID != w.qn.ID {
			t.Fatalf("jurisdictions: %+v", st.Jurisdictions)
		}
		if len(st.Agreements) != 1 || !st.Agreements[0].Candidate || st.Agreements[0].InForce != 2 {
			t.Fatalf("agreements per service: %+v", st.Agreements)
		}
		if st.Obstacles[0].Open != 1 {
			t.Fatalf("obstacles: %+v", st.Obstacles)
		}
		dn := must[oversight.SharingStatistics](t)(w.store.Statistics(ctx, oversight.StatsFilter{JurisdictionID: w.dn.ID}))
		if dn.Jurisdiction == nil || len(dn.Orgs) != 1 || dn.Orgs[0].OrgID != w.stc.ID {
			t.Fatalf("per organisation in Da Nang: %+v", dn.Orgs)
		}
		_, err := w.store.Statistics(ctx, oversight.StatsFilter{Months: 99})
		wantErr(t, err, platform.EInvalid, "invalid_months", "months")
	})
}

// TestCalendarAndDigest: the calendar lists the organisation's deadlines;
// the digest goes out once a day per organisation, whatever the number of runs.
func TestCalendarAndDigest(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-09-07 06:00"))
		must[oversight.Obstacle](t)(w.store.FileObstacle(ctx, w.consumer, obstacleInput(w)))
		must[oversight.ListReview](t)(w.store.RecordListReview(ctx, w.itDN, oversight.ListReviewInput{OrgID: w.dn.ID, Kind: oversight.ListDefaultShared,
			ReviewedOn: "2026-03-01", Note: "Reviewed with every department"}))
		_, err := w.store.RecordListReview(ctx, w.itDN, oversight.ListReviewInput{OrgID: w.dn.ID, Kind: oversight.ListOpenData,
			ReviewedOn: "2026-12-01", Note: "Future review"})
		wantErr(t, err, platform.EInvalid, "in_future", "reviewed_on")
		cal := must[oversight.CalendarView](t)(w.store.Calendar(ctx, w.provider, 0, 120))
		kinds := map[string]bool{}
		for _, d := range append(cal.Overdue, cal.Upcoming...) {
			kinds[d.Kind] = true
			if d.OrgID != w.stc.ID {
				t.Fatalf("a deadline of another organisation: %+v", d)
			}
		}
		if !kinds["obstacle_answer"] || !kinds["quality_report"] {
			t.Fatalf("provider's calendar: %+v", cal)
		}
		itCal := must[oversight.CalendarView](t)(w.store.Calendar(ctx, w.itDN, 0, 120))
		var dnLists int
		for _, l := range itCal.Lists {
			if l.OrgID == w.dn.ID {
				dnLists++
				if l.Kind == oversight.ListDefaultShared && (l.NextDue != "2026-09-01" || !l.Overdue) {
					t.Fatalf("default-shared list due 6 months after 1/3: %+v", l)
				}
			}
		}
		if dnLists != 2 {
			t.Fatalf("lists: %+v", itCal.Lists)
		}
		// Before 7:00 no digest; after, one per organisation and day.
		if rep := must[oversight.RunReport](t)(w.sched.RunOnce(ctx, w.now)); rep.Digests != 0 {
			t.Fatal("digest before the hour")
		}
		w.now = vn("2026-09-07 07:30")
		rep := must[oversight.RunReport](t)(w.sched.RunOnce(ctx, w.now))
		if rep.Digests == 0 || len(w.notifier.to(w.dn.ID, "digest")) != 1 {
			t.Fatalf("digests: %d", rep.Digests)
		}
		w.now = vn("2026-09-07 16:00")
		if rep := must[oversight.RunReport](t)(w.sched.RunOnce(ctx, w.now)); rep.Digests != 0 {
			t.Fatal("a second digest the same day")
		}
	})
}
