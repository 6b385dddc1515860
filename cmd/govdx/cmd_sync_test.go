package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/app"
	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/syncshare"
)

// demoSync runs the demo program with its gateway and returns the
// gateway's URL and a fresh key of the demo sync account (the public
// administration centre's), obtained by rotation as a consumer would.
func demoSync(t *testing.T) (string, string) {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Demo: true, Migrate: true,
		Logger: slog.New(slog.DiscardHandler), Gateway: app.GatewayConfig{Addr: "127.0.0.1:0", Options: gateway.Options{Node: "test"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(rctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		a.Close()
	})
	for i := 0; a.GatewayAddr() == "" && i < 300; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	svc, err := a.Catalog.ServiceByIdentifier(ctx, app.DemoSyncService)
	if err != nil {
		t.Fatal(err)
	}
	accs, err := a.Sharing.AccountSummaries(ctx, svc.ID, 0)
	if err != nil || len(accs) != 1 {
		t.Fatalf("demo sync accounts: %v %+v", err, accs)
	}
	admin := &identity.Principal{Grants: []identity.Grant{{Role: identity.RolePlatformAdmin}}}
	_, key, err := a.Sharing.RotateKey(ctx, admin, accs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	// The new key reaches the gateway through the reload after the change.
	return "http://" + a.GatewayAddr(), key
}

func TestSyncPull(t *testing.T) {
	gw, key := demoSync(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "copy.sqlite")
	ctx := context.Background()
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"sync", "pull", "--gateway", gw, "--service", app.DemoSyncService, "--key", key, "--db", db, "--once", "--limit", "3"}, &out, &errb); code != 0 {
		t.Fatalf("pull: exit %d: %s %s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "synchronised, 7 records") || !strings.Contains(out.String(), "valid until") {
		t.Fatalf("pull output: %s", out.String())
	}
	local, err := syncshare.OpenCopy(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	raw, ok, _ := local.Record(ctx, "40A8001026")
	local.Close()
	var rec map[string]string
	if !ok || json.Unmarshal(raw, &rec) != nil || !strings.Contains(rec["ten_ho_kinh_doanh"], "Hải Vân") || rec["dia_chi"] != "" {
		t.Fatalf("the copy holds the approved items only: %s", raw)
	}

	out.Reset()
	if code := run(ctx, []string{"sync", "status", "--db", db}, &out, &errb); code != 0 || !strings.Contains(out.String(), "state: valid") {
		t.Fatalf("status: %d %s %s", code, out.String(), errb.String())
	}

	// A day and a bit later, without pulling: the copy has expired
	// (D47-41.2b), and a pull that fails cannot hide it.
	later := func() time.Time { return time.Now().Add(25 * time.Hour) }
	out.Reset()
	err = runSyncStatus(ctx, []string{"--db", db}, &out, &errb, later)
	if !errors.Is(err, errCopyExpired) || !strings.Contains(err.Error(), "copy expired at") || !strings.Contains(out.String(), "state: expired") {
		t.Fatalf("status a day later: %v\n%s", err, out.String())
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	down := "http://" + l.Addr().String()
	l.Close()
	err = runSyncPull(ctx, []string{"--gateway", down, "--service", app.DemoSyncService, "--key", key, "--db", db, "--once"}, &out, &errb, later)
	if !errors.Is(err, errCopyExpired) || !strings.Contains(err.Error(), "pull failed") {
		t.Fatalf("failed pull a day later: %v", err)
	}
	// Still within the day, a failed pull leaves the copy valid.
	err = runSyncPull(ctx, []string{"--gateway", down, "--service", app.DemoSyncService, "--key", key, "--db", db, "--once"}, &out, &errb, time.Now)
	if err == nil || errors.Is(err, errCopyExpired) || !strings.Contains(err.Error(), "stays valid until") {
		t.Fatalf("failed pull within the day: %v", err)
	}
	// Pulling again makes the copy valid again.
	out.Reset()
	if code := run(ctx, []string{"sync", "pull", "--gateway", gw, "--service", app.DemoSyncService, "--key", key, "--db", db, "--once"}, &out, &errb); code != 0 {
		t.Fatalf("pull again: %s", errb.String())
	}

	// A wrong key: refused by the gateway, and a new copy is never valid.
	errb.Reset()
	if code := run(ctx, []string{"sync", "pull", "--gateway", gw, "--service", app.DemoSyncService, "--key", "gdxk_wrong", "--db", filepath.Join(dir, "other.sqlite"), "--once"}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "invalid_credential") || !strings.Contains(errb.String(), "never completely synchronised") {
		t.Fatalf("wrong key: %d %s", code, errb.String())
	}
	if code := run(ctx, []string{"sync", "pull", "--db", db}, &out, &errb); code != 2 {
		t.Fatalf("missing flags: exit %d", code)
	}
	if code := run(ctx, []string{"sync"}, &out, &errb); code != 2 {
		t.Fatalf("no subcommand: exit %d", code)
	}
}
