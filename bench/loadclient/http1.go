package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// callTimeout bounds one call, connection included, as net/http's client
// Timeout did.
const callTimeout = 30 * time.Second

// target is the address to dial and the request bytes, built once.
type target struct {
	addr string
	req  []byte
}

func newTarget(raw string, hs headers) (*target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse -url: %w", err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("-url: only http:// is supported, got %q", u.Scheme)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\n", u.RequestURI(), u.Host)
	for _, h := range hs {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return nil, fmt.Errorf("-H %q: want 'Name: value'", h)
		}
		fmt.Fprintf(&b, "%s: %s\r\n", strings.TrimSpace(k), strings.TrimSpace(v))
	}
	b.WriteString("\r\n")
	return &target{addr: addr, req: []byte(b.String())}, nil
}

// conn is one worker's keep-alive connection, dialled on first use and
// after any error or "Connection: close".
type conn struct {
	t  *target
	nc net.Conn
	br *bufio.Reader
}

func (c *conn) close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
}

// call sends the request and reads the whole answer; it returns the status
// and the X-Correlation-Id header. A call counts as done only once its body
// was read to the end.
func (c *conn) call() (code int, corr string, err error) {
	if c.nc == nil {
		nc, err := net.DialTimeout("tcp", c.t.addr, callTimeout)
		if err != nil {
			return 0, "", err
		}
		c.nc = nc
		if c.br == nil {
			c.br = bufio.NewReaderSize(nc, 16<<10)
		} else {
			c.br.Reset(nc)
		}
	}
	if err := c.nc.SetDeadline(time.Now().Add(callTimeout)); err != nil {
		return 0, "", err
	}
	if _, err := c.nc.Write(c.t.req); err != nil {
		return 0, "", err
	}
	ans, err := readAnswer(c.br)
	if err != nil {
		return 0, "", err
	}
	if ans.close {
		c.close()
	}
	return ans.code, ans.corr, nil
}

type answer struct {
	code  int
	corr  string
	close bool
}

var errMalformed = errors.New("malformed answer")

// readAnswer reads a status line, the header fields and the body (by
// Content-Length, chunks, or to the end when neither is given).
func readAnswer(br *bufio.Reader) (answer, error) {
	line, err := readLine(br)
	if err != nil {
		return answer{}, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return answer{}, errMalformed
	}
	var a answer
	if a.code, err = strconv.Atoi(string(line[9:12])); err != nil {
		return answer{}, errMalformed
	}
	length, chunked := int64(-1), false
	for {
		line, err := readLine(br)
		if err != nil {
			return answer{}, err
		}
		if len(line) == 0 {
			break
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return answer{}, errMalformed
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(v), 10, 64); err != nil || length < 0 {
				return answer{}, errMalformed
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(v, []byte("chunked"))
		case bytes.EqualFold(k, []byte("Connection")):
			a.close = bytes.EqualFold(v, []byte("close"))
		case bytes.EqualFold(k, []byte("X-Correlation-Id")):
			a.corr = string(v)
		}
	}
	switch {
	case a.code == 204 || a.code == 304 || (a.code >= 100 && a.code < 200):
	case chunked:
		err = discardChunks(br)
	case length >= 0:
		_, err = br.Discard(int(length))
	default:
		a.close = true
		_, err = io.Copy(io.Discard, br)
	}
	return a, err
}

func discardChunks(br *bufio.Reader) error {
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 {
			return errMalformed
		}
		if n == 0 {
			for { // trailer fields up to the blank line
				line, err := readLine(br)
				if err != nil || len(line) == 0 {
					return err
				}
			}
		}
		if _, err := br.Discard(int(n)); err != nil {
			return err
		}
		line, err = readLine(br)
		if err != nil {
			return err
		}
		if len(line) != 0 {
			return errMalformed
		}
	}
}

// readLine returns one line without its CRLF; the slice is valid until the
// next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, errMalformed
		}
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}
