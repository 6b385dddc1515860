package gateway_test

import (
	"context"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// pgSource reads the test's account status from PostgreSQL, as the real
// source reads the sharing feature's tables.
type pgSource struct {
	db       *platform.DB
	upstream string
}

func (s pgSource) Load(ctx context.Context) (*gateway.Config, error) {
	var status string
	if err := s.db.Read.QueryRowContext(ctx, `SELECT status FROM gw_test_accounts WHERE id = 1`).Scan(&status); err != nil {
		return nil, err
	}
	return &gateway.Config{
		Services: []gateway.Service{{ID: 1, Identifier: "dkkd", UpstreamURL: s.upstream + "/dkkd", Status: gateway.ServicePublished}},
		Accounts: []gateway.Account{{ID: 1, KeyHash: hashKey("gdxk_pg"), ConsumerOrgID: 10, ServiceID: 1, Status: status}},
	}, nil
}

// TestFollowPostgres: two gateway nodes follow one database; a revocation
// committed with NOTIFY govdx_config stops the account on both without
// restart.
func TestFollowPostgres(t *testing.T) {
	if os.Getenv("GOVDX_TEST_POSTGRES") == "" {
		t.Skip("GOVDX_TEST_POSTGRES not set")
	}
	db := platformtest.OpenPostgres(t, nil)
	ctx := context.Background()
	if _, err := db.Write.ExecContext(ctx, `CREATE TABLE gw_test_accounts (id BIGINT PRIMARY KEY, status TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO gw_test_accounts VALUES (1, 'active')`); err != nil {
		t.Fatal(err)
	}
	up := httptest.NewServer(testUpstream())
	defer up.Close()

	type node struct {
		g         *gateway.Gateway
		srv       *httptest.Server
		listening atomic.Bool
	}
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var nodes []*node
	for i := 0; i < 2; i++ {
		g, err := gateway.New(gateway.Options{}, pgSource{db: db, upstream: up.URL}, &recorder{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Reload(ctx); err != nil {
			t.Fatal(err)
		}
		n := &node{g: g, srv: httptest.NewServer(g.Handler())}
		defer n.srv.Close()
		f := &gateway.Follower{DSN: db.DSN, Reload: func() { _ = g.Reload(fctx) }, OnListen: func() { n.listening.Store(true) }}
		go f.Run(fctx)
		nodes = append(nodes, n)
	}
	call := func(n *node) int {
		return do(t, "GET", n.srv.URL+"/s/dkkd/doanh-nghiep/0101234567", map[string]string{"X-Api-Key": "gdxk_pg"}, nil).status
	}
	for i, n := range nodes {
		waitFor(t, "the follower to listen", n.listening.Load)
		if s := call(n); s != 200 {
			t.Fatalf("node %d before revocation: %d", i, s)
		}
	}
	// The control plane's change and its notification, in one transaction:
	// NOTIFY is delivered at commit.
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE gw_test_accounts SET status = 'revoked' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify('govdx_config', 'accounts')`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for i, n := range nodes {
		waitFor(t, "the revocation to reach every node", func() bool { return call(n) == 401 })
		_ = i
	}
}
