package web

import (
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// Upload describes a multipart form whose "file" part is streamed to its
// store instead of being buffered; the fields before it are read first.
type Upload struct {
	// Limit bounds the whole body; past it the upload fails with TooLarge.
	Limit    int64
	TooLarge error
	// CSRF: a caller with the session cookie must show the session's CSRF
	// token (X-CSRF-Token header or a _csrf field before the file) before
	// the file is read, and a form without it is refused (403) before
	// anything else is said about it; a bearer token needs none.
	CSRF bool
}

// maxUploadField bounds each non-file field of an upload form.
const maxUploadField = 64 << 10

// StreamUpload reads the fields of p's upload form up to its "file" part
// and hands that part, unbuffered, to store; store's error is returned.
func StreamUpload(w http.ResponseWriter, r *http.Request, p *identity.Principal, u Upload, store func(fields url.Values, file io.Reader) error) error {
	r.Body = http.MaxBytesReader(w, r.Body, u.Limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return platform.FieldError("file", "not_multipart", "send the file as multipart/form-data")
	}
	csrfOK := !u.CSRF || p.Via != "session"
	if got := r.Header.Get("X-CSRF-Token"); !csrfOK && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRF)) == 1 {
		csrfOK = true
	}
	fields := url.Values{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return u.TooLarge
			}
			return platform.FieldError("file", "malformed_upload", "the upload is malformed or was interrupted")
		}
		name := part.FormName()
		if name == "file" {
			if !csrfOK {
				return formExpired()
			}
			if part.FileName() == "" {
				part.Close() // an empty file input
				continue
			}
			err := store(fields, part)
			part.Close()
			return err
		}
		b, err := io.ReadAll(io.LimitReader(part, maxUploadField+1))
		part.Close()
		if err != nil || len(b) > maxUploadField {
			return platform.FieldError(name, "field_too_large", "the field %s is too large", name)
		}
		fields.Add(name, string(b))
		if name == "_csrf" && !csrfOK && subtle.ConstantTimeCompare(b, []byte(p.CSRF)) == 1 {
			csrfOK = true
		}
	}
	if !csrfOK {
		return formExpired()
	}
	return platform.FieldError("file", "required", "choose a file to upload")
}

// formExpired is the 403 of a form without its CSRF token.
func formExpired() error {
	return platform.Errorf(platform.EForbidden, "csrf", "the form has expired; reload the page and try again")
}
