// Package gateway is govdx's data plane (D47-40 to D47-46): it serves calls
// to published sharing services, authenticates the connection account,
// enforces validity, suspensions, terminations and frequency limits, returns
// only the approved data items, stamps the data's validity, forwards calls
// for services hosted on other platforms, and records every call, served or
// refused, in the sharing log before the response is released.
//
// Configuration (services, accounts, suspensions, peers) comes from a
// Source and is compiled into an immutable snapshot swapped atomically by
// Reload: no database read happens per call.
package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharelog"
)

// Appender records sharing-log entries durably (D47-45). Append must not
// return before the entry is durable: the gateway releases the response only
// after it returns without error. *sharelog.Writer implements it.
type Appender interface {
	Append(ctx context.Context, e sharelog.Entry) (int64, error)
}

var _ Appender = (*sharelog.Writer)(nil)

// Options configure a Gateway. Zero values select the defaults in brackets.
type Options struct {
	// Node names this gateway node in forwarded calls (X-Govdx-Forwarded-From)
	// and logs [hostname].
	Node string

	// UpstreamTimeout bounds a call to the provider or peer, from sending
	// the request to the end of the response body [30s]; Service.Timeout
	// overrides it per service. Exceeding it answers 504 upstream_timeout.
	UpstreamTimeout time.Duration
	// DialTimeout bounds connecting to an upstream [5s].
	DialTimeout time.Duration
	// MaxIdleConnsPerHost is the keep-alive pool per upstream host [512];
	// size it to the concurrent calls one provider receives.
	MaxIdleConnsPerHost int
	// MaxConnsPerHost caps connections per upstream host, queueing calls
	// beyond it [0: no cap].
	MaxConnsPerHost int
	// IdleConnTimeout closes idle upstream connections [90s].
	IdleConnTimeout time.Duration
	// ProxyFromEnvironment sends upstream calls through HTTP_PROXY/HTTPS_PROXY
	// [false: direct; the hot path does not consult the environment].
	ProxyFromEnvironment bool
	// UpstreamTLS configures TLS to https upstreams (client certificates,
	// private CAs) [system roots].
	UpstreamTLS *tls.Config

	// MaxRequestBody bounds a call's request body in bytes [10 MiB]; larger
	// calls answer 413 body_too_large and are not forwarded.
	MaxRequestBody int64
	// MaxResponseBody bounds the response body buffered from the upstream
	// [32 MiB]; larger responses answer 502 response_too_large. The whole
	// body is buffered because it is digested, projected and logged before
	// release.
	MaxResponseBody int64
	// MaxHeaderBytes bounds the request line and header [32 KiB]; larger
	// requests answer 431 header_too_large and are logged. Above four times
	// the limit the HTTP server answers 431 itself, before the gateway sees them.
	MaxHeaderBytes int
	// ReadHeaderTimeout cuts off clients that send headers too slowly [5s].
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included [60s].
	ReadTimeout time.Duration
	// WriteTimeout bounds a call from the end of its header to the end of
	// the response [5m]; keep it above the longest upstream timeout.
	WriteTimeout time.Duration
	// IdleTimeout closes idle client keep-alive connections [120s].
	IdleTimeout time.Duration
	// DrainTimeout is how long Run waits for in-flight calls at shutdown [30s].
	DrainTimeout time.Duration
	// LogTimeout bounds the wait for a sharing-log entry to be durable
	// [10s]; past it the call answers 503 log_unavailable and nothing is
	// released.
	LogTimeout time.Duration

	// TLS, when set, makes Run serve HTTPS. Set ClientAuth
	// (tls.VerifyClientCertIfGiven) and ClientCAs to accept mTLS client
	// certificates matching Account.CertFingerprint.
	TLS *tls.Config
	// Hosted answers calls to hosted services (Service.Hosted): change
	// feeds and packages held by the platform [the Source's, when it is a
	// HostedSource; else hosted services are not served].
	Hosted Hosted
	// Adapters convert calls for peers whose Protocol is not "govdx", such
	// as the NDOP of Decree 278 whose protocol is not public.
	Adapters map[string]Adapter

	// Logger receives operational events [discarded].
	Logger *slog.Logger
	// Now is the clock [time.Now].
	Now func() time.Time
	// Transport replaces the upstream transport (tests) [tuned http.Transport].
	Transport http.RoundTripper
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.UpstreamTimeout, 30*time.Second)
	def(&o.DialTimeout, 5*time.Second)
	def(&o.IdleConnTimeout, 90*time.Second)
	def(&o.ReadHeaderTimeout, 5*time.Second)
	def(&o.ReadTimeout, 60*time.Second)
	def(&o.WriteTimeout, 5*time.Minute)
	def(&o.IdleTimeout, 120*time.Second)
	def(&o.DrainTimeout, 30*time.Second)
	def(&o.LogTimeout, 10*time.Second)
	if o.MaxIdleConnsPerHost <= 0 {
		o.MaxIdleConnsPerHost = 512
	}
	if o.MaxRequestBody <= 0 {
		o.MaxRequestBody = 10 << 20
	}
	if o.MaxResponseBody <= 0 {
		o.MaxResponseBody = 32 << 20
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = 32 << 10
	}
	if o.Node == "" {
		o.Node = "gateway"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Gateway is the data plane. It is safe for concurrent use.
type Gateway struct {
	opts     Options
	src      Source
	log      Appender
	logger   *slog.Logger
	snap     atomic.Pointer[snapshot]
	reloadMu sync.Mutex
	gen      uint64 // guarded by reloadMu
	problems string // last reported compile problems, guarded by reloadMu
	limiters limiterSet
	client   http.RoundTripper
	m        *metrics
	draining atomic.Bool
	logCtx   atomic.Pointer[logCtx]
}

// New builds a gateway. It serves nothing until the first Reload succeeds
// (calls before that answer 503 not_ready). reg receives the gateway's
// metrics; nil keeps them unregistered.
func New(opts Options, src Source, log Appender, reg prometheus.Registerer) (*Gateway, error) {
	if src == nil {
		return nil, errors.New("gateway: a configuration source is required")
	}
	if log == nil {
		return nil, errors.New("gateway: a sharing-log appender is required")
	}
	opts.defaults()
	if hs, ok := src.(HostedSource); ok && opts.Hosted == nil {
		opts.Hosted = hs.HostedHandler()
	}
	g := &Gateway{opts: opts, src: src, log: log, logger: opts.Logger.With("feature", "gateway", "node", opts.Node)}
	g.client = opts.Transport
	if g.client == nil {
		std := newTransport(&opts)
		g.client = std
		if !opts.ProxyFromEnvironment {
			g.client = newH1Transport(&opts, std)
		}
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	g.m = m
	return g, nil
}

// newTransport is the keep-alive pool to upstreams. HTTP/1.1 only: most
// providers' systems speak it, and a pool of plain connections is what
// nginx and Caddy use too.
func newTransport(o *Options) *http.Transport {
	t := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second, Control: refuseLinkLocal}).DialContext,
		MaxIdleConns:          0, // per-host limit only
		MaxIdleConnsPerHost:   o.MaxIdleConnsPerHost,
		MaxConnsPerHost:       o.MaxConnsPerHost,
		IdleConnTimeout:       o.IdleConnTimeout,
		TLSHandshakeTimeout:   o.DialTimeout,
		ExpectContinueTimeout: time.Second,
		// The gateway digests and projects bodies as received, so it never
		// asks for compression on its own.
		DisableCompression:     true,
		MaxResponseHeaderBytes: 64 << 10,
		WriteBufferSize:        16 << 10,
		ReadBufferSize:         16 << 10,
		TLSClientConfig:        o.UpstreamTLS,
	}
	if o.ProxyFromEnvironment {
		t.Proxy = http.ProxyFromEnvironment
	}
	return t
}

// Reload loads the configuration from the Source and swaps the snapshot.
// On error the previous snapshot stays in force. Safe to call concurrently;
// reloads are serialised.
func (g *Gateway) Reload(ctx context.Context) error {
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	cfg, err := g.src.Load(ctx)
	if err != nil {
		g.m.reloads.WithLabelValues("error").Inc()
		return fmt.Errorf("gateway: load configuration: %w", err)
	}
	s, problems, err := g.compile(cfg, g.opts.Now())
	if err != nil {
		g.m.reloads.WithLabelValues("error").Inc()
		return fmt.Errorf("gateway: configuration: %w", err)
	}
	g.gen++
	s.gen = g.gen
	g.snap.Store(s)
	g.m.reloads.WithLabelValues("ok").Inc()
	g.m.generation.Set(float64(s.gen))
	g.m.services.Set(float64(s.counts[0]))
	g.m.accounts.Set(float64(s.counts[1]))
	// Report skipped records once, not at every periodic reload.
	if p := strings.Join(problems, "; "); p != g.problems {
		g.problems = p
		for _, msg := range problems {
			g.logger.Warn("configuration record skipped", "problem", msg)
		}
	}
	g.logger.Debug("configuration loaded", "generation", s.gen, "services", s.counts[0], "accounts", s.counts[1], "suspensions", s.counts[2])
	return nil
}

// Generation counts successful reloads (0 before the first). Tests and
// /readyz use it.
func (g *Gateway) Generation() uint64 {
	if s := g.snap.Load(); s != nil {
		return s.gen
	}
	return 0
}

// ReloadEvery reloads at the given interval until ctx ends: the safety net
// for sources without change notification (SQLite, files). Errors are
// logged and the previous snapshot stays in force.
func (g *Gateway) ReloadEvery(ctx context.Context, d time.Duration) {
	platform.Every(ctx, d, g.reloadLogged)
}

func (g *Gateway) reloadLogged(ctx context.Context) {
	if err := g.Reload(ctx); err != nil && ctx.Err() == nil {
		g.logger.Error("configuration reload failed; previous configuration stays in force", "err", err)
	}
}

// Follow reloads on PostgreSQL notifications on ConfigChannel, with a
// periodic safety reload, until ctx ends (see Follower).
func (g *Gateway) Follow(ctx context.Context, dsn string) error {
	f := &Follower{DSN: dsn, Reload: func() { g.reloadLogged(ctx) }, Logger: g.logger}
	return f.Run(ctx)
}

// Handler is the gateway's HTTP handler: calls under /s/, plus /healthz
// and /readyz for load balancers.
func (g *Gateway) Handler() http.Handler { return http.HandlerFunc(g.serveHTTP) }

// Run serves on l until ctx ends, then stops accepting, lets in-flight
// calls finish (their log entries included) for up to DrainTimeout, and
// returns. /readyz answers 503 while draining. With Options.TLS the
// listener speaks TLS (mTLS when the configuration asks for client
// certificates).
func (g *Gateway) Run(ctx context.Context, l net.Listener) error {
	srv := newH1Server(g)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	g.draining.Store(true)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.opts.DrainTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-errc
	if err != nil {
		return fmt.Errorf("gateway: drain: %w", err)
	}
	return nil
}

// allowedMethods are the methods a sharing service may be called with.
var allowedMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func methodAllowed(m string) bool { return slices.Contains(allowedMethods, m) }
