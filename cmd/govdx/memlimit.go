package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// The gateway collects garbage lazily (GOGC=200, see tuneGC) and, when the
// machine is short of CPU, the collector falls behind and the heap overshoots
// even that goal: a node with 10,000 accounts (26 MB live) once peaked at
// 151 MB under benchmark load. A soft memory limit makes the collector work
// harder only near the limit, so a node keeps a predictable footprint (what
// container limits need) without paying for frequent collections when it is
// far below.
const (
	// autoMemoryFloor is the smallest automatic limit: room for the
	// per-connection buffers and in-flight bodies of a loaded node.
	autoMemoryFloor = 96 << 20
	// autoMemoryFactor follows GOGC=200: the heap may grow to three times
	// what is live before a collection is due anyway.
	autoMemoryFactor = 3
	// autoMemoryEvery is how often the automatic limit follows the live
	// heap, which grows with the configuration (accounts, services).
	autoMemoryEvery = 30 * time.Second
)

// memoryLimit is the value of --memory-limit: "auto", "off" or a size.
type memoryLimit struct {
	auto  bool
	bytes int64 // fixed limit when not auto; 0 = off
}

// parseMemoryLimit reads "auto", "off" or a size such as 256MiB, 1GiB,
// 300MB or a plain number of bytes.
func parseMemoryLimit(s string) (memoryLimit, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "auto":
		return memoryLimit{auto: true}, nil
	case "off", "0":
		return memoryLimit{}, nil
	}
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	num, mult := s, int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return memoryLimit{}, fmt.Errorf("memory limit %q: want auto, off or a size such as 256MiB", s)
	}
	return memoryLimit{bytes: n * mult}, nil
}

// autoLimitFor is the automatic limit for a live heap of live bytes.
func autoLimitFor(live uint64) int64 {
	l := int64(min(live, math.MaxInt64/autoMemoryFactor)) * autoMemoryFactor
	return max(l, autoMemoryFloor)
}

// applyMemoryLimit sets the soft memory limit of a long-running server. An
// explicit GOMEMLIMIT in the environment wins, as Go already applied it.
// With auto, the limit is recomputed from the live heap now (after a
// collection, so the configuration just loaded counts) and then every
// autoMemoryEvery until ctx ends.
func applyMemoryLimit(ctx context.Context, m memoryLimit, logger *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if !m.auto {
		if m.bytes > 0 {
			debug.SetMemoryLimit(m.bytes)
		}
		return
	}
	runtime.GC()
	limit := followLiveHeap()
	logger.Debug("soft memory limit", "bytes", limit)
	go platform.Every(ctx, autoMemoryEvery, func(context.Context) { followLiveHeap() })
}

// followLiveHeap sets the automatic limit for the heap live at the end of
// the last collection and returns it.
func followLiveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	var live uint64
	if s[0].Value.Kind() == metrics.KindUint64 {
		live = s[0].Value.Uint64()
	}
	limit := autoLimitFor(live)
	debug.SetMemoryLimit(limit)
	return limit
}
