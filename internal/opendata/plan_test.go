package opendata

import (
	"context"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

// D47-19 plan and D47-20.3 cadences: the review every 6 months and the
// update within 3 months of the schedule come from the rules registry.
func TestPlanReviewAndUpdateDeadlines(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ctx := context.Background()
		// Published on Tuesday 3 March 2026, monthly.
		w.db.Now = func() time.Time { return time.Date(2026, 3, 3, 2, 0, 0, 0, time.UTC) }
		d := w.published(t, w.deptA, "Thu ngân sách theo tháng")
		today := workday.MustParseDate("2026-03-10")
		st, err := w.store.Status(ctx, w.deptA.ID, today)
		if err != nil {
			t.Fatal(err)
		}
		// No review yet: counted from the first publication, 6 months (rule),
		// rolled past the National Day holidays (2-3 September 2026).
		rule, _ := rules.Default().At(rules.KeyOpenDataListReview, today)
		if st.NextReview == nil || st.NextReview.RuleID != rule.ID || st.NextReview.Due.String() != "2026-09-04" || st.NextReview.Overdue {
			t.Fatalf("next review %+v", st.NextReview)
		}
		if len(st.Updates) != 1 {
			t.Fatalf("updates %+v", st.Updates)
		}
		u := st.Updates[0]
		// Scheduled one month after the data changed; due 3 months later,
		// rolled to the next working day (3 July 2026 is a Friday).
		if u.Scheduled.String() != "2026-04-03" || u.Deadline == nil || u.Deadline.Due.String() != "2026-07-03" || u.State != "ok" {
			t.Fatalf("update %+v %+v", u, u.Deadline)
		}
		late, _ := w.store.Status(ctx, w.deptA.ID, workday.MustParseDate("2026-05-04"))
		if late.Updates[0].State != "due" {
			t.Errorf("after the schedule: %s", late.Updates[0].State)
		}
		late, _ = w.store.Status(ctx, w.deptA.ID, workday.MustParseDate("2026-07-06"))
		if late.Updates[0].State != "overdue" || late.NextReview.Overdue {
			t.Errorf("after the deadline: %s", late.Updates[0].State)
		}
		// A new file restarts the schedule.
		w.db.Now = func() time.Time { return time.Date(2026, 7, 6, 2, 0, 0, 0, time.UTC) }
		w.upload(t, d, "thang-6.csv", "Tháng,Số thu\n2026-06,12\n")
		st, _ = w.store.Status(ctx, w.deptA.ID, workday.MustParseDate("2026-07-06"))
		if st.Updates[0].State != "ok" || st.Updates[0].Scheduled.String() != "2026-08-06" {
			t.Errorf("after an update: %+v", st.Updates[0])
		}
		// A recorded review restarts the review cadence.
		if _, err := w.store.AddReview(ctx, 0, w.deptA.ID, "2026-07-01", "Rà soát giữa năm"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.store.AddReview(ctx, 0, w.deptA.ID, "2027-01-01", "Tương lai"); errCode(err) != "future_date" {
			t.Errorf("future review: %v", err)
		}
		if _, err := w.store.AddReview(ctx, 0, w.deptA.ID, "2026-07-01", ""); errCode(err) != "required" {
			t.Errorf("review without note: %v", err)
		}
		st, _ = w.store.Status(ctx, w.deptA.ID, workday.MustParseDate("2026-07-06"))
		if st.NextReview.Due.String() != "2027-01-04" { // 1 January 2027 is a holiday, then a weekend
			t.Errorf("next review after a review: %s", st.NextReview.Due)
		}

		// Phases with minimum levels, and the list.
		ph, err := w.store.AddPhase(ctx, w.deptA.ID, PhaseInput{Name: "Giai đoạn 2026", StartsOn: "2026-01-01", EndsOn: "2026-12-31", MinDatasets: 2, MinStars: 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.store.AddPhase(ctx, w.deptA.ID, PhaseInput{Name: "Sai", StartsOn: "2026-12-31", EndsOn: "2026-01-01", MinStars: 3}); errCode(err) != "invalid_period" {
			t.Errorf("reversed phase: %v", err)
		}
		if _, err := w.store.AddPlanItem(ctx, w.deptA.ID, PlanItemInput{PhaseID: ph.ID, Title: "Thu ngân sách", PlannedOn: "2026-02-01", DatasetName: d.Name}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.store.AddPlanItem(ctx, w.deptA.ID, PlanItemInput{PhaseID: ph.ID, Title: "Chi ngân sách", PlannedOn: "2026-06-30"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.store.AddPlanItem(ctx, w.deptA.ID, PlanItemInput{Title: "Của sở khác", PlannedOn: "2026-06-30", DatasetName: "khong-co"}); errCode(err) != "unknown_dataset" {
			t.Errorf("unknown dataset: %v", err)
		}
		st, _ = w.store.Status(ctx, w.deptA.ID, workday.MustParseDate("2026-07-06"))
		if len(st.Phases) != 1 || st.Phases[0].Published != 1 || st.Phases[0].Status != "in_progress" {
			t.Errorf("phase %+v", st.Phases)
		}
		if len(st.Items) != 2 || st.Items[0].Status != "published" || st.Items[1].Status != "late" {
			t.Errorf("items %+v", st.Items)
		}
		st, _ = w.store.Status(ctx, w.deptA.ID, workday.MustParseDate("2027-01-05"))
		if st.Phases[0].Status != "missed" {
			t.Errorf("phase after its end: %s", st.Phases[0].Status)
		}
	})
}

// D47-19.3/19.4: feedback and data requests, answered by the publisher.
func TestFeedbackAndRequests(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ctx := context.Background()
		d := w.published(t, w.deptA, "Giá đất")
		draft := w.dataset(t, w.deptA, "Nháp")
		if _, err := w.store.AddFeedback(ctx, draft.ID, FeedbackInput{Kind: "quality", Message: "Thiếu dữ liệu"}); errCode(err) != "not_found" {
			t.Errorf("feedback on a draft: %v", err)
		}
		if _, err := w.store.AddFeedback(ctx, d.ID, FeedbackInput{Kind: "spam", Message: "Thiếu dữ liệu"}); errCode(err) != "invalid_kind" {
			t.Errorf("bad kind: %v", err)
		}
		fb, err := w.store.AddFeedback(ctx, d.ID, FeedbackInput{Kind: "format", Message: "Xin bản CSV", Email: "a@b.vn"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.store.RespondFeedback(ctx, 1, fb.ID, "answered", ""); errCode(err) != "required" {
			t.Errorf("answer without text: %v", err)
		}
		fb, err = w.store.RespondFeedback(ctx, 1, fb.ID, "answered", "Đã bổ sung")
		if err != nil || fb.Status != "answered" || fb.RespondedAt == nil {
			t.Fatalf("respond: %v %+v", err, fb)
		}
		list, _ := w.store.ListFeedback(ctx, FeedbackFilter{Under: []string{w.deptB.Path}})
		if len(list) != 0 {
			t.Errorf("another department sees %d comments", len(list))
		}
		req, err := w.store.AddRequest(ctx, RequestInput{OrgID: w.deptA.ID, Title: "Quy hoạch sử dụng đất", Email: "x@y.vn"})
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := w.store.Vote(ctx, req.ID, "voter-token-aaaaaaaaaaaa"); !ok {
			t.Error("first vote not counted")
		}
		if ok, _ := w.store.Vote(ctx, req.ID, "voter-token-aaaaaaaaaaaa"); ok {
			t.Error("second vote counted")
		}
		if _, err := w.store.RespondRequest(ctx, 1, req.ID, "rejected", "", ""); errCode(err) != "reason_required" {
			t.Errorf("rejection without reason: %v", err)
		}
		req, err = w.store.RespondRequest(ctx, 1, req.ID, "published", "Đã công bố", d.Name)
		if err != nil || req.DatasetName != d.Name || req.Votes != 2 {
			t.Fatalf("respond request: %v %+v", err, req)
		}
		req, err = w.store.RespondRequest(ctx, 1, req.ID, "published", "Đã công bố", "")
		if err != nil || req.DatasetName != d.Name {
			t.Fatalf("answer again keeps the dataset: %v %+v", err, req)
		}
		if pub := req.Public(); pub.AuthorEmail != "" {
			t.Error("public request shows the e-mail")
		}
	})
}
