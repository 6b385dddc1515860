package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/govdx/govdx/internal/app"
)

// newApp builds the real program on a temporary SQLite database (or on
// PostgreSQL when dsn is given) with the demo data.
func newApp(t testing.TB, dsn string) *app.App {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), PostgresDSN: dsn, Demo: true,
		Migrate: true, Logger: slog.New(slog.DiscardHandler), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func TestOpenAPIDocumentIsValidAndMatchesRoutes(t *testing.T) {
	a := newApp(t, "")
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	raw, _ := io.ReadAll(res.Body)
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	var d struct {
		OpenAPI    string                                `json:"openapi"`
		Info       map[string]any                        `json:"info"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	if d.OpenAPI != "3.1.0" || d.Info["title"] == nil || d.Info["version"] == nil {
		t.Fatalf("bad header: %s %v", d.OpenAPI, d.Info)
	}
	// Every component schema compiles as JSON Schema 2020-12 (OpenAPI 3.1's dialect),
	// which also proves every $ref resolves.
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("https://govdx.test/openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	for name := range d.Components.Schemas {
		if _, err := c.Compile("https://govdx.test/openapi.json#/components/schemas/" + name); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}
	// The document lists exactly the registered routes, and every operation
	// has an id, a summary and responses.
	documented := map[string]bool{}
	ids := map[string]bool{}
	for path, item := range d.Paths {
		for method, rawOp := range item {
			var op struct {
				OperationID string         `json:"operationId"`
				Summary     string         `json:"summary"`
				Responses   map[string]any `json:"responses"`
			}
			if err := json.Unmarshal(rawOp, &op); err != nil {
				t.Fatal(err)
			}
			if op.OperationID == "" || op.Summary == "" || len(op.Responses) == 0 {
				t.Errorf("%s %s: incomplete operation", method, path)
			}
			if ids[op.OperationID] {
				t.Errorf("duplicate operationId %s", op.OperationID)
			}
			ids[op.OperationID] = true
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for _, r := range a.API.Routes() {
		if !documented[r] {
			t.Errorf("route %s is not documented", r)
		}
		delete(documented, r)
	}
	for r := range documented {
		t.Errorf("documented %s is not a route", r)
	}
	// Every documented route is really served: a request to it never falls
	// through to the catch-all "API route not found".
	for _, r := range a.API.Routes() {
		method, path, _ := strings.Cut(r, " ")
		path = strings.NewReplacer("{id}", "1", "{gid}", "1", "{code}", "x", "{name}", "x").Replace(path)
		for strings.Contains(path, "{") {
			i := strings.Index(path, "{")
			j := strings.Index(path[i:], "}")
			path = path[:i] + "x" + path[i+j+1:]
		}
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(body), "API route not found") {
			t.Errorf("%s is documented but not served", r)
		}
	}
}

func TestOperationsEndpoints(t *testing.T) {
	a := newApp(t, "")
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	for _, tt := range []struct {
		path   string
		status int
		want   string
	}{
		{"/healthz", 200, `"ok"`},
		{"/metrics", 200, "govdx_http_requests_total"},
		{"/api/v1/nothing-here", 404, `"code":"not_found"`},
		{"/no-such-page", 404, "Không tìm thấy trang"},
	} {
		// Hit once first so the request counter exists for /metrics.
		res, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status || !strings.Contains(string(body), tt.want) {
			t.Errorf("%s: %d %.200s", tt.path, res.StatusCode, body)
		}
		if res.Header.Get("X-Request-ID") == "" {
			t.Errorf("%s: no request ID", tt.path)
		}
	}
}

func TestSessionLoginAndCSRF(t *testing.T) {
	a := newApp(t, "")
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Post(srv.URL+"/api/v1/session", "application/json", strings.NewReader(`{"username":"danang.it","password":"`+app.DemoPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		User struct {
			Username string `json:"username"`
		} `json:"user"`
		CSRF string `json:"csrf_token"`
	}
	json.NewDecoder(res.Body).Decode(&me)
	res.Body.Close()
	if res.StatusCode != 200 || me.User.Username != "danang.it" || me.CSRF == "" {
		t.Fatalf("login: %d %+v", res.StatusCode, me)
	}
	// An unsafe call with the session cookie but without the CSRF header is refused.
	res, _ = c.Post(srv.URL+"/api/v1/me/tokens", "application/json", strings.NewReader(`{"name":"x"}`))
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("without CSRF header: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/me/tokens", strings.NewReader(`{"name":"ci","expires_in_days":30}`))
	req.Header.Set("X-CSRF-Token", me.CSRF)
	req.Header.Set("Content-Type", "application/json")
	res, _ = c.Do(req)
	var tok struct {
		Secret string `json:"secret"`
	}
	json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if res.StatusCode != 201 || !strings.HasPrefix(tok.Secret, "gdx_") {
		t.Fatalf("create token: %d %+v", res.StatusCode, tok)
	}
	// The token works without cookies or CSRF.
	req, _ = http.NewRequest("GET", srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Secret)
	res, _ = http.DefaultClient.Do(req)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("token call: %d", res.StatusCode)
	}
	// Malformed and unknown fields are refused with problem+json naming the field.
	res, _ = http.Post(srv.URL+"/api/v1/session", "application/json", strings.NewReader(`{"username":"x","password":"y","extra":1}`))
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 422 || !strings.Contains(string(body), `"field":"extra"`) || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("unknown field: %d %s", res.StatusCode, body)
	}
}

func TestDemoIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		a, err := app.New(context.Background(), app.Config{Addr: "127.0.0.1:0", DataDir: dir, Demo: true, Migrate: true, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
		var n int
		if err := a.DB.Read.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n); err != nil || n != len(app.DemoLogins) {
			t.Fatalf("start %d: %d users, %v", i, n, err)
		}
		a.Close()
	}
}

func TestStartRefusesBrokenDatabase(t *testing.T) {
	dir := t.TempDir()
	// A file where the data directory should be: SQLite cannot open it.
	blocker := filepath.Join(dir, "blocked")
	if err := os.WriteFile(blocker, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := app.New(context.Background(), app.Config{DataDir: blocker, Migrate: true, Logger: slog.New(slog.DiscardHandler)}); err == nil {
		t.Fatal("want an error for an unusable data directory")
	}
	if _, err := app.New(context.Background(), app.Config{DataDir: dir, PostgresDSN: "postgres://nobody@127.0.0.1:1/none?connect_timeout=1", Migrate: true, Logger: slog.New(slog.DiscardHandler)}); err == nil {
		t.Fatal("want an error for an unreachable PostgreSQL")
	}
	// A database that is not a govdx database (garbage file) fails to migrate.
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "govdx.db"), []byte("this is not a database file at all, not even close........................................"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := app.New(context.Background(), app.Config{DataDir: bad, Migrate: true, Logger: slog.New(slog.DiscardHandler)}); err == nil {
		t.Fatal("want an error for a corrupt database file")
	}
}

func TestPostgresBackend(t *testing.T) {
	dsn := os.Getenv("GOVDX_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("GOVDX_TEST_POSTGRES not set")
	}
	schemaDSN := freshSchema(t, dsn)
	a := newApp(t, schemaDSN)
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	res, err := http.Post(srv.URL+"/api/v1/session", "application/json", strings.NewReader(`{"username":"admin","password":"`+app.DemoPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("login on PostgreSQL: %d", res.StatusCode)
	}
}

// TestTranslationsAgree: a feature's pages use its own translations, so a
// label may differ between features ("Title" of a document or of a
// person); but error and validation messages, also shown outside a
// feature's pages (the error page, JSON answers of upload forms), must
// read the same whichever feature registered last.
func TestTranslationsAgree(t *testing.T) {
	a := newApp(t, "")
	for _, c := range a.Site.MessageConflicts() {
		// Error and validation messages: lower case, several words.
		if c.English != "" && unicode.IsLower([]rune(c.English)[0]) && strings.Contains(c.English, " ") {
			t.Errorf("%q is %q (%s) or %q (%s)", c.English, c.First, orShell(c.FirstFeature), c.Then, orShell(c.Feature))
		}
	}
}

func orShell(feature string) string {
	if feature == "" {
		return "shell"
	}
	return feature
}
