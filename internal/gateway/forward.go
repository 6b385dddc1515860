package gateway

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// OutboundCall is a call the gateway sends to a peer platform (D47-46),
// handed to the peer's Adapter.
type OutboundCall struct {
	Method string
	// Identifier is the service identifier; "" when the service is not
	// hosted here and the call is passed through unchanged.
	Identifier string
	// Path is the escaped call path after "/s/": identifier and rest.
	Path     string
	RawQuery string
	// Header holds the end-to-end request headers, gateway headers set.
	// Credentials are removed unless the call is passed through.
	Header http.Header
	Body   []byte
	// Credential is the API key this platform presents to the peer; empty
	// when the consumer's own credential is passed through in Header.
	Credential    string
	CorrelationID string
	// Node is this gateway node, for the peer's log (forwarded_from).
	Node string
	// Base is the peer's parsed BaseURL (read-only).
	Base *url.URL
}

// Adapter speaks a peer platform's protocol. The "govdx" adapter is built
// in; the national orchestration platform (NDOP, Decree 278) gets its own
// adapter once its protocol is published, registered in Options.Adapters
// (Circular 13/2017 art. 17: the intermediary converts protocols and
// formats).
type Adapter interface {
	// NewRequest builds the HTTP request that carries c to peer p.
	NewRequest(ctx context.Context, p Peer, c *OutboundCall) (*http.Request, error)
	// Response converts the peer's answer to the form returned to the
	// consumer; the govdx adapter returns it unchanged.
	Response(p Peer, status int, h http.Header, body []byte) (int, []byte, error)
}

// govdxAdapter forwards with govdx's own call form: /s/{identifier}/{rest}
// with X-Api-Key, keeping X-Correlation-ID.
type govdxAdapter struct{}

func (govdxAdapter) NewRequest(ctx context.Context, p Peer, c *OutboundCall) (*http.Request, error) {
	if c.Credential != "" {
		c.Header[HeaderAPIKey] = []string{c.Credential}
		delete(c.Header, "Authorization")
	}
	c.Header[HeaderForwardedFrom] = []string{c.Node}
	return newOutRequest(ctx, c.Method, c.Base, strings.TrimSuffix(c.Base.Path, "/")+CallPrefix+c.Path, c.RawQuery, c.Header, c.Body)
}

func (govdxAdapter) Response(p Peer, status int, h http.Header, body []byte) (int, []byte, error) {
	return status, body, nil
}

// newOutRequest builds an upstream request without re-parsing the URL:
// path is already escaped and validated, so it is sent as is (Opaque).
func newOutRequest(ctx context.Context, method string, base *url.URL, path, rawQuery string, h http.Header, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, "", nil)
	if err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	req.URL.Scheme, req.URL.Host, req.URL.Opaque, req.URL.RawQuery = base.Scheme, base.Host, path, rawQuery
	req.Host = base.Host
	req.Header = h
	if len(body) > 0 {
		req.ContentLength = int64(len(body))
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return req, nil
}

// hopByHop are the headers of one connection, never forwarded (RFC 9110 7.6.1).
var hopByHop = map[string]bool{
	"Connection": true, "Proxy-Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true,
	"Proxy-Authorization": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
}

// outboundHeader copies the consumer's end-to-end headers for the upstream.
// Credentials are dropped unless passed through; forwarding and gateway
// headers are dropped so a consumer cannot forge them; Accept-Encoding is
// dropped when the response must be projected (it must arrive readable).
func outboundHeader(r *http.Request, passCredentials, projecting bool) http.Header {
	h := make(http.Header, len(r.Header)+6)
	for k, vv := range r.Header {
		switch {
		case hopByHop[k]:
		case k == "X-Api-Key" || k == "Authorization":
			if passCredentials {
				h[k] = vv
			}
		case k == "Cookie" || k == "Forwarded" || k == "X-Real-Ip" || k == "X-Correlation-Id" || strings.HasPrefix(k, "X-Forwarded-"):
		case strings.HasPrefix(k, "X-Govdx-"):
		case k == "Accept-Encoding" && projecting:
		default:
			h[k] = vv
		}
	}
	h["X-Forwarded-For"] = []string{clientIP(r)}
	if r.TLS != nil {
		h["X-Forwarded-Proto"] = []string{"https"}
	} else {
		h["X-Forwarded-Proto"] = []string{"http"}
	}
	return h
}

// forward sends an authorised call to the provider (or the peer hosting
// the service), then projects, stamps, logs and releases the response.
func (g *Gateway) forward(w http.ResponseWriter, r *http.Request, c *call, body []byte, rest string, proj ItemSet) {
	sv, a := c.svc, c.acct
	h := outboundHeader(r, false, proj != nil)
	h[HeaderCorrelationID] = []string{c.corr}
	h[HeaderService] = []string{sv.Identifier}
	if a.ID != 0 {
		h[HeaderConsumerOrg] = []string{strconv.FormatInt(a.ConsumerOrgID, 10)}
		h[HeaderAccount] = []string{strconv.FormatInt(a.ID, 10)}
		if a.ApplicationID != 0 {
			h[HeaderAppID] = []string{strconv.FormatInt(a.ApplicationID, 10)}
		}
	}
	timeout := g.opts.UpstreamTimeout
	if sv.Timeout > 0 {
		timeout = sv.Timeout
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	var req *http.Request
	var err error
	if p := sv.peer; p != nil {
		c.entry.ForwardedTo = p.Name
		req, err = p.adapter.NewRequest(ctx, p.Peer, &OutboundCall{Method: r.Method, Identifier: sv.Identifier,
			Path: sv.Identifier + rest, RawQuery: r.URL.RawQuery, Header: h, Body: body, Credential: p.Credential,
			CorrelationID: c.corr, Node: g.opts.Node, Base: p.base})
	} else {
		req, err = newOutRequest(ctx, r.Method, sv.base, sv.basePath+rest, r.URL.RawQuery, h, body)
	}
	if err != nil {
		g.refuse(w, r, c, refuse(CodeUpstreamError, "the call could not be prepared for the provider"))
		return
	}
	status, rh, rbody, ref := g.roundTrip(ctx, r, c, req, sv.peer)
	if ref != nil {
		g.refuse(w, r, c, ref)
		return
	}
	head := r.Method == http.MethodHead
	projected := false
	if proj != nil && status >= 200 && status < 300 && len(rbody) > 0 && !head {
		// D47-35.2d: only approved items leave the gateway; a response that
		// cannot be projected is withheld rather than released whole.
		if ce := rh.Get("Content-Encoding"); (ce != "" && ce != "identity") || !isJSON(rh.Get("Content-Type")) {
			g.refuse(w, r, c, refuse(CodeUpstreamError, "the provider's response could not be limited to the approved data items"))
			return
		}
		out, err := Project(c.projBuf[:0], rbody, proj)
		c.projBuf = out
		if err != nil {
			g.refuse(w, r, c, refuse(CodeUpstreamError, "the provider's response could not be limited to the approved data items"))
			return
		}
		rbody, projected = out, true
	}
	wh := w.Header()
	copyResponseHeader(wh, rh, projected, head)
	if status >= 200 && status < 300 {
		g.stampValidity(wh, rh, sv, g.opts.Now())
	}
	g.finish(w, r, c, status, rbody, head)
}

// forwardUnknown passes a call for a service not hosted here to the default
// peer (D47-46: LGSP to NDXP) with the consumer's own credential; the peer
// authorises it. It is logged here too, with the same correlation ID.
func (g *Gateway) forwardUnknown(w http.ResponseWriter, r *http.Request, c *call, p *peer, cp *CallPath) {
	c.entry.ForwardedTo = p.Name
	if ident, _, ok := cp.Split(1); ok {
		c.entry.ServiceCode = ident // best guess for the log: the peer resolves the identifier
	}
	body, ref := g.readBody(r, c)
	if ref != nil {
		g.refuse(w, r, c, ref)
		return
	}
	h := outboundHeader(r, true, false)
	h[HeaderCorrelationID] = []string{c.corr}
	ctx, cancel := context.WithTimeout(r.Context(), g.opts.UpstreamTimeout)
	defer cancel()
	req, err := p.adapter.NewRequest(ctx, p.Peer, &OutboundCall{Method: r.Method, Path: cp.Raw, RawQuery: r.URL.RawQuery,
		Header: h, Body: body, CorrelationID: c.corr, Node: g.opts.Node, Base: p.base})
	if err != nil {
		g.refuse(w, r, c, refuse(CodeUpstreamError, "the call could not be prepared for the upstream platform"))
		return
	}
	status, rh, rbody, ref := g.roundTrip(ctx, r, c, req, p)
	if ref != nil {
		g.refuse(w, r, c, ref)
		return
	}
	head := r.Method == http.MethodHead
	copyResponseHeader(w.Header(), rh, false, head)
	g.finish(w, r, c, status, rbody, head)
}

// roundTrip sends req and buffers the response body (bounded), mapping
// failures to refusals: 504 upstream_timeout when the call's timeout
// expired, 499 when the consumer left, else 502 upstream_error.
func (g *Gateway) roundTrip(ctx context.Context, r *http.Request, c *call, req *http.Request, p *peer) (int, http.Header, []byte, *refusal) {
	start := g.opts.Now()
	defer func() { c.upstreamDur = g.opts.Now().Sub(start) }()
	resp, err := g.client.RoundTrip(req)
	if err != nil {
		return 0, nil, nil, g.upstreamFailure(ctx, r, c, err)
	}
	defer resp.Body.Close()
	if resp.ContentLength > g.opts.MaxResponseBody {
		return 0, nil, nil, &refusal{code: CodeResponseTooLarge, detail: "the provider's response is larger than the gateway accepts"}
	}
	buf := c.respBuf[:0]
	if n := resp.ContentLength; n > 0 && int64(cap(buf)) < n+1 {
		buf = make([]byte, 0, n+1)
	}
	buf, over, err := readLimited(buf, resp.Body, g.opts.MaxResponseBody)
	c.respBuf = buf
	if over {
		return 0, nil, nil, &refusal{code: CodeResponseTooLarge, detail: "the provider's response is larger than the gateway accepts"}
	}
	if err != nil {
		return 0, nil, nil, g.upstreamFailure(ctx, r, c, err)
	}
	status, body := resp.StatusCode, buf
	if p != nil {
		if status, body, err = p.adapter.Response(p.Peer, status, resp.Header, body); err != nil {
			return 0, nil, nil, refuse(CodeUpstreamError, "the upstream platform's response could not be converted")
		}
	}
	return status, resp.Header, body, nil
}

func (g *Gateway) upstreamFailure(ctx context.Context, r *http.Request, c *call, err error) *refusal {
	switch {
	case r.Context().Err() != nil:
		return refuse(CodeClientClosed, "the consumer closed the connection before the answer")
	case deadlinePassed(ctx):
		return refuse(CodeUpstreamTimeout, "the provider did not answer within the time limit")
	}
	svc := ""
	if c.svc != nil {
		svc = c.svc.Identifier
	}
	g.logger.Warn("upstream call failed", "service", svc, "correlation_id", c.corr, "err", err)
	return refuse(CodeUpstreamError, "the provider could not be reached or its answer was unusable")
}

// deadlinePassed reports whether the call's time limit is reached. The
// connection deadline and the context's timer fire independently, so the
// clock is checked too, not only ctx.Err().
func deadlinePassed(ctx context.Context) bool {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// copyResponseHeader copies the upstream's end-to-end headers. Validators
// and digests of the original body are dropped when it was projected.
func copyResponseHeader(dst, src http.Header, projected, head bool) {
	var conn []string
	if v := src["Connection"]; len(v) > 0 {
		for _, s := range v {
			for tok := range strings.SplitSeq(s, ",") {
				if tok = strings.TrimSpace(tok); tok != "" {
					conn = append(conn, textproto.CanonicalMIMEHeaderKey(tok))
				}
			}
		}
	}
	for k, vv := range src {
		switch {
		case hopByHop[k]:
		case k == "Content-Length":
			if head {
				dst[k] = vv
			}
		case projected && (k == "Etag" || k == "Content-Md5" || k == "Digest" || k == "Repr-Digest" || k == "Content-Digest" || k == "Last-Modified"):
		case len(conn) > 0 && containsString(conn, k):
		default:
			dst[k] = vv
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// stampValidity sets X-Data-Valid-Until (RFC 3339) and X-Data-Validity
// (D47-41): online data is valid at retrieval plus any stated period;
// synchronised data for the period from the last synchronisation, which
// the provider may state in X-Data-Synced-At; packages for the window from
// retrieval. An earlier limit already set by the provider or peer wins.
func (g *Gateway) stampValidity(dst, src http.Header, sv *service, now time.Time) {
	method := sv.ValidityMethod
	if method == "" {
		method = ValidityOnline
	}
	base := now
	if method == ValiditySync {
		if v := src.Get(HeaderSyncedAt); v != "" {
			if t, err := time.Parse(time.RFC3339, v); err == nil && t.Before(now) {
				base = t
			}
		}
	}
	until := base.Add(sv.ValidFor)
	if v := src.Get(HeaderValidUntil); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil && t.Before(until) {
			until = t
		}
	}
	dst[HeaderValidUntil] = []string{until.UTC().Format(time.RFC3339)}
	dst[HeaderValidity] = []string{method}
}

// crockford is the alphabet of correlation IDs (ULID layout: 48-bit
// millisecond time then 80 random bits, 26 characters, sortable by time).
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func newCorrelationID(now time.Time) string {
	var b [16]byte
	ms := uint64(now.UnixMilli())
	binary.BigEndian.PutUint16(b[0:], uint16(ms>>32))
	binary.BigEndian.PutUint32(b[2:], uint32(ms))
	binary.BigEndian.PutUint64(b[6:], rand.Uint64())
	binary.BigEndian.PutUint16(b[14:], uint16(rand.Uint32()))
	var out [26]byte
	// 128 bits as 26 base-32 digits, most significant first (2 pad bits).
	hi := binary.BigEndian.Uint64(b[0:])
	lo := binary.BigEndian.Uint64(b[8:])
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}
