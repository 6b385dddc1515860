package opendata

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/web/webtest"
)

func sets() []platform.Migrations {
	return []platform.Migrations{directory.Migrations(), identity.Migrations(), Migrations()}
}

// world is a province with two departments, a user per role and a store
// whose files live in a temporary directory.
type world struct {
	db           *platform.DB
	dir          *directory.Store
	ids          *identity.Store
	store        *Store
	filesDir     string
	prov, deptA  directory.Org
	deptB, other directory.Org
	srv          *httptest.Server
}

func newWorld(t *testing.T, db *platform.DB, opts Options) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: db, dir: directory.NewStore(db), ids: identity.NewStore(db), filesDir: filepath.Join(t.TempDir(), "opendata")}
	w.ids.SetFastHashing()
	mk := func(code string, kind directory.Kind, parent *directory.Org) directory.Org {
		in := directory.OrgInput{Code: code, Name: "Sở " + code, Kind: kind}
		if parent != nil {
			in.ParentID = &parent.ID
		}
		o, err := w.dir.CreateOrg(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	w.prov = mk("DN", directory.KindProvince, nil)
	w.deptA = mk("DN.STC", directory.KindDepartment, &w.prov)
	w.deptB = mk("DN.SYT", directory.KindDepartment, &w.prov)
	w.other = mk("QN", directory.KindProvince, nil)
	var err error
	w.store, err = NewStore(ctx, db, w.filesDir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) user(t *testing.T, name string, org directory.Org, role identity.Role) identity.User {
	t.Helper()
	u, err := w.ids.CreateUser(context.Background(), identity.UserInput{OrgID: org.ID, Username: name, FullName: "User " + name, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		if err := w.ids.GrantRole(context.Background(), u.ID, role, org.ID, 0); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// forEach runs fn on every backend with a fresh world.
func forEach(t *testing.T, opts Options, fn func(t *testing.T, w *world)) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		fn(t, newWorld(t, db, opts))
	})
}

// dataset creates a draft in org.
func (w *world) dataset(t *testing.T, org directory.Org, title string, tags ...string) Dataset {
	t.Helper()
	d, err := w.store.CreateDataset(context.Background(), 0, DatasetInput{OrgID: org.ID, Title: title, Notes: "Mô tả " + title,
		Tags: tags, Themes: []string{"kinh-te-tai-chinh"}, Frequency: "monthly"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (w *world) upload(t *testing.T, d Dataset, fileName, content string) Resource {
	t.Helper()
	r, err := w.store.AddUpload(context.Background(), 0, d.ID, ResourceInput{}, fileName, strings.NewReader(content))
	if err != nil {
		t.Fatalf("upload %s: %v", fileName, err)
	}
	return r
}

func (w *world) publish(t *testing.T, d Dataset) Dataset {
	t.Helper()
	p, err := w.store.Publish(context.Background(), 0, d.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// published makes a published dataset with one clean CSV.
func (w *world) published(t *testing.T, org directory.Org, title string, tags ...string) Dataset {
	t.Helper()
	d := w.dataset(t, org, title, tags...)
	w.upload(t, d, "data.csv", "Năm,Giá trị\n2024,10\n2025,12\n")
	return w.publish(t, d)
}

// server starts the open data handlers behind authentication, as the app does.
func (w *world) server(t *testing.T) *httptest.Server {
	t.Helper()
	if w.srv != nil {
		return w.srv
	}
	mux, _ := webtest.Mount(t, func(mux *http.ServeMux, site *web.Site, api *platform.API) error {
		return Register(mux, site, api, w.store, w.dir, w.ids)
	})
	w.srv = httptest.NewServer(platform.AccessLog(slog.New(slog.DiscardHandler), nil, w.ids.Authenticate(mux)))
	t.Cleanup(w.srv.Close)
	return w.srv
}

// client is a browser-like client: cookies, no redirects followed.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string // session CSRF token when logged in
	tok  string // bearer token
}

func (w *world) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	srv := w.server(t)
	return &client{t: t, base: srv.URL, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login opens a session for the user (as the login page would).
func (w *world) login(t *testing.T, username string) *client {
	t.Helper()
	c := w.client(t)
	sid, p, err := w.ids.Login(context.Background(), username, "correct horse battery", "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(c.base)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: identity.SessionCookie, Value: sid, Path: "/"}})
	c.csrf = p.CSRF
	return c
}

// bearer returns a client using a personal API token.
func (w *world) bearer(t *testing.T, userID int64) *client {
	t.Helper()
	c := w.client(t)
	secret, _, err := w.ids.CreateToken(context.Background(), userID, "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	c.tok = secret
	return c
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("not JSON (%d): %s", r.status, r.body)
	}
	return m
}

func (c *client) do(method, path string, body io.Reader, hdr map[string]string) resp {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if c.tok != "" {
		req.Header.Set("Authorization", "Bearer "+c.tok)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func (c *client) get(path string) resp { return c.do("GET", path, nil, nil) }

// form posts a form with the session's (or anonymous) CSRF token.
func (c *client) form(path string, v url.Values) resp {
	c.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	tok := c.csrf
	if tok == "" {
		tok = c.anonCSRF()
	}
	v.Set("_csrf", tok)
	return c.do("POST", path, strings.NewReader(v.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// anonCSRF reads the double-submit token from a page.
func (c *client) anonCSRF() string {
	c.t.Helper()
	r := c.get("/opendata/requests")
	m := csrfInput.FindSubmatch(r.body)
	if m == nil {
		c.t.Fatalf("no CSRF token on the page")
	}
	return string(m[1])
}

// multipartBody builds an upload: fields first, then the file.
func multipartBody(t *testing.T, fields [][2]string, fileName string, content []byte) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	return &b, mw.FormDataContentType()
}

// tmpEmpty fails when an upload left a temporary file behind.
func (w *world) tmpEmpty(t *testing.T) {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(w.filesDir, "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) > 0 {
		t.Errorf("temporary files left behind: %d (%s)", len(ents), ents[0].Name())
	}
}

func errCode(err error) string {
	if err == nil {
		return ""
	}
	return platform.AsError(err).Code
}
