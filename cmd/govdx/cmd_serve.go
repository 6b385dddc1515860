package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/govdx/govdx/internal/app"
	"github.com/govdx/govdx/internal/sharing"
	"github.com/govdx/govdx/internal/syncshare"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", envOr("GOVDX_ADDR", "127.0.0.1:8080"), "web UI and API listen address (env GOVDX_ADDR)")
	demo := fs.Bool("demo", os.Getenv("GOVDX_DEMO") == "1", "seed demo data on first start (env GOVDX_DEMO=1)")
	secure := fs.Bool("secure-cookies", os.Getenv("GOVDX_SECURE_COOKIES") == "1", "mark cookies Secure (when served over TLS; env GOVDX_SECURE_COOKIES=1)")
	logLevel := fs.String("log-level", envOr("GOVDX_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	var gf gatewayFlags
	gf.register(fs)
	noGateway := fs.Bool("no-gateway", false, "do not start the gateway (run `govdx gateway` nodes instead)")
	demoUpstream := fs.String("demo-upstream-addr", envOr("GOVDX_DEMO_UPSTREAM_ADDR", "127.0.0.1:8090"), "with --demo, serve the demo providers' systems here")
	var smtp sharing.SMTPConfig
	fs.StringVar(&smtp.Host, "smtp-host", os.Getenv("GOVDX_SMTP_HOST"), "SMTP relay for notification e-mail (env GOVDX_SMTP_HOST); empty: in-app inbox only")
	fs.IntVar(&smtp.Port, "smtp-port", int(envInt("GOVDX_SMTP_PORT", 587)), "SMTP port")
	fs.StringVar(&smtp.From, "smtp-from", envOr("GOVDX_SMTP_FROM", "govdx@localhost"), "sender address of notification e-mail")
	fs.StringVar(&smtp.User, "smtp-user", os.Getenv("GOVDX_SMTP_USER"), "SMTP user")
	smtp.Password = secretEnv("GOVDX_SMTP_PASSWORD")
	pkgKeep := fs.Duration("package-retention", envDuration("GOVDX_PACKAGE_RETENTION", syncshare.DefaultPackageFileRetention),
		"keep an expired package's file this long before the daily purge removes it; record and manifest stay (env GOVDX_PACKAGE_RETENTION)")
	tombKeep := fs.Duration("tombstone-retention", envDuration("GOVDX_TOMBSTONE_RETENTION", syncshare.DefaultTombstoneRetention),
		"keep a sync feed's deletions this long; consumers whose cursor is older start again from a snapshot (env GOVDX_TOMBSTONE_RETENTION)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *pkgKeep < 0 || *tombKeep < 0 {
		return fmt.Errorf("--package-retention and --tombstone-retention must not be negative")
	}
	logger := newLogger(stderr, *logLevel)
	memory, err := parseMemoryLimit(gf.memoryLimit)
	if err != nil {
		return err
	}
	gopts, err := gf.options(logger)
	if err != nil {
		return err
	}
	gcfg := app.GatewayConfig{Addr: gf.addr, Options: gopts, LogKeyPath: gf.logKey, PeersFile: gf.peersFile, DemoUpstreamAddr: *demoUpstream}
	if *noGateway {
		gcfg.Addr = ""
	}
	a, err := app.New(ctx, app.Config{Addr: *addr, DataDir: sf.data, PostgresDSN: sf.db, Demo: *demo, SecureCookies: *secure,
		Version: version, Logger: logger, Migrate: true, Gateway: gcfg, SMTP: smtp, PackageFileRetention: *pkgKeep, TombstoneRetention: *tombKeep})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Listen(); err != nil {
		return err
	}
	applyMemoryLimit(ctx, memory, logger) // after start-up: the live heap then holds the configuration
	printBanner(stdout, a, *demo)
	return a.Run(ctx)
}

func printBanner(w io.Writer, a *app.App, demo bool) {
	store := "SQLite " + a.Config().SQLitePath()
	if a.Config().PostgresDSN != "" {
		store = "PostgreSQL"
	}
	fmt.Fprintf(w, "govdx %s is running\n  web UI and API: http://%s/\n  API document:   http://%s/api/v1/openapi.json\n  database:       %s\n",
		version, a.Addr(), a.Addr(), store)
	if g := a.Config().Gateway; g.Addr != "" {
		fmt.Fprintf(w, "  gateway:        http://%s/s/{service}/... (node %s)\n", g.Addr, g.Options.Node)
		if demo {
			fmt.Fprintf(w, "  try it:         curl -H 'X-Api-Key: %s' http://%s/s/%s/0401234567\n", sharing.DemoAPIKey, g.Addr, app.DemoServiceIdentifier)
		}
	}
	if demo {
		fmt.Fprintf(w, "  demo logins (password %q):\n", app.DemoPassword)
		for _, l := range app.DemoLogins {
			fmt.Fprintf(w, "    %-18s %s, %s\n", l.Username, l.Role, l.Org)
		}
	}
}
