// Package app wires govdx's features into one program with Run and Close,
// so the binary and end-to-end tests start exactly the same thing.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/dbi"
	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/opendata"
	"github.com/govdx/govdx/internal/oversight"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharelog"
	"github.com/govdx/govdx/internal/sharing"
	"github.com/govdx/govdx/internal/syncshare"
	"github.com/govdx/govdx/internal/web"
)

// Config is the typed configuration of a govdx process.
type Config struct {
	Addr          string // web UI + API listen address
	DataDir       string // data directory (SQLite file, keys, uploads)
	PostgresDSN   string // PostgreSQL DSN; empty = embedded SQLite
	Demo          bool   // seed demo data on first start
	SecureCookies bool   // set Secure on cookies (behind TLS)
	Version       string
	Logger        *slog.Logger
	// Migrate applies pending migrations at start (default in serve); when
	// false a schema that is behind stops the start.
	Migrate bool
	// Gateway configures the data plane started beside the web UI.
	Gateway GatewayConfig
	// SMTP sends notification e-mail; with no host, mail stays in the outbox.
	SMTP sharing.SMTPConfig
	// LogRetentionDefault keeps sharing-log entries of calls refused before
	// a service was known (unknown service, bad credential), to which no
	// usage regulation applies; default 5 years. Entries of a service
	// follow its regulation's retention (none stated: kept).
	LogRetentionDefault time.Duration
	// PackageFileRetention keeps the file of an expired package this long
	// before the daily maintenance removes it (record and manifest stay);
	// default syncshare.DefaultPackageFileRetention (30 days).
	PackageFileRetention time.Duration
	// TombstoneRetention keeps a feed's deletions this long; a consumer
	// whose cursor is older starts again from a snapshot; default
	// syncshare.DefaultTombstoneRetention (90 days).
	TombstoneRetention time.Duration
}

// Validate fills defaults and checks values.
func (c *Config) Validate() error {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.DataDir == "" {
		c.DataDir = "govdx-data"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q: %w", c.Addr, err)
	}
	return nil
}

// SQLitePath is where the embedded database lives.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "govdx.db") }

// MigrationSets lists every feature's schema in dependency order.
func MigrationSets() []platform.Migrations {
	return []platform.Migrations{
		directory.Migrations(),
		identity.Migrations(),
		catalog.Migrations(),
		dbi.Migrations(), // refers to organisations, admin units and users
		opendata.Migrations(),
		// sharing has no foreign keys to catalog tables, so its place after
		// the catalog's set is a convention, not a requirement.
		sharing.Migrations(),
		syncshare.Migrations(), // no foreign keys to other features
		oversight.Migrations(), // refers to organisations only
		sharelog.Migrations(),  // no foreign keys: the log outlives the catalog
	}
}

// App is a running govdx process.
type App struct {
	cfg       Config
	DB        *platform.DB
	Directory *directory.Store
	Identity  *identity.Store
	Catalog   *catalog.Store
	DBI       *dbi.Store
	OpenData  *opendata.Store
	Sharing   *sharing.Store
	Oversight *oversight.Store
	Sync      *syncshare.Store
	Site      *web.Site
	Exports   *web.Exports // the web UI's background exports
	API       *platform.API
	handler   http.Handler
	registry  *prometheus.Registry
	listener  net.Listener
	server    *http.Server
	ready     bool

	Gateway     *gateway.Gateway
	logWriter   *sharelog.Writer
	gatewayAddr atomic.Pointer[string]
}

// New opens the database, migrates it, and builds the handlers. A database
// that cannot be opened or migrated fails here, before anything listens.
func New(ctx context.Context, cfg Config) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	db, err := platform.Open(ctx, platform.OpenConfig{PostgresDSN: cfg.PostgresDSN, SQLitePath: cfg.SQLitePath()})
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	a := &App{cfg: cfg, DB: db}
	if err := a.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) init(ctx context.Context) error {
	sets := MigrationSets()
	if a.cfg.Migrate {
		if err := platform.Migrate(ctx, a.DB, sets, a.cfg.Logger); err != nil {
			return fmt.Errorf("database migration failed: %w", err)
		}
	} else if n, err := platform.Pending(ctx, a.DB, sets); err != nil {
		return fmt.Errorf("database schema: %w", err)
	} else if n > 0 {
		return fmt.Errorf("database schema is behind by %d migrations; run `govdx migrate`", n)
	}
	a.Directory = directory.NewStore(a.DB)
	a.Identity = identity.NewStore(a.DB)
	a.Catalog = catalog.NewStore(a.DB, catalog.Options{})
	a.DBI = dbi.NewStore(a.DB, a.Directory, a.Identity)
	od, err := opendata.NewStore(ctx, a.DB, filepath.Join(a.cfg.DataDir, "opendata"), opendata.Options{})
	if err != nil {
		return err
	}
	a.OpenData = od
	a.Sharing = sharing.NewStore(a.DB, a.Directory, catalogServices{a.Catalog}, sharing.Config{})
	a.Oversight = oversight.NewStore(a.DB, a.Directory, a.oversightDeps(), a.oversightConfig())
	a.Sync = newSyncStore(a.DB, a.cfg.DataDir, a.Catalog, a.Sharing, a.Directory)
	if err := a.Directory.EnsureAdminUnits(ctx); err != nil {
		return fmt.Errorf("load administrative units: %w", err)
	}
	site, err := web.New()
	if err != nil {
		return fmt.Errorf("web templates: %w", err)
	}
	site.SecureCookies = a.cfg.SecureCookies
	a.Site = site
	if a.Exports, err = web.NewExports(filepath.Join(a.cfg.DataDir, "exports"), a.cfg.Logger); err != nil {
		return err
	}
	if a.cfg.Demo {
		if err := SeedDemo(ctx, a); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	if err := a.routes(); err != nil {
		return err
	}
	return a.startGateway(ctx)
}

// Handler is the full HTTP handler (for tests with httptest).
func (a *App) Handler() http.Handler { return a.handler }

// Config returns the effective configuration.
func (a *App) Config() Config { return a.cfg }

// Listen binds the address; Addr() then reports the real port (":0" in tests).
func (a *App) Listen() error {
	l, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.Addr, err)
	}
	a.listener = l
	return nil
}

// Addr is the bound address.
func (a *App) Addr() string {
	if a.listener == nil {
		return a.cfg.Addr
	}
	return a.listener.Addr().String()
}

// Run serves until ctx ends, then shuts down gracefully.
func (a *App) Run(ctx context.Context) error {
	if a.listener == nil {
		if err := a.Listen(); err != nil {
			return err
		}
	}
	a.server = &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	a.ready = true
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer a.startOversightJobs(ctx)()
	// Every part runs until ctx ends; the first to fail stops the others.
	// A part with nothing to do (a disabled gateway) returns nil at once.
	parts := []func(context.Context) error{a.runGateway, a.runDemoUpstream, a.runBackground}
	errc := make(chan error, len(parts)+1)
	go func() {
		err := a.server.Serve(a.listener)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		if err == nil && ctx.Err() == nil {
			err = errors.New("web server stopped")
		}
		errc <- err
	}()
	for _, p := range parts {
		go func() { errc <- p(ctx) }()
	}
	var first error
	pending := len(parts) + 1
	for first == nil && ctx.Err() == nil {
		select {
		case first = <-errc:
			pending--
		case <-ctx.Done():
		}
	}
	a.ready = false
	cancel()
	sctx, scancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer scancel()
	err := a.server.Shutdown(sctx)
	// Wait for the rest to stop (the gateway drains in-flight calls).
	for ; pending > 0; pending-- {
		if e := <-errc; e != nil && first == nil && !errors.Is(e, context.Canceled) {
			first = e
		}
	}
	return errors.Join(first, err)
}

// Close flushes the sharing log and releases the database.
func (a *App) Close() error {
	var errs []error
	if a.Exports != nil {
		errs = append(errs, a.Exports.Close())
	}
	return errors.Join(append(errs, a.closeGateway(), a.DB.Close())...)
}

func (a *App) newMetrics() (func(r *http.Request, status int, d time.Duration), http.Handler) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "govdx_http_requests_total", Help: "HTTP requests of the web UI and API."}, []string{"method", "route", "status"})
	lat := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "govdx_http_request_duration_seconds", Help: "Latency of the web UI and API.", Buckets: prometheus.DefBuckets}, []string{"method", "route"})
	reg.MustRegister(reqs, lat)
	a.registry = reg
	observe := func(r *http.Request, status int, d time.Duration) {
		route := r.Pattern // the ServeMux pattern keeps label cardinality bounded
		if route == "" {
			route = "unmatched"
		}
		reqs.WithLabelValues(r.Method, route, fmt.Sprint(status)).Inc()
		lat.WithLabelValues(r.Method, route).Observe(d.Seconds())
	}
	return observe, promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// Registry is the Prometheus registry, for features that add metrics.
func (a *App) Registry() *prometheus.Registry { return a.registry }
