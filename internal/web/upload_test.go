package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

// uploadRequest builds a multipart request of fields (in order) and, when
// file is not nil, a "file" part after them.
func uploadRequest(t *testing.T, fields [][2]string, file []byte) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", "data.csv")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	mw.Close()
	r := httptest.NewRequest("POST", "/upload", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

// emptyFileInput is a form whose first part is a file input left empty
// (no file name) followed by n bytes, which StreamUpload skips.
func emptyFileInput(t *testing.T, n int) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bytes.Repeat([]byte("x"), n))
	mw.Close()
	r := httptest.NewRequest("POST", "/upload", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

func TestStreamUpload(t *testing.T) {
	session := &identity.Principal{UserID: 1, Via: "session", CSRF: "tok"}
	bearer := &identity.Principal{UserID: 1, Via: "token"}
	tooLarge := platform.Errorf(platform.ETooLarge, "file_too_large", "too large")
	withHeader := func(r *http.Request) *http.Request { r.Header.Set("X-CSRF-Token", "tok"); return r }
	for _, tt := range []struct {
		name string
		r    *http.Request
		p    *identity.Principal
		u    web.Upload
		code string // "" when store runs
	}{
		{"not multipart", httptest.NewRequest("POST", "/upload", strings.NewReader("x")), bearer, web.Upload{Limit: 1 << 20}, "not_multipart"},
		{"session without token", uploadRequest(t, [][2]string{{"name", "n"}}, []byte("a,b")), session, web.Upload{Limit: 1 << 20, CSRF: true}, "csrf"},
		{"token field before the file", uploadRequest(t, [][2]string{{"_csrf", "tok"}, {"name", "n"}}, []byte("a,b")), session, web.Upload{Limit: 1 << 20, CSRF: true}, ""},
		{"token header", withHeader(uploadRequest(t, [][2]string{{"name", "n"}}, []byte("a,b"))), session, web.Upload{Limit: 1 << 20, CSRF: true}, ""},
		{"wrong token field", uploadRequest(t, [][2]string{{"_csrf", "bad"}, {"name", "n"}}, []byte("a,b")), session, web.Upload{Limit: 1 << 20, CSRF: true}, "csrf"},
		{"bearer needs no token", uploadRequest(t, [][2]string{{"name", "n"}}, []byte("a,b")), bearer, web.Upload{Limit: 1 << 20, CSRF: true}, ""},
		{"session, CSRF not asked", uploadRequest(t, [][2]string{{"name", "n"}}, []byte("a,b")), session, web.Upload{Limit: 1 << 20}, ""},
		{"no file", uploadRequest(t, [][2]string{{"_csrf", "tok"}, {"name", "n"}}, nil), session, web.Upload{Limit: 1 << 20, CSRF: true}, "required"},
		{"no file and no token: CSRF first", uploadRequest(t, [][2]string{{"name", "n"}}, nil), session, web.Upload{Limit: 1 << 20, CSRF: true}, "csrf"},
		{"no file, bearer", uploadRequest(t, [][2]string{{"name", "n"}}, nil), bearer, web.Upload{Limit: 1 << 20, CSRF: true}, "required"},
		{"body too large", emptyFileInput(t, 4096), bearer, web.Upload{Limit: 512, TooLarge: tooLarge}, "file_too_large"},
		{"field too large", uploadRequest(t, [][2]string{{"name", strings.Repeat("x", 65<<10)}}, []byte("a,b")), bearer, web.Upload{Limit: 1 << 20}, "field_too_large"},
	} {
		var got url.Values
		var content []byte
		err := web.StreamUpload(httptest.NewRecorder(), tt.r, tt.p, tt.u, func(fields url.Values, file io.Reader) error {
			got = fields
			var err error
			content, err = io.ReadAll(file)
			return err
		})
		if tt.code != "" {
			if e := platform.AsError(err); e.Code != tt.code {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			}
			continue
		}
		if err != nil || got.Get("name") != "n" || string(content) != "a,b" {
			t.Errorf("%s: %v, fields %v, file %q", tt.name, err, got, content)
		}
	}
}
