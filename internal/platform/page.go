package platform

import (
	"encoding/base64"
	"net/http"
	"strconv"
)

// Page is a keyset (cursor) page request: items after the cursor, at most Limit.
type Page struct {
	After int64 // last ID of the previous page; 0 for the first page
	Limit int
}

// MaxPageSize caps a page so one request cannot ask for the whole table.
const MaxPageSize = 500

// PageFromRequest reads ?cursor= and ?limit= (default 50).
func PageFromRequest(r *http.Request) (Page, error) {
	p := Page{Limit: 50}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageSize {
			return p, FieldError("limit", "invalid_limit", "limit must be between 1 and %d", MaxPageSize)
		}
		p.Limit = n
	}
	if c := r.URL.Query().Get("cursor"); c != "" {
		id, err := DecodeCursor(c)
		if err != nil {
			return p, FieldError("cursor", "invalid_cursor", "cursor is not valid")
		}
		p.After = id
	}
	return p, nil
}

// EncodeCursor makes an opaque cursor from the last ID of a page.
func EncodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

// DecodeCursor reverses EncodeCursor.
func DecodeCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(b), 10, 64)
}

// PageResult is the JSON envelope of a list: items and the next cursor.
type PageResult[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// NewPageResult trims the one extra row fetched to know whether more exist.
func NewPageResult[T any](items []T, p Page, id func(T) int64) PageResult[T] {
	res := PageResult[T]{Items: items}
	if len(items) > p.Limit {
		res.Items = items[:p.Limit]
		res.NextCursor = EncodeCursor(id(res.Items[p.Limit-1]))
	}
	if res.Items == nil {
		res.Items = []T{}
	}
	return res
}
