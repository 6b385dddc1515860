// Command benchcmp reads the output of `go test -bench` for a reference
// revision and for the current tree (several runs each, interleaved by
// bench/compare.sh) and prints, for every benchmark and metric, the median
// of each side and how many times better the current tree is: above 1 is
// an improvement whatever the metric's direction (ns/op falls, rows/s
// rises).
//
//	benchcmp -ref ref.txt -cur cur.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

func main() {
	refPath := flag.String("ref", "", "benchmark output of the reference revision")
	curPath := flag.String("cur", "", "benchmark output of the current tree")
	refName := flag.String("ref-name", "reference", "column title of the reference")
	flag.Parse()
	if *refPath == "" || *curPath == "" {
		fmt.Fprintln(os.Stderr, "benchcmp: -ref and -cur are required")
		os.Exit(2)
	}
	ref, err := readFile(*refPath)
	if err == nil {
		var cur results
		if cur, err = readFile(*curPath); err == nil {
			err = write(os.Stdout, ref, cur, *refName)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcmp:", err)
		os.Exit(1)
	}
}

// key is one metric of one benchmark.
type key struct{ bench, unit string }

// results holds every value seen per key, and the keys in first-seen order.
type results struct {
	order  []key
	values map[key][]float64
}

func readFile(path string) (results, error) {
	f, err := os.Open(path)
	if err != nil {
		return results{}, err
	}
	defer f.Close()
	return parse(f)
}

// parse reads benchmark lines: "BenchmarkName-2  N  v unit  v unit ...".
// The -GOMAXPROCS suffix is dropped so that runs on machines of different
// sizes still pair up.
func parse(r io.Reader) (results, error) {
	res := results{values: map[key][]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue // a log line that happens to start with the name
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			if v == 0 && f[i+1] == "ns/op" {
				continue // benchmarks that report their own metric zero ns/op
			}
			k := key{name, f[i+1]}
			if _, seen := res.values[k]; !seen {
				res.order = append(res.order, k)
			}
			res.values[k] = append(res.values[k], v)
		}
	}
	return res, sc.Err()
}

func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// higherIsBetter tells the direction of a metric by its unit: rates
// (".../s") rise when things get faster; times, bytes and allocations fall.
func higherIsBetter(unit string) bool { return strings.HasSuffix(unit, "/s") }

// write prints the table: every key of the current tree, then the keys only
// the reference has.
func write(w io.Writer, ref, cur results, refName string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "benchmark\tmetric\t%s\tcurrent\tx better\t\n", refName)
	row := func(k key) {
		r, okR := ref.values[k]
		c, okC := cur.values[k]
		refV, curV, ratio := "—", "—", "new"
		if okR {
			refV = format(median(r))
		}
		if okC {
			curV = format(median(c))
		}
		switch {
		case okR && !okC:
			ratio = "gone"
		case okR && okC:
			ratio = ratioOf(median(r), median(c), higherIsBetter(k.unit))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", strings.TrimPrefix(k.bench, "Benchmark"), k.unit, refV, curV, ratio)
	}
	for _, k := range cur.order {
		row(k)
	}
	for _, k := range ref.order {
		if _, ok := cur.values[k]; !ok {
			row(k)
		}
	}
	return tw.Flush()
}

func ratioOf(ref, cur float64, higher bool) string {
	if higher {
		ref, cur = cur, ref
	}
	if cur == 0 {
		if ref == 0 {
			return "1.00"
		}
		return "∞"
	}
	return fmt.Sprintf("%.2f", ref/cur)
}

// format prints a value with about four significant digits.
func format(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
}
