package opendata

import (
	"container/heap"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// Doc is what the search index knows of a published dataset: enough to
// rank, filter, facet and list it without touching the database.
type Doc struct {
	ID           int64
	Name         string
	Title        string
	Summary      string // the start of the description
	OrgName      string // CKAN organisation name
	OrgTitle     string
	Tags         []string
	Themes       []string
	Formats      []string
	LicenseID    string
	Frequency    string
	NumResources int
	Stars        int
	Downloads    int64
	Created      time.Time
	Modified     time.Time

	foldedTitle string
}

// Facet fields, in CKAN's names.
const (
	FacetOrganization = "organization"
	FacetTags         = "tags"
	FacetFormat       = "res_format"
	FacetLicense      = "license_id"
	FacetGroups       = "groups"
	facetName         = "name" // filter only
)

// FacetFields lists the fields that can be faceted and filtered on.
var FacetFields = []string{FacetOrganization, FacetTags, FacetFormat, FacetLicense, FacetGroups}

var facetIndex = map[string]int{FacetOrganization: 0, FacetTags: 1, FacetFormat: 2, FacetLicense: 3, FacetGroups: 4, facetName: 5}

func docFacetValues(d *Doc, field int) []string {
	switch field {
	case 0:
		return []string{d.OrgName}
	case 1:
		return d.Tags
	case 2:
		return d.Formats
	case 3:
		return []string{d.LicenseID}
	case 4:
		return d.Themes
	case 5:
		return []string{d.Name}
	}
	return nil
}

// Field weights: a word in the title counts most.
const (
	wTitle  = 8
	wTag    = 5
	wTheme  = 3
	wName   = 3
	wOrg    = 2
	wNotes  = 1
	maxSlot = 1<<28 - 1
)

// Index is an in-memory inverted index over folded tokens with facet
// postings. Postings are slot numbers (appended in increasing order, so
// they stay sorted); an updated or removed dataset leaves a dead slot that
// searches skip, and the index compacts itself when a quarter is dead.
// It is safe for concurrent use.
type Index struct {
	mu     sync.RWMutex
	docs   []*Doc // by slot; nil = dead
	slotOf map[int64]uint32
	dead   int
	// postings: token -> slot<<4 | weight
	postings map[string][]uint32
	terms    []string // sorted tokens, rebuilt lazily for prefix search
	dirty    bool
	facets   [6]facetField
	// display names of facet values (organisation titles)
	orgTitles map[string]string
	pool      sync.Pool
}

type facetField struct {
	ids    map[string]uint32
	names  []string
	slots  [][]uint32 // value id -> slots
	ofSlot [][]uint32 // slot -> value ids
	live   []int      // value id -> live datasets with it
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	ix := &Index{slotOf: map[int64]uint32{}, postings: map[string][]uint32{}, orgTitles: map[string]string{}}
	for i := range ix.facets {
		ix.facets[i].ids = map[string]uint32{}
	}
	return ix
}

// Len is the number of searchable datasets.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.slotOf)
}

// Put adds or replaces a dataset.
func (ix *Index) Put(d *Doc) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLocked(d.ID)
	ix.addLocked(d)
	ix.maybeCompactLocked()
}

// Remove drops a dataset (no-op when absent).
func (ix *Index) Remove(id int64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLocked(id)
	ix.maybeCompactLocked()
}

func (ix *Index) removeLocked(id int64) {
	if slot, ok := ix.slotOf[id]; ok {
		for fi := range ix.facets {
			for _, v := range ix.facets[fi].ofSlot[slot] {
				ix.facets[fi].live[v]--
			}
		}
		ix.docs[slot] = nil
		delete(ix.slotOf, id)
		ix.dead++
	}
}

func (ix *Index) addLocked(d *Doc) {
	if len(ix.docs) >= maxSlot {
		ix.compactLocked()
	}
	slot := uint32(len(ix.docs))
	d.foldedTitle = platform.Fold(d.Title)
	ix.docs = append(ix.docs, d)
	ix.slotOf[d.ID] = slot
	if d.OrgName != "" {
		ix.orgTitles[d.OrgName] = d.OrgTitle
	}
	weights := map[string]uint32{}
	addText := func(s string, w uint32) {
		for _, t := range platform.Tokens(s) {
			if weights[t] < w {
				weights[t] = w
			}
		}
	}
	addText(d.Notes(), wNotes)
	addText(d.OrgTitle, wOrg)
	addText(d.OrgName, wOrg)
	addText(strings.ReplaceAll(d.Name, "-", " "), wName)
	for _, th := range d.Themes {
		if t, ok := ThemeOf(th); ok {
			addText(t.TitleVI+" "+t.TitleEN, wTheme)
		}
	}
	for _, f := range d.Formats {
		addText(f, wNotes)
	}
	for _, t := range d.Tags {
		addText(t, wTag)
	}
	addText(d.Title, wTitle)
	for t, w := range weights {
		if _, ok := ix.postings[t]; !ok {
			ix.dirty = true
		}
		ix.postings[t] = append(ix.postings[t], slot<<4|w)
	}
	for fi := range ix.facets {
		ff := &ix.facets[fi]
		var vids []uint32
		for _, v := range docFacetValues(d, fi) {
			if v == "" {
				continue
			}
			id, ok := ff.ids[v]
			if !ok {
				id = uint32(len(ff.names))
				ff.ids[v] = id
				ff.names = append(ff.names, v)
				ff.slots = append(ff.slots, nil)
				ff.live = append(ff.live, 0)
			}
			ff.slots[id] = append(ff.slots[id], slot)
			ff.live[id]++
			vids = append(vids, id)
		}
		for len(ff.ofSlot) < int(slot) {
			ff.ofSlot = append(ff.ofSlot, nil)
		}
		ff.ofSlot = append(ff.ofSlot, vids)
	}
}

// Notes returns the summary (the index keeps only the start of the description).
func (d *Doc) Notes() string { return d.Summary }

func (ix *Index) maybeCompactLocked() {
	if ix.dead > 1000 && ix.dead*4 > len(ix.docs) {
		ix.compactLocked()
	}
}

// compactLocked rebuilds the index from its live documents.
func (ix *Index) compactLocked() {
	live := make([]*Doc, 0, len(ix.slotOf))
	for _, d := range ix.docs {
		if d != nil {
			live = append(live, d)
		}
	}
	fresh := NewIndex()
	for _, d := range live {
		fresh.addLocked(d)
	}
	ix.docs, ix.slotOf, ix.dead = fresh.docs, fresh.slotOf, 0
	ix.postings, ix.facets, ix.orgTitles = fresh.postings, fresh.facets, fresh.orgTitles
	ix.terms, ix.dirty = nil, true
}

// Query is a search over published datasets.
type Query struct {
	Text string // words, matched diacritics-insensitively as word prefixes
	// Filters are AND-ed: field (a FacetFields name or "name") -> value.
	Filters []Filter
	// ModifiedFrom/To bound metadata_modified (zero = open).
	ModifiedFrom, ModifiedTo time.Time
	Sort                     []SortKey // default: score desc, metadata_modified desc
	Start, Rows              int
	FacetFields              []string
	FacetLimit               int // default 50; negative = all
	FacetMinCount            int // default 1
}

// Filter is one field:value condition.
type Filter struct{ Field, Value string }

// SortKey is one sort criterion.
type SortKey struct {
	Field string // score, metadata_modified, metadata_created, title_string, name, downloads
	Desc  bool
}

// SortFields are the accepted sort fields.
var SortFields = []string{"score", "metadata_modified", "metadata_created", "title_string", "name", "downloads"}

// FacetItem is one value of a facet with its count.
type FacetItem struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Count       int    `json:"count"`
}

// Result is a page of matches with facet counts.
type Result struct {
	Count  int
	Docs   []*Doc
	Facets map[string][]FacetItem
}

type scratch struct {
	score []uint32
	hits  []uint16
	seen  []uint16
	fhits []uint16
}

// Search runs a query. Unknown filter fields match nothing (callers
// validate them first).
func (ix *Index) Search(q Query) Result {
	ix.mu.RLock()
	if ix.dirty {
		ix.mu.RUnlock()
		ix.mu.Lock()
		if ix.dirty {
			ix.terms = ix.terms[:0]
			for t := range ix.postings {
				ix.terms = append(ix.terms, t)
			}
			sort.Strings(ix.terms)
			ix.dirty = false
		}
		ix.mu.Unlock()
		ix.mu.RLock()
	}
	defer ix.mu.RUnlock()

	n := len(ix.docs)
	sc, _ := ix.pool.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer ix.pool.Put(sc)
	tokens := platform.Tokens(q.Text)
	filters, ok := ix.filterLists(q.Filters)
	res := Result{Facets: map[string][]FacetItem{}}
	var matched []uint32
	switch {
	case !ok:
		// a filter value that exists nowhere
	case len(tokens) == 0 && len(filters) == 0:
		matched = make([]uint32, 0, len(ix.slotOf))
		for slot, d := range ix.docs {
			if d != nil {
				matched = append(matched, uint32(slot))
			}
		}
	case len(tokens) == 0:
		// Postings keep the slots of replaced documents: skip them.
		matched = intersect(filters)
		live := matched[:0]
		for _, s := range matched {
			if ix.docs[s] != nil {
				live = append(live, s)
			}
		}
		matched = live
	default:
		sc.score = grow(sc.score, n)
		sc.hits = grow(sc.hits, n)
		sc.seen = grow(sc.seen, n)
		var allowed []uint32
		if len(filters) > 0 {
			allowed = intersect(filters)
			sc.fhits = grow(sc.fhits, n)
			for _, s := range allowed {
				sc.fhits[s] = 1
			}
		}
		for ti, t := range tokens {
			mark := uint16(ti + 1)
			for _, term := range ix.matchingTerms(t) {
				exact := term == t
				for _, p := range ix.postings[term] {
					slot := p >> 4
					w := p & 15
					if !exact {
						w = (w + 1) / 2
					}
					if sc.seen[slot] != mark {
						sc.seen[slot] = mark
						sc.hits[slot]++
					}
					sc.score[slot] += w
				}
			}
		}
		need := uint16(len(tokens))
		for slot := 0; slot < n; slot++ {
			if sc.hits[slot] == need && ix.docs[slot] != nil && (allowed == nil || sc.fhits[slot] == 1) {
				matched = append(matched, uint32(slot))
			}
		}
		if allowed != nil {
			for _, s := range allowed {
				sc.fhits[s] = 0
			}
		}
	}
	if !q.ModifiedFrom.IsZero() || !q.ModifiedTo.IsZero() {
		kept := matched[:0]
		for _, s := range matched {
			m := ix.docs[s].Modified
			if (q.ModifiedFrom.IsZero() || !m.Before(q.ModifiedFrom)) && (q.ModifiedTo.IsZero() || !m.After(q.ModifiedTo)) {
				kept = append(kept, s)
			}
		}
		matched = kept
	}
	res.Count = len(matched)
	ix.countFacets(q, matched, &res)
	res.Docs = ix.top(q, matched, sc.score)
	if len(tokens) > 0 {
		clear(sc.score)
		clear(sc.hits)
		clear(sc.seen)
	}
	return res
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// matchingTerms returns the indexed tokens that t is a prefix of (only the
// exact token for a single character, which would match half the index).
func (ix *Index) matchingTerms(t string) []string {
	if len([]rune(t)) < 2 {
		if _, ok := ix.postings[t]; ok {
			return []string{t}
		}
		return nil
	}
	i := sort.SearchStrings(ix.terms, t)
	var out []string
	for ; i < len(ix.terms) && strings.HasPrefix(ix.terms[i], t); i++ {
		out = append(out, ix.terms[i])
	}
	return out
}

// filterLists returns the slot list of each filter; ok is false when a
// filter value is unknown (nothing can match).
func (ix *Index) filterLists(fs []Filter) ([][]uint32, bool) {
	var out [][]uint32
	for _, f := range fs {
		fi, known := facetIndex[f.Field]
		if !known {
			return nil, false
		}
		id, ok := ix.facets[fi].ids[f.Value]
		if !ok {
			return nil, false
		}
		out = append(out, ix.facets[fi].slots[id])
	}
	return out, true
}

// intersect merges sorted slot lists, dropping dead slots later.
func intersect(lists [][]uint32) []uint32 {
	slices.SortFunc(lists, func(a, b []uint32) int { return len(a) - len(b) })
	out := slices.Clone(lists[0])
	for _, l := range lists[1:] {
		kept := out[:0]
		j := 0
		for _, s := range out {
			for j < len(l) && l[j] < s {
				j++
			}
			if j < len(l) && l[j] == s {
				kept = append(kept, s)
			}
		}
		out = kept
	}
	return out
}

func (ix *Index) countFacets(q Query, matched []uint32, res *Result) {
	limit := q.FacetLimit
	if limit == 0 {
		limit = 50
	}
	minCount := q.FacetMinCount
	if minCount <= 0 {
		minCount = 1
	}
	for _, field := range q.FacetFields {
		fi, ok := facetIndex[field]
		if !ok || fi == facetIndex[facetName] {
			continue
		}
		ff := &ix.facets[fi]
		counts := ix.facetCounts(ff, matched)
		items := []FacetItem{}
		for id, c := range counts {
			if c >= minCount {
				name := ff.names[id]
				items = append(items, FacetItem{Name: name, DisplayName: ix.displayName(field, name), Count: c})
			}
		}
		sort.Slice(items, func(i, j int) bool {
			if items[i].Count != items[j].Count {
				return items[i].Count > items[j].Count
			}
			return items[i].Name < items[j].Name
		})
		if limit > 0 && len(items) > limit {
			items = items[:limit]
		}
		res.Facets[field] = items
	}
}

// facetCounts counts the values of a facet over the matched slots. When
// most datasets match it counts the few that do not and subtracts them from
// the live totals, so browsing everything stays cheap.
func (ix *Index) facetCounts(ff *facetField, matched []uint32) []int {
	live := len(ix.slotOf)
	counts := make([]int, len(ff.names))
	if len(matched)*2 < live {
		for _, s := range matched {
			for _, v := range ff.ofSlot[s] {
				counts[v]++
			}
		}
		return counts
	}
	copy(counts, ff.live)
	if len(matched) == live {
		return counts
	}
	in := make([]uint64, (len(ix.docs)+63)/64)
	for _, s := range matched {
		in[s/64] |= 1 << (s % 64)
	}
	for s, d := range ix.docs {
		if d != nil && in[s/64]&(1<<(uint(s)%64)) == 0 {
			for _, v := range ff.ofSlot[s] {
				counts[v]--
			}
		}
	}
	return counts
}

func (ix *Index) displayName(field, name string) string {
	switch field {
	case FacetOrganization:
		if t := ix.orgTitles[name]; t != "" {
			return t
		}
	case FacetGroups:
		if t, ok := ThemeOf(name); ok {
			return t.TitleVI
		}
	case FacetLicense:
		if l, ok := LicenseOf(name); ok {
			return l.TitleVI
		}
	}
	return name
}

// top returns the page [Start, Start+Rows) of matched in sort order, using
// a bounded heap so a page of a large result costs O(n log k).
func (ix *Index) top(q Query, matched []uint32, score []uint32) []*Doc {
	keys := q.Sort
	if len(keys) == 0 {
		keys = []SortKey{{"score", true}, {"metadata_modified", true}}
	}
	k := q.Start + q.Rows
	if q.Rows <= 0 || q.Start >= len(matched) {
		return []*Doc{}
	}
	scoreOf := func(s uint32) uint32 {
		if int(s) < len(score) {
			return score[s]
		}
		return 0
	}
	less := func(a, b uint32) bool { // a sorts before b
		da, db := ix.docs[a], ix.docs[b]
		for _, key := range keys {
			c := 0
			switch key.Field {
			case "score":
				c = cmp(scoreOf(a), scoreOf(b))
			case "metadata_modified":
				c = da.Modified.Compare(db.Modified)
			case "metadata_created":
				c = da.Created.Compare(db.Created)
			case "title_string":
				c = strings.Compare(da.foldedTitle, db.foldedTitle)
			case "name":
				c = strings.Compare(da.Name, db.Name)
			case "downloads":
				c = cmp(da.Downloads, db.Downloads)
			}
			if key.Desc {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return da.ID > db.ID
	}
	h := &slotHeap{less: less}
	for _, s := range matched {
		if h.Len() < k {
			heap.Push(h, s)
		} else if less(s, h.s[0]) {
			h.s[0] = s
			heap.Fix(h, 0)
		}
	}
	ordered := make([]uint32, h.Len())
	for i := len(ordered) - 1; i >= 0; i-- {
		ordered[i] = heap.Pop(h).(uint32)
	}
	out := make([]*Doc, 0, q.Rows)
	for _, s := range ordered[min(q.Start, len(ordered)):] {
		out = append(out, ix.docs[s])
	}
	return out
}

func cmp[T uint32 | int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// slotHeap is a max-heap under less: its root is the worst kept slot.
type slotHeap struct {
	s    []uint32
	less func(a, b uint32) bool
}

func (h *slotHeap) Len() int           { return len(h.s) }
func (h *slotHeap) Less(i, j int) bool { return h.less(h.s[j], h.s[i]) }
func (h *slotHeap) Swap(i, j int)      { h.s[i], h.s[j] = h.s[j], h.s[i] }
func (h *slotHeap) Push(x any)         { h.s = append(h.s, x.(uint32)) }
func (h *slotHeap) Pop() any {
	x := h.s[len(h.s)-1]
	h.s = h.s[:len(h.s)-1]
	return x
}

// Tags returns every tag with its dataset count (for tag_list), sorted by name.
func (ix *Index) Tags() []FacetItem {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ff := &ix.facets[facetIndex[FacetTags]]
	var out []FacetItem
	for id, name := range ff.names {
		c := 0
		for _, s := range ff.slots[id] {
			if ix.docs[s] != nil {
				c++
			}
		}
		if c > 0 {
			out = append(out, FacetItem{Name: name, DisplayName: name, Count: c})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names returns the names of every searchable dataset, sorted.
func (ix *Index) Names() []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]string, 0, len(ix.slotOf))
	for _, d := range ix.docs {
		if d != nil {
			out = append(out, d.Name)
		}
	}
	sort.Strings(out)
	return out
}
