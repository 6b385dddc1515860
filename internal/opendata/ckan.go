package opendata

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// The CKAN action API (/api/3/action/{action}): the read actions a CKAN
// client uses, with CKAN's request parameters, response envelope and error
// types, so clients written for CKAN (ckanapi, harvesters, dashboards) work
// unchanged. No account is needed (D47-17.1đ).

// ckanVersion is the CKAN API generation whose shapes govdx follows.
const ckanVersion = "2.10.4"

// ckanMaxRows is CKAN's ckan.search.rows_max default; larger values are clamped.
const ckanMaxRows = 1000

// ckanError is an action failure with CKAN's error type and HTTP status.
type ckanError struct {
	status int
	typ    string // "Validation Error", "Not Found Error", "Bad Request", "Search Query Error"
	msg    string
	field  string
}

func (e *ckanError) Error() string { return e.typ + ": " + e.msg }

func ckanValidation(field, format string, args ...any) *ckanError {
	return &ckanError{status: http.StatusConflict, typ: "Validation Error", msg: fmt.Sprintf(format, args...), field: field}
}

func ckanNotFound(what string) *ckanError {
	return &ckanError{status: http.StatusNotFound, typ: "Not Found Error", msg: "Not found: " + what}
}

func ckanQueryError(format string, args ...any) *ckanError {
	return &ckanError{status: http.StatusBadRequest, typ: "Search Query Error", msg: "Search Query is invalid: " + fmt.Sprintf(format, args...)}
}

// ckanParams are an action's parameters: URL query for GET, a JSON object
// (or form) for POST.
type ckanParams map[string]any

func readCKANParams(r *http.Request) (ckanParams, *ckanError) {
	p := ckanParams{}
	for k, v := range r.URL.Query() {
		if len(v) == 1 {
			p[k] = v[0]
		} else {
			p[k] = v
		}
	}
	if r.Method != http.MethodPost {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body, err := io.ReadAll(io.LimitReader(r.Body, platform.MaxJSONBody+1))
	if err != nil {
		return nil, &ckanError{status: http.StatusBadRequest, typ: "Bad Request", msg: "Bad request - cannot read the request body"}
	}
	if len(body) > platform.MaxJSONBody {
		return nil, &ckanError{status: http.StatusRequestEntityTooLarge, typ: "Bad Request", msg: "Bad request - the request body is too large"}
	}
	switch {
	case ct == "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, &ckanError{status: http.StatusBadRequest, typ: "Bad Request", msg: "Bad request - malformed form data"}
		}
		for k, v := range form {
			p[k] = v[0]
		}
	case len(strings.TrimSpace(string(body))) > 0:
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil || m == nil {
			return nil, &ckanError{status: http.StatusBadRequest, typ: "Bad Request",
				msg: "Bad request - JSON Error: the request body must be a JSON object"}
		}
		for k, v := range m {
			p[k] = v
		}
	}
	return p, nil
}

func (p ckanParams) str(key string) string {
	switch v := p[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case []string:
		if len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func (p ckanParams) has(key string) bool { _, ok := p[key]; return ok }

// natural reads a non-negative integer with CKAN's messages.
func (p ckanParams) natural(key string, def int) (int, *ckanError) {
	if !p.has(key) || p.str(key) == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(p.str(key)))
	if err != nil {
		return 0, ckanValidation(key, "Invalid integer")
	}
	if n < 0 {
		return 0, ckanValidation(key, "Must be a natural number")
	}
	return n, nil
}

// window reads the limit (def when absent) and offset of a list action,
// checked in that order.
func (p ckanParams) window(def int) (offset, limit int, err *ckanError) {
	if limit, err = p.natural("limit", def); err != nil {
		return 0, 0, err
	}
	if offset, err = p.natural("offset", 0); err != nil {
		return 0, 0, err
	}
	return offset, limit, nil
}

func (p ckanParams) integer(key string, def int) (int, *ckanError) {
	if !p.has(key) || p.str(key) == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(p.str(key)))
	if err != nil {
		return 0, ckanValidation(key, "Invalid integer")
	}
	return n, nil
}

func (p ckanParams) boolean(key string, def bool) (bool, *ckanError) {
	switch v := p[key].(type) {
	case nil:
		return def, nil
	case bool:
		return v, nil
	}
	switch strings.ToLower(strings.TrimSpace(p.str(key))) {
	case "true", "1", "yes", "on":
		return true, nil
	case "false", "0", "no", "off", "":
		return false, nil
	}
	return false, ckanValidation(key, "Value must be one of: true, false")
}

// list reads a list of strings given as a JSON array (in a string for GET,
// as CKAN expects) or as a JSON list in a POST body.
func (p ckanParams) list(key string) ([]string, *ckanError) {
	switch v := p[key].(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, ckanValidation(key, "Not a list of strings")
			}
			out = append(out, s)
		}
		return out, nil
	case []string:
		return v, nil
	}
	var out []string
	if err := json.Unmarshal([]byte(p.str(key)), &out); err != nil {
		return nil, ckanValidation(key, "Could not parse as valid JSON")
	}
	return out, nil
}

func (p ckanParams) required(key string) (string, *ckanError) {
	v := strings.TrimSpace(p.str(key))
	if v == "" {
		return "", ckanValidation(key, "Missing value")
	}
	return v, nil
}

// ckanActions maps action names to handlers and their help text.
type ckanAction struct {
	help string
	fn   func(h *handlers, r *http.Request, p ckanParams) (any, *ckanError)
}

var ckanActions map[string]ckanAction

func init() {
	ckanActions = map[string]ckanAction{
		"status_show":       {"Return the site's status: CKAN API version, site title and URL, extensions.", (*handlers).ckanStatusShow},
		"site_read":         {"Return true: the site may be read by anyone.", func(*handlers, *http.Request, ckanParams) (any, *ckanError) { return true, nil }},
		"help_show":         {"Return the help string of an action (name).", (*handlers).ckanHelpShow},
		"package_list":      {"Return the names of the published datasets (limit, offset).", (*handlers).ckanPackageList},
		"package_show":      {"Return a published dataset (id: its name or id).", (*handlers).ckanPackageShow},
		"package_search":    {"Search the published datasets: q, fq, rows, start, sort, facet.field, facet.limit, facet.mincount.", (*handlers).ckanPackageSearch},
		"resource_show":     {"Return a resource of a published dataset (id).", (*handlers).ckanResourceShow},
		"organization_list": {"Return the publishing organisations (all_fields, sort, limit, offset).", (*handlers).ckanOrganizationList},
		"organization_show": {"Return an organisation (id: its name or id; include_datasets).", (*handlers).ckanOrganizationShow},
		"group_list":        {"Return the themes (all_fields, sort, limit, offset).", (*handlers).ckanGroupList},
		"group_show":        {"Return a theme (id; include_datasets).", (*handlers).ckanGroupShow},
		"tag_list":          {"Return the tags in use (query, all_fields).", (*handlers).ckanTagList},
		"license_list":      {"Return the licences datasets may carry.", (*handlers).ckanLicenseList},
		"current_package_list_with_resources": {"Return published datasets with their resources, most recently modified first (limit, offset).",
			(*handlers).ckanCurrentPackages},
	}
}

// ckan serves /api/3/action/{action} (and /api/action/{action}).
func (h *handlers) ckan(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("action")
	base := baseURL(r)
	hdr := w.Header()
	// Open data is public and carries no credentials: any site may read it.
	hdr.Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		hdr.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		hdr.Set("Access-Control-Allow-Headers", "Content-Type")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	env := map[string]any{"help": base + "/api/3/action/help_show?name=" + url.QueryEscape(name)}
	fail := func(e *ckanError) {
		errObj := map[string]any{"__type": e.typ, "message": e.msg}
		if e.field != "" {
			errObj[e.field] = []string{e.msg}
		}
		env["success"] = false
		env["error"] = errObj
		platform.WriteJSON(w, e.status, env)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, POST")
		fail(&ckanError{status: http.StatusMethodNotAllowed, typ: "Bad Request", msg: "Bad request - use GET or POST"})
		return
	}
	act, ok := ckanActions[name]
	if !ok {
		fail(&ckanError{status: http.StatusBadRequest, typ: "Bad Request", msg: "Bad request - Action name not known: " + name})
		return
	}
	p, perr := readCKANParams(r)
	if perr != nil {
		fail(perr)
		return
	}
	delete(p, "callback") // JSONP is not offered
	res, cerr := act.fn(h, r, p)
	if cerr != nil {
		if cerr.status >= 500 {
			platform.Logger(r.Context()).Error("ckan action failed", "action", name, "err", cerr.msg)
			cerr = &ckanError{status: http.StatusInternalServerError, typ: "Internal Server Error", msg: "Internal Server Error"}
		}
		fail(cerr)
		return
	}
	env["success"] = true
	env["result"] = res
	platform.WriteJSON(w, http.StatusOK, env)
}

// internal turns a store error into a CKAN error: not found stays 404,
// anything else is logged and answered 500.
func internal(r *http.Request, err error, what string) *ckanError {
	if platform.ErrorClass(err) == platform.ENotFound {
		return ckanNotFound(what)
	}
	platform.Logger(r.Context()).Error("ckan action", "err", err)
	return &ckanError{status: http.StatusInternalServerError, typ: "Internal Server Error", msg: "Internal Server Error"}
}

func (h *handlers) ckanStatusShow(r *http.Request, p ckanParams) (any, *ckanError) {
	return map[string]any{
		"site_title":       "govdx – Cổng dữ liệu mở",
		"site_description": "Open data published by ministries, provinces and their agencies (govdx).",
		"site_url":         baseURL(r),
		"ckan_version":     ckanVersion,
		"error_emails_to":  nil,
		"locale_default":   "vi",
		"extensions":       []string{"dcat", "govdx"},
	}, nil
}

func (h *handlers) ckanHelpShow(r *http.Request, p ckanParams) (any, *ckanError) {
	name, err := p.required("name")
	if err != nil {
		return nil, err
	}
	act, ok := ckanActions[name]
	if !ok {
		return nil, ckanNotFound("action " + name)
	}
	return act.help, nil
}

func (h *handlers) ckanPackageList(r *http.Request, p ckanParams) (any, *ckanError) {
	offset, limit, err := p.window(-1)
	if err != nil {
		return nil, err
	}
	names := h.store.freshIndex(r.Context()).Names()
	return page(names, offset, limit), nil
}

func page[T any](xs []T, offset, limit int) []T {
	if offset >= len(xs) {
		return []T{}
	}
	xs = xs[offset:]
	if limit >= 0 && limit < len(xs) {
		xs = xs[:limit]
	}
	return xs
}

func (h *handlers) ckanPackageShow(r *http.Request, p ckanParams) (any, *ckanError) {
	id, err := p.required("id")
	if err != nil {
		return nil, err
	}
	d, serr := h.store.PublishedByName(r.Context(), id)
	if serr != nil {
		return nil, internal(r, serr, "dataset "+id)
	}
	return ckanPackageOf(baseURL(r), d), nil
}

func (h *handlers) ckanResourceShow(r *http.Request, p ckanParams) (any, *ckanError) {
	id, err := p.required("id")
	if err != nil {
		return nil, err
	}
	res, d, serr := h.store.ResourceByUID(r.Context(), id)
	if serr != nil || !d.Published() || !res.Live() {
		if serr != nil && platform.ErrorClass(serr) != platform.ENotFound {
			return nil, internal(r, serr, "resource")
		}
		return nil, ckanNotFound("resource " + id)
	}
	return ckanResourceOf(baseURL(r), d, res), nil
}

// --- package_search ---

var ckanFilterFields = map[string]bool{FacetOrganization: true, FacetTags: true, FacetFormat: true, FacetLicense: true, FacetGroups: true,
	facetName: true, "dataset_type": true, "type": true, "capacity": true, "state": true, "metadata_modified": true, "license": true}

// clause is one field:value term of q or fq.
type clause struct{ field, value string }

// parseClauses splits a Solr-like query into terms: bare words and
// field:value pairs, with "quoted values" and [A TO B] ranges. Leading '+'
// (must) is accepted; '-' (must not) and OR are not supported.
func parseClauses(s string) ([]clause, *ckanError) {
	var out []clause
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		if i >= len(s) {
			break
		}
		if s[i] == '+' {
			i++
		}
		if i < len(s) && s[i] == '-' && (i == 0 || s[i-1] == ' ') {
			return nil, ckanQueryError("negated terms (-) are not supported")
		}
		start := i
		field := ""
		for i < len(s) && s[i] != ' ' && s[i] != ':' && s[i] != '"' {
			i++
		}
		if i < len(s) && s[i] == ':' && i > start {
			field = s[start:i]
			i++
			start = i
		} else {
			i = start
		}
		var val string
		switch {
		case i < len(s) && s[i] == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, ckanQueryError("unbalanced quote")
			}
			val = s[i+1 : i+1+end]
			i += end + 2
		case i < len(s) && (s[i] == '[' || s[i] == '{'):
			end := strings.IndexAny(s[i:], "]}")
			if end < 0 {
				return nil, ckanQueryError("unbalanced range bracket")
			}
			val = s[i : i+end+1]
			i += end + 1
		default:
			for i < len(s) && s[i] != ' ' && s[i] != '\t' {
				i++
			}
			val = s[start:i]
		}
		if field == "" && (val == "AND" || val == "&&") {
			continue
		}
		if field == "" && (val == "OR" || val == "NOT" || val == "||") {
			return nil, ckanQueryError("%s is not supported; terms are always AND-ed", val)
		}
		out = append(out, clause{field: field, value: val})
	}
	return out, nil
}

// applyClause turns a field:value term into a filter of q.
func applyClause(q *Query, c clause, now time.Time) *ckanError {
	switch c.field {
	case "", "text", "title", "notes":
		q.Text += " " + c.value
		return nil
	case "*":
		if c.value == "*" {
			return nil
		}
	case "dataset_type", "type":
		if c.value == "dataset" {
			return nil
		}
		q.Filters = append(q.Filters, Filter{Field: "none", Value: c.value})
		return nil
	case "capacity":
		if c.value == "public" {
			return nil
		}
		q.Filters = append(q.Filters, Filter{Field: "none", Value: c.value})
		return nil
	case "state":
		if c.value == "active" {
			return nil
		}
		q.Filters = append(q.Filters, Filter{Field: "none", Value: c.value})
		return nil
	case "metadata_modified":
		from, to, err := parseRange(c.value, now)
		if err != nil {
			return err
		}
		if !from.IsZero() && (q.ModifiedFrom.IsZero() || from.After(q.ModifiedFrom)) {
			q.ModifiedFrom = from
		}
		if !to.IsZero() && (q.ModifiedTo.IsZero() || to.Before(q.ModifiedTo)) {
			q.ModifiedTo = to
		}
		return nil
	case "license":
		c.field = FacetLicense
	}
	if !ckanFilterFields[c.field] {
		return ckanQueryError("unknown field %q; use organization, tags, res_format, license_id, groups, name or metadata_modified", c.field)
	}
	q.Filters = append(q.Filters, Filter{Field: c.field, Value: c.value})
	return nil
}

// parseRange reads a Solr date range "[A TO B]" with ISO dates, * and NOW[-nDAYS].
func parseRange(v string, now time.Time) (time.Time, time.Time, *ckanError) {
	if len(v) < 2 || (v[0] != '[' && v[0] != '{') {
		t, err := parseSolrTime(v, now)
		return t, t, err
	}
	parts := strings.Split(strings.TrimSpace(v[1:len(v)-1]), " TO ")
	if len(parts) != 2 {
		return time.Time{}, time.Time{}, ckanQueryError("a range is written [FROM TO UNTIL]")
	}
	from, err := parseSolrTime(strings.TrimSpace(parts[0]), now)
	if err != nil {
		return from, from, err
	}
	to, err := parseSolrTime(strings.TrimSpace(parts[1]), now)
	return from, to, err
}

func parseSolrTime(s string, now time.Time) (time.Time, *ckanError) {
	if s == "*" {
		return time.Time{}, nil
	}
	if rest, ok := strings.CutPrefix(s, "NOW"); ok {
		if rest == "" {
			return now, nil
		}
		for _, unit := range []struct {
			suffix string
			d      time.Duration
		}{{"DAYS", 24 * time.Hour}, {"DAY", 24 * time.Hour}, {"HOURS", time.Hour}, {"HOUR", time.Hour}} {
			if n, ok := strings.CutSuffix(rest, unit.suffix); ok && len(n) > 1 && (n[0] == '-' || n[0] == '+') {
				k, err := strconv.Atoi(n[1:])
				if err == nil {
					if n[0] == '-' {
						k = -k
					}
					return now.Add(time.Duration(k) * unit.d), nil
				}
			}
		}
		return time.Time{}, ckanQueryError("cannot read date %q", s)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, ckanQueryError("cannot read date %q; use 2024-01-31T00:00:00Z", s)
}

var ckanSortFields = map[string]string{"score": "score", "metadata_modified": "metadata_modified", "metadata_created": "metadata_created",
	"title_string": "title_string", "title": "title_string", "name": "name", "downloads": "downloads"}

func parseSort(s string) ([]SortKey, *ckanError) {
	var keys []SortKey
	for _, part := range strings.Split(s, ",") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		field, ok := ckanSortFields[f[0]]
		if !ok || len(f) > 2 {
			return nil, ckanValidation("sort", "cannot sort by %q; use score, metadata_modified, metadata_created, title_string or name, then asc or desc", strings.TrimSpace(part))
		}
		desc := false
		if len(f) == 2 {
			switch strings.ToLower(f[1]) {
			case "desc":
				desc = true
			case "asc":
			default:
				return nil, ckanValidation("sort", "sort direction must be asc or desc, not %q", f[1])
			}
		}
		keys = append(keys, SortKey{Field: field, Desc: desc})
	}
	return keys, nil
}

// searchQuery builds an index query from package_search parameters.
func searchQuery(p ckanParams, now time.Time) (Query, *ckanError) {
	var q Query
	var err *ckanError
	if q.Rows, err = p.natural("rows", 10); err != nil {
		return q, err
	}
	q.Rows = min(q.Rows, ckanMaxRows)
	if q.Start, err = p.natural("start", 0); err != nil {
		return q, err
	}
	if q.Start > 1_000_000 {
		return q, ckanValidation("start", "start is too large")
	}
	text := strings.TrimSpace(p.str("q"))
	if len(text) > 1000 {
		return q, ckanValidation("q", "the query is too long")
	}
	if text != "" && text != "*:*" {
		cs, err := parseClauses(text)
		if err != nil {
			return q, err
		}
		for _, c := range cs {
			if err := applyClause(&q, c, now); err != nil {
				return q, err
			}
		}
	}
	if len(platform.Tokens(q.Text)) > 32 {
		return q, ckanValidation("q", "at most 32 words")
	}
	if fq := strings.TrimSpace(p.str("fq")); fq != "" {
		cs, err := parseClauses(fq)
		if err != nil {
			return q, err
		}
		for _, c := range cs {
			if c.field == "" {
				return q, ckanQueryError("fq terms are field:value, got %q", c.value)
			}
			if err := applyClause(&q, c, now); err != nil {
				return q, err
			}
		}
	}
	if s := strings.TrimSpace(p.str("sort")); s != "" {
		if q.Sort, err = parseSort(s); err != nil {
			return q, err
		}
	}
	facet, err := p.boolean("facet", true)
	if err != nil {
		return q, err
	}
	fields, err := p.list("facet.field")
	if err != nil {
		return q, err
	}
	for _, f := range fields {
		if _, ok := facetIndex[f]; !ok || f == facetName {
			return q, ckanValidation("facet.field", "cannot facet on %q; use organization, tags, res_format, license_id or groups", f)
		}
	}
	if facet {
		q.FacetFields = fields
	}
	if q.FacetLimit, err = p.integer("facet.limit", 50); err != nil {
		return q, err
	}
	if q.FacetLimit < 0 {
		q.FacetLimit = -1
	}
	if q.FacetMinCount, err = p.integer("facet.mincount", 1); err != nil {
		return q, err
	}
	return q, nil
}

func (h *handlers) ckanPackageSearch(r *http.Request, p ckanParams) (any, *ckanError) {
	q, err := searchQuery(p, time.Now().UTC())
	if err != nil {
		return nil, err
	}
	res := h.store.Search(r.Context(), q)
	results, err := h.ckanPackages(r, res)
	if err != nil {
		return nil, err
	}
	facets := map[string]map[string]int{}
	searchFacets := map[string]any{}
	for _, f := range q.FacetFields {
		items := res.Facets[f]
		m := map[string]int{}
		for _, it := range items {
			m[it.Name] = it.Count
		}
		facets[f] = m
		searchFacets[f] = map[string]any{"title": f, "items": items}
	}
	sortText := p.str("sort")
	if sortText == "" {
		sortText = "score desc, metadata_modified desc"
	}
	return map[string]any{"count": res.Count, "facets": facets, "search_facets": searchFacets, "results": results, "sort": sortText}, nil
}

// --- organisations, groups, tags, licences ---

func (h *handlers) ckanOrganizationList(r *http.Request, p ckanParams) (any, *ckanError) {
	all, err := p.boolean("all_fields", false)
	if err != nil {
		return nil, err
	}
	offset, limit, err := p.window(-1)
	if err != nil {
		return nil, err
	}
	pubs, serr := h.store.Publishers(r.Context())
	if serr != nil {
		return nil, internal(r, serr, "organizations")
	}
	sortBy := strings.TrimSpace(p.str("sort"))
	switch sortBy {
	case "", "name", "name asc", "title", "title asc":
		if strings.HasPrefix(sortBy, "name") {
			sort.SliceStable(pubs, func(i, j int) bool { return pubs[i].Name < pubs[j].Name })
		}
	case "name desc":
		sort.SliceStable(pubs, func(i, j int) bool { return pubs[i].Name > pubs[j].Name })
	case "package_count", "package_count desc":
		sort.SliceStable(pubs, func(i, j int) bool { return pubs[i].Datasets > pubs[j].Datasets })
	default:
		return nil, ckanValidation("sort", "cannot sort by %q; use name, title or package_count", sortBy)
	}
	pubs = page(pubs, offset, limit)
	if !all {
		names := make([]string, len(pubs))
		for i, o := range pubs {
			names[i] = o.Name
		}
		return names, nil
	}
	out := make([]ckanOrg, len(pubs))
	for i, o := range pubs {
		out[i] = ckanOrgOf(o)
	}
	return out, nil
}

func (h *handlers) ckanOrganizationShow(r *http.Request, p ckanParams) (any, *ckanError) {
	id, err := p.required("id")
	if err != nil {
		return nil, err
	}
	withDS, err := p.boolean("include_datasets", false)
	if err != nil {
		return nil, err
	}
	o, serr := h.store.PublisherByName(r.Context(), id)
	if serr != nil {
		return nil, internal(r, serr, "organization "+id)
	}
	out := ckanOrgOf(o)
	if withDS {
		pk, cerr := h.packagesWhere(r, Filter{Field: FacetOrganization, Value: o.Name})
		if cerr != nil {
			return nil, cerr
		}
		out.Packages = pk
	}
	return out, nil
}

// packagesWhere returns up to 1000 package dicts matching a filter.
func (h *handlers) packagesWhere(r *http.Request, f Filter) ([]ckanPackage, *ckanError) {
	return h.ckanPackages(r, h.store.Search(r.Context(), Query{Filters: []Filter{f}, Rows: ckanMaxRows, Sort: []SortKey{{"name", false}}}))
}

// ckanPackages loads the published datasets of a search result, in its
// order, as package dicts.
func (h *handlers) ckanPackages(r *http.Request, res Result) ([]ckanPackage, *ckanError) {
	ids := make([]int64, len(res.Docs))
	for i, d := range res.Docs {
		ids[i] = d.ID
	}
	ds, err := h.store.PublishedByIDs(r.Context(), ids)
	if err != nil {
		return nil, internal(r, err, "datasets")
	}
	base := baseURL(r)
	out := make([]ckanPackage, 0, len(ds))
	for _, d := range ds {
		out = append(out, ckanPackageOf(base, d))
	}
	return out, nil
}

func (h *handlers) themeCounts(r *http.Request) map[string]int {
	res := h.store.Search(r.Context(), Query{FacetFields: []string{FacetGroups}, FacetLimit: -1})
	m := map[string]int{}
	for _, it := range res.Facets[FacetGroups] {
		m[it.Name] = it.Count
	}
	return m
}

func (h *handlers) ckanGroupList(r *http.Request, p ckanParams) (any, *ckanError) {
	all, err := p.boolean("all_fields", false)
	if err != nil {
		return nil, err
	}
	offset, limit, err := p.window(-1)
	if err != nil {
		return nil, err
	}
	counts := h.themeCounts(r)
	groups := make([]ckanGroup, 0, len(Themes))
	for _, t := range Themes {
		g := ckanGroupOf(t)
		n := counts[t.ID]
		g.PackageCount = &n
		groups = append(groups, g)
	}
	switch s := strings.TrimSpace(p.str("sort")); s {
	case "", "name", "name asc", "title", "title asc":
		sort.SliceStable(groups, func(i, j int) bool { return groups[i].Name < groups[j].Name })
	case "package_count", "package_count desc":
		sort.SliceStable(groups, func(i, j int) bool { return *groups[i].PackageCount > *groups[j].PackageCount })
	default:
		return nil, ckanValidation("sort", "cannot sort by %q; use name, title or package_count", s)
	}
	groups = page(groups, offset, limit)
	if !all {
		names := make([]string, len(groups))
		for i, g := range groups {
			names[i] = g.Name
		}
		return names, nil
	}
	return groups, nil
}

func (h *handlers) ckanGroupShow(r *http.Request, p ckanParams) (any, *ckanError) {
	id, err := p.required("id")
	if err != nil {
		return nil, err
	}
	t, ok := ThemeOf(id)
	if !ok {
		return nil, ckanNotFound("group " + id)
	}
	withDS, err := p.boolean("include_datasets", false)
	if err != nil {
		return nil, err
	}
	g := ckanGroupOf(t)
	n := h.themeCounts(r)[t.ID]
	g.PackageCount = &n
	if withDS {
		pk, cerr := h.packagesWhere(r, Filter{Field: FacetGroups, Value: t.ID})
		if cerr != nil {
			return nil, cerr
		}
		g.Packages = pk
	}
	return g, nil
}

func (h *handlers) ckanTagList(r *http.Request, p ckanParams) (any, *ckanError) {
	all, err := p.boolean("all_fields", false)
	if err != nil {
		return nil, err
	}
	if p.has("vocabulary_id") && p.str("vocabulary_id") != "" {
		return nil, ckanNotFound("vocabulary " + p.str("vocabulary_id"))
	}
	query := platform.Fold(p.str("query"))
	tags := h.store.freshIndex(r.Context()).Tags()
	var names []string
	var dicts []ckanTag
	for _, t := range tags {
		if query != "" && !strings.Contains(platform.Fold(t.Name), query) {
			continue
		}
		names = append(names, t.Name)
		dicts = append(dicts, ckanTagOf(t.Name))
	}
	if all {
		if dicts == nil {
			dicts = []ckanTag{}
		}
		return dicts, nil
	}
	if names == nil {
		names = []string{}
	}
	return names, nil
}

func (h *handlers) ckanLicenseList(r *http.Request, p ckanParams) (any, *ckanError) {
	base := baseURL(r)
	out := []map[string]any{}
	for _, l := range Licenses {
		out = append(out, map[string]any{"id": l.ID, "title": l.TitleVI, "title_en": l.TitleEN, "url": licenseURL(base, l),
			"status": "active", "maintainer": "", "family": "", "od_conformance": "approved", "osd_conformance": "not reviewed",
			"domain_content": false, "domain_data": true, "domain_software": false, "is_generic": false})
	}
	return out, nil
}

func (h *handlers) ckanCurrentPackages(r *http.Request, p ckanParams) (any, *ckanError) {
	offset, limit, err := p.window(10)
	if err != nil {
		return nil, err
	}
	q := Query{Start: offset, Rows: min(limit, ckanMaxRows), Sort: []SortKey{{"metadata_modified", true}}}
	out, err := h.ckanPackages(r, h.store.Search(r.Context(), q))
	if err != nil {
		return nil, err
	}
	return out, nil
}

// --- CKAN dictionaries ---

// ckanTime is CKAN's timestamp format (UTC, no zone suffix).
func ckanTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000") }

type ckanTag struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	DisplayName  string  `json:"display_name"`
	State        string  `json:"state"`
	VocabularyID *string `json:"vocabulary_id"`
}

func ckanTagOf(name string) ckanTag {
	return ckanTag{ID: "tag:" + name, Name: name, DisplayName: name, State: "active"}
}

type ckanOrg struct {
	ID             string        `json:"id"`
	Name           string        `json:"name"`
	Title          string        `json:"title"`
	DisplayName    string        `json:"display_name"`
	Type           string        `json:"type"`
	Description    string        `json:"description"`
	ImageURL       string        `json:"image_url"`
	Created        string        `json:"created"`
	IsOrganization bool          `json:"is_organization"`
	ApprovalStatus string        `json:"approval_status"`
	State          string        `json:"state"`
	PackageCount   *int          `json:"package_count,omitempty"`
	Extras         []ckanExtra   `json:"extras,omitempty"`
	Packages       []ckanPackage `json:"packages,omitempty"`
}

func ckanOrgOf(p Publisher) ckanOrg {
	n := p.Datasets
	o := ckanOrg{ID: strconv.FormatInt(p.OrgID, 10), Name: p.Name, Title: p.Title, DisplayName: p.Title, Type: "organization",
		Description: p.TitleEN, Created: ckanTime(p.CreatedAt), IsOrganization: true, ApprovalStatus: "approved", State: "active", PackageCount: &n}
	for _, e := range []ckanExtra{{"code", p.Code}, {"website", p.Website}, {"email", p.Email}, {"focal_point", p.Focal}} {
		if e.Value != "" {
			o.Extras = append(o.Extras, e)
		}
	}
	return o
}

// packageOrg is the short organisation dict inside a package.
func packageOrg(d Dataset) ckanOrg {
	return ckanOrg{ID: strconv.FormatInt(d.OrgID, 10), Name: OrgName(d.OrgCode), Title: d.OrgName, DisplayName: d.OrgName,
		Type: "organization", IsOrganization: true, ApprovalStatus: "approved", State: "active", Created: ckanTime(d.CreatedAt)}
}

type ckanGroup struct {
	ID              string        `json:"id"`
	Name            string        `json:"name"`
	Title           string        `json:"title"`
	DisplayName     string        `json:"display_name"`
	Description     string        `json:"description"`
	ImageDisplayURL string        `json:"image_display_url"`
	Type            string        `json:"type"`
	IsOrganization  bool          `json:"is_organization"`
	State           string        `json:"state"`
	PackageCount    *int          `json:"package_count,omitempty"`
	Packages        []ckanPackage `json:"packages,omitempty"`
}

func ckanGroupOf(t Theme) ckanGroup {
	return ckanGroup{ID: t.ID, Name: t.ID, Title: t.TitleVI, DisplayName: t.TitleVI, Description: t.TitleEN, Type: "group", State: "active"}
}

type ckanExtra struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type ckanResource struct {
	ID               string  `json:"id"`
	PackageID        string  `json:"package_id"`
	URL              string  `json:"url"`
	Name             string  `json:"name"`
	Description      string  `json:"description"`
	Format           string  `json:"format"`
	Mimetype         string  `json:"mimetype"`
	Size             *int64  `json:"size"`
	Hash             string  `json:"hash"`
	Created          string  `json:"created"`
	LastModified     string  `json:"last_modified"`
	MetadataModified string  `json:"metadata_modified"`
	Position         int     `json:"position"`
	URLType          *string `json:"url_type"`
	ResourceType     *string `json:"resource_type"`
	State            string  `json:"state"`
	DatastoreActive  bool    `json:"datastore_active"`
	// govdx extensions
	DownloadCount int64  `json:"download_count"`
	Version       int    `json:"version"`
	SHA256        string `json:"sha256,omitempty"`
}

func ckanResourceOf(base string, d Dataset, r Resource) ckanResource {
	v := r.Current
	out := ckanResource{ID: r.UID, PackageID: d.UID, Name: r.Name, Description: r.Description, Format: r.Format,
		Mimetype: v.MediaType, Created: ckanTime(r.CreatedAt), LastModified: ckanTime(v.CreatedAt), MetadataModified: ckanTime(r.UpdatedAt),
		Position: r.Position - 1, State: "active", DownloadCount: r.Downloads, Version: v.Version}
	if r.Kind == KindUpload {
		up := "upload"
		out.URLType = &up
		out.URL = downloadURL(base, d, r)
		size := v.Size
		out.Size = &size
		out.Hash = "sha256:" + v.SHA256
		out.SHA256 = v.SHA256
	} else {
		out.URL = v.URL
	}
	return out
}

type ckanPackage struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Title            string         `json:"title"`
	Notes            string         `json:"notes"`
	URL              string         `json:"url"`
	Version          string         `json:"version"`
	Type             string         `json:"type"`
	State            string         `json:"state"`
	Private          bool           `json:"private"`
	IsOpen           bool           `json:"isopen"`
	LicenseID        string         `json:"license_id"`
	LicenseTitle     string         `json:"license_title"`
	LicenseURL       string         `json:"license_url"`
	Author           string         `json:"author"`
	AuthorEmail      string         `json:"author_email"`
	Maintainer       string         `json:"maintainer"`
	MaintainerEmail  string         `json:"maintainer_email"`
	MetadataCreated  string         `json:"metadata_created"`
	MetadataModified string         `json:"metadata_modified"`
	CreatorUserID    string         `json:"creator_user_id"`
	OwnerOrg         string         `json:"owner_org"`
	Organization     ckanOrg        `json:"organization"`
	NumResources     int            `json:"num_resources"`
	NumTags          int            `json:"num_tags"`
	Resources        []ckanResource `json:"resources"`
	Tags             []ckanTag      `json:"tags"`
	Groups           []ckanGroup    `json:"groups"`
	Extras           []ckanExtra    `json:"extras"`
	RelAsObject      []any          `json:"relationships_as_object"`
	RelAsSubject     []any          `json:"relationships_as_subject"`
	// govdx extensions (CKAN ignores unknown keys)
	Frequency     string `json:"frequency"`
	DownloadCount int64  `json:"download_count"`
	Openness      int    `json:"openness_stars"`
}

func licenseURL(base string, l License) string {
	if l.URL != "" {
		return l.URL
	}
	return base + "/opendata/licence"
}

func ckanPackageOf(base string, d Dataset) ckanPackage {
	l, _ := LicenseOf(d.LicenseID)
	pk := ckanPackage{ID: d.UID, Name: d.Name, Title: d.Title, Notes: d.Notes, URL: base + "/opendata/datasets/" + d.Name,
		Version: strconv.Itoa(d.Version), Type: "dataset", State: "active", IsOpen: true, LicenseID: l.ID, LicenseTitle: l.TitleVI,
		LicenseURL: licenseURL(base, l), Author: d.OrgName, Maintainer: d.ContactName, MaintainerEmail: d.ContactEmail,
		MetadataCreated: ckanTime(d.CreatedAt), MetadataModified: ckanTime(d.UpdatedAt), OwnerOrg: strconv.FormatInt(d.OrgID, 10),
		Organization: packageOrg(d), Resources: []ckanResource{}, Tags: []ckanTag{}, Groups: []ckanGroup{}, Extras: []ckanExtra{},
		RelAsObject: []any{}, RelAsSubject: []any{}, Frequency: d.Frequency, DownloadCount: d.Downloads, Openness: d.Stars()}
	for _, r := range d.PublicResources() {
		pk.Resources = append(pk.Resources, ckanResourceOf(base, d, r))
	}
	for _, t := range d.Tags {
		pk.Tags = append(pk.Tags, ckanTagOf(t))
	}
	for _, th := range d.Themes {
		if t, ok := ThemeOf(th); ok {
			pk.Groups = append(pk.Groups, ckanGroupOf(t))
		}
	}
	pk.NumResources, pk.NumTags = len(pk.Resources), len(pk.Tags)
	if f, ok := FrequencyOf(d.Frequency); ok {
		pk.Extras = append(pk.Extras, ckanExtra{"frequency", f.TitleEN})
	}
	for _, e := range []ckanExtra{{"temporal_start", d.TemporalFrom}, {"temporal_end", d.TemporalTo}, {"spatial_text", d.Spatial}} {
		if e.Value != "" {
			pk.Extras = append(pk.Extras, e)
		}
	}
	if d.PublishedAt != nil {
		pk.Extras = append(pk.Extras, ckanExtra{"issued", ckanTime(*d.PublishedAt)})
	}
	return pk
}
