package gateway

import (
	"sync"
	"sync/atomic"
	"time"
)

// limiter is one account's frequency-limit state (D47-35.2e). It lives
// outside the configuration snapshot so a reload does not reset it; the
// limits themselves come from the snapshot. Lock-free: one CAS per check.
type limiter struct {
	// tat is the GCRA "theoretical arrival time" in Unix nanoseconds.
	tat atomic.Int64
	// day packs the day number (high 32 bits) and that day's count.
	day atomic.Uint64
}

// vnOffset is Asia/Ho_Chi_Minh's fixed UTC offset (no daylight saving):
// daily limits reset at midnight Vietnamese time.
const vnOffset = 7 * 3600

// allowMinute applies a per-minute limit with GCRA: up to perMinute calls
// at once after an idle minute, then one every minute/perMinute. It returns
// how long to wait when refused.
func (l *limiter) allowMinute(now time.Time, perMinute int) (bool, time.Duration) {
	if perMinute <= 0 {
		return true, 0
	}
	t := now.UnixNano()
	interval := int64(time.Minute) / int64(perMinute)
	window := interval * int64(perMinute)
	for {
		old := l.tat.Load()
		tat := max(old, t)
		next := tat + interval
		if allowAt := next - window; allowAt > t {
			return false, time.Duration(allowAt - t)
		}
		if l.tat.CompareAndSwap(old, next) {
			return true, 0
		}
	}
}

// allowDay applies a per-day limit counted from midnight in Vietnam.
func (l *limiter) allowDay(now time.Time, perDay int) (bool, time.Duration) {
	if perDay <= 0 {
		return true, 0
	}
	secs := now.Unix() + vnOffset
	day := uint64(secs / 86400)
	for {
		old := l.day.Load()
		count := old & 0xffffffff
		if old>>32 != day {
			count = 0
		}
		if count >= uint64(perDay) {
			return false, time.Duration(86400-secs%86400) * time.Second
		}
		if l.day.CompareAndSwap(old, day<<32|(count+1)) {
			return true, 0
		}
	}
}

// limiterSet keeps the limiters of the accounts in the current snapshot.
// It is touched only when a snapshot is built, never per call.
type limiterSet struct {
	mu sync.Mutex
	m  map[int64]*limiter
}

// forSnapshot returns the limiter of each account id, creating missing ones
// and dropping those of accounts no longer configured.
func (s *limiterSet) forSnapshot(ids []int64) map[int64]*limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := make(map[int64]*limiter, len(ids))
	for _, id := range ids {
		l := s.m[id]
		if l == nil {
			l = new(limiter)
		}
		next[id] = l
	}
	s.m = next
	return next
}
