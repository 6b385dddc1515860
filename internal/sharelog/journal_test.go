package sharelog_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharelog"
)

// journalWriter starts a journal-mode Writer that checkpoints every
// `every` entries and never by time, and indexes within 20ms.
func journalWriter(tb testing.TB, db *platform.DB, dir, node string, s sharelog.Signer, every int64, tune ...func(*sharelog.Options)) *sharelog.Writer {
	tb.Helper()
	w, err := startJournalWriter(db, dir, node, s, every, tune...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.Close() })
	return w
}

func startJournalWriter(db *platform.DB, dir, node string, s sharelog.Signer, every int64, tune ...func(*sharelog.Options)) (*sharelog.Writer, error) {
	o := sharelog.Options{CheckpointEvery: every, CheckpointInterval: -1, JournalDir: dir, IndexInterval: 20 * time.Millisecond}
	for _, f := range tune {
		f(&o)
	}
	return sharelog.NewWriter(context.Background(), db, node, s, o)
}

// crash leaves w's journaled entries unindexed, as a kill -9 would: the
// indexer is paused and the Writer closed without its final indexing.
func crash(tb testing.TB, w *sharelog.Writer) {
	tb.Helper()
	sharelog.PauseIndexing(w, true)
	mustClose(tb, w)
}

// crashedJournal journals n entries of node gw1 in a new directory,
// indexes none and crashes; it returns the signer and the directory.
func crashedJournal(tb testing.TB, db *platform.DB, n int, tune ...func(*sharelog.Options)) (*sharelog.Ed25519Signer, string) {
	tb.Helper()
	s, dir := mustSigner(tb), tb.TempDir()
	w := journalWriter(tb, db, dir, "gw1", s, 0, tune...)
	sharelog.PauseIndexing(w, true)
	for range n {
		mustAppend(tb, w, sampleEntry())
	}
	crash(tb, w)
	return s, dir
}

func countEntries(tb testing.TB, db *platform.DB, node string) int64 {
	tb.Helper()
	var n int64
	if err := db.Read.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM sharelog_entries WHERE node = $1`, node).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// waitEntries polls until node's chain has n entries in the database.
func waitEntries(tb testing.TB, db *platform.DB, node string, n int64) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := countEntries(tb, db, node)
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("chain %q: %d entries in the database after 15s, want %d", node, got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func segments(tb testing.TB, dir, node string) []string {
	tb.Helper()
	m, err := filepath.Glob(filepath.Join(sharelog.JournalNodeDir(dir, node), "*.journal"))
	if err != nil {
		tb.Fatal(err)
	}
	slices.Sort(m)
	return m
}

func TestJournalAppendIndexesAndVerifies(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := mustSigner(t)
		dir := t.TempDir()
		w := journalWriter(t, db, dir, "gw1", s, 100)
		const workers, each = 40, 25
		var wg sync.WaitGroup
		seqs := make(chan int64, workers*each)
		for i := range workers {
			wg.Go(func() {
				for j := range each {
					e := sampleEntry()
					e.CorrelationID = fmt.Sprintf("c-%d-%d", i, j)
					if j%5 == 0 {
						e.KeepContent, e.RequestBody, e.ResponseBody = true, []byte("q"), []byte(`{"x":1}`)
						e.RequestDigest, e.ResponseDigest = [32]byte{}, [32]byte{}
					}
					seq, err := w.Append(context.Background(), e)
					if err != nil {
						t.Error(err)
						return
					}
					seqs <- seq
				}
			})
		}
		wg.Wait()
		close(seqs)
		seen := map[int64]bool{}
		for s := range seqs {
			if seen[s] {
				t.Fatalf("seq %d returned twice", s)
			}
			seen[s] = true
		}
		if len(seen) != workers*each || !seen[1] || !seen[workers*each] {
			t.Fatalf("%d distinct seqs", len(seen))
		}
		// The entries reach the database while the Writer runs.
		waitEntries(t, db, "gw1", workers*each)
		rep := mustVerify(t, db, s.PublicKey())
		wantOK(t, rep)
		if rep.Entries != workers*each || rep.Checkpoints < 10 {
			t.Fatalf("report while running = %+v", rep)
		}
		mustClose(t, w)
		rep = mustVerify(t, db, s.PublicKey())
		wantOK(t, rep)
		if rep.Entries != workers*each || rep.Checkpoints != 10 {
			t.Fatalf("report = %+v", rep)
		}
		// Kept bodies went through the journal intact.
		var kept int
		if err := db.Read.QueryRow(`SELECT COUNT(*) FROM sharelog_entries WHERE content_kept AND response_body = $1`, []byte(`{"x":1}`)).Scan(&kept); err != nil || kept != workers*each/5 {
			t.Fatalf("kept bodies: %d, %v", kept, err)
		}
	})
}

// TestJournalAppendDoesNotWaitForTheDatabase: with the indexer stopped,
// Append still returns, and the entry is in the journal only.
func TestJournalAppendDoesNotWaitForTheDatabase(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		dir := t.TempDir()
		w := journalWriter(t, db, dir, "gw1", mustSigner(t), 0)
		sharelog.PauseIndexing(w, true)
		for i := range 10 {
			if seq := mustAppend(t, w, sampleEntry()); seq != int64(i+1) {
				t.Fatalf("seq = %d", seq)
			}
		}
		time.Sleep(100 * time.Millisecond) // several index intervals
		if n := countEntries(t, db, "gw1"); n != 0 {
			t.Fatalf("%d entries indexed while paused", n)
		}
		if segs := segments(t, dir, "gw1"); len(segs) != 1 {
			t.Fatalf("segments = %v", segs)
		}
		sharelog.PauseIndexing(w, false)
		waitEntries(t, db, "gw1", 10)
		if got := sharelog.IndexedSeq(w); got != 10 {
			t.Fatalf("indexed seq = %d", got)
		}
	})
}

// TestJournalRecovery: entries that were journaled but not indexed when
// the process ended are indexed by the next Writer, which continues the
// chain after them.
func TestJournalRecovery(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := mustSigner(t)
		dir := t.TempDir()
		w := journalWriter(t, db, dir, "gw1", s, 7)
		for range 20 {
			mustAppend(t, w, sampleEntry())
		}
		waitEntries(t, db, "gw1", 20)
		sharelog.PauseIndexing(w, true)
		for range 30 {
			e := sampleEntry()
			e.KeepContent, e.ResponseBody, e.ResponseDigest = true, []byte("body"), [32]byte{}
			mustAppend(t, w, e)
		}
		crash(t, w)
		if n := countEntries(t, db, "gw1"); n != 20 {
			t.Fatalf("%d entries in the database before recovery", n)
		}
		// Read-only verification sees the journaled tail.
		rep, err := sharelog.VerifyJournal(context.Background(), db, dir, []ed25519.PublicKey{s.PublicKey()})
		if err != nil {
			t.Fatal(err)
		}
		wantOK(t, rep)
		if rep.Entries != 20 || rep.Journaled != 30 {
			t.Fatalf("verify journal = %+v", rep)
		}

		w = journalWriter(t, db, dir, "gw1", s, 7)
		if seq := mustAppend(t, w, sampleEntry()); seq != 51 {
			t.Fatalf("seq after recovery = %d, want 51", seq)
		}
		waitEntries(t, db, "gw1", 51)
		mustClose(t, w)
		rep = mustVerify(t, db, s.PublicKey())
		wantOK(t, rep)
		if rep.Entries != 51 || rep.Checkpoints != 8 { // seqs 7, 14, ..., 49 and 51 at Close
			t.Fatalf("report = %+v", rep)
		}
		var body []byte
		if err := db.Read.QueryRow(`SELECT response_body FROM sharelog_entries WHERE node = 'gw1' AND seq = 40`).Scan(&body); err != nil || string(body) != "body" {
			t.Fatalf("kept body after recovery: %q %v", body, err)
		}
		// A direct-mode Writer (no journal) continues the same chain.
		d := mustWriter(t, db, "gw1", s, 0)
		if seq := mustAppend(t, d, sampleEntry()); seq != 52 {
			t.Fatalf("direct seq = %d", seq)
		}
	})
}

// lastRecord returns the offset and size of the last record of a segment
// (the records are read through their length prefixes).
func lastRecord(tb testing.TB, b []byte) (off, size int) {
	tb.Helper()
	n := int(binary.LittleEndian.Uint16(b[10:]))
	off = 24 + n
	for {
		if off+24 > len(b) || binary.LittleEndian.Uint32(b[off:]) != 0x4a4c5347 {
			tb.Fatal("no record found")
		}
		size = 24 + int(binary.LittleEndian.Uint32(b[off+4:]))
		if off+size == len(b) {
			return off, size
		}
		off += size
	}
}

// reseq copies a record with another seq and index in its write, and a
// valid checksum.
func reseq(rec []byte, seq int64, index uint32) []byte {
	b := bytes.Clone(rec)
	binary.LittleEndian.PutUint64(b[8:], uint64(seq))
	binary.LittleEndian.PutUint32(b[16:], index)
	tab := crc32.MakeTable(crc32.Castagnoli)
	binary.LittleEndian.PutUint32(b[20:], crc32.Update(crc32.Checksum(b[4:20], tab), tab, b[24:]))
	return b
}

// TestJournalTornTail: a last write that only partly reached the disk is
// cut off at recovery; the acknowledged entries before it are kept.
func TestJournalTornTail(t *testing.T) {
	for _, tc := range []struct {
		name string
		tail func(last []byte) []byte
	}{
		{"short record", func(last []byte) []byte { return last[:len(last)/2] }},
		{"bad checksum", func(last []byte) []byte {
			b := bytes.Clone(last)
			b[len(b)-3] ^= 0xff
			return b
		}},
		{"short header", func(last []byte) []byte { return last[:10] }},
		{"torn write, later record on disk", func(last []byte) []byte {
			// A write of seqs 6 and 7 whose first record did not fully
			// reach the disk but whose second did (pages may be written
			// in any order until fdatasync returns).
			first := reseq(last, 6, 0)
			first[30] ^= 0xff
			return append(first, reseq(last, 7, 1)...)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
				s, dir := crashedJournal(t, db, 5)
				seg := segments(t, dir, "gw1")[0]
				b, err := os.ReadFile(seg)
				if err != nil {
					t.Fatal(err)
				}
				off, size := lastRecord(t, b)
				tail := tc.tail(b[off : off+size])
				if err := os.WriteFile(seg, append(bytes.Clone(b), tail...), 0o600); err != nil {
					t.Fatal(err)
				}
				w := journalWriter(t, db, dir, "gw1", s, 0)
				if st, err := os.Stat(seg); err != nil || st.Size() != int64(len(b)) {
					t.Fatalf("segment not cut back to %d bytes: %v %v", len(b), st.Size(), err)
				}
				if seq := mustAppend(t, w, sampleEntry()); seq != 6 {
					t.Fatalf("seq after torn tail = %d", seq)
				}
				mustClose(t, w)
				wantVerified(t, db, 6, s.PublicKey())
			})
		})
	}
}

// TestJournalDamageRefusesStart: a damaged record followed by records of
// later writes is not a torn tail: acknowledged entries would be lost, so
// the Writer refuses to start and says why.
func TestJournalDamageRefusesStart(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s, dir := crashedJournal(t, db, 3) // sequential appends: one write each
		seg := segments(t, dir, "gw1")[0]
		b, err := os.ReadFile(seg)
		if err != nil {
			t.Fatal(err)
		}
		hdr := 24 + int(binary.LittleEndian.Uint16(b[10:]))
		b[hdr+60] ^= 0x01 // inside the payload of seq 1
		if err := os.WriteFile(seg, b, 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := sharelog.VerifyJournal(context.Background(), db, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantProblem(t, rep, "gw1", 1, sharelog.ProblemJournal)

		_, err = startJournalWriter(db, dir, "gw1", s, 0)
		if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "refusing to start") {
			t.Fatalf("NewWriter on a damaged journal: %v", err)
		}
		if n := countEntries(t, db, "gw1"); n != 0 {
			t.Fatalf("%d entries indexed from a damaged journal", n)
		}
	})
}

// TestJournalForkRefused: a node restarted without its journal after a
// crash wrote other entries under the same seqs; the journal's entries
// would fork the chain, so the Writer refuses to start.
func TestJournalForkRefused(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s, dir := crashedJournal(t, db, 10)
		d := mustWriter(t, db, "gw1", s, 0)
		for range 5 {
			e := sampleEntry()
			e.Status = 500
			mustAppend(t, d, e)
		}
		mustClose(t, d)
		rep, err := sharelog.VerifyJournal(context.Background(), db, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantProblem(t, rep, "gw1", 5, sharelog.ProblemAltered)
		if _, err := startJournalWriter(db, dir, "gw1", s, 0); err == nil || !strings.Contains(err.Error(), "forked") {
			t.Fatalf("NewWriter on a forked chain: %v", err)
		}
	})
}

// TestJournalGapRefused: the journal starts after the database's end, so
// entries between them are in neither.
func TestJournalGapRefused(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		small := func(o *sharelog.Options) { o.JournalSegmentSize = 2048 }
		s, dir := crashedJournal(t, db, 20, small)
		segs := segments(t, dir, "gw1")
		if len(segs) < 3 {
			t.Fatalf("segments = %v", segs)
		}
		if err := os.Remove(segs[0]); err != nil {
			t.Fatal(err)
		}
		rep, err := sharelog.VerifyJournal(context.Background(), db, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantProblem(t, rep, "gw1", 1, sharelog.ProblemMissing)
		if _, err := startJournalWriter(db, dir, "gw1", s, 0, small); err == nil || !strings.Contains(err.Error(), "in neither") {
			t.Fatalf("NewWriter with a gap: %v", err)
		}
	})
}

// TestJournalSegments: segments rotate at the configured size; a segment
// is removed (or kept as the spare for reuse) only once all its entries
// are in the database; the newest stays. Recycled segments, whose old
// records remain after the new ones, recover correctly.
func TestJournalSegments(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := mustSigner(t)
		dir := t.TempDir()
		small := func(o *sharelog.Options) { o.JournalSegmentSize = 4096 }
		w := journalWriter(t, db, dir, "gw1", s, 0, small)
		sharelog.PauseIndexing(w, true)
		for range 40 {
			mustAppend(t, w, sampleEntry())
		}
		held := segments(t, dir, "gw1")
		if len(held) < 4 {
			t.Fatalf("segments = %v", held)
		}
		// Nothing is in the database: every segment is kept.
		time.Sleep(50 * time.Millisecond)
		if got := segments(t, dir, "gw1"); !slices.Equal(got, held) {
			t.Fatalf("segments removed before indexing: %v -> %v", held, got)
		}
		sharelog.PauseIndexing(w, false)
		waitEntries(t, db, "gw1", 40)
		deadline := time.Now().Add(5 * time.Second)
		for len(segments(t, dir, "gw1")) != 1 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := segments(t, dir, "gw1"); len(got) != 1 || got[0] != held[len(held)-1] {
			t.Fatalf("after indexing: %v, want only the newest of %v", got, held)
		}
		spare := filepath.Join(sharelog.JournalNodeDir(dir, "gw1"), "spare.segment")
		if _, err := os.Stat(spare); err != nil {
			t.Fatalf("no spare segment kept: %v", err)
		}
		// The spare survives a restart: its records all precede the head.
		mustClose(t, w)
		w = journalWriter(t, db, dir, "gw1", s, 0, small)
		if _, err := os.Stat(spare); err != nil {
			t.Fatalf("spare segment not kept across a restart: %v", err)
		}
		// Write through several recycled segments, then crash and recover:
		// stale records in recycled segments must not confuse recovery.
		n := int64(40)
		for round := range 3 {
			for range 4 {
				for range 10 {
					mustAppend(t, w, sampleEntry())
				}
				n += 10
				waitEntries(t, db, "gw1", n) // retires segments into the spare
			}
			sharelog.PauseIndexing(w, true)
			for range 10 {
				mustAppend(t, w, sampleEntry())
			}
			n += 10
			crash(t, w)
			w = journalWriter(t, db, dir, "gw1", s, 0, small)
			n++
			if seq := mustAppend(t, w, sampleEntry()); seq != n {
				t.Fatalf("round %d: seq = %d, want %d", round, seq, n)
			}
		}
		mustClose(t, w)
		wantVerified(t, db, n, s.PublicKey())

		// A chain that starts over (here: another node's database, the
		// same journal directory minus its segments) must not reuse a
		// spare holding records beyond its head.
		if _, err := os.Stat(spare); err != nil {
			t.Fatalf("no spare segment at the end: %v", err)
		}
		for _, seg := range segments(t, dir, "gw1") {
			if err := os.Remove(seg); err != nil {
				t.Fatal(err)
			}
		}
		mustExec(t, db, `DELETE FROM sharelog_entries`)
		mustExec(t, db, `DELETE FROM sharelog_checkpoints`)
		w = journalWriter(t, db, dir, "gw1", s, 0, small)
		if _, err := os.Stat(spare); !os.IsNotExist(err) {
			t.Fatalf("a spare with records beyond the head was kept: %v", err)
		}
		for range 30 {
			mustAppend(t, w, sampleEntry())
		}
		mustClose(t, w)
		wantVerified(t, db, 30, s.PublicKey())
	})
}

// TestJournalLagLimit: appends fail fast while too many journaled entries
// wait for the database.
func TestJournalLagLimit(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		w := journalWriter(t, db, t.TempDir(), "gw1", mustSigner(t), 0, func(o *sharelog.Options) { o.MaxIndexLag = 5 })
		sharelog.PauseIndexing(w, true)
		for range 5 {
			mustAppend(t, w, sampleEntry())
		}
		if _, err := w.Append(context.Background(), sampleEntry()); platform.ErrorClass(err) != platform.EUnavailable {
			t.Fatalf("append beyond the lag limit: %v", err)
		}
		sharelog.PauseIndexing(w, false)
		waitEntries(t, db, "gw1", 5)
		if seq := mustAppend(t, w, sampleEntry()); seq != 6 {
			t.Fatalf("seq = %d", seq)
		}
	})
}

// TestJournalOneWriterPerNode: a second Writer on the same journal fails
// at start instead of interleaving writes.
func TestJournalOneWriterPerNode(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		dir := t.TempDir()
		journalWriter(t, db, dir, "gw1", mustSigner(t), 0)
		if w, err := startJournalWriter(db, dir, "gw1", mustSigner(t), 0); err == nil {
			w.Close()
			t.Fatal("a second writer started on the same chain")
		}
		// Node names that are not file names get a directory of their own.
		w := journalWriter(t, db, dir, "../gw 2/ü", mustSigner(t), 0)
		mustAppend(t, w, sampleEntry())
		mustClose(t, w)
		if n := countEntries(t, db, "../gw 2/ü"); n != 1 {
			t.Fatalf("%d entries", n)
		}
	})
}

// TestJournalDatabaseOutage: while the database cannot take entries,
// appends still succeed (they are journaled) and the indexer retries;
// afterwards every entry is stored, in order, and the log verifies.
func TestJournalDatabaseOutage(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := mustSigner(t)
		w := journalWriter(t, db, t.TempDir(), "gw1", s, 10)
		for range 5 {
			mustAppend(t, w, sampleEntry())
		}
		waitEntries(t, db, "gw1", 5)
		mustExec(t, db, `ALTER TABLE sharelog_entries RENAME TO sharelog_away`)
		for range 20 {
			mustAppend(t, w, sampleEntry())
		}
		time.Sleep(300 * time.Millisecond) // the indexer fails and backs off
		mustExec(t, db, `ALTER TABLE sharelog_away RENAME TO sharelog_entries`)
		waitEntries(t, db, "gw1", 25)
		mustClose(t, w)
		rep := mustVerify(t, db, s.PublicKey())
		wantOK(t, rep)
		if rep.Entries != 25 || rep.Checkpoints != 3 {
			t.Fatalf("report = %+v", rep)
		}
	})
}

// TestJournalQueriesSeeAcknowledgedEntries: in the process that writes
// them, a query right after Append sees the entry, however long the
// indexer would otherwise wait for a fuller batch.
func TestJournalQueriesSeeAcknowledgedEntries(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		w := journalWriter(t, db, t.TempDir(), "gw1", mustSigner(t), 0, func(o *sharelog.Options) { o.IndexInterval = time.Hour })
		for i := range 3 {
			e := sampleEntry()
			e.CorrelationID = fmt.Sprintf("corr-%d", i)
			mustAppend(t, w, e)
			res, err := sharelog.Query(context.Background(), db, sharelog.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Items) != i+1 || !slices.ContainsFunc(res.Items, func(x sharelog.Entry) bool { return x.CorrelationID == e.CorrelationID }) {
				t.Fatalf("query after append %d: %d items", i, len(res.Items))
			}
		}
		var buf bytes.Buffer
		if n, err := sharelog.ExportCSV(context.Background(), db, sharelog.Filter{}, sharelog.ExportOptions{}, &buf); err != nil || n != 3 {
			t.Fatalf("export: %d %v", n, err)
		}
	})
}

// TestJournalFlushPacing: after a quiet spell an entry is flushed at once;
// while flushes follow each other closer than FlushInterval, entries wait
// for the next one, unless the batch is full (or the Writer closes).
func TestJournalFlushPacing(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		w := journalWriter(t, db, t.TempDir(), "gw1", mustSigner(t), 0, func(o *sharelog.Options) {
			o.FlushInterval, o.MaxBatch = time.Hour, 4
		})
		start := time.Now()
		mustAppend(t, w, sampleEntry()) // the first flush does not wait
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("first append took %v", d)
		}
		var wg sync.WaitGroup
		for range 4 { // a full batch does not wait either
			wg.Go(func() { mustAppend(t, w, sampleEntry()) })
		}
		wg.Wait()
		done := make(chan int64)
		go func() { done <- mustAppend(t, w, sampleEntry()) }()
		select {
		case seq := <-done:
			t.Fatalf("append of seq %d did not wait for the flush interval", seq)
		case <-time.After(100 * time.Millisecond):
		}
		mustClose(t, w) // flushes at once
		if seq := <-done; seq != 6 {
			t.Fatalf("seq = %d", seq)
		}
		wantOK(t, mustVerify(t, db))
		if n := countEntries(t, db, "gw1"); n != 6 {
			t.Fatalf("%d entries", n)
		}
	})
}

// TestJournalPrefill: a new node's journal gets a spare of zeros in the
// background and moves onto it, so flushes overwrite allocated blocks;
// recovery reads such a segment like a recycled one.
func TestJournalPrefill(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := mustSigner(t)
		dir := t.TempDir()
		const segSize = 1 << 20
		prefill := func(o *sharelog.Options) { o.JournalSegmentSize, o.JournalPrefill = segSize, true }
		w := journalWriter(t, db, dir, "gw1", s, 0, prefill)
		n := int64(0)
		deadline := time.Now().Add(10 * time.Second)
		for {
			mustAppend(t, w, sampleEntry())
			n++
			segs := segments(t, dir, "gw1")
			if st, err := os.Stat(segs[len(segs)-1]); err == nil && st.Size() == segSize {
				break // writing into the zero-filled file
			}
			if time.Now().After(deadline) {
				t.Fatalf("the writer never moved onto a zero-filled segment: %v", segs)
			}
			time.Sleep(5 * time.Millisecond)
		}
		for range 20 {
			mustAppend(t, w, sampleEntry())
			n++
		}
		crash(t, w)
		w = journalWriter(t, db, dir, "gw1", s, 0, prefill)
		n++
		if seq := mustAppend(t, w, sampleEntry()); seq != n {
			t.Fatalf("seq after recovery = %d, want %d", seq, n)
		}
		mustClose(t, w)
		wantVerified(t, db, n, s.PublicKey())
		if _, err := os.Stat(filepath.Join(sharelog.JournalNodeDir(dir, "gw1"), "spare.segment.zero")); !os.IsNotExist(err) {
			t.Fatalf("unfinished spare left behind: %v", err)
		}
	})
}

// TestJournalPrefillStopsAtClose: Close ends a zero-fill in progress and
// leaves no partial spare.
func TestJournalPrefillStopsAtClose(t *testing.T) {
	db := platformtest.OpenSQLite(t, sets())
	dir := t.TempDir()
	w := journalWriter(t, db, dir, "gw1", mustSigner(t), 0, func(o *sharelog.Options) {
		o.JournalSegmentSize, o.JournalPrefill = 1<<30, true
	})
	mustClose(t, w)
	nd := sharelog.JournalNodeDir(dir, "gw1")
	if _, err := os.Stat(filepath.Join(nd, "spare.segment.zero")); !os.IsNotExist(err) {
		t.Fatalf("partial spare left behind: %v", err)
	}
	if st, err := os.Stat(filepath.Join(nd, "spare.segment")); err == nil && st.Size() != 1<<30 {
		t.Fatalf("spare of %d bytes, want a whole segment or none", st.Size())
	}
}
