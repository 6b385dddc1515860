package gateway

import (
	"bufio"
	"errors"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// The gateway reads HTTP/1.x message heads itself (requests from consumers,
// responses from providers) instead of through net/textproto: one string
// allocation holds the whole head, and header names already in canonical
// form (what every client sends) are used as they are. The grammar is
// RFC 9112's, applied strictly, since a proxy that parses more leniently
// than the server behind it invites request smuggling.

// Head parsing errors; each maps to the status the gateway answers with.
var (
	errHeadTooLarge  = errors.New("message head too large")
	errMalformedHead = errors.New("malformed message head")
)

// readHead reads a message head (start line and header fields, up to and
// including the empty line) from br into buf, refusing more than limit
// bytes. It returns the head without the final empty line.
func readHead(br *bufio.Reader, buf []byte, limit int) ([]byte, error) {
	buf = buf[:0]
	skipped := 0
	partial := false // the previous piece was a line longer than br's buffer
	for {
		line, err := br.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			if len(buf) > 0 || len(line) > 0 {
				if isTimeout(err) {
					return buf, err
				}
				return buf, errMalformedHead // the peer closed mid-head
			}
			return buf, err
		}
		if len(buf)+len(line) > limit {
			return buf, errHeadTooLarge
		}
		if err != nil { // bufio.ErrBufferFull: the line goes on
			buf = append(buf, line...)
			partial = true
			continue
		}
		if !partial && (len(line) == 1 || (len(line) == 2 && line[0] == '\r')) {
			if len(buf) == 0 && skipped < limit {
				skipped += len(line)
				continue // RFC 9112 2.2: ignore empty lines before a request line
			}
			return buf, nil
		}
		partial = false
		buf = append(buf, line...)
	}
}

// nextLine splits the first line off s, without its CRLF (or bare LF).
func nextLine(s string) (line, rest string) {
	i := strings.IndexByte(s, '\n')
	if i < 0 {
		return s, ""
	}
	line, rest = s[:i], s[i+1:]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}

// parseFields parses the header fields in s into h (which must be empty).
// Field values are substrings of s; the value slices share one array.
func parseFields(s string, h http.Header) error {
	n := strings.Count(s, "\n") + 1
	vals := make([]string, 0, n)
	for s != "" {
		var line string
		line, s = nextLine(s)
		if line == "" {
			continue
		}
		// obs-fold (a line starting with whitespace) is refused (RFC 9112 5.2).
		if line[0] == ' ' || line[0] == '\t' {
			return errMalformedHead
		}
		colon := strings.IndexByte(line, ':')
		if colon <= 0 {
			return errMalformedHead
		}
		name := line[:colon]
		for i := 0; i < len(name); i++ {
			if !isTokenChar(name[i]) {
				return errMalformedHead // includes whitespace before the colon
			}
		}
		value := trimOWS(line[colon+1:])
		for i := 0; i < len(value); i++ {
			if c := value[i]; (c < ' ' && c != '\t') || c == 0x7f {
				return errMalformedHead
			}
		}
		key := canonicalKey(name)
		if old := h[key]; old != nil {
			h[key] = append(old, value)
			continue
		}
		vals = append(vals, value)
		h[key] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	return nil
}

func trimOWS(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// canonicalKey returns the canonical form of a header name without
// allocating when it already is canonical.
func canonicalKey(name string) string {
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return textproto.CanonicalMIMEHeaderKey(name)
		}
		upper = c == '-'
	}
	return name
}

// isTokenChar reports whether c may appear in a token (RFC 9110 5.6.2).
func isTokenChar(c byte) bool {
	return tokenTable[c]
}

var tokenTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// parseVersion parses "HTTP/1.0" or "HTTP/1.1".
func parseVersion(v string) (major, minor int, ok bool) {
	switch v {
	case "HTTP/1.1":
		return 1, 1, true
	case "HTTP/1.0":
		return 1, 0, true
	}
	return 0, 0, false
}

// contentLength parses the Content-Length values of a message: repeated
// values must agree (RFC 9110 8.6). -1 when absent.
func contentLength(vv []string) (int64, error) {
	if len(vv) == 0 {
		return -1, nil
	}
	first := vv[0]
	for _, v := range vv[1:] {
		if v != first {
			return 0, errMalformedHead
		}
	}
	if first == "" || len(first) > 18 {
		return 0, errMalformedHead
	}
	for i := 0; i < len(first); i++ {
		if first[i] < '0' || first[i] > '9' {
			return 0, errMalformedHead
		}
	}
	n, err := strconv.ParseInt(first, 10, 64)
	if err != nil {
		return 0, errMalformedHead
	}
	return n, nil
}

// isChunked reports whether the Transfer-Encoding values are exactly
// "chunked"; ok is false for any other coding, which the gateway does not
// implement.
func isChunked(vv []string) (chunked, ok bool) {
	switch {
	case len(vv) == 0:
		return false, true
	case len(vv) == 1 && strings.EqualFold(trimOWS(vv[0]), "chunked"):
		return true, true
	}
	return false, false
}

// connectionTokens reports the close and keep-alive options of the
// Connection header values.
func connectionTokens(vv []string) (closeOpt, keepAlive bool) {
	for _, v := range vv {
		for tok := range strings.SplitSeq(v, ",") {
			tok = trimOWS(tok)
			switch {
			case strings.EqualFold(tok, "close"):
				closeOpt = true
			case strings.EqualFold(tok, "keep-alive"):
				keepAlive = true
			}
		}
	}
	return closeOpt, keepAlive
}

// readTrailer consumes the trailer section after the last chunk (the
// gateway does not forward trailers), bounded by limit bytes.
func readTrailer(br *bufio.Reader, limit int) error {
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		n += len(line)
		if n > limit {
			return errHeadTooLarge
		}
		if len(line) == 1 || (len(line) == 2 && line[0] == '\r') {
			return nil
		}
	}
}

// writeField writes the header field k with each of its values; a name
// that is not a token is skipped.
func writeField(bw *bufio.Writer, k string, vv []string) {
	if !validFieldName(k) {
		return
	}
	for _, v := range vv {
		bw.WriteString(k)
		bw.WriteString(": ")
		writeFieldValue(bw, v)
		bw.WriteString("\r\n")
	}
}

func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !isTokenChar(k[i]) {
			return false
		}
	}
	return true
}

// writeFieldValue writes v with CR, LF and NUL replaced by spaces, as
// net/http does, so no value can start a new header line.
func writeFieldValue(bw *bufio.Writer, v string) {
	for {
		i := strings.IndexAny(v, "\r\n\x00")
		if i < 0 {
			bw.WriteString(v)
			return
		}
		bw.WriteString(v[:i])
		bw.WriteByte(' ')
		v = v[i+1:]
	}
}
