package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharelog"
)

// gatewayFlags are the data-plane flags of `govdx gateway` (and of serve,
// which starts the gateway on its own address).
type gatewayFlags struct {
	addr              string
	opsAddr           string
	node              string
	logKey            string
	configFile        string
	peersFile         string
	upstreamTimeout   time.Duration
	readHeaderTimeout time.Duration
	drainTimeout      time.Duration
	reloadInterval    time.Duration
	maxBody           int64
	maxResponse       int64
	maxHeader         int
	maxIdlePerHost    int
	tlsCert, tlsKey   string
	clientCA          string
	pprof             bool
	memoryLimit       string
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "gateway"
	}
	return h
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func envInt(name string, def int64) int64 {
	if n, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return n
	}
	return def
}

func (f *gatewayFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "gateway-addr", envOr("GOVDX_GATEWAY_ADDR", "127.0.0.1:8081"), "gateway listen address (env GOVDX_GATEWAY_ADDR)")
	fs.StringVar(&f.opsAddr, "ops-addr", envOr("GOVDX_GATEWAY_OPS_ADDR", "127.0.0.1:8082"), "address of /metrics, /healthz, /readyz for `govdx gateway`; empty disables (env GOVDX_GATEWAY_OPS_ADDR)")
	fs.StringVar(&f.node, "node", envOr("GOVDX_NODE", hostname()), "node name: names this node's sharing-log chain, unique per node (env GOVDX_NODE)")
	fs.StringVar(&f.logKey, "log-key", os.Getenv("GOVDX_LOG_KEY"), "Ed25519 key signing sharing-log checkpoints, created if missing (default <data>/sharelog-ed25519.key; env GOVDX_LOG_KEY)")
	fs.StringVar(&f.configFile, "config-file", os.Getenv("GOVDX_GATEWAY_CONFIG_FILE"), "read services and accounts from this JSON file instead of the database (tests and benchmarks)")
	fs.StringVar(&f.peersFile, "peers-file", os.Getenv("GOVDX_PEERS_FILE"), "JSON list of upstream platforms (NDXP, NDOP) to forward to (D47-46; env GOVDX_PEERS_FILE)")
	fs.DurationVar(&f.upstreamTimeout, "upstream-timeout", envDuration("GOVDX_UPSTREAM_TIMEOUT", 30*time.Second), "default time limit of a call to a provider (env GOVDX_UPSTREAM_TIMEOUT)")
	fs.DurationVar(&f.readHeaderTimeout, "read-header-timeout", envDuration("GOVDX_READ_HEADER_TIMEOUT", 5*time.Second), "cut off clients sending headers slower than this")
	fs.DurationVar(&f.drainTimeout, "drain-timeout", envDuration("GOVDX_DRAIN_TIMEOUT", 30*time.Second), "at shutdown, wait this long for in-flight calls")
	fs.DurationVar(&f.reloadInterval, "reload-interval", envDuration("GOVDX_RELOAD_INTERVAL", 30*time.Second), "safety reload of the configuration (PostgreSQL nodes also reload on NOTIFY govdx_config)")
	fs.Int64Var(&f.maxBody, "max-body", envInt("GOVDX_MAX_BODY", 10<<20), "largest request body in bytes (413 above)")
	fs.Int64Var(&f.maxResponse, "max-response", envInt("GOVDX_MAX_RESPONSE", 32<<20), "largest provider response in bytes (502 response_too_large above)")
	fs.IntVar(&f.maxHeader, "max-header", int(envInt("GOVDX_MAX_HEADER", 32<<10)), "largest request header in bytes (431 above)")
	fs.IntVar(&f.maxIdlePerHost, "upstream-pool", int(envInt("GOVDX_UPSTREAM_POOL", 512)), "keep-alive connections kept per provider host")
	fs.StringVar(&f.tlsCert, "tls-cert", os.Getenv("GOVDX_GATEWAY_TLS_CERT"), "serve HTTPS with this certificate (PEM)")
	fs.StringVar(&f.tlsKey, "tls-key", os.Getenv("GOVDX_GATEWAY_TLS_KEY"), "private key of --tls-cert (PEM)")
	fs.BoolVar(&f.pprof, "pprof", os.Getenv("GOVDX_PPROF") == "1", "serve /debug/pprof/ on the ops address (profiling; env GOVDX_PPROF=1)")
	fs.StringVar(&f.memoryLimit, "memory-limit", envOr("GOVDX_MEMORY_LIMIT", "auto"), "soft memory limit of the process: auto (three times the live heap, at least 96MiB), off, or a size such as 256MiB; GOMEMLIMIT wins (env GOVDX_MEMORY_LIMIT)")
	fs.StringVar(&f.clientCA, "client-ca", os.Getenv("GOVDX_GATEWAY_CLIENT_CA"), "accept mTLS client certificates issued by these CAs (PEM); needs --tls-cert")
}

// options turns the flags into gateway options.
func (f *gatewayFlags) options(logger *slog.Logger) (gateway.Options, error) {
	o := gateway.Options{
		Node: f.node, UpstreamTimeout: f.upstreamTimeout, ReadHeaderTimeout: f.readHeaderTimeout, DrainTimeout: f.drainTimeout,
		MaxRequestBody: f.maxBody, MaxResponseBody: f.maxResponse, MaxHeaderBytes: f.maxHeader,
		MaxIdleConnsPerHost: f.maxIdlePerHost, Logger: logger,
	}
	if f.tlsCert == "" {
		if f.clientCA != "" {
			return o, errors.New("--client-ca needs --tls-cert and --tls-key")
		}
		return o, nil
	}
	cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
	if err != nil {
		return o, fmt.Errorf("gateway TLS certificate: %w", err)
	}
	o.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if f.clientCA != "" {
		pem, err := os.ReadFile(f.clientCA)
		if err != nil {
			return o, fmt.Errorf("client CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return o, fmt.Errorf("client CA %s: no PEM certificate found", f.clientCA)
		}
		o.TLS.ClientCAs = pool
		o.TLS.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return o, nil
}

// runGateway starts the data plane only: `govdx gateway`. It shares the
// database with the control plane (the sharing log is written there) and
// follows configuration changes without restart.
func runGateway(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	var gf gatewayFlags
	gf.register(fs)
	logLevel := fs.String("log-level", envOr("GOVDX_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	logger := newLogger(stderr, *logLevel)
	memory, err := parseMemoryLimit(gf.memoryLimit)
	if err != nil {
		return err
	}
	opts, err := gf.options(logger)
	if err != nil {
		return err
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := platform.Migrate(ctx, db, []platform.Migrations{sharelog.Migrations()}, logger); err != nil {
		return fmt.Errorf("migrate sharing log: %w", err)
	}
	keyPath := gf.logKey
	if keyPath == "" {
		keyPath = filepath.Join(sf.data, "sharelog-ed25519.key") // where `govdx log verify` looks for it
	}
	signer, err := sharelog.LoadOrCreateKey(keyPath)
	if err != nil {
		return err
	}
	// The writer must outlive the drain of in-flight calls, whose entries it
	// commits: it gets a context that the shutdown signal does not cancel
	// and is closed after the gateway has stopped.
	logw, err := sharelog.NewWriter(context.WithoutCancel(ctx), db, gf.node, signer, sharelog.Options{Logger: logger, JournalDir: filepath.Join(sf.data, "sharelog"), JournalPrefill: true})
	if err != nil {
		return err
	}
	defer logw.Close()

	var src gateway.Source
	if gf.configFile != "" {
		src = gateway.FileSource{Path: gf.configFile}
	} else {
		src = gatewaySource(db, gf.peersFile)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	g, err := gateway.New(opts, src, logw, reg)
	if err != nil {
		return err
	}
	if err := g.Reload(ctx); err != nil {
		return err
	}
	applyMemoryLimit(ctx, memory, logger)
	if db.Dialect == platform.Postgres && gf.configFile == "" {
		go func() { _ = g.Follow(ctx, db.DSN) }()
	} else if gf.reloadInterval > 0 {
		go g.ReloadEvery(ctx, gf.reloadInterval)
	}

	l, err := net.Listen("tcp", gf.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", gf.addr, err)
	}
	if gf.opsAddr != "" {
		ops, err := startOps(ctx, gf.opsAddr, g, reg, gf.pprof, logger)
		if err != nil {
			l.Close()
			return err
		}
		defer ops.Close()
	}
	scheme := "http"
	if opts.TLS != nil {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "govdx gateway %s (node %s) listening on %s://%s/s/{service}/...\n", version, gf.node, scheme, l.Addr())
	if gf.opsAddr != "" {
		fmt.Fprintf(stdout, "  metrics: http://%s/metrics\n", gf.opsAddr)
	}
	err = g.Run(ctx, l)
	if cerr := logw.Close(); cerr != nil && !errors.Is(cerr, sharelog.ErrClosed) {
		err = errors.Join(err, fmt.Errorf("close sharing log: %w", cerr))
	}
	return err
}

// startOps serves /metrics, /healthz and /readyz on their own address, so
// the data-plane port exposes no consumer statistics.
func startOps(ctx context.Context, addr string, g *gateway.Gateway, reg *prometheus.Registry, profiling bool, logger *slog.Logger) (*http.Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("GET /healthz", g.Handler())
	mux.Handle("GET /readyz", g.Handler())
	if profiling {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("ops listener stopped", "err", err)
		}
	}()
	return srv, nil
}
