package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// waitState polls a job until it leaves "running" (or the test times out).
func waitState(t *testing.T, x *Exports, owner int64, id string) ExportStatus {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		s, err := x.Status(owner, id)
		if err != nil {
			t.Fatal(err)
		}
		if s.State != ExportRunning || time.Now().After(deadline) {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// blockingSpec writes half its rows, reports them, then waits for release.
func blockingSpec(release <-chan struct{}, result error) ExportSpec {
	return ExportSpec{Title: "t", Filename: "f.csv", ContentType: "text/csv", Total: 10,
		Write: func(ctx context.Context, w io.Writer, progress func(int64)) (int64, error) {
			if _, err := io.WriteString(w, "a,b\n1,2\n"); err != nil {
				return 0, err
			}
			progress(5)
			select {
			case <-release:
			case <-ctx.Done():
				return 5, ctx.Err()
			}
			progress(10)
			return 10, result
		}}
}

func TestExportJobs(t *testing.T) {
	root := t.TempDir()
	stale := filepath.Join(root, "run-old")
	if err := os.Mkdir(stale, 0o700); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-3 * ExportTTL)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	x, err := NewExports(root, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an old run's directory is still there: %v", err)
	}
	alice, bob := &identity.Principal{UserID: 1}, &identity.Principal{UserID: 2}

	t.Run("progress then file", func(t *testing.T) {
		release := make(chan struct{})
		id, err := x.Start(alice, blockingSpec(release, nil))
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			s, _ := x.Status(alice.UserID, id)
			if s.Rows == 5 {
				if s.State != ExportRunning || s.Percent != 50 || s.File != "" {
					t.Errorf("half way: %+v", s)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no progress: %+v", s)
			}
		}
		if _, err := x.Status(bob.UserID, id); platform.ErrorClass(err) != platform.ENotFound {
			t.Errorf("another user sees the job: %v", err)
		}
		close(release)
		s := waitState(t, x, alice.UserID, id)
		if s.State != ExportDone || s.Percent != 100 || s.Rows != 10 || s.Bytes != 8 || s.File != "/exports/"+id+"/file" {
			t.Errorf("done: %+v", s)
		}
		if b, err := os.ReadFile(filepath.Join(x.dir, id)); err != nil || string(b) != "a,b\n1,2\n" {
			t.Errorf("file: %q %v", b, err)
		}
	})

	t.Run("failure keeps the message and no file", func(t *testing.T) {
		release := make(chan struct{})
		close(release)
		id, err := x.Start(alice, blockingSpec(release, platform.Errorf(platform.ETooLarge, "too_many_rows", "too many")))
		if err != nil {
			t.Fatal(err)
		}
		s := waitState(t, x, alice.UserID, id)
		if s.State != ExportFailed || s.Error != "too many" || s.File != "" {
			t.Errorf("failed: %+v", s)
		}
		if _, err := os.Stat(filepath.Join(x.dir, id)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a failed export left its file: %v", err)
		}
	})

	t.Run("limits, cancel and removal", func(t *testing.T) {
		release := make(chan struct{})
		a1, err1 := x.Start(alice, blockingSpec(release, nil))
		a2, err2 := x.Start(alice, blockingSpec(release, nil))
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		if _, err := x.Start(alice, blockingSpec(release, nil)); platform.ErrorClass(err) != platform.ETooMany {
			t.Errorf("a third running export: %v", err)
		}
		b1, err := x.Start(bob, blockingSpec(release, nil))
		if err != nil {
			t.Errorf("another user is held back: %v", err)
		}
		if err := x.Cancel(bob.UserID, a1); platform.ErrorClass(err) != platform.ENotFound {
			t.Errorf("bob cancelled alice's export: %v", err)
		}
		if err := x.Cancel(alice.UserID, a1); err != nil {
			t.Fatal(err)
		}
		if s := waitState(t, x, alice.UserID, a1); s.State != ExportCancelled {
			t.Errorf("cancelled: %+v", s)
		}
		if err := x.Cancel(alice.UserID, a1); err != nil {
			t.Fatal(err)
		}
		if _, err := x.Status(alice.UserID, a1); platform.ErrorClass(err) != platform.ENotFound {
			t.Errorf("a cancelled export is still listed after removal: %v", err)
		}
		close(release)
		waitState(t, x, alice.UserID, a2)
		waitState(t, x, bob.UserID, b1)
		if got := len(x.List(alice.UserID)); got != 3 {
			t.Errorf("alice lists %d exports, want 3", got)
		}
	})

	t.Run("finished exports expire", func(t *testing.T) {
		later := time.Now().Add(ExportTTL + time.Minute)
		x.mu.Lock()
		x.now = func() time.Time { return later }
		x.mu.Unlock()
		x.expire()
		if l := x.List(alice.UserID); len(l) != 0 {
			t.Errorf("expired exports are listed: %+v", l)
		}
		if des, _ := os.ReadDir(x.dir); len(des) != 0 {
			t.Errorf("expired files are kept: %d", len(des))
		}
	})

	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(x.dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left the run's directory: %v", err)
	}
	if _, err := x.Start(alice, blockingSpec(nil, nil)); platform.ErrorClass(err) != platform.EUnavailable {
		t.Errorf("start after Close: %v", err)
	}
}
