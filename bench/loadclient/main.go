// Command loadclient drives HTTP load for the gateway benchmark and crash
// test. Closed loop (-rate 0): -c workers send back to back. Open loop
// (-rate N): requests are scheduled N per second and latency is measured
// from each request's scheduled time, so a stalled server is not hidden
// (coordinated omission). With -record, the X-Correlation-ID of every 2xx
// response whose body was fully read is written to the file.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
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

func main() {
	url := flag.String("url", "", "URL to call")
	conc := flag.Int("c", 32, "concurrent workers")
	dur := flag.Duration("d", 10*time.Second, "duration")
	rate := flag.Float64("rate", 0, "requests per second (0: as fast as possible)")
	record := flag.String("record", "", "append correlation IDs of successful calls to this file")
	var hs headers
	flag.Var(&hs, "H", "request header 'Name: value' (repeatable)")
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "loadclient: -url is required")
		os.Exit(2)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()

	var rec *bufio.Writer
	var recMu sync.Mutex
	if *record != "" {
		f, err := os.OpenFile(*record, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		rec = bufio.NewWriter(f)
		defer rec.Flush()
	}
	start := time.Now()
	var next atomic.Int64
	var ok, failed atomic.Int64
	statuses := sync.Map{}
	lats := make([][]time.Duration, *conc)
	var wg sync.WaitGroup
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				sched := time.Now()
				if *rate > 0 {
					i := next.Add(1) - 1
					sched = start.Add(time.Duration(float64(i) / *rate * float64(time.Second)))
					if d := time.Until(sched); d > 0 {
						select {
						case <-time.After(d):
						case <-ctx.Done():
							return
						}
					}
				}
				req, _ := http.NewRequest("GET", *url, nil)
				for _, h := range hs {
					k, v, _ := strings.Cut(h, ":")
					req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
				}
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					if *rate == 0 {
						time.Sleep(10 * time.Millisecond) // the server is down: do not spin
					}
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat := time.Since(sched)
				if err != nil {
					failed.Add(1)
					continue
				}
				v, _ := statuses.LoadOrStore(resp.StatusCode, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
				if resp.StatusCode < 200 || resp.StatusCode > 299 {
					failed.Add(1)
					continue
				}
				ok.Add(1)
				lats[w] = append(lats[w], lat)
				if rec != nil {
					recMu.Lock()
					fmt.Fprintln(rec, resp.Header.Get("X-Correlation-Id"))
					recMu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	var st []string
	statuses.Range(func(k, v any) bool {
		st = append(st, fmt.Sprintf("%v:%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	slices.Sort(st)
	fmt.Printf("ok=%d failed=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f statuses=%s\n",
		ok.Load(), failed.Load(), float64(ok.Load())/elapsed.Seconds(), pct(0.50), pct(0.99), strings.Join(st, ","))
}
