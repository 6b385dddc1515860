package opendata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The DCAT catalog (DCAT-AP style): the same triples are written as Turtle
// and as JSON-LD, so both documents always say the same thing.

// Namespaces used in the catalog.
var dcatPrefixes = []struct{ prefix, iri string }{
	{"dcat", "http://www.w3.org/ns/dcat#"},
	{"dct", "http://purl.org/dc/terms/"},
	{"foaf", "http://xmlns.com/foaf/0.1/"},
	{"vcard", "http://www.w3.org/2006/vcard/ns#"},
	{"xsd", "http://www.w3.org/2001/XMLSchema#"},
	{"rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"},
	{"skos", "http://www.w3.org/2004/02/skos/core#"},
	{"spdx", "http://spdx.org/rdf/terms#"},
	{"owl", "http://www.w3.org/2002/07/owl#"},
	{"adms", "http://www.w3.org/ns/adms#"},
	{"hydra", "http://www.w3.org/ns/hydra/core#"},
}

const (
	euTheme     = "http://publications.europa.eu/resource/authority/data-theme/"
	euFrequency = "http://publications.europa.eu/resource/authority/frequency/"
	euFileType  = "http://publications.europa.eu/resource/authority/file-type/"
	euLanguage  = "http://publications.europa.eu/resource/authority/language/"
	euAccess    = "http://publications.europa.eu/resource/authority/access-right/"
	ianaMedia   = "http://www.iana.org/assignments/media-types/"
)

// term is an RDF term: an IRI, a blank node ("_:b1") or a literal.
type term struct {
	kind  byte // 'i' IRI, 'b' blank node, 'l' literal
	value string
	lang  string
	dtype string // prefixed datatype, e.g. "xsd:dateTime"
}

// iri percent-encodes what an IRI may not hold, once for both serialisations.
func iri(v string) term           { return term{kind: 'i', value: escapeIRI(v)} }
func pn(v string) term            { return term{kind: 'i', value: expandPN(v)} }
func lit(v string) term           { return term{kind: 'l', value: v} }
func litLang(v, lang string) term { return term{kind: 'l', value: v, lang: lang} }
func typed(v, dt string) term     { return term{kind: 'l', value: v, dtype: dt} }

func expandPN(v string) string {
	pre, local, _ := strings.Cut(v, ":")
	for _, p := range dcatPrefixes {
		if p.prefix == pre {
			return p.iri + local
		}
	}
	return v
}

type triple struct {
	s term
	p string // prefixed name
	o term
}

// graph collects triples in insertion order, grouped by subject.
type graph struct {
	triples []triple
	blank   int
}

func (g *graph) add(s term, p string, o term) {
	if o.kind == 'l' && o.value == "" {
		return
	}
	g.triples = append(g.triples, triple{s, p, o})
}

func (g *graph) bnode() term {
	g.blank++
	return term{kind: 'b', value: "_:b" + strconv.Itoa(g.blank)}
}

func dcatTime(t time.Time) term { return typed(t.UTC().Format(time.RFC3339), "xsd:dateTime") }

// dcatDate types a coverage bound written YYYY, YYYY-MM or YYYY-MM-DD.
func dcatDate(s string) term {
	switch len(s) {
	case 4:
		return typed(s, "xsd:gYear")
	case 7:
		return typed(s, "xsd:gYearMonth")
	}
	return typed(s, "xsd:date")
}

// datasetIRI is the dataset's identity in the catalog, as ckanext-dcat names it.
func datasetIRI(base string, d Dataset) string { return base + "/dataset/" + d.Name }

func (g *graph) addDataset(base string, d Dataset) term {
	ds := iri(datasetIRI(base, d))
	g.add(ds, "rdf:type", pn("dcat:Dataset"))
	g.add(ds, "dct:identifier", lit(d.UID))
	g.add(ds, "dct:title", litLang(d.Title, "vi"))
	g.add(ds, "dct:description", litLang(d.Notes, "vi"))
	for _, t := range d.Tags {
		g.add(ds, "dcat:keyword", litLang(t, "vi"))
	}
	for _, th := range d.Themes {
		if t, ok := ThemeOf(th); ok {
			g.add(ds, "dcat:theme", iri(euTheme+t.EU))
		}
	}
	pub := iri(base + "/opendata/organizations/" + OrgName(d.OrgCode))
	g.add(ds, "dct:publisher", pub)
	g.add(ds, "dcat:landingPage", iri(base+"/opendata/datasets/"+d.Name))
	g.add(ds, "dct:language", iri(euLanguage+"VIE"))
	g.add(ds, "dct:accessRights", iri(euAccess+"PUBLIC"))
	if d.PublishedAt != nil {
		g.add(ds, "dct:issued", dcatTime(*d.PublishedAt))
	}
	g.add(ds, "dct:modified", dcatTime(d.UpdatedAt))
	g.add(ds, "owl:versionInfo", lit(strconv.Itoa(d.Version)))
	if f, ok := FrequencyOf(d.Frequency); ok {
		g.add(ds, "dct:accrualPeriodicity", iri(euFrequency+f.EU))
	}
	if d.TemporalFrom != "" || d.TemporalTo != "" {
		per := g.bnode()
		g.add(ds, "dct:temporal", per)
		g.add(per, "rdf:type", pn("dct:PeriodOfTime"))
		if d.TemporalFrom != "" {
			g.add(per, "dcat:startDate", dcatDate(d.TemporalFrom))
		}
		if d.TemporalTo != "" {
			g.add(per, "dcat:endDate", dcatDate(d.TemporalTo))
		}
	}
	if d.Spatial != "" {
		loc := g.bnode()
		g.add(ds, "dct:spatial", loc)
		g.add(loc, "rdf:type", pn("dct:Location"))
		g.add(loc, "skos:prefLabel", litLang(d.Spatial, "vi"))
	}
	if d.ContactName != "" || d.ContactEmail != "" {
		cp := g.bnode()
		g.add(ds, "dcat:contactPoint", cp)
		g.add(cp, "rdf:type", pn("vcard:Organization"))
		name := d.ContactName
		if name == "" {
			name = d.OrgName
		}
		g.add(cp, "vcard:fn", litLang(name, "vi"))
		if d.ContactEmail != "" {
			g.add(cp, "vcard:hasEmail", iri("mailto:"+d.ContactEmail))
		}
	}
	l, _ := LicenseOf(d.LicenseID)
	for _, r := range d.PublicResources() {
		v := r.Current
		dist := iri(datasetIRI(base, d) + "/resource/" + r.UID)
		g.add(ds, "dcat:distribution", dist)
		g.add(dist, "rdf:type", pn("dcat:Distribution"))
		g.add(dist, "dct:identifier", lit(r.UID))
		g.add(dist, "dct:title", litLang(r.Name, "vi"))
		g.add(dist, "dct:description", litLang(r.Description, "vi"))
		g.add(dist, "dct:license", iri(licenseURL(base, l)))
		f := FormatOf(r.Format)
		if f.EU != "" {
			g.add(dist, "dct:format", iri(euFileType+f.EU))
		}
		if v.MediaType != "" {
			g.add(dist, "dcat:mediaType", iri(ianaMedia+v.MediaType))
		}
		g.add(dist, "dct:issued", dcatTime(r.CreatedAt))
		g.add(dist, "dct:modified", dcatTime(v.CreatedAt))
		if r.Kind == KindUpload {
			u := downloadURL(base, d, r)
			g.add(dist, "dcat:accessURL", iri(u))
			g.add(dist, "dcat:downloadURL", iri(u))
			g.add(dist, "dcat:byteSize", typed(strconv.FormatInt(v.Size, 10), "xsd:nonNegativeInteger"))
			sum := g.bnode()
			g.add(dist, "spdx:checksum", sum)
			g.add(sum, "rdf:type", pn("spdx:Checksum"))
			g.add(sum, "spdx:algorithm", pn("spdx:checksumAlgorithm_sha256"))
			g.add(sum, "spdx:checksumValue", typed(v.SHA256, "xsd:hexBinary"))
		} else {
			g.add(dist, "dcat:accessURL", iri(v.URL))
		}
	}
	return ds
}

func (g *graph) addPublishers(base string, ds []Dataset) {
	seen := map[string]bool{}
	for _, d := range ds {
		name := OrgName(d.OrgCode)
		if seen[name] {
			continue
		}
		seen[name] = true
		pub := iri(base + "/opendata/organizations/" + name)
		g.add(pub, "rdf:type", pn("foaf:Organization"))
		g.add(pub, "foaf:name", litLang(d.OrgName, "vi"))
	}
}

// catalogPage is one page of the catalog document.
type catalogPage struct {
	Page, PerPage, Total int
	Self                 string // URL of the document without ?page
}

func buildCatalog(base string, ds []Dataset, pg catalogPage, modified time.Time) *graph {
	g := &graph{}
	cat := iri(base + "/catalog")
	g.add(cat, "rdf:type", pn("dcat:Catalog"))
	g.add(cat, "dct:title", litLang("Cổng dữ liệu mở govdx", "vi"))
	g.add(cat, "dct:title", litLang("govdx open data portal", "en"))
	g.add(cat, "dct:description", litLang("Dữ liệu mở do các bộ, ngành, địa phương công bố: miễn phí, không cần tài khoản, định dạng mở.", "vi"))
	g.add(cat, "foaf:homepage", iri(base+"/opendata"))
	g.add(cat, "dct:language", iri(euLanguage+"VIE"))
	g.add(cat, "dcat:themeTaxonomy", iri(strings.TrimSuffix(euTheme, "/")))
	g.add(cat, "dct:license", iri(base+"/opendata/licence"))
	if !modified.IsZero() {
		g.add(cat, "dct:modified", dcatTime(modified))
	}
	op := iri(base + "/opendata#publisher")
	g.add(cat, "dct:publisher", op)
	g.add(op, "rdf:type", pn("foaf:Agent"))
	g.add(op, "foaf:name", litLang("Đơn vị vận hành cổng dữ liệu mở", "vi"))
	for _, d := range ds {
		g.add(cat, "dcat:dataset", iri(datasetIRI(base, d)))
	}
	for _, d := range ds {
		g.addDataset(base, d)
	}
	g.addPublishers(base, ds)
	if pg.Total > pg.PerPage {
		last := (pg.Total + pg.PerPage - 1) / pg.PerPage
		self := iri(fmt.Sprintf("%s?page=%d", pg.Self, pg.Page))
		g.add(self, "rdf:type", pn("hydra:PagedCollection"))
		g.add(self, "hydra:totalItems", typed(strconv.Itoa(pg.Total), "xsd:integer"))
		g.add(self, "hydra:itemsPerPage", typed(strconv.Itoa(pg.PerPage), "xsd:integer"))
		g.add(self, "hydra:firstPage", lit(fmt.Sprintf("%s?page=1", pg.Self)))
		g.add(self, "hydra:lastPage", lit(fmt.Sprintf("%s?page=%d", pg.Self, last)))
		if pg.Page < last {
			g.add(self, "hydra:nextPage", lit(fmt.Sprintf("%s?page=%d", pg.Self, pg.Page+1)))
		}
		if pg.Page > 1 {
			g.add(self, "hydra:previousPage", lit(fmt.Sprintf("%s?page=%d", pg.Self, pg.Page-1)))
		}
	}
	return g
}

func buildDatasetGraph(base string, d Dataset) *graph {
	g := &graph{}
	g.addDataset(base, d)
	g.addPublishers(base, []Dataset{d})
	return g
}

// --- Turtle ---

// turtle writes the graph: prefixes, then one block per subject with
// predicate lists ';' and object lists ','. Every literal and IRI is escaped.
func (g *graph) turtle() []byte {
	var b bytes.Buffer
	for _, p := range dcatPrefixes {
		fmt.Fprintf(&b, "@prefix %s: <%s> .\n", p.prefix, p.iri)
	}
	for _, subj := range g.subjects() {
		b.WriteByte('\n')
		b.WriteString(turtleTerm(subj.s))
		for pi, pred := range subj.preds {
			if pi == 0 {
				b.WriteString("\n    ")
			} else {
				b.WriteString(" ;\n    ")
			}
			if pred.p == "rdf:type" {
				b.WriteString("a")
			} else {
				b.WriteString(pred.p)
			}
			for oi, o := range pred.objs {
				if oi == 0 {
					b.WriteByte(' ')
				} else {
					b.WriteString(", ")
				}
				b.WriteString(turtleTerm(o))
			}
		}
		b.WriteString(" .\n")
	}
	return b.Bytes()
}

type subjectBlock struct {
	s     term
	preds []predBlock
}

type predBlock struct {
	p    string
	objs []term
}

func (g *graph) subjects() []*subjectBlock {
	var order []*subjectBlock
	by := map[term]*subjectBlock{}
	for _, t := range g.triples {
		sb := by[t.s]
		if sb == nil {
			sb = &subjectBlock{s: t.s}
			by[t.s] = sb
			order = append(order, sb)
		}
		found := false
		for i := range sb.preds {
			if sb.preds[i].p == t.p {
				sb.preds[i].objs = append(sb.preds[i].objs, t.o)
				found = true
				break
			}
		}
		if !found {
			sb.preds = append(sb.preds, predBlock{p: t.p, objs: []term{t.o}})
		}
	}
	return order
}

func turtleTerm(t term) string {
	switch t.kind {
	case 'i':
		// Vocabulary terms read better as prefixed names.
		if c := compactIRI(t.value); c != t.value && safeLocal.MatchString(c[strings.IndexByte(c, ':')+1:]) {
			return c
		}
		return "<" + escapeIRI(t.value) + ">"
	case 'b':
		return t.value
	}
	s := `"` + escapeTurtleString(t.value) + `"`
	switch {
	case t.lang != "":
		s += "@" + t.lang
	case t.dtype != "":
		s += "^^" + t.dtype
	}
	return s
}

// safeLocal is a local name that needs no escaping in a prefixed name.
var safeLocal = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// escapeTurtleString escapes a STRING_LITERAL_QUOTE: backslash, quote and
// line breaks by ECHAR, other control characters by \uXXXX.
func escapeTurtleString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// escapeIRI percent-encodes the characters an IRIREF may not hold.
func escapeIRI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || strings.IndexByte("<>\"{}|^`\\", c) >= 0 || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// --- JSON-LD ---

// jsonld writes the graph as JSON-LD: a @context with the prefixes and a
// @graph of node objects, one per subject.
func (g *graph) jsonld() ([]byte, error) {
	ctx := map[string]string{}
	for _, p := range dcatPrefixes {
		ctx[p.prefix] = p.iri
	}
	var nodes []map[string]any
	for _, sb := range g.subjects() {
		n := map[string]any{"@id": sb.s.value}
		for _, pb := range sb.preds {
			if pb.p == "rdf:type" {
				var types []string
				for _, o := range pb.objs {
					types = append(types, compactIRI(o.value))
				}
				n["@type"] = types
				continue
			}
			vals := make([]any, 0, len(pb.objs))
			for _, o := range pb.objs {
				switch o.kind {
				case 'i', 'b':
					vals = append(vals, map[string]string{"@id": o.value})
				default:
					v := map[string]string{"@value": o.value}
					if o.lang != "" {
						v["@language"] = o.lang
					}
					if o.dtype != "" {
						v["@type"] = o.dtype
					}
					vals = append(vals, v)
				}
			}
			n[pb.p] = vals
		}
		nodes = append(nodes, n)
	}
	if nodes == nil {
		nodes = []map[string]any{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(map[string]any{"@context": ctx, "@graph": nodes})
	return b.Bytes(), err
}

// compactIRI writes an IRI with its prefix when one applies.
func compactIRI(v string) string {
	best := ""
	bestPrefix := ""
	for _, p := range dcatPrefixes {
		if strings.HasPrefix(v, p.iri) && len(p.iri) > len(best) {
			best, bestPrefix = p.iri, p.prefix
		}
	}
	if best == "" {
		return v
	}
	return bestPrefix + ":" + v[len(best):]
}

// sortedTriples is used by tests to compare serialisations.
func (g *graph) sortedTriples() []string {
	out := make([]string, len(g.triples))
	for i, t := range g.triples {
		o := t.o
		if o.kind == 'l' && o.dtype != "" {
			o.dtype = expandPN(o.dtype)
		}
		out[i] = fmt.Sprintf("%s %s %c|%s|%s|%s", t.s.value, expandPN(t.p), o.kind, o.value, o.lang, o.dtype)
	}
	sort.Strings(out)
	return out
}
