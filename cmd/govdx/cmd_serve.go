package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/govdx/govdx/internal/app"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", envOr("GOVDX_ADDR", "127.0.0.1:8080"), "web UI and API listen address (env GOVDX_ADDR)")
	demo := fs.Bool("demo", os.Getenv("GOVDX_DEMO") == "1", "seed demo data on first start (env GOVDX_DEMO=1)")
	secure := fs.Bool("secure-cookies", os.Getenv("GOVDX_SECURE_COOKIES") == "1", "mark cookies Secure (when served over TLS; env GOVDX_SECURE_COOKIES=1)")
	logLevel := fs.String("log-level", envOr("GOVDX_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	a, err := app.New(ctx, app.Config{Addr: *addr, DataDir: sf.data, PostgresDSN: sf.db, Demo: *demo, SecureCookies: *secure,
		Version: version, Logger: newLogger(stderr, *logLevel), Migrate: true})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Listen(); err != nil {
		return err
	}
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
	if demo {
		fmt.Fprintf(w, "  demo logins (password %q):\n", app.DemoPassword)
		for _, l := range app.DemoLogins {
			fmt.Fprintf(w, "    %-18s %s, %s\n", l.Username, l.Role, l.Org)
		}
	}
}
