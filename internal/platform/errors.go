package platform

import (
	"errors"
	"fmt"
	"net/http"
)

// Error classes. Each maps to one HTTP status in StatusOf.
const (
	EInvalid      = "invalid"
	ENotFound     = "not_found"
	EConflict     = "conflict"
	EForbidden    = "forbidden"
	EUnauthorized = "unauthorized"
	ETooMany      = "too_many_requests"
	ETooLarge     = "too_large"
	EInternal     = "internal"
	EUnavailable  = "unavailable"
)

// Error is govdx's application error: a class (which HTTP status), a stable
// machine-readable code, a safe message for users, and the offending field.
// Internal details stay in Err and are logged, never shown.
type Error struct {
	Class   string
	Code    string
	Message string
	Field   string
	// Extra holds extension members for problem+json (e.g. restoration time).
	Extra map[string]any
	Err   error
}

func (e *Error) Error() string {
	msg := e.Code + ": " + e.Message
	if e.Field != "" {
		msg = e.Code + " (" + e.Field + "): " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a coded error with a formatted safe message.
func Errorf(class, code, format string, args ...any) *Error {
	return &Error{Class: class, Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError is a validation error about one input field.
func FieldError(field, code, format string, args ...any) *Error {
	return &Error{Class: EInvalid, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound is the error for a missing record of the given kind.
func NotFound(kind string) *Error {
	return &Error{Class: ENotFound, Code: "not_found", Message: kind + " not found"}
}

// Forbidden is the error for an authenticated user acting outside their grants.
func Forbidden() *Error {
	return &Error{Class: EForbidden, Code: "forbidden", Message: "you are not allowed to do this"}
}

// ErrorClass returns the class of err, EInternal when it is not an *Error.
func ErrorClass(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return EInternal
}

// AsError returns err as *Error, wrapping unknown errors as internal.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Class: EInternal, Code: "internal", Message: "internal error", Err: err}
}

// StatusOf maps an error class to its HTTP status: the one table of it.
func StatusOf(class string) int {
	switch class {
	case EInvalid:
		return http.StatusUnprocessableEntity
	case ENotFound:
		return http.StatusNotFound
	case EConflict:
		return http.StatusConflict
	case EForbidden:
		return http.StatusForbidden
	case EUnauthorized:
		return http.StatusUnauthorized
	case ETooMany:
		return http.StatusTooManyRequests
	case ETooLarge:
		return http.StatusRequestEntityTooLarge
	case EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
