package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/govdx/govdx/internal/workday"
)

// envWorkdayOverrides names the operator's working-day overrides file.
const envWorkdayOverrides = "GOVDX_WORKDAY_OVERRIDES"

const workdayUsageText = `usage: govdx workday <subcommand> [flags]

subcommands:
  add --from YYYY-MM-DD --days N   deadline: the N-th working day after --from
  check YYYY-MM-DD                 is the day a working day, and why not
  holidays --year YYYY             the year's holidays, compensatory and swapped days

flags for all subcommands:
  --overrides FILE   operator's overrides file (default $` + envWorkdayOverrides + `),
                     applied over the shipped official schedule
`

// runWorkday is the working-day calendar command: deadline arithmetic and
// day status, as the platform computes them.
func runWorkday(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || workdayIsHelp(args[0]) {
		fmt.Fprint(stderr, workdayUsageText)
		return errUsage
	}
	switch args[0] {
	case "add":
		return workdayAdd(args[1:], stdout, stderr)
	case "check":
		return workdayCheck(args[1:], stdout, stderr)
	case "holidays":
		return workdayHolidays(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "govdx workday: unknown subcommand %q\n", args[0])
	fmt.Fprint(stderr, workdayUsageText)
	return errUsage
}

func workdayAdd(args []string, stdout, stderr io.Writer) error {
	fs := workdayFlagSet("govdx workday add", "--from YYYY-MM-DD --days N [--overrides FILE]", stderr)
	from := fs.String("from", "", "`date` of the event (e.g. receipt of a request), YYYY-MM-DD; not counted")
	days := fs.String("days", "", "number `N` of working days, zero or more")
	overrides := workdayOverridesFlag(fs)
	if err := workdayParseFlags(fs, args, 0); err != nil {
		return err
	}
	if *from == "" || *days == "" {
		fmt.Fprintln(stderr, "govdx workday add: --from and --days are required")
		fs.Usage()
		return errUsage
	}
	start, err := workday.ParseDate(*from)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	n, err := strconv.Atoi(*days)
	if err != nil {
		return fmt.Errorf("--days %q: not a whole number", *days)
	}
	if n < 0 {
		return fmt.Errorf("--days %d: must be zero or more", n)
	}
	cal, err := loadWorkdayCalendar(*overrides)
	if err != nil {
		return err
	}
	due := cal.AddWorkingDays(start, n)
	fmt.Fprintln(stdout, due)
	var skipped []string
	for _, day := range cal.NonWorkingBetween(start, due) {
		skipped = append(skipped, day.Date.String()+" ["+day.Reason()+"]")
	}
	if len(skipped) == 0 {
		fmt.Fprintln(stdout, "skipped: none")
	} else {
		fmt.Fprintln(stdout, "skipped: "+strings.Join(skipped, ", "))
	}
	return nil
}

func workdayCheck(args []string, stdout, stderr io.Writer) error {
	fs := workdayFlagSet("govdx workday check", "YYYY-MM-DD [--overrides FILE]", stderr)
	overrides := workdayOverridesFlag(fs)
	if err := workdayParseFlags(fs, args, 1); err != nil {
		return err
	}
	date, err := workday.ParseDate(fs.Arg(0))
	if err != nil {
		return err
	}
	cal, err := loadWorkdayCalendar(*overrides)
	if err != nil {
		return err
	}
	// The first token is exactly "working" or "non-working" so scripts can
	// test it; the reasons follow after a colon.
	day := cal.Day(date)
	status := "working"
	if !day.Working {
		status = "non-working"
	}
	if r := day.Reason(); r != "" {
		status += ": " + r
	}
	fmt.Fprintln(stdout, status)
	return nil
}

func workdayHolidays(args []string, stdout, stderr io.Writer) error {
	fs := workdayFlagSet("govdx workday holidays", "--year YYYY [--overrides FILE]", stderr)
	year := fs.Int("year", 0, "Gregorian `year`, 1900-2199")
	overrides := workdayOverridesFlag(fs)
	if err := workdayParseFlags(fs, args, 0); err != nil {
		return err
	}
	if *year == 0 {
		fmt.Fprintln(stderr, "govdx workday holidays: --year is required")
		fs.Usage()
		return errUsage
	}
	// The lunar algorithm is reliable for these years only.
	if *year < 1900 || *year > 2199 {
		return fmt.Errorf("--year %d: outside the supported years 1900-2199", *year)
	}
	cal, err := loadWorkdayCalendar(*overrides)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DATE\tDAY\tSTATUS\tREASON")
	for _, day := range cal.Holidays(*year) {
		status := "working"
		if !day.Working {
			status = "non-working"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", day.Date, day.Date.Weekday().String()[:3], status, day.Reason())
	}
	return tw.Flush()
}

func workdayOverridesFlag(fs *flag.FlagSet) *string {
	return fs.String("overrides", "", "operator's overrides `file` (default $"+envWorkdayOverrides+")")
}

// loadWorkdayCalendar returns the shipped calendar plus the operator's
// overrides from the flag or, failing that, the environment.
func loadWorkdayCalendar(path string) (*workday.Calendar, error) {
	if path == "" {
		path = os.Getenv(envWorkdayOverrides)
	}
	return workday.Load(path)
}

// workdayFlagSet returns a flag set that reports errors and usage on
// stderr instead of exiting.
func workdayFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// workdayParseFlags parses args allowing flags after positional
// arguments ("check 2025-01-29 --overrides f") and requires exactly npos
// positional arguments. Any problem has been reported, with the usage, on
// the flag set's output, and errUsage is returned.
func workdayParseFlags(fs *flag.FlagSet, args []string, npos int) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return errUsage // the flag package printed the problem and the usage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if len(pos) != npos {
		if len(pos) > npos {
			fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), pos[npos])
		} else {
			fmt.Fprintf(fs.Output(), "%s: missing argument\n", fs.Name())
		}
		fs.Usage()
		return errUsage
	}
	// Re-parse the positional arguments into fs so fs.Arg works.
	if err := fs.Parse(append([]string{"--"}, pos...)); err != nil {
		return errUsage
	}
	return nil
}

func workdayIsHelp(s string) bool {
	return s == "-h" || s == "-help" || s == "--help" || s == "help"
}
