package sharelog_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharelog"
)

// mustWriter starts a Writer that checkpoints every `every` entries and
// never by time, so tests are deterministic.
func mustWriter(tb testing.TB, db *platform.DB, node string, s sharelog.Signer, every int64) *sharelog.Writer {
	tb.Helper()
	w, err := sharelog.NewWriter(context.Background(), db, node, s, sharelog.Options{CheckpointEvery: every, CheckpointInterval: -1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.Close() })
	return w
}

func mustAppend(tb testing.TB, w *sharelog.Writer, e sharelog.Entry) int64 {
	tb.Helper()
	seq, err := w.Append(context.Background(), e)
	if err != nil {
		tb.Fatal(err)
	}
	return seq
}

func mustClose(tb testing.TB, w *sharelog.Writer) {
	tb.Helper()
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
}

func mustVerify(tb testing.TB, db *platform.DB, keys ...ed25519.PublicKey) sharelog.Report {
	tb.Helper()
	rep, err := sharelog.Verify(context.Background(), db, keys)
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

func wantOK(tb testing.TB, rep sharelog.Report) {
	tb.Helper()
	if !rep.OK() {
		tb.Fatalf("verify: %s", rep.Problem)
	}
}

// wantVerified verifies the log and wants it whole with n entries.
func wantVerified(tb testing.TB, db *platform.DB, n int64, keys ...ed25519.PublicKey) {
	tb.Helper()
	rep := mustVerify(tb, db, keys...)
	wantOK(tb, rep)
	if rep.Entries != n {
		tb.Fatalf("report = %+v, want %d entries", rep, n)
	}
}

func wantProblem(tb testing.TB, rep sharelog.Report, node string, seq int64, kind string) {
	tb.Helper()
	p := rep.Problem
	if p == nil {
		tb.Fatalf("verify passed, want %s at %s/%d", kind, node, seq)
	}
	if p.Chain != node || p.Seq != seq || p.Kind != kind {
		tb.Fatalf("verify: got %s, want %s at %s/%d", p, kind, node, seq)
	}
}

func mustExec(tb testing.TB, db *platform.DB, q string, args ...any) {
	tb.Helper()
	if _, err := db.Write.ExecContext(context.Background(), q, args...); err != nil {
		tb.Fatal(err)
	}
}

func entryAt(at time.Time, requester, provider, service int64) sharelog.Entry {
	e := sampleEntry()
	e.RequestedAt, e.RespondedAt = at, at.Add(2*time.Millisecond)
	e.RequesterOrgID, e.ProviderOrgID, e.ServiceID = requester, provider, service
	return e
}

func TestAppendConcurrentThenVerify(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := mustSigner(t)
		a := mustWriter(t, db, "node-a", s, 100)
		b := mustWriter(t, db, "node-b", s, 100)
		const workers, each = 40, 25
		var wg sync.WaitGroup
		seqs := make(chan int64, workers*each)
		for i := range workers {
			w := a
			if i%4 == 0 {
				w = b
			}
			wg.Go(func() {
				for j := range each {
					e := sampleEntry()
					e.CorrelationID = fmt.Sprintf("c-%d-%d", i, j)
					seq, err := w.Append(context.Background(), e)
					if err != nil {
						t.Error(err)
						return
					}
					if w == a {
						seqs <- seq
					}
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
		for s := int64(1); s <= int64(len(seen)); s++ {
			if !seen[s] {
				t.Fatalf("seq %d never returned", s)
			}
		}
		mustClose(t, a)
		mustClose(t, b)
		rep := mustVerify(t, db, s.PublicKey())
		wantOK(t, rep)
		if rep.Entries != workers*each || rep.Chains != 2 || rep.Checkpoints < 10 || !rep.KeysPinned {
			t.Fatalf("report = %+v", rep)
		}
	})
}

func TestTamperedEntryIsReported(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := mustSigner(t)
		w := mustWriter(t, db, "gw1", s, 10)
		for range 50 {
			mustAppend(t, w, sampleEntry())
		}
		mustClose(t, w)
		wantOK(t, mustVerify(t, db, s.PublicKey()))
		mustExec(t, db, `UPDATE sharelog_entries SET status = 403 WHERE node = $1 AND seq = $2`, "gw1", 17)
		wantProblem(t, mustVerify(t, db, s.PublicKey()), "gw1", 17, sharelog.ProblemAltered)
	})
}

func TestDeletedEntryIsReported(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := mustSigner(t)
		w := mustWriter(t, db, "gw1", s, 10)
		for range 40 {
			mustAppend(t, w, sampleEntry())
		}
		mustClose(t, w)
		mustExec(t, db, `DELETE FROM sharelog_entries WHERE node = $1 AND seq = $2`, "gw1", 23)
		wantProblem(t, mustVerify(t, db, s.PublicKey()), "gw1", 23, sharelog.ProblemMissing)

		// A cut tail is found through the checkpoint covering it.
		mustExec(t, db, `DELETE FROM sharelog_entries WHERE node = $1 AND seq >= $2`, "gw1", 22)
		wantProblem(t, mustVerify(t, db, s.PublicKey()), "gw1", 22, sharelog.ProblemMissing)

		// A deleted prefix without a purge anchor is missing from seq 1.
		mustExec(t, db, `DELETE FROM sharelog_entries WHERE node = $1 AND seq <= $2`, "gw1", 5)
		wantProblem(t, mustVerify(t, db, s.PublicKey()), "gw1", 1, sharelog.ProblemMissing)
	})
}

func TestCheckpointSignature(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := mustSigner(t)
		w := mustWriter(t, db, "gw1", s, 10)
		for range 25 {
			mustAppend(t, w, sampleEntry())
		}
		mustClose(t, w)
		rep := mustVerify(t, db, s.PublicKey())
		wantOK(t, rep)
		if rep.Checkpoints != 3 { // seq 10, 20 and the final one at 25
			t.Fatalf("checkpoints = %d", rep.Checkpoints)
		}

		// Another key is not trusted, though the stored key still verifies.
		wantProblem(t, mustVerify(t, db, mustSigner(t).PublicKey()), "gw1", 10, sharelog.ProblemUntrustedKey)
		if rep := mustVerify(t, db); !rep.OK() || rep.KeysPinned || len(rep.Keys) != 1 {
			t.Fatalf("unpinned report = %+v", rep)
		}

		// A forged or damaged signature, or a changed checkpoint, is reported.
		mustExec(t, db, `UPDATE sharelog_checkpoints SET signature = $1 WHERE node = $2 AND seq = $3`, make([]byte, 64), "gw1", 20)
		wantProblem(t, mustVerify(t, db, s.PublicKey()), "gw1", 20, sharelog.ProblemSignature)
		wantProblem(t, mustVerify(t, db), "gw1", 20, sharelog.ProblemSignature)
	})
}

func TestRestartContinuesChain(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := mustSigner(t)
		w := mustWriter(t, db, "gw1", s, 1000)
		for range 10 {
			mustAppend(t, w, sampleEntry())
		}
		mustClose(t, w)
		if _, err := w.Append(context.Background(), sampleEntry()); err != sharelog.ErrClosed {
			t.Fatalf("append after close: %v", err)
		}
		w = mustWriter(t, db, "gw1", s, 1000)
		if seq := mustAppend(t, w, sampleEntry()); seq != 11 {
			t.Fatalf("seq after restart = %d, want 11", seq)
		}
		mustClose(t, w)
		rep := mustVerify(t, db, s.PublicKey())
		wantOK(t, rep)
		if rep.Entries != 11 || rep.Checkpoints != 2 {
			t.Fatalf("report = %+v", rep)
		}
	})
}

func TestSQLiteLogCommitsAreFullSync(t *testing.T) {
	db := platformtest.OpenSQLite(t, sets())
	mustWriter(t, db, "gw1", mustSigner(t), 10)
	var mode int
	if err := db.Write.QueryRowContext(context.Background(), `PRAGMA synchronous`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != 2 {
		t.Fatalf("synchronous = %d, want 2 (FULL)", mode)
	}
	if err := db.Write.QueryRowContext(context.Background(), `PRAGMA temp_store`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != 2 {
		t.Fatalf("temp_store = %d, want 2 (MEMORY)", mode)
	}
}

func TestOneWriterPerChainOnPostgres(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		if db.Dialect != platform.Postgres {
			t.Skip("the chain lock is a PostgreSQL advisory lock")
		}
		s := mustSigner(t)
		w := mustWriter(t, db, "gw1", s, 10)
		if _, err := sharelog.NewWriter(context.Background(), db, "gw1", s, sharelog.Options{}); err == nil {
			t.Fatal("a second writer on the same chain must be refused")
		}
		mustClose(t, w)
		mustClose(t, mustWriter(t, db, "gw1", s, 10)) // the lock is released on Close
	})
}

func TestPurgeKeepsChainVerifiable(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		s := mustSigner(t)
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		day := 24 * time.Hour
		w := mustWriter(t, db, "gw1", s, 7)
		// seq 1..20: service 1, 100..81 days old; seq 21: service 2 (kept
		// 5 years), 80 days old; seq 22..30: service 1, 10 days old.
		for i := range 20 {
			mustAppend(t, w, entryAt(now.Add(-time.Duration(100-i)*day), 1, 2, 1))
		}
		mustAppend(t, w, entryAt(now.Add(-80*day), 1, 2, 2))
		for i := range 9 {
			mustAppend(t, w, entryAt(now.Add(-time.Duration(10-i)*day), 1, 2, 1))
		}
		mustClose(t, w)
		retention := func(service int64) time.Duration {
			if service == 2 {
				return 5 * 365 * day
			}
			return 30 * day
		}

		// Nothing is older than `before`: nothing goes.
		res, err := sharelog.Purge(ctx, db, s, now.Add(-200*day), retention)
		if err != nil || res.Deleted != 0 {
			t.Fatalf("purge = %+v, %v", res, err)
		}
		// Service 1's expired entries go up to the long-retention entry.
		res, err = sharelog.Purge(ctx, db, s, now, retention)
		if err != nil || res.Deleted != 20 || res.Anchors != 1 {
			t.Fatalf("purge = %+v, %v", res, err)
		}
		wantVerified(t, db, 10, s.PublicKey())

		// The chain continues after a restart, and after a purge of everything.
		w = mustWriter(t, db, "gw1", s, 7)
		if seq := mustAppend(t, w, entryAt(now, 1, 2, 1)); seq != 31 {
			t.Fatalf("seq = %d, want 31", seq)
		}
		mustClose(t, w)
		if res, err = sharelog.Purge(ctx, db, s, now.Add(time.Hour), nil); err != nil || res.Deleted != 11 {
			t.Fatalf("purge all = %+v, %v", res, err)
		}
		wantOK(t, mustVerify(t, db, s.PublicKey()))
		w = mustWriter(t, db, "gw1", s, 7)
		if seq := mustAppend(t, w, entryAt(now, 1, 2, 1)); seq != 32 {
			t.Fatalf("seq = %d, want 32", seq)
		}
		mustAppend(t, w, entryAt(now, 1, 2, 1))
		mustClose(t, w)
		wantOK(t, mustVerify(t, db, s.PublicKey()))

		// Tampering after a purge is still found.
		mustExec(t, db, `UPDATE sharelog_entries SET refusal_code = 'suspended' WHERE node = $1 AND seq = $2`, "gw1", 32)
		wantProblem(t, mustVerify(t, db, s.PublicKey()), "gw1", 32, sharelog.ProblemAltered)
		if _, err := sharelog.Purge(ctx, db, s, now.Add(time.Hour), nil); err == nil {
			t.Fatal("purge must refuse a chain that does not verify")
		}
	})
}

func TestPurgeInChunks(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := mustSigner(t)
		w := mustWriter(t, db, "gw1", s, 500)
		old := time.Now().Add(-48 * time.Hour)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				for range 250 {
					if _, err := w.Append(context.Background(), entryAt(old, 1, 2, 3)); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		mustAppend(t, w, entryAt(time.Now(), 1, 2, 3))
		mustClose(t, w)
		res, err := sharelog.Purge(context.Background(), db, s, time.Now().Add(-time.Hour), nil)
		if err != nil || res.Deleted != 2500 || res.Anchors != 3 {
			t.Fatalf("purge = %+v, %v", res, err)
		}
		wantVerified(t, db, 1, s.PublicKey())
	})
}

// With PostgreSQL several `govdx serve` processes run the daily purge: one
// at a time purges, the others find it busy and change nothing.
func TestPurgeOneProcessAtATime(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		if db.Dialect != platform.Postgres {
			t.Skip("SQLite belongs to one process")
		}
		s := mustSigner(t)
		w := mustWriter(t, db, "gw1", s, 10)
		for range 5 {
			mustAppend(t, w, entryAt(time.Now().Add(-48*time.Hour), 1, 2, 3))
		}
		mustClose(t, w)
		release := sharelog.HoldPurgeLock(t, db)
		res, err := sharelog.Purge(context.Background(), db, s, time.Now().Add(-time.Hour), nil)
		release()
		if err != nil || !res.Busy || res.Deleted != 0 {
			t.Fatalf("purge while another process purges = %+v, %v; want busy, nothing deleted", res, err)
		}
		res, err = sharelog.Purge(context.Background(), db, s, time.Now().Add(-time.Hour), nil)
		if err != nil || res.Busy || res.Deleted != 5 {
			t.Fatalf("purge after it = %+v, %v", res, err)
		}
		// The lock went back with its connection: a third purge runs too.
		if res, err = sharelog.Purge(context.Background(), db, s, time.Now().Add(-time.Hour), nil); err != nil || res.Busy {
			t.Fatalf("third purge = %+v, %v", res, err)
		}
	})
}

func TestQueryScopeAndPages(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := mustWriter(t, db, "gw1", mustSigner(t), 1000)
		t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
		// requester 10 calls provider 20's service 200; requester 11 calls
		// provider 21's service 210; provider 20 also calls provider 21.
		var all []sharelog.Entry
		for i := range 30 {
			var e sharelog.Entry
			switch i % 3 {
			case 0:
				e = entryAt(t0.Add(time.Duration(i)*time.Minute), 10, 20, 200)
			case 1:
				e = entryAt(t0.Add(time.Duration(i)*time.Minute), 11, 21, 210)
			default:
				e = entryAt(t0.Add(time.Duration(i)*time.Minute), 20, 21, 210)
				e.Status, e.RefusalCode = 403, "suspended"
			}
			if i == 4 {
				e.Status = 502
			}
			mustAppend(t, w, e)
			all = append(all, e)
		}
		count := func(f sharelog.Filter) []sharelog.Entry {
			t.Helper()
			var out []sharelog.Entry
			f.Page.Limit = 4
			for {
				res, err := sharelog.Query(ctx, db, f)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, res.Items...)
				if res.NextCursor == "" {
					return out
				}
				if f.Page.After, err = platform.DecodeCursor(res.NextCursor); err != nil {
					t.Fatal(err)
				}
			}
		}
		got := count(sharelog.Filter{})
		if len(got) != 30 {
			t.Fatalf("all: %d entries", len(got))
		}
		for i := 1; i < len(got); i++ {
			if !got[i].RequestedAt.Before(got[i-1].RequestedAt) {
				t.Fatalf("not newest first at %d: %v then %v", i, got[i-1].RequestedAt, got[i].RequestedAt)
			}
		}
		if got[0].Seq != 30 || got[0].Node != "gw1" || got[0].RequestBody != nil || got[0].ServiceCode != all[29].ServiceCode {
			t.Fatalf("first = %+v", got[0])
		}
		tests := []struct {
			name string
			f    sharelog.Filter
			want int
		}{
			{"provider 20 sees calls to its services", sharelog.Filter{ProviderOrgIDs: []int64{20}}, 10},
			{"provider 21", sharelog.Filter{ProviderOrgIDs: []int64{21}}, 20},
			{"requester 20 sees its own calls", sharelog.Filter{RequesterOrgIDs: []int64{20}}, 10},
			{"org 20 as both sides", sharelog.Filter{RequesterOrgIDs: []int64{20}, ProviderOrgIDs: []int64{20}}, 20},
			{"empty scope sees nothing", sharelog.Filter{RequesterOrgIDs: []int64{}}, 0},
			{"service", sharelog.Filter{ServiceID: 210}, 20},
			{"refused", sharelog.Filter{Status: sharelog.StatusRefused}, 10},
			{"errors", sharelog.Filter{Status: sharelog.StatusError}, 1},
			{"ok", sharelog.Filter{Status: sharelog.StatusOK}, 19},
			{"code", sharelog.Filter{Code: "suspended", ProviderOrgIDs: []int64{21}}, 10},
			{"period", sharelog.Filter{From: t0.Add(10 * time.Minute), To: t0.Add(20 * time.Minute)}, 10},
			{"period and requester", sharelog.Filter{From: t0.Add(10 * time.Minute), RequesterOrgIDs: []int64{10, 11}}, 13},
		}
		for _, tt := range tests {
			if n := len(count(tt.f)); n != tt.want {
				t.Errorf("%s: %d entries, want %d", tt.name, n, tt.want)
			}
		}
		if _, err := sharelog.Query(ctx, db, sharelog.Filter{Status: "weird"}); platform.ErrorClass(err) != platform.EInvalid {
			t.Errorf("bad status: %v", err)
		}
	})
}

func TestKeptContent(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		s := mustSigner(t)
		w := mustWriter(t, db, "gw1", s, 10)
		e := sampleEntry()
		e.KeepContent = true
		e.RequestBody = nil // a GET: an empty body, kept
		e.RequestDigest = [32]byte{}
		e.ResponseBody = []byte(`{"ho_ten":"Nguyễn Văn A"}`)
		e.Path = "/svc/x\xff\x00y" // invalid UTF-8 and NUL must not break the batch
		mustAppend(t, w, e)
		bad := sampleEntry()
		bad.KeepContent, bad.ResponseBody = true, []byte("other")
		if _, err := w.Append(ctx, bad); platform.ErrorClass(err) != platform.EInvalid {
			t.Fatalf("digest mismatch: %v", err)
		}
		mustClose(t, w)
		page, err := sharelog.Query(ctx, db, sharelog.Filter{})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("query: %v %v", page, err)
		}
		got, err := sharelog.Get(ctx, db, page.Items[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.KeepContent || len(got.RequestBody) != 0 || string(got.ResponseBody) != string(e.ResponseBody) ||
			got.ResponseDigest != sha256.Sum256(e.ResponseBody) || got.Path != "/svc/x\uFFFD\uFFFDy" {
			t.Fatalf("got %+v", got)
		}
		if _, err := sharelog.Get(ctx, db, 9999); platform.ErrorClass(err) != platform.ENotFound {
			t.Fatalf("get missing: %v", err)
		}
		wantOK(t, mustVerify(t, db, s.PublicKey()))
		mustExec(t, db, `UPDATE sharelog_entries SET response_body = $1`, []byte(`{"ho_ten":"Trần Thị B"}`))
		wantProblem(t, mustVerify(t, db, s.PublicKey()), "gw1", 1, sharelog.ProblemContent)
	})
}

func TestExports(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := mustWriter(t, db, "gw1", mustSigner(t), 10)
		e := sampleEntry()
		e.RequesterApp = `=HYPERLINK("http://evil.example","click")`
		e.Query = "-1+1"
		e.CorrelationID = "@SUM(A1)"
		mustAppend(t, w, e)
		mustAppend(t, w, sampleEntry())
		mustClose(t, w)

		names := sharelog.ExportOptions{OrgNames: func(_ context.Context, ids []int64) (map[int64]string, error) {
			return map[int64]string{e.RequesterOrgID: "Sở Y tế Đà Nẵng", e.ProviderOrgID: "=Sở Tài chính"}, nil
		}}
		var buf bytes.Buffer
		n, err := sharelog.ExportCSV(ctx, db, sharelog.Filter{}, names, &buf)
		if err != nil || n != 2 {
			t.Fatalf("export csv: %d, %v", n, err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("\ufeffid,")) {
			t.Fatalf("CSV must start with a byte-order mark (spreadsheets read UTF-8 then): %q", buf.Bytes()[:8])
		}
		buf.Next(len("\ufeff"))
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(recs) != 3 {
			t.Fatalf("csv: %v %v", recs, err)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		row := recs[2] // oldest last: the first entry appended
		if row[col["seq"]] != "1" || row[col["requester_app"]] != `'=HYPERLINK("http://evil.example","click")` ||
			row[col["query"]] != "'-1+1" || row[col["correlation_id"]] != "'@SUM(A1)" || row[col["status"]] != "200" {
			t.Fatalf("csv row = %q", row)
		}
		local := e.RequestedAt.In(time.FixedZone("ICT", 7*3600)).Format("02/01/2006 15:04:05")
		if row[col["requester_org"]] != "Sở Y tế Đà Nẵng" || row[col["provider_org"]] != "'=Sở Tài chính" || row[col["requested_at_local"]] != local {
			t.Fatalf("names and local time: %q %q %q, want local %q", row[col["requester_org"]], row[col["provider_org"]], row[col["requested_at_local"]], local)
		}

		buf.Reset()
		if n, err := sharelog.ExportXLSX(ctx, db, sharelog.Filter{}, names, &buf); err != nil || n != 2 {
			t.Fatalf("export xlsx: %d, %v", n, err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows, err := x.GetRows("Sheet1")
		if err != nil || len(rows) != 3 {
			t.Fatalf("xlsx rows: %v %v", rows, err)
		}
		if got := rows[2][col["requester_app"]]; !strings.HasPrefix(got, "'=") || rows[2][col["requester_org"]] != "Sở Y tế Đà Nẵng" {
			t.Fatalf("xlsx cells = %q, %q", got, rows[2][col["requester_org"]])
		}
	})
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "sharelog-ed25519.key")
	a, err := sharelog.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sharelog.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !a.PublicKey().Equal(b.PublicKey()) {
		t.Fatal("the key changed between loads")
	}
	pub, err := sharelog.ParsePublicKey(fmt.Sprintf("%x", a.PublicKey()))
	if err != nil || !pub.Equal(a.PublicKey()) {
		t.Fatalf("parse public key: %v", err)
	}
}
