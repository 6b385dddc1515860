package catalog

import (
	"context"
	"sort"
	"strings"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// SearchQuery is one search over databases, services and data items
// (D47-26.2c, D47-5.2).
type SearchQuery struct {
	// Text is matched without diacritics and in any word order; the last
	// word may be the beginning of a word ("so dinh danh ca nh"), except a
	// query of one single letter, which matches that word only.
	Text string
	// Type restricts to "database", "service" or "item" ("" = all three).
	Type string
	// ProviderOrgID restricts to a provider and its units (0 = all).
	ProviderOrgID int64
	// Kind restricts databases, and services serving a database, to a kind.
	Kind DatabaseKind
	// Form and Method restrict services and data items.
	Form   Form
	Method Method
	// Viewer sees published records and, in their catalog.manage scope,
	// drafts too (nil = anonymous).
	Viewer *identity.Principal
	// Limit is the number of hits per section (default 20, at most 100);
	// Offset skips hits of the section named by Type.
	Limit  int
	Offset int
}

// Hit is a database or a service found by a search.
type Hit struct {
	Type       string       `json:"type"` // database or service
	ID         int64        `json:"id"`
	Title      string       `json:"title"`
	Identifier string       `json:"identifier,omitempty"`
	OrgID      int64        `json:"org_id"`
	OrgName    string       `json:"org_name"`
	Status     Status       `json:"status"`
	Kind       DatabaseKind `json:"kind,omitempty"`
	Form       Form         `json:"form,omitempty"`
	Method     Method       `json:"method,omitempty"`
	Score      int          `json:"score"`
}

// ItemHit is a data item found by a search, grouped across services: the
// same dictionary element (or, without one, the same label) once.
type ItemHit struct {
	Label     string `json:"label"`
	ElementID int64  `json:"element_id,omitempty"`
	Services  int    `json:"services"` // how many services return it
	Score     int    `json:"score"`
}

// SearchResult holds the best hits of each section and the section totals.
type SearchResult struct {
	Databases     []Hit     `json:"databases"`
	Services      []Hit     `json:"services"`
	Items         []ItemHit `json:"items"`
	DatabaseCount int       `json:"database_count"`
	ServiceCount  int       `json:"service_count"`
	ItemCount     int       `json:"item_count"` // distinct items
}

// matcher is a prepared query: its tokens with the needles used to rank.
type matcher struct {
	tokens []string
	word   []string // " t ": the whole word
	prefix []string // " t": a word starting with t
	phrase string   // " t1 t2 ...": the words in order
}

func newMatcher(tokens []string) *matcher {
	m := &matcher{tokens: tokens, phrase: " " + strings.Join(tokens, " ")}
	for _, t := range tokens {
		m.word = append(m.word, " "+t+" ")
		m.prefix = append(m.prefix, " "+t)
	}
	return m
}

// candidates returns the doc numbers matching every token: exact tokens
// through their posting lists (intersected shortest first), the last token
// (and any word with no exact match) as a word prefix. nil with ok=true
// means "all docs" (no words).
func (ix *indexData) candidates(tokens []string, sc *scratch) (out []int32, all bool) {
	if len(tokens) == 0 {
		return nil, true
	}
	if len(tokens) == 1 && len(tokens[0]) == 1 {
		// A lone one-letter word is matched as a word, not a prefix: as a
		// prefix it would match most of the catalog, which helps nobody
		// and costs the most.
		return append(sc.cand[:0], ix.postings[tokens[0]]...), false
	}
	var exact [][]int32
	var prefixes []string
	for i, t := range tokens {
		if p, ok := ix.postings[t]; ok && i < len(tokens)-1 {
			exact = append(exact, p)
		} else {
			prefixes = append(prefixes, t)
		}
	}
	var cand []int32
	if len(exact) > 0 {
		sort.Slice(exact, func(i, j int) bool { return len(exact[i]) < len(exact[j]) })
		cand = append(sc.cand[:0], exact[0]...)
		for _, p := range exact[1:] {
			cand = intersect(cand, p)
			if len(cand) == 0 {
				break
			}
		}
	} else {
		// Union of the posting lists of every token starting with the prefix.
		p := prefixes[0]
		prefixes = prefixes[1:]
		lo, hi, total := ix.prefixRange(p)
		cand = sc.cand[:0]
		if cap(cand) < total {
			cand = make([]int32, 0, total)
		}
		seen := sc.bits
		clear(seen)
		for i := lo; i < hi; i++ {
			for _, n := range ix.postings[ix.tokens[i]] {
				if seen[n/64]&(1<<(n%64)) == 0 {
					seen[n/64] |= 1 << (n % 64)
					cand = append(cand, n)
				}
			}
		}
	}
	for _, p := range prefixes {
		cand = ix.keepPrefix(cand, p, sc)
	}
	sc.cand = cand
	return cand, false
}

// prefixRange returns the tokens starting with p (ix.tokens[lo:hi]) and
// the total length of their posting lists.
func (ix *indexData) prefixRange(p string) (lo, hi, total int) {
	lo = sort.SearchStrings(ix.tokens, p)
	hi = lo
	for ; hi < len(ix.tokens) && strings.HasPrefix(ix.tokens[hi], p); hi++ {
		total += len(ix.postings[ix.tokens[hi]])
	}
	return lo, hi, total
}

// keepPrefix keeps the candidates having a word that starts with p. It
// marks the docs of the prefix's token range in a bitmap when that is
// cheaper than scanning each candidate's text.
func (ix *indexData) keepPrefix(cand []int32, p string, sc *scratch) []int32 {
	lo, hi, total := ix.prefixRange(p)
	out := cand[:0]
	if total < len(cand)*16 {
		seen := sc.bits
		clear(seen)
		for i := lo; i < hi; i++ {
			for _, n := range ix.postings[ix.tokens[i]] {
				seen[n/64] |= 1 << (n % 64)
			}
		}
		for _, n := range cand {
			if seen[n/64]&(1<<(n%64)) != 0 {
				out = append(out, n)
			}
		}
		return out
	}
	needle := " " + p
	for _, n := range cand {
		if strings.Contains(ix.docs[n].text, needle) {
			out = append(out, n)
		}
	}
	return out
}

func intersect(a, b []int32) []int32 {
	out := a[:0]
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// score ranks a doc: words found in its title count more than elsewhere,
// whole words more than prefixes, the whole phrase most.
func (m *matcher) score(d *doc) int {
	sc := 0
	for i := range m.tokens {
		switch {
		case strings.Contains(d.titleF, m.word[i]):
			sc += 3
		case strings.Contains(d.titleF, m.prefix[i]):
			sc += 2
		default:
			sc++
		}
	}
	if len(m.tokens) > 1 && strings.Contains(d.titleF, m.phrase) {
		sc += 5
	}
	if len(d.titleF) == len(m.phrase)+1 && strings.HasPrefix(d.titleF, m.phrase) {
		sc += 5 // the title is exactly the query
	}
	return sc
}

// filter is the per-query visibility and filter test.
type filter struct {
	managed   map[int64]bool // nil = all (platform administrator)
	providers map[int64]bool // nil = any
	kindBit   uint8
	form      uint8
	method    uint8
	onlyPub   bool
}

func (f *filter) match(d *doc) bool {
	if d.dead {
		return false
	}
	if !d.public() && (f.onlyPub || (f.managed != nil && !f.managed[d.orgID])) {
		return false
	}
	if f.providers != nil && !f.providers[d.orgID] {
		return false
	}
	if f.kindBit != 0 && d.kinds&f.kindBit == 0 {
		return false
	}
	if d.kind == docDatabase {
		// Databases have no sharing form or method.
		return f.form == 0 && f.method == 0
	}
	return (f.form == 0 || d.form == f.form) && (f.method == 0 || d.method == f.method)
}

func (s *Store) newFilter(ctx context.Context, viewer *identity.Principal, provider int64, kind DatabaseKind, form Form, method Method) (*filter, error) {
	f := &filter{kindBit: kindBits[kind], form: formCodes[form], method: methodCodes[method]}
	if viewer == nil {
		f.onlyPub = true
	} else {
		m, err := s.managedOrgs(ctx, viewer)
		if err != nil {
			return nil, err
		}
		f.managed = m
		f.onlyPub = m != nil && len(m) == 0
	}
	if provider != 0 {
		p, err := s.subtreeOrgs(ctx, provider)
		if err != nil {
			return nil, platform.FieldError("provider", "unknown_org", "organisation %d does not exist", provider)
		}
		f.providers = p
	}
	return f, nil
}

// check records in v the mistakes of a search's filters.
func (q SearchQuery) check(v *platform.Validation) {
	v.Check(q.Type == "" || q.Type == "database" || q.Type == "service" || q.Type == "item", "type", "invalid_type",
		"type must be database, service or item")
	v.Check(q.Kind == "" || validValue(databaseKinds, string(q.Kind)), "kind", "invalid_kind", "kind must be national, shared or other")
	v.Check(q.Form == "" || validValue(forms, string(q.Form)), "form", "invalid_form", "form must be default or special")
	v.Check(q.Method == "" || validValue(methods, string(q.Method)), "method", "invalid_method", "method must be online, sync or package")
	v.Check(len(q.Text) <= 500, "q", "too_long", "the search text must be at most 500 characters")
}

// Search finds databases, services and data items. It answers from the
// in-memory index, so it stays fast with tens of thousands of services.
func (s *Store) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	res := SearchResult{Databases: []Hit{}, Services: []Hit{}, Items: []ItemHit{}}
	var v platform.Validation
	q.check(&v)
	if err := v.Err(); err != nil {
		return res, err
	}
	if q.Limit <= 0 {
		q.Limit = 20
	}
	q.Limit = min(q.Limit, 100)
	q.Offset = max(q.Offset, 0)
	flt, err := s.newFilter(ctx, q.Viewer, q.ProviderOrgID, q.Kind, q.Form, q.Method)
	if err != nil {
		return res, err
	}
	if err := s.ensureIndex(ctx); err != nil {
		return res, err
	}
	tokens := platform.Tokens(q.Text)
	m := newMatcher(tokens)
	want := func(t string) bool { return q.Type == "" || q.Type == t }
	keep := func(section string) int {
		if q.Type == section {
			return q.Offset + q.Limit
		}
		return q.Limit
	}
	dbs, svs := newTopK(keep("database")), newTopK(keep("service"))
	type group struct {
		hit   ItemHit
		first int32
	}
	groups := map[groupKey]*group{}

	s.idx.mu.RLock()
	ix := s.idx.data
	sc := ix.getScratch()
	defer ix.putScratch(sc)
	dbs.docs, svs.docs = ix.docs, ix.docs
	wantDB, wantSvc, wantItem := want("database"), want("service"), want("item") && len(tokens) > 0
	// Items repeat a few thousand labels across services: score each once.
	labelScore := make([]int32, len(ix.labels)+1)
	consider := func(n int32) {
		d := &ix.docs[n]
		switch d.kind {
		case docDatabase:
			if wantDB && flt.match(d) {
				dbs.push(n, m.score(d))
			}
		case docService:
			if wantSvc && flt.match(d) {
				svs.push(n, m.score(d))
			}
		case docItem:
			if !wantItem || !flt.match(d) {
				return
			}
			score := int(labelScore[d.label]) - 1
			if score < 0 {
				score = m.score(d)
				labelScore[d.label] = int32(score + 1)
			}
			k := itemGroup(d)
			g := groups[k]
			if g == nil {
				label := d.title
				if d.elem != "" {
					label = d.elem // the dictionary's standard name names the group
				}
				g = &group{hit: ItemHit{Label: label, ElementID: d.elemID}, first: n}
				groups[k] = g
			}
			g.hit.Services++
			g.hit.Score = max(g.hit.Score, score)
		}
	}
	cand, all := ix.candidates(tokens, sc)
	if all {
		for n := range ix.docs {
			consider(int32(n))
		}
	} else {
		for _, n := range cand {
			consider(n)
		}
	}
	page := func(t *topK, section string) []scored {
		list := t.sorted()
		off := 0
		if q.Type == section {
			off = q.Offset
		}
		if off >= len(list) {
			return nil
		}
		return list[off:min(off+q.Limit, len(list))]
	}
	hit := func(sc scored) Hit {
		d := &ix.docs[sc.n]
		h := Hit{ID: d.id, Title: d.title, OrgID: d.orgID, Status: valueOf(statusCodes, d.status), Score: sc.score}
		if d.kind == docDatabase {
			h.Type, h.Kind = "database", kindOfBits(d.kinds)
		} else {
			h.Type, h.Identifier, h.Form, h.Method = "service", d.sub, valueOf(formCodes, d.form), valueOf(methodCodes, d.method)
		}
		return h
	}
	for _, sc := range page(dbs, "database") {
		res.Databases = append(res.Databases, hit(sc))
	}
	for _, sc := range page(svs, "service") {
		res.Services = append(res.Services, hit(sc))
	}
	s.idx.mu.RUnlock()

	res.DatabaseCount, res.ServiceCount, res.ItemCount = dbs.count, svs.count, len(groups)
	list := make([]*group, 0, len(groups))
	for _, g := range groups {
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.hit.Score != b.hit.Score {
			return a.hit.Score > b.hit.Score
		}
		if a.hit.Services != b.hit.Services {
			return a.hit.Services > b.hit.Services
		}
		return a.first < b.first
	})
	off := 0
	if q.Type == "item" {
		off = q.Offset
	}
	for i := off; i < len(list) && i < off+q.Limit; i++ {
		res.Items = append(res.Items, list[i].hit)
	}
	if err := s.nameHits(ctx, &res); err != nil {
		return res, err
	}
	return res, nil
}

// groupKey groups items across services: by dictionary element, or by
// folded label when an item has none (see doc.group).
type groupKey = int64

func itemGroup(d *doc) groupKey { return d.group }

func kindOfBits(b uint8) DatabaseKind {
	for k, v := range kindBits {
		if v == b {
			return k
		}
	}
	return ""
}

// scored is a doc with its rank.
type scored struct {
	n     int32
	score int
}

// topK keeps the k best docs seen (score, then folded title, then doc
// order) and counts all of them, so a query matching tens of thousands of
// records sorts only what it shows.
type topK struct {
	k     int
	count int
	heap  []scored // min-heap: the worst kept hit on top
	docs  []doc
}

func newTopK(k int) *topK { return &topK{k: k} }

// better reports whether a ranks before b.
func (t *topK) better(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	if ta, tb := t.docs[a.n].titleF, t.docs[b.n].titleF; ta != tb {
		return ta < tb
	}
	return a.n < b.n
}

func (t *topK) push(n int32, score int) {
	t.count++
	x := scored{n, score}
	if len(t.heap) < t.k {
		t.heap = append(t.heap, x)
		for i := len(t.heap) - 1; i > 0; {
			p := (i - 1) / 2
			if !t.better(t.heap[p], t.heap[i]) {
				break
			}
			t.heap[p], t.heap[i] = t.heap[i], t.heap[p]
			i = p
		}
		return
	}
	if t.k == 0 || !t.better(x, t.heap[0]) {
		return
	}
	t.heap[0] = x
	for i := 0; ; {
		l, r, w := 2*i+1, 2*i+2, i
		if l < len(t.heap) && t.better(t.heap[w], t.heap[l]) {
			w = l
		}
		if r < len(t.heap) && t.better(t.heap[w], t.heap[r]) {
			w = r
		}
		if w == i {
			break
		}
		t.heap[i], t.heap[w] = t.heap[w], t.heap[i]
		i = w
	}
}

// sorted returns the kept hits, best first.
func (t *topK) sorted() []scored {
	out := append([]scored(nil), t.heap...)
	sort.Slice(out, func(i, j int) bool { return t.better(out[i], out[j]) })
	return out
}

// nameHits fills organisation names.
func (s *Store) nameHits(ctx context.Context, res *SearchResult) error {
	var ids []int64
	for _, h := range res.Databases {
		ids = append(ids, h.OrgID)
	}
	for _, h := range res.Services {
		ids = append(ids, h.OrgID)
	}
	names, err := s.OrgNames(ctx, ids)
	if err != nil {
		return err
	}
	for i := range res.Databases {
		res.Databases[i].OrgName = names[res.Databases[i].OrgID]
	}
	for i := range res.Services {
		res.Services[i].OrgName = names[res.Services[i].OrgID]
	}
	return nil
}
