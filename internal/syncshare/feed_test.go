package syncshare_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharelog"
	"github.com/govdx/govdx/internal/syncshare"
)

// TestFeedSnapshotIncrementalDeletes follows a feed through the gateway:
// a first pull is a snapshot without tombstones, later pulls return only
// what changed (updates and deletions), unchanged pushes take no new
// sequence number, and every batch is in the sharing log as a sync call.
func TestFeedSnapshotIncrementalDeletes(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		res := e.push(household("HKD1", "Quán cơm Bà Lý", "12 Lê Duẩn", "Lý Thị Hoa"),
			household("HKD2", "Tạp hóa Minh Tâm", "45 Nguyễn Lương Bằng", "Trần Minh Tâm"),
			household("HKD3", "Sửa xe Anh Tuấn", "203 Tôn Đức Thắng", "Lê Anh Tuấn"))
		if res.Inserted != 3 || res.Head != 3 {
			t.Fatalf("first push: %+v", res)
		}
		// HKD3 is deleted before anyone pulls: a fresh copy never sees it.
		e.push(syncshare.RecordInput{Key: "HKD3", Deleted: true})

		b := e.batch(0, 1000, keyFull)
		if !b.Snapshot || b.HasMore || b.NextCursor != 4 || b.Head != 4 || len(b.Records) != 2 {
			t.Fatalf("snapshot: %+v", b)
		}
		for _, r := range b.Records {
			if r.Deleted {
				t.Fatalf("a snapshot carries no tombstones: %+v", r)
			}
		}
		if b.SyncedAt == nil || b.ValidUntil == nil || !b.ValidUntil.Equal(b.SyncedAt.Add(24*time.Hour)) {
			t.Fatalf("validity: %v %v", b.SyncedAt, b.ValidUntil)
		}
		e2 := e.log.last()
		if e2.Form != sharelog.FormSync || e2.Status != 200 || e2.AccountID != 1 || e2.ServiceID != svcSync {
			t.Fatalf("log entry: %+v", e2)
		}

		// Same data again: nothing changes, the head stays.
		if r := e.push(household("HKD1", "Quán cơm Bà Lý", "12 Lê Duẩn", "Lý Thị Hoa")); r.Unchanged != 1 || r.Head != 4 {
			t.Fatalf("unchanged push: %+v", r)
		}
		e.push(household("HKD2", "Tạp hóa Minh Tâm", "47 Nguyễn Lương Bằng", "Trần Minh Tâm"),
			syncshare.RecordInput{Key: "HKD1", Deleted: true}, household("HKD4", "Cà phê Hải Vân", "5 Nguyễn Tất Thành", "Võ Hải"))
		inc := e.batch(b.NextCursor, 1000, keyFull)
		if inc.Snapshot || inc.HasMore || len(inc.Records) != 3 || inc.NextCursor != 7 {
			t.Fatalf("incremental: %+v", inc)
		}
		got := map[string]syncshare.Change{}
		for _, r := range inc.Records {
			got[r.Key] = r
		}
		if !got["HKD1"].Deleted || got["HKD1"].Data != nil || got["HKD2"].Deleted || !strings.Contains(string(got["HKD2"].Data), "47 Nguyễn") || got["HKD4"].Seq != 7 {
			t.Fatalf("changes: %+v", got)
		}
		// At the head, an empty batch still renews the copy.
		e.advance(time.Hour)
		again := e.batch(inc.NextCursor, 1000, keyFull)
		if len(again.Records) != 0 || again.HasMore || !again.SyncedAt.Equal(e.clock()) {
			t.Fatalf("at head: %+v", again)
		}

		f, err := e.store.FeedOf(context.Background(), e.provider, "1")
		if err != nil {
			t.Fatal(err)
		}
		if f.Feed.Head != 7 || f.Feed.LiveRows != 2 || f.Feed.DeletedRows != 2 || f.Feed.KeyItem != "ma_ho" || len(f.Copies) != 2 {
			t.Fatalf("feed status: %+v", f)
		}
	})
}

// TestCopyExpires is D47-41.2b: a consumer that stops pulling sees its
// copy expire, on the status page (server side) and in its local copy
// (govdx sync pull's client); a new pull makes it valid again.
func TestCopyExpires(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		e.push(household("HKD1", "Quán cơm Bà Lý", "12 Lê Duẩn", "Lý Thị Hoa"))
		ctx := context.Background()
		local, err := syncshare.OpenCopy(ctx, filepath.Join(t.TempDir(), "copy.sqlite"))
		if err != nil {
			t.Fatal(err)
		}
		defer local.Close()
		p := &syncshare.Puller{Gateway: e.gw, Service: "dn-stc.hkd.dong-bo", Key: keyFull}
		res, err := p.Pull(ctx, local)
		if err != nil {
			t.Fatal(err)
		}
		synced := e.clock()
		if !res.ValidUntil.Equal(synced.Add(24 * time.Hour)) {
			t.Fatalf("valid until %v, want %v", res.ValidUntil, synced.Add(24*time.Hour))
		}
		state := func() string {
			t.Helper()
			copies, err := e.store.Copies(ctx, e.consumer)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range copies {
				if c.AccountID == 1 {
					return c.State
				}
			}
			t.Fatal("no copy of account 1")
			return ""
		}
		st, _ := local.Status(ctx)
		if state() != syncshare.CopyValid || st.State(e.clock()) != syncshare.CopyValid || st.Records != 1 {
			t.Fatalf("after the pull: server %s, local %+v", state(), st)
		}

		// The consumer stops pulling for a day.
		e.advance(24*time.Hour + time.Second)
		st, _ = local.Status(ctx)
		if state() != syncshare.CopyExpired || st.State(e.clock()) != syncshare.CopyExpired {
			t.Fatalf("a day later: server %s, local %s", state(), st.State(e.clock()))
		}
		// Account 2 never pulled: never valid.
		copies, _ := e.store.Copies(ctx, e.consumer)
		for _, c := range copies {
			if c.AccountID == 2 && c.State != syncshare.CopyNever {
				t.Fatalf("account 2: %+v", c)
			}
		}
		if _, err := p.Pull(ctx, local); err != nil {
			t.Fatal(err)
		}
		st, _ = local.Status(ctx)
		if state() != syncshare.CopyValid || st.State(e.clock()) != syncshare.CopyValid || !st.ValidUntil.Equal(e.clock().Add(24*time.Hour)) {
			t.Fatalf("after a new pull: server %s, local %+v", state(), st)
		}
	})
}

// failAfter lets n requests through, then fails: an interrupted pull.
type failAfter struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (f *failAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.n.Add(-1) < 0 {
		return nil, errors.New("network down")
	}
	return f.next.RoundTrip(r)
}

// TestPullResumes interrupts a snapshot in the middle: the copy keeps the
// batches it committed, is not valid, and the next pull continues from
// its cursor to the same state as an uninterrupted copy.
func TestPullResumes(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		var recs []syncshare.RecordInput
		for _, c := range []string{"A", "B", "C", "D", "E", "F", "G"} {
			recs = append(recs, household("HKD"+c, "Hộ "+c, "Đà Nẵng", "Chủ "+c))
		}
		e.push(recs...)
		ctx := context.Background()
		local, err := syncshare.OpenCopy(ctx, filepath.Join(t.TempDir(), "copy.sqlite"))
		if err != nil {
			t.Fatal(err)
		}
		defer local.Close()
		ft := &failAfter{next: http.DefaultTransport}
		ft.n.Store(2)
		p := &syncshare.Puller{Gateway: e.gw, Service: "dn-stc.hkd.dong-bo", Key: keyFull, Limit: 2, HTTP: &http.Client{Transport: ft}}
		if _, err := p.Pull(ctx, local); err == nil {
			t.Fatal("the pull should have been interrupted")
		}
		st, _ := local.Status(ctx)
		if st.Cursor != 4 || st.Records != 4 || st.State(e.clock()) != syncshare.CopyNever {
			t.Fatalf("interrupted copy: %+v", st)
		}
		// Meanwhile a record already fetched changes and another goes.
		e.push(household("HKDA", "Hộ A mới", "Đà Nẵng", "Chủ A"), syncshare.RecordInput{Key: "HKDB", Deleted: true})
		ft.n.Store(100)
		res, err := p.Pull(ctx, local)
		if err != nil {
			t.Fatal(err)
		}
		st, _ = local.Status(ctx)
		if st.Cursor != 9 || st.Records != 6 || st.State(e.clock()) != syncshare.CopyValid || res.Head != 9 {
			t.Fatalf("resumed copy: %+v %+v", st, res)
		}
		if d, ok, _ := local.Record(ctx, "HKDA"); !ok || !strings.Contains(string(d), "Hộ A mới") {
			t.Fatalf("HKDA: %s", d)
		}
		if _, ok, _ := local.Record(ctx, "HKDB"); ok {
			t.Fatal("HKDB was deleted")
		}
	})
}

// TestFeedProjection is D47-35.2d on feed records: an account approved
// for some items receives only those, and a key item it is not approved
// for is replaced by a stable pseudonym.
func TestFeedProjection(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		e.push(household("HKD1", "Quán cơm Bà Lý", "12 Lê Duẩn", "Lý Thị Hoa"))
		b := e.batch(0, 10, keyLimited)
		if len(b.Records) != 1 {
			t.Fatalf("%+v", b)
		}
		r := b.Records[0]
		var data map[string]string
		if err := json.Unmarshal(r.Data, &data); err != nil {
			t.Fatal(err)
		}
		if len(data) != 2 || data["ten"] == "" || data["dia_chi"] == "" || strings.Contains(string(r.Data), "Lý Thị Hoa") {
			t.Fatalf("projected record: %s", r.Data)
		}
		if r.Key == "HKD1" || !strings.HasPrefix(r.Key, "p-") {
			t.Fatalf("the key item is not approved, the key must be hidden: %q", r.Key)
		}
		// Stable: a deletion reaches the same pseudonym.
		e.push(syncshare.RecordInput{Key: "HKD1", Deleted: true})
		inc := e.batch(b.NextCursor, 10, keyLimited)
		if len(inc.Records) != 1 || !inc.Records[0].Deleted || inc.Records[0].Key != r.Key {
			t.Fatalf("deletion: %+v, want key %s", inc.Records, r.Key)
		}
		// ?fields= narrows further; an unapproved item is refused.
		st, _, body := e.get("/s/dn-stc.hkd.dong-bo/changes?cursor=0&fields=ten", keyFull)
		if st != 200 || strings.Contains(string(body), "dia_chi") {
			t.Fatalf("fields: %d %s", st, body)
		}
		st, _, body = e.get("/s/dn-stc.hkd.dong-bo/changes?cursor=0&fields=chu_ho", keyLimited)
		if st != 403 || problemCode(body) != gateway.CodeItemNotApproved {
			t.Fatalf("unapproved field: %d %s", st, body)
		}
	})
}

// TestFeedRefusals: bad cursors and limits, unknown paths, no credential,
// wrong methods; each refused and logged.
func TestFeedRefusals(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		e.push(household("HKD1", "A", "B", "C"), household("HKD2", "A", "B", "C"))
		for _, c := range []struct {
			path, key string
			status    int
			code      string
		}{
			{"/s/dn-stc.hkd.dong-bo/changes?cursor=99", keyFull, 400, gateway.CodeBadRequest},
			{"/s/dn-stc.hkd.dong-bo/changes?cursor=1", keyFull, 400, gateway.CodeBadRequest}, // never given to this account
			{"/s/dn-stc.hkd.dong-bo/changes?cursor=-1", keyFull, 400, gateway.CodeBadRequest},
			{"/s/dn-stc.hkd.dong-bo/changes?limit=0", keyFull, 400, gateway.CodeBadRequest},
			{"/s/dn-stc.hkd.dong-bo/changes?limit=100000", keyFull, 400, gateway.CodeBadRequest},
			{"/s/dn-stc.hkd.dong-bo/other", keyFull, 404, gateway.CodeNotFound},
			{"/s/dn-stc.hkd.dong-bo/changes", "", 401, gateway.CodeInvalidCredential},
			{"/s/dn-stc.hkd.dong-bo/changes", keyPkg, 403, gateway.CodeNoAccount},
		} {
			st, _, body := e.get(c.path, c.key)
			if st != c.status || problemCode(body) != c.code {
				t.Errorf("%s: %d %s, want %d %s", c.path, st, body, c.status, c.code)
			}
			if l := e.log.last(); l.Status != c.status || l.RefusalCode != c.code {
				t.Errorf("%s: logged %d %s", c.path, l.Status, l.RefusalCode)
			}
		}
		// A cursor the account was given is accepted.
		b := e.batch(0, 1, keyFull)
		if !b.HasMore || b.NextCursor != 1 || b.SyncedAt != nil {
			t.Fatalf("first page: %+v", b)
		}
		e.batch(1, 1, keyFull)
		req, _ := http.NewRequest("POST", e.gw+"/s/dn-stc.hkd.dong-bo/changes", strings.NewReader("{}"))
		req.Header.Set("X-Api-Key", keyFull)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 405 {
			t.Fatalf("POST: %d", res.StatusCode)
		}
	})
}

// TestPushValidation: a bad batch is refused whole with every problem.
func TestPushValidation(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{MaxPushRecords: 5})
		ctx := context.Background()
		bad := []syncshare.RecordInput{
			household("HKD1", "ok", "ok", "ok"),
			{Data: json.RawMessage(`{"ma_ho":"HKD2","khong_co":"x"}`)},
			{Data: json.RawMessage(`[1,2]`)},
			{Key: "HKD3", Deleted: true, Data: json.RawMessage(`{"ten":"x"}`)},
			household("HKD1", "again", "ok", "ok"),
		}
		_, err := e.store.PushRecords(ctx, e.provider, "dn-stc.hkd.dong-bo", syncshare.PushInput{Records: bad})
		pe := platform.AsError(err)
		if pe.Class != platform.EInvalid || pe.Field != "records" || pe.Extra["error_count"] != 4 {
			t.Fatalf("bad batch: %v %+v", err, pe.Extra)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sync_records`); n != 0 {
			t.Fatalf("%d records stored from a refused batch", n)
		}
		many := make([]syncshare.RecordInput, 6)
		if _, err := e.store.PushRecords(ctx, e.provider, "1", syncshare.PushInput{Records: many}); platform.AsError(err).Code != "too_many_records" {
			t.Fatalf("too many: %v", err)
		}
		// Only the provider's officers push, only into sync services.
		if _, err := e.store.PushRecords(ctx, e.consumer, "1", syncshare.PushInput{Records: bad[:1]}); platform.ErrorClass(err) != platform.EForbidden {
			t.Fatalf("consumer push: %v", err)
		}
		if _, err := e.store.PushRecords(ctx, e.provider, "2", syncshare.PushInput{Records: bad[:1]}); platform.AsError(err).Code != "wrong_method" {
			t.Fatalf("package service: %v", err)
		}
		if _, err := e.store.PushRecords(ctx, e.provider, "1", syncshare.PushInput{KeyItem: "nope", Records: bad[:1]}); platform.AsError(err).Field != "key_item" {
			t.Fatalf("unknown key item: %v", err)
		}
	})
}

// TestSnapshotUpload replaces a feed from files: rows missing from the new
// file become deletions, labels work as headers, and malformed files,
// huge files and zip bombs are refused with nothing published.
func TestSnapshotUpload(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{MaxUpload: 64 << 10})
		ctx := context.Background()
		snap := func(format string, body string) (syncshare.PushResult, error) {
			return e.store.ReplaceSnapshot(ctx, e.provider, "dn-stc.hkd.dong-bo", syncshare.SnapshotInput{Format: format}, strings.NewReader(body))
		}
		res, err := snap("", "\ufeffMã hộ kinh doanh;ten;dia_chi\nHKD1;Quán A;Đà Nẵng\nHKD2;Quán B;Đà Nẵng\nHKD3;Quán C;Đà Nẵng\n")
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 3 || res.Head != 3 || res.Rows != 3 {
			t.Fatalf("first snapshot: %+v", res)
		}
		res, err = snap("json", `[{"ma_ho":"HKD1","ten":"Quán A","dia_chi":"Đà Nẵng"},{"ma_ho":"HKD2","ten":"Quán B mới","dia_chi":"Đà Nẵng"},{"ma_ho":"HKD9","ten":"Quán Z"}]`)
		if err != nil {
			t.Fatal(err)
		}
		if res.Unchanged != 1 || res.Updated != 1 || res.Inserted != 1 || res.Deleted != 1 || res.Head != 6 {
			t.Fatalf("second snapshot: %+v", res)
		}
		b := e.batch(0, 100, keyFull)
		if len(b.Records) != 3 || b.Head != 6 {
			t.Fatalf("feed after the snapshots: %+v", b)
		}

		for _, c := range []struct {
			name, format, body, code string
		}{
			{"bare quote", "csv", "ma_ho,ten\nHKD1,Quán \"A\nHKD2,B\n", "invalid_file"},
			{"unknown column", "csv", "ma_ho,ten,so_cccd\nHKD1,A,079123456789\n", "invalid_file"},
			{"repeated key", "csv", "ma_ho,ten\nHKD1,A\nHKD1,B\n", "invalid_file"},
			{"empty key", "csv", "ma_ho,ten\n,A\n", "invalid_file"},
			{"short row", "csv", "ma_ho,ten\nHKD1\n", "invalid_file"},
			{"not UTF-8", "csv", "ma_ho,ten\nHKD1,Qu\xe1n\n", "invalid_file"},
			{"no key column", "csv", "ten,dia_chi\nA,B\n", "invalid_file"},
			{"JSON not an array", "json", `{"ma_ho":"x"}`, "invalid_file"},
			{"JSON broken", "json", `[{"ma_ho":"x"},{"ma_ho":`, "invalid_file"},
			{"CSV named XLSX", "xlsx", "ma_ho\nHKD1\n", "format_mismatch"},
			{"huge", "csv", "ma_ho,ten\n" + strings.Repeat("HKD1,"+strings.Repeat("x", 100)+"\n", 1000), "file_too_large"},
			{"empty", "csv", "", "empty_file"},
			{"header only: would delete everything", "csv", "ma_ho,ten\n", "invalid_file"},
		} {
			_, err := snap(c.format, c.body)
			if code := platform.AsError(err).Code; code != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sync_staging`); n != 0 {
			t.Fatalf("%d staged rows left", n)
		}
		if f, _ := e.store.FeedOf(ctx, e.provider, "1"); f.Feed.Head != 6 || f.Feed.LiveRows != 3 {
			t.Fatalf("a refused file changed the feed: %+v", f.Feed)
		}
		// Every bad line is listed, not just the first.
		_, err = snap("csv", "ma_ho,ten\n,A\nHKD1,B\n,C\nHKD1,D\n")
		if list, _ := platform.AsError(err).Extra["errors"].([]string); len(list) != 3 || !strings.Contains(list[0], "line 2") {
			t.Fatalf("problems: %v", platform.AsError(err).Extra)
		}
	})
}

// TestStatusAPIOfConsumer: GET /s/{service}/status tells an account its
// own copy's state.
func TestStatusOfAccount(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		e.push(household("HKD1", "A", "B", "C"))
		e.batch(0, 10, keyFull)
		st, h, body := e.get("/s/dn-stc.hkd.dong-bo/status", keyFull)
		var s syncshare.SyncState
		_ = json.Unmarshal(body, &s)
		if st != 200 || s.State != syncshare.CopyValid || s.Cursor != 1 || h.Get("X-Data-Valid-Until") != s.ValidUntil.Format(time.RFC3339) {
			t.Fatalf("status: %d %s %v", st, body, h)
		}
	})
}
