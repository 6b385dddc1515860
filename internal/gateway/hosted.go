package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/govdx/govdx/internal/sharelog"
)

// Hosted serves calls to services whose data the platform itself holds:
// change feeds of synchronised sharing (D47-23.1b) and data packages
// (D47-23.1c). The gateway has already authenticated the call, checked the
// account, suspensions and limits and decided the data items it may carry;
// the handler answers it, and the gateway logs the answer durably before
// releasing it (D47-45), exactly as for a call forwarded to a provider.
type Hosted interface {
	ServeHosted(ctx context.Context, c *HostedCall) (*HostedResponse, error)
}

// HostedSource is a Source that also supplies the Hosted handler, so a
// gateway built from it (`govdx gateway`) serves hosted services without
// further wiring. Options.Hosted, when set, wins.
type HostedSource interface {
	Source
	HostedHandler() Hosted
}

// HostedCall is an authorised call to a hosted service.
type HostedCall struct {
	// Service is the snapshot's service (read-only): identifier, method and
	// the validity period of its usage regulation (ValidFor, D47-41).
	Service *Service
	Method  string
	// Rest is the escaped path after the identifier: "" or "/...".
	Rest   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// AccountID is 0 for anonymous calls to open services.
	AccountID     int64
	ConsumerOrgID int64
	ApplicationID int64
	// Items are the data items the answer may carry (D47-35.2d): the
	// account's approved items, narrowed by ?fields=; nil means every item.
	Items         ItemSet
	CorrelationID string
	// Now is the gateway's clock at the start of the call.
	Now time.Time
}

// HostedResponse is a hosted handler's answer.
type HostedResponse struct {
	Status int
	Header http.Header
	// Body is a buffered answer.
	Body []byte
	// Content, when not nil, is streamed instead of Body once the log entry
	// is durable: a package file too large to buffer. Size and Digest
	// describe it in advance (packages are immutable and checksummed), and
	// are what the sharing log records as released (D47-8.4). The gateway
	// closes it.
	Content io.ReadCloser
	Size    int64
	Digest  [32]byte
	// Released, when set, runs after the log entry is durable and before
	// the answer is written, e.g. to record the consumer's last successful
	// synchronisation only for data actually released.
	Released func(ctx context.Context)
}

// Refusal is a refusal a Hosted handler returns as its error: the gateway
// answers it as problem+json with the status of Code (one of the Code...
// constants) and logs it like its own refusals.
type Refusal struct {
	Code   string
	Detail string
	Field  string
	Extra  map[string]any
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Detail }

// serveHosted hands an authorised call to the Hosted handler, then logs and
// releases its answer.
func (g *Gateway) serveHosted(w http.ResponseWriter, r *http.Request, c *call, body []byte, rest string, proj ItemSet) {
	sv, a := c.svc, c.acct
	switch sv.ValidityMethod {
	case ValiditySync:
		c.entry.Form = sharelog.FormSync
	case ValidityPackage:
		c.entry.Form = sharelog.FormPackage
	}
	timeout := g.opts.UpstreamTimeout
	if sv.Timeout > 0 {
		timeout = sv.Timeout
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	hc := &HostedCall{Service: &sv.Service, Method: r.Method, Rest: rest, Query: r.URL.Query(), Header: r.Header, Body: body,
		AccountID: a.ID, ConsumerOrgID: a.ConsumerOrgID, ApplicationID: a.ApplicationID, Items: proj,
		CorrelationID: c.corr, Now: c.start}
	start := g.opts.Now()
	resp, err := g.opts.Hosted.ServeHosted(ctx, hc)
	c.upstreamDur = g.opts.Now().Sub(start)
	if err != nil {
		if resp != nil && resp.Content != nil {
			resp.Content.Close()
		}
		var hr *Refusal
		switch {
		case errors.As(err, &hr):
			g.refuse(w, r, c, &refusal{code: hr.Code, detail: hr.Detail, field: hr.Field, extra: hr.Extra})
		case r.Context().Err() != nil:
			g.refuse(w, r, c, refuse(CodeClientClosed, "the consumer closed the connection before the answer"))
		case deadlinePassed(ctx):
			g.refuse(w, r, c, refuse(CodeUpstreamTimeout, "the platform did not prepare the data within the time limit"))
		default:
			g.logger.Error("hosted service failed", "service", sv.Identifier, "correlation_id", c.corr, "err", err)
			g.refuse(w, r, c, refuse(CodeUpstreamError, "the platform could not serve the hosted data"))
		}
		return
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	head := r.Method == http.MethodHead
	wh := w.Header()
	for k, vv := range resp.Header {
		wh[k] = vv
	}
	if status >= 200 && status < 300 {
		// The handler states the validity it knows (the consumer's last
		// successful synchronisation, the package's window); otherwise the
		// service's rule applies (D47-41).
		if wh.Get(HeaderValidUntil) == "" {
			g.stampValidity(wh, resp.Header, sv, g.opts.Now())
		} else if wh.Get(HeaderValidity) == "" {
			method := sv.ValidityMethod
			if method == "" {
				method = ValidityOnline
			}
			wh[HeaderValidity] = []string{method}
		}
	}
	if resp.Content == nil {
		// A buffered answer takes the same path, so Released runs only
		// after its entry is durable.
		b := resp.Body
		resp.Content, resp.Size, resp.Digest = io.NopCloser(bytes.NewReader(b)), int64(len(b)), sha256.Sum256(b)
		if c.entry.KeepContent {
			c.entry.ResponseBody = append([]byte(nil), b...)
		}
	} else {
		// A streamed file is identified by its digest, not copied into the log.
		c.entry.KeepContent, c.entry.RequestBody = false, nil
	}
	defer resp.Content.Close()
	g.finishStream(w, r, c, status, resp, head)
}

// finishStream is finish for a streamed answer whose size and digest are
// known in advance: the entry is made durable first, then the content is
// copied to the consumer (D47-45: nothing leaves without its entry).
func (g *Gateway) finishStream(w http.ResponseWriter, r *http.Request, c *call, status int, resp *HostedResponse, head bool) {
	e := &c.entry
	now := g.opts.Now()
	e.Status = status
	e.RespondedAt = now
	e.LatencyMicros = now.Sub(c.start).Microseconds()
	if head {
		e.ResponseBytes, e.ResponseDigest, e.ResponseBody = 0, sha256.Sum256(nil), nil
	} else {
		e.ResponseBytes, e.ResponseDigest = resp.Size, resp.Digest
	}
	_, err := g.log.Append(g.logContext(time.Now()), *e)
	g.m.logAppend.Observe(g.opts.Now().Sub(now).Seconds())
	if err != nil {
		g.logger.Error("sharing log append failed; response withheld", "err", err, "correlation_id", c.corr)
		g.observe(c, http.StatusServiceUnavailable, CodeLogUnavailable)
		g.writeLogUnavailable(w, c)
		return
	}
	g.observe(c, status, "")
	if resp.Released != nil {
		resp.Released(context.WithoutCancel(r.Context()))
	}
	h := w.Header()
	h["X-Correlation-Id"] = []string{c.corr}
	h["Content-Length"] = []string{strconv.FormatInt(resp.Size, 10)}
	w.WriteHeader(status)
	if head {
		return
	}
	if _, err := io.Copy(w, io.LimitReader(resp.Content, resp.Size)); err != nil && r.Context().Err() == nil {
		g.logger.Warn("hosted content not fully sent", "correlation_id", c.corr, "err", err)
	}
}
