package syncshare_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/gateway"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
	"github.com/govdx/govdx/internal/sharelog"
	"github.com/govdx/govdx/internal/syncshare"
)

func (e *env) build(ref string, in syncshare.PackageInput, body string) (syncshare.Package, error) {
	return e.store.BuildPackage(context.Background(), e.provider, ref, in, strings.NewReader(body))
}

const newEnterprises = "ma_so_thue,ten_doanh_nghiep,ngay_thanh_lap\n" +
	"0402210001,CÔNG TY TNHH BIỂN XANH,2026-02-03\n" +
	"0402210002,\"=HYPERLINK(\"\"http://evil.example\"\";\"\"bấm vào\"\")\",2026-02-05\n" +
	"0402210003,@SUM(A1:A9),2026-02-11\n" +
	"0402210004,-5,2026-02-17\n"

// TestPackageWindow is D47-41.2c: a package downloads through the gateway
// within its window, with its checksum and validity, and is refused with
// 410 package_expired after it; every call is logged.
func TestPackageWindow(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		pkg, err := e.build("dn-stc.dn.goi-moi", syncshare.PackageInput{Name: "Doanh nghiệp mới tháng 2", Source: "CSDL đăng ký doanh nghiệp"}, newEnterprises)
		if err != nil {
			t.Fatal(err)
		}
		if !pkg.ValidUntil.Equal(e.clock().Add(30*24*time.Hour)) || pkg.Rows != 4 || pkg.Format != "csv" || pkg.Expired ||
			strings.Join(pkg.Items, ",") != "ma_so_thue,ten_doanh_nghiep,ngay_thanh_lap" {
			t.Fatalf("manifest: %+v", pkg.Manifest)
		}
		path := fmt.Sprintf("/s/dn-stc.dn.goi-moi/packages/%d", pkg.ID)
		st, h, body := e.get(path, keyPkg)
		sum := sha256.Sum256(body)
		if st != 200 || hex.EncodeToString(sum[:]) != pkg.SHA256 || int64(len(body)) != pkg.Size {
			t.Fatalf("download: %d %d bytes", st, len(body))
		}
		if h.Get("X-Data-Valid-Until") != pkg.ValidUntil.Format(time.RFC3339) || h.Get("X-Data-Validity") != "package" ||
			!strings.HasPrefix(h.Get("Content-Type"), "text/csv") || h.Get("Repr-Digest") == "" || h.Get("X-Correlation-Id") == "" {
			t.Fatalf("headers: %v", h)
		}
		l := e.log.last()
		if l.Form != sharelog.FormPackage || l.Status != 200 || l.ResponseDigest != sum || l.ResponseBytes != pkg.Size || l.AccountID != 3 {
			t.Fatalf("log entry: %+v", l)
		}
		// Formula injection is defused; a plain negative number is kept.
		text := string(body)
		if !strings.Contains(text, `"'=HYPERLINK(`) || !strings.Contains(text, "'@SUM(A1:A9)") || !strings.Contains(text, ",-5,") {
			t.Fatalf("CSV not defused:\n%s", text)
		}
		st, _, body = e.get(path+"/manifest", keyPkg)
		var m syncshare.Manifest
		if st != 200 || json.Unmarshal(body, &m) != nil || m.SHA256 != pkg.SHA256 || m.Download != path {
			t.Fatalf("manifest: %d %s", st, body)
		}
		req, _ := http.NewRequest("HEAD", e.gw+path, nil)
		req.Header.Set("X-Api-Key", keyPkg)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 || res.ContentLength != pkg.Size {
			t.Fatalf("HEAD: %v %v", err, res)
		}
		// D47-35.2d: an account approved for fewer items cannot take the file.
		st, _, body = e.get(path, keyPkgPart)
		if st != 403 || problemCode(body) != gateway.CodeItemNotApproved {
			t.Fatalf("partial account: %d %s", st, body)
		}

		e.advance(30 * 24 * time.Hour)
		for _, p := range []string{path, path + "/manifest"} {
			st, _, body = e.get(p, keyPkg)
			if st != 410 || problemCode(body) != gateway.CodePackageExpired || !strings.Contains(string(body), pkg.ValidUntil.Format(time.RFC3339)) {
				t.Fatalf("expired %s: %d %s", p, st, body)
			}
			if l := e.log.last(); l.Status != 410 || l.RefusalCode != gateway.CodePackageExpired || l.Form != sharelog.FormPackage {
				t.Fatalf("expired call not logged: %+v", l)
			}
		}
		st, _, body = e.get("/s/dn-stc.dn.goi-moi/packages", keyPkg)
		if st != 200 || !strings.Contains(string(body), `"expired":true`) {
			t.Fatalf("list: %d %s", st, body)
		}
		for _, p := range []string{"/s/dn-stc.dn.goi-moi/packages/999", "/s/dn-stc.dn.goi-moi/packages/x", "/s/dn-stc.dn.goi-moi/nothing"} {
			if st, _, body := e.get(p, keyPkg); st != 404 || problemCode(body) != gateway.CodeNotFound {
				t.Errorf("%s: %d %s", p, st, body)
			}
		}
		list, err := e.store.OverviewOf(context.Background(), e.consumer)
		if err != nil || len(list.Packages) != 0 {
			t.Fatalf("an expired package is not offered: %+v %v", list.Packages, err)
		}
	})
}

// TestPackageFormats builds JSON and XLSX packages from an XLSX upload:
// values are kept, XLSX cells are text with formulas defused.
func TestPackageFormats(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		src := excelize.NewFile()
		rows := [][]any{{"Mã số thuế", "Tên doanh nghiệp", "Ngày thành lập"}, {"0402210001", "CÔNG TY A", "2026-02-03"}, {"0402210002", "=1+1", "2026-02-04"}}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			src.SetSheetRow("Sheet1", cell, &r)
		}
		var buf bytes.Buffer
		if err := src.Write(&buf); err != nil {
			t.Fatal(err)
		}
		pj, err := e.build("2", syncshare.PackageInput{Format: "json"}, buf.String())
		if err != nil {
			t.Fatal(err)
		}
		_, _, body := e.get(pj.Download, keyPkg)
		var recs []map[string]string
		if err := json.Unmarshal(body, &recs); err != nil || len(recs) != 2 || recs[1]["ten_doanh_nghiep"] != "=1+1" {
			t.Fatalf("JSON package: %v %s", err, body)
		}
		px, err := e.build("2", syncshare.PackageInput{Format: "xlsx", SourceFormat: "xlsx"}, buf.String())
		if err != nil {
			t.Fatal(err)
		}
		_, h, body := e.get(px.Download, keyPkg)
		if !strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("content type %s", h.Get("Content-Type"))
		}
		wb, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		v, _ := wb.GetCellValue("Data", "B3")
		f, _ := wb.GetCellFormula("Data", "B3")
		if v != "'=1+1" || f != "" {
			t.Fatalf("XLSX cell B3: value %q formula %q", v, f)
		}
	})
}

// zipOf builds a zip package from name -> content.
func zipOf(t *testing.T, files map[string][]byte) string {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, b := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestPackageRefusals: bad windows, malformed and dangerous files are
// refused with clear codes, and nothing is published.
func TestPackageRefusals(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{MaxUpload: 256 << 10})
		bomb := zipOf(t, map[string][]byte{"[Content_Types].xml": []byte("<Types/>"), "xl/workbook.xml": []byte("<workbook/>"),
			"xl/worksheets/sheet1.xml": make([]byte, 20<<20)})
		notXLSX := zipOf(t, map[string][]byte{"readme.txt": []byte("hello")})
		for _, c := range []struct {
			name, ref string
			in        syncshare.PackageInput
			body      string
			code      string
		}{
			{"no period anywhere", "4", syncshare.PackageInput{}, newEnterprises, "required"},
			{"beyond the regulation", "2", syncshare.PackageInput{ValidFor: 31 * 24 * time.Hour}, newEnterprises, "beyond_regulation"},
			{"not a package service", "1", syncshare.PackageInput{}, newEnterprises, "wrong_method"},
			{"bad output format", "2", syncshare.PackageInput{Format: "pdf"}, newEnterprises, "unsupported_format"},
			{"unknown column", "2", syncshare.PackageInput{}, "ma_so_thue,so_cccd\n1,079123456789\n", "invalid_file"},
			{"header only", "2", syncshare.PackageInput{}, "ma_so_thue\n", "invalid_file"},
			{"bare quote", "2", syncshare.PackageInput{}, "ma_so_thue,ten_doanh_nghiep\n1,\"A\n", "invalid_file"},
			{"zip bomb", "2", syncshare.PackageInput{}, bomb, "zip_bomb"},
			{"zip, not a workbook", "2", syncshare.PackageInput{}, notXLSX, "not_xlsx"},
			{"huge", "2", syncshare.PackageInput{}, "ma_so_thue\n" + strings.Repeat("0402210001\n", 30000), "file_too_large"},
		} {
			_, err := e.build(c.ref, c.in, c.body)
			if code := platform.AsError(err).Code; code != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		if _, err := e.store.BuildPackage(context.Background(), e.consumer, "2", syncshare.PackageInput{}, strings.NewReader(newEnterprises)); platform.ErrorClass(err) != platform.EForbidden {
			t.Errorf("a consumer built a package: %v", err)
		}
		if _, err := e.store.BuildPackage(context.Background(), e.stranger, "2", syncshare.PackageInput{}, strings.NewReader(newEnterprises)); platform.ErrorClass(err) != platform.EForbidden {
			t.Errorf("another provider built a package: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sync_packages`) + count(t, db, `SELECT COUNT(*) FROM sync_package_chunks`); n != 0 {
			t.Fatalf("refused uploads left %d rows", n)
		}
		if left, _ := os.ReadDir(e.tmp); len(left) != 0 {
			t.Fatalf("refused uploads left %d temporary files", len(left))
		}
	})
}

// TestLargePackage streams a package stored in many chunks.
func TestLargePackage(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		e := newEnv(t, db, syncshare.Options{})
		pkg, err := e.build("2", syncshare.PackageInput{}, enterprisesCSV(9<<20+1000, strings.Repeat("X", 80)))
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sync_package_chunks WHERE package_id = $1`, pkg.ID); n < 10 {
			t.Fatalf("%d chunks", n)
		}
		st, _, body := e.get(pkg.Download, keyPkg)
		sum := sha256.Sum256(body)
		if st != 200 || hex.EncodeToString(sum[:]) != pkg.SHA256 {
			t.Fatalf("large download: %d, %d bytes of %d", st, len(body), pkg.Size)
		}
	})
}

// enterprisesCSV is a package source of at least size bytes, each row's
// name padded with pad.
func enterprisesCSV(size int, pad string) string {
	var sb strings.Builder
	sb.WriteString("ma_so_thue,ten_doanh_nghiep,ngay_thanh_lap\n")
	for i := 0; sb.Len() < size; i++ {
		fmt.Fprintf(&sb, "04%08d,CÔNG TY TNHH SỐ %d %s,2026-02-03\n", i, i, pad)
	}
	return sb.String()
}
