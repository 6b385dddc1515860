package syncshare

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/govdx/govdx/internal/gateway"
)

// byteRange is the part of a package file a download asks for.
type byteRange struct {
	start, length int64
}

// packageRange reads a download's Range header (RFC 9110 §14) against a
// file of size bytes with entity tag etag. It returns nil for the whole
// file: no Range, a method other than GET, an If-Range that does not name
// this file, a header it does not understand, or several ranges (which a
// server may answer whole). A single range that starts beyond the end is a
// range_not_satisfiable refusal.
func packageRange(h http.Header, method, etag string, size int64) (*byteRange, error) {
	spec := h.Get("Range")
	if spec == "" || method != http.MethodGet {
		return nil, nil
	}
	if ir := h.Get("If-Range"); ir != "" && ir != etag {
		return nil, nil // the file changed, or a date: send it whole
	}
	set, ok := strings.CutPrefix(spec, "bytes=")
	if !ok || strings.Contains(set, ",") {
		return nil, nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(set), "-")
	if !ok {
		return nil, nil
	}
	notSatisfiable := &gateway.Refusal{Code: gateway.CodeRangeNotSatisfiable,
		Detail: fmt.Sprintf("the range %q is outside the file of %d bytes", set, size), Extra: map[string]any{"size": size}}
	if first == "" { // the last n bytes
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return nil, nil
		}
		if n == 0 || size == 0 {
			return nil, notSatisfiable
		}
		n = min(n, size)
		return &byteRange{start: size - n, length: n}, nil
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return nil, nil
	}
	end := size - 1
	if last != "" {
		if end, err = strconv.ParseInt(last, 10, 64); err != nil || end < start {
			return nil, nil
		}
		end = min(end, size-1)
	}
	if start >= size {
		return nil, notSatisfiable
	}
	return &byteRange{start: start, length: end - start + 1}, nil
}

// rangeDigest hashes the bytes of a range before they are sent: the log
// entry, durable before anything is released, records what was shared.
func (s *Store) rangeDigest(ctx context.Context, id int64, r byteRange) ([32]byte, error) {
	rd := s.openPackageAt(ctx, id, r.start)
	defer rd.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(rd, r.length))
	if err != nil {
		return [32]byte{}, err
	}
	if n != r.length {
		return [32]byte{}, fmt.Errorf("package %d: %d bytes stored from offset %d, want %d", id, n, r.start, r.length)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, nil
}
