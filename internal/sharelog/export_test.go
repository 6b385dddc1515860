package sharelog

import "path/filepath"

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
