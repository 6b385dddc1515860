package opendata

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/workday"
)

const pageSize = 20

// facetTitles are the English titles of the facet fields on the portal.
var facetTitles = map[string]string{
	FacetOrganization: "Organisations",
	FacetGroups:       "Themes",
	FacetTags:         "Tags",
	FacetFormat:       "Formats",
	FacetLicense:      "Licences",
}

// portalFacets is the order of facets on the portal.
var portalFacets = []string{FacetOrganization, FacetGroups, FacetFormat, FacetTags, FacetLicense}

var portalSorts = []struct{ ID, Label string }{
	{"relevance", "Relevance"},
	{"modified", "Last modified"},
	{"title", "Title A-Z"},
	{"downloads", "Most downloaded"},
}

type facetValue struct {
	Name    string
	Display string
	Count   int
	Active  bool
	Href    string
}

type facetView struct {
	Field string
	Title string
	Items []facetValue
}

type activeFilter struct {
	Title, Display, RemoveHref string
}

type indexData struct {
	Q          string
	Sort       string
	Sorts      any
	Count      int
	Total      int
	Docs       []*Doc
	Facets     []facetView
	Active     []activeFilter
	Page       int
	Pages      int
	PrevHref   string
	NextHref   string
	ExportCSV  string
	ExportXLSX string
	Hidden     [][2]string // filters to keep in the search form
	CanPublish bool
}

// portalQuery reads the portal's search parameters.
func portalQuery(v url.Values) (Query, string) {
	q := Query{Text: strings.TrimSpace(v.Get("q")), FacetFields: portalFacets, FacetLimit: 12}
	if len(q.Text) > 500 {
		q.Text = q.Text[:500]
	}
	for _, f := range portalFacets {
		for _, val := range v[f] {
			if val != "" {
				q.Filters = append(q.Filters, Filter{Field: f, Value: val})
			}
		}
	}
	sortID := v.Get("sort")
	switch sortID {
	case "modified":
		q.Sort = []SortKey{{"metadata_modified", true}}
	case "title":
		q.Sort = []SortKey{{"title_string", false}}
	case "downloads":
		q.Sort = []SortKey{{"downloads", true}, {"metadata_modified", true}}
	default:
		sortID = "relevance"
		if q.Text == "" {
			q.Sort = []SortKey{{"metadata_modified", true}}
		}
	}
	return q, sortID
}

func withValues(v url.Values, set func(url.Values)) string {
	c := url.Values{}
	for k, xs := range v {
		if k == "page" || k == "notice" {
			continue
		}
		c[k] = append([]string(nil), xs...)
	}
	set(c)
	if s := c.Encode(); s != "" {
		return "/opendata?" + s
	}
	return "/opendata"
}

func (h *handlers) indexPage(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	v := r.URL.Query()
	q, sortID := portalQuery(v)
	page, _ := strconv.Atoi(v.Get("page"))
	if page < 1 || page > 10000 {
		page = 1
	}
	q.Start, q.Rows = (page-1)*pageSize, pageSize
	res := h.store.Search(r.Context(), q)
	data := indexData{Q: q.Text, Sort: sortID, Sorts: portalSorts, Count: res.Count, Total: h.store.index.Len(), Docs: res.Docs, Page: page,
		CanPublish: isPublisher(identity.FromContext(r.Context()))}
	data.Pages = (res.Count + pageSize - 1) / pageSize
	for _, f := range portalFacets {
		fv := facetView{Field: f, Title: facetTitles[f]}
		active := map[string]bool{}
		for _, val := range v[f] {
			active[val] = true
		}
		for _, it := range res.Facets[f] {
			item := facetValue{Name: it.Name, Display: displayFacet(f, it.Name, it.DisplayName, lang), Count: it.Count, Active: active[it.Name]}
			name := it.Name
			if item.Active {
				item.Href = withValues(v, func(c url.Values) { c[f] = remove(c[f], name) })
			} else {
				item.Href = withValues(v, func(c url.Values) { c.Add(f, name) })
			}
			fv.Items = append(fv.Items, item)
		}
		fv.Items = ensureActive(fv.Items, v[f], f, lang, v)
		if len(fv.Items) > 0 {
			data.Facets = append(data.Facets, fv)
		}
		for _, val := range v[f] {
			if val == "" {
				continue
			}
			name := val
			data.Active = append(data.Active, activeFilter{Title: facetTitles[f], Display: displayFacet(f, val, "", lang),
				RemoveHref: withValues(v, func(c url.Values) { c[f] = remove(c[f], name) })})
			data.Hidden = append(data.Hidden, [2]string{f, val})
		}
	}
	if page > 1 {
		data.PrevHref = withValues(v, func(c url.Values) { c.Set("page", strconv.Itoa(page-1)) })
	}
	if page < data.Pages {
		data.NextHref = withValues(v, func(c url.Values) { c.Set("page", strconv.Itoa(page+1)) })
	}
	exp := withValues(v, func(url.Values) {})
	data.ExportCSV = strings.Replace(exp, "/opendata", "/opendata/export.csv", 1)
	data.ExportXLSX = strings.Replace(exp, "/opendata", "/opendata/export.xlsx", 1)
	h.site.Page(w, r, "opendata/index.html", data)
	return nil
}

// ensureActive keeps an active filter visible even when it fell out of the top values.
func ensureActive(items []facetValue, values []string, field, lang string, v url.Values) []facetValue {
	for _, val := range values {
		found := false
		for _, it := range items {
			found = found || it.Name == val
		}
		if !found && val != "" {
			name := val
			items = append(items, facetValue{Name: val, Display: displayFacet(field, val, "", lang), Active: true,
				Href: withValues(v, func(c url.Values) { c[field] = remove(c[field], name) })})
		}
	}
	return items
}

func remove(xs []string, x string) []string {
	var out []string
	for _, s := range xs {
		if s != x {
			out = append(out, s)
		}
	}
	return out
}

func displayFacet(field, name, display, lang string) string {
	switch field {
	case FacetGroups:
		if t, ok := ThemeOf(name); ok {
			return t.Title(lang)
		}
	case FacetLicense:
		if l, ok := LicenseOf(name); ok {
			return l.Title(lang)
		}
	}
	if display != "" {
		return display
	}
	return name
}

// --- dataset page ---

type datasetData struct {
	D           Dataset
	Resources   []Resource
	License     License
	LicenseURL  string
	Terms       []Term
	Frequency   Frequency
	Themes      []Theme
	Versions    []VersionEntry
	Feedback    []Feedback
	Kinds       any
	Org         directory.Org
	Contact     directory.FocalPoint
	NextUpdate  *UpdateStatus
	CanManage   bool
	Stars       int
	FormatNames map[string]string
}

func (h *handlers) loadDatasetPage(r *http.Request) (datasetData, error) {
	d, err := h.store.PublishedByName(r.Context(), r.PathValue("name"))
	if err != nil {
		return datasetData{}, err
	}
	data := datasetData{D: d, Resources: d.PublicResources(), Terms: UseTerms, Kinds: FeedbackKinds, Stars: d.Stars()}
	data.License, _ = LicenseOf(d.LicenseID)
	data.LicenseURL = licenseURL("", data.License)
	data.Frequency, _ = FrequencyOf(d.Frequency)
	for _, th := range d.Themes {
		if t, ok := ThemeOf(th); ok {
			data.Themes = append(data.Themes, t)
		}
	}
	if data.Versions, err = h.store.Versions(r.Context(), d.ID); err != nil {
		return data, err
	}
	fb, err := h.store.ListFeedback(r.Context(), FeedbackFilter{DatasetID: d.ID, Limit: 100})
	if err != nil {
		return data, err
	}
	for _, f := range fb {
		data.Feedback = append(data.Feedback, f.Public())
	}
	if data.Org, err = h.dir.Org(r.Context(), d.OrgID); err != nil {
		return data, err
	}
	// D47-19.3: a contact point for the dataset: its own, else the organisation's focal point.
	data.Contact = data.Org.FocalPoint
	if d.ContactName != "" || d.ContactEmail != "" {
		data.Contact = directory.FocalPoint{Name: d.ContactName, Email: d.ContactEmail}
	}
	if u, err := h.store.updateStatus(d, workday.DateOf(h.store.now())); err == nil {
		data.NextUpdate = u
	}
	data.CanManage = canPublish(identity.FromContext(r.Context()), d.OrgPath)
	return data, nil
}

func (h *handlers) datasetPage(w http.ResponseWriter, r *http.Request) error {
	data, err := h.loadDatasetPage(r)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "opendata/dataset.html", data)
	return nil
}

func (h *handlers) feedbackForm(w http.ResponseWriter, r *http.Request) error {
	data, err := h.loadDatasetPage(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("website") != "" { // honeypot: only robots fill it
		web.Redirect(w, r, "/opendata/datasets/"+data.D.Name, "Thank you: your feedback was sent to the publisher.")
		return nil
	}
	in := FeedbackInput{Kind: r.PostFormValue("kind"), Message: r.PostFormValue("message"), Name: r.PostFormValue("name"), Email: r.PostFormValue("email")}
	if _, err := h.store.AddFeedback(r.Context(), data.D.ID, in); err != nil {
		fe, err := web.FormErrors(err)
		if err != nil {
			return err
		}
		v := h.site.NewView(w, r, data)
		v.Errors, v.Form = fe, r.PostForm
		h.site.Render(w, r, http.StatusUnprocessableEntity, "opendata/dataset.html", v)
		return nil
	}
	web.Redirect(w, r, "/opendata/datasets/"+data.D.Name, "Thank you: your feedback was sent to the publisher.")
	return nil
}

// --- resource page, preview and downloads ---

type resourceData struct {
	D        Dataset
	R        Resource
	Preview  Preview
	Versions []Revision
	Sheet    string
}

func (h *handlers) publicResource(r *http.Request) (Dataset, Resource, error) {
	d, err := h.store.PublishedByName(r.Context(), r.PathValue("name"))
	if err != nil {
		return d, Resource{}, err
	}
	rid := r.PathValue("rid")
	for _, res := range d.PublicResources() {
		if res.UID == rid {
			return d, res, nil
		}
	}
	return d, Resource{}, platform.NotFound("resource")
}

func (h *handlers) resourcePage(w http.ResponseWriter, r *http.Request) error {
	d, res, err := h.publicResource(r)
	if err != nil {
		return err
	}
	data := resourceData{D: d, R: res, Sheet: r.URL.Query().Get("sheet")}
	if res.Kind == KindUpload {
		data.Preview = h.store.Preview(*res.Current, res.Format, data.Sheet, previewRows)
	}
	if data.Versions, err = h.store.Revisions(r.Context(), res.ID); err != nil {
		return err
	}
	h.site.Page(w, r, "opendata/resource.html", data)
	return nil
}

func (h *handlers) download(w http.ResponseWriter, r *http.Request) error {
	d, res, err := h.publicResource(r)
	if err != nil {
		return err
	}
	return h.serveRevision(w, r, d, res, *res.Current)
}

func (h *handlers) downloadVersion(w http.ResponseWriter, r *http.Request) error {
	d, res, err := h.publicResource(r)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n < 1 {
		return platform.NotFound("version")
	}
	v, err := h.store.Revision(r.Context(), res.ID, n)
	if err != nil {
		return err
	}
	return h.serveRevision(w, r, d, res, v)
}

// downloadTimeout is how long one download may take.
const downloadTimeout = 2 * time.Hour

// serveRevision sends a file (or redirects to a link) and counts the
// download; range requests are served but only a request from the first
// byte counts, so resumed downloads count once.
func (h *handlers) serveRevision(w http.ResponseWriter, r *http.Request, d Dataset, res Resource, v Revision) error {
	rg := r.Header.Get("Range")
	if r.Method == http.MethodGet && (rg == "" || strings.HasPrefix(rg, "bytes=0-")) {
		if err := h.store.CountDownload(r.Context(), res.ID); err != nil {
			platform.Logger(r.Context()).Warn("count download", "err", err)
		}
	}
	if res.Kind == KindLink {
		http.Redirect(w, r, v.URL, http.StatusFound)
		return nil
	}
	f, err := h.store.OpenFile(v)
	if err != nil {
		return err
	}
	defer f.Close()
	// A big file on a slow link outlasts the server's write timeout.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(downloadTimeout))
	hdr := w.Header()
	ctype := v.MediaType
	if FormatOf(res.Format).Text {
		ctype += "; charset=utf-8"
	}
	hdr.Set("Content-Type", ctype)
	name := v.FileName
	if name == "" {
		name = d.Name + FormatOf(res.Format).Ext()
	}
	hdr.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	hdr.Set("Access-Control-Allow-Origin", "*")
	hdr.Set("ETag", `"`+v.SHA256+`"`)
	http.ServeContent(w, r, "", v.CreatedAt, f)
	return nil
}

// --- data requests ---

type requestsData struct {
	Requests   []DataRequest
	Publishers []Publisher
	Statuses   []string
}

func (h *handlers) requestsData(r *http.Request) (requestsData, error) {
	reqs, err := h.store.ListRequests(r.Context(), RequestFilter{Status: r.URL.Query().Get("status")})
	if err != nil {
		return requestsData{}, err
	}
	for i := range reqs {
		reqs[i] = reqs[i].Public()
	}
	pubs, err := h.store.Publishers(r.Context())
	return requestsData{Requests: reqs, Publishers: pubs, Statuses: RequestStatuses}, err
}

func (h *handlers) requestsPage(w http.ResponseWriter, r *http.Request) error {
	data, err := h.requestsData(r)
	if err != nil {
		return err
	}
	h.site.Page(w, r, "opendata/requests.html", data)
	return nil
}

func (h *handlers) requestForm(w http.ResponseWriter, r *http.Request) error {
	if r.PostFormValue("website") != "" {
		web.Redirect(w, r, "/opendata/requests", "Thank you: your request was recorded.")
		return nil
	}
	org, _ := strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	in := RequestInput{OrgID: org, Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		Name: r.PostFormValue("name"), Email: r.PostFormValue("email")}
	if _, err := h.store.AddRequest(r.Context(), in); err != nil {
		fe, err := web.FormErrors(err)
		if err != nil {
			return err
		}
		data, derr := h.requestsData(r)
		if derr != nil {
			return derr
		}
		v := h.site.NewView(w, r, data)
		v.Errors, v.Form = fe, r.PostForm
		h.site.Render(w, r, http.StatusUnprocessableEntity, "opendata/requests.html", v)
		return nil
	}
	web.Redirect(w, r, "/opendata/requests", "Thank you: your request was recorded.")
	return nil
}

const voterCookie = "govdx_od_voter"

func (h *handlers) voteForm(w http.ResponseWriter, r *http.Request) error {
	id, err := platform.PathID(r, "id", "id")
	if err != nil {
		return err
	}
	voter := ""
	if c, err := r.Cookie(voterCookie); err == nil && len(c.Value) >= 20 {
		voter = c.Value
	} else {
		voter = platform.RandomToken(20)
		http.SetCookie(w, &http.Cookie{Name: voterCookie, Value: voter, Path: "/opendata", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: h.site.SecureCookies, SameSite: http.SameSiteLaxMode})
	}
	added, err := h.store.Vote(r.Context(), id, voter)
	if err != nil {
		return err
	}
	notice := "Your vote was counted."
	if !added {
		notice = "You have already voted for this request."
	}
	web.Redirect(w, r, "/opendata/requests", notice)
	return nil
}

// --- publishers and their plans ---

func (h *handlers) publishersPage(w http.ResponseWriter, r *http.Request) error {
	pubs, err := h.store.Publishers(r.Context())
	if err != nil {
		return err
	}
	h.site.Page(w, r, "opendata/publishers.html", map[string]any{"Publishers": pubs})
	return nil
}

type publisherData struct {
	P      Publisher
	Org    directory.Org
	Status OrgStatus
}

func (h *handlers) publisherPage(w http.ResponseWriter, r *http.Request) error {
	p, err := h.store.PublisherByName(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	org, err := h.dir.Org(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	// D47-19: the open-data plan, its review and the update schedule are public.
	st, err := h.store.Status(r.Context(), p.OrgID, workday.DateOf(h.store.now()))
	if err != nil {
		return err
	}
	h.site.Page(w, r, "opendata/publisher.html", publisherData{P: p, Org: org, Status: st})
	return nil
}

func (h *handlers) licencePage(w http.ResponseWriter, r *http.Request) error {
	h.site.Page(w, r, "opendata/licence.html", map[string]any{"Terms": UseTerms, "Licenses": Licenses})
	return nil
}

func (h *handlers) developersPage(w http.ResponseWriter, r *http.Request) error {
	var sample string
	if names := h.store.index.Names(); len(names) > 0 {
		sample = names[0]
	}
	h.site.Page(w, r, "opendata/developers.html", map[string]any{"Base": baseURL(r), "Sample": sample, "Formats": Formats})
	return nil
}

// --- DCAT ---

const catalogPerPage = 1000

func (h *handlers) catalog(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pageNo, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if pageNo < 1 {
			pageNo = 1
		}
		res := h.store.Search(r.Context(), Query{Start: (pageNo - 1) * catalogPerPage, Rows: catalogPerPage, Sort: []SortKey{{"metadata_modified", true}}})
		ids := make([]int64, len(res.Docs))
		var modified time.Time
		for i, d := range res.Docs {
			ids[i] = d.ID
			if d.Modified.After(modified) {
				modified = d.Modified
			}
		}
		ds, err := h.store.PublishedByIDs(r.Context(), ids)
		if err != nil {
			platform.WriteProblem(w, r, err)
			return
		}
		base := baseURL(r)
		g := buildCatalog(base, ds, catalogPage{Page: pageNo, PerPage: catalogPerPage, Total: res.Count, Self: base + "/catalog." + kind}, modified)
		writeGraph(w, r, g, kind)
	}
}

func (h *handlers) datasetRDF(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	name, kind := file, ""
	for _, ext := range []string{"jsonld", "ttl"} {
		if n, ok := strings.CutSuffix(file, "."+ext); ok {
			name, kind = n, ext
		}
	}
	if kind == "" {
		http.Redirect(w, r, "/opendata/datasets/"+url.PathEscape(file), http.StatusSeeOther)
		return
	}
	d, err := h.store.PublishedByName(r.Context(), name)
	if err != nil {
		platform.WriteProblem(w, r, err)
		return
	}
	writeGraph(w, r, buildDatasetGraph(baseURL(r), d), kind)
}

func writeGraph(w http.ResponseWriter, r *http.Request, g *graph, kind string) {
	hdr := w.Header()
	hdr.Set("Access-Control-Allow-Origin", "*")
	if kind == "ttl" {
		hdr.Set("Content-Type", "text/turtle; charset=utf-8")
		_, _ = w.Write(g.turtle())
		return
	}
	b, err := g.jsonld()
	if err != nil {
		platform.WriteProblem(w, r, err)
		return
	}
	hdr.Set("Content-Type", "application/ld+json; charset=utf-8")
	_, _ = w.Write(b)
}

// --- export of the dataset list ---

const exportMax = 10000

func (h *handlers) exportDocs(r *http.Request) []*Doc {
	q, _ := portalQuery(r.URL.Query())
	q.FacetFields = nil
	q.Rows = exportMax
	return h.store.Search(r.Context(), q).Docs
}

func exportHeader() []string {
	return []string{"name", "title", "organization", "organization_title", "themes", "tags", "formats", "license_id",
		"frequency", "resources", "downloads", "metadata_modified", "url"}
}

func exportRow(base string, d *Doc) []string {
	return []string{d.Name, d.Title, d.OrgName, d.OrgTitle, strings.Join(d.Themes, "; "), strings.Join(d.Tags, "; "),
		strings.Join(d.Formats, "; "), d.LicenseID, d.Frequency, strconv.Itoa(d.NumResources), strconv.FormatInt(d.Downloads, 10),
		d.Modified.UTC().Format(time.RFC3339), base + "/opendata/datasets/" + d.Name}
}

func (h *handlers) exportCSV(w http.ResponseWriter, r *http.Request) error {
	docs := h.exportDocs(r)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="opendata-datasets.csv"`)
	return writeExportCSV(w, baseURL(r), docs)
}

func (h *handlers) exportXLSX(w http.ResponseWriter, r *http.Request) error {
	docs := h.exportDocs(r)
	w.Header().Set("Content-Type", FormatOf("XLSX").MediaType)
	w.Header().Set("Content-Disposition", `attachment; filename="opendata-datasets.xlsx"`)
	return writeExportXLSX(w, baseURL(r), docs)
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// SizeText formats the revision's size for people.
func (v Revision) SizeText() string { return sizeText(v.Size) }

// SizeIn formats the revision's size in the page's language: Vietnamese
// writes the decimal with a comma (6,6 KB), as the Num helper does.
func (v Revision) SizeIn(lang string) string {
	s := sizeText(v.Size)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
