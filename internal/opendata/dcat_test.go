package opendata

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// A small Turtle parser, enough to read what the catalog writes: @prefix,
// IRIs, prefixed names, blank node labels, 'a', literals with escapes,
// language tags and datatypes, and ';' ',' '.' punctuation. It fails on
// anything else, so malformed output fails the test.

type ttlParser struct {
	s        string
	i        int
	prefixes map[string]string
}

func (p *ttlParser) fail(format string, args ...any) error {
	line := strings.Count(p.s[:p.i], "\n") + 1
	return fmt.Errorf("turtle line %d: %s", line, fmt.Sprintf(format, args...))
}

func (p *ttlParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		case '#':
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
		default:
			return
		}
	}
}

func (p *ttlParser) iriRef() (string, error) {
	end := strings.IndexByte(p.s[p.i:], '>')
	if end < 0 {
		return "", p.fail("unterminated IRI")
	}
	v := p.s[p.i+1 : p.i+end]
	if strings.ContainsAny(v, " <\"{}|^`\\\n") {
		return "", p.fail("illegal character in IRI %q", v)
	}
	p.i += end + 1
	return v, nil
}

func (p *ttlParser) pname() (string, error) {
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune(" \t\n\r;,.", rune(p.s[p.i])) {
		p.i++
	}
	// a trailing '.' belongs to the statement
	tok := p.s[start:p.i]
	pre, local, ok := strings.Cut(tok, ":")
	if !ok {
		return "", p.fail("not a prefixed name: %q", tok)
	}
	ns, ok := p.prefixes[pre]
	if !ok {
		return "", p.fail("undeclared prefix %q", pre)
	}
	return ns + local, nil
}

func (p *ttlParser) literal() (term, error) {
	p.i++ // opening quote
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return term{}, p.fail("unterminated string")
		}
		c := p.s[p.i]
		switch c {
		case '"':
			p.i++
			t := term{kind: 'l', value: b.String()}
			if p.i < len(p.s) && p.s[p.i] == '@' {
				start := p.i + 1
				p.i++
				for p.i < len(p.s) && (p.s[p.i] == '-' || p.s[p.i] >= 'a' && p.s[p.i] <= 'z' || p.s[p.i] >= 'A' && p.s[p.i] <= 'Z') {
					p.i++
				}
				t.lang = p.s[start:p.i]
			} else if strings.HasPrefix(p.s[p.i:], "^^") {
				p.i += 2
				dt, err := p.pname()
				if err != nil {
					return t, err
				}
				t.dtype = dt
			}
			return t, nil
		case '\n', '\r':
			return term{}, p.fail("raw line break in a string")
		case '\\':
			if p.i+1 >= len(p.s) {
				return term{}, p.fail("dangling escape")
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '"', '\\', '\'':
				b.WriteByte(e)
			case 'u':
				n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
				if err != nil {
					return term{}, p.fail("bad \\u escape")
				}
				b.WriteRune(rune(n))
				p.i += 4
			default:
				return term{}, p.fail("bad escape \\%c", e)
			}
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError {
				return term{}, p.fail("invalid UTF-8")
			}
			b.WriteRune(r)
			p.i += size
		}
	}
}

func (p *ttlParser) term() (term, error) {
	p.ws()
	if p.i >= len(p.s) {
		return term{}, p.fail("unexpected end")
	}
	switch {
	case p.s[p.i] == '<':
		v, err := p.iriRef()
		return term{kind: 'i', value: v}, err
	case p.s[p.i] == '"':
		return p.literal()
	case strings.HasPrefix(p.s[p.i:], "_:"):
		start := p.i
		for p.i < len(p.s) && !strings.ContainsRune(" \t\n\r;,", rune(p.s[p.i])) {
			p.i++
		}
		return term{kind: 'b', value: p.s[start:p.i]}, nil
	}
	v, err := p.pname()
	return term{kind: 'i', value: v}, err
}

// parseTurtle returns the triples as comparable strings.
func parseTurtle(s string) ([]string, error) {
	p := &ttlParser{s: s, prefixes: map[string]string{}}
	var out []string
	for {
		p.ws()
		if p.i >= len(p.s) {
			return out, nil
		}
		if strings.HasPrefix(p.s[p.i:], "@prefix") {
			p.i += len("@prefix")
			p.ws()
			colon := strings.IndexByte(p.s[p.i:], ':')
			pre := strings.TrimSpace(p.s[p.i : p.i+colon])
			p.i += colon + 1
			p.ws()
			ns, err := p.iriRef()
			if err != nil {
				return nil, err
			}
			p.prefixes[pre] = ns
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != '.' {
				return nil, p.fail("@prefix not ended by '.'")
			}
			p.i++
			continue
		}
		subj, err := p.term()
		if err != nil {
			return nil, err
		}
		if subj.kind == 'l' {
			return nil, p.fail("literal subject")
		}
		for {
			p.ws()
			var pred string
			if strings.HasPrefix(p.s[p.i:], "a ") {
				pred = expandPN("rdf:type")
				p.i++
			} else {
				pt, err := p.term()
				if err != nil {
					return nil, err
				}
				if pt.kind != 'i' {
					return nil, p.fail("predicate is not an IRI")
				}
				pred = pt.value
			}
			for {
				obj, err := p.term()
				if err != nil {
					return nil, err
				}
				out = append(out, fmt.Sprintf("%s %s %c|%s|%s|%s", subj.value, pred, obj.kind, obj.value, obj.lang, obj.dtype))
				p.ws()
				if p.i < len(p.s) && p.s[p.i] == ',' {
					p.i++
					continue
				}
				break
			}
			if p.i < len(p.s) && p.s[p.i] == ';' {
				p.i++
				continue
			}
			break
		}
		if p.i >= len(p.s) || p.s[p.i] != '.' {
			return nil, p.fail("statement not ended by '.'")
		}
		p.i++
	}
}

// jsonldTriples reads the catalog's JSON-LD back into triples (its
// @context only declares prefixes, so compact IRIs expand with them).
func jsonldTriples(t *testing.T, b []byte) []string {
	t.Helper()
	var doc struct {
		Context map[string]string `json:"@context"`
		Graph   []map[string]any  `json:"@graph"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("JSON-LD is not JSON: %v", err)
	}
	if doc.Context["dcat"] != "http://www.w3.org/ns/dcat#" || doc.Context["dct"] != "http://purl.org/dc/terms/" {
		t.Fatalf("@context %v", doc.Context)
	}
	expand := func(v string) string {
		if pre, local, ok := strings.Cut(v, ":"); ok {
			if ns, ok := doc.Context[pre]; ok {
				return ns + local
			}
		}
		return v
	}
	var out []string
	for _, n := range doc.Graph {
		id, _ := n["@id"].(string)
		for k, v := range n {
			switch k {
			case "@id":
			case "@type":
				for _, ty := range v.([]any) {
					out = append(out, fmt.Sprintf("%s %s i|%s||", id, expandPN("rdf:type"), expand(ty.(string))))
				}
			default:
				for _, o := range v.([]any) {
					m := o.(map[string]any)
					if ref, ok := m["@id"].(string); ok {
						kind := 'i'
						if strings.HasPrefix(ref, "_:") {
							kind = 'b'
						}
						out = append(out, fmt.Sprintf("%s %s %c|%s||", id, expand(k), kind, ref))
						continue
					}
					lang, _ := m["@language"].(string)
					dt, _ := m["@type"].(string)
					if dt != "" {
						dt = expand(dt)
					}
					out = append(out, fmt.Sprintf("%s %s l|%s|%s|%s", id, expand(k), m["@value"], lang, dt))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

func trickyDataset() Dataset {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return Dataset{ID: 1, UID: "u-1", Name: "du-lieu", OrgCode: "DN.STC", OrgName: "Sở \"Tài chính\"", Title: "Dữ liệu \"đặc biệt\" \\ có dấu",
		Notes: "Dòng 1\nDòng 2\tcó tab\r\nvà ký tự \x01 điều khiển", Tags: []string{"ngân sách", `a"b`}, Themes: []string{"kinh-te-tai-chinh", "giao-duc"},
		LicenseID: DefaultLicense, Frequency: "monthly", TemporalFrom: "2020", TemporalTo: "2025-06", Spatial: "Đà Nẵng", ContactName: "Phòng Ngân sách",
		ContactEmail: "ns@danang.gov.vn", State: StatePublished, Version: 3, CreatedAt: now, UpdatedAt: now, PublishedAt: &now,
		Resources: []Resource{
			{ID: 1, UID: "r-1", Name: "Bảng <1>", Format: "CSV", Kind: KindUpload, CreatedAt: now, UpdatedAt: now,
				Current: &Revision{Version: 1, MediaType: "text/csv", Size: 1234, SHA256: "abcd", CreatedAt: now}},
			{ID: 2, UID: "r-2", Name: "API", Format: "API", Kind: KindLink, CreatedAt: now, UpdatedAt: now,
				Current: &Revision{Version: 1, URL: "https://api.example.vn/v1?q=a b&x={y}", MediaType: "application/json", CreatedAt: now}},
			{ID: 3, UID: "r-3", Name: "Held", Format: "CSV", Kind: KindUpload, Pending: &Revision{Version: 1}},
		}}
}

// The same graph comes out of Turtle and JSON-LD, and strings with quotes,
// backslashes, line breaks and control characters survive both.
func TestDCATTurtleAndJSONLDAgree(t *testing.T) {
	d := trickyDataset()
	g := buildCatalog("https://data.example.vn", []Dataset{d}, catalogPage{Page: 1, PerPage: 1000, Total: 1}, d.UpdatedAt)
	want := g.sortedTriples()
	for i, s := range want { // IRIs are written percent-encoded
		parts := strings.SplitN(s, " ", 3)
		if strings.HasPrefix(parts[2], "i|") {
			parts[2] = "i|" + escapeIRI(strings.TrimSuffix(strings.TrimPrefix(parts[2], "i|"), "||")) + "||"
		}
		want[i] = escapeIRI(parts[0]) + " " + parts[1] + " " + parts[2]
	}
	slices.Sort(want)

	got, err := parseTurtle(string(g.turtle()))
	if err != nil {
		t.Fatalf("%v\n%s", err, g.turtle())
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("turtle triples differ:\n%s\n--- want\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	b, err := g.jsonld()
	if err != nil {
		t.Fatal(err)
	}
	jl := jsonldTriples(t, b)
	plain := g.sortedTriples()
	if !slices.Equal(jl, plain) {
		t.Errorf("JSON-LD triples differ:\n%s\n--- want\n%s", strings.Join(jl, "\n"), strings.Join(plain, "\n"))
	}
	ttl := string(g.turtle())
	for _, frag := range []string{`"Dữ liệu \"đặc biệt\" \\ có dấu"@vi`, `\n`, `\u0001`, "a dcat:Dataset", "dcat:distribution",
		"<http://publications.europa.eu/resource/authority/frequency/MONTHLY>", `"2025-06"^^xsd:gYearMonth`,
		"<https://api.example.vn/v1?q=a%20b&x=%7By%7D>", "spdx:checksumValue \"abcd\"^^xsd:hexBinary"} {
		if !strings.Contains(ttl, frag) {
			t.Errorf("turtle lacks %q", frag)
		}
	}
	if strings.Contains(ttl, "r-3") {
		t.Error("a held resource is in the catalog")
	}
}

func TestDCATEndpoints(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ckanFixture(t, w)
		c := w.client(t)
		ttl := c.get("/catalog.ttl")
		if ttl.status != 200 || !strings.HasPrefix(ttl.header.Get("Content-Type"), "text/turtle") {
			t.Fatalf("catalog.ttl %d %s", ttl.status, ttl.header.Get("Content-Type"))
		}
		triples, err := parseTurtle(string(ttl.body))
		if err != nil {
			t.Fatal(err)
		}
		datasets := 0
		for _, tr := range triples {
			if strings.HasSuffix(tr, "i|http://www.w3.org/ns/dcat#Dataset||") {
				datasets++
			}
		}
		if datasets != 3 {
			t.Errorf("%d datasets in the catalog, want 3", datasets)
		}
		jl := c.get("/catalog.jsonld")
		if jl.status != 200 || !strings.HasPrefix(jl.header.Get("Content-Type"), "application/ld+json") {
			t.Fatalf("catalog.jsonld %d", jl.status)
		}
		if got := jsonldTriples(t, jl.body); len(got) != len(triples) {
			t.Errorf("JSON-LD has %d triples, Turtle %d", len(got), len(triples))
		}
		one := c.get("/dataset/danh-sach-truong-hoc.jsonld")
		if one.status != 200 || !strings.Contains(string(one.body), "dcat:Dataset") {
			t.Errorf("dataset JSON-LD %d", one.status)
		}
		if _, err := parseTurtle(string(c.get("/dataset/danh-sach-truong-hoc.ttl").body)); err != nil {
			t.Error(err)
		}
		if r := c.get("/dataset/ban-nhap-chua-cong-bo.jsonld"); r.status != 404 {
			t.Errorf("draft in DCAT: %d", r.status)
		}
		if r := c.get("/dataset/danh-sach-truong-hoc"); r.status != 303 {
			t.Errorf("dataset page redirect %d", r.status)
		}
		_ = context.Background()
	})
}
