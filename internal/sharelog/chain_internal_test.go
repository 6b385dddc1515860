package sharelog

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// TestRewrittenChainIsCaughtByCheckpoint: someone with write access changes
// entry 25 and recomputes every hash after it, so the chain itself is
// consistent again; only the signed checkpoint at seq 30 can tell.
func TestRewrittenChainIsCaughtByCheckpoint(t *testing.T) {
	platformtest.ForEachDB(t, []platform.Migrations{Migrations()}, func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		s := NewEd25519Signer(priv)
		w, err := NewWriter(ctx, db, "gw1", s, Options{CheckpointEvery: 10, CheckpointInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		for range 30 {
			if _, err := w.Append(ctx, Entry{Status: 200, Path: "/a"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		var prev [32]byte
		var buf []byte
		for seq := int64(1); seq <= 30; seq++ {
			var e Entry
			row := db.Read.QueryRowContext(ctx, `SELECT id, `+entryColumns+` FROM sharelog_entries WHERE node = $1 AND seq = $2`, "gw1", seq)
			if _, _, err := scanEntry(row, &e); err != nil {
				t.Fatal(err)
			}
			if seq >= 25 {
				if seq == 25 {
					e.Status = 404
				}
				e.Hash, buf = chainHash(buf, &prev, &e)
				if _, err := db.Write.ExecContext(ctx, `UPDATE sharelog_entries SET status = $1, hash = $2 WHERE id = $3`, e.Status, e.Hash[:], e.ID); err != nil {
					t.Fatal(err)
				}
			}
			prev = e.Hash
		}
		rep, err := Verify(ctx, db, []ed25519.PublicKey{s.PublicKey()})
		if err != nil {
			t.Fatal(err)
		}
		if p := rep.Problem; p == nil || p.Seq != 30 || p.Kind != ProblemCheckpoint {
			t.Fatalf("problem = %v", p)
		}
	})
}

// TestCommitFailureThenRecovery: a failed group commit fails its appenders
// with a coded error, and the next batch continues the chain correctly.
func TestCommitFailureThenRecovery(t *testing.T) {
	platformtest.ForEachDB(t, []platform.Migrations{Migrations()}, func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		s := NewEd25519Signer(priv)
		w, err := NewWriter(ctx, db, "gw1", s, Options{CheckpointEvery: 10, CheckpointInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if seq, err := w.Append(ctx, Entry{Status: 200}); err != nil || seq != 1 {
			t.Fatalf("append: %d %v", seq, err)
		}
		if _, err := db.Write.ExecContext(ctx, `ALTER TABLE sharelog_entries RENAME TO sharelog_away`); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Append(ctx, Entry{Status: 200}); platform.ErrorClass(err) != platform.EUnavailable {
			t.Fatalf("append without table: %v", err)
		}
		if _, err := db.Write.ExecContext(ctx, `ALTER TABLE sharelog_away RENAME TO sharelog_entries`); err != nil {
			t.Fatal(err)
		}
		if seq, err := w.Append(ctx, Entry{Status: 200}); err != nil || seq != 2 {
			t.Fatalf("append after recovery: %d %v", seq, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		rep, err := Verify(ctx, db, nil)
		if err != nil || !rep.OK() || rep.Entries != 2 {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}
