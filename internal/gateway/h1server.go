package gateway

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// h1Server serves the gateway's listener: HTTP/1.1 and HTTP/1.0 with
// keep-alive, written for the call path instead of net/http's server. Every
// call is answered in full once its log entry is durable, so responses are
// buffered (or streamed with a known length) and never chunked; per
// connection it keeps one Request, header map and response writer and reuses
// them call after call. On the gateway benchmark net/http's server and its
// per-request allocations, context, background read goroutine and sorted
// header writing took about half of the gateway's CPU time.
//
// It implements what the gateway needs of an HTTP server and refuses the
// rest: no HTTP/2 (ALPN offers http/1.1 only), no upgrades (the handler
// refuses them), no trailers forwarded, no transfer codings besides chunked
// request bodies. Request heads are parsed strictly (see h1parse.go).
type h1Server struct {
	handler http.HandlerFunc
	o       *Options
	tls     *tls.Config
	logger  *slog.Logger

	mu       sync.Mutex
	ln       net.Listener
	conns    map[*srvConn]struct{}
	shutting atomic.Bool
	date     atomic.Pointer[cachedDate]
}

// Connection states, for draining at shutdown.
const (
	stateActive int32 = iota
	stateIdle
)

// maxDrainBody is how much of an unread request body is read and discarded
// to keep a connection open (as net/http does); beyond it the connection
// is closed.
const maxDrainBody = 256 << 10

// watchAfter is how long a call may run before its connection is watched
// for the consumer going away: fast calls never pay for the watch.
const watchAfter = 50 * time.Millisecond

func newH1Server(g *Gateway) *h1Server {
	s := &h1Server{handler: g.serveHTTP, o: &g.opts, logger: g.logger, conns: make(map[*srvConn]struct{})}
	if g.opts.TLS != nil {
		cfg := g.opts.TLS.Clone()
		cfg.NextProtos = []string{"http/1.1"}
		s.tls = cfg
	}
	return s
}

// Serve accepts connections on l until Shutdown; it then returns
// http.ErrServerClosed.
func (s *h1Server) Serve(l net.Listener) error {
	s.mu.Lock()
	s.ln = l
	s.mu.Unlock()
	if s.shutting.Load() {
		l.Close()
		return http.ErrServerClosed
	}
	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.shutting.Load() {
				return http.ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Out of file descriptors and the like: wait, as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.logger.Warn("gateway accept failed; retrying", "err", err, "in", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		c := s.track(nc)
		if c == nil {
			nc.Close()
			continue
		}
		go c.serve()
	}
}

// Shutdown stops accepting, closes idle connections, and waits for the
// active ones to finish their call; when ctx ends first, the remaining
// connections are closed and ctx's error returned.
func (s *h1Server) Shutdown(ctx context.Context) error {
	s.shutting.Store(true)
	s.mu.Lock()
	if s.ln != nil {
		s.ln.Close()
	}
	s.mu.Unlock()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		if s.closeIdle() {
			return nil
		}
		select {
		case <-ctx.Done():
			s.mu.Lock()
			for c := range s.conns {
				c.nc.Close()
			}
			s.mu.Unlock()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// closeIdle wakes idle connections so they close; it reports whether none
// is left.
func (s *h1Server) closeIdle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.Load() == stateIdle {
			_ = c.nc.SetReadDeadline(time.Unix(1, 0))
		}
	}
	return len(s.conns) == 0
}

func (s *h1Server) track(nc net.Conn) *srvConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutting.Load() {
		return nil
	}
	c := newSrvConn(s, nc)
	s.conns[c] = struct{}{}
	return c
}

func (s *h1Server) untrack(c *srvConn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

var (
	srvReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 8<<10) }}
	srvWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 8<<10) }}
)

// srvConn is one consumer connection and the state reused by its calls.
type srvConn struct {
	s      *h1Server
	nc     net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	state  atomic.Int32
	ctx    context.Context
	cancel context.CancelFunc

	req  *http.Request
	url  url.URL
	hdr  http.Header
	body srvBody
	resp srvResponse
	head []byte

	// The watch of slow calls: watchTimer starts watchClient, which
	// reports on watchDone when it stops.
	watchTimer *time.Timer
	watchDone  chan struct{}
}

func newSrvConn(s *h1Server, nc net.Conn) *srvConn {
	c := &srvConn{s: s, nc: nc, hdr: make(http.Header, 16), watchDone: make(chan struct{}, 1)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.req = (&http.Request{}).WithContext(c.ctx)
	c.req.RemoteAddr = nc.RemoteAddr().String()
	c.body.c = c
	c.resp.c = c
	c.resp.h = make(http.Header, 16)
	c.watchTimer = time.AfterFunc(time.Hour, c.watchClient)
	c.watchTimer.Stop()
	return c
}

func (c *srvConn) serve() {
	defer c.close()
	defer func() {
		if v := recover(); v != nil && v != http.ErrAbortHandler {
			buf := make([]byte, 16<<10)
			buf = buf[:runtime.Stack(buf, false)]
			c.s.logger.Error("gateway call panicked; connection closed", "panic", fmt.Sprint(v), "remote", c.req.RemoteAddr, "stack", string(buf))
		}
	}()
	if c.s.tls != nil {
		tc := tls.Server(c.nc, c.s.tls)
		_ = c.nc.SetDeadline(time.Now().Add(c.s.o.ReadHeaderTimeout))
		if err := tc.HandshakeContext(c.ctx); err != nil {
			c.s.logger.Debug("TLS handshake failed", "remote", c.req.RemoteAddr, "err", err)
			return
		}
		_ = c.nc.SetDeadline(time.Time{})
		st := tc.ConnectionState()
		c.req.TLS = &st
		c.nc = tc
	}
	c.br = srvReaders.Get().(*bufio.Reader)
	c.br.Reset(c.nc)
	c.bw = srvWriters.Get().(*bufio.Writer)
	c.bw.Reset(c.nc)
	for first := true; ; first = false {
		if !c.serveOne(first) {
			return
		}
	}
}

func (c *srvConn) close() {
	c.watchTimer.Stop()
	c.cancel()
	c.nc.Close()
	if c.br != nil {
		c.br.Reset(nil)
		srvReaders.Put(c.br)
		c.bw.Reset(nil)
		srvWriters.Put(c.bw)
		c.br, c.bw = nil, nil
	}
	c.s.untrack(c)
}

// serveOne reads and answers one request; false ends the connection.
func (c *srvConn) serveOne(first bool) bool {
	o := c.s.o
	if c.br.Buffered() == 0 {
		wait := o.IdleTimeout
		if first {
			wait = o.ReadHeaderTimeout
		}
		_ = c.nc.SetReadDeadline(time.Now().Add(wait))
		c.state.Store(stateIdle)
		if c.s.shutting.Load() {
			return false
		}
		if _, err := c.br.Peek(1); err != nil {
			return false
		}
	}
	c.state.Store(stateActive)
	start := time.Now()
	_ = c.nc.SetReadDeadline(start.Add(o.ReadHeaderTimeout))
	head, err := readHead(c.br, c.head, 4*o.MaxHeaderBytes)
	c.head = head[:0]
	switch {
	case errors.Is(err, errHeadTooLarge):
		c.fail(http.StatusRequestHeaderFieldsTooLarge, "request header too large")
		return false
	case errors.Is(err, errMalformedHead):
		c.fail(http.StatusBadRequest, "malformed request")
		return false
	case err != nil:
		return false // timeout or connection closed: nothing to answer
	}
	if status, msg := c.parseRequest(string(head)); status != 0 {
		c.fail(status, msg)
		return false
	}
	if o.ReadTimeout > 0 {
		_ = c.nc.SetReadDeadline(start.Add(o.ReadTimeout))
	} else {
		_ = c.nc.SetReadDeadline(time.Time{})
	}
	if o.WriteTimeout > 0 {
		_ = c.nc.SetWriteDeadline(start.Add(o.WriteTimeout))
	}
	c.resp.reset()
	watched := c.body.none() && c.br.Buffered() == 0
	if watched {
		c.watchTimer.Reset(watchAfter)
	}
	c.s.handler(&c.resp, c.req)
	if watched && !c.watchTimer.Stop() {
		// The watch started: interrupt its read and wait for it.
		_ = c.nc.SetReadDeadline(time.Unix(1, 0))
		<-c.watchDone
	}
	if c.ctx.Err() != nil {
		return false // the consumer went away
	}
	keep := c.resp.finish()
	if err := c.bw.Flush(); err != nil || !keep {
		return false
	}
	return c.body.discardRest()
}

// watchClient runs when a call without a request body is slow: it waits
// for the connection to become readable. End of stream means the consumer
// left, and the call's context is cancelled (logged as client_closed); a
// pipelined request stays buffered for the next call.
func (c *srvConn) watchClient() {
	_, err := c.br.Peek(1)
	if err != nil && !isTimeout(err) {
		c.cancel()
	}
	c.watchDone <- struct{}{}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// fail answers a request the server cannot hand to the gateway (malformed,
// too large) and the connection is closed, as net/http does.
func (c *srvConn) fail(status int, msg string) {
	_ = c.nc.SetWriteDeadline(time.Now().Add(time.Second))
	fmt.Fprintf(c.bw, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s\n",
		status, http.StatusText(status), len(msg)+1, msg)
	if c.bw.Flush() != nil {
		return
	}
	// Closing with unread input would reset the connection and could
	// destroy the answer before the client reads it: half-close, then
	// drain a little (as net/http does).
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		_ = c.nc.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		_, _ = io.CopyN(io.Discard, c.br, maxDrainBody)
	}
}

// parseRequest fills c.req from the head s. It returns a non-zero status
// when the request must be refused before the gateway sees it.
func (c *srvConn) parseRequest(s string) (int, string) {
	line, rest := nextLine(s)
	sp1 := strings.IndexByte(line, ' ')
	if sp1 <= 0 {
		return http.StatusBadRequest, "malformed request line"
	}
	method := line[:sp1]
	for i := 0; i < len(method); i++ {
		if !isTokenChar(method[i]) {
			return http.StatusBadRequest, "malformed request method"
		}
	}
	target, version, ok := strings.Cut(line[sp1+1:], " ")
	if !ok || target == "" {
		return http.StatusBadRequest, "malformed request line"
	}
	for i := 0; i < len(target); i++ {
		if b := target[i]; b <= ' ' || b == 0x7f {
			return http.StatusBadRequest, "malformed request target"
		}
	}
	major, minor, ok := parseVersion(version)
	if !ok {
		if strings.HasPrefix(version, "HTTP/") {
			return http.StatusHTTPVersionNotSupported, "HTTP version not supported"
		}
		return http.StatusBadRequest, "malformed HTTP version"
	}
	h := c.hdr
	clear(h)
	if err := parseFields(rest, h); err != nil {
		return http.StatusBadRequest, "malformed header field"
	}
	r := c.req
	hosts := h["Host"]
	switch {
	case len(hosts) > 1:
		return http.StatusBadRequest, "repeated Host header"
	case len(hosts) == 0 && minor == 1:
		return http.StatusBadRequest, "missing Host header"
	case len(hosts) == 1:
		if !validHost(hosts[0]) {
			return http.StatusBadRequest, "malformed Host header"
		}
		r.Host = hosts[0]
	default:
		r.Host = ""
	}
	delete(h, "Host") // as net/http: the Host is in r.Host
	cl, err := contentLength(h["Content-Length"])
	if err != nil {
		return http.StatusBadRequest, "malformed Content-Length"
	}
	te := h["Transfer-Encoding"]
	chunked, ok := isChunked(te)
	switch {
	case !ok:
		return http.StatusNotImplemented, "unsupported transfer coding"
	case len(te) > 0 && minor == 0:
		return http.StatusBadRequest, "Transfer-Encoding in an HTTP/1.0 request"
	case chunked && cl >= 0:
		// RFC 9112 6.1: both framings at once is how requests are smuggled.
		return http.StatusBadRequest, "both Transfer-Encoding and Content-Length"
	}
	delete(h, "Transfer-Encoding")
	expect := false
	if ev := h["Expect"]; len(ev) > 0 {
		if len(ev) != 1 || !strings.EqualFold(ev[0], "100-continue") {
			return http.StatusExpectationFailed, "unsupported expectation"
		}
		expect = minor == 1
	}
	closeOpt, keepAlive := connectionTokens(h["Connection"])
	if err := c.setURL(target); err != nil {
		return http.StatusBadRequest, "malformed request target"
	}
	r.Method, r.RequestURI, r.Header = method, target, h
	r.Proto, r.ProtoMajor, r.ProtoMinor = version, major, minor
	r.Close = closeOpt || (minor == 0 && !keepAlive)
	r.Form, r.PostForm, r.MultipartForm, r.Trailer, r.Response, r.Pattern = nil, nil, nil, nil, nil, ""
	r.TransferEncoding = nil
	switch {
	case chunked:
		r.TransferEncoding = chunkedCoding
		r.ContentLength = -1
		c.body.reset(-1, expect)
		r.Body = &c.body
	case cl > 0:
		r.ContentLength = cl
		c.body.reset(cl, expect)
		r.Body = &c.body
	default:
		r.ContentLength = 0
		c.body.reset(0, false)
		r.Body = http.NoBody
	}
	return 0, ""
}

var chunkedCoding = []string{"chunked"}

// setURL sets c.req.URL from the request target: the common origin-form
// without escapes directly, anything else through url.ParseRequestURI.
func (c *srvConn) setURL(target string) error {
	r := c.req
	r.URL = &c.url
	if target[0] == '/' && !strings.ContainsAny(target, "%#") {
		path, query, _ := strings.Cut(target, "?")
		c.url = url.URL{Path: path, RawQuery: query}
		return nil
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return err
	}
	c.url = *u
	return nil
}

// validHost accepts the characters of a uri-host with an optional port.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		switch b := h[i]; {
		case b <= ' ' || b >= 0x7f, b == '/', b == '\\', b == '?', b == '#', b == '"', b == '<', b == '>':
			return false
		}
	}
	return true
}

// srvBody is the request body of the connection's current call.
type srvBody struct {
	c       *srvConn
	n       int64 // bytes left of a Content-Length body; -1: chunked
	cr      io.Reader
	expect  bool // 100 Continue not sent yet
	eof     bool
	readErr error
}

func (b *srvBody) reset(n int64, expect bool) {
	b.n, b.cr, b.expect, b.eof, b.readErr = n, nil, expect, n == 0, nil
	if n < 0 {
		b.cr = httputil.NewChunkedReader(b.c.br)
	}
}

// none reports a call without request body.
func (b *srvBody) none() bool { return b.n == 0 && b.cr == nil }

func (b *srvBody) Read(p []byte) (int, error) {
	if b.eof {
		return 0, io.EOF
	}
	if b.readErr != nil {
		return 0, b.readErr
	}
	if b.expect {
		b.expect = false
		if _, err := b.c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
			return 0, err
		}
		if err := b.c.bw.Flush(); err != nil {
			return 0, err
		}
	}
	var n int
	var err error
	if b.cr != nil {
		n, err = b.cr.Read(p)
		if err == io.EOF {
			if terr := readTrailer(b.c.br, b.c.s.o.MaxHeaderBytes); terr != nil {
				err = io.ErrUnexpectedEOF
			} else {
				b.eof = true
			}
		}
	} else {
		if int64(len(p)) > b.n {
			p = p[:b.n]
		}
		n, err = b.c.br.Read(p)
		b.n -= int64(n)
		if b.n == 0 {
			b.eof, err = true, nil
		} else if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
	}
	if err != nil && err != io.EOF {
		b.readErr = err
	}
	return n, err
}

func (b *srvBody) Close() error { return nil }

// keepable reports whether the connection can serve another call after
// this one, judged before the response is written: an unsent 100 Continue
// or a large unread rest means the consumer's bytes cannot be skipped.
func (b *srvBody) keepable() bool {
	switch {
	case b.eof:
		return true
	case b.expect, b.readErr != nil:
		return false
	case b.cr != nil:
		return true // try to drain
	}
	return b.n <= maxDrainBody
}

// discardRest reads what the call left of its body, so the next request
// can be read; false when that is not possible.
func (b *srvBody) discardRest() bool {
	if b.eof {
		return true
	}
	if !b.keepable() {
		return false
	}
	n, err := io.CopyN(io.Discard, b, maxDrainBody+1)
	return err == io.EOF && n <= maxDrainBody || b.eof
}

// srvResponse is the http.ResponseWriter of the connection's current call.
// Without a Content-Length set before WriteHeader the body is buffered and
// its length sent with it; with one, the body streams.
type srvResponse struct {
	c        *srvConn
	h        http.Header
	status   int
	wrote    bool
	stream   bool
	noBody   bool
	closing  bool
	declared int64
	written  int64
	body     []byte
	keys     []string // reused to write the fields in a stable order
}

func (w *srvResponse) reset() {
	clear(w.h)
	w.status, w.wrote, w.stream, w.noBody, w.closing, w.declared, w.written = 0, false, false, false, false, 0, 0
	if cap(w.body) > maxPooledBuf {
		w.body = nil
	}
	w.body = w.body[:0]
}

func (w *srvResponse) Header() http.Header { return w.h }

func (w *srvResponse) WriteHeader(code int) {
	if w.wrote || (code >= 100 && code < 200) {
		return // interim responses are not relayed
	}
	if code < 100 || code > 999 {
		code = http.StatusInternalServerError
	}
	w.wrote, w.status = true, code
	w.noBody = w.c.req.Method == http.MethodHead || code == http.StatusNoContent || code == http.StatusNotModified
	if cl := w.h["Content-Length"]; len(cl) == 1 {
		if n, err := strconv.ParseInt(cl[0], 10, 64); err == nil && n >= 0 {
			w.stream, w.declared = true, n
			w.writeHead(-1)
		}
	}
}

func (w *srvResponse) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	switch {
	case w.noBody:
		if w.c.req.Method == http.MethodHead {
			return len(p), nil
		}
		return 0, http.ErrBodyNotAllowed
	case w.stream:
		if w.written+int64(len(p)) > w.declared {
			return 0, http.ErrContentLength
		}
		n, err := w.c.bw.Write(p)
		w.written += int64(n)
		return n, err
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

// finish writes a buffered response; it reports whether the connection
// stays open.
func (w *srvResponse) finish() bool {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if !w.stream {
		n := int64(len(w.body))
		if w.noBody {
			n = -1
			if w.c.req.Method == http.MethodHead {
				n = -2 // HEAD: the length is the provider's, if it gave one
			}
		}
		w.writeHead(n)
		if !w.noBody {
			_, _ = w.c.bw.Write(w.body)
		}
	} else if !w.noBody && w.written < w.declared {
		w.closing = true // the body is cut short: the consumer must see the end
	}
	return !w.closing
}

// writeHead writes the status line and header fields; cl >= 0 is the
// Content-Length of a buffered body.
func (w *srvResponse) writeHead(cl int64) {
	c := w.c
	r := c.req
	closeOpt, _ := connectionTokens(w.h["Connection"])
	w.closing = r.Close || closeOpt || c.s.shutting.Load() || !c.body.keepable()
	bw := c.bw
	text := http.StatusText(w.status)
	if text == "" {
		text = "status code " + strconv.Itoa(w.status)
	}
	bw.WriteString("HTTP/1.1 ")
	var num [4]byte
	bw.Write(strconv.AppendInt(num[:0], int64(w.status), 10))
	bw.WriteByte(' ')
	bw.WriteString(text)
	bw.WriteString("\r\n")
	// Sorted, as net/http writes them: the same answer reads the same every
	// time (map order is random).
	w.keys = w.keys[:0]
	for k := range w.h {
		w.keys = append(w.keys, k)
	}
	slices.Sort(w.keys)
	for _, k := range w.keys {
		vv := w.h[k]
		switch k {
		case "Connection", "Transfer-Encoding", "Keep-Alive":
			continue // framing is the server's
		case "Content-Length":
			if cl >= 0 || cl == -1 && w.status == http.StatusNoContent {
				continue
			}
		}
		writeField(bw, k, vv)
	}
	if _, ok := w.h["Date"]; !ok {
		bw.WriteString("Date: ")
		bw.Write(c.s.httpDate(time.Now()))
		bw.WriteString("\r\n")
	}
	if cl >= 0 && w.status != http.StatusNoContent {
		bw.WriteString("Content-Length: ")
		bw.Write(strconv.AppendInt(num[:0], cl, 10))
		bw.WriteString("\r\n")
	}
	switch {
	case w.closing:
		bw.WriteString("Connection: close\r\n")
	case r.ProtoMinor == 0:
		bw.WriteString("Connection: keep-alive\r\n")
	}
	bw.WriteString("\r\n")
}

// httpDate formats the Date header, once per second.
func (s *h1Server) httpDate(now time.Time) []byte {
	sec := now.Unix()
	if d := s.date.Load(); d != nil && d.sec == sec {
		return d.b
	}
	d := &cachedDate{sec: sec, b: now.UTC().AppendFormat(nil, http.TimeFormat)}
	s.date.Store(d)
	return d.b
}

type cachedDate struct {
	sec int64
	b   []byte
}
