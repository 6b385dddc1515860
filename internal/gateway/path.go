package gateway

import (
	"errors"
	"strings"
)

// CallPrefix starts every call path: /s/{service-identifier}/{rest...}.
const CallPrefix = "/s/"

// MaxPathBytes bounds the request path of a call.
const MaxPathBytes = 2048

// maxIdentSegments is how many path segments a service identifier may span.
const maxIdentSegments = 4

// CallPath is a validated call path. Raw is the escaped path after
// CallPrefix, exactly as received; it is safe to append to an upstream base
// path because ParsePath refused every form that could climb out of it.
type CallPath struct {
	Raw string
	// ends[i] is the end offset in Raw of segment i, for the first segments.
	ends [maxIdentSegments]int
	n    int
}

// Split returns the first k segments as the identifier candidate and the
// rest of the path with its leading '/' ("" when there is none); ok is false
// when the path has fewer than k segments.
func (c *CallPath) Split(k int) (ident, rest string, ok bool) {
	if k < 1 || k > c.n {
		return "", "", false
	}
	e := c.ends[k-1]
	return c.Raw[:e], c.Raw[e:], true
}

// Segments is the number of leading segments Split can use.
func (c *CallPath) Segments() int { return c.n }

// Path errors; all are refused with 400 bad_request before anything is
// forwarded.
var (
	errNotCall      = errors.New("not a service call path")
	errPathTooLong  = errors.New("path too long")
	errBadEscape    = errors.New("malformed percent-encoding")
	errBadChar      = errors.New("forbidden character in path")
	errEncodedSlash = errors.New("encoded slash, backslash or NUL in path")
	errDotSegment   = errors.New("'.' or '..' path segment")
	errEmptySegment = errors.New("empty path segment")
)

// ParsePath validates the raw (escaped) request path of a call and splits
// off its first segments. It refuses every path trick that could make the
// provider see a different resource than the one authorised: dot segments,
// in plain or percent-encoded form; encoded '/', '\' and NUL; backslashes;
// control and non-ASCII bytes; empty segments; malformed escapes.
func ParsePath(p string) (CallPath, error) {
	var c CallPath
	if !strings.HasPrefix(p, CallPrefix) {
		return c, errNotCall
	}
	if len(p) > MaxPathBytes {
		return c, errPathTooLong
	}
	raw := p[len(CallPrefix):]
	c.Raw = raw
	if raw == "" {
		return c, errNotCall
	}
	start := 0
	for i := 0; i <= len(raw); i++ {
		if i < len(raw) && raw[i] != '/' {
			ch := raw[i]
			switch {
			case ch <= 0x20 || ch >= 0x7f || ch == '\\' || ch == '#' || ch == '?':
				return c, errBadChar
			case ch == '%':
				if i+2 >= len(raw) || unhex(raw[i+1]) < 0 || unhex(raw[i+2]) < 0 {
					return c, errBadEscape
				}
				v := byte(unhex(raw[i+1])<<4 | unhex(raw[i+2]))
				if v == '/' || v == '\\' || v < 0x20 || v == 0x7f {
					return c, errEncodedSlash
				}
				i += 2
			}
			continue
		}
		// raw[start:i] is one segment.
		seg := raw[start:i]
		if seg == "" {
			// Only a single trailing slash may leave an empty last segment.
			if i != len(raw) || start == 0 {
				return c, errEmptySegment
			}
		} else if isDotSegment(seg) {
			return c, errDotSegment
		}
		if c.n < maxIdentSegments && seg != "" {
			c.ends[c.n] = i
			c.n++
		}
		start = i + 1
	}
	return c, nil
}

// isDotSegment reports whether seg decodes to "." or "..".
func isDotSegment(seg string) bool {
	if len(seg) > 6 {
		return false
	}
	dots := 0
	for i := 0; i < len(seg); i++ {
		switch {
		case seg[i] == '.':
			dots++
		case seg[i] == '%' && i+2 < len(seg) && seg[i+1] == '2' && (seg[i+2] == 'e' || seg[i+2] == 'E'):
			dots++
			i += 2
		default:
			return false
		}
	}
	return dots == 1 || dots == 2
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}
