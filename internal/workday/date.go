// Package workday is the Vietnamese working-day calendar: weekends, the
// statutory holidays of the Labour Code 2019 (solar and lunar), compensatory
// days off, the officially announced schedule changes, and the deadline
// arithmetic the Civil Code uses for periods counted in working days.
//
// The package is pure: no I/O except reading an operator's overrides file in
// Load, no clock, no global mutable state.
package workday

import (
	"fmt"
	"time"
)

// Zone is Asia/Ho_Chi_Minh, the one zone of local times in govdx. Vietnam
// has had no DST and a fixed +07:00 offset since 1975, so a fixed zone
// avoids depending on tzdata.
var Zone = time.FixedZone("ICT", 7*60*60)

var vietnam = Zone

// Location returns the fixed +07:00 zone used for civil dates in Vietnam.
func Location() *time.Location { return vietnam }

// Date is a civil (calendar) date without time of day or zone: deadlines are
// counted in whole days, so carrying a time.Time would only invite off-by-one
// errors at midnight. The zero Date is "no date" (see IsZero). Dates are
// comparable with ==.
type Date struct {
	year  int
	month time.Month
	day   int
}

// NewDate returns the date year-month-day. Out-of-range values are normalised
// the way time.Date does (e.g. 32 January is 1 February).
func NewDate(year int, month time.Month, day int) Date {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}

// ParseDate parses a date written YYYY-MM-DD. It rejects dates that do not
// exist (e.g. 2025-02-29) instead of normalising them.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// MustParseDate is ParseDate that panics; for tests and literals.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the civil date of instant t in Vietnam (+07:00), whatever
// t's own location: an event at 23:30 UTC is already the next day in Hanoi.
func DateOf(t time.Time) Date {
	t = t.In(vietnam)
	return Date{t.Year(), t.Month(), t.Day()}
}

// Year returns the year.
func (d Date) Year() int { return d.year }

// Month returns the month.
func (d Date) Month() time.Month { return d.month }

// Day returns the day of the month.
func (d Date) Day() int { return d.day }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns the start of day d in Vietnam (00:00 +07:00).
func (d Date) Time() time.Time {
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, vietnam)
}

func (d Date) utc() time.Time {
	return time.Date(d.year, d.month, d.day, 0, 0, 0, 0, time.UTC)
}

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// AddDays returns d plus n calendar days (n may be negative).
func (d Date) AddDays(n int) Date { return NewDate(d.year, d.month, d.day+n) }

// AddMonths returns the same day n months later (n may be negative). When the
// target month is shorter, the result is its last day, as the Civil Code 2015
// art. 148.3 ends a period in months (31 August + 6 months = 28/29 February).
func (d Date) AddMonths(n int) Date {
	first := NewDate(d.year, d.month+time.Month(n), 1)
	last := daysIn(first.year, first.month)
	day := min(d.day, last)
	return Date{first.year, first.month, day}
}

// Sub returns the number of calendar days from o to d (d - o).
func (d Date) Sub(o Date) int { return d.unixDays() - o.unixDays() }

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.year != o.year:
		return cmpInt(d.year, o.year)
	case d.month != o.month:
		return cmpInt(int(d.month), int(o.month))
	default:
		return cmpInt(d.day, o.day)
	}
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.year, int(d.month), d.day)
}

// MarshalText formats d as YYYY-MM-DD; the zero Date is the empty string.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses YYYY-MM-DD; the empty string is the zero Date, so an
// optional date may be written "" in JSON.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// unixDays is the number of days since 1970-01-01.
func (d Date) unixDays() int {
	return int(d.utc().Unix() / 86400)
}

// jdn is the Julian Day Number of d (the lunar algorithm counts in it).
func (d Date) jdn() int { return d.unixDays() + unixEpochJDN }

// unixEpochJDN is the Julian Day Number of 1970-01-01.
const unixEpochJDN = 2440588

func dateFromJDN(jdn int) Date { return NewDate(1970, time.January, 1+jdn-unixEpochJDN) }

func daysIn(year int, month time.Month) int {
	return NewDate(year, month+1, 0).day
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
