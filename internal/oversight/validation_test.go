package oversight_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// problemFields returns the fields of a problem's errors array, in order.
func problemFields(t *testing.T, body []byte) (first string, fields []string) {
	t.Helper()
	var p struct {
		Field  string `json:"field"`
		Errors []struct {
			Field, Code, Message string
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	for _, e := range p.Errors {
		if e.Code == "" || e.Message == "" {
			t.Fatalf("issue without code or message: %s", body)
		}
		fields = append(fields, e.Field)
	}
	return p.Field, fields
}

// tableCounts counts the rows of the tables a refused call must leave alone.
func tableCounts(t *testing.T, db *platform.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"agreements", "agreement_versions", "agreement_comments", "agreement_joins", "agreement_confirmations",
		"suspensions", "terminations", "obstacles", "obstacle_evidence", "obstacle_events", "list_reviews", "quality_plans", "quality_reviews"} {
		out[table] = count(t, db, table)
	}
	return out
}

// TestAPIReportsEveryMistake sends bodies (and filters) with several wrong
// fields: the 422 problem names every one in its errors array, the first
// in field, and nothing is written.
func TestAPIReportsEveryMistake(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-08-31 10:00"))
		srv := server(t, w)
		a := must[oversight.Agreement](t)(w.store.CreateAgreement(ctx, w.consumer, oversight.AgreementInput{ServiceID: w.svc.ID,
			ConsumerOrgID: w.syt.ID, Title: "Business data", Justification: "No default service covers it", Terms: fullTerms()}))
		o := must[oversight.Obstacle](t)(w.store.FileObstacle(ctx, w.consumer, obstacleInput(w)))
		// The filer escalates to level 3, where the document and the resolution are recorded.
		for range 2 {
			o = must[oversight.Obstacle](t)(w.store.Escalate(ctx, w.consumer, o.ID, oversight.ReasonInput{Reason: "No progress so far"}))
		}
		if o.Level != 3 {
			t.Fatalf("level %d", o.Level)
		}
		q := must[oversight.QualityReview](t)(w.store.StartQualityReview(ctx, w.provider, oversight.NewQualityReview{DatabaseID: 21, Year: 2026}))
		before := tableCounts(t, db)
		long := strings.Repeat("x", 2001)
		cases := []struct {
			name   string
			call   call
			fields []string
		}{
			{"agreement text and terms", call{"POST", "/api/v1/agreements", "consumer", map[string]any{"service_id": w.svc.ID,
				"consumer_org_id": w.syt.ID, "title": "", "justification": "short", "terms": map[string]any{"method": "fax", "valid_to": "2025-01-01"}}},
				[]string{"title", "justification", "terms.method", "terms.valid_to"}},
			{"agreement without parties", call{"POST", "/api/v1/agreements", "consumer", map[string]any{"title": "x"}},
				[]string{"service_id", "consumer_org_id", "title", "justification"}},
			{"draft terms and change note", call{"PUT", "/api/v1/agreements/" + itoa(a.ID) + "/versions/1", "consumer",
				map[string]any{"terms": map[string]any{"method": "fax", "valid_from": "1/10/2026"}, "change_note": long}},
				[]string{"terms.method", "terms.valid_from", "change_note"}},
			{"comment for another party, empty", call{"POST", "/api/v1/agreements/" + itoa(a.ID) + "/comments", "consumer",
				map[string]any{"org_id": w.stc.ID, "body": ""}}, []string{"org_id", "body"}},
			{"maintenance", call{"POST", "/api/v1/suspensions", "provider", map[string]any{"service_id": w.svc.ID, "kind": "maintenance",
				"start": "2026-08-30T22:00", "reason": "short", "consumer_org_ids": []int64{w.syt.ID}}},
				[]string{"reason", "consumer_org_ids", "start", "restore_at"}},
			{"violation", call{"POST", "/api/v1/suspensions", "provider", map[string]any{"service_id": w.svc.ID, "kind": "violation",
				"reason": "Data resold to a third party", "discovered_at": "2099-01-01T00:00"}},
				[]string{"handling", "restore_requirements", "consumer_org_ids", "discovered_at"}},
			{"suspension without service", call{"POST", "/api/v1/suspensions", "provider", map[string]any{"kind": "bogus", "reason": ""}},
				[]string{"service_id", "kind", "reason"}},
			{"termination", call{"POST", "/api/v1/terminations", "provider", map[string]any{"service_id": w.svc.ID, "consumer_org_id": w.syt.ID,
				"detail": "short", "related_org_ids": []int64{99999}}}, []string{"reason", "detail", "related_org_ids"}},
			{"obstacle", call{"POST", "/api/v1/obstacles", "consumer", map[string]any{"category": "mood", "title": "abc", "description": "short",
				"service_id": w.svc.ID, "evidence": []map[string]any{{"kind": "link", "url": "ftp://example.org/x"}}}},
				[]string{"category", "title", "description", "evidence.url"}},
			{"evidence file", call{"POST", "/api/v1/obstacles/" + itoa(o.ID) + "/evidence", "consumer", map[string]any{"kind": "file",
				"note": strings.Repeat("n", 1001)}}, []string{"evidence.note", "evidence.data", "evidence.file_name"}},
			{"level-3 document", call{"POST", "/api/v1/obstacles/" + itoa(o.ID) + "/document", "it", map[string]any{"kind": "fax",
				"reference": "", "date": "24/09/2026"}}, []string{"kind", "reference", "date"}},
			{"resolution", call{"POST", "/api/v1/obstacles/" + itoa(o.ID) + "/resolve", "it", map[string]any{"authority": "nobody",
				"resolution": "short"}}, []string{"authority", "resolution"}},
			{"list review", call{"POST", "/api/v1/list-reviews", "it", map[string]any{"org_id": w.dn.ID, "kind": "x",
				"reviewed_on": "2099-01-01", "note": "ok"}}, []string{"kind", "reviewed_on", "note"}},
			{"quality plan", call{"PUT", "/api/v1/quality-plans", "it", map[string]any{"org_id": w.dn.ID, "year": 2019, "plan": "short"}},
				[]string{"year", "plan"}},
			{"quality review start", call{"POST", "/api/v1/quality-reviews", "provider", map[string]any{"database_id": 0, "year": 2030}},
				[]string{"database_id", "year"}},
			{"quality review counts", call{"PUT", "/api/v1/quality-reviews/" + itoa(q.ID), "provider", map[string]any{"item_count": -1,
				"records_total": 5, "records_checked": 9, "duplicates": -1}}, []string{"item_count", "duplicates", "records_checked"}},
			{"obstacle filters", call{"GET", "/api/v1/obstacles?state=x&category=y&level=9", "consumer", nil}, []string{"state", "category", "level"}},
			{"suspension filters", call{"GET", "/api/v1/suspensions?kind=x&service=y", "provider", nil}, []string{"kind", "service"}},
			{"deadline filters", call{"GET", "/api/v1/deadlines?org=x&days=y", "it", nil}, []string{"org", "days"}},
			{"statistics filters", call{"GET", "/api/v1/statistics?months=x&jurisdiction=y", "", nil}, []string{"months", "jurisdiction"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res, body := do(t, srv, c.call)
				if res.StatusCode != 422 || res.Header.Get("Content-Type") != "application/problem+json" {
					t.Fatalf("status %d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
				}
				first, fields := problemFields(t, body)
				if !slices.Equal(fields, c.fields) || first != c.fields[0] {
					t.Fatalf("field %q errors %v, want %v: %s", first, fields, c.fields, body)
				}
			})
		}
		if after := tableCounts(t, db); !mapsEqual(before, after) {
			t.Fatalf("refused calls wrote: %v -> %v", before, after)
		}
		a = must[oversight.Agreement](t)(w.store.Agreement(ctx, w.consumer, a.ID))
		if v, _ := a.Version(1); v.Terms.Method != "online" || v.ChangeNote != "" {
			t.Fatalf("refused edit changed the draft: %+v", v.Terms)
		}
		q = must[oversight.QualityReview](t)(w.store.QualityReview(ctx, w.provider, q.ID))
		if q.ItemCount != 42 {
			t.Fatalf("refused edit changed the review: %d items", q.ItemCount)
		}
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// postMultipart sends a multipart form with the fields and files.
func postMultipart(t *testing.T, srv *httptest.Server, path, user string, fields map[string]string, files map[string][]byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile(name, name+".bin")
		_, _ = fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-Test-User", user)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw)
}

// besideField checks that the page marks the input id as invalid and shows
// the message (Vietnamese) in its error element.
func besideField(t *testing.T, body, id, msg string) {
	t.Helper()
	if !strings.Contains(body, `aria-describedby="`+id+`-err"`) {
		t.Errorf("%s is not marked invalid", id)
	}
	i := strings.Index(body, `id="`+id+`-err"`)
	if i < 0 {
		t.Errorf("no error beside %s", id)
		return
	}
	end := strings.Index(body[i:], "</div>")
	if msg != "" && (end < 0 || !strings.Contains(body[i:i+end], msg)) {
		t.Errorf("the error beside %s is not %q: %s", id, msg, body[i:i+max(end, 0)])
	}
}

// TestPagesReportEveryMistake submits forms with several wrong fields: the
// page comes back (422) with each message, in Vietnamese, beside its field,
// and nothing is written.
func TestPagesReportEveryMistake(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db, vn("2026-08-31 10:00"))
		// Small uploads, so that a file too large fits in a test.
		w.store = oversight.NewStore(db, w.dir, oversight.Deps{Services: w.services, Accounts: w.accounts, Notifier: w.notifier,
			Calls: w.calls, Requests: w.requests, Databases: w.databases}, oversight.Config{MaxFileBytes: 1 << 20})
		srv := server(t, w)
		// A draft without items 6-11, for the confirmation below.
		partial := fullTerms()
		partial.Processing, partial.Security = "", ""
		a := must[oversight.Agreement](t)(w.store.CreateAgreement(ctx, w.consumer, oversight.AgreementInput{ServiceID: w.svc.ID,
			ConsumerOrgID: w.syt.ID, Title: "Business data", Justification: "No default service covers it", Terms: partial}))
		must[oversight.Agreement](t)(w.store.StartDrafting(ctx, w.provider, a.ID))
		o := must[oversight.Obstacle](t)(w.store.FileObstacle(ctx, w.consumer, obstacleInput(w)))
		q := must[oversight.QualityReview](t)(w.store.StartQualityReview(ctx, w.provider, oversight.NewQualityReview{DatabaseID: 21, Year: 2026}))
		before := tableCounts(t, db)
		summary := "Vui lòng sửa các trường được đánh dấu."
		cases := []struct {
			name   string
			send   func() (int, string)
			fields [][2]string // input id, Vietnamese message (or part of it)
		}{
			{"new agreement", func() (int, string) {
				res, body := form(t, srv, "/agreements", "consumer", url.Values{"service_id": {itoa(w.svc.ID)}, "consumer_org_id": {itoa(w.syt.ID)},
					"title": {""}, "justification": {"short"}, "terms.method": {"fax"}, "terms.valid_to": {"2025-01-01"}})
				return res.StatusCode, body
			}, [][2]string{{"title", "hãy đặt tiêu đề thỏa thuận (3-300 ký tự)"},
				{"justification", "hãy nêu lý do chia sẻ mặc định không đáp ứng được"},
				{"terms.method", "phương thức chia sẻ là trực tuyến, đồng bộ hoặc gói dữ liệu"}, {"terms.valid_to", ""}}},
			{"new obstacle with a file too large", func() (int, string) {
				return postMultipart(t, srv, "/obstacles", "consumer", map[string]string{"category": "data_quality", "title": "abc",
					"description": "short", "service_id": itoa(w.svc.ID), "link": "ftp://example.org/x", "log_entry_id": "0"},
					map[string][]byte{"file": bytes.Repeat([]byte("x"), 1<<20+10)})
			}, [][2]string{{"title", "hãy đặt tiêu đề vướng mắc (5-300 ký tự)"}, {"description", "hãy mô tả vướng mắc (ít nhất 20 ký tự)"},
				{"link", "liên kết phải là địa chỉ http:// hoặc https://"}, {"log_entry_id", "hãy nhập số bản ghi nhật ký chia sẻ"},
				{"file", "tệp lớn hơn 1 MB"}}},
			{"evidence", func() (int, string) {
				return postMultipart(t, srv, "/obstacles/"+itoa(o.ID)+"/evidence", "consumer",
					map[string]string{"link": "ftp://example.org/x", "log_entry_id": "0"}, nil)
			}, [][2]string{{"link", "liên kết phải là địa chỉ http:// hoặc https://"}, {"log_entry_id", "hãy nhập số bản ghi nhật ký chia sẻ"}}},
			{"maintenance", func() (int, string) {
				res, body := form(t, srv, "/suspensions", "provider", url.Values{"service_id": {itoa(w.svc.ID)}, "kind": {"maintenance"},
					"reason": {"short"}})
				return res.StatusCode, body
			}, [][2]string{{"reason", "hãy nêu lý do (ít nhất 10 ký tự)"}, {"start", ""},
				{"restore_at", "hãy thông báo thời gian dự kiến khôi phục (điểm a khoản 1 Điều 43)"}}},
			{"termination", func() (int, string) {
				res, body := form(t, srv, "/terminations", "provider", url.Values{"service_id": {itoa(w.svc.ID)}, "consumer_org_id": {itoa(w.syt.ID)},
					"detail": {"short"}})
				return res.StatusCode, body
			}, [][2]string{{"reason", ""}, {"detail", ""}}},
			{"quality review", func() (int, string) {
				res, body := form(t, srv, "/quality-reviews/"+itoa(q.ID), "provider", url.Values{"action": {"save"}, "item_count": {"x"},
					"records_total": {"abc"}, "duplicates": {"-2"}})
				return res.StatusCode, body
			}, [][2]string{{"item_count", "nhập số nguyên"}, {"records_total", "nhập số nguyên"}, {"duplicates", "số lượng không được âm"}}},
			{"list review", func() (int, string) {
				res, body := form(t, srv, "/list-reviews", "it", url.Values{"org_id": {itoa(w.dn.ID)}, "kind": {"default_shared"},
					"reviewed_on": {"2099-01-01"}, "note": {"ok"}})
				return res.StatusCode, body
			}, [][2]string{{"on-" + itoa(w.dn.ID) + "-default_shared", "không ghi nhận rà soát cho ngày trong tương lai"},
				{"note-" + itoa(w.dn.ID) + "-default_shared", "hãy tóm tắt kết quả rà soát (ít nhất 5 ký tự)"}}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				status, body := c.send()
				if status != 422 {
					t.Fatalf("status %d\n%s", status, body)
				}
				if !strings.Contains(body, summary) {
					t.Errorf("no summary above the form")
				}
				for _, f := range c.fields {
					besideField(t, body, f[0], f[1])
				}
			})
		}
		// A confirmation with a file that is no PDF, of a draft that lacks
		// items: both are told, the draft's beside the button.
		status, body := postMultipart(t, srv, "/agreements/"+itoa(a.ID)+"/versions/1/confirm", "consumer", nil,
			map[string][]byte{"signed_pdf": []byte("not a pdf")})
		if status != 422 {
			t.Fatalf("confirm: %d\n%s", status, body)
		}
		besideField(t, body, "signed_pdf", "văn bản đã ký phải là tệp PDF")
		for _, want := range []string{`id="confirm-terms-err"`, `aria-describedby="confirm-terms-err"`,
			"nội dung 6 của thỏa thuận (Điều 38) phải được điền trước khi xác nhận", "nội dung 9 của thỏa thuận (Điều 38)"} {
			if !strings.Contains(body, want) {
				t.Errorf("confirm page lacks %q", want)
			}
		}
		if after := tableCounts(t, db); !mapsEqual(before, after) {
			t.Fatalf("refused forms wrote: %v -> %v", before, after)
		}
	})
}
