package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// plainDecimal reports whether s is digits with an optional sign and
// "." fraction, as strconv writes them.
func plainDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	digits := func(t string) bool {
		return t != "" && strings.Trim(t, "0123456789") == ""
	}
	return digits(whole) && (!hasFrac || digits(frac))
}

// Num formats a number for the page's language: Vietnamese groups
// thousands with "." and writes decimals after "," (1.435; 46,76), English
// the other way round (1,435; 46.76). Floats keep the digits they have
// (callers round); NaN and infinities print as "–".
func (v *View) Num(x any) string {
	thousands, decimal := ".", ","
	if v.Lang == "en" {
		thousands, decimal = ",", "."
	}
	return formatNumber(x, thousands, decimal)
}

func formatNumber(x any, thousands, decimal string) string {
	var s string
	switch n := x.(type) {
	case int:
		s = strconv.Itoa(n)
	case int64:
		s = strconv.FormatInt(n, 10)
	case int32:
		s = strconv.FormatInt(int64(n), 10)
	case uint64:
		s = strconv.FormatUint(n, 10)
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return "–"
		}
		s = strconv.FormatFloat(n, 'f', -1, 64)
	case float32:
		return formatNumber(float64(n), thousands, decimal)
	case string:
		// Already formatted with "." decimals (e.g. a score to 2 places):
		// regrouped, digits kept.
		if !plainDecimal(n) {
			return n
		}
		s = n
	default:
		return fmt.Sprint(x)
	}
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString(decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// Size writes a byte count for people in the page's language: "1,5 MB"
// in Vietnamese, "1.5 MB" in English (1 MB = 1,048,576 bytes, as file
// managers count).
func (v *View) Size(n int64) string {
	units := []string{"KB", "MB", "GB"}
	if n < 1<<10 {
		return v.Num(n) + " B"
	}
	f, unit := float64(n)/(1<<10), units[0]
	for _, u := range units[1:] {
		if f < 1<<10 {
			break
		}
		f, unit = f/(1<<10), u
	}
	return v.Num(strconv.FormatFloat(f, 'f', 1, 64)) + " " + unit
}
