package app

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/sharelog"
)

// A control plane beside separate gateway nodes (--no-gateway) writes no
// log itself but still purges every node's chain: here refusals that no
// usage regulation covers, after the default retention.
func TestControlPlanePurgesTheNodesChains(t *testing.T) {
	ctx := context.Background()
	a, err := New(ctx, Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Migrate: true,
		Logger: slog.New(slog.DiscardHandler), LogRetentionDefault: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.logWriter != nil {
		t.Fatal("without a gateway address the control plane must not write a chain")
	}
	signer, err := sharelog.LoadOrCreateKey(t.TempDir() + "/node.key") // the node's own key
	if err != nil {
		t.Fatal(err)
	}
	w, err := sharelog.NewWriter(ctx, a.DB, "gw1", signer, sharelog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := a.DB.Now()
	for _, age := range []int{60, 45, 10, 50} { // days
		at := now.Add(-time.Duration(age) * 24 * time.Hour)
		if _, err := w.Append(ctx, sharelog.Entry{RequestedAt: at, RespondedAt: at, Form: sharelog.FormOnline,
			Method: "GET", Path: "/s/x", Status: 401, RefusalCode: "invalid_credential", CorrelationID: "c"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	a.purgeOnce(ctx)
	var left int
	if err := a.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sharelog_entries`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	// Entries 1-2 expired; entry 3 is 10 days old and, the purge cutting
	// only a prefix, keeps entry 4 with it.
	if left != 2 {
		t.Fatalf("%d entries left, want 2", left)
	}
	rep, err := sharelog.Verify(ctx, a.DB, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("the purged chain must verify: %+v %v", rep, err)
	}
}
