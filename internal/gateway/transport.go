package gateway

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"
	"sync"
	"time"
)

// h1Transport is the upstream client of the hot path for plain-HTTP
// upstreams and idempotent methods: a keep-alive pool of HTTP/1.1
// connections used synchronously by the calling goroutine (write the
// request, read the response with net/http's own parser), without the two
// goroutines and channel hand-offs per connection of http.Transport. On
// this workload that halves the scheduler work per call. Everything else
// (https, proxies, non-idempotent methods, which may only be retried when
// nothing was sent) goes to the standard transport.
//
// A reused connection that fails before any response byte arrives (the
// provider closed it while idle) is retried once on a new connection; that
// is safe because only idempotent requests take this path (RFC 9110 9.2.2).
type h1Transport struct {
	dialer      *net.Dialer
	maxIdle     int
	idleTimeout time.Duration
	fallback    http.RoundTripper

	mu   sync.Mutex
	idle map[string][]*h1Conn // by host:port, most recently used last
}

type h1Conn struct {
	addr   string
	c      net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	head   []byte
	idleAt time.Time
}

func newH1Transport(o *Options, fallback http.RoundTripper) *h1Transport {
	return &h1Transport{
		dialer:      &net.Dialer{Timeout: o.DialTimeout, KeepAlive: 30 * time.Second, Control: refuseLinkLocal},
		maxIdle:     o.MaxIdleConnsPerHost,
		idleTimeout: o.IdleConnTimeout,
		fallback:    fallback,
		idle:        make(map[string][]*h1Conn),
	}
}

func idempotent(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodPut || m == http.MethodDelete || m == http.MethodOptions
}

func (t *h1Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "http" || !idempotent(req.Method) {
		return t.fallback.RoundTrip(req)
	}
	addr := req.URL.Host
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "80")
	}
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		pc, reused, err := t.get(ctx, addr)
		if err != nil {
			return nil, err
		}
		resp, sent, err := t.exchange(ctx, req, pc)
		if err == nil {
			return resp, nil
		}
		pc.c.Close()
		if reused && attempt == 0 && !sent && ctx.Err() == nil && !deadlinePassed(ctx) {
			if req.GetBody != nil {
				if req.Body, err = req.GetBody(); err != nil {
					return nil, err
				}
			}
			continue
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if deadlinePassed(ctx) {
			return nil, context.DeadlineExceeded
		}
		return nil, err
	}
}

// get takes an idle connection to addr or dials a new one.
func (t *h1Transport) get(ctx context.Context, addr string) (*h1Conn, bool, error) {
	now := time.Now()
	t.mu.Lock()
	for list := t.idle[addr]; len(list) > 0; list = t.idle[addr] {
		pc := list[len(list)-1]
		list[len(list)-1] = nil
		t.idle[addr] = list[:len(list)-1]
		if now.Sub(pc.idleAt) < t.idleTimeout {
			t.mu.Unlock()
			return pc, true, nil
		}
		pc.c.Close()
	}
	t.mu.Unlock()
	c, err := t.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, false, err
	}
	return &h1Conn{addr: addr, c: c, br: bufio.NewReaderSize(c, 16<<10), bw: bufio.NewWriterSize(c, 8<<10)}, false, nil
}

// put returns a connection whose response was read completely.
func (t *h1Transport) put(pc *h1Conn) {
	_ = pc.c.SetDeadline(time.Time{})
	pc.idleAt = time.Now()
	t.mu.Lock()
	if list := t.idle[pc.addr]; len(list) < t.maxIdle {
		t.idle[pc.addr] = append(list, pc)
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	pc.c.Close()
}

// exchange writes req and reads the response head. sent reports whether
// any byte of a response was received (then the request must not be
// retried).
func (t *h1Transport) exchange(ctx context.Context, req *http.Request, pc *h1Conn) (resp *http.Response, sent bool, err error) {
	if d, ok := ctx.Deadline(); ok {
		_ = pc.c.SetDeadline(d)
	}
	// A consumer that goes away interrupts the call.
	stop := context.AfterFunc(ctx, func() { _ = pc.c.SetDeadline(time.Unix(1, 0)) })
	defer func() {
		if err != nil {
			stop()
		}
	}()
	if err := writeRequest(pc.bw, req); err != nil {
		return nil, false, err
	}
	if err := pc.bw.Flush(); err != nil {
		return nil, false, err
	}
	for {
		if _, err := pc.br.Peek(1); err != nil {
			return nil, false, err
		}
		resp, err = readResponse(pc, req)
		if err != nil {
			return nil, true, err
		}
		// Skip interim responses (100 Continue, 103 Early Hints).
		if resp.StatusCode >= 100 && resp.StatusCode < 200 {
			if resp.StatusCode == http.StatusSwitchingProtocols {
				return nil, true, errors.New("gateway: upstream switched protocols")
			}
			continue
		}
		break
	}
	resp.Body = &h1Body{rc: resp.Body, pc: pc, t: t, reuse: !resp.Close && !req.Close, stop: stop}
	return resp, true, nil
}

// writeRequest writes req in HTTP/1.1 form: the request line with the
// request's opaque path, Host, its header fields in map order (the order of
// fields with different names carries no meaning) and the body with its
// Content-Length. Framing and connection headers of the caller's map are
// the transport's and are not copied.
func writeRequest(bw *bufio.Writer, req *http.Request) error {
	u := req.URL
	path := u.Opaque
	if path == "" {
		path = u.EscapedPath()
	}
	if path == "" {
		path = "/"
	}
	bw.WriteString(req.Method)
	bw.WriteByte(' ')
	bw.WriteString(path)
	if u.RawQuery != "" {
		bw.WriteByte('?')
		bw.WriteString(u.RawQuery)
	}
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	host := req.Host
	if host == "" {
		host = u.Host
	}
	writeFieldValue(bw, host)
	bw.WriteString("\r\n")
	for k, vv := range req.Header {
		switch k {
		case "Host", "Content-Length", "Transfer-Encoding", "Connection", "Trailer":
			continue
		}
		writeField(bw, k, vv)
	}
	if req.Close {
		bw.WriteString("Connection: close\r\n")
	}
	n := req.ContentLength
	if n > 0 || n == 0 && req.Body != nil && req.Body != http.NoBody || req.Method == http.MethodPut {
		bw.WriteString("Content-Length: ")
		var num [20]byte
		bw.Write(strconv.AppendInt(num[:0], max(n, 0), 10))
		bw.WriteString("\r\n")
	}
	_, err := bw.WriteString("\r\n")
	if err != nil || req.Body == nil || n <= 0 {
		return err
	}
	written, err := io.Copy(bw, io.LimitReader(req.Body, n))
	if err == nil && written != n {
		err = fmt.Errorf("gateway: request body is %d bytes, not %d", written, n)
	}
	return err
}

// readResponse reads a response head and sets up its body reader.
// Ambiguous framing (Content-Length with Transfer-Encoding, conflicting
// lengths, codings other than chunked) is an error: the connection could
// not be reused safely, and the answer could not be trusted.
func readResponse(pc *h1Conn, req *http.Request) (*http.Response, error) {
	head, err := readHead(pc.br, pc.head, maxResponseHead)
	pc.head = head[:0]
	if err != nil {
		return nil, err
	}
	s := string(head)
	line, rest := nextLine(s)
	version, status, _ := strings.Cut(line, " ")
	major, minor, ok := parseVersion(version)
	if !ok || len(status) < 3 {
		return nil, errMalformedHead
	}
	code, err := strconv.Atoi(status[:3])
	if err != nil || code < 100 || (len(status) > 3 && status[3] != ' ') {
		return nil, errMalformedHead
	}
	h := make(http.Header, 8)
	if err := parseFields(rest, h); err != nil {
		return nil, err
	}
	resp := &http.Response{Status: status, StatusCode: code, Proto: version, ProtoMajor: major, ProtoMinor: minor,
		Header: h, Request: req, ContentLength: -1}
	closeOpt, keepAlive := connectionTokens(h["Connection"])
	resp.Close = closeOpt || (minor == 0 && !keepAlive)
	if code < 200 {
		return resp, nil
	}
	cl, err := contentLength(h["Content-Length"])
	if err != nil {
		return nil, err
	}
	chunked, ok := isChunked(h["Transfer-Encoding"])
	if !ok || chunked && cl >= 0 {
		return nil, errMalformedHead
	}
	switch {
	case req.Method == http.MethodHead || code == http.StatusNoContent || code == http.StatusNotModified:
		resp.Body = http.NoBody
		if cl >= 0 && req.Method == http.MethodHead {
			resp.ContentLength = cl
		} else {
			resp.ContentLength = 0
		}
	case chunked:
		delete(h, "Transfer-Encoding")
		resp.TransferEncoding = chunkedCoding
		resp.Body = &chunkedBody{cr: httputil.NewChunkedReader(pc.br), br: pc.br}
	case cl >= 0:
		resp.ContentLength = cl
		resp.Body = io.NopCloser(io.LimitReader(pc.br, cl))
	default:
		// Delimited by the end of the connection: it cannot be reused.
		resp.Close = true
		resp.Body = io.NopCloser(pc.br)
	}
	return resp, nil
}

// maxResponseHead bounds a provider's response head.
const maxResponseHead = 64 << 10

// chunkedBody reads a chunked body and its (discarded) trailer.
type chunkedBody struct {
	cr io.Reader
	br *bufio.Reader
}

func (b *chunkedBody) Read(p []byte) (int, error) {
	n, err := b.cr.Read(p)
	if err == io.EOF {
		if terr := readTrailer(b.br, maxResponseHead); terr != nil {
			return n, io.ErrUnexpectedEOF
		}
	}
	return n, err
}

func (b *chunkedBody) Close() error { return nil }

// h1Body returns the connection to the pool once the body was read to its
// end, and closes it otherwise.
type h1Body struct {
	rc    io.ReadCloser
	pc    *h1Conn
	t     *h1Transport
	reuse bool
	eof   bool
	done  bool
	stop  func() bool
}

func (b *h1Body) Read(p []byte) (int, error) {
	if b.done {
		return 0, errors.New("gateway: read after close")
	}
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *h1Body) Close() error {
	if b.done {
		return nil
	}
	b.done = true
	// The consumer's context may have fired the deadline already: then the
	// connection is not reusable.
	interrupted := !b.stop()
	if b.eof && b.reuse && !interrupted {
		b.t.put(b.pc)
		return nil
	}
	return b.pc.c.Close()
}
