//go:build !linux

package sharelog

import "os"

// fdatasync falls back to a full sync where fdatasync(2) is not available.
func fdatasync(f *os.File) error { return f.Sync() }
