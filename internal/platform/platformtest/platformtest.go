// Package platformtest opens real databases for tests: SQLite always, and
// PostgreSQL when GOVDX_TEST_POSTGRES holds a DSN (each test gets its own
// schema, dropped at the end).
package platformtest

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// Backend is one database a test runs against.
type Backend struct {
	Name string
	Open func(tb testing.TB, sets []platform.Migrations) *platform.DB
}

// Backends returns SQLite, and PostgreSQL when GOVDX_TEST_POSTGRES is set.
func Backends() []Backend {
	b := []Backend{{Name: "sqlite", Open: OpenSQLite}}
	if os.Getenv("GOVDX_TEST_POSTGRES") != "" {
		b = append(b, Backend{Name: "postgres", Open: OpenPostgres})
	}
	return b
}

// ForEachDB runs fn as a subtest against every backend, migrated with sets.
func ForEachDB(t *testing.T, sets []platform.Migrations, fn func(t *testing.T, db *platform.DB)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, b.Open(t, sets))
		})
	}
}

// OpenSQLite opens a migrated SQLite database in a temporary directory.
func OpenSQLite(tb testing.TB, sets []platform.Migrations) *platform.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := platform.Open(ctx, platform.OpenConfig{SQLitePath: filepath.Join(tb.TempDir(), "govdx.db")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := platform.Migrate(ctx, db, sets, nil); err != nil {
		tb.Fatal(err)
	}
	return db
}

// OpenPostgres opens a migrated PostgreSQL database in a fresh schema.
func OpenPostgres(tb testing.TB, sets []platform.Migrations) *platform.DB {
	tb.Helper()
	base := os.Getenv("GOVDX_TEST_POSTGRES")
	if base == "" {
		tb.Skip("GOVDX_TEST_POSTGRES not set")
	}
	ctx := context.Background()
	schema := fmt.Sprintf("t_%d_%s", time.Now().UnixNano(), strings.ToLower(platform.RandomToken(4)))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			a.Close()
		}
	})
	db, err := platform.Open(ctx, platform.OpenConfig{PostgresDSN: WithSearchPath(base, schema), ReadConns: 4})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := platform.Migrate(ctx, db, sets, slog.New(slog.DiscardHandler)); err != nil {
		tb.Fatal(err)
	}
	return db
}

// WithSearchPath adds a search_path runtime parameter to a DSN in either
// URL or keyword form.
func WithSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}
