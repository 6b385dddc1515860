package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharelog"
)

// GatewayConfig configures the data plane that `govdx serve` starts beside
// the control plane.
type GatewayConfig struct {
	// Addr is the gateway's own listen address; empty disables the gateway.
	Addr    string
	Options gateway.Options
	// LogKeyPath is the Ed25519 key that signs sharing-log checkpoints
	// (default <data>/sharelog-ed25519.key, where `govdx log verify` looks).
	LogKeyPath string
	// PeersFile lists upstream platforms (NDXP, NDOP) for forwarding (D47-46).
	PeersFile string
	// DemoUpstreamAddr serves the demo providers' systems (with --demo).
	DemoUpstreamAddr string
}

// startGateway builds the sharing-log writer and the gateway, and makes
// every configuration change reload the gateway's snapshot.
func (a *App) startGateway(ctx context.Context) error {
	gc := a.cfg.Gateway
	if gc.Addr == "" {
		return nil
	}
	if gc.Options.Node == "" {
		gc.Options.Node = "node1"
	}
	if gc.Options.Logger == nil {
		gc.Options.Logger = a.cfg.Logger
	}
	signer, err := sharelog.LoadOrCreateKey(a.logKeyPath())
	if err != nil {
		return fmt.Errorf("sharing-log key: %w", err)
	}
	// The writer outlives the drain of in-flight calls whose entries it commits.
	w, err := sharelog.NewWriter(context.WithoutCancel(ctx), a.DB, gc.Options.Node, signer, sharelog.Options{Logger: a.cfg.Logger, JournalDir: filepath.Join(a.cfg.DataDir, "sharelog"), JournalPrefill: true})
	if err != nil {
		return fmt.Errorf("sharing-log writer: %w", err)
	}
	a.logWriter = w
	src := &GatewaySource{Catalog: a.Catalog, Sharing: a.Sharing, Oversight: a.Oversight, PeersFile: gc.PeersFile, Hosted: a.Sync}
	g, err := gateway.New(gc.Options, src, w, a.registry)
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	if err := g.Reload(ctx); err != nil {
		return fmt.Errorf("gateway configuration: %w", err)
	}
	a.Gateway = g
	reload := func(ctx context.Context) {
		if err := g.Reload(context.WithoutCancel(ctx)); err != nil {
			a.cfg.Logger.Error("gateway reload failed", "err", err)
		}
	}
	a.Catalog.OnChange(reload)
	a.Sharing.OnChange(reload)
	a.Oversight.OnChange(reload)
	return nil
}

// logKeyPath is the sharing-log signing key file.
func (a *App) logKeyPath() string {
	if a.cfg.Gateway.LogKeyPath != "" {
		return a.cfg.Gateway.LogKeyPath
	}
	return filepath.Join(a.cfg.DataDir, "sharelog-ed25519.key")
}

// runGateway serves the data plane until ctx ends; with PostgreSQL it also
// follows the other nodes' changes (LISTEN govdx_config), and in any case
// reloads periodically so time-based changes (suspension start and
// restoration, account validity) and missed notices catch up.
func (a *App) runGateway(ctx context.Context) error {
	if a.Gateway == nil {
		return nil
	}
	l, err := net.Listen("tcp", a.cfg.Gateway.Addr)
	if err != nil {
		return fmt.Errorf("gateway listen on %s: %w", a.cfg.Gateway.Addr, err)
	}
	addr := l.Addr().String()
	a.gatewayAddr.Store(&addr)
	if a.DB.Dialect == platform.Postgres {
		go func() { _ = a.Gateway.Follow(ctx, a.DB.DSN) }()
	}
	go a.Gateway.ReloadEvery(ctx, 30*time.Second)
	return a.Gateway.Run(ctx, l)
}

// GatewayAddr is the gateway's bound address ("" before Run or when disabled).
func (a *App) GatewayAddr() string {
	if p := a.gatewayAddr.Load(); p != nil {
		return *p
	}
	return ""
}

// runDemoUpstream serves the demo providers' systems (enterprise registry,
// population, land) that the demo services point at.
func (a *App) runDemoUpstream(ctx context.Context) error {
	addr := a.cfg.Gateway.DemoUpstreamAddr
	if !a.cfg.Demo || addr == "" {
		return nil
	}
	srv := &http.Server{Addr: addr, Handler: gateway.DemoUpstream(), ReadHeaderTimeout: 5 * time.Second}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		// The demo still runs; only calls to demo services will fail.
		a.cfg.Logger.Warn("demo upstream not started", "addr", addr, "err", err)
		return nil
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// closeGateway flushes the sharing log after the gateway drained.
func (a *App) closeGateway() error {
	if a.logWriter == nil {
		return nil
	}
	err := a.logWriter.Close()
	if errors.Is(err, sharelog.ErrClosed) {
		return nil
	}
	return err
}
