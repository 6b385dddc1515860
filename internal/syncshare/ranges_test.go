package syncshare_test

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharelog"
	"github.com/govdx/govdx/internal/syncshare"
)

// TestPackageRanges: a package download can be resumed or taken in parts
// (RFC 9110 Range, single ranges, across the stored chunks); each part's
// log entry records the bytes and digest of what was sent. Ranges the
// server does not serve as parts get the whole file; a range beyond the
// end is refused with 416 and logged.
func TestPackageRanges(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		pkg, err := e.build("2", syncshare.PackageInput{}, enterprisesCSV(3<<20+1000, ""))
		if err != nil {
			t.Fatal(err)
		}
		st, _, full := e.get(pkg.Download, keyPkg)
		if st != 200 || int64(len(full)) != pkg.Size {
			t.Fatalf("whole download: %d, %d bytes", st, len(full))
		}
		size, etag := pkg.Size, `"`+pkg.SHA256+`"`
		const mb = 1 << 20
		for _, tc := range []struct {
			name, rng, ifRange string
			from, to           int64 // expected part [from, to); -1: the whole file with 200
		}{
			{"first bytes", "bytes=0-99", "", 0, 100},
			{"across a chunk boundary", fmt.Sprintf("bytes=%d-%d", mb-10, mb+9), "", mb - 10, mb + 10},
			{"resume to the end", fmt.Sprintf("bytes=%d-", 2*mb+5), "", 2*mb + 5, size},
			{"last bytes", "bytes=-500", "", size - 500, size},
			{"end beyond the file", fmt.Sprintf("bytes=%d-%d", size-10, size+1000), "", size - 10, size},
			{"If-Range of this file", "bytes=10-19", etag, 10, 20},
			{"If-Range of another file", "bytes=10-19", `"other"`, -1, -1},
			{"several ranges", "bytes=0-1,5-6", "", -1, -1},
			{"not understood", "bytes=abc", "", -1, -1},
			{"other unit", "items=0-1", "", -1, -1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				hdr := []string{"Range", tc.rng}
				if tc.ifRange != "" {
					hdr = append(hdr, "If-Range", tc.ifRange)
				}
				st, h, body := e.call("GET", pkg.Download, keyPkg, hdr...)
				want, wantStatus := full, 200
				if tc.from >= 0 {
					want, wantStatus = full[tc.from:tc.to], 206
					if cr := h.Get("Content-Range"); cr != fmt.Sprintf("bytes %d-%d/%d", tc.from, tc.to-1, size) {
						t.Errorf("Content-Range = %q", cr)
					}
				}
				if st != wantStatus || string(body) != string(want) || h.Get("Accept-Ranges") != "bytes" || h.Get("ETag") != etag {
					t.Fatalf("status %d (want %d), %d bytes (want %d), headers %v", st, wantStatus, len(body), len(want), h)
				}
				l := e.log.last()
				if l.Status != wantStatus || l.ResponseBytes != int64(len(want)) || l.ResponseDigest != sha256.Sum256(want) || l.Form != sharelog.FormPackage {
					t.Fatalf("log entry: status %d, %d bytes, digest ok %v", l.Status, l.ResponseBytes, l.ResponseDigest == sha256.Sum256(want))
				}
			})
		}
		for _, rng := range []string{fmt.Sprintf("bytes=%d-", size), "bytes=-0"} {
			st, h, body := e.call("GET", pkg.Download, keyPkg, "Range", rng)
			if st != 416 || problemCode(body) != gateway.CodeRangeNotSatisfiable || h.Get("Content-Range") != fmt.Sprintf("bytes */%d", size) {
				t.Fatalf("%s: %d %v %s", rng, st, h, body)
			}
			if l := e.log.last(); l.Status != 416 || l.RefusalCode != gateway.CodeRangeNotSatisfiable {
				t.Fatalf("416 not logged: %+v", l)
			}
		}
		// HEAD ignores Range.
		if st, h, _ := e.call("HEAD", pkg.Download, keyPkg, "Range", "bytes=0-9"); st != 200 || h.Get("Content-Length") != fmt.Sprint(size) {
			t.Fatalf("HEAD with Range: %d %v", st, h)
		}
	})
}
