package workday

import (
	"errors"
	"fmt"
	"math"
)

// The Vietnamese lunisolar calendar, computed with Hồ Ngọc Đức's
// astronomical algorithm ("Thuật toán tính âm lịch"): months start on the day
// of the new moon in Vietnam's zone (UTC+7, which is why Tết sometimes differs
// from the Chinese New Year by a day); month 11 is the month containing the
// winter solstice; a lunar year with 13 months has a leap month, the first
// month after month 11 that contains no major solar term. Astronomical terms
// follow Jean Meeus, "Astronomical Algorithms" (1998). The algorithm is
// reliable for years 1800-2199.

// lunarTZ is the offset of Vietnamese time from UTC, in hours.
const lunarTZ = 7.0

// synodicMonth is the mean length of a lunation, in days.
const synodicMonth = 29.530588853

// LunarDate is a date in the Vietnamese lunar calendar. Year is the Gregorian
// year in which the lunar year begins (Tết Ất Tỵ is lunar year 2025).
type LunarDate struct {
	Year  int
	Month int  // 1..12
	Day   int  // 1..30
	Leap  bool // the leap (intercalary) month that repeats Month
}

// String formats l as day/month/year; a leap month is marked "nhuận".
func (l LunarDate) String() string {
	leap := ""
	if l.Leap {
		leap = " nhuận"
	}
	return fmt.Sprintf("%d/%d%s/%d ÂL", l.Day, l.Month, leap, l.Year)
}

// ErrNoSuchLunarDate reports a lunar date that does not exist (a 30th day in
// a 29-day month, or a leap month the year does not have).
var ErrNoSuchLunarDate = errors.New("no such lunar date")

// SolarToLunar converts a Gregorian date to the Vietnamese lunar calendar.
func SolarToLunar(d Date) LunarDate {
	dayNumber := d.jdn()
	// k estimates the lunation from the mean month; the true new moon can be
	// over half a day away from the mean one, so settle k on the last new
	// moon on or before the day (the published algorithm only steps back
	// once, which yields day 0 on e.g. 2054-05-07).
	k := int(math.Floor((float64(dayNumber) - 2415021.076998695) / synodicMonth))
	for newMoonDay(k+1) <= dayNumber {
		k++
	}
	for newMoonDay(k) > dayNumber {
		k--
	}
	monthStart := newMoonDay(k)
	a11 := lunarMonth11(d.Year())
	b11 := a11
	var lunarYear int
	if a11 >= monthStart {
		lunarYear = d.Year()
		a11 = lunarMonth11(d.Year() - 1)
	} else {
		lunarYear = d.Year() + 1
		b11 = lunarMonth11(d.Year() + 1)
	}
	day := dayNumber - monthStart + 1
	diff := (monthStart - a11) / 29
	leap := false
	month := diff + 11
	if b11-a11 > 365 {
		leapDiff := leapMonthOffset(a11)
		if diff >= leapDiff {
			month = diff + 10
			leap = diff == leapDiff
		}
	}
	if month > 12 {
		month -= 12
	}
	// Months 11 and 12 belong to the lunar year that began the previous
	// January/February.
	if month >= 11 && diff < 4 {
		lunarYear--
	}
	return LunarDate{Year: lunarYear, Month: month, Day: day, Leap: leap}
}

// LunarToSolar converts a Vietnamese lunar date to the Gregorian calendar.
// It returns ErrNoSuchLunarDate for a day or leap month that does not exist.
func LunarToSolar(l LunarDate) (Date, error) {
	if l.Month < 1 || l.Month > 12 || l.Day < 1 || l.Day > 30 {
		return Date{}, fmt.Errorf("%w: %s", ErrNoSuchLunarDate, l)
	}
	var a11, b11 int
	if l.Month < 11 {
		a11 = lunarMonth11(l.Year - 1)
		b11 = lunarMonth11(l.Year)
	} else {
		a11 = lunarMonth11(l.Year)
		b11 = lunarMonth11(l.Year + 1)
	}
	off := l.Month - 11
	if off < 0 {
		off += 12
	}
	if b11-a11 > 365 {
		leapOff := leapMonthOffset(a11)
		leapMonth := leapOff - 2
		if leapMonth < 0 {
			leapMonth += 12
		}
		if l.Leap && l.Month != leapMonth {
			return Date{}, fmt.Errorf("%w: %s (the leap month of %d is %d)", ErrNoSuchLunarDate, l, l.Year, leapMonth)
		}
		if l.Leap || off >= leapOff {
			off++
		}
	} else if l.Leap {
		return Date{}, fmt.Errorf("%w: %s (no leap month)", ErrNoSuchLunarDate, l)
	}
	k := int(math.Floor(0.5 + (float64(a11)-2415021.076998695)/synodicMonth))
	monthStart := newMoonDay(k + off)
	if length := newMoonDay(k+off+1) - monthStart; l.Day > length {
		return Date{}, fmt.Errorf("%w: %s (the month has %d days)", ErrNoSuchLunarDate, l, length)
	}
	return dateFromJDN(monthStart + l.Day - 1), nil
}

// lunarNewYear returns the first day of lunar year y (mùng 1 Tết).
func lunarNewYear(y int) Date {
	d, err := LunarToSolar(LunarDate{Year: y, Month: 1, Day: 1})
	if err != nil {
		panic(err) // day 1 of month 1 always exists
	}
	return d
}

// newMoon returns the Julian day (with fraction, UT) of the k-th new moon
// after the one of 1900-01-01 (Meeus ch. 49, abridged).
func newMoon(k int) float64 {
	const dr = math.Pi / 180
	kf := float64(k)
	t := kf / 1236.85
	t2 := t * t
	t3 := t2 * t
	jd1 := 2415020.75933 + 29.53058868*kf + 0.0001178*t2 - 0.000000155*t3
	jd1 += 0.00033 * math.Sin((166.56+132.87*t-0.009173*t2)*dr)
	m := 359.2242 + 29.10535608*kf - 0.0000333*t2 - 0.00000347*t3    // sun's mean anomaly
	mpr := 306.0253 + 385.81691806*kf + 0.0107306*t2 + 0.00001236*t3 // moon's mean anomaly
	f := 21.2964 + 390.67050646*kf - 0.0016528*t2 - 0.00000239*t3    // moon's argument of latitude
	c1 := (0.1734-0.000393*t)*math.Sin(m*dr) + 0.0021*math.Sin(2*dr*m)
	c1 = c1 - 0.4068*math.Sin(mpr*dr) + 0.0161*math.Sin(dr*2*mpr)
	c1 -= 0.0004 * math.Sin(dr*3*mpr)
	c1 = c1 + 0.0104*math.Sin(dr*2*f) - 0.0051*math.Sin(dr*(m+mpr))
	c1 = c1 - 0.0074*math.Sin(dr*(m-mpr)) + 0.0004*math.Sin(dr*(2*f+m))
	c1 = c1 - 0.0004*math.Sin(dr*(2*f-m)) - 0.0006*math.Sin(dr*(2*f+mpr))
	c1 = c1 + 0.0010*math.Sin(dr*(2*f-mpr)) + 0.0005*math.Sin(dr*(2*mpr+m))
	var deltaT float64
	if t < -11 {
		deltaT = 0.001 + 0.000839*t + 0.0002261*t2 - 0.00000845*t3 - 0.000000081*t*t3
	} else {
		deltaT = -0.000278 + 0.000265*t + 0.000262*t2
	}
	return jd1 + c1 - deltaT
}

// sunLongitude returns the sun's apparent longitude, in radians normalised to
// [0, 2π), at Julian day jdn (UT) (Meeus ch. 25, low accuracy).
func sunLongitude(jdn float64) float64 {
	const dr = math.Pi / 180
	t := (jdn - 2451545.0) / 36525
	t2 := t * t
	m := 357.52910 + 35999.05030*t - 0.0001559*t2 - 0.00000048*t*t2
	l0 := 280.46645 + 36000.76983*t + 0.0003032*t2
	dl := (1.914600 - 0.004817*t - 0.000014*t2) * math.Sin(dr*m)
	dl += (0.019993-0.000101*t)*math.Sin(dr*2*m) + 0.000290*math.Sin(dr*3*m)
	l := (l0 + dl) * dr
	return l - 2*math.Pi*math.Floor(l/(2*math.Pi))
}

// newMoonDay returns the day number (JDN) of the k-th new moon in local time.
func newMoonDay(k int) int {
	return int(math.Floor(newMoon(k) + 0.5 + lunarTZ/24))
}

// sunSector returns which of the 12 major solar terms (0..11, 30° each) the
// sun is in at the start of local day dayNumber.
func sunSector(dayNumber int) int {
	return int(math.Floor(sunLongitude(float64(dayNumber)-0.5-lunarTZ/24) / math.Pi * 6))
}

// lunarMonth11 returns the JDN of the first day of lunar month 11 (the month
// containing the winter solstice) that starts in Gregorian year y.
func lunarMonth11(y int) int {
	off := NewDate(y, 12, 31).jdn() - 2415021
	k := int(math.Floor(float64(off) / synodicMonth))
	nm := newMoonDay(k)
	if sunSector(nm) >= 9 { // the sun is already past 270°: month 11 started a lunation earlier
		nm = newMoonDay(k - 1)
	}
	return nm
}

// leapMonthOffset returns the position, counted from month 11 starting at
// a11, of the leap month of a 13-month lunar year: the first month during
// which the sun does not enter a new major solar term.
func leapMonthOffset(a11 int) int {
	k := int(math.Floor((float64(a11)-2415021.076998695)/synodicMonth + 0.5))
	i := 1
	arc := sunSector(newMoonDay(k + i))
	for {
		last := arc
		i++
		arc = sunSector(newMoonDay(k + i))
		if arc == last || i >= 14 {
			break
		}
	}
	return i - 1
}
