package workday

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// d is MustParseDate, short for tables.
func d(s string) Date { return MustParseDate(s) }

func TestComputedCalendar(t *testing.T) {
	// New(nil): the rules of the Labour Code only, no announced schedule.
	c := New(nil)
	tests := []struct {
		date    string
		working bool
		reason  string // substring expected in the reason
	}{
		{"2025-06-10", true, ""},
		{"2025-06-14", false, "Thứ Bảy (Saturday)"},
		{"2025-06-15", false, "Chủ nhật (Sunday)"},
		{"2025-01-01", false, "Tết Dương lịch (New Year's Day)"},
		// Tết: last day of the lunar year + mùng 1-4.
		{"2025-01-27", true, ""},
		{"2025-01-28", false, "Tết Nguyên đán (Lunar New Year)"}, // 29 tháng Chạp, the last day
		{"2025-01-31", false, "Tết Nguyên đán (Lunar New Year)"}, // mùng 3
		{"2025-02-01", false, "Tết Nguyên đán (Lunar New Year); Thứ Bảy (Saturday)"},
		{"2025-02-03", false, "Nghỉ bù Tết Nguyên đán"}, // compensates Saturday 1/2
		{"2025-02-04", true, ""},
		{"2024-02-09", false, "Tết Nguyên đán"}, // 30 tháng Chạp
		{"2024-02-14", false, "Nghỉ bù Tết Nguyên đán"},
		{"2024-02-15", false, "Nghỉ bù Tết Nguyên đán"},
		{"2024-02-16", true, ""},
		{"2023-01-21", false, "Tết Nguyên đán"}, // Saturday, 30 tháng Chạp
		{"2023-01-26", false, "Nghỉ bù"},
		{"2023-01-27", false, "Nghỉ bù"},
		{"2030-02-01", false, "Tết Nguyên đán"}, // Tết 2030 is Saturday 2/2 in Vietnam
		{"2030-02-06", false, "Nghỉ bù"},
		{"2030-02-07", false, "Nghỉ bù"},
		{"2030-02-08", true, ""},
		// Hùng Kings' day (10/3 lunar).
		{"2025-04-07", false, "Giỗ Tổ Hùng Vương (Hùng Kings' Commemoration Day)"},
		{"2026-04-26", false, "Giỗ Tổ Hùng Vương"},
		{"2026-04-27", false, "Nghỉ bù Giỗ Tổ Hùng Vương"}, // it fell on Sunday
		// 2023: Hùng Kings on Saturday 29/4 and 30/4 on Sunday: both
		// compensated after Labour Day, on 2 and 3 May.
		{"2023-05-01", false, "Ngày Quốc tế lao động (International Labour Day)"},
		{"2023-05-02", false, "Nghỉ bù Giỗ Tổ Hùng Vương"},
		{"2023-05-03", false, "Nghỉ bù Ngày Chiến thắng"},
		{"2023-05-04", true, ""},
		{"2025-04-30", false, "Ngày Chiến thắng (Reunification Day)"},
		{"2025-05-02", true, ""}, // swapped only by the announced schedule
		// 1 January on a weekend.
		{"2023-01-02", false, "Nghỉ bù Tết Dương lịch"},
		{"2022-01-03", false, "Nghỉ bù Tết Dương lịch"},
		// National Day: 2/9 and the default adjacent day.
		{"2025-09-01", false, "Quốc khánh (National Day)"},
		{"2025-09-03", true, ""},
		{"2024-09-03", false, "Quốc khánh"},
		{"2023-09-01", false, "Quốc khánh"},
		{"2023-09-04", false, "Nghỉ bù Quốc khánh"},
		{"2029-09-03", false, "Quốc khánh"}, // 2/9/2029 is a Sunday
		{"2029-09-04", false, "Nghỉ bù Quốc khánh"},
	}
	for _, tt := range tests {
		working, reason := c.IsWorking(d(tt.date))
		if working != tt.working || !strings.Contains(reason, tt.reason) || (tt.reason == "" && reason != "") {
			t.Errorf("IsWorking(%s) = %v, %q; want %v, %q", tt.date, working, reason, tt.working, tt.reason)
		}
	}
}

func TestNationalDayCompanion(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{2021, "2021-09-03"}, // Thursday: announced 2-3/9
		{2022, "2022-09-01"}, // Friday: announced 1-2/9
		{2023, "2023-09-01"}, // Saturday: announced 1-2/9 + Monday 4/9
		{2024, "2024-09-03"}, // Monday: announced 2-3/9
		{2025, "2025-09-01"}, // Tuesday: announced 1-2/9
		{2026, "2026-09-03"}, // Wednesday: default, not yet announced
		{2029, "2029-09-03"}, // Sunday
	}
	for _, tt := range tests {
		if got := nationalDayCompanion(NewDate(tt.year, time.September, 2)); got.String() != tt.want {
			t.Errorf("%d: companion of 2/9 = %s, want %s", tt.year, got, tt.want)
		}
	}
}

func TestStatutoryHolidaysCount(t *testing.T) {
	// Labour Code 2019 art. 112.1: 11 days a year (Tết 5, National Day 2).
	for year := 2021; year <= 2040; year++ {
		hs := statutoryHolidays(year)
		dates := map[Date]bool{}
		for _, h := range hs {
			dates[h.date] = true
			if h.date.Year() != year {
				t.Errorf("%d: holiday %s outside the year", year, h.date)
			}
		}
		if len(hs) != 11 {
			t.Errorf("%d: %d holidays, want 11", year, len(hs))
		}
		for i := 1; i < len(hs); i++ {
			if hs[i].date.Before(hs[i-1].date) {
				t.Errorf("%d: holidays not in date order", year)
			}
		}
	}
}

func TestShippedSchedule(t *testing.T) {
	c := Default()
	// Announced breaks: every day from first to last is off, the days
	// around them are working days.
	breaks := []struct {
		name        string
		first, last string
	}{
		{"Tết 2024", "2024-02-08", "2024-02-14"},
		{"30/4-1/5 2024", "2024-04-27", "2024-05-01"},
		{"2/9 2024", "2024-08-31", "2024-09-03"},
		{"Tết 2025", "2025-01-25", "2025-02-02"},
		{"30/4-1/5 2025", "2025-04-30", "2025-05-04"},
		{"2/9 2025", "2025-08-30", "2025-09-02"},
		{"Tết 2026", "2026-02-14", "2026-02-22"},
	}
	for _, b := range breaks {
		t.Run(b.name, func(t *testing.T) {
			first, last := d(b.first), d(b.last)
			for x := first; !x.After(last); x = x.AddDays(1) {
				if ok, _ := c.IsWorking(x); ok {
					t.Errorf("%s is a working day, want off", x)
				}
			}
			for _, x := range []Date{first.AddDays(-1), last.AddDays(1)} {
				if x.Weekday() == time.Saturday || x.Weekday() == time.Sunday {
					continue
				}
				if ok, why := c.IsWorking(x); !ok {
					t.Errorf("%s is off (%s), want working", x, why)
				}
			}
		})
	}
	// Swapped Saturdays are working days, with the reason shown.
	for _, s := range []string{"2024-05-04", "2025-04-26"} {
		ok, why := c.IsWorking(d(s))
		if !ok || !strings.Contains(why, "Làm bù") {
			t.Errorf("IsWorking(%s) = %v, %q; want a working Saturday", s, ok, why)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := Default()
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"zero days", "2025-06-10", 0, "2025-06-10"},
		{"next day", "2025-06-10", 1, "2025-06-11"},
		{"D47-35.3 5 days, June 2025", "2025-06-10", 5, "2025-06-17"},
		{"D194 2 days, June 2026", "2026-06-10", 2, "2026-06-12"},
		{"received on Friday", "2025-06-13", 1, "2025-06-16"},
		{"received on Saturday", "2025-06-14", 1, "2025-06-16"},
		{"received on Sunday", "2025-06-15", 5, "2025-06-20"},
		// Tết 2025: off 25/1-2/2, 3/2 is a working day (announced).
		{"across Tết 2025", "2025-01-24", 5, "2025-02-07"},
		{"received during Tết 2025", "2025-01-29", 1, "2025-02-03"},
		// Tết 2026: off 14/2-22/2.
		{"across Tết 2026", "2026-02-13", 2, "2026-02-24"},
		{"across Tết 2024", "2024-02-07", 1, "2024-02-15"},
		// National Day 2025: off 30/8-2/9.
		{"across 2/9 2025", "2025-08-29", 2, "2025-09-04"},
		// 2025: Saturday 26/4 is worked, 2/5 is off.
		{"swapped Saturday counts", "2025-04-25", 1, "2025-04-26"},
		{"across 30/4 2025", "2025-04-29", 1, "2025-05-05"},
		{"across the year end", "2025-12-30", 3, "2026-01-05"},
		{"backwards", "2025-02-03", -1, "2025-01-24"},
		{"backwards 5", "2025-06-17", -5, "2025-06-10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.AddWorkingDays(d(tt.from), tt.n); got.String() != tt.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
		})
	}
}

func TestSubWorkingDays(t *testing.T) {
	c := Default()
	tests := []struct {
		name  string
		event string
		n     int
		want  string
	}{
		// Working days 5,6,9,10,11,12,13 June lie between 4 and 16 June.
		{"D47-43.1a 7 days", "2025-06-16", 7, "2025-06-04"},
		{"one day", "2025-06-12", 1, "2025-06-10"},
		{"event on Monday, one day", "2025-06-16", 1, "2025-06-12"},
		// The 7th working day before the event is a Monday, so the latest
		// notice day is the Sunday before it.
		{"result on a weekend", "2025-06-18", 7, "2025-06-08"},
		// Tết 2025 (25/1-2/2 off, 3/2 working).
		{"across Tết 2025", "2025-02-07", 7, "2025-01-21"},
		{"across 2/9 2025", "2025-09-05", 3, "2025-08-28"}, // 4/9, 3/9, 29/8
		{"zero", "2025-06-16", 0, "2025-06-16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.SubWorkingDays(d(tt.event), tt.n)
			if got.String() != tt.want {
				t.Fatalf("SubWorkingDays(%s, %d) = %s, want %s", tt.event, tt.n, got, tt.want)
			}
			if tt.n == 0 {
				return
			}
			// At least n working days strictly between notice and event,
			// and one day later would be too late.
			event := d(tt.event)
			if between := c.WorkingDaysBetween(got, event.AddDays(-1)); between < tt.n {
				t.Errorf("only %d working days between %s and %s", between, got, event)
			}
			if between := c.WorkingDaysBetween(got.AddDays(1), event.AddDays(-1)); between >= tt.n {
				t.Errorf("%s is not the latest notice day", got)
			}
		})
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := Default()
	tests := []struct {
		a, b string
		want int
	}{
		{"2025-06-10", "2025-06-10", 0},
		{"2025-06-10", "2025-06-17", 5},
		{"2025-06-17", "2025-06-10", -5},
		{"2025-01-24", "2025-02-07", 5},
		{"2025-06-13", "2025-06-15", 0},   // Friday to Sunday
		{"2025-01-01", "2025-12-31", 250}, // 260 weekdays - 11 days off + Saturday 26/4
	}
	for _, tt := range tests {
		if got := c.WorkingDaysBetween(d(tt.a), d(tt.b)); got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestArithmeticProperties(t *testing.T) {
	c := Default()
	for from := d("2024-01-01"); from.Before(d("2027-01-01")); from = from.AddDays(3) {
		for n := 0; n <= 12; n++ {
			to := c.AddWorkingDays(from, n)
			if got := c.WorkingDaysBetween(from, to); got != n {
				t.Fatalf("WorkingDaysBetween(%s, AddWorkingDays(%s, %d)=%s) = %d", from, from, n, to, got)
			}
			if n > 0 {
				if ok, _ := c.IsWorking(to); !ok {
					t.Fatalf("AddWorkingDays(%s, %d) = %s, a non-working day", from, n, to)
				}
				if back := c.AddWorkingDays(to, -n); c.WorkingDaysBetween(back, to) != n {
					t.Fatalf("AddWorkingDays(%s, -%d) = %s does not invert", to, n, back)
				}
				notice := c.SubWorkingDays(from, n)
				if c.WorkingDaysBetween(notice, from.AddDays(-1)) < n || c.WorkingDaysBetween(notice.AddDays(1), from.AddDays(-1)) >= n {
					t.Fatalf("SubWorkingDays(%s, %d) = %s is not the latest notice day", from, n, notice)
				}
			}
		}
	}
}

func TestWorkingDayOnOrAfter(t *testing.T) {
	c := Default()
	tests := map[string]string{
		"2025-06-10": "2025-06-10",
		"2025-06-14": "2025-06-16",
		"2025-01-25": "2025-02-03",
		"2025-08-30": "2025-09-03",
	}
	for in, want := range tests {
		if got := c.WorkingDayOnOrAfter(d(in)); got.String() != want {
			t.Errorf("WorkingDayOnOrAfter(%s) = %s, want %s", in, got, want)
		}
	}
	if got := c.PrevWorkingDay(d("2025-02-03")); got.String() != "2025-01-24" {
		t.Errorf("PrevWorkingDay(2025-02-03) = %s", got)
	}
}

func TestNonWorkingBetween(t *testing.T) {
	c := Default()
	days := c.NonWorkingBetween(d("2025-08-29"), d("2025-09-04"))
	var got []string
	for _, day := range days {
		got = append(got, day.Date.String())
	}
	if want := "2025-08-30 2025-08-31 2025-09-01 2025-09-02"; strings.Join(got, " ") != want {
		t.Errorf("NonWorkingBetween = %v, want %s", got, want)
	}
}

func TestHolidays(t *testing.T) {
	c := Default()
	got := map[string]bool{}
	for _, day := range c.Holidays(2025) {
		got[day.Date.String()] = day.Working
	}
	want := map[string]bool{
		"2025-01-01": false,
		"2025-01-27": false, "2025-01-28": false, "2025-01-29": false, "2025-01-30": false,
		"2025-01-31": false, "2025-02-01": false, "2025-02-03": true,
		"2025-04-07": false, "2025-04-26": true, "2025-04-30": false, "2025-05-01": false, "2025-05-02": false,
		"2025-09-01": false, "2025-09-02": false,
	}
	if len(got) != len(want) {
		t.Errorf("Holidays(2025) = %v, want %v", got, want)
	}
	for date, working := range want {
		if w, ok := got[date]; !ok || w != working {
			t.Errorf("Holidays(2025)[%s] = %v, %v; want working=%v", date, w, ok, working)
		}
	}
}

func TestCalendarConcurrent(t *testing.T) {
	c := Default()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c.AddWorkingDays(NewDate(2020+i, 1, 1), 300)
		})
	}
	wg.Wait()
}
