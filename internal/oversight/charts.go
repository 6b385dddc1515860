package oversight

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Charts are server-rendered SVG: no script, readable by screen readers
// (role="img" with a title and a description), and always shown beside a
// table with the same numbers. Colours are presentation attributes, which
// the pages' Content-Security-Policy allows (inline styles it does not).

// Series is one set of bars.
type Series struct {
	Name   string
	Values []float64
	Fill   string
}

var chartColours = []string{"#0b5cad", "#a4161a", "#1e6b3a", "#8a5a00"}

func esc(s string) string { return template.HTMLEscapeString(s) }

// niceMax rounds v up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// NumFormat writes a number the page language's way (web.View.Num).
type NumFormat func(any) string

// chartNum writes v with num: a whole number as an integer, other values
// to one decimal.
func chartNum(num NumFormat, v float64) string {
	if v == math.Trunc(v) {
		return num(int64(v))
	}
	return num(math.Round(v*10) / 10)
}

// ticks is the number of intervals of a count axis up to maxV (from
// niceMax): 4 when maxV divides by 4, else 5, so every tick is whole.
func ticks(maxV float64) int {
	if math.Mod(maxV, 4) == 0 {
		return 4
	}
	return 5
}

// BarChart draws grouped vertical bars, one group per label; num writes
// the figures in the page's language.
func BarChart(id, title, desc string, labels []string, series []Series, num NumFormat) template.HTML {
	const w, h, left, right, top, bottom = 720.0, 280.0, 64.0, 16.0, 36.0, 44.0
	maxV := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			maxV = math.Max(maxV, v)
		}
	}
	maxV = niceMax(math.Max(maxV, 4)) // counts: whole-number ticks
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-labelledby="%s-t %s-d" viewBox="0 0 %.0f %.0f" width="100%%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">`,
		esc(id), esc(id), w, h)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
	plotH := h - top - bottom
	plotW := w - left - right
	nt := ticks(maxV)
	for i := 0; i <= nt; i++ {
		v := maxV * float64(i) / float64(nt)
		y := top + plotH - plotH*float64(i)/float64(nt)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#d9dee5" stroke-width="1"/>`, left, y, w-right, y)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, esc(chartNum(num, v)))
	}
	n := len(labels)
	if n == 0 {
		n = 1
	}
	group := plotW / float64(n)
	barW := math.Min(28, group*0.8/float64(max(len(series), 1)))
	for i, label := range labels {
		gx := left + group*float64(i) + (group-barW*float64(len(series)))/2
		for j, s := range series {
			if i >= len(s.Values) {
				continue
			}
			v := s.Values[i]
			bh := plotH * v / maxV
			fill := s.Fill
			if fill == "" {
				fill = chartColours[j%len(chartColours)]
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s — %s: %s</title></rect>`,
				gx+barW*float64(j), top+plotH-bh, barW, bh, esc(fill), esc(label), esc(s.Name), esc(chartNum(num, v)))
		}
		if n <= 12 || i%2 == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, left+group*(float64(i)+0.5), h-bottom+16, esc(label))
		}
	}
	lx := left
	for j, s := range series {
		fill := s.Fill
		if fill == "" {
			fill = chartColours[j%len(chartColours)]
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="10" width="12" height="12" fill="%s"/><text x="%.1f" y="21">%s</text>`, lx, esc(fill), lx+16, esc(s.Name))
		lx += 24 + 7*float64(len([]rune(s.Name)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above is escaped
}

// HBarChart draws one horizontal bar per label (long names fit on the
// left); num writes the figures in the page's language.
func HBarChart(id, title, desc string, labels []string, values []float64, fill string, num NumFormat) template.HTML {
	const w, left, right, rowH, top = 720.0, 260.0, 70.0, 26.0, 12.0
	h := top*2 + rowH*float64(max(len(labels), 1))
	maxV := 0.0
	for _, v := range values {
		maxV = math.Max(maxV, v)
	}
	maxV = niceMax(math.Max(maxV, 1))
	if fill == "" {
		fill = chartColours[0]
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-labelledby="%s-t %s-d" viewBox="0 0 %.0f %.0f" width="100%%" xmlns="http://www.w3.org/2000/svg">`,
		esc(id), esc(id), w, h)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
	for i, label := range labels {
		y := top + rowH*float64(i)
		v := 0.0
		if i < len(values) {
			v = values[i]
		}
		bw := (w - left - right) * v / maxV
		short := label
		if r := []rune(short); len(r) > 38 {
			short = string(r[:37]) + "…"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-8, y+17, esc(short))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`, left, y+4, bw, rowH-8,
			esc(fill), esc(label), esc(chartNum(num, v)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`, left+bw+6, y+17, esc(chartNum(num, v)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
