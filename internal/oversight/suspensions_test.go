package oversight_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// TestMaintenanceNotice checks D47-43.1a: planned maintenance is announced
// at least 7 working days before it starts, counted across holidays.
func TestMaintenanceNotice(t *testing.T) {
	cases := []struct {
		name     string
		now      string // announcement, Vietnam time
		start    string
		ok       bool
		earliest string // in the refusal
	}{
		// Mon 31/8/2026; 2-3/9 are National Day holidays: the 7th working day after is Fri 11/9.
		{"national day: 6 working days", "2026-08-31 10:00", "2026-09-11T22:00", false, "12/09/2026"},
		{"national day: 7 working days", "2026-08-31 10:00", "2026-09-12T00:00", true, ""},
		// Mon 1/2/2027; Tết closes 5-11/2: the 7th working day after is Wed 17/2.
		{"tet 2027: 6 working days", "2027-02-01 09:00", "2027-02-17T20:00", false, "18/02/2027"},
		{"tet 2027: 7 working days", "2027-02-01 09:00", "2027-02-18T06:00", true, ""},
		{"start in the past", "2026-08-31 10:00", "2026-08-30T10:00", false, ""},
	}
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-08-31 10:00"))
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w.now = vn(c.now)
				before := count(t, db, "suspensions")
				start, _ := time.ParseInLocation("2006-01-02T15:04", c.start, time.FixedZone("ICT", 7*3600))
				in := oversight.SuspensionInput{ServiceID: w.svc.ID, Kind: oversight.KindMaintenance, Start: c.start,
					RestoreAt: start.Add(6 * time.Hour).Format(time.RFC3339), Reason: "Database server upgrade and index rebuild"}
				got, err := w.store.CreateSuspensions(ctx, w.provider, in)
				if !c.ok {
					code := "notice_too_short"
					if c.earliest == "" {
						code = "in_past"
					}
					e := wantErr(t, err, platform.EInvalid, code, "start")
					if c.earliest != "" && !strings.Contains(e.Message, c.earliest) {
						t.Fatalf("the refusal must name the earliest allowed start %s: %q", c.earliest, e.Message)
					}
					if c.earliest != "" && e.Extra["earliest_start"] == nil {
						t.Fatal("earliest_start missing from the problem")
					}
					if n := count(t, db, "suspensions"); n != before {
						t.Fatalf("a refused suspension changed the table: %d -> %d", before, n)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 || got[0].ConsumerOrgID != 0 || got[0].Status != oversight.SuspensionScheduled || got[0].RuleID != "D47-43.1a" {
					t.Fatalf("unexpected suspension %+v", got)
				}
				// Every consumer holding an active account of the service is told.
				if len(w.notifier.to(w.syt.ID, "suspension.maintenance")) == 0 || len(w.notifier.to(w.hcc.ID, "suspension.maintenance")) == 0 {
					t.Fatal("consumers were not notified")
				}
				// The gateway sees it before and during, not after restoration.
				open := must[[]oversight.Suspension](t)(w.store.ActiveAndScheduledSuspensions(ctx))
				found := false
				for _, x := range open {
					found = found || x.ID == got[0].ID
				}
				if !found {
					t.Fatal("scheduled suspension missing from the gateway list")
				}
				x := got[0]
				if x.ActiveAt(x.Start.Add(-time.Second)) || !x.ActiveAt(x.Start) || x.ActiveAt(x.RestoreAt) {
					t.Fatal("enforcement window is not [start, restore_at)")
				}
			})
		}
		// The public notices list the announcement.
		w.now = vn("2026-08-31 11:00")
		pub := must[platform.PageResult[oversight.Suspension]](t)(w.store.ListSuspensions(ctx, nil, oversight.SuspensionFilter{Public: true}))
		if len(pub.Items) != 2 {
			t.Fatalf("public notices: %d", len(pub.Items))
		}
	})
}

func TestMaintenanceBadInput(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-08-31 10:00"))
		base := oversight.SuspensionInput{ServiceID: w.svc.ID, Kind: oversight.KindMaintenance, Start: "2026-09-20T22:00",
			RestoreAt: "2026-09-21T02:00", Reason: "Database server upgrade"}
		cases := []struct {
			name   string
			change func(in *oversight.SuspensionInput)
			field  string
		}{
			{"no restoration time", func(in *oversight.SuspensionInput) { in.RestoreAt = "" }, "restore_at"},
			{"restoration before start", func(in *oversight.SuspensionInput) { in.RestoreAt = "2026-09-20T21:00" }, "restore_at"},
			{"no reason", func(in *oversight.SuspensionInput) { in.Reason = "" }, "reason"},
			{"bad kind", func(in *oversight.SuspensionInput) { in.Kind = "holiday" }, "kind"},
			{"consumer named", func(in *oversight.SuspensionInput) { in.ConsumerOrgIDs = []int64{w.syt.ID} }, "consumer_org_ids"},
			{"unknown service", func(in *oversight.SuspensionInput) { in.ServiceID = 999 }, "service_id"},
			{"bad time", func(in *oversight.SuspensionInput) { in.Start = "next monday" }, "start"},
		}
		for _, c := range cases {
			in := base
			c.change(&in)
			_, err := w.store.CreateSuspensions(ctx, w.provider, in)
			wantErr(t, err, platform.EInvalid, "", c.field)
		}
		// Only the provider side may suspend.
		_, err := w.store.CreateSuspensions(ctx, w.consumer, base)
		wantErr(t, err, platform.EForbidden, "forbidden", "")
		if n := count(t, db, "suspensions"); n != 0 {
			t.Fatalf("bad input changed the table: %d rows", n)
		}
	})
}

// TestViolationNotice checks D47-43.5: the notice to the consumer states the
// violation, the handling and what is needed to restore, and is due within
// 1 day of the discovery; the record shows whether it was sent in time.
func TestViolationNotice(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-09-09 10:00")) // Wednesday
		in := oversight.SuspensionInput{ServiceID: w.svc.ID, Kind: oversight.KindViolation, ConsumerOrgIDs: []int64{w.syt.ID},
			Reason: "Data was copied into an unregistered application", Handling: "Access suspended pending an audit",
			RestoreRequirements: "Delete the copies and send a deletion record", DiscoveredAt: "2026-09-08T18:00"}
		got := must[[]oversight.Suspension](t)(w.store.CreateSuspensions(ctx, w.provider, in))
		if len(got) != 1 || got[0].NoticeOnTime == nil || !*got[0].NoticeOnTime || got[0].NoticeDueOn != "2026-09-09" || got[0].Status != oversight.SuspensionActive {
			t.Fatalf("on-time notice: %+v", got[0])
		}
		n := w.notifier.to(w.syt.ID, "suspension.violation")
		if len(n) != 1 || !strings.Contains(n[0].Body, "Delete the copies") || !strings.Contains(n[0].Body, "pending an audit") {
			t.Fatalf("the notice must state the handling and what restores the connection: %+v", n)
		}
		if len(w.notifier.to(w.hcc.ID, "")) != 0 {
			t.Fatal("another consumer was told about a violation")
		}
		// Found on Monday, noticed on Wednesday: late.
		in.DiscoveredAt = "2026-09-07T09:00"
		in.ConsumerOrgIDs = []int64{w.hcc.ID}
		late := must[[]oversight.Suspension](t)(w.store.CreateSuspensions(ctx, w.provider, in))
		if late[0].NoticeOnTime == nil || *late[0].NoticeOnTime || late[0].NoticeDueOn != "2026-09-08" {
			t.Fatalf("late notice not flagged: %+v", late[0])
		}
		// Missing parts of the notice are refused.
		bad := in
		bad.Handling = ""
		_, err := w.store.CreateSuspensions(ctx, w.provider, bad)
		wantErr(t, err, platform.EInvalid, "required", "handling")
		bad = in
		bad.DiscoveredAt = "2026-09-10T09:00"
		_, err = w.store.CreateSuspensions(ctx, w.provider, bad)
		wantErr(t, err, platform.EInvalid, "in_future", "discovered_at")
		// The consumer reads its own, not the other one's; it is not public.
		if _, err := w.store.Suspension(ctx, w.consumer, got[0].ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.store.Suspension(ctx, w.consumer, late[0].ID)
		wantErr(t, err, platform.ENotFound, "not_found", "")
		// Lifting restores it at once and tells the consumer; the gateway list drops it.
		changed := 0
		w.store.OnChange(func(ctx context.Context) { changed++ })
		lifted := must[oversight.Suspension](t)(w.store.LiftSuspension(ctx, w.provider, got[0].ID, oversight.ReasonInput{Reason: "Copies deleted"}))
		if lifted.Status != oversight.SuspensionRestored || changed != 1 {
			t.Fatalf("lift: status %s, hooks %d", lifted.Status, changed)
		}
		for _, x := range must[[]oversight.Suspension](t)(w.store.ActiveAndScheduledSuspensions(ctx)) {
			if x.ID == got[0].ID {
				t.Fatal("a lifted suspension is still sent to the gateway")
			}
		}
		if len(lifted.Events) < 3 {
			t.Fatalf("history: %+v", lifted.Events)
		}
	})
}

// TestRestorationByScheduler: at the restoration time the scheduler records
// the restoration and tells the consumers.
func TestRestorationByScheduler(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-09-09 10:00"))
		got := must[[]oversight.Suspension](t)(w.store.CreateSuspensions(ctx, w.provider, oversight.SuspensionInput{ServiceID: w.svc.ID,
			Kind: oversight.KindForceMajeure, RestoreAt: "2026-09-09T14:00", Reason: "Flooding at the data centre; power cut"}))
		if got[0].Status != oversight.SuspensionActive {
			t.Fatalf("force majeure starts at once: %s", got[0].Status)
		}
		w.now = vn("2026-09-09 14:01")
		rep := must[oversight.RunReport](t)(w.sched.RunOnce(ctx, w.now))
		if rep.Restored != 1 {
			t.Fatalf("restored %d", rep.Restored)
		}
		if rep = must[oversight.RunReport](t)(w.sched.RunOnce(ctx, w.now)); rep.Restored != 0 {
			t.Fatal("restored twice")
		}
		if len(w.notifier.to(w.syt.ID, "suspension.restored")) != 1 {
			t.Fatal("consumer not told of the restoration")
		}
	})
}
