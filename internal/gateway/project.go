package gateway

import (
	"encoding/json"
	"errors"
)

// ItemSet is a set of data item names (top-level JSON keys).
type ItemSet map[string]struct{}

// NewItemSet builds a set from names.
func NewItemSet(names ...string) ItemSet {
	s := make(ItemSet, len(names))
	for _, n := range names {
		s[n] = struct{}{}
	}
	return s
}

// errNotProjectable means the body is not a JSON object or array of
// objects, or not valid JSON: the gateway then refuses to release it rather
// than risk returning items that were not approved (D47-35.2d).
var errNotProjectable = errors.New("response is not a JSON object or array of objects")

// maxJSONDepth matches encoding/json's nesting limit.
const maxJSONDepth = 10000

// Project appends to dst the JSON body reduced to the keys in allowed: the
// top-level keys of an object, or of every object of a top-level array
// (D47-35.2d: the consumer receives only its approved data items). Values
// are copied byte for byte; the input is fully validated, so the output is
// valid JSON whenever err is nil.
func Project(dst, body []byte, allowed ItemSet) ([]byte, error) {
	i := skipWS(body, 0)
	if i >= len(body) {
		return dst, errNotProjectable
	}
	var err error
	switch body[i] {
	case '{':
		if dst, i, err = projectObject(dst, body, i, allowed); err != nil {
			return dst, err
		}
	case '[':
		dst = append(dst, '[')
		i = skipWS(body, i+1)
		if i < len(body) && body[i] == ']' {
			i++
		} else {
			for n := 0; ; n++ {
				i = skipWS(body, i)
				if i >= len(body) || body[i] != '{' {
					return dst, errNotProjectable
				}
				if n > 0 {
					dst = append(dst, ',')
				}
				if dst, i, err = projectObject(dst, body, i, allowed); err != nil {
					return dst, err
				}
				i = skipWS(body, i)
				if i >= len(body) {
					return dst, errNotProjectable
				}
				if body[i] == ',' {
					i++
					continue
				}
				if body[i] != ']' {
					return dst, errNotProjectable
				}
				i++
				break
			}
		}
		dst = append(dst, ']')
	default:
		return dst, errNotProjectable
	}
	if skipWS(body, i) != len(body) {
		return dst, errNotProjectable
	}
	return dst, nil
}

// projectObject copies the allowed members of the object at b[i] ('{').
func projectObject(dst, b []byte, i int, allowed ItemSet) ([]byte, int, error) {
	dst = append(dst, '{')
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return append(dst, '}'), i + 1, nil
	}
	kept := 0
	for {
		i = skipWS(b, i)
		if i >= len(b) || b[i] != '"' {
			return dst, i, errNotProjectable
		}
		ks := i
		ke, escaped, ok := scanString(b, i)
		if !ok {
			return dst, i, errNotProjectable
		}
		i = skipWS(b, ke)
		if i >= len(b) || b[i] != ':' {
			return dst, i, errNotProjectable
		}
		vs := skipWS(b, i+1)
		ve, ok := skipValue(b, vs, 2)
		if !ok {
			return dst, i, errNotProjectable
		}
		var keep bool
		if escaped {
			var k string
			if json.Unmarshal(b[ks:ke], &k) != nil {
				return dst, i, errNotProjectable
			}
			_, keep = allowed[k]
		} else {
			_, keep = allowed[string(b[ks+1:ke-1])]
		}
		if keep {
			if kept > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, b[ks:ke]...)
			dst = append(dst, ':')
			dst = append(dst, b[vs:ve]...)
			kept++
		}
		i = skipWS(b, ve)
		if i >= len(b) {
			return dst, i, errNotProjectable
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return append(dst, '}'), i + 1, nil
		default:
			return dst, i, errNotProjectable
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString validates the string starting at b[i] ('"') and returns the
// index after its closing quote and whether it holds escapes.
func scanString(b []byte, i int) (end int, escaped, ok bool) {
	for j := i + 1; j < len(b); j++ {
		c := b[j]
		switch {
		case c == '"':
			return j + 1, escaped, true
		case c == '\\':
			escaped = true
			j++
			if j >= len(b) {
				return 0, false, false
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) {
					return 0, false, false
				}
				for k := 1; k <= 4; k++ {
					if unhex(b[j+k]) < 0 {
						return 0, false, false
					}
				}
				j += 4
			default:
				return 0, false, false
			}
		case c < 0x20:
			return 0, false, false
		}
	}
	return 0, false, false
}

// skipValue validates the JSON value at b[i] and returns the index after it.
func skipValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		end, _, ok := scanString(b, i)
		return end, ok
	case c == '{' || c == '[':
		if depth > maxJSONDepth {
			return i, false
		}
		return skipContainer(b, i, depth)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return number(b, i)
	}
	return i, false
}

func skipContainer(b []byte, i, depth int) (int, bool) {
	closer := byte('}')
	if b[i] == '[' {
		closer = ']'
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == closer {
		return i + 1, true
	}
	for {
		i = skipWS(b, i)
		if closer == '}' {
			if i >= len(b) || b[i] != '"' {
				return i, false
			}
			end, _, ok := scanString(b, i)
			if !ok {
				return i, false
			}
			i = skipWS(b, end)
			if i >= len(b) || b[i] != ':' {
				return i, false
			}
			i = skipWS(b, i+1)
		}
		var ok bool
		if i, ok = skipValue(b, i, depth+1); !ok {
			return i, false
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return i, false
		}
		if b[i] == closer {
			return i + 1, true
		}
		if b[i] != ',' {
			return i, false
		}
		i++
	}
}

func literal(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}

func number(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return i, false
	}
	switch {
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
