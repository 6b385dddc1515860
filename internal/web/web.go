// Package web is the server-rendered UI shell: layout, navigation, language
// (Vietnamese first, English), CSRF on every form, static assets and shared
// page helpers. Feature packages register their own pages and messages.
package web

import (
	"bytes"
	"crypto/subtle"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

//go:embed templates/layout.html
var layoutFS embed.FS

//go:embed pages/*.html
var corePages embed.FS

//go:embed static
var staticFS embed.FS

// NavItem is one entry of the main navigation.
type NavItem struct {
	Href  string
	Label string // English; translated with Feature's messages
	// Feature is the prefix the registering feature gave
	// AddFeatureMessages: its translation names the item on every page,
	// whichever feature the page belongs to.
	Feature string
	Order   int
	// Show decides visibility; nil shows it to everyone.
	Show func(p *identity.Principal) bool
	// Badge, when set, returns a count shown next to the label (e.g. unread
	// notifications); 0 shows nothing.
	Badge func(r *http.Request) int
	// Count is the badge value computed for the current request.
	Count int
}

// Site holds the parsed templates and everything pages share.
type Site struct {
	pages map[string]*template.Template
	all   messageScope // every English -> Vietnamese translation (translate.go)
	// conflicts: texts two features translate differently; pages use their
	// own feature's (scoped), other lookups the last one added.
	conflicts []MessageConflict
	scoped    map[string]*messageScope // page prefix -> its feature's messages
	owner     map[string]string        // English text -> prefix that added it last
	nav       []NavItem
	static    *Assets
	// SecureCookies sets the Secure flag (behind TLS).
	SecureCookies bool
	Product       string
}

// New builds a site with the layout and the shared static assets.
func New() (*Site, error) {
	s := &Site{pages: map[string]*template.Template{}, all: messageScope{msgs: map[string]string{}}, owner: map[string]string{}, Product: "govdx"}
	s.AddMessages(coreMessages)
	static, err := LoadAssets(staticFS, "static", "/static/")
	if err != nil {
		return nil, err
	}
	s.static = static
	pages, _ := fs.Sub(corePages, "pages")
	if err := s.AddPages("", pages); err != nil {
		return nil, err
	}
	return s, nil
}

// AddMessages adds English -> Vietnamese translations of the shell, used
// by every page.
func (s *Site) AddMessages(m map[string]string) { s.addMessages("", m) }

// AddFeatureMessages adds a feature's translations. The feature's pages
// (registered with AddPages under the same prefix) look texts up in them
// first, so a label such as "Title" can mean a document's title on one
// feature's pages and a person's on another's.
func (s *Site) AddFeatureMessages(prefix string, m map[string]string) { s.addMessages(prefix, m) }

func (s *Site) addMessages(prefix string, m map[string]string) {
	var sc *messageScope
	if prefix != "" {
		if s.scoped == nil {
			s.scoped = map[string]*messageScope{}
		}
		if sc = s.scoped[prefix]; sc == nil {
			sc = &messageScope{msgs: map[string]string{}}
			s.scoped[prefix] = sc
		}
	}
	for k, v := range m {
		if old, ok := s.all.msgs[k]; ok && old != v {
			s.conflicts = append(s.conflicts, MessageConflict{English: k, First: old, Then: v, FirstFeature: s.owner[k], Feature: prefix})
		}
		s.all.add(k, v)
		s.owner[k] = prefix
		if sc != nil {
			sc.add(k, v)
		}
	}
}

// MessageConflict is an English text translated differently by two
// registrations ("" is the shell).
type MessageConflict struct {
	English, First, Then string
	// FirstFeature and Feature are the prefixes of the two registrations.
	FirstFeature, Feature string
}

// MessageConflicts lists the English texts translated differently. A
// feature's pages use its own translation; texts shown outside them (the
// shell, notices and errors built before a page is chosen) use the last one
// registered, so those should agree.
func (s *Site) MessageConflicts() []MessageConflict { return s.conflicts }

// AddNav adds navigation entries.
func (s *Site) AddNav(items ...NavItem) {
	s.nav = append(s.nav, items...)
	sort.SliceStable(s.nav, func(i, j int) bool { return s.nav[i].Order < s.nav[j].Order })
}

// funcs are the template helpers every page may use.
func (s *Site) funcs() template.FuncMap {
	return template.FuncMap{
		"static": s.static.URL,
		"date": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				if v.IsZero() {
					return ""
				}
				return v.In(VNZone).Format("02/01/2006")
			case *time.Time:
				if v == nil {
					return ""
				}
				return v.In(VNZone).Format("02/01/2006")
			case string:
				// Civil dates travel as YYYY-MM-DD (deadlines, validity).
				if d, err := time.Parse(time.DateOnly, v); err == nil {
					return d.Format("02/01/2006")
				}
				if m, err := time.Parse("2006-01", v); err == nil {
					return m.Format("01/2006") // a month (statistics)
				}
				return v
			case fmt.Stringer:
				if d, err := time.Parse(time.DateOnly, v.String()); err == nil {
					return d.Format("02/01/2006")
				}
			}
			return fmt.Sprint(t)
		},
		"datetime": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				if v.IsZero() {
					return ""
				}
				return v.In(VNZone).Format("02/01/2006 15:04")
			case *time.Time:
				if v == nil {
					return ""
				}
				return v.In(VNZone).Format("02/01/2006 15:04")
			}
			return fmt.Sprint(t)
		},
		"query": func(kv ...string) template.URL {
			q := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] != "" {
					q.Set(kv[i], kv[i+1])
				}
			}
			return template.URL(q.Encode())
		},
		"add":  func(a, b int) int { return a + b },
		"list": func(v ...string) []string { return v },
		"ms":   func(us int64) float64 { return float64(us) / 1000 },
		"join": strings.Join,
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

// VNZone is Vietnam's time zone (UTC+7, no daylight saving).
var VNZone = workday.Zone

// AddPages parses every *.html file of fsys as a page wrapped in the layout.
// Pages are named by their path in fsys (e.g. "directory/org.html"); a
// page defines "title" and "content", and may define "head". Parsing happens
// at start so a broken template stops the start, not a request.
func (s *Site) AddPages(prefix string, fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".html" || strings.HasPrefix(path.Base(p), "_") {
			return err
		}
		t := template.New("layout.html").Funcs(s.funcs())
		t, err = t.ParseFS(layoutFS, "templates/layout.html")
		if err != nil {
			return fmt.Errorf("parse layout: %w", err)
		}
		// Partials (files starting with "_") of the same folder are shared by its pages.
		if parts, _ := fs.Glob(fsys, path.Join(path.Dir(p), "_*.html")); len(parts) > 0 {
			if t, err = t.ParseFS(fsys, parts...); err != nil {
				return fmt.Errorf("parse partials for %s: %w", p, err)
			}
		}
		if t, err = t.ParseFS(fsys, p); err != nil {
			return fmt.Errorf("parse page %s: %w", p, err)
		}
		s.pages[path.Join(prefix, p)] = t
		return nil
	})
}

// View is what every template receives.
type View struct {
	Lang     string
	P        *identity.Principal
	CSRF     string
	Path     string
	Query    url.Values
	Nav      []NavItem
	Data     any
	Notice   string
	site     *Site
	scope    *messageScope     // the page's feature's messages, set by Render
	Errors   map[string]string // field -> message, for forms
	Form     url.Values        // submitted values to redisplay
	Now      time.Time
	Product  string
	Fullpath string
}

// T translates an English message to the view's language; extra args format it.
func (v *View) T(msg string, args ...any) string {
	if v.Lang != "en" {
		if len(args) > 0 {
			// msg is a format: only its own entry applies.
			if vi, ok := v.site.lookup(v.scope, msg); ok {
				msg = vi
			}
		} else {
			msg = v.site.translate(v.scope, msg, 0)
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Pick returns vi or en by the view's language (for data with both names).
func (v *View) Pick(vi, en string) string {
	if v.Lang == "en" && en != "" {
		return en
	}
	return vi
}

// Active reports whether the nav href is the current section.
func (v *View) Active(href string) bool {
	if href == "/" {
		return v.Path == "/"
	}
	return strings.HasPrefix(v.Path, href)
}

// NavLabel names a navigation item in the page's language, with the
// translations of the feature that registered it.
func (v *View) NavLabel(n NavItem) string {
	if v.Lang == "en" {
		return n.Label
	}
	return v.site.translate(v.site.scoped[n.Feature], n.Label, 0)
}

// FieldError returns the form error for a field.
func (v *View) FieldError(field string) string { return v.Errors[field] }

// FormValue returns the submitted value of a field.
func (v *View) FormValue(field string) string { return v.Form.Get(field) }

// Lang returns the request's language: the cookie, else Vietnamese.
func Lang(r *http.Request) string {
	if c, err := r.Cookie("govdx_lang"); err == nil && c.Value == "en" {
		return "en"
	}
	if p := identity.FromContext(r.Context()); p != nil && p.Lang == "en" {
		if _, err := r.Cookie("govdx_lang"); err != nil {
			return "en"
		}
	}
	return "vi"
}

// NewView prepares the common view of a request.
func (s *Site) NewView(w http.ResponseWriter, r *http.Request, data any) *View {
	p := identity.FromContext(r.Context())
	v := &View{Lang: Lang(r), P: p, Path: r.URL.Path, Query: r.URL.Query(), Data: data, site: s, Now: time.Now(),
		Product: s.Product, Fullpath: r.URL.RequestURI()}
	for _, n := range s.nav {
		if n.Show == nil || n.Show(p) {
			if n.Badge != nil {
				n.Count = n.Badge(r)
			}
			v.Nav = append(v.Nav, n)
		}
	}
	v.CSRF = s.csrfToken(w, r, p)
	v.Notice = r.URL.Query().Get("notice")
	return v
}

// For makes the view translate with feature's messages first (the prefix
// it gave AddFeatureMessages), as its pages do. Render sets that from the
// page's name; For is for texts translated in Go before, or without, a
// page: error summaries, spreadsheet headers.
func (v *View) For(feature string) *View {
	v.scope = v.site.scoped[feature]
	return v
}

// Render writes a page with status.
func (s *Site) Render(w http.ResponseWriter, r *http.Request, status int, page string, v *View) {
	t, ok := s.pages[page]
	if !ok {
		platform.Logger(r.Context()).Error("missing page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if prefix, _, ok := strings.Cut(page, "/"); ok {
		v.scope = s.scoped[prefix]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		platform.Logger(r.Context()).Error("render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// Page is shorthand for rendering data on a page with 200.
func (s *Site) Page(w http.ResponseWriter, r *http.Request, page string, data any) {
	s.Render(w, r, http.StatusOK, page, s.NewView(w, r, data))
}

// Error renders an error page with the right status and a safe message.
func (s *Site) Error(w http.ResponseWriter, r *http.Request, err error) {
	e := platform.AsError(err)
	status := platform.StatusOf(e.Class)
	if status == http.StatusUnauthorized {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if status >= 500 {
		platform.Logger(r.Context()).Error("page failed", "err", err, "path", r.URL.Path)
	}
	v := s.NewView(w, r, map[string]any{"Status": status, "Message": e.Message, "Code": e.Code, "RequestID": platform.RequestID(r.Context())})
	s.Render(w, r, status, "error.html", v)
}

const csrfCookie = "govdx_csrf"

// csrfToken is the session's token when logged in; for anonymous forms (login)
// a random double-submit cookie.
func (s *Site) csrfToken(w http.ResponseWriter, r *http.Request, p *identity.Principal) string {
	if p != nil && p.Via == "session" {
		return p.CSRF
	}
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 20 {
		return c.Value
	}
	tok := platform.RandomToken(20)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	// Make it visible to this same request's rendering too.
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
	return tok
}

// CheckForm verifies the CSRF token of a submitted form.
func (s *Site) CheckForm(r *http.Request) error {
	p := identity.FromContext(r.Context())
	if p != nil {
		if identity.CheckCSRF(r, p) {
			return nil
		}
	} else if c, err := r.Cookie(csrfCookie); err == nil {
		got := r.PostFormValue("_csrf")
		if got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) == 1 {
			return nil
		}
	}
	return formExpired()
}

// ServeStatic serves content-hashed assets with a long cache lifetime.
func (s *Site) ServeStatic(w http.ResponseWriter, r *http.Request) {
	s.static.Serve(w, r, path.Base(r.URL.Path))
}

// SetLang switches the language cookie and returns to the page.
func (s *Site) SetLang(w http.ResponseWriter, r *http.Request) {
	lang := "vi"
	if r.URL.Query().Get("set") == "en" {
		lang = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: "govdx_lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: s.SecureCookies})
	back := r.URL.Query().Get("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// Handler adapts a page handler that returns an error.
func (s *Site) Handler(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if err := s.CheckForm(r); err != nil {
				s.Error(w, r, err)
				return
			}
		}
		if err := fn(w, r); err != nil {
			s.Error(w, r, err)
		}
	}
}

// RequireLogin returns the principal or an unauthorized error (which the
// page error handler turns into a redirect to the login page).
func RequireLogin(r *http.Request) (*identity.Principal, error) {
	p := identity.FromContext(r.Context())
	if p == nil {
		return nil, platform.Errorf(platform.EUnauthorized, "login_required", "please log in")
	}
	return p, nil
}

// RequireLoginPaged is RequireLogin for a list page: the caller, then the
// page the request's ?cursor= and ?limit= ask for (the 401 before their 400).
func RequireLoginPaged(r *http.Request) (*identity.Principal, platform.Page, error) {
	return identity.CallerAndPage(r, RequireLogin)
}

// FormErrors turns a validation error into a field -> message map for
// redisplaying a form; other errors are returned as they are.
func FormErrors(err error) (map[string]string, error) {
	e := platform.AsError(err)
	if e.Class != platform.EInvalid {
		return nil, err
	}
	issues := e.Issues()
	if len(issues) == 0 {
		return map[string]string{"_form": e.Message}, nil
	}
	m := make(map[string]string, len(issues))
	for _, is := range issues {
		m[is.Field] = is.Message
	}
	return m, nil
}

// Redirect sends the browser to a page after a successful POST, with a notice.
func Redirect(w http.ResponseWriter, r *http.Request, to, notice string) {
	if notice != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "notice=" + url.QueryEscape(notice)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
