// Command logcheck checks the sharing log of a gateway data directory
// (SQLite) after the crash test: every correlation ID listed in the given
// files (calls the load client saw succeed) must have its entry, and each
// -code must appear at least once as a refusal code.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/govdx/govdx/internal/platform"
)

type codes []string

func (c *codes) String() string     { return strings.Join(*c, ",") }
func (c *codes) Set(v string) error { *c = append(*c, v); return nil }

func main() {
	data := flag.String("data", "govdx-data", "data directory holding govdx.db")
	var want codes
	flag.Var(&want, "code", "refusal code that must be logged at least once (repeatable)")
	flag.Parse()
	ctx := context.Background()
	db, err := platform.Open(ctx, platform.OpenConfig{SQLitePath: filepath.Join(*data, "govdx.db")})
	if err != nil {
		fail(err)
	}
	defer db.Close()
	logged := map[string]bool{}
	refusals := map[string]int{}
	rows, err := db.Read.QueryContext(ctx, `SELECT correlation_id, refusal_code FROM sharelog_entries`)
	if err != nil {
		fail(err)
	}
	for rows.Next() {
		var id, code string
		if err := rows.Scan(&id, &code); err != nil {
			fail(err)
		}
		logged[id] = true
		if code != "" {
			refusals[code]++
		}
	}
	if err := rows.Err(); err != nil {
		fail(err)
	}
	checked, missing := 0, 0
	for _, name := range flag.Args() {
		f, err := os.Open(name)
		if err != nil {
			fail(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			id := strings.TrimSpace(sc.Text())
			if id == "" {
				continue
			}
			checked++
			if !logged[id] {
				missing++
				if missing <= 10 {
					fmt.Printf("missing entry for correlation ID %s\n", id)
				}
			}
		}
		f.Close()
	}
	fmt.Printf("log entries: %d; successful calls checked: %d; missing: %d; refusals: %v\n", len(logged), checked, missing, refusals)
	bad := missing > 0
	for _, c := range want {
		if refusals[c] == 0 {
			fmt.Printf("no entry with refusal code %s\n", c)
			bad = true
		}
	}
	if bad {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "logcheck:", err)
	os.Exit(1)
}
