package syncshare_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/syncshare"
	"github.com/govdx/govdx/internal/web"
)

// server serves the pages and API of syncshare as the provider's officer.
func (e *env) server(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	site, err := web.New()
	if err != nil {
		t.Fatal(err)
	}
	api := platform.NewAPI(mux, "/api/v1", "govdx API", "test")
	if err := syncshare.Register(mux, site, api, e.store); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(identity.WithPrincipal(r.Context(), e.provider)))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, method, url, contentType string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

// nothingWritten checks that refused input left no feed, record, package
// or temporary file.
func (e *env) nothingWritten(t *testing.T) {
	t.Helper()
	for _, table := range []string{"sync_feeds", "sync_records", "sync_staging", "sync_packages", "sync_package_chunks"} {
		if n := count(t, e.db, `SELECT COUNT(*) FROM `+table); n != 0 {
			t.Errorf("refused input wrote %d rows of %s", n, table)
		}
	}
	if left, _ := os.ReadDir(e.tmp); len(left) != 0 {
		t.Errorf("refused input left %d temporary files", len(left))
	}
}

// TestAPIReportsEveryMistake: a push, snapshot or package whose
// parameters have several mistakes is refused with 422 naming each of
// them in errors, before the file is read; nothing is written.
func TestAPIReportsEveryMistake(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{MaxPushRecords: 3})
		srv := e.server(t)
		long := strings.Repeat("x", 301)
		for _, c := range []struct {
			name, method, path, contentType, body string
			fields                                []string
		}{
			{"push without records, unknown key item", "POST", "/api/v1/sync/services/1/records", "application/json",
				`{"key_item":"nope","records":[]}`, []string{"key_item", "records"}},
			{"push of too many records, unknown key item", "POST", "/api/v1/sync/services/1/records", "application/json",
				`{"key_item":"nope","records":[{},{},{},{}]}`, []string{"key_item", "records"}},
			{"snapshot", "PUT", "/api/v1/sync/services/1/snapshot?format=pdf&key_item=nope", "text/csv",
				"ma_ho,ten\nHKD1,A\n", []string{"key_item", "format"}},
			{"package", "POST", "/api/v1/sync/services/2/packages?format=pdf&valid_for=abc&name=" + long, "text/csv",
				newEnterprises, []string{"valid_for", "name", "format"}},
			{"package without a period", "POST", "/api/v1/sync/services/4/packages?source=" + strings.Repeat("y", 1001), "text/csv",
				newEnterprises, []string{"valid_for", "source"}},
			{"package beyond the regulation", "POST", "/api/v1/sync/services/2/packages?valid_for=31d&format=doc", "text/csv",
				newEnterprises, []string{"valid_for", "format"}},
		} {
			status, h, b := send(t, c.method, srv.URL+c.path, c.contentType, strings.NewReader(c.body))
			if status != 422 || h.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d %s: %s", c.name, status, h.Get("Content-Type"), b)
				continue
			}
			var p platform.Problem
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatal(err)
			}
			var fields []string
			for _, is := range p.Errors {
				fields = append(fields, is.Field)
			}
			if !slices.Equal(fields, c.fields) || p.Field != c.fields[0] {
				t.Errorf("%s: fields %v (first %q), want %v: %s", c.name, fields, p.Field, c.fields, b)
			}
		}
		e.nothingWritten(t)
	})
}

// multipartForm builds an upload form: fields in order, then the file.
func multipartForm(fields [][2]string, file string) (string, *bytes.Buffer) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	fw, _ := mw.CreateFormFile("file", "data.csv")
	_, _ = io.WriteString(fw, file)
	_ = mw.Close()
	return mw.FormDataContentType(), &buf
}

// TestUploadFormsShowEveryMistake: the upload forms of a service's page
// come back with each mistake beside its field, in Vietnamese, and only on
// the form that was sent; nothing is written.
func TestUploadFormsShowEveryMistake(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		srv := e.server(t)
		for _, c := range []struct {
			name, path string
			fields     [][2]string
			file       string
			beside     map[string]string // error id -> its Vietnamese text
		}{
			{"package", "/sync/services/2/packages",
				[][2]string{{"name", strings.Repeat("x", 301)}, {"source", strings.Repeat("y", 1001)}, {"format", "pdf"}, {"valid_days", "0"}},
				newEnterprises, map[string]string{
					"pkg-name-err":   "tên không được vượt quá 300 ký tự",
					"pkg-source-err": "nguồn dữ liệu không được vượt quá 1000 ký tự",
					"pkg-format-err": "định dạng gói dữ liệu phải là csv, json hoặc xlsx",
					"pkg-days-err":   "thời hạn hiệu lực từ 1 đến 3660 ngày, ví dụ 30d",
				}},
			{"package beyond the regulation", "/sync/services/2/packages",
				[][2]string{{"format", "doc"}, {"valid_days", "31"}},
				newEnterprises, map[string]string{
					"pkg-format-err": "định dạng gói dữ liệu phải là csv, json hoặc xlsx",
					"pkg-days-err":   "",
				}},
			{"package file with bad lines", "/sync/services/2/packages",
				[][2]string{{"name", "Doanh nghiệp mới"}},
				"ma_so_thue,so_cccd\n1,079123456789\n", map[string]string{
					"pkg-file-err": "tệp bị từ chối, không có dữ liệu nào được lưu",
				}},
			{"snapshot", "/sync/services/1/snapshot",
				[][2]string{{"format", "pdf"}, {"key_item", "nope"}},
				"ma_ho,ten\nHKD1,A\n", map[string]string{
					"snap-format-err": "định dạng phải là csv, json hoặc xlsx",
					"key_item-err":    "&#34;nope&#34; không phải là trường dữ liệu của dịch vụ",
				}},
			{"empty snapshot", "/sync/services/1/snapshot",
				[][2]string{{"format", "csv"}}, "", map[string]string{
					"snap-file-err": "tệp rỗng",
				}},
		} {
			ct, body := multipartForm(c.fields, c.file)
			status, _, b := send(t, "POST", srv.URL+c.path, ct, body)
			page := string(b)
			if status != 422 {
				t.Errorf("%s: %d: %.600s", c.name, status, page)
				continue
			}
			for id, text := range c.beside {
				shown := regexp.MustCompile(`<div class="error" id="` + id + `"( role="alert")?>` + regexp.QuoteMeta(text))
				if !strings.Contains(page, `aria-invalid="true" aria-describedby="`+id+`"`) || !shown.MatchString(page) {
					t.Errorf("%s: no error %q beside its field (%q)", c.name, id, text)
				}
			}
			if n := strings.Count(page, `class="error" id=`); n != len(c.beside) {
				t.Errorf("%s: %d errors shown, want %d", c.name, n, len(c.beside))
			}
			if strings.Contains(page, `class="alert"`) {
				t.Errorf("%s: the mistakes are also shown above the forms", c.name)
			}
		}
		// The bad lines of a file are listed beside it.
		ct, body := multipartForm(nil, "ma_so_thue,so_cccd\n1,079123456789\n2,079123456780\n,x\n")
		if status, _, b := send(t, "POST", srv.URL+"/sync/services/2/packages", ct, body); status != 422 ||
			!strings.Contains(string(b), `id="pkg-file-err" role="alert">`) || !strings.Contains(string(b), "<li>") || !strings.Contains(string(b), "so_cccd") {
			t.Errorf("bad lines: %d %s", status, b)
		}
		e.nothingWritten(t)
	})
}
