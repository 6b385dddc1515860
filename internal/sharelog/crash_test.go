package sharelog_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharelog"
)

// TestCrashKeepsAcknowledgedEntries kills a process that is appending
// (SIGKILL, mid group commit) and checks that every entry whose Append had
// returned is in the log, that the log verifies, and that a new Writer
// continues the chain. In journal mode the acknowledged entries may still
// be in the journal only: the journal must verify as it is, and the next
// Writer must index them.
func TestCrashKeepsAcknowledgedEntries(t *testing.T) {
	if path := os.Getenv("SHARELOG_CRASH_DB"); path != "" {
		crashChild(path)
		return
	}
	if testing.Short() {
		t.Skip("spawns a process")
	}
	for _, mode := range []string{"direct", "journal"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "govdx.db")
			keyPath := filepath.Join(dir, "sharelog-ed25519.key")
			journalDir := ""
			if mode == "journal" {
				journalDir = filepath.Join(dir, "sharelog")
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKeepsAcknowledgedEntries$")
			cmd.Env = append(os.Environ(), "SHARELOG_CRASH_DB="+path, "SHARELOG_CRASH_KEY="+keyPath, "SHARELOG_CRASH_JOURNAL="+journalDir)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			acked := map[int64]bool{}
			sc := bufio.NewScanner(out)
			for len(acked) < 2000 && sc.Scan() {
				seq, err := strconv.ParseInt(sc.Text(), 10, 64)
				if err != nil {
					t.Fatalf("child said %q", sc.Text())
				}
				acked[seq] = true
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			if len(acked) < 2000 {
				t.Fatalf("child stopped after %d entries", len(acked))
			}

			ctx := context.Background()
			db, err := platform.Open(ctx, platform.OpenConfig{SQLitePath: path})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			signer, err := sharelog.LoadKey(keyPath)
			if err != nil {
				t.Fatal(err)
			}
			if journalDir != "" {
				rep, err := sharelog.VerifyJournal(ctx, db, journalDir, []ed25519.PublicKey{signer.PublicKey()})
				if err != nil {
					t.Fatal(err)
				}
				wantOK(t, rep)
				t.Logf("after the crash: %d entries in the database, %d in the journal only", rep.Entries, rep.Journaled)
				if rep.Entries+rep.Journaled < int64(len(acked)) {
					t.Fatalf("after the crash: %+v, but %d entries were acknowledged", rep, len(acked))
				}
				// The next Writer indexes the journal's entries.
				w, err := sharelog.NewWriter(ctx, db, "crash", signer, sharelog.Options{JournalDir: journalDir, CheckpointInterval: -1})
				if err != nil {
					t.Fatal(err)
				}
				mustClose(t, w)
			}
			for seq := range acked {
				var n int
				if err := db.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sharelog_entries WHERE node = 'crash' AND seq = $1`, seq).Scan(&n); err != nil || n != 1 {
					t.Fatalf("acknowledged seq %d: found %d, %v", seq, n, err)
				}
			}
			rep := mustVerify(t, db, signer.PublicKey())
			wantOK(t, rep)
			opts := sharelog.Options{CheckpointEvery: 1000, CheckpointInterval: -1, JournalDir: journalDir}
			w, err := sharelog.NewWriter(ctx, db, "crash", signer, opts)
			if err != nil {
				t.Fatal(err)
			}
			if seq := mustAppend(t, w, sampleEntry()); seq != rep.Entries+1 {
				t.Fatalf("seq after crash = %d, want %d", seq, rep.Entries+1)
			}
			mustClose(t, w)
			wantOK(t, mustVerify(t, db, signer.PublicKey()))
		})
	}
}

// crashChild appends from many goroutines and prints each acknowledged seq
// until it is killed.
func crashChild(path string) {
	ctx := context.Background()
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(3)
	}
	db, err := platform.Open(ctx, platform.OpenConfig{SQLitePath: path})
	if err != nil {
		fail(err)
	}
	if err := platform.Migrate(ctx, db, sets(), nil); err != nil {
		fail(err)
	}
	signer, err := sharelog.LoadOrCreateKey(os.Getenv("SHARELOG_CRASH_KEY"))
	if err != nil {
		fail(err)
	}
	w, err := sharelog.NewWriter(ctx, db, "crash", signer, sharelog.Options{CheckpointEvery: 300,
		JournalDir: os.Getenv("SHARELOG_CRASH_JOURNAL"), IndexInterval: 5 * time.Millisecond, IndexBatch: 256})
	if err != nil {
		fail(err)
	}
	var mu sync.Mutex
	stdout := bufio.NewWriter(os.Stdout)
	for range 32 {
		go func() {
			for {
				seq, err := w.Append(ctx, sampleEntry())
				if err != nil {
					fail(err)
				}
				mu.Lock()
				fmt.Fprintln(stdout, seq)
				stdout.Flush()
				mu.Unlock()
			}
		}()
	}
	select {}
}
