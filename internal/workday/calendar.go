package workday

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Calendar tells working days from non-working days in Vietnam's public
// sector (a 40-hour week, Monday to Friday: Decision 188/1999/QĐ-TTg) and
// does deadline arithmetic on working days.
//
// A day is non-working when it is a Saturday or Sunday, a statutory holiday
// (Labour Code 2019 art. 112), or a compensatory day off (art. 111.3), unless
// an override says otherwise. Overrides carry the officially announced
// schedule: the Prime Minister fixes each year which days make up the five
// Tết days and the second National Day, and may swap working days.
//
// A Calendar is safe for concurrent use.
type Calendar struct {
	overrides map[Date]Override

	mu    sync.Mutex
	years map[int]map[Date][]string // computed holiday reasons per year, filled lazily
}

// Override fixes the status of one date, whatever the computed rules say.
type Override struct {
	Date    Date
	Working bool
	Reason  string // shown to users; Vietnamese (English)
}

// Day is the status of one date.
type Day struct {
	Date    Date
	Working bool
	// Reasons explains the status: holidays, compensatory days, the weekend,
	// or an override's reason. It is empty for an ordinary working day.
	Reasons []string
	// Overridden is true when the status comes from an override.
	Overridden bool
}

// Reason returns the reasons joined by "; ".
func (d Day) Reason() string { return strings.Join(d.Reasons, "; ") }

// New returns a calendar that applies exactly the given overrides (and not
// the shipped ones: see Default and Load). When a date appears twice, the
// later entry wins.
func New(overrides []Override) *Calendar {
	c := &Calendar{overrides: make(map[Date]Override, len(overrides)), years: map[int]map[Date][]string{}}
	for _, o := range overrides {
		c.overrides[o.Date] = o
	}
	return c
}

// Day returns the status of d.
func (c *Calendar) Day(d Date) Day {
	if o, ok := c.overrides[d]; ok {
		return Day{Date: d, Working: o.Working, Reasons: []string{o.Reason}, Overridden: true}
	}
	reasons := append([]string(nil), c.computed(d.Year())[d]...)
	if w := weekendName(d.Weekday()); w != "" {
		reasons = append(reasons, w)
	}
	return Day{Date: d, Working: len(reasons) == 0, Reasons: reasons}
}

// IsWorking reports whether d is a working day, and why not (or why it is,
// for a day made working by an override). The reason is "" for an ordinary
// working day; several reasons are joined by "; ".
func (c *Calendar) IsWorking(d Date) (bool, string) {
	day := c.Day(d)
	return day.Working, day.Reason()
}

func (c *Calendar) working(d Date) bool {
	if o, ok := c.overrides[d]; ok {
		return o.Working
	}
	if weekendName(d.Weekday()) != "" {
		return false
	}
	return len(c.computed(d.Year())[d]) == 0
}

// AddWorkingDays returns the deadline of a period of n working days counted
// from the event on day from ("within n working days of receipt"). As the
// Civil Code 2015 counts periods (art. 147.2, 148), the day of the event is
// not counted and only working days are: the result is the n-th working day
// after from, and the period ends at the end of that day. n = 0 returns from.
// A negative n counts backwards: the |n|-th working day before from.
func (c *Calendar) AddWorkingDays(from Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	d := from
	for n > 0 {
		d = d.AddDays(step)
		if c.working(d) {
			n--
		}
	}
	return d
}

// SubWorkingDays returns the latest day on which a notice may be given for
// an event that starts on day event when the notice must come "at least n
// working days in advance" (e.g. D47-43.1a): at least n full working days
// must lie strictly between the notice day and the event day, neither of
// which is counted. It is the day before the n-th working day before event,
// and may itself be a non-working day (a notice published on Sunday still
// leaves Monday to count); use PrevWorkingDay on the result for the last
// working day. For n <= 0 it returns event.
//
// Example: for an event on Monday 16 June 2025 and n = 7 the 7th working day
// before is Thursday 5 June, so the notice is due by Wednesday 4 June.
func (c *Calendar) SubWorkingDays(event Date, n int) Date {
	if n <= 0 {
		return event
	}
	return c.AddWorkingDays(event, -n).AddDays(-1)
}

// WorkingDaysBetween returns the number of working days in the half-open
// interval (a, b]: a is not counted, b is. It is negative when b is before a
// (minus the count of (b, a]). It inverts AddWorkingDays:
// WorkingDaysBetween(a, AddWorkingDays(a, n)) == n for n >= 0.
func (c *Calendar) WorkingDaysBetween(a, b Date) int {
	sign := 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	n := 0
	for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
		if c.working(d) {
			n++
		}
	}
	return sign * n
}

// WorkingDayOnOrAfter returns d if it is a working day, else the next
// working day: where a period ends on a weekend or holiday it ends at the end
// of the next working day (Civil Code 2015 art. 148.5).
func (c *Calendar) WorkingDayOnOrAfter(d Date) Date {
	for !c.working(d) {
		d = d.AddDays(1)
	}
	return d
}

// PrevWorkingDay returns the last working day strictly before d.
func (c *Calendar) PrevWorkingDay(d Date) Date {
	return c.AddWorkingDays(d, -1)
}

// NonWorkingBetween lists the non-working days in (a, b], in order; used to
// explain a deadline.
func (c *Calendar) NonWorkingBetween(a, b Date) []Day {
	var out []Day
	for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
		if day := c.Day(d); !day.Working {
			out = append(out, day)
		}
	}
	return out
}

// Holidays lists the days of year whose status is not just the ordinary
// weekly pattern: statutory holidays (also those on a weekend),
// compensatory days off, and every overridden day (including Saturdays made
// working days), in date order.
func (c *Calendar) Holidays(year int) []Day {
	computed := c.computed(year)
	var out []Day
	for d := NewDate(year, time.January, 1); d.Year() == year; d = d.AddDays(1) {
		_, over := c.overrides[d]
		if over || len(computed[d]) > 0 {
			out = append(out, c.Day(d))
		}
	}
	return out
}

// computed returns the holiday and compensatory-day reasons for year, from
// the cache or freshly computed.
func (c *Calendar) computed(year int) map[Date][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.years[year]
	if !ok {
		m = computeYear(year)
		c.years[year] = m
	}
	return m
}

// holiday is one statutory day off.
type holiday struct {
	date   Date
	vi, en string
}

func (h holiday) reason() string { return h.vi + " (" + h.en + ")" }

// Statutory holiday names, as the Labour Code 2019 art. 112.1 calls them.
const (
	nameNewYearVI     = "Tết Dương lịch"
	nameNewYearEN     = "New Year's Day"
	nameTetVI         = "Tết Nguyên đán"
	nameTetEN         = "Lunar New Year"
	nameHungKingsVI   = "Giỗ Tổ Hùng Vương"
	nameHungKingsEN   = "Hùng Kings' Commemoration Day"
	nameVictoryVI     = "Ngày Chiến thắng"
	nameVictoryEN     = "Reunification Day"
	nameLabourVI      = "Ngày Quốc tế lao động"
	nameLabourEN      = "International Labour Day"
	nameNationalDayVI = "Quốc khánh"
	nameNationalDayEN = "National Day"
)

// statutoryHolidays returns the holidays of Labour Code 2019 art. 112.1 in
// year, in date order, with the default choice of the days the Government
// picks each year (the shipped overrides correct them where announced):
//   - Tết (5 days): the last day of the lunar year (29 or 30 of month 12)
//     and days 1-4 of the new lunar year;
//   - National Day (2 days): 2 September and an adjacent day, see
//     nationalDayCompanion.
func statutoryHolidays(year int) []holiday {
	var hs []holiday
	add := func(d Date, vi, en string) { hs = append(hs, holiday{d, vi, en}) }

	add(NewDate(year, time.January, 1), nameNewYearVI, nameNewYearEN)
	tet := lunarNewYear(year)
	for i := -1; i <= 3; i++ {
		add(tet.AddDays(i), nameTetVI, nameTetEN)
	}
	hung, err := LunarToSolar(LunarDate{Year: year, Month: 3, Day: 10})
	if err != nil {
		panic(err) // day 10 of a non-leap month always exists
	}
	add(hung, nameHungKingsVI, nameHungKingsEN)
	add(NewDate(year, time.April, 30), nameVictoryVI, nameVictoryEN)
	add(NewDate(year, time.May, 1), nameLabourVI, nameLabourEN)
	nd := NewDate(year, time.September, 2)
	add(nationalDayCompanion(nd), nameNationalDayVI, nameNationalDayEN)
	add(nd, nameNationalDayVI, nameNationalDayEN)

	// Hùng Kings' day moves around 30 April; compensation needs date order.
	slices.SortStableFunc(hs, func(a, b holiday) int { return a.date.Compare(b.date) })
	return hs
}

// nationalDayCompanion picks the second National Day holiday, which the law
// leaves to the Government as "the day before or after 2 September". The
// default joins the holiday to a weekend when one side allows it and avoids
// spending it on a weekend: 1 September when 2 September is a Tuesday,
// Friday or Saturday, otherwise 3 September. This matches the announced
// choices of 2021 (Thu, 3/9), 2022 (Fri, 1/9), 2023 (Sat, 1/9), 2024 (Mon,
// 3/9) and 2025 (Tue, 1/9); a Wednesday 2 September (2026) has no better
// side, and the day after is taken.
func nationalDayCompanion(nd Date) Date {
	switch nd.Weekday() {
	case time.Tuesday, time.Friday, time.Saturday:
		return nd.AddDays(-1)
	default:
		return nd.AddDays(1)
	}
}

// computeYear maps each holiday and compensatory day of year to its reasons.
func computeYear(year int) map[Date][]string {
	hs := statutoryHolidays(year)
	m := make(map[Date][]string, len(hs)+4)
	for _, h := range hs {
		if !slices.Contains(m[h.date], h.reason()) {
			m[h.date] = append(m[h.date], h.reason())
		}
	}
	// Labour Code 2019 art. 111.3: a holiday falling on the weekly rest day
	// is compensated on the next working day. Holidays are visited in order
	// so that consecutive weekend holidays (Tết) get consecutive days; a date
	// is compensated once even if two holidays coincide on it, since one
	// rest day was lost.
	seen := map[Date]bool{}
	for _, h := range hs {
		if seen[h.date] || weekendName(h.date.Weekday()) == "" {
			continue
		}
		seen[h.date] = true
		d := h.date.AddDays(1)
		for weekendName(d.Weekday()) != "" || len(m[d]) > 0 {
			d = d.AddDays(1)
		}
		m[d] = append(m[d], "Nghỉ bù "+h.vi+" (compensatory day off for "+h.en+")")
	}
	return m
}

func weekendName(w time.Weekday) string {
	switch w {
	case time.Saturday:
		return "Thứ Bảy (Saturday)"
	case time.Sunday:
		return "Chủ nhật (Sunday)"
	}
	return ""
}
