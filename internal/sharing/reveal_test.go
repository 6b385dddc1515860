package sharing

import (
	"testing"
	"time"
)

// TestKeyRevealsOnceAndExpire: a kept key is taken once, by its maker for
// its account, and not after revealTTL.
func TestKeyRevealsOnceAndExpire(t *testing.T) {
	k := newKeyReveals()
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	k.now = func() time.Time { return now }
	d := keyData{Account: Account{ID: 7}, Key: "gdxk_x"}
	tok := k.put(1, d)
	for _, tt := range []struct {
		owner, account int64
		tok            string
	}{{2, 7, tok}, {1, 8, tok}, {1, 7, "other"}} {
		if _, ok := k.take(tt.owner, tt.account, tt.tok); ok {
			t.Errorf("taken by %+v", tt)
		}
	}
	if got, ok := k.take(1, 7, tok); !ok || got.Key != "gdxk_x" {
		t.Fatalf("take: %+v %v", got, ok)
	}
	if _, ok := k.take(1, 7, tok); ok {
		t.Error("taken twice")
	}
	late := k.put(1, d)
	now = now.Add(revealTTL + time.Second)
	if _, ok := k.take(1, 7, late); ok {
		t.Error("taken after it expired")
	}
	k.put(1, d) // sweeps the expired ones
	if len(k.items) != 1 {
		t.Errorf("%d kept, want 1", len(k.items))
	}
}
