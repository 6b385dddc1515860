package catalog

import (
	"strings"
	"unicode/utf8"

	"github.com/govdx/govdx/internal/platform"
)

// foldTable maps each precomposed Latin letter (U+00C0..U+024F and the
// Vietnamese block U+1E00..U+1EFF) to what platform.Fold makes of it. It is
// computed once from platform.Fold, so fold agrees with it by construction.
var foldTable = func() map[rune]string {
	m := map[rune]string{}
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			m[r] = platform.Fold(string(r))
		}
	}
	add(0xC0, 0x24F)
	add(0x1E00, 0x1EFF)
	return m
}()

// fold is platform.Fold with a fast path for ASCII and precomposed
// Vietnamese letters, which is nearly all catalog text; anything else
// (combining marks, other scripts) goes through platform.Fold. Building the
// search index folds every record, so this keeps a rebuild of 50,000
// services to a few seconds.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				b.WriteByte(c)
				space = false
			case c >= 'A' && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
				space = false
			default:
				if !space {
					b.WriteByte(' ')
					space = true
				}
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		f, ok := foldTable[r]
		if !ok || strings.ContainsRune(f, ' ') {
			return platform.Fold(s)
		}
		i += n
		if f == "" {
			// A character that folds to nothing would need platform.Fold's
			// separator handling.
			return platform.Fold(s)
		}
		b.WriteString(f)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}
