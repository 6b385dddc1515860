package web

import (
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Messages that embed values (an identifier, a line number, a limit) are
// produced by fmt from an English format string, so the formatted text has
// no entry of its own. A translation whose English side holds fmt verbs is
// also kept as a pattern: a message the map does not know is matched
// against the patterns and rebuilt from the Vietnamese format with the
// same values. The two formats must have the same verbs in the same order
// (webtest.CheckFormats tests each package's).

// verbRE matches one fmt verb, flags, width and precision included.
var verbRE = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)

// formatPattern is one English format turned into a matcher.
type formatPattern struct {
	prefix, suffix string // literal text before the first and after the last verb
	re             *regexp.Regexp
	vi             []string // the Vietnamese format split around its verbs
	literal        int      // literal characters, to prefer the most specific
	recurse        []bool   // which values may themselves be messages (%s, %v)
}

// Verbs returns the verbs of a format string in order, %% excluded.
func Verbs(format string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(format, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}

// newFormatPattern builds the pattern of en -> vi; ok is false when en has
// no verbs or the two formats do not have the same verbs.
func newFormatPattern(en, vi string) (formatPattern, bool) {
	verbs := Verbs(en)
	if len(verbs) == 0 || strings.Join(verbs, "") != strings.Join(Verbs(vi), "") {
		return formatPattern{}, false
	}
	var re strings.Builder
	re.WriteString("^")
	p := formatPattern{vi: splitFormat(vi)}
	lits := splitFormat(en)
	for i, lit := range lits {
		re.WriteString(regexp.QuoteMeta(lit))
		p.literal += len(lit)
		if i == len(verbs) {
			break
		}
		switch verb := verbs[i]; verb[len(verb)-1] {
		case 'd':
			re.WriteString(`(-?\d+)`)
			p.recurse = append(p.recurse, false)
		case 'q':
			re.WriteString(`("(?:[^"\\]|\\.)*")`)
			p.recurse = append(p.recurse, false)
		default:
			re.WriteString(`(.*?)`)
			p.recurse = append(p.recurse, verb[len(verb)-1] == 's' || verb[len(verb)-1] == 'v')
		}
	}
	re.WriteString("$")
	if p.literal < 3 {
		return formatPattern{}, false // "%s: %s" would match anything
	}
	p.prefix, p.suffix = lits[0], lits[len(lits)-1]
	p.re = regexp.MustCompile(re.String())
	return p, true
}

// splitFormat splits a format around its verbs, turning %% into %.
func splitFormat(f string) []string {
	var parts []string
	cur := ""
	last := 0
	for _, loc := range verbRE.FindAllStringIndex(f, -1) {
		cur += f[last:loc[0]]
		last = loc[1]
		if f[loc[0]:loc[1]] == "%%" {
			cur += "%"
			continue
		}
		parts = append(parts, cur)
		cur = ""
	}
	return append(parts, cur+f[last:])
}

// messageScope is a set of translations and their patterns: one feature's,
// or the site's whole.
type messageScope struct {
	msgs     map[string]string
	patterns []formatPattern // the msgs that embed values, most specific first
}

// add keeps en -> vi, and its pattern when en embeds values.
func (sc *messageScope) add(en, vi string) {
	sc.msgs[en] = vi
	p, ok := newFormatPattern(en, vi)
	if !ok {
		return
	}
	i := sort.Search(len(sc.patterns), func(i int) bool { return sc.patterns[i].literal < p.literal })
	sc.patterns = slices.Insert(sc.patterns, i, p)
}

// lookup returns msg's own entry: the page's feature's, else the site's.
func (s *Site) lookup(sc *messageScope, msg string) (string, bool) {
	if sc != nil {
		if vi, ok := sc.msgs[msg]; ok {
			return vi, true
		}
	}
	vi, ok := s.all.msgs[msg]
	return vi, ok
}

// translate returns msg in Vietnamese: its own entry, else the most
// specific pattern it matches (the page's feature's first), else msg
// itself. Values that are text may be messages in turn ("line 3: " + a
// message); depth bounds that.
func (s *Site) translate(sc *messageScope, msg string, depth int) string {
	if vi, ok := s.lookup(sc, msg); ok {
		return vi
	}
	if depth > 2 {
		return msg
	}
	if sc != nil {
		if vi, ok := s.applyPatterns(sc, sc.patterns, msg, depth); ok {
			return vi
		}
	}
	if vi, ok := s.applyPatterns(sc, s.all.patterns, msg, depth); ok {
		return vi
	}
	return msg
}

// applyPatterns rebuilds msg from the first pattern that matches it.
func (s *Site) applyPatterns(sc *messageScope, patterns []formatPattern, msg string, depth int) (string, bool) {
	for _, p := range patterns {
		if !strings.HasPrefix(msg, p.prefix) || !strings.HasSuffix(msg, p.suffix) {
			continue
		}
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		var b strings.Builder
		for i, lit := range p.vi {
			b.WriteString(lit)
			if i+1 < len(p.vi) {
				val := m[i+1]
				if p.recurse[i] {
					val = s.translate(sc, val, depth+1)
				}
				b.WriteString(val)
			}
		}
		return b.String(), true
	}
	return "", false
}
