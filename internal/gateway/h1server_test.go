package gateway_test

import (
	"bufio"
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// conn is a raw client connection for several exchanges.
type conn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return &conn{t: t, c: c, br: bufio.NewReader(c)}
}

func (c *conn) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.c, s); err != nil {
		c.t.Fatal(err)
	}
}

// read reads one response to a request with the given method.
func (c *conn) read(method string) result {
	c.t.Helper()
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	res := decodeResult(resp, b)
	if resp.Close {
		res.header.Set("X-Test-Closed", "1")
	}
	return res
}

// closed reports whether the server closed the connection.
func (c *conn) closed() bool {
	_ = c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := c.br.ReadByte()
	return err == io.EOF
}

const callHead = "Host: gw\r\nX-Api-Key: gdxk_test_full\r\n"

func TestHTTPServerRefusesMalformed(t *testing.T) {
	tg, _ := startProvince(t)
	tests := []struct {
		name, request string
		status        int
	}{
		{"both framings", "POST /s/test/echo HTTP/1.1\r\n" + callHead + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"conflicting lengths", "POST /s/test/echo HTTP/1.1\r\n" + callHead + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
		{"signed length", "POST /s/test/echo HTTP/1.1\r\n" + callHead + "Content-Length: +1\r\n\r\na", 400},
		{"unknown coding", "POST /s/test/echo HTTP/1.1\r\n" + callHead + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501},
		{"chunked in 1.0", "POST /s/test/echo HTTP/1.0\r\n" + callHead + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"folded header", "GET /s/test/json HTTP/1.1\r\n" + callHead + "X-A: b\r\n c\r\n\r\n", 400},
		{"space before colon", "GET /s/test/json HTTP/1.1\r\nHost : gw\r\n\r\n", 400},
		{"control character", "GET /s/test/json HTTP/1.1\r\n" + callHead + "X-A: a\x01b\r\n\r\n", 400},
		{"missing host", "GET /s/test/json HTTP/1.1\r\nX-Api-Key: gdxk_test_full\r\n\r\n", 400},
		{"two hosts", "GET /s/test/json HTTP/1.1\r\n" + callHead + "Host: other\r\n\r\n", 400},
		{"bad method", "G(T /s/test/json HTTP/1.1\r\n" + callHead + "\r\n", 400},
		{"bad version", "GET /s/test/json HTTP/9.1\r\n" + callHead + "\r\n", 505},
		{"no version", "GET /s/test/json\r\n" + callHead + "\r\n", 400},
		{"expectation", "GET /s/test/json HTTP/1.1\r\n" + callHead + "Expect: magic\r\n\r\n", 417},
		{"huge header", "GET /s/test/json HTTP/1.1\r\n" + callHead + "X-Big: " + strings.Repeat("a", 20<<10) + "\r\n\r\n", 431},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(tg.log.entries())
			c := dialRaw(t, tg.Addr)
			c.send(tc.request)
			if r := c.read("GET"); r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if !c.closed() {
				t.Error("connection kept open after a malformed request")
			}
			if n := len(tg.log.entries()); n != before {
				t.Errorf("%d calls logged: a malformed request reached the gateway", n-before)
			}
		})
	}
}

func TestHTTPServerPipeliningAndBodies(t *testing.T) {
	tg, _ := startProvince(t)
	c := dialRaw(t, tg.Addr)
	// Three requests in one write: a body by length, a chunked body with a
	// trailer, then a plain GET; answered in order on one connection.
	c.send("POST /s/test/echo HTTP/1.1\r\n" + callHead + "Content-Length: 5\r\nX-Correlation-Id: pipe-0001\r\n\r\nhello" +
		"POST /s/test/echo HTTP/1.1\r\n" + callHead + "Transfer-Encoding: chunked\r\nX-Correlation-Id: pipe-0002\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n" +
		"GET /s/test/json HTTP/1.1\r\n" + callHead + "X-Correlation-Id: pipe-0003\r\n\r\n")
	for i, want := range []string{"hello", "abcde", ""} {
		r := c.read("POST")
		if r.status != 200 {
			t.Fatalf("response %d: %v", i, r)
		}
		id := r.header.Get("X-Correlation-Id")
		e := tg.log.byCorrelation(id)
		if len(e) != 1 {
			t.Fatalf("response %d (%s): %d log entries", i, id, len(e))
		}
		if string(e[0].RequestBody) != want || e[0].RequestDigest != sha256.Sum256([]byte(want)) {
			t.Errorf("response %d: logged body %q, want %q", i, e[0].RequestBody, want)
		}
	}
	if r := tg.log.byCorrelation("pipe-0003"); len(r) != 1 || r[0].Method != "GET" {
		t.Fatalf("third call: %v", r)
	}
}

func TestHTTPServerExpectContinueAndHead(t *testing.T) {
	tg, _ := startProvince(t)
	c := dialRaw(t, tg.Addr)
	c.send("POST /s/test/echo HTTP/1.1\r\n" + callHead + "Expect: 100-continue\r\nContent-Length: 4\r\n\r\n")
	line, err := c.br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("interim response %q, %v", line, err)
	}
	if l, _ := c.br.ReadString('\n'); l != "\r\n" {
		t.Fatalf("interim response not ended: %q", l)
	}
	c.send("body")
	if r := c.read("POST"); r.status != 200 {
		t.Fatalf("after 100 Continue: %v", r)
	}
	// HEAD: the provider's length, no body, and the connection goes on.
	c.send("HEAD /s/test/json HTTP/1.1\r\n" + callHead + "\r\n")
	r := c.read("HEAD")
	if r.status != 200 || len(r.body) != 0 || r.header.Get("Content-Length") == "" {
		t.Fatalf("HEAD: %v %v", r, r.header)
	}
	c.send("GET /s/test/json HTTP/1.1\r\n" + callHead + "Connection: close\r\n\r\n")
	if r := c.read("GET"); r.status != 200 || r.header.Get("X-Test-Closed") != "1" {
		t.Fatalf("Connection: close not honoured: %v %v", r, r.header)
	}
	if !c.closed() {
		t.Fatal("connection open after Connection: close")
	}
}

func TestHTTPServerHTTP10(t *testing.T) {
	tg, _ := startProvince(t)
	c := dialRaw(t, tg.Addr)
	c.send("GET /s/test/json HTTP/1.0\r\nX-Api-Key: gdxk_test_full\r\nConnection: keep-alive\r\n\r\n")
	if r := c.read("GET"); r.status != 200 || r.header.Get("Connection") != "keep-alive" {
		t.Fatalf("HTTP/1.0 keep-alive: %v %v", r, r.header)
	}
	c.send("GET /s/test/json HTTP/1.0\r\nX-Api-Key: gdxk_test_full\r\n\r\n")
	if r := c.read("GET"); r.status != 200 {
		t.Fatalf("HTTP/1.0: %v", r)
	}
	if !c.closed() {
		t.Fatal("HTTP/1.0 connection without keep-alive stayed open")
	}
}

// A consumer that leaves during a slow call is noticed: the provider call
// is cancelled and the call logged as client_closed.
func TestHTTPServerConsumerLeaves(t *testing.T) {
	tg, _ := startProvince(t)
	c := dialRaw(t, tg.Addr)
	c.send("GET /s/test/pause HTTP/1.1\r\n" + callHead + "X-Correlation-Id: leaving-01\r\n\r\n")
	time.Sleep(20 * time.Millisecond)
	c.c.Close()
	waitFor(t, "client_closed entry", func() bool {
		e := tg.log.byCorrelation("leaving-01")
		return len(e) == 1 && e[0].RefusalCode == "client_closed"
	})
}

// Answers write their header fields in a stable order (sorted, as net/http
// does), so the same answer reads the same every time.
func TestHTTPServerHeaderOrder(t *testing.T) {
	tg, _ := startProvince(t)
	c := dialRaw(t, tg.Addr)
	var first []string
	for i := range 3 {
		c.send("GET /s/test/json HTTP/1.1\r\n" + callHead + "\r\n")
		var names []string
		length := -1
		for {
			line, err := c.br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				break
			}
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				continue // the status line
			}
			names = append(names, name)
			if name == "Content-Length" {
				length, _ = strconv.Atoi(strings.TrimSpace(value))
			}
		}
		if _, err := io.ReadFull(c.br, make([]byte, length)); err != nil || length < 0 {
			t.Fatalf("body of %d bytes: %v", length, err)
		}
		if i > 0 {
			if !slices.Equal(names, first) {
				t.Fatalf("answer %d: header order %v, first answer %v", i, names, first)
			}
			continue
		}
		first = names
		// The handler's fields sorted; the server's own (Date,
		// Content-Length, Connection) after them when the handler did not
		// set them.
		own := names
		for _, f := range []string{"Connection", "Content-Length", "Date"} {
			if n := len(own); n > 0 && own[n-1] == f {
				own = own[:n-1]
			}
		}
		if len(own) < 3 || !slices.IsSorted(own) {
			t.Fatalf("header order %v", names)
		}
	}
}
