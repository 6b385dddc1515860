// Package sharelog is the sharing log of D47-45: one entry per gateway call
// (served or refused), appended durably before the response is released,
// hash-chained per gateway node and sealed by signed checkpoints so that
// `govdx log verify` proves nothing was changed or removed (D47-8.4).
//
// Chains: every gateway node writes its own chain (chain name = node name,
// seq 1, 2, 3, ... per chain), so nodes sharing one PostgreSQL never contend
// for a global sequence. Each entry's hash is SHA-256(previous hash ||
// canonical encoding of the entry); the first entry's previous hash is 32
// zero bytes. Retention (D47-45.3) deletes only a prefix of a chain, after
// recording a signed anchor that Verify starts from.
package sharelog

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govdx/govdx/internal/platform"
)

// Migrations returns the schema of the sharing log.
func Migrations() platform.Migrations {
	return platform.Migrations{Name: "sharelog", FS: migrationsFS()}
}

// Form is how data was requested and provided (D47-45.a).
type Form string

const (
	FormOnline  Form = "online"  // a synchronous API call
	FormSync    Form = "sync"    // a synchronisation run between databases
	FormPackage Form = "package" // a data package (file) handed over
)

// Status classes for Filter.Status.
type StatusClass string

const (
	StatusOK      StatusClass = "ok"      // served, HTTP status < 400
	StatusError   StatusClass = "error"   // served, HTTP status >= 400 (upstream or client error)
	StatusRefused StatusClass = "refused" // refused by the gateway (RefusalCode set)
)

// Entry is one gateway call as recorded in the sharing log (D47-45).
// Identifiers and names are copied values, never references, so the log
// stays readable after the catalog changes.
type Entry struct {
	// ID is the row id assigned by the database; Query uses it as the cursor.
	// It is not covered by the hash. Zero before the entry is stored.
	ID int64
	// Node is the gateway node that wrote the entry and also the name of its
	// hash chain. Set by the Writer; any value given to Append is replaced.
	Node string
	// Seq is the position in the node's chain, from 1. Set by the Writer.
	Seq int64
	// Hash is SHA-256(hash of entry Seq-1 || canonical encoding). Set by the Writer.
	Hash [32]byte

	// D47-45.a: time and form of the request and of the provision. Stored in
	// UTC with microsecond precision; zero means "now" at Append.
	RequestedAt time.Time
	RespondedAt time.Time
	Form        Form

	// D47-45.b: the requesting agency and its application.
	RequesterOrgID int64
	RequesterAppID int64
	RequesterApp   string
	AccountID      int64 // connection account (D47-40)

	// The service called and the organisation that provides it, so providers
	// can query the calls to their services.
	ProviderOrgID int64
	ServiceID     int64
	ServiceCode   string // the service's identifier, e.g. "csdlqg-dc/citizen-lookup"

	// D47-45.c: request content. RequestDigest is SHA-256 of the body as
	// received; RequestBytes its size in bytes.
	Method        string
	Path          string
	Query         string
	RequestDigest [32]byte
	RequestBytes  int64

	// D47-45.d: response status and shared content. RefusalCode is the
	// gateway's stable refusal code ("suspended", "no_account", ...) and ""
	// when the call was served. ResponseDigest is SHA-256 of the response
	// body as sent (D47-8.4); ResponseBytes its size in bytes.
	Status         int
	RefusalCode    string
	ResponseDigest [32]byte
	ResponseBytes  int64
	LatencyMicros  int64 // gateway latency in microseconds

	// KeepContent stores RequestBody and ResponseBody with the entry, when
	// the usage regulation asks for the shared content to be kept. The
	// bodies are not hashed directly: their digests are, and Verify checks
	// that kept bodies still match them. Without KeepContent the bodies are
	// dropped by Append. A zero digest is filled from the kept body.
	KeepContent  bool
	RequestBody  []byte
	ResponseBody []byte

	// D47-45.đ: other information to resolve disputes.
	CorrelationID string
	// ForwardedFrom / ForwardedTo name the upstream platform nodes of a
	// forwarded call (D47-46: LGSP to NDXP), empty for local calls.
	ForwardedFrom string
	ForwardedTo   string
}

// encodingVersion is the first byte of every canonical encoding, so the
// format can change later without ambiguity.
const encodingVersion = 1

// appendCanonical appends the canonical encoding of e: a version byte, then
// every hashed field in a fixed order, integers as 8-byte big-endian and
// strings as uvarint length + bytes, times as Unix microseconds. ID and the
// bodies are excluded (the digests stand for the bodies).
func appendCanonical(b []byte, e *Entry) []byte {
	b = append(b, encodingVersion)
	b = appendString(b, e.Node)
	b = appendInt(b, e.Seq)
	b = appendInt(b, e.RequestedAt.UnixMicro())
	b = appendInt(b, e.RespondedAt.UnixMicro())
	b = appendString(b, string(e.Form))
	b = appendInt(b, e.RequesterOrgID)
	b = appendInt(b, e.RequesterAppID)
	b = appendString(b, e.RequesterApp)
	b = appendInt(b, e.AccountID)
	b = appendInt(b, e.ProviderOrgID)
	b = appendInt(b, e.ServiceID)
	b = appendString(b, e.ServiceCode)
	b = appendString(b, e.Method)
	b = appendString(b, e.Path)
	b = appendString(b, e.Query)
	b = append(b, e.RequestDigest[:]...)
	b = appendInt(b, e.RequestBytes)
	b = appendInt(b, int64(e.Status))
	b = appendString(b, e.RefusalCode)
	b = append(b, e.ResponseDigest[:]...)
	b = appendInt(b, e.ResponseBytes)
	b = appendInt(b, e.LatencyMicros)
	if e.KeepContent {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendString(b, e.CorrelationID)
	b = appendString(b, e.ForwardedFrom)
	b = appendString(b, e.ForwardedTo)
	return b
}

func appendInt(b []byte, v int64) []byte { return binary.BigEndian.AppendUint64(b, uint64(v)) }

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// chainHash computes SHA-256(prev || canonical(e)) using buf as scratch
// space; it returns the hash and the grown buffer for reuse.
func chainHash(buf []byte, prev *[32]byte, e *Entry) ([32]byte, []byte) {
	buf = append(buf[:0], prev[:]...)
	buf = appendCanonical(buf, e)
	return sha256.Sum256(buf), buf
}

// normalize makes e storable identically on both backends, so the hash
// computed now matches the row read back later: UTC microsecond times and
// valid UTF-8 without NUL (PostgreSQL TEXT rejects both; a bad byte in one
// request path must not fail the whole group commit).
func normalize(e *Entry, now time.Time) error {
	if e.RequestedAt.IsZero() {
		e.RequestedAt = now
	}
	if e.RespondedAt.IsZero() {
		e.RespondedAt = now
	}
	e.RequestedAt = e.RequestedAt.UTC().Truncate(time.Microsecond)
	e.RespondedAt = e.RespondedAt.UTC().Truncate(time.Microsecond)
	e.Form = Form(cleanText(string(e.Form)))
	e.RequesterApp = cleanText(e.RequesterApp)
	e.ServiceCode = cleanText(e.ServiceCode)
	e.Method = cleanText(e.Method)
	e.Path = cleanText(e.Path)
	e.Query = cleanText(e.Query)
	e.RefusalCode = cleanText(e.RefusalCode)
	e.CorrelationID = cleanText(e.CorrelationID)
	e.ForwardedFrom = cleanText(e.ForwardedFrom)
	e.ForwardedTo = cleanText(e.ForwardedTo)
	if !e.KeepContent {
		e.RequestBody, e.ResponseBody = nil, nil
		return nil
	}
	if err := fillDigest(&e.RequestDigest, e.RequestBody, "request_body"); err != nil {
		return err
	}
	return fillDigest(&e.ResponseDigest, e.ResponseBody, "response_body")
}

// fillDigest sets a zero digest from the kept body and refuses a digest that
// does not match it: a mismatch would make the entry fail verification.
func fillDigest(d *[32]byte, body []byte, field string) error {
	sum := sha256.Sum256(body)
	if *d == ([32]byte{}) {
		*d = sum
		return nil
	}
	if *d != sum {
		return platform.FieldError(field, "digest_mismatch", "the kept body does not match its SHA-256 digest")
	}
	return nil
}

// cleanText replaces invalid UTF-8 and NUL bytes; the common case (already
// clean) costs one scan and no allocation.
func cleanText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}
