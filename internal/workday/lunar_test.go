package workday

import (
	"errors"
	"testing"
)

func TestLunarNewYear(t *testing.T) {
	// Tết (mùng 1 tháng Giêng) in Vietnam. 1968, 1985, 2007 and 2030 differ
	// from the Chinese New Year because Vietnam counts new moons in UTC+7
	// (the 2030 new moon is at 23:07 in Hanoi, 00:07 the next day in
	// Beijing), so a table copied from a Chinese calendar would be wrong.
	tests := []struct {
		year int
		want string
	}{
		{1968, "1968-01-29"},
		{1985, "1985-01-21"},
		{2007, "2007-02-17"},
		{2019, "2019-02-05"},
		{2020, "2020-01-25"},
		{2021, "2021-02-12"},
		{2022, "2022-02-01"},
		{2023, "2023-01-22"},
		{2024, "2024-02-10"},
		{2025, "2025-01-29"},
		{2026, "2026-02-17"},
		{2027, "2027-02-06"},
		{2028, "2028-01-26"},
		{2030, "2030-02-02"}, // China: 3 February
		{2031, "2031-01-23"},
	}
	for _, tt := range tests {
		got, err := LunarToSolar(LunarDate{Year: tt.year, Month: 1, Day: 1})
		if err != nil {
			t.Fatalf("LunarToSolar(1/1/%d): %v", tt.year, err)
		}
		if got.String() != tt.want {
			t.Errorf("Tết %d = %s, want %s", tt.year, got, tt.want)
		}
		if back := SolarToLunar(got); back != (LunarDate{Year: tt.year, Month: 1, Day: 1}) {
			t.Errorf("SolarToLunar(%s) = %v, want 1/1/%d", got, back, tt.year)
		}
	}
}

func TestSolarToLunar(t *testing.T) {
	tests := []struct {
		solar string
		want  LunarDate
	}{
		{"2024-02-09", LunarDate{Year: 2023, Month: 12, Day: 30}}, // Tết Giáp Thìn eve: month 12 had 30 days
		{"2025-01-28", LunarDate{Year: 2024, Month: 12, Day: 29}}, // Tết Ất Tỵ eve: no 30th
		{"2026-02-16", LunarDate{Year: 2025, Month: 12, Day: 29}},
		{"2026-02-14", LunarDate{Year: 2025, Month: 12, Day: 27}}, // first day of the announced 2026 break
		{"2026-02-22", LunarDate{Year: 2026, Month: 1, Day: 6}},   // last day of it
		{"2023-03-22", LunarDate{Year: 2023, Month: 2, Day: 1, Leap: true}},
		{"2023-04-19", LunarDate{Year: 2023, Month: 2, Day: 29, Leap: true}},
		{"2023-04-20", LunarDate{Year: 2023, Month: 3, Day: 1}},
		{"2025-07-25", LunarDate{Year: 2025, Month: 6, Day: 1, Leap: true}},
		{"2025-10-06", LunarDate{Year: 2025, Month: 8, Day: 15}}, // Tết Trung thu
		{"2020-05-23", LunarDate{Year: 2020, Month: 4, Day: 1, Leap: true}},
		{"2024-12-31", LunarDate{Year: 2024, Month: 12, Day: 1}},
		{"2025-01-01", LunarDate{Year: 2024, Month: 12, Day: 2}},
		{"2024-12-21", LunarDate{Year: 2024, Month: 11, Day: 21}}, // winter solstice in month 11
	}
	for _, tt := range tests {
		if got := SolarToLunar(MustParseDate(tt.solar)); got != tt.want {
			t.Errorf("SolarToLunar(%s) = %v, want %v", tt.solar, got, tt.want)
		}
	}
}

func TestHungKingsDay(t *testing.T) {
	tests := map[int]string{
		2021: "2021-04-21",
		2022: "2022-04-10",
		2023: "2023-04-29", // after a leap 2nd month
		2024: "2024-04-18",
		2025: "2025-04-07",
		2026: "2026-04-26",
		2027: "2027-04-16",
	}
	for year, want := range tests {
		got, err := LunarToSolar(LunarDate{Year: year, Month: 3, Day: 10})
		if err != nil || got.String() != want {
			t.Errorf("10/3/%d ÂL = %s, %v; want %s", year, got, err, want)
		}
	}
}

func TestLunarToSolarInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   LunarDate
	}{
		{"30th of a 29-day month", LunarDate{Year: 2024, Month: 12, Day: 30}},
		{"leap month in a 12-month year", LunarDate{Year: 2024, Month: 2, Day: 1, Leap: true}},
		{"wrong leap month", LunarDate{Year: 2023, Month: 3, Day: 1, Leap: true}},
		{"month 13", LunarDate{Year: 2025, Month: 13, Day: 1}},
		{"day 0", LunarDate{Year: 2025, Month: 1, Day: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d, err := LunarToSolar(tt.in); !errors.Is(err, ErrNoSuchLunarDate) {
				t.Errorf("LunarToSolar(%v) = %s, %v; want ErrNoSuchLunarDate", tt.in, d, err)
			}
		})
	}
	// The existing leap month converts.
	if d, err := LunarToSolar(LunarDate{Year: 2023, Month: 2, Day: 1, Leap: true}); err != nil || d.String() != "2023-03-22" {
		t.Errorf("1/2 nhuận/2023 = %s, %v; want 2023-03-22", d, err)
	}
}

func TestLunarRoundTrip(t *testing.T) {
	// Every day of 1990-2060 converts to a lunar date and back, and lunar
	// days advance by one or start a new month.
	start, end := NewDate(1990, 1, 1), NewDate(2061, 1, 1)
	prev := SolarToLunar(start.AddDays(-1))
	for d := start; d.Before(end); d = d.AddDays(1) {
		l := SolarToLunar(d)
		back, err := LunarToSolar(l)
		if err != nil || back != d {
			t.Fatalf("%s -> %v -> %s, %v", d, l, back, err)
		}
		if l.Day != prev.Day+1 && !(l.Day == 1 && prev.Day >= 29) {
			t.Fatalf("%s: lunar day %v follows %v", d, l, prev)
		}
		prev = l
	}
}

func TestLunarDateString(t *testing.T) {
	if got := (LunarDate{Year: 2023, Month: 2, Day: 1, Leap: true}).String(); got != "1/2 nhuận/2023 ÂL" {
		t.Errorf("String = %q", got)
	}
	if got := (LunarDate{Year: 2025, Month: 3, Day: 10}).String(); got != "10/3/2025 ÂL" {
		t.Errorf("String = %q", got)
	}
}
