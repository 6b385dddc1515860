package platform

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
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
	// Fields lists every field in error when a validation found several
	// (Validation); Code, Message and Field are then its first.
	Fields []FieldIssue
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

// FieldIssue is one field's mistake in a validation error.
type FieldIssue struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Issues returns the field mistakes of a validation error: its Fields, or
// its one Field; none for other errors.
func (e *Error) Issues() []FieldIssue {
	switch {
	case e.Class != EInvalid:
		return nil
	case len(e.Fields) > 0:
		return e.Fields
	case e.Field != "":
		return []FieldIssue{{Field: e.Field, Code: e.Code, Message: e.Message}}
	}
	return nil
}

// Validation collects the mistakes of a form or request body, so that
// people see all of them at once instead of one per attempt:
//
//	var v platform.Validation
//	v.Check(in.Name != "", "name", "required", "the name is required")
//	v.Check(validEmail(in.Email), "email", "invalid_email", "the e-mail address is not valid")
//	if err := v.Err(); err != nil { return err }
//
// The zero value is ready to use. A field keeps its first mistake.
type Validation struct {
	issues []FieldIssue
}

// Add records a mistake of field, unless the field already has one.
func (v *Validation) Add(field, code, format string, args ...any) {
	if v.Has(field) {
		return
	}
	v.issues = append(v.issues, FieldIssue{Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

// Check records the mistake when ok is false, and returns ok.
func (v *Validation) Check(ok bool, field, code, format string, args ...any) bool {
	if !ok {
		v.Add(field, code, format, args...)
	}
	return ok
}

// Merge records the field mistakes of err (a validation error from a
// helper) and returns nil; any other error is returned as it is, for the
// caller to stop on.
func (v *Validation) Merge(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) || len(e.Issues()) == 0 {
		return err
	}
	for _, is := range e.Issues() {
		if !v.Has(is.Field) {
			v.issues = append(v.issues, is)
		}
	}
	return nil
}

// Has reports whether field has a mistake recorded.
func (v *Validation) Has(field string) bool {
	for _, is := range v.issues {
		if is.Field == field {
			return true
		}
	}
	return false
}

// Err is nil when nothing was recorded, else the validation error naming
// every field in error (the first as its Field, Code and Message).
func (v *Validation) Err() error {
	if len(v.issues) == 0 {
		return nil
	}
	first := v.issues[0]
	e := &Error{Class: EInvalid, Code: first.Code, Field: first.Field, Message: first.Message}
	if len(v.issues) > 1 {
		e.Fields = slices.Clone(v.issues)
	}
	return e
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
