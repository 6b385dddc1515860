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
	"strconv"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/web/webtest"
)

// server serves the oversight pages and API; the X-Test-User header picks
// the principal (token-authenticated, so no CSRF token is needed).
func server(t *testing.T, w *world) *httptest.Server {
	t.Helper()
	mux, _ := webtest.Mount(t, func(mux *http.ServeMux, site *web.Site, api *platform.API) error {
		return oversight.Register(mux, site, api, w.store)
	})
	users := map[string]*identity.Principal{"it": w.itDN, "provider": w.provider, "consumer": w.consumer, "hcc": w.hccUser,
		"qnit": w.qnIT, "auditor": w.auditor, "gd": w.gdUser}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if p := users[r.Header.Get("X-Test-User")]; p != nil {
			p.Via = "token"
			r = r.WithContext(identity.WithPrincipal(r.Context(), p))
		}
		mux.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

type call struct {
	method, path, user string
	body               any
}

func do(t *testing.T, srv *httptest.Server, c call) (*http.Response, []byte) {
	t.Helper()
	var body io.Reader
	if c.body != nil {
		switch b := c.body.(type) {
		case string:
			body = strings.NewReader(b)
		default:
			raw, _ := json.Marshal(b)
			body = bytes.NewReader(raw)
		}
	}
	req, _ := http.NewRequest(c.method, srv.URL+c.path, body)
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.user != "" {
		req.Header.Set("X-Test-User", c.user)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, raw
}

func form(t *testing.T, srv *httptest.Server, path, user string, values url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Test-User", user)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// TestAPIRolesAndBadInput is a table of API calls: role checks answer
// 401/403/404, bad input 422 problem+json naming the field.
func TestAPIRolesAndBadInput(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		w := newWorld(t, db, vn("2026-08-31 10:00"))
		srv := server(t, w)
		maint := func(start string) map[string]any {
			return map[string]any{"service_id": w.svc.ID, "kind": "maintenance", "start": start, "restore_at": "2026-09-20T06:00", "reason": "Database server upgrade"}
		}
		cases := []struct {
			name   string
			call   call
			status int
			code   string
			field  string
		}{
			{"public statistics", call{"GET", "/api/v1/statistics", "", nil}, 200, "", ""},
			{"public notices", call{"GET", "/api/v1/notices", "", nil}, 200, "", ""},
			{"earliest start", call{"GET", "/api/v1/suspensions/earliest-start", "", nil}, 200, "", ""},
			{"agreements need a login", call{"GET", "/api/v1/agreements", "", nil}, 401, "unauthenticated", ""},
			{"deadlines need a login", call{"GET", "/api/v1/deadlines", "", nil}, 401, "unauthenticated", ""},
			{"consumer cannot suspend", call{"POST", "/api/v1/suspensions", "consumer", maint("2026-09-19T22:00")}, 403, "forbidden", ""},
			{"6 working days across 2/9", call{"POST", "/api/v1/suspensions", "provider", maint("2026-09-11T22:00")}, 422, "notice_too_short", "start"},
			{"start in the past", call{"POST", "/api/v1/suspensions", "provider", maint("2026-08-30T22:00")}, 422, "in_past", "start"},
			{"unknown field", call{"POST", "/api/v1/suspensions", "provider", `{"service_id":11,"kind":"maintenance","bogus":1}`}, 422, "unknown_field", "bogus"},
			{"termination without reason", call{"POST", "/api/v1/terminations", "provider",
				map[string]any{"service_id": w.svc.ID, "consumer_org_id": w.syt.ID, "detail": "The procedure moved elsewhere"}}, 422, "reason_required", "reason"},
			{"provider cannot file an obstacle", call{"POST", "/api/v1/obstacles", "provider",
				map[string]any{"category": "other", "title": "Something", "description": "Something is wrong with the data", "provider_org_id": w.syt.ID}}, 403, "forbidden", ""},
			{"obstacle bad category", call{"POST", "/api/v1/obstacles", "consumer",
				map[string]any{"category": "mood", "title": "Something", "description": "Something is wrong with the data", "service_id": w.svc.ID}}, 422, "invalid_category", "category"},
			{"agreement end in the past", call{"POST", "/api/v1/agreements", "consumer",
				map[string]any{"service_id": w.svc.ID, "consumer_org_id": w.syt.ID, "title": "Data", "justification": "No default service covers it",
					"terms": map[string]any{"valid_to": "2025-01-01"}}}, 422, "in_past", "terms.valid_to"},
			{"unknown obstacle", call{"GET", "/api/v1/obstacles/999", "consumer", nil}, 404, "not_found", ""},
			{"bad statistics period", call{"GET", "/api/v1/statistics?months=0x", "", nil}, 422, "invalid_number", "months"},
			{"quality year in the future", call{"POST", "/api/v1/quality-reviews", "provider", map[string]any{"database_id": 21, "year": 2030}}, 422, "invalid_year", "year"},
			{"list review needs oversight", call{"POST", "/api/v1/list-reviews", "provider",
				map[string]any{"org_id": w.dn.ID, "kind": "default_shared", "note": "Reviewed"}}, 403, "forbidden", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res, body := do(t, srv, c.call)
				if res.StatusCode != c.status {
					t.Fatalf("status %d, want %d: %s", res.StatusCode, c.status, body)
				}
				if c.status < 400 {
					return
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Fatalf("content type %q", ct)
				}
				var p map[string]any
				if err := json.Unmarshal(body, &p); err != nil {
					t.Fatal(err)
				}
				if p["code"] != c.code || (c.field != "" && p["field"] != c.field) {
					t.Fatalf("problem %v, want code %s field %s", p, c.code, c.field)
				}
				if c.code == "notice_too_short" && (p["earliest_start"] != "2026-09-11T17:00:00Z" || !strings.Contains(p["detail"].(string), "12/09/2026")) {
					t.Fatalf("the refusal must give the earliest allowed start: %v", p)
				}
			})
		}
		if n := count(t, db, "suspensions") + count(t, db, "terminations") + count(t, db, "obstacles") + count(t, db, "agreements"); n != 0 {
			t.Fatalf("refused calls changed %d rows", n)
		}
	})
}

// TestAPIAgreementFlow drives the agreement through the API.
func TestAPIAgreementFlow(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		w := newWorld(t, db, vn("2026-09-15 09:00"))
		srv := server(t, w)
		var a oversight.Agreement
		decode := func(res *http.Response, body []byte) {
			t.Helper()
			if res.StatusCode != 200 && res.StatusCode != 201 {
				t.Fatalf("status %d: %s", res.StatusCode, body)
			}
			a = oversight.Agreement{}
			if err := json.Unmarshal(body, &a); err != nil {
				t.Fatal(err)
			}
		}
		decode(do(t, srv, call{"POST", "/api/v1/agreements", "consumer", oversight.AgreementInput{ServiceID: w.svc.ID, ConsumerOrgID: w.syt.ID,
			Title: "Business data for licensing", Justification: "No default service covers the owner item", Terms: fullTerms()}}))
		decode(do(t, srv, call{"POST", "/api/v1/agreements/" + itoa(a.ID) + "/start-draft", "provider", nil}))
		decode(do(t, srv, call{"POST", "/api/v1/agreements/" + itoa(a.ID) + "/versions/1/confirm", "consumer",
			map[string]any{"signed_pdf_name": "signed.pdf", "signed_pdf": []byte("%PDF-1.4 signed")}}))
		decode(do(t, srv, call{"POST", "/api/v1/agreements/" + itoa(a.ID) + "/versions/1/confirm", "provider", map[string]any{}}))
		if a.State != oversight.AgreementInForce {
			t.Fatalf("state %s", a.State)
		}
		res, body := do(t, srv, call{"PUT", "/api/v1/agreements/" + itoa(a.ID) + "/versions/1", "provider", map[string]any{"terms": fullTerms()}})
		if res.StatusCode != 409 || !strings.Contains(string(body), "version_confirmed") {
			t.Fatalf("edit of a confirmed version: %d %s", res.StatusCode, body)
		}
		res, body = do(t, srv, call{"GET", "/api/v1/agreements/" + itoa(a.ID) + "/versions/1/signed/" + itoa(w.syt.ID), "auditor", nil})
		if res.StatusCode != 200 || !strings.HasPrefix(string(body), "%PDF") || res.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("signed PDF: %d %s", res.StatusCode, body)
		}
		terms := fullTerms()
		terms.Items = append(terms.Items, "owner")
		decode(do(t, srv, call{"POST", "/api/v1/agreements/" + itoa(a.ID) + "/amendments", "consumer", oversight.VersionInput{Terms: &terms, ChangeNote: "Add the owner"}}))
		decode(do(t, srv, call{"POST", "/api/v1/agreements/" + itoa(a.ID) + "/versions/2/confirm", "consumer", map[string]any{}}))
		decode(do(t, srv, call{"POST", "/api/v1/agreements/" + itoa(a.ID) + "/versions/2/confirm", "provider", map[string]any{}}))
		res, body = do(t, srv, call{"GET", "/api/v1/agreements/" + itoa(a.ID) + "/diff?from=1&to=2", "consumer", nil})
		if res.StatusCode != 200 || !strings.Contains(string(body), `"op":"ins","text":"name, owner"`) {
			t.Fatalf("diff: %s", body)
		}
		decode(do(t, srv, call{"POST", "/api/v1/agreements/" + itoa(a.ID) + "/joins", "hcc", oversight.JoinInput{Purpose: "One-stop shop licence checks"}}))
		jid := a.Joins[0].ID
		decode(do(t, srv, call{"POST", "/api/v1/agreements/" + itoa(a.ID) + "/joins/" + itoa(jid) + "/decision", "provider", oversight.DecisionInput{Accept: true}}))
		if len(a.Parties) != 3 || a.CurrentVersion != 3 {
			t.Fatalf("joined: %d parties, v%d", len(a.Parties), a.CurrentVersion)
		}
		// The pages render for a party and for the third agency.
		for _, path := range []string{"/agreements", "/agreements/" + itoa(a.ID), "/agreements/" + itoa(a.ID) + "/diff?from=1&to=2",
			"/agreements/" + itoa(a.ID) + "?version=1", "/agreements/new"} {
			res, body := do(t, srv, call{"GET", path, "consumer", nil})
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", path, res.StatusCode, body)
			}
		}
		if _, body := do(t, srv, call{"GET", "/agreements/" + itoa(a.ID) + "/diff?from=1&to=2", "consumer", nil}); !strings.Contains(string(body), "01/10/2026") ||
			strings.Contains(string(body), "2026-10-01") {
			t.Fatal("the comparison page writes the agreement's dates dd/mm/yyyy")
		}
		res, body = do(t, srv, call{"GET", "/agreements/" + itoa(a.ID), "hcc", nil})
		if res.StatusCode != 200 || !strings.Contains(string(body), "Business data for licensing") {
			t.Fatalf("third party page: %d", res.StatusCode)
		}
	})
}

// TestPages renders every page for the right users and checks the forms
// redisplay errors.
func TestPages(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		w := newWorld(t, db, vn("2026-08-31 10:00"))
		w.calls.counts = []oversight.CallCount{{Month: "2026-08", ServiceID: 11, ProviderOrgID: w.stc.ID, ConsumerOrgID: w.syt.ID, Calls: 1234, Errors: 56}}
		srv := server(t, w)
		// A maintenance refused at 6 working days, through the form: the page says the earliest start.
		res, body := form(t, srv, "/suspensions", "provider", url.Values{"service_id": {itoa(w.svc.ID)}, "kind": {"maintenance"},
			"start": {"2026-09-11T22:00"}, "restore_at": {"2026-09-12T04:00"}, "reason": {"Database server upgrade"}})
		if res.StatusCode != 422 || !strings.Contains(body, "12/09/2026") || !strings.Contains(body, `aria-invalid="true"`) {
			t.Fatalf("form error: %d\n%s", res.StatusCode, body)
		}
		// Accepted at 7 working days: redirected to the suspension.
		res, _ = form(t, srv, "/suspensions", "provider", url.Values{"service_id": {itoa(w.svc.ID)}, "kind": {"maintenance"},
			"start": {"2026-09-12T00:00"}, "restore_at": {"2026-09-12T04:00"}, "reason": {"Database server upgrade"}})
		if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/suspensions/") {
			t.Fatalf("accepted: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		// An obstacle with a file, through the multipart form.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"category": "data_quality", "title": "Truncated owner names", "service_id": itoa(w.svc.ID),
			"description": "The owner field is cut at 50 characters.", "log_entry_id": "77"} {
			_ = mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", "sample.json")
		_, _ = fw.Write([]byte(`{"owner":"x"}`))
		mw.Close()
		req, _ := http.NewRequest("POST", srv.URL+"/obstacles", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("X-Test-User", "consumer")
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		fres, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		fres.Body.Close()
		if fres.StatusCode != 303 {
			t.Fatalf("obstacle form: %d", fres.StatusCode)
		}
		obstaclePath := fres.Header.Get("Location")
		obstaclePath = obstaclePath[:strings.Index(obstaclePath, "?")]
		// Termination without a ground: the page redisplays with the error.
		res, body = form(t, srv, "/terminations", "provider", url.Values{"service_id": {itoa(w.svc.ID)}, "consumer_org_id": {itoa(w.syt.ID)},
			"detail": {"The procedure moved to the national portal"}})
		if res.StatusCode != 422 || !strings.Contains(body, `id="reason-err"`) {
			t.Fatalf("termination form: %d", res.StatusCode)
		}
		pages := []struct{ path, user, want string }{
			{"/statistics", "", `role="img"`},
			{"/statistics?months=3", "", "1.234"}, // calls, Vietnamese thousands
			{"/notices", "", "Database server upgrade"},
			{"/suspensions", "provider", "mọi bên khai thác"},
			{"/suspensions/new", "provider", "12/09/2026"},
			{"/terminations", "auditor", ""},
			{"/terminations/new", "provider", "khoản 1 Điều 44"},
			{"/obstacles", "consumer", "Truncated owner names"},
			{"/obstacles/new", "consumer", ""},
			{obstaclePath, "provider", `<ul class="evidence">`}, // long digests wrap on phones
			{"/quality-reviews", "it", "Business register"},
			{"/calendar", "provider", "Truncated owner names"},
			{"/calendar", "it", "lists"},
			{"/agreements", "gd", ""},
		}
		for _, p := range pages {
			res, body := do(t, srv, call{"GET", p.path, p.user, nil})
			if res.StatusCode != 200 || !strings.Contains(string(body), p.want) {
				t.Fatalf("%s as %q: %d, want %q in\n%s", p.path, p.user, res.StatusCode, p.want, body)
			}
		}
		// Logged-in pages send anonymous visitors to the login page.
		if res, _ := do(t, srv, call{"GET", "/agreements", "", nil}); res.StatusCode != 303 {
			t.Fatalf("anonymous /agreements: %d", res.StatusCode)
		}
		// XLSX export.
		res, xb := do(t, srv, call{"GET", "/statistics.xlsx", "", nil})
		if res.StatusCode != 200 || !strings.HasPrefix(string(xb), "PK") || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("xlsx: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		// Quality review started from the page, pre-filled from the log.
		res, _ = form(t, srv, "/quality-reviews", "provider", url.Values{"database_id": {"21"}, "year": {"2026"}})
		if res.StatusCode != 303 {
			t.Fatalf("start review: %d", res.StatusCode)
		}
		loc := res.Header.Get("Location")
		res, rb := do(t, srv, call{"GET", loc[:strings.Index(loc, "?")], "provider", nil})
		if res.StatusCode != 200 || !strings.Contains(string(rb), "1.234") { // calls, Vietnamese thousands
			t.Fatalf("review page: %d", res.StatusCode)
		}
	})
}

// TestPageFormatsAndFieldErrors: dates show as dd/mm/yyyy, chart figures
// in the page's language with whole ticks, actions only for those who may
// take them, and a bad form answers with the message beside its field and
// changes nothing.
func TestPageFormatsAndFieldErrors(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		w := newWorld(t, db, vn("2026-08-31 10:00"))
		w.calls.counts = []oversight.CallCount{{Month: "2026-08", ServiceID: 11, ProviderOrgID: w.stc.ID, ConsumerOrgID: w.syt.ID, Calls: 1234, Errors: 56}}
		srv := server(t, w)
		get := func(path, user, lang string) (int, string) {
			t.Helper()
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			if user != "" {
				req.Header.Set("X-Test-User", user)
			}
			if lang != "" {
				req.AddCookie(&http.Cookie{Name: "govdx_lang", Value: lang})
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(raw)
		}
		// The due day of the quality reports, in the page's date format.
		if code, body := get("/quality-reviews", "it", ""); code != 200 || !strings.Contains(body, "31/12/2026") || strings.Contains(body, "2026-12-31") {
			t.Fatalf("quality overview: %d\n%s", code, body)
		}
		// Chart figures: English grouping on English pages, whole ticks.
		code, body := get("/statistics?months=3", "", "en")
		if code != 200 || !strings.Contains(body, ">1,234</text>") || strings.Contains(body, ">1.234</text>") {
			t.Fatalf("English chart figures: %d\n%s", code, body)
		}
		_, body = get("/statistics?months=3", "", "")
		if !strings.Contains(body, ">1.234</text>") {
			t.Fatalf("Vietnamese chart figures:\n%s", body)
		}
		chart := string(oversight.BarChart("c", "t", "d", []string{"a"}, []oversight.Series{{Name: "n", Values: []float64{5}}}, (&web.View{Lang: "en"}).Num))
		for _, tick := range []string{">1</text>", ">2</text>", ">3</text>", ">4</text>", ">5</text>"} {
			if !strings.Contains(chart, tick) {
				t.Fatalf("tick %s missing in %s", tick, chart)
			}
		}
		// An auditor cannot propose an agreement: no button, no form.
		if code, body := get("/agreements", "auditor", ""); code != 200 || strings.Contains(body, `href="/agreements/new"`) {
			t.Fatalf("auditor's agreements page: %d", code)
		}
		if code, _ := get("/agreements/new", "auditor", ""); code != 403 {
			t.Fatalf("auditor's new agreement form: %d", code)
		}
		if _, body := get("/agreements", "consumer", ""); !strings.Contains(body, `href="/agreements/new"`) {
			t.Fatal("a consumer may propose an agreement")
		}
		// A list review with a too-short summary: the error is in that
		// row, beside the summary, and nothing is recorded.
		res, body := form(t, srv, "/list-reviews", "it", url.Values{"org_id": {itoa(w.dn.ID)}, "kind": {"default_shared"}, "note": {"ok"}})
		errID := `id="note-` + itoa(w.dn.ID) + `-default_shared-err"`
		if res.StatusCode != 422 || !strings.Contains(body, errID) || !strings.Contains(body, `value="ok"`) {
			t.Fatalf("list review: %d, want %s in\n%s", res.StatusCode, errID, body)
		}
		if got, err := w.store.ListReviews(context.Background(), w.dn.ID); err != nil || len(got) != 0 {
			t.Fatalf("list reviews after a refused form: %v %v", got, err)
		}
		// An obstacle with a bad link: the error is under the link field.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"category": "data_quality", "title": "Truncated owner names", "service_id": itoa(w.svc.ID),
			"description": "The owner field is cut at 50 characters.", "link": "ftp://example.org/x"} {
			_ = mw.WriteField(k, v)
		}
		mw.Close()
		req, _ := http.NewRequest("POST", srv.URL+"/obstacles", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("X-Test-User", "consumer")
		ores, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(ores.Body)
		ores.Body.Close()
		if ores.StatusCode != 422 || !strings.Contains(string(raw), `aria-describedby="link-err"`) || !strings.Contains(string(raw), `id="link-err"`) {
			t.Fatalf("obstacle with a bad link: %d\n%s", ores.StatusCode, raw)
		}
		if list, err := w.store.ListObstacles(context.Background(), w.consumer, oversight.ObstacleFilter{}); err != nil || len(list.Items) != 0 {
			t.Fatalf("obstacles after a refused form: %v %v", list.Items, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
