package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/syncshare"
)

// runSync is the reference consumer of synchronised sharing (D47-23.1b):
//
//	govdx sync pull --gateway URL --service ID --key KEY --db copy.sqlite [--once] [--interval 1m]
//	govdx sync status --db copy.sqlite
func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: govdx sync pull|status [flags]")
		return errUsage
	}
	switch args[0] {
	case "pull":
		return runSyncPull(ctx, args[1:], stdout, stderr, time.Now)
	case "status":
		return runSyncStatus(ctx, args[1:], stdout, stderr, time.Now)
	}
	fmt.Fprintf(stderr, "govdx sync: unknown subcommand %q (pull, status)\n", args[0])
	return errUsage
}

// errCopyExpired: the copy's validity ended (D47-41.2b); its data must not
// be used until a pull succeeds.
var errCopyExpired = errors.New("copy expired")

func runSyncPull(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("sync pull", flag.ContinueOnError)
	gw := fs.String("gateway", envOr("GOVDX_GATEWAY_URL", "http://127.0.0.1:8081"), "gateway base URL (env GOVDX_GATEWAY_URL)")
	service := fs.String("service", "", "identifier of the sync service")
	key := fs.String("key", "", "connection account API key (or env GOVDX_SYNC_KEY, or GOVDX_SYNC_KEY_FILE)")
	db := fs.String("db", "", "local SQLite copy, created if missing")
	once := fs.Bool("once", false, "pull to the head once and exit")
	interval := fs.Duration("interval", time.Minute, "time between pulls")
	limit := fs.Int("limit", 1000, "records per batch (1-5000)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *key == "" {
		*key = secretEnv("GOVDX_SYNC_KEY")
	}
	if *service == "" || *db == "" || *key == "" {
		fmt.Fprintln(stderr, "govdx sync pull: --service, --db and a key (--key or GOVDX_SYNC_KEY) are required")
		return errUsage
	}
	if *interval < time.Second {
		*interval = time.Second
	}
	local, err := syncshare.OpenCopy(ctx, *db)
	if err != nil {
		return err
	}
	defer local.Close()
	p := &syncshare.Puller{Gateway: *gw, Service: *service, Key: strings.TrimSpace(*key), Limit: *limit}
	for {
		err := pullOnce(ctx, p, local, stdout, now)
		if *once || ctx.Err() != nil {
			return err
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s\n", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*interval):
		}
	}
}

// pullOnce pulls to the head and reports the copy's state; after a failed
// pull the copy is reported valid only until its valid_until.
func pullOnce(ctx context.Context, p *syncshare.Puller, local *syncshare.LocalCopy, stdout io.Writer, now func() time.Time) error {
	res, perr := p.Pull(ctx, local)
	st, err := local.Status(ctx)
	if err != nil {
		return err
	}
	if perr == nil {
		fmt.Fprintf(stdout, "%s: synchronised, %d records (%d changed, %d deleted in %d batches), cursor %d, valid until %s\n",
			p.Service, st.Records, res.Upserted, res.Deleted, res.Batches, st.Cursor, when(st.ValidUntil))
		if st.State(now()) != syncshare.CopyValid {
			// The regulation gives the data no period (0): valid only as retrieved.
			return fmt.Errorf("%w at %s: the usage regulation gives synchronised data no validity period", errCopyExpired, when(st.ValidUntil))
		}
		return nil
	}
	if ctx.Err() != nil {
		return nil
	}
	return copyError(st, now(), fmt.Errorf("pull failed: %w", perr))
}

// copyError explains a copy that could not be refreshed (cause, may be
// nil): still valid for a while, expired (D47-41.2b), or never complete.
func copyError(st syncshare.CopyStatus, now time.Time, cause error) error {
	suffix := ""
	if cause != nil {
		suffix = "; " + cause.Error()
	}
	switch st.State(now) {
	case syncshare.CopyValid:
		if cause == nil {
			return nil
		}
		return fmt.Errorf("%w; the copy stays valid until %s", cause, when(st.ValidUntil))
	case syncshare.CopyExpired:
		return fmt.Errorf("%w at %s: its data must not be used until a pull succeeds (D47-41.2b)%s", errCopyExpired, when(st.ValidUntil), suffix)
	}
	return fmt.Errorf("the copy was never completely synchronised: its data is not valid%s", suffix)
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func runSyncStatus(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("sync status", flag.ContinueOnError)
	db := fs.String("db", "", "local SQLite copy")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *db == "" {
		fmt.Fprintln(stderr, "govdx sync status: --db is required")
		return errUsage
	}
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("no copy at %s", *db)
	}
	local, err := syncshare.OpenCopy(ctx, *db)
	if err != nil {
		return err
	}
	defer local.Close()
	st, err := local.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "service %s via %s\nrecords %d, cursor %d of head %d\nlast successful synchronisation %s\nvalid until %s\n",
		st.Service, st.Gateway, st.Records, st.Cursor, st.Head, when(st.SyncedAt), when(st.ValidUntil))
	fmt.Fprintf(stdout, "state: %s\n", st.State(now()))
	return copyError(st, now(), nil)
}
