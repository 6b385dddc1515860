package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/sharelog"
)

// Call headers.
const (
	HeaderAPIKey        = "X-Api-Key"
	HeaderCorrelationID = "X-Correlation-Id"
	HeaderApplication   = "X-Application"
	HeaderValidUntil    = "X-Data-Valid-Until"
	HeaderValidity      = "X-Data-Validity"
	HeaderSyncedAt      = "X-Data-Synced-At"
	HeaderForwardedFrom = "X-Govdx-Forwarded-From"
	// Headers the gateway sets towards the provider; consumers cannot set them.
	HeaderConsumerOrg = "X-Govdx-Consumer-Org"
	HeaderAppID       = "X-Govdx-Application"
	HeaderAccount     = "X-Govdx-Account"
	HeaderService     = "X-Govdx-Service"
)

// maxLoggedQuery bounds the query string copied into the sharing log.
const maxLoggedQuery = 2048

// call is the per-call scratch state, pooled.
type call struct {
	start time.Time
	entry sharelog.Entry
	svc   *service
	acct  *account
	corr  string
	// upstreamDur is the time spent with the provider or peer.
	upstreamDur time.Duration
	reqBuf      []byte
	respBuf     []byte
	projBuf     []byte
}

var callPool = sync.Pool{New: func() any { return new(call) }}

// maxPooledBuf keeps large one-off bodies from staying in the pool.
const maxPooledBuf = 1 << 20

func (c *call) release() {
	c.entry = sharelog.Entry{}
	c.svc, c.acct, c.corr, c.upstreamDur = nil, nil, "", 0
	c.reqBuf = keepBuf(c.reqBuf)
	c.respBuf = keepBuf(c.respBuf)
	c.projBuf = keepBuf(c.projBuf)
	callPool.Put(c)
}

func keepBuf(b []byte) []byte {
	if cap(b) > maxPooledBuf {
		return nil
	}
	return b[:0]
}

func (g *Gateway) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		writeStatus(w, http.StatusOK, "ok")
		return
	case "/readyz":
		if g.snap.Load() == nil || g.draining.Load() {
			writeStatus(w, http.StatusServiceUnavailable, "not ready")
			return
		}
		writeStatus(w, http.StatusOK, "ready")
		return
	}
	g.m.inFlight.Inc()
	defer g.m.inFlight.Dec()
	c := callPool.Get().(*call)
	defer c.release()
	c.start = g.opts.Now()
	g.serveCall(w, r, c)
}

func writeStatus(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

// serveCall runs the checks of a call in order, then forwards it. Every
// outcome ends in finish or refuse, which log it before answering.
func (g *Gateway) serveCall(w http.ResponseWriter, r *http.Request, c *call) {
	c.corr = correlationID(r.Header.Get(HeaderCorrelationID), c.start)
	path, query := splitRequestURI(r.RequestURI)
	e := &c.entry
	e.RequestedAt = c.start
	e.Form = sharelog.FormOnline
	e.Method = r.Method
	e.Path = path
	if len(e.Path) > MaxPathBytes {
		e.Path = e.Path[:MaxPathBytes]
	}
	e.Query = query
	if len(e.Query) > maxLoggedQuery {
		e.Query = e.Query[:maxLoggedQuery]
	}
	e.CorrelationID = c.corr
	if noBody(r) {
		// Known before any check: a refused call without a body logs the
		// empty body's digest too. A body a refusal left unread keeps the
		// zero digest ("not read").
		e.RequestDigest = emptyDigest
	}
	if ff := r.Header.Get(HeaderForwardedFrom); ff != "" && len(ff) <= 200 {
		e.ForwardedFrom = ff // informative: the node that forwarded the call to us
	}

	snap := g.snap.Load()
	if snap == nil {
		g.refuse(w, r, c, refuse(CodeNotReady, "the gateway has not loaded its configuration yet"))
		return
	}
	if headerBytes(r) > g.opts.MaxHeaderBytes {
		g.refuse(w, r, c, &refusal{code: CodeHeaderTooLarge, detail: "the request header is larger than " + strconv.Itoa(g.opts.MaxHeaderBytes) + " bytes"})
		return
	}
	if ref := checkRequest(r); ref != nil {
		g.refuse(w, r, c, ref)
		return
	}
	cp, err := ParsePath(path)
	if err != nil {
		if errors.Is(err, errNotCall) {
			g.refuse(w, r, c, refuse(CodeUnknownService, "calls have the form /s/{service-identifier}/{path}"))
			return
		}
		g.refuse(w, r, c, refuse(CodeBadRequest, "refused request path: "+err.Error()))
		return
	}
	if r.ContentLength > g.opts.MaxRequestBody {
		g.refuse(w, r, c, tooLarge(g.opts.MaxRequestBody))
		return
	}
	sv, rest := snap.lookup(&cp)
	if sv == nil {
		if snap.fallback != nil {
			g.forwardUnknown(w, r, c, snap.fallback, &cp)
			return
		}
		g.refuse(w, r, c, refuse(CodeUnknownService, "no published service has this identifier"))
		return
	}
	c.svc = sv
	e.ServiceID, e.ServiceCode, e.ProviderOrgID = sv.ID, sv.Identifier, sv.ProviderOrgID

	a, ref := authenticate(r, snap, sv)
	if a != nil {
		c.acct = a
		e.AccountID, e.RequesterOrgID, e.RequesterAppID, e.RequesterApp = a.ID, a.ConsumerOrgID, a.ApplicationID, a.Application
	}
	if e.RequesterApp == "" {
		// Informative only: accounts already bind the application (D47-40).
		if app := r.Header.Get(HeaderApplication); app != "" && len(app) <= 200 {
			e.RequesterApp = app
		}
	}
	if ref != nil {
		g.refuse(w, r, c, ref)
		return
	}
	if ref := checkAccount(a, sv, c.start); ref != nil {
		g.refuse(w, r, c, ref)
		return
	}
	proj, ref := projection(a, r.URL.RawQuery)
	if ref != nil {
		g.refuse(w, r, c, ref)
		return
	}
	body, ref := g.readBody(r, c)
	if ref != nil {
		g.refuse(w, r, c, ref)
		return
	}
	if sv.Hosted {
		g.serveHosted(w, r, c, body, rest, proj)
		return
	}
	g.forward(w, r, c, body, rest, proj)
}

// checkRequest refuses request forms a proxy must not pass on.
func checkRequest(r *http.Request) *refusal {
	// Absolute URLs ("GET http://host/..."), CONNECT's authority form and
	// OPTIONS * could make an intermediary address another host.
	if !strings.HasPrefix(r.RequestURI, "/") {
		return refuse(CodeBadRequest, "the request target must be an absolute path")
	}
	if !methodAllowed(r.Method) {
		return &refusal{code: CodeMethodNotAllowed, detail: "method " + r.Method + " is not allowed"}
	}
	// Upgrades (WebSocket, h2c) would turn the call into a tunnel that is
	// neither authorised per request nor logged.
	if _, ok := r.Header["Upgrade"]; ok {
		return refuse(CodeBadRequest, "protocol upgrades are not supported")
	}
	// A Connection header naming other headers asks intermediaries to drop
	// them (hop-by-hop smuggling, e.g. of credentials or forwarding
	// headers): only the standard options are accepted.
	for _, v := range r.Header["Connection"] {
		for tok := range strings.SplitSeq(v, ",") {
			switch strings.ToLower(strings.TrimSpace(tok)) {
			case "keep-alive", "close", "te", "":
			default:
				return refuse(CodeBadRequest, "the Connection header may only hold keep-alive or close")
			}
		}
	}
	return nil
}

// headerBytes approximates the size of the request line and header as
// received (line and fields; the HTTP server has refused anything above four times the limit).
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + 12
	for k, vv := range r.Header {
		for _, v := range vv {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// splitRequestURI splits the raw request target into escaped path and query.
func splitRequestURI(u string) (path, query string) {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i], u[i+1:]
	}
	return u, ""
}

// authenticate finds the connection account of the call (D47-40). It returns
// the account found even with a refusal, so the log names who was refused.
func authenticate(r *http.Request, snap *snapshot, sv *service) (*account, *refusal) {
	key, present, ok := apiKey(r.Header)
	if !ok {
		return nil, invalidCredential("malformed credential: send the key in X-Api-Key or Authorization: ApiKey <key>")
	}
	var fp [32]byte
	hasCert := r.TLS != nil && len(r.TLS.PeerCertificates) > 0
	if hasCert {
		fp = sha256.Sum256(r.TLS.PeerCertificates[0].Raw)
	}
	var cands []*account
	switch {
	case present:
		cands = snap.byKey[sha256.Sum256([]byte(key))]
		if len(cands) == 0 {
			return nil, invalidCredential("unknown API key")
		}
	case hasCert:
		cands = snap.byCert[fp]
		if len(cands) == 0 {
			if sv.Open {
				return sv.anonymous, nil
			}
			return nil, invalidCredential("unknown client certificate")
		}
	default:
		if sv.Open {
			// D47-40.1, D47-21.1b: the usage regulation allows calls without
			// authentication; they are still logged.
			return sv.anonymous, nil
		}
		return nil, invalidCredential("this service needs a connection account credential")
	}
	var a *account
	for _, x := range cands {
		if x.svc == sv && (a == nil || a.Status != AccountActive) {
			a = x
		}
	}
	if a == nil {
		return nil, &refusal{code: CodeNoAccount, detail: "this credential has no connection account for service " + sv.Identifier}
	}
	// An account bound to a certificate needs it, and one with both a key
	// and a certificate needs both.
	if a.hasCert && (!hasCert || fp != a.certFP) {
		return a, invalidCredential("this account requires its mTLS client certificate")
	}
	if a.hasKey && !present {
		return a, invalidCredential("this account requires its API key")
	}
	return a, nil
}

func invalidCredential(detail string) *refusal {
	return &refusal{code: CodeInvalidCredential, detail: detail}
}

// apiKey returns the presented API key. ok is false for malformed
// credentials: repeated or conflicting headers, other Authorization
// schemes, empty or non-printable keys.
func apiKey(h http.Header) (key string, present, ok bool) {
	xs := h[HeaderAPIKey]
	as := h["Authorization"]
	if len(xs) > 1 || len(as) > 1 {
		return "", true, false
	}
	if len(as) == 1 {
		scheme, k, found := strings.Cut(as[0], " ")
		if !found || !strings.EqualFold(scheme, "ApiKey") {
			return "", true, false
		}
		key = strings.TrimSpace(k)
		if len(xs) == 1 && xs[0] != key {
			return "", true, false
		}
	} else if len(xs) == 1 {
		key = xs[0]
	} else {
		return "", false, true
	}
	if len(key) == 0 || len(key) > 256 {
		return "", true, false
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= 0x20 || key[i] >= 0x7f {
			return "", true, false
		}
	}
	return key, true, true
}

// checkAccount applies the account's status, validity window, suspensions
// and frequency limits, in that order.
func checkAccount(a *account, sv *service, now time.Time) *refusal {
	switch a.Status {
	case AccountActive:
	case AccountTerminated:
		// D47-44: terminated accounts stop working at once.
		ref := &refusal{code: CodeTerminated, detail: "the connection was terminated"}
		if a.Reason != "" {
			ref.extra = map[string]any{"reason": a.Reason}
		}
		return ref
	default:
		return invalidCredential("the credential was revoked")
	}
	// D47-40: the account is bound to a validity period.
	if !a.ValidFrom.IsZero() && now.Before(a.ValidFrom) {
		return &refusal{code: CodeAccountNotYetValid, detail: "the connection account is not valid yet",
			extra: map[string]any{"valid_from": a.ValidFrom.UTC().Format(time.RFC3339)}}
	}
	if !a.ValidTo.IsZero() && !now.Before(a.ValidTo) {
		return &refusal{code: CodeAccountExpired, detail: "the connection account has expired",
			extra: map[string]any{"valid_to": a.ValidTo.UTC().Format(time.RFC3339)}}
	}
	// D47-43: suspended for everyone (1a, 1b) or for this consumer (2a, 2b),
	// with the announced restoration time.
	if s := sv.activeSuspension(a.ConsumerOrgID, now); s != nil {
		ref := &refusal{code: CodeSuspended, detail: "the service is suspended", extra: map[string]any{
			"reason": s.Reason, "suspension_kind": s.Kind, "since": s.Start.UTC().Format(time.RFC3339), "restore_at": nil}}
		if s.ConsumerOrgID != 0 {
			ref.detail = "the service is suspended for your organisation"
		}
		if !s.RestoreAt.IsZero() {
			ref.extra["restore_at"] = s.RestoreAt.UTC().Format(time.RFC3339)
			if d := s.RestoreAt.Sub(now); d > 0 {
				ref.retryAfter = int(math.Ceil(d.Seconds()))
			}
		}
		return ref
	}
	// D47-35.2e: the frequency limit agreed for the connection.
	if a.lim != nil {
		if ok, wait := a.lim.allowMinute(now, a.RatePerMinute); !ok {
			return rateLimited("per_minute", a.RatePerMinute, wait)
		}
		if ok, wait := a.lim.allowDay(now, a.RatePerDay); !ok {
			return rateLimited("per_day", a.RatePerDay, wait)
		}
	}
	return nil
}

func rateLimited(window string, limit int, wait time.Duration) *refusal {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	return &refusal{code: CodeRateLimited, detail: "the frequency limit of the connection account is reached",
		retryAfter: secs, extra: map[string]any{"limit": limit, "window": window, "retry_after_seconds": secs}}
}

// projection decides which data items the response may carry (D47-35.2d):
// nil for the whole response. A ?fields=a,b query narrows it further; asking
// for an item that is not approved is refused.
func projection(a *account, rawQuery string) (ItemSet, *refusal) {
	if !strings.Contains(rawQuery, "fields=") {
		if a.restricted {
			return a.items, nil
		}
		return nil, nil
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil || len(q["fields"]) == 0 {
		if a.restricted {
			return a.items, nil
		}
		return nil, nil
	}
	known := a.items
	if !a.restricted && a.svc.items == nil {
		known = nil // the service declares no items: any name may be asked for
	}
	want := make(ItemSet)
	var refused []string
	for _, v := range q["fields"] {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			if _, ok := known[f]; known != nil && !ok {
				refused = append(refused, f)
				continue
			}
			want[f] = struct{}{}
		}
	}
	if len(refused) > 0 {
		return nil, &refusal{code: CodeItemNotApproved, field: "fields",
			detail: "data items not approved for this connection account were requested", extra: map[string]any{"items": refused}}
	}
	if len(want) == 0 {
		return projectionDefault(a), nil
	}
	return want, nil
}

func projectionDefault(a *account) ItemSet {
	if a.restricted {
		return a.items
	}
	return nil
}

func tooLarge(limit int64) *refusal {
	return &refusal{code: CodeBodyTooLarge, detail: "the request body is larger than " + strconv.FormatInt(limit, 10) + " bytes",
		extra: map[string]any{"limit": limit}}
}

// readBody buffers the request body (bounded) and records its digest.
func (g *Gateway) readBody(r *http.Request, c *call) ([]byte, *refusal) {
	e := &c.entry
	if noBody(r) {
		return nil, nil // the digest of the empty body is set already
	}
	buf := c.reqBuf[:0]
	if r.ContentLength > 0 && int64(cap(buf)) < r.ContentLength {
		buf = make([]byte, 0, r.ContentLength+1)
	}
	buf, over, err := readLimited(buf, r.Body, g.opts.MaxRequestBody)
	c.reqBuf = buf
	if over {
		return nil, tooLarge(g.opts.MaxRequestBody)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(g.opts.MaxRequestBody)
		}
		return nil, refuse(CodeBadRequest, "the request body could not be read")
	}
	e.RequestDigest = sha256.Sum256(buf)
	e.RequestBytes = int64(len(buf))
	if c.svc != nil && c.svc.LogContent {
		e.KeepContent = true
		e.RequestBody = append([]byte(nil), buf...) // the pooled buffer is reused after the call
	}
	return buf, nil
}

var emptyDigest = sha256.Sum256(nil)

func noBody(r *http.Request) bool {
	return r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0
}

// readLimited appends r's content to dst; over reports more than limit bytes.
func readLimited(dst []byte, r io.Reader, limit int64) ([]byte, bool, error) {
	if cap(dst) == 0 {
		dst = make([]byte, 0, 4096)
	}
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if int64(len(dst)) > limit {
			return dst, true, nil
		}
		if err == io.EOF {
			return dst, false, nil
		}
		if err != nil {
			return dst, false, err
		}
	}
}

// correlationID keeps a well-formed incoming X-Correlation-ID, so a call
// forwarded between platforms (D47-46) or traced by the consumer carries
// one ID end to end, and otherwise makes a new time-ordered one.
func correlationID(in string, now time.Time) string {
	if n := len(in); n >= 8 && n <= 64 {
		ok := true
		for i := 0; i < n && ok; i++ {
			ch := in[i]
			ok = ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_' || ch == '.' || ch == ':'
		}
		if ok {
			return in
		}
	}
	return newCorrelationID(now)
}

// refuse answers a refused call with problem+json after logging it.
func (g *Gateway) refuse(w http.ResponseWriter, r *http.Request, c *call, ref *refusal) {
	status := StatusOf(ref.code)
	p := platform.Problem{
		Type:      "https://govdx.example/problems/" + ref.code,
		Title:     http.StatusText(status),
		Status:    status,
		Code:      ref.code,
		Detail:    ref.detail,
		Field:     ref.field,
		Instance:  c.entry.Path,
		RequestID: c.corr,
		Extra:     ref.extra,
	}
	if status == StatusClientClosed {
		p.Title = "Client Closed Request"
	}
	body, err := json.Marshal(p)
	if err != nil {
		body = []byte(`{"code":"` + ref.code + `"}`)
	}
	body = append(body, '\n')
	h := w.Header()
	clear(h)
	h["Content-Type"] = []string{"application/problem+json"}
	h["Cache-Control"] = []string{"no-store"}
	switch status {
	case http.StatusUnauthorized:
		h["Www-Authenticate"] = []string{`ApiKey realm="govdx"`}
	case http.StatusMethodNotAllowed:
		h["Allow"] = []string{strings.Join(allowedMethods, ", ")}
	case http.StatusRequestedRangeNotSatisfiable:
		if size, ok := ref.extra["size"].(int64); ok {
			h["Content-Range"] = []string{"bytes */" + strconv.FormatInt(size, 10)}
		}
	}
	if ref.retryAfter > 0 {
		h["Retry-After"] = []string{strconv.Itoa(ref.retryAfter)}
	}
	c.entry.RefusalCode = ref.code
	if ref.code == CodeBodyTooLarge || ref.code == CodeBadRequest {
		// The body may not have been read: close rather than drain it.
		h["Connection"] = []string{"close"}
	}
	g.finish(w, r, c, status, body, false)
}

// finish completes the log entry, waits until it is durable, then releases
// the response (D47-45: no response without its entry). If the log cannot
// record it, nothing of the response is released.
func (g *Gateway) finish(w http.ResponseWriter, r *http.Request, c *call, status int, body []byte, head bool) {
	e := &c.entry
	now := g.opts.Now()
	e.Status = status
	e.RespondedAt = now
	e.LatencyMicros = now.Sub(c.start).Microseconds()
	e.ResponseBytes = int64(len(body))
	e.ResponseDigest = sha256.Sum256(body) // D47-8.4: proof of what was released
	if e.KeepContent {
		e.ResponseBody = append([]byte(nil), body...)
	}
	_, err := g.log.Append(g.logContext(time.Now()), *e) // real time: it is about timers, not the call's clock
	g.m.logAppend.Observe(g.opts.Now().Sub(now).Seconds())
	if err != nil {
		g.logger.Error("sharing log append failed; response withheld", "err", err, "correlation_id", c.corr)
		g.observe(c, http.StatusServiceUnavailable, CodeLogUnavailable)
		g.writeLogUnavailable(w, c)
		return
	}
	g.observe(c, status, e.RefusalCode)
	if status == StatusClientClosed {
		return // nobody to answer
	}
	h := w.Header()
	h["X-Correlation-Id"] = []string{c.corr}
	if !head {
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	w.WriteHeader(status)
	if !head && len(body) > 0 {
		_, _ = w.Write(body)
	}
}

// logContext bounds the wait for the sharing log. It is detached from the
// consumer's connection (a call that reached the provider is recorded even
// if the consumer left) and shared by the calls of the same second, so the
// hot path does not create a timer per call: the bound is LogTimeout to
// LogTimeout+1s.
func (g *Gateway) logContext(now time.Time) context.Context {
	if lc := g.logCtx.Load(); lc != nil && now.Before(lc.renew) {
		return lc.ctx
	}
	// The context's own timer releases it at its deadline; cancel is kept
	// only to document that nothing else has to.
	ctx, cancel := context.WithTimeout(context.Background(), g.opts.LogTimeout+time.Second)
	lc := &logCtx{ctx: ctx, renew: now.Add(time.Second), cancel: cancel}
	g.logCtx.Store(lc)
	return lc.ctx
}

type logCtx struct {
	ctx    context.Context
	renew  time.Time
	cancel context.CancelFunc
}

func (g *Gateway) writeLogUnavailable(w http.ResponseWriter, c *call) {
	h := w.Header()
	clear(h)
	p := platform.Problem{Type: "https://govdx.example/problems/" + CodeLogUnavailable, Title: http.StatusText(http.StatusServiceUnavailable),
		Status: http.StatusServiceUnavailable, Code: CodeLogUnavailable, RequestID: c.corr,
		Detail: "the sharing log could not record the call, so no data is released; retry later"}
	body, _ := json.Marshal(p)
	h["Content-Type"] = []string{"application/problem+json"}
	h["X-Correlation-Id"] = []string{c.corr}
	h["Retry-After"] = []string{"1"}
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write(body)
}

// observe records the call's metrics.
func (g *Gateway) observe(c *call, status int, code string) {
	svcLabel, consumer := "unknown", "anonymous"
	if c.svc != nil {
		svcLabel = c.svc.Identifier
		sm := g.m.forService(c.svc)
		sm.duration.Observe(g.opts.Now().Sub(c.start).Seconds())
		if c.upstreamDur > 0 {
			sm.upstream.Observe(c.upstreamDur.Seconds())
		}
	}
	if c.acct != nil && c.acct.svc != nil {
		consumer = c.acct.consumer
		g.m.forAccount(c.acct).calls.Inc()
	} else {
		g.m.calls.WithLabelValues(svcLabel, consumer).Inc()
	}
	if code == "" {
		switch {
		case status >= 500:
			code = "upstream_5xx"
		case status >= 400:
			code = "upstream_4xx"
		default:
			return
		}
	}
	g.m.errors.WithLabelValues(svcLabel, consumer, code).Inc()
}

// clientIP is the peer address of the connection.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// isJSON reports whether a Content-Type is JSON (application/json or +json).
func isJSON(ct string) bool {
	if ct == "" {
		return false
	}
	if strings.HasPrefix(ct, "application/json") {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
