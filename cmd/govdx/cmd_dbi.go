package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/govdx/govdx/internal/dbi"
)

const dbiUsage = `usage:
  govdx dbi score FILE.json     score an assessment (FILE "-" reads stdin); prints JSON
  govdx dbi size --sector S --staff N --revenue X --capital Y [--subsidiaries] [--json]
                                classify enterprise size and suggest the index

The input format and the rules are in docs/dbi-scoring.md.
`

// runDBI is the enterprise DX index (DBI) tool: scoring and size classification.
func runDBI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, dbiUsage)
		return errUsage
	}
	switch args[0] {
	case "score":
		return runDBIScore(args[1:], stdout, stderr)
	case "size":
		return runDBISize(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stderr, dbiUsage)
		return errUsage
	}
	fmt.Fprintf(stderr, "govdx dbi: unknown subcommand %q\n%s", args[0], dbiUsage)
	return errUsage
}

func runDBIScore(args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, dbiUsage)
		return errUsage
	}
	path := args[0]
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return err
	}
	res, err := dbi.EvaluateJSON(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return dbiWriteJSON(stdout, res)
}

func runDBISize(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("govdx dbi size", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, dbiUsage+"\nflags of size:\n")
		fs.PrintDefaults()
	}
	sector := fs.String("sector", "", "agriculture, forestry, fisheries, industry, construction, trade, services, postal or logistics")
	staff := fs.Int("staff", 0, "yearly average employees with social insurance")
	revenue := fs.Float64("revenue", 0, "yearly revenue, billion VND")
	capital := fs.Float64("capital", 0, "total capital, billion VND")
	subs := fs.Bool("subsidiaries", false, "the enterprise has subsidiaries (parent-subsidiary structure)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return errUsage // flag has printed the problem (or -h) and the usage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var missing []string
	for _, name := range []string{"sector", "staff", "revenue", "capital"} {
		if !set[name] {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 || fs.NArg() > 0 {
		if len(missing) > 0 {
			fmt.Fprintf(stderr, "govdx dbi size: missing %s\n", strings.Join(missing, ", "))
		} else {
			fmt.Fprintf(stderr, "govdx dbi size: unexpected argument %q\n", fs.Arg(0))
		}
		fs.Usage()
		return errUsage
	}
	sec, err := dbi.ParseSector(*sector)
	if err != nil {
		return err
	}
	res, err := dbi.ClassifySize(dbi.SizeInput{Sector: sec, Staff: *staff, Revenue: *revenue, Capital: *capital, HasSubsidiaries: *subs})
	if err != nil {
		return err
	}
	if *asJSON {
		return dbiWriteJSON(stdout, res)
	}
	_, err = fmt.Fprintf(stdout, "sector: %s\nsize: %s\nbasis: %s\nindex: %s\n", res.Sector, res.Size, res.Basis, res.Index)
	return err
}

func dbiWriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
