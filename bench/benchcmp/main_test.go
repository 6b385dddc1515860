package main

import (
	"strings"
	"testing"
)

const refOut = `goos: linux
BenchmarkCall-2   	   20000	      8000 ns/op	    9596 B/op	      48 allocs/op
BenchmarkCall-2   	   20000	      9000 ns/op	    9596 B/op	      48 allocs/op
BenchmarkCall-2   	   20000	     20000 ns/op	    9596 B/op	      48 allocs/op
BenchmarkAppend/journal-2 	  200000	      0 ns/op	  100000 entries/s
BenchmarkOld-2   	   10	      5 ns/op
    bench_test.go:12: BenchmarkCall seeded in 2s
PASS
`

const curOut = `BenchmarkCall-4   	   20000	      4000 ns/op	    9596 B/op	      24 allocs/op
BenchmarkCall-4   	   20000	      4200 ns/op	    9596 B/op	      24 allocs/op
BenchmarkAppend/journal-4 	  200000	      0 ns/op	  150000 entries/s
BenchmarkImport/csv-4 	  3	      100 ns/op	  187666 rows/s
`

func TestParseAndWrite(t *testing.T) {
	ref, err := parse(strings.NewReader(refOut))
	if err != nil {
		t.Fatal(err)
	}
	if got := median(ref.values[key{"BenchmarkCall", "ns/op"}]); got != 9000 {
		t.Errorf("median ns/op = %v, want 9000 (of three runs)", got)
	}
	if _, ok := ref.values[key{"BenchmarkAppend/journal", "ns/op"}]; ok {
		t.Error("a zero ns/op of a benchmark reporting its own rate must be skipped")
	}
	cur, _ := parse(strings.NewReader(curOut))
	var b strings.Builder
	if err := write(&b, ref, cur, "HEAD~1"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Call  ns/op    9000  4100   2.20", // (4000+4200)/2; lower is better
		"Call  allocs/op  48    24   2.00",
		"Append/journal  entries/s  100000  150000   1.50", // higher is better
		"Import/csv  rows/s  —  187666   new",
		"Old  ns/op  5  —   gone",
	} {
		if !strings.Contains(squeeze(out), squeeze(want)) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestRatioDirection(t *testing.T) {
	for _, tt := range []struct {
		ref, cur float64
		unit     string
		want     string
	}{
		{100, 50, "ns/op", "2.00"},
		{100, 200, "ns/op", "0.50"},
		{100, 200, "rows/s", "2.00"},
		{0, 0, "B/op", "1.00"},
		{5, 0, "allocs/op", "∞"},
		{3, 6, "p95-ms", "0.50"},
	} {
		if got := ratioOf(tt.ref, tt.cur, higherIsBetter(tt.unit)); got != tt.want {
			t.Errorf("%v -> %v %s: %s, want %s", tt.ref, tt.cur, tt.unit, got, tt.want)
		}
	}
}
