package platform

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold lowercases s and strips Vietnamese diacritics ("Hà Nội" -> "ha noi",
// "Đà Nẵng" -> "da nang") and collapses spaces, so search is
// diacritics-insensitive: users often type without accents.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// Tokens splits folded text into its words.
func Tokens(s string) []string { return strings.Fields(Fold(s)) }

// MatchAll reports whether every token of query occurs (as a word prefix) in
// the folded haystack, in any order: "so dinh danh ca nhan" finds
// "Số định danh cá nhân" and "cá nhân, số định danh".
func MatchAll(foldedHaystack string, queryTokens []string) bool {
	h := " " + foldedHaystack
	for _, t := range queryTokens {
		if !strings.Contains(h, " "+t) {
			return false
		}
	}
	return true
}
