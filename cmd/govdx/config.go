package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/govdx/govdx/internal/app"
	"github.com/govdx/govdx/internal/platform"
)

// storeFlags are the flags every command that opens the database shares.
type storeFlags struct {
	data string
	db   string
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// secretEnv reads NAME, or the file named by NAME_FILE (for secrets).
func secretEnv(name string) string {
	if f := os.Getenv(name + "_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err == nil {
			return string(trimNL(b))
		}
	}
	return os.Getenv(name)
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.data, "data", envOr("GOVDX_DATA", "govdx-data"), "data directory (env GOVDX_DATA)")
	fs.StringVar(&s.db, "db", secretEnv("GOVDX_DB"), "PostgreSQL DSN; empty uses the embedded SQLite file in the data directory (env GOVDX_DB or GOVDX_DB_FILE)")
}

// open opens and migrates the database for an administrative command.
func (s *storeFlags) open(ctx context.Context) (*platform.DB, error) {
	db, err := platform.Open(ctx, platform.OpenConfig{PostgresDSN: s.db, SQLitePath: filepath.Join(s.data, "govdx.db")})
	if err != nil {
		return nil, err
	}
	if err := platform.Migrate(ctx, db, app.MigrationSets(), nil); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

// parseFlags parses args, printing usage to stderr on error.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return errUsage
		}
		return errUsage
	}
	return nil
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
