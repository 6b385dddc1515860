package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxJSONBody bounds a JSON request body (1 MiB).
const MaxJSONBody = 1 << 20

// DecodeJSON reads a JSON body strictly: unknown fields, trailing data and
// oversized bodies are errors naming the problem, so bad input changes nothing.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return Errorf(EInvalid, "unsupported_media_type", "the body must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return Errorf(EInvalid, "malformed_json", "the body must hold a single JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return Errorf(EInvalid, "malformed_json", "the body must hold a single JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &syn):
		return Errorf(EInvalid, "malformed_json", "malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return FieldError(typ.Field, "invalid_type", "%s must be of type %s", typ.Field, typ.Type)
	case errors.As(err, &tooBig):
		return Errorf(ETooLarge, "body_too_large", "the body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return Errorf(EInvalid, "empty_body", "the body is empty")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return FieldError(f, "unknown_field", "unknown field %q", f)
	}
	return Errorf(EInvalid, "malformed_json", "malformed JSON: %v", err)
}

// PathID reads the positive integer id in the path wildcard name; any
// other value is the 404 of kind, as no such record can exist.
func PathID(r *http.Request, name, kind string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, NotFound(kind)
	}
	return id, nil
}

// WriteJSON writes v with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// Problem is an RFC 9457 problem details object with govdx's extensions.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
	Field  string `json:"field,omitempty"`
	// Errors lists every field in error when there are several.
	Errors    []FieldIssue   `json:"errors,omitempty"`
	Instance  string         `json:"instance,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	Extra     map[string]any `json:"-"`
}

// MarshalJSON inlines the extension members.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal(plain(p))
	if err != nil || len(p.Extra) == 0 {
		return b, err
	}
	ext, err := json.Marshal(p.Extra)
	if err != nil {
		return nil, err
	}
	return append(append(b[:len(b)-1], ','), ext[1:]...), nil
}

// ProblemOf turns an error into a problem object. Internal errors get a
// generic message; their detail goes to the log with the request ID.
func ProblemOf(r *http.Request, err error) Problem {
	e := AsError(err)
	status := StatusOf(e.Class)
	p := Problem{
		Type:      "https://govdx.example/problems/" + e.Code,
		Title:     http.StatusText(status),
		Status:    status,
		Code:      e.Code,
		Detail:    e.Message,
		Field:     e.Field,
		Errors:    e.Fields,
		RequestID: RequestID(r.Context()),
		Extra:     e.Extra,
	}
	if _, ok := e.Extra["errors"]; ok {
		// Line-by-line reports of imports already use "errors" (documented
		// per endpoint): one member must not appear twice.
		p.Errors = nil
	}
	if r != nil {
		p.Instance = r.URL.Path
	}
	return p
}

// WriteProblem writes err as application/problem+json and logs server errors.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := ProblemOf(r, err)
	if p.Status >= 500 {
		Logger(r.Context()).Error("request failed", "err", err, "path", r.URL.Path)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	loggerKey
)

// RequestID returns the request's ID ("" outside a request).
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// Logger returns the request-scoped logger (carrying the request ID).
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// WithLogger stores a logger in ctx.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey, l)
}

// statusRecorder remembers the status for access logs and metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// AccessLog gives each request an ID (honouring a sane X-Request-ID), a
// request-scoped logger, and one structured log line when it ends.
func AccessLog(log *slog.Logger, observe func(r *http.Request, status int, d time.Duration), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 64 || strings.ContainsAny(id, " \t\r\n") {
			id = RandomToken(10)
		}
		w.Header().Set("X-Request-ID", id)
		l := log.With("request_id", id)
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		ctx = WithLogger(ctx, l)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				l.Error("panic", "panic", fmt.Sprint(v), "path", r.URL.Path)
				if rec.status == 0 {
					WriteProblem(rec, r.WithContext(ctx), errors.New("panic"))
				}
			}
			d := time.Since(start)
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			if observe != nil {
				observe(r, rec.status, d)
			}
			l.Info("http", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"bytes", rec.bytes, "ms", float64(d.Microseconds())/1000)
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}
