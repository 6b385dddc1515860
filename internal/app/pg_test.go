package app_test

import (
	"testing"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// freshSchema returns a DSN pointing at a new, empty schema dropped after the test.
func freshSchema(t *testing.T, dsn string) string {
	t.Helper()
	db := platformtest.OpenPostgres(t, nil)
	var schema string
	if err := db.Read.QueryRow(`SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	return platformtest.WithSearchPath(dsn, schema)
}

var _ = platform.SQLite
