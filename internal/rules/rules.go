// Package rules is the registry of legal values: deadlines, notice periods
// and review cadences, each a named rule with its source article and the
// period in which it is in force. The platform applies the version in force
// on the date of the event (a connection request received on 10 June 2025 is
// due in 5 working days, one received on 10 June 2026 in 2), and an operator
// can add or correct versions from a file when the law changes again,
// without a new release.
package rules

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/govdx/govdx/internal/workday"
)

// Keys of the shipped rules, for code that applies them.
const (
	// D47-35.3 (/D194-40.3): connection account created, or the request
	// refused with reasons, within N working days of receipt.
	KeyConnectionDecision = "connection_request.decision_deadline"
	// D47-25.1: a ready service is published in the catalog within N working days.
	KeyServicePublication = "service.publication_deadline"
	// D47-34.2: the default-shared data list is reviewed at least every N months.
	KeyDefaultSharedReview = "default_shared_list.review_interval"
	// D47-43.1a: maintenance suspension announced at least N working days ahead.
	KeyMaintenanceNotice = "suspension.maintenance_notice"
	// D47-43.5: a consumer is notified of a violation within N days of its discovery.
	KeyViolationNotice = "suspension.violation_notice_deadline"
	// D47-49.1: the provider answers an obstacle within N working days.
	KeyObstacleProviderAnswer = "obstacle.provider_answer_deadline"
	// D47-49.2: the ministry/provincial IT unit answers within N working days.
	KeyObstacleITUnitAnswer = "obstacle.it_unit_answer_deadline"
	// D47-16.4: the annual database quality self-assessment is due by a day of the year.
	KeyQualityReportDue = "database.quality_report_due"
	// D47-20.3: the open-data list is reviewed at least every N months.
	KeyOpenDataListReview = "open_data.list_review_interval"
	// D47-20.3: published open data is updated within N months of its schedule.
	KeyOpenDataUpdate = "open_data.update_deadline"
)

// Unit is the unit of a rule's value.
type Unit string

// Units.
const (
	// WorkingDays counts working days of the Vietnamese calendar, the day of
	// the event excluded (Civil Code 2015 art. 147.2).
	WorkingDays Unit = "working_days"
	// Days counts calendar days, the day of the event excluded; a period
	// ending on a non-working day ends on the next working day (art. 148.5).
	Days Unit = "days"
	// Months counts calendar months (art. 148.3), rolled forward like Days.
	Months Unit = "months"
	// AnnualDate is a fixed day of every year written MMDD (1231 is
	// 31 December): the due date is its next occurrence on or after the
	// event. It is a date, not a period, so it is not rolled forward.
	AnnualDate Unit = "annual_date"
)

// Valid reports whether u is a known unit.
func (u Unit) Valid() bool {
	switch u {
	case WorkingDays, Days, Months, AnnualDate:
		return true
	}
	return false
}

// Kind says which way a rule counts from its event.
type Kind string

// Kinds.
const (
	// Deadline: something must happen within the period after the event
	// (receipt of a request, discovery of a violation).
	Deadline Kind = "deadline"
	// Cadence: something recurs at least every period; the event is the
	// previous occurrence. It computes like Deadline.
	Cadence Kind = "cadence"
	// Notice: a notice must be given at least the period before the event
	// (start of a maintenance window).
	Notice Kind = "notice"
)

// Rule is one version of a legal value.
type Rule struct {
	ID      string `json:"id"`  // requirement ID, e.g. "D47-35.3/D194-40.3"
	Key     string `json:"key"` // stable name used in code, e.g. KeyConnectionDecision
	TitleVI string `json:"title_vi"`
	TitleEN string `json:"title_en"`
	Kind    Kind   `json:"kind,omitempty"` // default Deadline
	Value   int    `json:"value"`
	Unit    Unit   `json:"unit"`
	Source  string `json:"source"` // the article(s) the value comes from
	// EffectiveFrom is the first day the version is in force.
	EffectiveFrom workday.Date `json:"effective_from"`
	// EffectiveTo is the last day the version is in force (inclusive); zero
	// means open-ended.
	EffectiveTo workday.Date `json:"effective_to,omitzero"`
	Note        string       `json:"note,omitempty"`

	// Origin is where the version was loaded from: "shipped" or the
	// operator's file name.
	Origin string `json:"-"`
}

// InForce reports whether the version is in force on day d.
func (r Rule) InForce(d workday.Date) bool {
	return !d.Before(r.EffectiveFrom) && (r.EffectiveTo.IsZero() || !d.After(r.EffectiveTo))
}

// ValueText formats the value with its unit, e.g. "5 working days",
// "6 months", "31 December each year".
func (r Rule) ValueText() string {
	switch r.Unit {
	case WorkingDays:
		return plural(r.Value, "working day", "working days")
	case Days:
		return plural(r.Value, "day", "days")
	case Months:
		return plural(r.Value, "month", "months")
	case AnnualDate:
		return fmt.Sprintf("%d %s each year", r.Value%100, time.Month(r.Value/100))
	}
	return fmt.Sprintf("%d %s", r.Value, r.Unit)
}

// PeriodText formats the effective period, e.g. "2020-05-25..2025-08-18"
// or "2025-08-19.." when open-ended.
func (r Rule) PeriodText() string {
	if r.EffectiveTo.IsZero() {
		return r.EffectiveFrom.String() + ".."
	}
	return r.EffectiveFrom.String() + ".." + r.EffectiveTo.String()
}

// Due applies the rule to an event on day event with calendar cal:
//   - Deadline and Cadence: the last day by which the action is due;
//   - Notice: the latest day on which the notice may be given.
func (r Rule) Due(cal *workday.Calendar, event workday.Date) (workday.Date, error) {
	if r.kind() == Notice {
		switch r.Unit {
		case WorkingDays:
			return cal.SubWorkingDays(event, r.Value), nil
		case Days:
			// At least Value whole days strictly between notice and event.
			return event.AddDays(-r.Value - 1), nil
		}
		return workday.Date{}, fmt.Errorf("rule %s: a notice cannot be counted in %s", r.Key, r.Unit)
	}
	switch r.Unit {
	case WorkingDays:
		return cal.AddWorkingDays(event, r.Value), nil
	case Days:
		return cal.WorkingDayOnOrAfter(event.AddDays(r.Value)), nil
	case Months:
		return cal.WorkingDayOnOrAfter(event.AddMonths(r.Value)), nil
	case AnnualDate:
		due := workday.NewDate(event.Year(), time.Month(r.Value/100), r.Value%100)
		if due.Before(event) {
			due = workday.NewDate(event.Year()+1, time.Month(r.Value/100), r.Value%100)
		}
		return due, nil
	}
	return workday.Date{}, fmt.Errorf("rule %s: unknown unit %q", r.Key, r.Unit)
}

func (r Rule) kind() Kind {
	if r.Kind == "" {
		return Deadline
	}
	return r.Kind
}

var keyPattern = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)*$`)

// validate checks one version on its own.
func (r Rule) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if r.ID == "" {
		bad("missing id")
	}
	if !keyPattern.MatchString(r.Key) {
		bad("key %q: want lowercase words joined by '.' or '_', e.g. connection_request.decision_deadline", r.Key)
	}
	if r.TitleVI == "" || r.TitleEN == "" {
		bad("missing title_vi or title_en")
	}
	if r.Source == "" {
		bad("missing source")
	}
	switch r.Kind {
	case "", Deadline, Cadence, Notice:
	default:
		bad("unknown kind %q (want deadline, cadence or notice)", r.Kind)
	}
	if !r.Unit.Valid() {
		bad("unknown unit %q (want working_days, days, months or annual_date)", r.Unit)
	}
	if r.Value < 0 {
		bad("negative value %d", r.Value)
	}
	if r.Unit == AnnualDate {
		m, d := r.Value/100, r.Value%100
		if m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m)) {
			bad("annual_date value %d: want MMDD, e.g. 1231 for 31 December", r.Value)
		}
	}
	if r.kind() == Notice && r.Unit != WorkingDays && r.Unit != Days {
		bad("a notice rule is counted in working_days or days, not %s", r.Unit)
	}
	if r.EffectiveFrom.IsZero() {
		bad("missing effective_from")
	}
	if !r.EffectiveTo.IsZero() && r.EffectiveTo.Before(r.EffectiveFrom) {
		bad("effective_from %s is after effective_to %s", r.EffectiveFrom, r.EffectiveTo)
	}
	return errors.Join(errs...)
}

// daysIn is the length of month m in a non-leap year: an annual date of
// 29 February would not exist most years.
func daysIn(m time.Month) int {
	return workday.NewDate(2001, m+1, 0).Day()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
