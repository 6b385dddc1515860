package gateway

import (
	"maps"
	"net/http"
	"slices"
)

// Refusal and error codes of the gateway: the stable "code" member of its
// problem+json answers, also stored as the sharing-log entry's refusal code.
const (
	CodeBadRequest          = "bad_request"           // 400: path tricks, hop-by-hop smuggling, unreadable body
	CodeInvalidCredential   = "invalid_credential"    // 401: missing, malformed, unknown or revoked credential (D47-40)
	CodeNoAccount           = "no_account"            // 403: the credential has no account for this service
	CodeAccountExpired      = "account_expired"       // 403: past the account's validity window
	CodeAccountNotYetValid  = "account_not_yet_valid" // 403: before the account's validity window
	CodeSuspended           = "suspended"             // 403: service suspended for everyone or this consumer (D47-43)
	CodeTerminated          = "terminated"            // 403: connection terminated (D47-44)
	CodeItemNotApproved     = "item_not_approved"     // 403: ?fields= names an item not approved (D47-35.2d)
	CodeUnknownService      = "unknown_service"       // 404: no published service with that identifier
	CodeNotFound            = "not_found"             // 404: no such package or feed resource of a hosted service
	CodeMethodNotAllowed    = "method_not_allowed"    // 405
	CodePackageExpired      = "package_expired"       // 410: the package's validity window has passed (D47-41.2c)
	CodeBodyTooLarge        = "body_too_large"        // 413: request body above MaxRequestBody
	CodeRangeNotSatisfiable = "range_not_satisfiable" // 416: a package's Range starts beyond its end (Extra "size": the file's size)
	CodeRateLimited         = "rate_limited"          // 429: frequency limit reached (D47-35.2e)
	CodeHeaderTooLarge      = "header_too_large"      // 431: request header above MaxHeaderBytes
	CodeClientClosed        = "client_closed"         // 499: the consumer went away (logged, nothing sent)
	CodeUpstreamError       = "upstream_error"        // 502: provider unreachable or its response unusable
	CodeResponseTooLarge    = "response_too_large"    // 502: response above MaxResponseBody
	CodeNotReady            = "not_ready"             // 503: no configuration loaded yet
	CodeLogUnavailable      = "log_unavailable"       // 503: the sharing log could not record the call (D47-45)
	CodeUpstreamTimeout     = "upstream_timeout"      // 504: provider slower than the timeout
)

// StatusClientClosed is logged when the consumer disconnects first (as
// nginx and Caddy do); nothing is sent.
const StatusClientClosed = 499

// refusalStatus is the one table from code to HTTP status.
var refusalStatus = map[string]int{
	CodeBadRequest:          http.StatusBadRequest,
	CodeInvalidCredential:   http.StatusUnauthorized,
	CodeNoAccount:           http.StatusForbidden,
	CodeAccountExpired:      http.StatusForbidden,
	CodeAccountNotYetValid:  http.StatusForbidden,
	CodeSuspended:           http.StatusForbidden,
	CodeTerminated:          http.StatusForbidden,
	CodeItemNotApproved:     http.StatusForbidden,
	CodeUnknownService:      http.StatusNotFound,
	CodeNotFound:            http.StatusNotFound,
	CodeMethodNotAllowed:    http.StatusMethodNotAllowed,
	CodePackageExpired:      http.StatusGone,
	CodeBodyTooLarge:        http.StatusRequestEntityTooLarge,
	CodeRangeNotSatisfiable: http.StatusRequestedRangeNotSatisfiable,
	CodeRateLimited:         http.StatusTooManyRequests,
	CodeHeaderTooLarge:      http.StatusRequestHeaderFieldsTooLarge,
	CodeClientClosed:        StatusClientClosed,
	CodeUpstreamError:       http.StatusBadGateway,
	CodeResponseTooLarge:    http.StatusBadGateway,
	CodeNotReady:            http.StatusServiceUnavailable,
	CodeLogUnavailable:      http.StatusServiceUnavailable,
	CodeUpstreamTimeout:     http.StatusGatewayTimeout,
}

// refusalLabels say in a few words, in English, what each code means to a
// person reading the sharing log; pages translate them.
var refusalLabels = map[string]string{
	CodeBadRequest:          "malformed or unsafe request",
	CodeInvalidCredential:   "invalid credential",
	CodeNoAccount:           "no account for this service",
	CodeAccountExpired:      "account expired",
	CodeAccountNotYetValid:  "account not yet valid",
	CodeSuspended:           "service suspended",
	CodeTerminated:          "connection terminated",
	CodeItemNotApproved:     "data item not approved",
	CodeUnknownService:      "unknown service",
	CodeNotFound:            "not found",
	CodeMethodNotAllowed:    "method not allowed",
	CodePackageExpired:      "package expired",
	CodeBodyTooLarge:        "request body too large",
	CodeRangeNotSatisfiable: "range beyond the file",
	CodeRateLimited:         "frequency limit reached",
	CodeHeaderTooLarge:      "request header too large",
	CodeClientClosed:        "consumer went away",
	CodeUpstreamError:       "provider error",
	CodeResponseTooLarge:    "provider answer too large",
	CodeNotReady:            "gateway not ready",
	CodeLogUnavailable:      "sharing log unavailable",
	CodeUpstreamTimeout:     "provider too slow",
}

// RefusalLabel names a refusal code for people (the code itself if it is
// not one of the gateway's).
func RefusalLabel(code string) string {
	if l, ok := refusalLabels[code]; ok {
		return l
	}
	return code
}

// RefusalCodes lists every refusal code, sorted.
func RefusalCodes() []string {
	return slices.Sorted(maps.Keys(refusalStatus))
}

// StatusOf returns the HTTP status of a refusal code (500 if unknown).
func StatusOf(code string) int {
	if s, ok := refusalStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// refusal is one refused call: code, safe detail and problem extensions.
type refusal struct {
	code       string
	detail     string
	field      string
	extra      map[string]any
	retryAfter int // seconds; 0: no Retry-After header
}

func refuse(code, detail string) *refusal { return &refusal{code: code, detail: detail} }
