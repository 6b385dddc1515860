package opendata

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/identity"
)

// countRows is the number of rows of an open-data table.
func (w *world) countRows(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := w.db.Read.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// problemIssues reads the field:code pairs of a problem+json answer's
// errors array, checking the first is also its field and code.
func problemIssues(t *testing.T, r resp) []string {
	t.Helper()
	if r.status != 422 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("want a 422 problem: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	var p struct {
		Field  string `json:"field"`
		Code   string `json:"code"`
		Errors []struct {
			Field, Code, Message string
		} `json:"errors"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range p.Errors {
		if e.Message == "" {
			t.Errorf("%s has no message", e.Field)
		}
		out = append(out, e.Field+":"+e.Code)
	}
	if len(p.Errors) > 0 && (p.Errors[0].Field != p.Field || p.Errors[0].Code != p.Code) {
		t.Errorf("the first mistake %s:%s is not the problem's field and code %s:%s", p.Errors[0].Field, p.Errors[0].Code, p.Field, p.Code)
	}
	return out
}

// Every API body with several wrong fields is answered with all of them
// (problem+json errors array, 422), and nothing is written.
func TestAPIReportsEveryMistake(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ctx := context.Background()
		prov := w.user(t, "prov.a", w.deptA, identity.RoleProviderOfficer)
		d := w.dataset(t, w.deptA, "Giá đất")
		pub := w.published(t, w.deptA, "Trường học")
		id := strconv.FormatInt(d.ID, 10)
		org := strconv.FormatInt(w.deptA.ID, 10)
		tok := w.bearer(t, prov.ID)
		anon := w.client(t)
		long := strings.Repeat("a", 301)
		jsonBody := func(s string) func() (io.Reader, string) {
			return func() (io.Reader, string) { return strings.NewReader(s), "application/json" }
		}
		cases := []struct {
			name, method, path string
			c                  *client
			body               func() (io.Reader, string)
			want               []string
			table              string // its row count must not change
		}{
			{"create dataset", "POST", "/api/v1/opendata/datasets", tok,
				jsonBody(`{"org_id": ` + org + `, "title": "x", "name": "Bad Name!", "contact_email": "nope", "license_id": "nope",
					"temporal_from": "20x", "themes": ["nope"], "tags": ["x"]}`),
				[]string{"title:too_short", "name:invalid_name", "contact_email:invalid_email", "license_id:invalid_license",
					"temporal_from:invalid_date", "tags:invalid_tag", "themes:invalid_theme"}, "od_datasets"},
			{"create dataset in an unknown organisation", "POST", "/api/v1/opendata/datasets", tok,
				jsonBody(`{"org_id": 999999, "title": "", "frequency": "hourly"}`),
				[]string{"org_id:unknown_org", "title:too_short", "frequency:invalid_frequency"}, "od_datasets"},
			{"update dataset", "PUT", "/api/v1/opendata/datasets/" + id, tok,
				jsonBody(`{"org_id": ` + org + `, "title": "Giá đất mới", "notes": "` + strings.Repeat("n", 20001) + `",
					"temporal_from": "2025", "temporal_to": "2020", "contact_email": "x"}`),
				[]string{"notes:too_long", "contact_email:invalid_email", "temporal_to:invalid_period"}, "od_dataset_versions"},
			{"add a link", "POST", "/api/v1/opendata/datasets/" + id + "/links", tok,
				jsonBody(`{"name": "` + long + `", "url": "ftp://example.vn/x", "format": "NOPE"}`),
				[]string{"name:too_long", "url:invalid_url", "format:unsupported_format"}, "od_resources"},
			{"upload a file", "POST", "/api/v1/opendata/datasets/" + id + "/resources", tok,
				func() (io.Reader, string) {
					return multipartBody(t, [][2]string{{"name", long}, {"description", strings.Repeat("d", 5001)}, {"format", "NOPE"}},
						"gia.csv", []byte("Đường,Giá\nTrần Phú,1\n"))
				},
				[]string{"name:too_long", "description:too_long", "format:unsupported_format"}, "od_resources"},
			{"feedback", "POST", "/api/v1/opendata/datasets/" + pub.Name + "/feedback", anon,
				jsonBody(`{"kind": "spam", "message": "hi", "email": "bad"}`),
				[]string{"kind:invalid_kind", "message:too_short", "email:invalid_email"}, "od_feedback"},
			{"data request", "POST", "/api/v1/opendata/requests", anon,
				jsonBody(`{"org_id": 999999, "title": "abc", "name": "` + long + `", "email": "bad"}`),
				[]string{"title:too_short", "name:too_long", "email:invalid_email", "org_id:unknown_org"}, "od_requests"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := w.countRows(t, tc.table)
				body, ct := tc.body()
				got := problemIssues(t, tc.c.do(tc.method, tc.path, body, map[string]string{"Content-Type": ct}))
				if !slices.Equal(got, tc.want) {
					t.Errorf("mistakes\n got %v\nwant %v", got, tc.want)
				}
				if after := w.countRows(t, tc.table); after != before {
					t.Errorf("%s: %d rows, was %d", tc.table, after, before)
				}
			})
		}
		if got, _ := w.store.Dataset(ctx, d.ID); got.Title != "Giá đất" || len(got.Resources) != 0 {
			t.Errorf("refused bodies changed the dataset: %q, %d resources", got.Title, len(got.Resources))
		}
		w.tmpEmpty(t)
	})
}

// vi is the Vietnamese of an English message of the feature, formatted
// and escaped as a page shows it.
func vi(t *testing.T, msg string, args ...any) string {
	t.Helper()
	tr, ok := messages[msg]
	if !ok {
		t.Fatalf("no translation of %q", msg)
	}
	return template.HTMLEscapeString(fmt.Sprintf(tr, args...))
}

// errorBeside checks that the page shows msg in the error element id and
// that its field points to it (aria-invalid, aria-describedby).
func errorBeside(t *testing.T, page, id, msg string) {
	t.Helper()
	// A field in error, or a group of choices (a fieldset) described by it.
	q := regexp.QuoteMeta(id)
	if !regexp.MustCompile(`<(input|select|textarea) [^>]*aria-invalid="true" aria-describedby="` + q + `"|<fieldset [^>]*aria-describedby="` + q + `"`).MatchString(page) {
		t.Errorf("no field is described by %s", id)
	}
	if !strings.Contains(page, `id="`+id+`">`+msg+`</div>`) {
		m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `">([^<]*)<`).FindStringSubmatch(page)
		t.Errorf("%s: want %q, got %q", id, msg, m)
	}
}

// Every form with several wrong fields shows each mistake beside its field
// (in Vietnamese, the default language), and nothing is written.
func TestPagesShowEveryMistake(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ctx := context.Background()
		w.user(t, "prov.a", w.deptA, identity.RoleProviderOfficer)
		d := w.dataset(t, w.deptA, "Giá đất")
		pub := w.published(t, w.deptA, "Trường học")
		fb, err := w.store.AddFeedback(ctx, pub.ID, FeedbackInput{Kind: "format", Message: "Xin bản CSV"})
		if err != nil {
			t.Fatal(err)
		}
		req, err := w.store.AddRequest(ctx, RequestInput{OrgID: w.deptA.ID, Title: "Quy hoạch sử dụng đất"})
		if err != nil {
			t.Fatal(err)
		}
		a := w.login(t, "prov.a")
		anon := w.client(t)
		id := strconv.FormatInt(d.ID, 10)
		org := strconv.FormatInt(w.deptA.ID, 10)
		fid, qid := strconv.FormatInt(fb.ID, 10), strconv.FormatInt(req.ID, 10)
		post := func(c *client, path string, v url.Values) func() resp {
			return func() resp { return c.form(path, v) }
		}
		cases := []struct {
			name  string
			send  func() resp
			want  map[string]string // error element id -> message
			table string            // its row count must not change
		}{
			{"new dataset", post(a, "/opendata/manage/datasets", url.Values{"org_id": {org}, "title": {"x"}, "name": {"Bad Name!"},
				"contact_email": {"nope"}, "temporal_from": {"20x"}, "license_id": {"nope"}, "spatial": {strings.Repeat("s", 501)}}),
				map[string]string{
					"title-err":         vi(t, "title must have at least 3 characters"),
					"name-err":          vi(t, "the URL name must be 2-100 lowercase letters, digits, '-' or '_'"),
					"contact_email-err": vi(t, "the contact e-mail address is not valid"),
					"temporal_from-err": vi(t, "write the date as YYYY, YYYY-MM or YYYY-MM-DD"),
					"license_id-err":    vi(t, "unknown licence %q", "nope"),
					"spatial-err":       vi(t, "%s must have at most %d characters", "spatial", 500),
				}, "od_datasets"},
			{"dataset metadata", post(a, "/opendata/manage/datasets/"+id, url.Values{"org_id": {org}, "title": {"Giá đất"},
				"temporal_from": {"2025"}, "temporal_to": {"2020"}, "contact_email": {"x"}, "frequency": {"hourly"}, "themes": {"nope"}}),
				map[string]string{
					"temporal_to-err":   vi(t, "the coverage ends before it starts"),
					"contact_email-err": vi(t, "the contact e-mail address is not valid"),
					"frequency-err":     vi(t, "unknown update frequency %q", "hourly"),
					"themes-err":        vi(t, "unknown theme %q", "nope"),
				}, "od_dataset_versions"},
			{"link", post(a, "/opendata/manage/datasets/"+id+"/links", url.Values{"name": {"Tra cứu"}, "url": {"ftp://example.vn"},
				"format": {"NOPE"}, "description": {strings.Repeat("d", 5001)}}),
				map[string]string{
					"ln-url-err":    vi(t, "give the full address, starting with https://"),
					"ln-format-err": vi(t, "unsupported format %q", "NOPE"),
					"ln-desc-err":   vi(t, "%s must have at most %d characters", "description", 5000),
				}, "od_resources"},
			{"upload", func() resp {
				body, ct := multipartBody(t, [][2]string{{"_csrf", a.csrf}, {"name", strings.Repeat("n", 301)}, {"format", "NOPE"}},
					"gia.csv", []byte("Đường,Giá\nTrần Phú,1\n"))
				return a.do("POST", "/opendata/manage/datasets/"+id+"/upload", body, map[string]string{"Content-Type": ct})
			}, map[string]string{
				"up-name-err":   vi(t, "%s must have at most %d characters", "name", 300),
				"up-format-err": vi(t, "unsupported format %q; accepted: %s", "NOPE", uploadFormatList()),
			}, "od_resources"},
			{"feedback", post(anon, "/opendata/datasets/"+pub.Name+"/feedback", url.Values{"kind": {"spam"}, "message": {"hi"},
				"name": {strings.Repeat("n", 201)}, "email": {"bad"}}),
				map[string]string{
					"kind-err":     vi(t, "choose what the feedback is about"),
					"message-err":  vi(t, "message must have at least 5 characters"),
					"fb-name-err":  vi(t, "%s must have at most %d characters", "name", 200),
					"fb-email-err": vi(t, "the e-mail address is not valid"),
				}, "od_feedback"},
			{"data request", post(anon, "/opendata/requests", url.Values{"title": {"abc"}, "org_id": {"999999"}, "email": {"bad"},
				"description": {strings.Repeat("d", 4001)}}),
				map[string]string{
					"title-err":       vi(t, "title must have at least 5 characters"),
					"description-err": vi(t, "%s must have at most %d characters", "description", 4000),
					"rq-email-err":    vi(t, "the e-mail address is not valid"),
					"org_id-err":      vi(t, "organisation %d does not exist", 999999),
				}, "od_requests"},
			{"plan phase", post(a, "/opendata/manage/plan/phases", url.Values{"org_id": {org}, "name": {"x"}, "starts_on": {"2026-13-01"},
				"ends_on": {"2026-01-01"}, "min_datasets": {"nhiều"}, "min_stars": {"9"}}),
				map[string]string{
					"ph-name-err":      vi(t, "%s must have at least %d characters", "name", 2),
					"starts_on-err":    vi(t, "write the date as YYYY-MM-DD"),
					"min_datasets-err": vi(t, "the minimum number of datasets must be between 0 and 10000"),
					"min_stars-err":    vi(t, "the minimum openness level is 1 to 5 stars"),
				}, "od_plan_phases"},
			{"plan item", post(a, "/opendata/manage/plan/items", url.Values{"org_id": {org}, "title": {"x"}, "planned_on": {""},
				"phase_id": {"999999"}, "dataset_name": {"khong-co"}}),
				map[string]string{
					"it-title-err":     vi(t, "title must have at least 3 characters"),
					"planned_on-err":   vi(t, "write the date as YYYY-MM-DD"),
					"phase_id-err":     vi(t, "the phase does not exist"),
					"dataset_name-err": vi(t, "the organisation has no dataset named %q", "khong-co"),
				}, "od_plan_items"},
			{"plan review", post(a, "/opendata/manage/plan/reviews", url.Values{"org_id": {org}, "reviewed_on": {"2999-01-01"}, "note": {""}}),
				map[string]string{
					"reviewed_on-err": vi(t, "a review cannot be recorded in the future"),
					"rv-note-err":     vi(t, "summarise the review (what was added, changed or removed)"),
				}, "od_list_reviews"},
			{"answer to a data request", post(a, "/opendata/manage/requests/"+qid, url.Values{"status": {"rejected"}, "response": {""},
				"dataset_name": {"khong-co"}}),
				map[string]string{
					"qr-" + qid + "-err": vi(t, "state the reason for rejecting the request"),
					"qd-" + qid + "-err": vi(t, "no dataset is named %q", "khong-co"),
				}, "od_requests"},
			{"answer to feedback", post(a, "/opendata/manage/feedback/"+fid, url.Values{"status": {"bogus"}, "response": {strings.Repeat("r", 4001)}}),
				map[string]string{
					"fs-" + fid + "-err": vi(t, "unknown status %q", "bogus"),
					"fr-" + fid + "-err": vi(t, "%s must have at most %d characters", "response", 4000),
				}, "od_feedback"},
			{"answer to feedback on the dataset's page", post(a, "/opendata/manage/feedback/"+fid, url.Values{"back": {"dataset"},
				"status": {"bogus"}, "response": {strings.Repeat("r", 4001)}}),
				map[string]string{
					"fs-" + fid + "-err": vi(t, "unknown status %q", "bogus"),
					"fr-" + fid + "-err": vi(t, "%s must have at most %d characters", "response", 4000),
				}, "od_feedback"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := w.countRows(t, tc.table)
				r := tc.send()
				if r.status != 422 {
					t.Fatalf("status %d, want 422: %s", r.status, r.body)
				}
				page := string(r.body)
				for id, msg := range tc.want {
					errorBeside(t, page, id, msg)
				}
				if n := strings.Count(page, `class="error" id="`); n != len(tc.want) {
					t.Errorf("%d errors shown, want %d", n, len(tc.want))
				}
				if after := w.countRows(t, tc.table); after != before {
					t.Errorf("%s: %d rows, was %d", tc.table, after, before)
				}
			})
		}
		// The progress script's upload gets every mistake in its one message.
		body, ct := multipartBody(t, [][2]string{{"name", strings.Repeat("n", 301)}, {"format", "NOPE"}}, "gia.csv", []byte("A,B\n1,2\n"))
		r := a.do("POST", "/opendata/manage/datasets/"+id+"/upload", body, map[string]string{"Content-Type": ct, "X-CSRF-Token": a.csrf, "Accept": "application/json"})
		if msg, _ := r.json(t)["error"].(string); r.status != 422 || !strings.Contains(msg, "trường name không được vượt quá 300 ký tự") ||
			!strings.Contains(msg, `không hỗ trợ định dạng "NOPE"`) {
			t.Errorf("script upload with two mistakes: %d %s", r.status, r.body)
		}
		// Nothing was changed by the refused forms.
		if got, _ := w.store.Dataset(ctx, d.ID); got.ContactEmail != "" || got.TemporalTo != "" || len(got.Resources) != 0 {
			t.Errorf("refused forms changed the dataset: %+v", got)
		}
		if got, _ := w.store.FeedbackByID(ctx, fb.ID); got.Status != "new" || got.Response != "" {
			t.Errorf("refused answer changed the feedback: %+v", got)
		}
		if got, _ := w.store.Request(ctx, req.ID); got.Status != "new" || got.DatasetName != "" {
			t.Errorf("refused answer changed the request: %+v", got)
		}
		w.tmpEmpty(t)
	})
}
