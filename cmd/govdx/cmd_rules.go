package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/govdx/govdx/internal/rules"
	"github.com/govdx/govdx/internal/workday"
)

// envRulesOverrides names the operator's legal-rules file.
const envRulesOverrides = "GOVDX_RULES_OVERRIDES"

const rulesUsageText = `usage: govdx rules <subcommand> [flags]

subcommands:
  list [--at YYYY-MM-DD]            the rules and their versions; with --at,
                                    only the versions in force that day
  due KEY --from YYYY-MM-DD         apply the version in force on --from: the
                                    deadline, or the latest day for a notice
      [--workday-overrides FILE]    working-day overrides (default $` + envWorkdayOverrides + `)

flags for all subcommands:
  --overrides FILE   operator's rules file (default $` + envRulesOverrides + `),
                     merged over the shipped rules
`

// runRules is the legal-rules registry command.
func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || workdayIsHelp(args[0]) {
		fmt.Fprint(stderr, rulesUsageText)
		return errUsage
	}
	switch args[0] {
	case "list":
		return rulesList(args[1:], stdout, stderr)
	case "due":
		return rulesDue(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "govdx rules: unknown subcommand %q\n", args[0])
	fmt.Fprint(stderr, rulesUsageText)
	return errUsage
}

func rulesList(args []string, stdout, stderr io.Writer) error {
	fs := workdayFlagSet("govdx rules list", "[--at YYYY-MM-DD] [--overrides FILE]", stderr)
	at := fs.String("at", "", "only the versions in force on this `date`, YYYY-MM-DD")
	overrides := rulesOverridesFlag(fs)
	if err := workdayParseFlags(fs, args, 0); err != nil {
		return err
	}
	reg, err := loadRules(*overrides)
	if err != nil {
		return err
	}
	list := reg.All()
	if *at != "" {
		d, err := workday.ParseDate(*at)
		if err != nil {
			return fmt.Errorf("--at: %w", err)
		}
		list = reg.InForce(d)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tID\tVALUE\tKIND\tSOURCE\tEFFECTIVE\tORIGIN")
	for _, r := range list {
		origin := r.Origin
		if origin != rules.OriginShipped {
			origin = "operator"
		}
		kind := r.Kind
		if kind == "" {
			kind = rules.Deadline
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Key, r.ID, r.ValueText(), kind, r.Source, r.PeriodText(), origin)
	}
	return tw.Flush()
}

func rulesDue(args []string, stdout, stderr io.Writer) error {
	fs := workdayFlagSet("govdx rules due", "KEY --from YYYY-MM-DD [--overrides FILE] [--workday-overrides FILE]", stderr)
	from := fs.String("from", "", "`date` of the event (receipt, discovery, last review, start of maintenance), YYYY-MM-DD")
	overrides := rulesOverridesFlag(fs)
	wdOverrides := fs.String("workday-overrides", "", "working-day overrides `file` (default $"+envWorkdayOverrides+")")
	if err := workdayParseFlags(fs, args, 1); err != nil {
		return err
	}
	if *from == "" {
		fmt.Fprintln(stderr, "govdx rules due: --from is required")
		fs.Usage()
		return errUsage
	}
	event, err := workday.ParseDate(*from)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	reg, err := loadRules(*overrides)
	if err != nil {
		return err
	}
	cal, err := loadWorkdayCalendar(*wdOverrides)
	if err != nil {
		return err
	}
	due, rule, err := reg.Due(fs.Arg(0), cal, event)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, due)
	what := "due"
	if rule.Kind == rules.Notice {
		what = "latest notice day"
	}
	fmt.Fprintf(stdout, "%s: %s %s, %s (%s), in force %s\n", what, rule.ID, rule.TitleEN, rule.ValueText(), rule.Source, rule.PeriodText())
	return nil
}

func rulesOverridesFlag(fs *flag.FlagSet) *string {
	return fs.String("overrides", "", "operator's rules `file` (default $"+envRulesOverrides+")")
}

// loadRules returns the shipped rules merged with the operator's file from
// the flag or, failing that, the environment.
func loadRules(path string) (*rules.Registry, error) {
	if path == "" {
		path = os.Getenv(envRulesOverrides)
	}
	return rules.Load(path)
}
