package syncshare_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/syncshare"
)

// TestPurgePackages: the file of a package expired for longer than the
// retention is removed and its record kept (downloads still answer 410
// package_expired); valid packages, recently expired ones and running
// builds are untouched; a build abandoned for a day is removed whole.
func TestPurgePackages(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		ctx := context.Background()
		const ref = "dn-stc.dn.goi-moi"
		old, err := e.build(ref, syncshare.PackageInput{Name: "cũ", ValidFor: 24 * time.Hour}, newEnterprises)
		if err != nil {
			t.Fatal(err)
		}
		e.advance(2 * 24 * time.Hour) // old expired a day ago
		fresh, err := e.build(ref, syncshare.PackageInput{Name: "mới"}, newEnterprises)
		if err != nil {
			t.Fatal(err)
		}
		// A build cut short by a stop: its row and first chunk stay behind.
		var abandoned int64
		mustQueryRow(t, db, `INSERT INTO sync_packages (service_id, service_identifier, service_name, provider_name, status, name, source,
			file_format, items, row_count, size_bytes, sha256, created_at, valid_until) SELECT service_id, service_identifier, service_name,
			provider_name, 'building', 'dở dang', '', 'csv', '[]', 0, 0, '', $1, $1 FROM sync_packages WHERE id = $2 RETURNING id`,
			[]any{e.clock(), fresh.ID}, &abandoned)
		mustExec(t, db, `INSERT INTO sync_package_chunks (package_id, n, data) VALUES ($1, 0, $2)`, abandoned, []byte("x"))
		chunks := func(id int64) (n int) {
			mustQueryRow(t, db, `SELECT COUNT(*) FROM sync_package_chunks WHERE package_id = $1`, []any{id}, &n)
			return n
		}

		// Expired a day ago, retention two days; the build is hours old.
		res, err := e.store.PurgePackages(ctx, 2*24*time.Hour)
		if err != nil || res != (syncshare.PackagePurge{}) {
			t.Fatalf("nothing is due yet: %+v %v", res, err)
		}
		e.advance(25 * time.Hour)
		res, err = e.store.PurgePackages(ctx, 2*24*time.Hour)
		if err != nil || res.Files != 1 || res.Bytes != old.Size || res.Abandoned != 1 {
			t.Fatalf("purge: %+v %v", res, err)
		}
		if chunks(old.ID) != 0 || chunks(fresh.ID) == 0 || chunks(abandoned) != 0 {
			t.Fatalf("chunks left: old %d, fresh %d, abandoned %d", chunks(old.ID), chunks(fresh.ID), chunks(abandoned))
		}
		var n int
		mustQueryRow(t, db, `SELECT COUNT(*) FROM sync_packages WHERE id = $1`, []any{abandoned}, &n)
		if n != 0 {
			t.Fatal("the abandoned build's record is still there")
		}
		// The record and manifest stay, marked; downloads answer 410.
		_, pkgs, err := e.store.Packages(ctx, e.provider, ref)
		if err != nil {
			t.Fatal(err)
		}
		var got *syncshare.Package
		for i := range pkgs {
			if pkgs[i].ID == old.ID {
				got = &pkgs[i]
			}
		}
		if got == nil || got.FileRemovedAt == nil || !got.FileRemovedAt.Equal(e.clock()) || !got.Expired || got.SHA256 != old.SHA256 {
			t.Fatalf("purged package record: %+v", got)
		}
		st, _, body := e.get(fmt.Sprintf("/s/%s/packages/%d", ref, old.ID), keyPkg)
		if st != 410 || problemCode(body) != gateway.CodePackageExpired {
			t.Fatalf("purged download: %d %s", st, body)
		}
		if st, _, body := e.get(fmt.Sprintf("/s/%s/packages/%d", ref, fresh.ID), keyPkg); st != 200 || !strings.Contains(string(body), "0402210001") {
			t.Fatalf("valid package after purge: %d", st)
		}
		// A second run finds nothing more to do.
		if res, err := e.store.PurgePackages(ctx, 2*24*time.Hour); err != nil || res != (syncshare.PackagePurge{}) {
			t.Fatalf("second purge: %+v %v", res, err)
		}
		if _, err := e.store.PurgePackages(ctx, -time.Hour); err == nil {
			t.Fatal("a negative retention is accepted")
		}
	})
}

// TestPurgeTombstones: deletions older than the retention leave the feed,
// oldest first; a consumer whose cursor is below the purge floor is told to
// start again (400 cursor) and the reference client does so by itself and
// ends with the right copy; a consumer past the floor goes on as before.
func TestPurgeTombstones(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		ctx := context.Background()
		e.push(household("HKD1", "Một", "a", "x"), household("HKD2", "Hai", "b", "y"), household("HKD3", "Ba", "c", "z"),
			household("HKD4", "Bốn", "d", "w")) // seq 1-4
		local, err := syncshare.OpenCopy(ctx, filepath.Join(t.TempDir(), "copy.sqlite"))
		if err != nil {
			t.Fatal(err)
		}
		defer local.Close()
		p := &syncshare.Puller{Gateway: e.gw, Service: "dn-stc.hkd.dong-bo", Key: keyFull}
		if _, err := p.Pull(ctx, local); err != nil { // the local copy is at cursor 4
			t.Fatal(err)
		}
		e.push(syncshare.RecordInput{Key: "HKD1", Deleted: true}) // seq 5
		e.advance(10 * 24 * time.Hour)
		e.push(syncshare.RecordInput{Key: "HKD2", Deleted: true}, household("HKD5", "Năm", "e", "v")) // seq 6, 7
		if b := e.batch(0, 100, keyLimited); b.NextCursor != 7 {                                      // account 2 is at the head
			t.Fatalf("account 2 batch: %+v", b)
		}
		e.advance(5 * 24 * time.Hour)

		// Retention 12 days: only the deletion at seq 5 (15 days old) goes.
		res, err := e.store.PurgeTombstones(ctx, 12*24*time.Hour)
		if err != nil || res.Feeds != 1 || res.Tombstones != 1 {
			t.Fatalf("purge: %+v %v", res, err)
		}
		f, err := e.store.FeedOf(ctx, e.provider, "dn-stc.hkd.dong-bo")
		if err != nil {
			t.Fatal(err)
		}
		if f.Feed.PurgedSeq != 5 || f.Feed.DeletedRows != 1 || f.Feed.LiveRows != 3 {
			t.Fatalf("feed after purge: %+v", f.Feed)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sync_records WHERE deleted = TRUE`); n != 1 {
			t.Fatalf("%d tombstones left", n)
		}
		// Cursor 4 would miss the deletion of HKD1.
		st, _, body := e.get("/s/dn-stc.hkd.dong-bo/changes?cursor=4", keyFull)
		if st != 400 || problemCode(body) != "bad_request" || !strings.Contains(string(body), `"field":"cursor"`) {
			t.Fatalf("cursor below the floor: %d %s", st, body)
		}
		// The reference client starts again from a snapshot by itself.
		if _, err := p.Pull(ctx, local); err != nil {
			t.Fatal(err)
		}
		cs, err := local.Status(ctx)
		if err != nil || cs.Records != 3 {
			t.Fatalf("local copy after the restart: %+v %v", cs, err)
		}
		for key, want := range map[string]bool{"HKD1": false, "HKD2": false, "HKD3": true, "HKD5": true} {
			if _, ok, err := local.Record(ctx, key); err != nil || ok != want {
				t.Errorf("local record %s: present %v, want %v (%v)", key, ok, want, err)
			}
		}
		// Past the floor nothing changes: account 2 follows from 7.
		if b := e.batch(7, 100, keyLimited); len(b.Records) != 0 || b.NextCursor != 7 {
			t.Fatalf("account 2 after purge: %+v", b)
		}
		// Nothing more is old enough; a negative retention is refused.
		if res, err := e.store.PurgeTombstones(ctx, 12*24*time.Hour); err != nil || res.Tombstones != 0 {
			t.Fatalf("second purge: %+v %v", res, err)
		}
		if _, err := e.store.PurgeTombstones(ctx, -time.Hour); err == nil {
			t.Fatal("a negative retention is accepted")
		}
	})
}

func mustExec(tb testing.TB, db *platform.DB, q string, args ...any) {
	tb.Helper()
	if _, err := db.Write.ExecContext(context.Background(), q, args...); err != nil {
		tb.Fatal(err)
	}
}

func mustQueryRow(tb testing.TB, db *platform.DB, q string, args []any, dest ...any) {
	tb.Helper()
	if err := db.Write.QueryRowContext(context.Background(), q, args...).Scan(dest...); err != nil {
		tb.Fatal(err)
	}
}
