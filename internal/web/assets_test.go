package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/govdx/govdx/internal/web"
)

func TestAssetsHashedNamesAndServing(t *testing.T) {
	fsys := fstest.MapFS{
		"static/a.css":     {Data: []byte("body{}")},
		"static/sub/b.js":  {Data: []byte("let x")},
		"static/c.unknown": {Data: []byte("?")},
	}
	a, err := web.LoadAssets(fsys, "static", "/f/static/")
	if err != nil {
		t.Fatal(err)
	}
	css := a.URL("a.css")
	if !strings.HasPrefix(css, "/f/static/a.") || !strings.HasSuffix(css, ".css") || len(css) != len("/f/static/a.")+12+len(".css") {
		t.Fatalf("URL(a.css) = %q, want /f/static/a.<12 hex>.css", css)
	}
	if js := a.URL("b.js"); !strings.HasPrefix(js, "/f/static/b.") {
		t.Fatalf("a file in a subfolder is named by its base name: %q", js)
	}
	if a.URL("missing.css") != "" {
		t.Fatal("URL of a missing file is not empty")
	}

	rec := httptest.NewRecorder()
	a.Serve(rec, httptest.NewRequest("GET", css, nil), strings.TrimPrefix(css, "/f/static/"))
	if rec.Code != http.StatusOK || rec.Body.String() != "body{}" ||
		rec.Header().Get("Content-Type") != "text/css; charset=utf-8" ||
		rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("serve: %d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
	rec = httptest.NewRecorder()
	a.Serve(rec, httptest.NewRequest("GET", "/f/static/a.css", nil), "a.css")
	if rec.Code != http.StatusNotFound {
		t.Fatalf("an unhashed name answered %d, want 404", rec.Code)
	}
}
