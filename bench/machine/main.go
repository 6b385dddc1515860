//go:build linux

// Command machine measures the two machine costs that bound the gateway's
// latency and CPU per call, so that bench/gateway.sh's numbers can be read
// against the machine they were taken on:
//
//   - the CPU a thread spends to sleep briefly and be woken again (a few µs
//     on hardware, tens of µs in some virtual machines), and how long Go's
//     shortest timer sleep really lasts;
//   - the latency of one small write plus fdatasync in -dir, appending to a
//     growing file and overwriting blocks a file already has (the sharing
//     log's journal does the latter once it recycles segments).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

func main() {
	dir := flag.String("dir", os.TempDir(), "directory on the disk to measure (the gateway's data directory)")
	n := flag.Int("n", 1000, "samples per measurement")
	flag.Parse()
	if err := run(*dir, *n); err != nil {
		fmt.Fprintln(os.Stderr, "machine:", err)
		os.Exit(1)
	}
}

func run(dir string, n int) error {
	wake, sleep := wakeCost(n)
	fmt.Printf("thread sleep+wake: %.1f µs CPU per cycle; time.Sleep(50µs) lasts %.2f ms\n",
		us(wake), float64(sleep.Microseconds())/1000)
	for _, overwrite := range []bool{false, true} {
		lats, err := flushLatency(dir, n, overwrite)
		if err != nil {
			return err
		}
		mode := "appending to a growing file"
		if overwrite {
			mode = "overwriting allocated blocks"
		}
		fmt.Printf("4 KiB write + fdatasync, %s: p50 %.2f ms, p99 %.2f ms\n", mode, ms(pct(lats, 0.5)), ms(pct(lats, 0.99)))
	}
	return nil
}

// wakeCost returns the process CPU per 100 µs nanosleep cycle and the real
// duration of a 50 µs time.Sleep.
func wakeCost(n int) (cpuPerCycle, sleep time.Duration) {
	c0 := processCPU()
	for range n {
		_ = syscall.Nanosleep(&syscall.Timespec{Nsec: 100_000}, nil)
	}
	cpuPerCycle = (processCPU() - c0) / time.Duration(n)
	const k = 50
	t0 := time.Now()
	for range k {
		time.Sleep(50 * time.Microsecond)
	}
	return cpuPerCycle, time.Since(t0) / k
}

// flushLatency times n 4 KiB writes, each followed by fdatasync, at
// consecutive offsets of a new file: growing it, or overwriting blocks
// written (and flushed) beforehand.
func flushLatency(dir string, n int, overwrite bool) ([]time.Duration, error) {
	path := filepath.Join(dir, fmt.Sprintf(".govdx-machine-%d", os.Getpid()))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("flush test file: %w", err)
	}
	defer os.Remove(path)
	defer f.Close()
	block := make([]byte, 4096)
	if overwrite {
		for i := range n {
			if _, err := f.WriteAt(block, int64(i)*4096); err != nil {
				return nil, err
			}
		}
		if err := f.Sync(); err != nil {
			return nil, err
		}
	}
	lats := make([]time.Duration, 0, n)
	for i := range n {
		t := time.Now()
		if _, err := f.WriteAt(block, int64(i)*4096); err != nil {
			return nil, err
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			return nil, fmt.Errorf("fdatasync: %w", err)
		}
		lats = append(lats, time.Since(t))
	}
	slices.Sort(lats)
	return lats, nil
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func pct(d []time.Duration, p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
func us(d time.Duration) float64                     { return float64(d.Nanoseconds()) / 1e3 }
func ms(d time.Duration) float64                     { return float64(d.Nanoseconds()) / 1e6 }
