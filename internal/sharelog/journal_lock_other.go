//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package sharelog

import "os"

// lockFile is a no-op where flock(2) is not available: one process per
// data directory is then the operator's responsibility, as with SQLite.
func lockFile(*os.File) error { return nil }
