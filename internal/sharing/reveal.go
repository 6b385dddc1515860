package sharing

import (
	"sync"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// keyReveals hands a new API key from the POST that made it (approval,
// replacement) to the one page that shows it, so that the page is reached
// by a redirect: refreshing it never sends the form again, which for a
// replacement would silently replace the key just copied.
//
// The key is the only copy outside the hash in the database, so it is kept
// in this process's memory only, for the one person who made it, until
// that page is shown once or revealTTL passes. A web node that did not
// make it answers as if it had expired (several web nodes need sticky
// sessions, as for exports).
type keyReveals struct {
	mu    sync.Mutex
	items map[string]keyReveal
	now   func() time.Time
}

type keyReveal struct {
	owner   int64
	account int64
	data    keyData
	expires time.Time
}

// revealTTL bounds how long a key waits for its page: the redirect follows
// at once, so only a lost connection makes it wait.
const revealTTL = 10 * time.Minute

func newKeyReveals() *keyReveals {
	return &keyReveals{items: map[string]keyReveal{}, now: time.Now}
}

// put keeps d for owner and returns the token of its page.
func (k *keyReveals) put(owner int64, d keyData) string {
	tok := platform.RandomToken(24)
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	for t, it := range k.items { // few at a time: people rotate keys rarely
		if now.After(it.expires) {
			delete(k.items, t)
		}
	}
	k.items[tok] = keyReveal{owner: owner, account: d.Account.ID, data: d, expires: now.Add(revealTTL)}
	return tok
}

// take returns, once, what put kept under tok for owner and account.
func (k *keyReveals) take(owner, account int64, tok string) (keyData, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	it, ok := k.items[tok]
	if !ok || it.owner != owner || it.account != account {
		return keyData{}, false
	}
	delete(k.items, tok)
	if k.now().After(it.expires) {
		return keyData{}, false
	}
	return it.data, true
}
