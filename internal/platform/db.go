// Package platform is govdx's shared kernel: the database handle and its
// dialect, migrations, errors, pagination, text folding and HTTP helpers.
package platform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL backend.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the storage handle. With SQLite, writes go through a single
// connection (SQLite allows one writer; serialising in Go avoids SQLITE_BUSY
// storms) and reads use a pool. With PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	Write   *sql.DB
	Read    *sql.DB
	// DSN is the PostgreSQL DSN (empty for SQLite); LISTEN/NOTIFY needs it.
	DSN string
	// Path is the SQLite file (empty for PostgreSQL).
	Path string
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// OpenConfig says which backend to open.
type OpenConfig struct {
	// PostgresDSN selects PostgreSQL when not empty.
	PostgresDSN string
	// SQLitePath is the database file used when PostgresDSN is empty.
	SQLitePath string
	// ReadConns bounds the read pool (default 8).
	ReadConns int
}

// Open opens the configured backend and checks it answers.
func Open(ctx context.Context, cfg OpenConfig) (*DB, error) {
	if cfg.ReadConns <= 0 {
		cfg.ReadConns = 8
	}
	if cfg.PostgresDSN != "" {
		return openPostgres(ctx, cfg)
	}
	return openSQLite(ctx, cfg)
}

func openPostgres(ctx context.Context, cfg OpenConfig) (*DB, error) {
	pool, err := sql.Open("pgx", cfg.PostgresDSN)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(cfg.ReadConns * 2)
	pool.SetMaxIdleConns(cfg.ReadConns * 2)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.PingContext(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &DB{Dialect: Postgres, Write: pool, Read: pool, DSN: cfg.PostgresDSN, Now: utcNow}, nil
}

func openSQLite(ctx context.Context, cfg OpenConfig) (*DB, error) {
	if cfg.SQLitePath == "" {
		return nil, errors.New("open sqlite: no database file given")
	}
	if err := os.MkdirAll(filepath.Dir(cfg.SQLitePath), 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	// busy_timeout must come before journal_mode so the WAL switch itself waits.
	// The path is part of a URI: escape what would end it early ("#", "?").
	path := strings.NewReplacer("%", "%25", "#", "%23", "?", "%3f").Replace(cfg.SQLitePath)
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", cfg.SQLitePath, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", cfg.SQLitePath, err)
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", cfg.SQLitePath, err)
	}
	r.SetMaxOpenConns(cfg.ReadConns)
	r.SetMaxIdleConns(cfg.ReadConns)
	return &DB{Dialect: SQLite, Write: w, Read: r, Path: cfg.SQLitePath, Now: utcNow}, nil
}

func utcNow() time.Time { return time.Now().UTC() }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.Write.Close()
	if db.Read != db.Write {
		err = errors.Join(err, db.Read.Close())
	}
	return err
}

// Tx runs fn in one write transaction, committing when fn returns nil.
// "now" is taken once per transaction so every row it writes agrees.
func (db *DB) Tx(ctx context.Context, fn func(tx Tx, now time.Time) error) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx, db.Now().UTC()); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", translateDriverError(db.Dialect, err))
	}
	return nil
}

// Querier is satisfied by *sql.DB and *sql.Tx, so read helpers compose.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Scanner reads one row: a *sql.Row or *sql.Rows.
type Scanner = interface{ Scan(...any) error }

// QueryAll runs query and reads every row with scan, in order (nil when
// there are none). The rows are closed before it returns, so no read stays
// open across the caller's next queries or transactions.
func QueryAll[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// QueryColumn is QueryAll for the single column a query selects.
func QueryColumn[T any](ctx context.Context, q Querier, query string, args ...any) ([]T, error) {
	return QueryAll(ctx, q, func(row Scanner) (T, error) {
		var v T
		err := row.Scan(&v)
		return v, err
	}, query, args...)
}

// QueryIDs is QueryColumn for the ids a query selects.
func QueryIDs(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	return QueryColumn[int64](ctx, q, query, args...)
}

// IsUniqueViolation reports whether err is a unique-constraint violation.
// Driver error text is matched here and nowhere else.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// IsForeignKeyViolation reports whether err is a foreign-key violation.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "FOREIGN KEY constraint failed") || strings.Contains(s, "SQLSTATE 23503")
}

// translateDriverError maps constraint violations to coded errors.
func translateDriverError(_ Dialect, err error) error {
	switch {
	case IsUniqueViolation(err):
		return Errorf(EConflict, "duplicate", "already exists: %v", err)
	case IsForeignKeyViolation(err):
		return Errorf(EInvalid, "reference", "refers to a record that does not exist: %v", err)
	}
	return err
}

// ILike returns the case-insensitive LIKE operator of the dialect.
func (db *DB) ILike() string {
	if db.Dialect == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// Tx is the transaction handed to Tx callbacks.
type Tx = *sql.Tx
