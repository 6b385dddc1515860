package sharing_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharing"
)

// problemFields reads the fields of a problem+json answer's errors array.
func problemFields(t *testing.T, b []byte) (platform.Problem, []string) {
	t.Helper()
	var p platform.Problem
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("not a problem: %v %s", err, b)
	}
	var fields []string
	for _, is := range p.Errors {
		if is.Message == "" || is.Code == "" {
			t.Errorf("issue without code or message: %+v", is)
		}
		fields = append(fields, is.Field)
	}
	return p, fields
}

// TestAPIReportsEveryMistake: a body with several wrong fields is refused
// with 422 naming each of them in errors (the first also in field), and
// nothing is written.
func TestAPIReportsEveryMistake(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		srv, _ := e.server(t)
		e.mustRequest(t) // request 1, waiting for stc's decision
		notices := e.count(t, `SELECT COUNT(*) FROM notifications`)
		for _, c := range []struct {
			name, who, method, path, body string
			fields                        []string
		}{
			{name: "request form", who: "syt", method: "POST", path: "/api/v1/requests",
				body: `{"application_code":"!bad","application_name":"","purpose":"ngắn","service_id":1,
					"items":["ma_so_dn","so_cccd"],"expected_calls_per_day":0,"frequency_note":"` + strings.Repeat("x", 1001) + `"}`,
				fields: []string{"application_code", "application_name", "purpose", "expected_calls_per_day", "frequency_note", "items"}},
			{name: "request without service", who: "syt", method: "POST", path: "/api/v1/requests",
				body:   `{"application_name":"App","purpose":"Xác minh doanh nghiệp khi cấp phép","items":[],"expected_calls_per_day":-1}`,
				fields: []string{"service_id", "items", "expected_calls_per_day"}},
			{name: "request for a retired service", who: "syt", method: "POST", path: "/api/v1/requests",
				body:   `{"application_name":"","purpose":"Xác minh doanh nghiệp khi cấp phép","service_id":2,"items":["ma_so_dn"],"expected_calls_per_day":10}`,
				fields: []string{"service_id", "application_name"}},
			{name: "request of an unknown organisation", who: "admin", method: "POST", path: "/api/v1/requests",
				body:   `{"consumer_org_id":999,"application_name":"App","purpose":"ngắn","service_id":1,"items":["ma_so_dn"],"expected_calls_per_day":10}`,
				fields: []string{"consumer_org_id", "purpose"}},
			{name: "approval", who: "stc", method: "POST", path: "/api/v1/requests/1/approve",
				body:   `{"items":["von_dieu_le"],"valid_from":"2026-03-01","valid_to":"31/12/2026","rate_per_minute":-1,"rate_per_day":-5,"cert_fingerprint":"xyz"}`,
				fields: []string{"items", "valid_from", "valid_to", "rate_per_minute", "rate_per_day", "cert_fingerprint"}},
			{name: "approval with dates in the wrong order", who: "stc", method: "POST", path: "/api/v1/requests/1/approve",
				body:   `{"valid_from":"2026-03-10","valid_to":"2026-03-09","rate_per_minute":100,"rate_per_day":50}`,
				fields: []string{"valid_to", "rate_per_day"}},
			{name: "refusal", who: "stc", method: "POST", path: "/api/v1/requests/1/refuse", body: `{"reason":" ","legal_basis":""}`,
				fields: []string{"reason", "legal_basis"}},
			{name: "request list filters", who: "stc", method: "GET", path: "/api/v1/requests?state=lost&service=x&limit=0",
				fields: []string{"state", "service", "limit"}},
			{name: "account list filters", who: "stc", method: "GET", path: "/api/v1/accounts?status=lost&service=0&cursor=%21",
				fields: []string{"status", "service", "cursor"}},
		} {
			status, h, b := e.do(t, srv, step{who: c.who, method: c.method, path: c.path, body: c.body})
			if status != 422 || h.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d %s: %s", c.name, status, h.Get("Content-Type"), b)
				continue
			}
			p, fields := problemFields(t, b)
			if !slices.Equal(fields, c.fields) || p.Field != c.fields[0] || p.Code != p.Errors[0].Code || p.Detail != p.Errors[0].Message {
				t.Errorf("%s: fields %v (first %q), want %v: %s", c.name, fields, p.Field, c.fields, b)
			}
		}
		if n := e.count(t, `SELECT COUNT(*) FROM connection_requests`); n != 1 {
			t.Errorf("%d requests, want the first only", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM connection_accounts`); n != 0 {
			t.Errorf("%d accounts created by refused approvals", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM connection_requests WHERE state = 'submitted'`); n != 1 {
			t.Error("a refused decision changed the request")
		}
		if n := e.count(t, `SELECT COUNT(*) FROM notifications`); n != notices {
			t.Errorf("%d notifications sent for refused input", n-notices)
		}
		// The right to act still comes first: a requester's approval with
		// mistakes is forbidden, not corrected.
		if status, _, b := e.do(t, srv, step{who: "syt", method: "POST", path: "/api/v1/requests/1/approve",
			body: `{"rate_per_minute":-1,"cert_fingerprint":"xyz"}`}); status != 403 {
			t.Errorf("approval by the requester: %d %s", status, b)
		}
		if status, _, b := e.do(t, srv, step{who: "stc", method: "POST", path: "/api/v1/requests",
			body: `{"consumer_org_id":` + itoa(e.orgs["DN.SYT"].ID) + `,"application_name":"","service_id":1,"items":[]}`}); status != 403 {
			t.Errorf("request filed for another organisation: %d %s", status, b)
		}
	})
}

// TestPagesShowEveryMistake: a page form with several wrong fields comes
// back with each error beside its field, in Vietnamese, and nothing is
// written.
func TestPagesShowEveryMistake(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db)
		srv, _ := e.server(t)
		r := e.mustRequest(t)
		path := "/requests/" + itoa(r.ID)
		notices := e.count(t, `SELECT COUNT(*) FROM notifications`)
		for _, c := range []struct {
			name, who, path string
			form            url.Values
			beside          map[string]string // error id -> its Vietnamese text
		}{
			{name: "new request", who: "syt", path: "/requests",
				form: url.Values{"service_id": {"1"}, "consumer_org_id": {itoa(e.orgs["DN.SYT"].ID)}, "application_code": {"!bad"},
					"application_name": {""}, "purpose": {"ngắn"}, "items": {"nope"}, "expected_calls_per_day": {"0"},
					"other_info": {strings.Repeat("x", 4001)}},
				beside: map[string]string{
					"application_code-err": "mã ứng dụng gồm 1-100 ký tự chữ, số",
					"application_name-err": "cần nhập tên ứng dụng",
					"purpose-err":          "hãy nêu mục đích và cách sử dụng dữ liệu (tối thiểu 10 ký tự)",
					"items-err":            "dịch vụ DN.STC.TRACUU_DN không trả về trường dữ liệu",
					"calls-err":            "số lượt gọi dự kiến mỗi ngày phải từ 1 đến 100000000",
					"other_info-err":       "",
				}},
			{name: "approval", who: "stc", path: path + "/approve",
				form: url.Values{"valid_from": {"2026-13-01"}, "valid_to": {"2026-01-01"}, "rate_per_minute": {""}, "rate_per_day": {"-1"},
					"cert_fingerprint": {"xyz"}},
				beside: map[string]string{
					"approve-items-err":    "hãy chọn ít nhất một trường dữ liệu",
					"valid_from-err":       "ngày bắt đầu hiệu lực không hợp lệ",
					"rate_per_minute-err":  "giới hạn lượt gọi/phút phải từ 1 đến 1000000",
					"rate_per_day-err":     "giới hạn lượt gọi/ngày phải từ 0 (không giới hạn) đến 1000000000",
					"cert_fingerprint-err": "dấu vân tay chứng thư phải là giá trị SHA-256 gồm 64 chữ số thập lục phân",
				}},
			{name: "approval ending too late", who: "stc", path: path + "/approve",
				form: url.Values{"items": {"ma_so_dn"}, "valid_from": {"2026-03-02"}, "valid_to": {"2032-01-01"}, "rate_per_minute": {"0"}},
				beside: map[string]string{
					"valid_to-err":        "",
					"rate_per_minute-err": "giới hạn lượt gọi/phút phải từ 1 đến 1000000",
				}},
			{name: "refusal", who: "stc", path: path + "/refuse", form: url.Values{"reason": {"ngắn"}, "legal_basis": {""}},
				beside: map[string]string{
					"reason-err":      "việc từ chối phải nêu rõ lý do (tối thiểu 10 ký tự",
					"legal_basis-err": "việc từ chối phải nêu căn cứ pháp lý hạn chế chia sẻ",
				}},
		} {
			status, _, b := e.do(t, srv, step{who: c.who, method: "POST", path: c.path, form: c.form})
			page := string(b)
			if status != 422 {
				t.Errorf("%s: %d: %.600s", c.name, status, page)
				continue
			}
			for id, text := range c.beside {
				if !strings.Contains(page, `aria-describedby="`+id+`"`) || !strings.Contains(page, `id="`+id+`">`+text) {
					t.Errorf("%s: no error %q beside its field (%q)", c.name, id, text)
				}
			}
			if n := strings.Count(page, `class="error" id=`); n != len(c.beside) {
				t.Errorf("%s: %d errors shown, want %d", c.name, n, len(c.beside))
			}
		}
		if n := e.count(t, `SELECT COUNT(*) FROM connection_requests`); n != 1 {
			t.Errorf("%d requests, want the first only", n)
		}
		if got, _ := e.store.Request(t.Context(), e.p["stc"], r.ID); got.State != sharing.StateSubmitted || got.AccountID != nil {
			t.Errorf("a refused decision changed the request: %+v", got)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM notifications`); n != notices {
			t.Errorf("%d notifications sent for refused forms", n-notices)
		}
	})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
