package sharelog

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/govdx/govdx/internal/platform"
)

// PauseIndexing stops (or resumes) copying journaled entries into the
// database, so tests can leave entries in the journal only, as a crash
// would. A paused Writer's Close skips the final indexing and checkpoint.
func PauseIndexing(w *Writer, on bool) {
	w.pauseIndex.Store(on)
	select {
	case w.ixKick <- struct{}{}:
	default:
	}
}

// IndexedSeq is the last seq the indexer stored in the database.
func IndexedSeq(w *Writer) int64 { return w.indexed.Load() }

// JournalNodeDir is the journal directory of node under root.
func JournalNodeDir(root, node string) string { return filepath.Join(root, nodeDir(node)) }

// HoldPurgeLock takes the purge lock on a connection of its own, as another
// process would, until the returned function is called.
func HoldPurgeLock(t testing.TB, db *platform.DB) (release func()) {
	t.Helper()
	conn, err := db.Write.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ok bool
	if err := conn.QueryRowContext(context.Background(), `SELECT pg_try_advisory_lock($1)`, purgeLockID).Scan(&ok); err != nil || !ok {
		t.Fatalf("take the purge lock: %v %v", ok, err)
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, purgeLockID)
		conn.Close()
	}
}
