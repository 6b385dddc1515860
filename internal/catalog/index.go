package catalog

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// The search index is an in-memory inverted index over folded tokens
// (platform.Fold: lowercase, no diacritics) of databases, services and the
// services' data items. The database stays authoritative: the index is
// rebuilt from it on first use and whenever the catalog version counter
// (bumped by every change on any node) differs from the one it reflects,
// checked at most once per IndexCheckEvery; changes made in this process
// are applied incrementally right after their commit.

type docKind uint8

const (
	docDatabase docKind = iota + 1
	docService
	docItem
)

var kindBits = map[DatabaseKind]uint8{KindNational: 1, KindShared: 2, KindOther: 4}

// Small codes keep docs compact: a search touches tens of thousands.
var (
	statusCodes = map[Status]uint8{StatusDraft: 1, StatusReady: 2, StatusPublished: 3, StatusRetired: 4}
	formCodes   = map[Form]uint8{FormDefault: 1, FormSpecial: 2}
	methodCodes = map[Method]uint8{MethodOnline: 1, MethodSync: 2, MethodPackage: 3}
)

func valueOf[K comparable](m map[K]uint8, c uint8) K {
	for k, v := range m {
		if v == c {
			return k
		}
	}
	var zero K
	return zero
}

// doc is one searchable record.
type doc struct {
	id     int64 // database id, or service id for services and items
	orgID  int64
	elemID int64 // items: dictionary element
	group  int64 // items: the element id, or minus the id of the folded label
	label  int32 // items: id of the folded label (see indexData.labels)
	kind   docKind
	status uint8
	// kinds: a database's own kind bit; for services and items the kinds
	// of the databases served.
	kinds  uint8
	form   uint8
	method uint8
	dead   bool
	title  string // as displayed
	sub    string // identifier (services), item key (items)
	elem   string // items: the dictionary element's standard name
	titleF string // " " + folded title + " "
	text   string // " " + folded searchable text + " "
}

var statusPublishedCode = statusCodes[StatusPublished]

// public reports whether anyone may find the record: published ones only
// (retired services stay reachable by link but leave the search).
func (d *doc) public() bool { return d.status == statusPublishedCode }

type entityKey struct {
	kind docKind
	id   int64
}

// indexData is one generation of the index.
type indexData struct {
	docs     []doc
	postings map[string][]int32 // token -> ascending doc numbers
	tokens   []string           // distinct tokens, sorted, for prefix ranges
	pending  []string           // new tokens not yet in tokens (see finish)
	labels   map[string]int64   // folded item label -> small id, for grouping
	entity   map[entityKey][]int32
	dead     int
	scratch  sync.Pool // *scratch buffers reused by searches
}

// scratch holds per-search buffers; they are large (one bit or one int32
// per doc), so searches reuse them instead of allocating each time.
type scratch struct {
	bits []uint64
	cand []int32
}

func (ix *indexData) getScratch() *scratch {
	sc, _ := ix.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	if n := (len(ix.docs) + 63) / 64; cap(sc.bits) < n {
		sc.bits = make([]uint64, n)
	} else {
		sc.bits = sc.bits[:n]
	}
	return sc
}

func (ix *indexData) putScratch(sc *scratch) { ix.scratch.Put(sc) }

type searchIndex struct {
	checkEvery time.Duration

	buildMu sync.Mutex // one rebuild at a time

	mu        sync.RWMutex
	data      *indexData // nil until first built
	version   int64      // catalog version the data reflects
	stale     bool       // must rebuild before the next search
	lastCheck time.Time
}

func newSearchIndex(checkEvery time.Duration) *searchIndex {
	return &searchIndex{checkEvery: checkEvery}
}

func newIndexData() *indexData {
	return &indexData{postings: map[string][]int32{}, entity: map[entityKey][]int32{}, labels: map[string]int64{}}
}

// add appends docs of one entity and indexes their tokens. New doc numbers
// are larger than every existing one, so postings stay sorted. Tokens seen
// for the first time wait in pending until finish merges them into the
// sorted token list, so a bulk build sorts once.
func (ix *indexData) add(key entityKey, docs []doc) {
	for _, d := range docs {
		n := int32(len(ix.docs))
		if d.kind == docItem {
			id, ok := ix.labels[d.titleF]
			if !ok {
				id = int64(len(ix.labels) + 1)
				ix.labels[d.titleF] = id
			}
			d.label, d.group = int32(id), -id
			if d.elemID != 0 {
				d.group = d.elemID
			}
		}
		ix.docs = append(ix.docs, d)
		ix.entity[key] = append(ix.entity[key], n)
		for _, t := range uniqueTokens(d.text) {
			p, ok := ix.postings[t]
			if !ok {
				ix.pending = append(ix.pending, t)
			}
			ix.postings[t] = append(p, n)
		}
	}
}

// finish merges the pending new tokens into the sorted token list.
func (ix *indexData) finish() {
	if len(ix.pending) > 0 {
		sort.Strings(ix.pending)
		ix.tokens = mergeSorted(ix.tokens, ix.pending)
		ix.pending = nil
	}
}

// remove marks an entity's docs dead; postings are cleaned at compaction.
func (ix *indexData) remove(key entityKey) {
	for _, n := range ix.entity[key] {
		if !ix.docs[n].dead {
			ix.docs[n].dead = true
			ix.dead++
		}
	}
	delete(ix.entity, key)
}

// compacted rebuilds the postings without dead docs once they are many.
func (ix *indexData) compacted() *indexData {
	if ix.dead < 1000 || ix.dead*4 < len(ix.docs) {
		return ix
	}
	out := newIndexData()
	groups := map[entityKey][]doc{}
	var order []entityKey
	for key, ns := range ix.entity {
		for _, n := range ns {
			groups[key] = append(groups[key], ix.docs[n])
		}
		order = append(order, key)
	}
	sort.Slice(order, func(i, j int) bool {
		return ix.entity[order[i]][0] < ix.entity[order[j]][0]
	})
	for _, key := range order {
		out.add(key, groups[key])
	}
	out.finish()
	return out
}

func mergeSorted(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] < b[j] {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

func uniqueTokens(text string) []string {
	f := strings.Fields(text)
	sort.Strings(f)
	out := f[:0]
	for i, t := range f {
		if i == 0 || t != f[i-1] {
			out = append(out, t)
		}
	}
	return out
}

func padded(folded string) string { return " " + folded + " " }

// ensureIndex builds the index on first use, and rebuilds it when another
// node changed the catalog (checked at most once per checkEvery).
func (s *Store) ensureIndex(ctx context.Context) error {
	ix := s.idx
	ix.mu.RLock()
	loaded, stale, due := ix.data != nil, ix.stale, time.Since(ix.lastCheck) >= ix.checkEvery
	known := ix.version
	ix.mu.RUnlock()
	if loaded && !stale && !due {
		return nil
	}
	if loaded && !stale {
		v, err := s.Version(ctx)
		if err != nil {
			return err
		}
		ix.mu.Lock()
		ix.lastCheck = time.Now()
		ix.mu.Unlock()
		if v == known {
			return nil
		}
		// Another node changed the catalog. One caller rebuilds; the others
		// answer from the current data meanwhile instead of queueing.
		if !ix.buildMu.TryLock() {
			return nil
		}
		ix.buildMu.Unlock()
	}
	return s.RebuildIndex(ctx)
}

// RebuildIndex reloads the whole search index from the database.
func (s *Store) RebuildIndex(ctx context.Context) error {
	ix := s.idx
	ix.buildMu.Lock()
	defer ix.buildMu.Unlock()
	// The version is read first: a change committed while loading makes
	// the counter differ, so the next check rebuilds again.
	v, err := s.Version(ctx)
	if err != nil {
		return err
	}
	ix.mu.RLock()
	fresh := ix.data != nil && !ix.stale && ix.version == v
	ix.mu.RUnlock()
	if fresh {
		return nil // another caller rebuilt it meanwhile
	}
	data := newIndexData()
	var n int
	if err := s.db.Read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM catalog_databases) + (SELECT COUNT(*) FROM catalog_services)
		+ (SELECT COUNT(*) FROM catalog_service_items)`).Scan(&n); err != nil {
		return err
	}
	data.docs = make([]doc, 0, n+n/8) // room for later changes without copying
	if err := s.loadDocs(ctx, s.db.Read, nil, nil, data); err != nil {
		return fmt.Errorf("build search index: %w", err)
	}
	data.finish()
	ix.mu.Lock()
	ix.data, ix.version, ix.stale, ix.lastCheck = data, v, false, time.Now()
	ix.mu.Unlock()
	return nil
}

// indexAfterChange applies a change committed in this process: when the
// index reflects exactly the version before it, only the touched entities
// are reloaded; otherwise the index is marked for a rebuild.
func (s *Store) indexAfterChange(ctx context.Context, version int64, t touched) {
	ix := s.idx
	ix.mu.Lock()
	if ix.data == nil {
		ix.mu.Unlock()
		return
	}
	if t.all || version != ix.version+1 {
		ix.stale = true
		ix.mu.Unlock()
		return
	}
	ix.mu.Unlock()
	err := s.applyTouched(ctx, version, t)
	if err != nil {
		platform.Logger(ctx).Warn("search index update failed; it will be rebuilt", "err", err)
		ix.mu.Lock()
		ix.stale = true
		ix.mu.Unlock()
	}
}

func (s *Store) applyTouched(ctx context.Context, version int64, t touched) error {
	services := append([]int64(nil), t.services...)
	if len(t.databases) > 0 {
		// Services carry the kinds of the databases they serve.
		ids, err := idsWhere(ctx, s.db.Read, `SELECT DISTINCT service_id FROM catalog_service_databases WHERE database_id IN`, t.databases)
		if err != nil {
			return err
		}
		services = append(services, ids...)
	}
	if len(t.elements) > 0 {
		ids, err := idsWhere(ctx, s.db.Read, `SELECT DISTINCT service_id FROM catalog_service_items WHERE element_id IN`, t.elements)
		if err != nil {
			return err
		}
		services = append(services, ids...)
	}
	part := newIndexData()
	if len(services) > 0 || len(t.databases) > 0 {
		if services == nil {
			services = []int64{}
		}
		dbs := t.databases
		if dbs == nil {
			dbs = []int64{}
		}
		if err := s.loadDocs(ctx, s.db.Read, services, dbs, part); err != nil {
			return err
		}
	}
	ix := s.idx
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.data == nil || version != ix.version+1 {
		ix.stale = true
		return nil
	}
	for _, id := range services {
		ix.data.remove(entityKey{docService, id})
	}
	for _, id := range t.databases {
		ix.data.remove(entityKey{docDatabase, id})
	}
	keys := make([]entityKey, 0, len(part.entity))
	for k := range part.entity {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return part.entity[keys[i]][0] < part.entity[keys[j]][0] })
	for _, k := range keys {
		var docs []doc
		for _, n := range part.entity[k] {
			docs = append(docs, part.docs[n])
		}
		ix.data.add(k, docs)
	}
	ix.data.finish()
	ix.data = ix.data.compacted()
	ix.version = version
	return nil
}

func idsWhere(ctx context.Context, q platform.Querier, prefix string, ids []int64) ([]int64, error) {
	ph, args := inList(ids, 1)
	return queryRows(ctx, q, "select ids", scanID, prefix+` (`+ph+`)`, args...)
}

// loadDocs reads databases and services (all of them when both id lists
// are nil) and adds their docs to data.
func (s *Store) loadDocs(ctx context.Context, q platform.Querier, serviceIDs, databaseIDs []int64, data *indexData) error {
	// Databases.
	dbCond := "1=1"
	var dbArgs []any
	if databaseIDs != nil {
		if len(databaseIDs) == 0 {
			dbCond = "1=0"
		} else {
			var ph string
			ph, dbArgs = inList(databaseIDs, 1)
			dbCond = "d.id IN (" + ph + ")"
		}
	}
	if dbCond != "1=0" {
		rows, err := q.QueryContext(ctx, `SELECT d.id, d.owner_org_id, d.name, d.kind, d.status, d.search_text FROM catalog_databases d WHERE `+dbCond+` ORDER BY d.id`, dbArgs...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d doc
			var text string
			var kind DatabaseKind
			var status Status
			if err := rows.Scan(&d.id, &d.orgID, &d.title, &kind, &status, &text); err != nil {
				rows.Close()
				return err
			}
			d.kind, d.kinds, d.status = docDatabase, kindBits[kind], statusCodes[status]
			d.titleF = padded(fold(d.title))
			d.text = padded(text + " " + fold(kind.Label("vi")))
			data.add(entityKey{docDatabase, d.id}, []doc{d})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	// Services with their items and the kinds of the databases they serve.
	svCond, itCond, sdCond := "1=1", "1=1", "1=1"
	var svArgs []any
	if serviceIDs != nil {
		if len(serviceIDs) == 0 {
			return nil
		}
		var ph string
		ph, svArgs = inList(serviceIDs, 1)
		svCond, itCond, sdCond = "s.id IN ("+ph+")", "i.service_id IN ("+ph+")", "sd.service_id IN ("+ph+")"
	}
	kinds := map[int64]uint8{}
	rows, err := q.QueryContext(ctx, `SELECT sd.service_id, d.kind FROM catalog_service_databases sd
		JOIN catalog_databases d ON d.id = sd.database_id WHERE `+sdCond, svArgs...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var k DatabaseKind
		if err := rows.Scan(&id, &k); err != nil {
			rows.Close()
			return err
		}
		kinds[id] |= kindBits[k]
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	all, err := serviceItems(ctx, q, itCond, svArgs...)
	if err != nil {
		return err
	}
	items := map[int64][]DataItem{}
	for _, it := range all {
		items[it.serviceID] = append(items[it.serviceID], it.DataItem)
	}
	rows, err = q.QueryContext(ctx, `SELECT s.id, s.provider_org_id, s.identifier, s.name, s.description, s.form, s.method, s.status
		FROM catalog_services s WHERE `+svCond+` ORDER BY s.id`, svArgs...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sd doc
		var desc string
		var form Form
		var method Method
		var status Status
		if err := rows.Scan(&sd.id, &sd.orgID, &sd.sub, &sd.title, &desc, &form, &method, &status); err != nil {
			return err
		}
		sd.kind, sd.kinds = docService, kinds[sd.id]
		sd.form, sd.method, sd.status = formCodes[form], methodCodes[method], statusCodes[status]
		sd.titleF = padded(fold(sd.title))
		var b strings.Builder
		b.WriteString(sd.title + " " + sd.sub + " " + desc)
		docs := []doc{sd}
		for _, it := range items[sd.id] {
			b.WriteString(" " + it.Label + " " + it.ElementName)
			d := sd
			d.kind, d.title, d.sub, d.elemID, d.elem = docItem, it.Label, it.Key, it.ElementID, it.ElementName
			d.titleF = padded(fold(it.Label))
			d.text = padded(fold(it.Label + " " + it.Key + " " + it.ElementName + " " + it.ElementCode))
			docs = append(docs, d)
		}
		docs[0].text = padded(fold(b.String()))
		data.add(entityKey{docService, sd.id}, docs)
	}
	return rows.Err()
}
