package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharelog"
)

// runLog dispatches the sharing-log subcommands.
func runLog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		logUsage(stderr)
		return errUsage
	}
	switch args[0] {
	case "verify":
		return runLogVerify(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "govdx log: unknown subcommand %q\n", args[0])
	logUsage(stderr)
	return errUsage
}

func logUsage(w io.Writer) {
	fmt.Fprintln(w, `usage: govdx log verify [--data DIR] [--db DSN] [--trust-key HEX]...

subcommands:
  verify   recompute the sharing log's hash chains and check its signed checkpoints`)
}

// logKeyList collects repeated --trust-key flags.
type logKeyList []ed25519.PublicKey

func (l *logKeyList) String() string { return fmt.Sprint(len(*l), " keys") }

func (l *logKeyList) Set(s string) error {
	k, err := sharelog.ParsePublicKey(s)
	if err != nil {
		return err
	}
	*l = append(*l, k)
	return nil
}

// runLogVerify implements `govdx log verify`: exit 0 and "ok: ..." when the
// log verifies, exit 1 with the first broken or missing entry otherwise.
func runLogVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("govdx log verify", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fset)
	var trust logKeyList
	fset.Var(&trust, "trust-key", "Ed25519 public key (hex or base64) trusted to sign checkpoints; repeatable.\n"+
		"Default: the key in the data directory with SQLite, the keys stored with the checkpoints with PostgreSQL")
	fset.Usage = func() {
		logUsage(stderr)
		fmt.Fprintln(stderr, "\nflags:")
		fset.PrintDefaults()
	}
	if err := parseFlags(fset, args, stderr); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "govdx log verify: unexpected argument %q\n", fset.Arg(0))
		fset.Usage()
		return errUsage
	}

	// Only the sharing log's own schema is needed to verify it.
	db, err := platform.Open(ctx, platform.OpenConfig{PostgresDSN: sf.db, SQLitePath: filepath.Join(sf.data, "govdx.db")})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := platform.Migrate(ctx, db, []platform.Migrations{sharelog.Migrations()}, nil); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}

	keys := []ed25519.PublicKey(trust)
	if len(keys) == 0 && db.Dialect == platform.SQLite {
		// A single-node install signs with the key in its data directory:
		// pin it, so keys stored in the database are not taken on trust.
		s, err := sharelog.LoadKey(filepath.Join(sf.data, "sharelog-ed25519.key"))
		switch {
		case err == nil:
			keys = append(keys, s.PublicKey())
		case !errors.Is(err, fs.ErrNotExist):
			return err
		}
	}
	// Entries this data directory's gateway has journaled but not yet
	// indexed (after a crash, before the restart) are verified too.
	rep, err := sharelog.VerifyJournal(ctx, db, filepath.Join(sf.data, "sharelog"), keys)
	if err != nil {
		return err
	}
	if !rep.OK() {
		fmt.Fprintf(stdout, "FAILED: %s\n", rep.Problem)
		fmt.Fprintf(stdout, "(%s in %s and %s verified before it)\n",
			plural(rep.Entries, "entry", "entries"), plural(int64(rep.Chains), "chain", "chains"), plural(rep.Checkpoints, "checkpoint", "checkpoints"))
		return errors.New("the sharing log did not verify")
	}
	fmt.Fprintf(stdout, "ok: %s in %s, %s verified\n",
		plural(rep.Entries, "entry", "entries"), plural(int64(rep.Chains), "chain", "chains"), plural(rep.Checkpoints, "checkpoint", "checkpoints"))
	if rep.Journaled > 0 {
		fmt.Fprintf(stdout, "   (%d of them still only in the journal, not yet in the database)\n", rep.Journaled)
	}
	if !rep.KeysPinned && len(rep.Keys) > 0 {
		fmt.Fprintf(stderr, "note: checkpoint signatures were checked against the keys stored with them: %s\n"+
			"      compare them with your nodes' keys, or pin them with --trust-key\n", strings.Join(rep.Keys, ", "))
	}
	return nil
}

// plural writes n with the word for one or for several.
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}
