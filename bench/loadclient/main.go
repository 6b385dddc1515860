// Command loadclient drives HTTP load for the gateway benchmark and crash
// test. Closed loop (-rate 0): -c workers send back to back. Open loop
// (-rate N): requests are scheduled N per second and latency is measured
// from each request's scheduled time, so a stalled server is not hidden
// (coordinated omission). With -record, the X-Correlation-ID of every 2xx
// response whose body was fully read is written to the file.
//
// It speaks HTTP/1.1 itself over one keep-alive connection per worker
// (request bytes built once, answers read by Content-Length or chunks)
// instead of using net/http's client: the latency measurement runs on the
// same two CPUs as the servers it measures, and net/http's client cost
// about 40 µs of CPU per call there, four times wrk's, so at "half of the
// gateway's maximum rate" the machine was far busier than half.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

// stats collects the outcome of every call; workers own their slice of
// latencies and the counters are shared.
type stats struct {
	ok, failed atomic.Int64
	mu         sync.Mutex
	statuses   map[int]int64
	rec        *bufio.Writer
}

func (s *stats) status(code int, corr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses[code]++
	if s.rec != nil && code >= 200 && code <= 299 {
		fmt.Fprintln(s.rec, corr)
	}
}

func main() {
	rawURL := flag.String("url", "", "URL to call (http only)")
	conc := flag.Int("c", 32, "concurrent workers")
	dur := flag.Duration("d", 10*time.Second, "duration")
	rate := flag.Float64("rate", 0, "requests per second (0: as fast as possible)")
	record := flag.String("record", "", "append correlation IDs of successful calls to this file")
	var hs headers
	flag.Var(&hs, "H", "request header 'Name: value' (repeatable)")
	flag.Parse()
	if *rawURL == "" {
		fmt.Fprintln(os.Stderr, "loadclient: -url is required")
		os.Exit(2)
	}
	tgt, err := newTarget(*rawURL, hs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadclient:", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()

	st := &stats{statuses: map[int]int64{}}
	if *record != "" {
		f, err := os.OpenFile(*record, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		st.rec = bufio.NewWriter(f)
		defer st.rec.Flush()
	}
	start := time.Now()
	var next atomic.Int64
	lats := make([][]time.Duration, *conc)
	var wg sync.WaitGroup
	for w := range *conc {
		wg.Go(func() {
			lats[w] = work(ctx, tgt, st, start, &next, *rate)
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	report(st, slices.Concat(lats...), elapsed)
}

// work runs one worker until ctx ends and returns its successful calls'
// latencies.
func work(ctx context.Context, tgt *target, st *stats, start time.Time, next *atomic.Int64, rate float64) []time.Duration {
	var lats []time.Duration
	c := &conn{t: tgt}
	defer c.close()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ctx.Err() == nil {
		sched := time.Now()
		if rate > 0 {
			i := next.Add(1) - 1
			sched = start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			if d := time.Until(sched); d > 0 {
				timer.Reset(d)
				select {
				case <-timer.C:
				case <-ctx.Done():
					return lats
				}
			}
		}
		code, corr, err := c.call()
		lat := time.Since(sched)
		if err != nil {
			st.failed.Add(1)
			c.close()
			if rate == 0 {
				time.Sleep(10 * time.Millisecond) // the server is down: do not spin
			}
			continue
		}
		st.status(code, corr)
		if code < 200 || code > 299 {
			st.failed.Add(1)
			continue
		}
		st.ok.Add(1)
		lats = append(lats, lat)
	}
	return lats
}

func report(st *stats, all []time.Duration, elapsed time.Duration) {
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	var codes []string
	for k, v := range st.statuses {
		codes = append(codes, fmt.Sprintf("%d:%d", k, v))
	}
	slices.Sort(codes)
	fmt.Printf("ok=%d failed=%d rps=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f statuses=%s\n",
		st.ok.Load(), st.failed.Load(), float64(st.ok.Load())/elapsed.Seconds(),
		pct(0.50), pct(0.90), pct(0.99), pct(0.999), strings.Join(codes, ","))
}
