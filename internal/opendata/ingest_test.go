package opendata

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"

	"github.com/govdx/govdx/internal/platform"
)

// toWindows1258 encodes Vietnamese text the way Windows-1258 does: base
// letters (with circumflex, breve or horn when the code page has them)
// followed by combining tone marks.
func toWindows1258(t *testing.T, s string) []byte {
	t.Helper()
	var out []byte
	runes := []rune(norm.NFD.String(s))
	for i := 0; i < len(runes); {
		base := runes[i]
		j := i + 1
		for j < len(runes) && norm.NFD.PropertiesString(string(runes[j])).CCC() != 0 {
			j++
		}
		marks := append([]rune(nil), runes[i+1:j]...)
		i = j
		// Compose the base with one of its marks when the code page has the result.
		for k, m := range marks {
			if c := []rune(norm.NFC.String(string([]rune{base, m}))); len(c) == 1 {
				if _, ok := charmap.Windows1258.EncodeRune(c[0]); ok {
					base = c[0]
					marks = append(marks[:k], marks[k+1:]...)
					break
				}
			}
		}
		for _, r := range append([]rune{base}, marks...) {
			b, ok := charmap.Windows1258.EncodeRune(r)
			if !ok {
				t.Fatalf("cannot encode %q in Windows-1258", r)
			}
			out = append(out, b)
		}
	}
	return out
}

const vnCSV = "Tên đơn vị,Số lượng,Ghi chú\nỦy ban nhân dân phường Hải Châu,3,Đã kiểm tra\nSở Y tế,12,Cập nhật tháng Mười\n"

// Text uploads are converted to UTF-8 (NFC, no BOM) whatever they came in.
func TestEncodingsAreConvertedToUTF8(t *testing.T) {
	utf16le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(vnCSV))
	utf16be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(vnCSV))
	utf16noBOM, _ := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(vnCSV))
	cases := []struct {
		name string
		data []byte
		enc  string
	}{
		{"utf-8", []byte(vnCSV), EncUTF8},
		{"utf-8 with BOM", append([]byte("\xEF\xBB\xBF"), vnCSV...), EncUTF8BOM},
		{"utf-16le with BOM", utf16le, EncUTF16LE},
		{"utf-16be with BOM", utf16be, EncUTF16BE},
		{"utf-16le without BOM", utf16noBOM, EncUTF16LE},
		{"windows-1258", toWindows1258(t, vnCSV), EncWindows1258},
	}
	forEach(t, Options{}, func(t *testing.T, w *world) {
		d := w.dataset(t, w.deptA, "Bảng mã")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if tc.enc == EncWindows1258 && bytes.Equal(tc.data, []byte(vnCSV)) {
					t.Fatal("fixture is not re-encoded")
				}
				r, err := w.store.AddUpload(context.Background(), 0, d.ID, ResourceInput{}, "bang.csv", bytes.NewReader(tc.data))
				if err != nil {
					t.Fatal(err)
				}
				if r.Current == nil {
					t.Fatalf("not accepted: %+v", r.Pending.Check)
				}
				if r.Current.Encoding != tc.enc {
					t.Errorf("encoding %q, want %q", r.Current.Encoding, tc.enc)
				}
				got, err := os.ReadFile(w.store.FilePath(*r.Current))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != vnCSV {
					t.Errorf("stored content differs:\n%q\nwant\n%q", got, vnCSV)
				}
				if r.Current.Size != int64(len(vnCSV)) {
					t.Errorf("size %d, want %d", r.Current.Size, len(vnCSV))
				}
				if strings.Join(r.Current.Check.Columns, "|") != "Tên đơn vị|Số lượng|Ghi chú" {
					t.Errorf("columns %v", r.Current.Check.Columns)
				}
			})
		}
		w.tmpEmpty(t)
	})
}

func TestXMLDeclarationFollowsConversion(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		d := w.dataset(t, w.deptA, "XML")
		doc := `<?xml version="1.0" encoding="windows-1258"?>` + "\n<ds><dv>Sở Tài chính</dv></ds>\n"
		r, err := w.store.AddUpload(context.Background(), 0, d.ID, ResourceInput{}, "a.xml", bytes.NewReader(toWindows1258(t, doc)))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(w.store.FilePath(*r.Current))
		if !strings.HasPrefix(string(got), `<?xml version="1.0" encoding="UTF-8"?>`) || !strings.Contains(string(got), "Sở Tài chính") {
			t.Errorf("converted XML: %q", got)
		}
	})
}

func xlsxBytes(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipBytes(t *testing.T, entries map[string][]byte, method uint16) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range entries {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func TestXLSXIsScanned(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		d := w.dataset(t, w.deptA, "Bảng tính")
		clean := xlsxBytes(t, [][]any{{"Năm", "Số trường"}, {2024, 120}, {2025, 124}})
		r, err := w.store.AddUpload(context.Background(), 0, d.ID, ResourceInput{}, "thong-ke.xlsx", bytes.NewReader(clean))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Live() || r.Format != "XLSX" || r.Current.Check.Rows != 2 {
			t.Fatalf("clean workbook: %+v", r.Current)
		}
		pii := xlsxBytes(t, [][]any{{"Họ và tên", "Số CCCD", "Điện thoại"}, {"Nguyễn Văn An", "079203001234", "0905 123 456"}})
		r, err = w.store.AddUpload(context.Background(), 0, d.ID, ResourceInput{}, "ds.xlsx", bytes.NewReader(pii))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Blocked() {
			t.Fatal("a workbook with citizen IDs was not held")
		}
		var kinds []string
		for _, f := range r.Pending.Check.Findings {
			kinds = append(kinds, f.Kind+"@"+f.Location)
		}
		want := []string{FindCitizenID + `@sheet "Sheet1", cell B2`, FindIDColumn + `@sheet "Sheet1", cell B1`, FindNameColumn + `@sheet "Sheet1", cell A1`, FindPhone + `@sheet "Sheet1", cell C2`}
		if strings.Join(kinds, ";") != strings.Join(want, ";") {
			t.Errorf("findings %v\nwant %v", kinds, want)
		}
	})
}

// Bad files are refused with a clear error and nothing is recorded or left on disk.
func TestBadUploadsAreRefused(t *testing.T) {
	// A zip bomb: 64 MiB of zeros compressed to a few kilobytes.
	bomb := zipBytes(t, map[string][]byte{"[Content_Types].xml": []byte("<Types/>"), "xl/workbook.xml": []byte("<workbook/>"),
		"xl/worksheets/sheet1.xml": make([]byte, 64<<20)}, zip.Deflate)
	// Too large once expanded, though each entry compresses modestly.
	wide := zipBytes(t, map[string][]byte{"[Content_Types].xml": []byte("<Types/>"), "xl/workbook.xml": []byte("<workbook/>"),
		"xl/worksheets/sheet1.xml": randomBytes(700 << 10), "xl/worksheets/sheet2.xml": randomBytes(700 << 10)}, zip.Store)
	notXLSX := zipBytes(t, map[string][]byte{"readme.txt": []byte("hello")}, zip.Deflate)
	valid := xlsxBytes(t, [][]any{{"A"}, {1}})
	cases := []struct {
		name, file, format string
		data               []byte
		code               string
		class              string
	}{
		{"malformed CSV (bare quote)", "a.csv", "", []byte("Tên,Giá trị\n\"Sở \"A\" ,1\n"), "malformed_csv", platform.EInvalid},
		{"malformed CSV (unterminated quote)", "a.csv", "", []byte("Tên,Giá trị\n\"Sở A,1\n"), "malformed_csv", platform.EInvalid},
		{"empty file", "a.csv", "", nil, "empty_file", platform.EInvalid},
		{"blank CSV", "a.csv", "", []byte("\n\n"), "empty_file", platform.EInvalid},
		{"binary data named CSV", "a.csv", "", append([]byte("A,B\n"), 0, 1, 2, 3), "binary_content", platform.EInvalid},
		{"random bytes named XLSX", "a.xlsx", "", randomBytes(2048), "not_zip", platform.EInvalid},
		{"truncated XLSX", "a.xlsx", "", valid[:len(valid)/2], "malformed_zip", platform.EInvalid},
		{"zip that is not a workbook", "a.xlsx", "", notXLSX, "not_xlsx", platform.EInvalid},
		{"zip bomb", "bomb.xlsx", "", bomb, "zip_bomb", platform.EInvalid},
		{"expands beyond the limit", "wide.xlsx", "", wide, "zip_bomb", platform.EInvalid},
		{"CSV declared, XLSX sent", "a.csv", "CSV", valid, "format_mismatch", platform.EInvalid},
		{"malformed JSON", "a.json", "", []byte(`{"a": [1, 2}`), "malformed_json", platform.EInvalid},
		{"two JSON values", "a.json", "", []byte(`{"a":1} {"b":2}`), "malformed_json", platform.EInvalid},
		{"GeoJSON without type", "a.geojson", "", []byte(`{"features": []}`), "not_geojson", platform.EInvalid},
		{"malformed XML", "a.xml", "", []byte(`<a><b></a>`), "malformed_xml", platform.EInvalid},
		{"XML entity expansion", "a.xml", "", []byte(`<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><l>&b;</l>`), "xml_entities", platform.EInvalid},
		{"unknown format", "a.exe", "", []byte("MZ\x90\x00"), "unsupported_format", platform.EInvalid},
		{"program named CSV", "a.csv", "", []byte("MZ\x90\x00rest"), "executable", platform.EInvalid},
		{"link-only format", "a.csv", "API", []byte("a\n1\n"), "link_only_format", platform.EInvalid},
	}
	forEach(t, Options{MaxUnzipped: 1 << 20}, func(t *testing.T, w *world) {
		d := w.dataset(t, w.deptA, "Tệp hỏng")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.store.AddUpload(context.Background(), 0, d.ID, ResourceInput{Format: tc.format}, tc.file, bytes.NewReader(tc.data))
				e := platform.AsError(err)
				if err == nil || e.Code != tc.code || e.Class != tc.class {
					t.Fatalf("error %v (code %q), want %s", err, e.Code, tc.code)
				}
				if e.Message == "" || strings.Contains(e.Message, "internal") {
					t.Errorf("unclear message %q", e.Message)
				}
			})
		}
		got, _ := w.store.Dataset(context.Background(), d.ID)
		if len(got.Resources) != 0 {
			t.Errorf("%d resources recorded from bad uploads", len(got.Resources))
		}
		w.tmpEmpty(t)
		ents, _ := os.ReadDir(w.filesDir + "/resources")
		if len(ents) != 0 {
			t.Errorf("%d resource folders left by bad uploads", len(ents))
		}
	})
}

func TestUploadSizeLimit(t *testing.T) {
	forEach(t, Options{MaxUpload: 3000}, func(t *testing.T, w *world) {
		d := w.dataset(t, w.deptA, "Tệp lớn")
		_, err := w.store.AddUpload(context.Background(), 0, d.ID, ResourceInput{}, "big.csv", strings.NewReader("A\n"+strings.Repeat("1234567\n", 400)))
		if e := platform.AsError(err); e.Code != "file_too_large" || e.Class != platform.ETooLarge || !strings.Contains(e.Message, "2 KiB") {
			t.Fatalf("error %v", err)
		}
		w.tmpEmpty(t)
	})
}

func TestRaggedCSVWarnsAndClosedFormatsWarn(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		d := w.dataset(t, w.deptA, "Cảnh báo")
		r := w.upload(t, d, "a.csv", "A,B\n1,2\n3\n")
		if len(r.Current.Check.Warnings) != 1 || !strings.Contains(r.Current.Check.Warnings[0], "line 3") {
			t.Errorf("warnings %v", r.Current.Check.Warnings)
		}
		r = w.upload(t, d, "b.csv", "A;B;C\n1;2;3\n")
		if r.Current.Check.Columns[2] != "C" {
			t.Errorf("semicolon delimiter not detected: %v", r.Current.Check.Columns)
		}
		// XLS is closed and cannot be read: held, with a warning (D47-17.1e).
		xls := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...)
		r, err := w.store.AddUpload(context.Background(), 0, d.ID, ResourceInput{}, "old.xls", bytes.NewReader(xls))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Blocked() || r.Pending.Check.Outcome != CheckUnscanned || !strings.Contains(strings.Join(r.Pending.Check.Warnings, " "), "not an open format") {
			t.Errorf("XLS: %+v", r.Pending)
		}
	})
	// Enforced instead of warned. (A distinct subtest name: a repeated one
	// gets a '#' suffix, which the SQLite file: DSN would cut off.)
	t.Run("enforced", func(t *testing.T) {
		forEach(t, Options{RequireOpenFormats: true}, func(t *testing.T, w *world) {
			d := w.dataset(t, w.deptA, "Định dạng đóng")
			xls := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...)
			_, err := w.store.AddUpload(context.Background(), 0, d.ID, ResourceInput{}, "old.xls", bytes.NewReader(xls))
			if errCode(err) != "closed_format" {
				t.Fatalf("closed format accepted: %v", err)
			}
		})
	})
}

func TestLinksAreHeldUnlessConfirmed(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ctx := context.Background()
		d := w.dataset(t, w.deptA, "Dịch vụ")
		r, err := w.store.AddLink(ctx, 0, d.ID, ResourceInput{Name: "API", URL: "https://api.example.vn/v1", Format: "API"})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Blocked() {
			t.Fatal("an unconfirmed link is live")
		}
		r, err = w.store.AddLink(ctx, 0, d.ID, ResourceInput{Name: "API 2", URL: "https://api.example.vn/v2", Format: "API", ConfirmNoPersonalData: true})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Live() || r.Current.Check.ConfirmedAt == nil {
			t.Fatalf("confirmed link: %+v", r.Current)
		}
		if _, err := w.store.AddLink(ctx, 0, d.ID, ResourceInput{Name: "x", URL: "javascript:alert(1)"}); errCode(err) != "invalid_url" {
			t.Fatalf("bad URL: %v", err)
		}
	})
}

func TestDetectDelimiterAndEncodingHelpers(t *testing.T) {
	if sniffDelimiter(`"a,b";c;d`, FormatOf("CSV")) != ';' {
		t.Error("quoted commas counted")
	}
	if sniffDelimiter("a\tb\tc", FormatOf("CSV")) != '\t' {
		t.Error("tabs")
	}
	ok, _ := validUTF8(strings.NewReader(strings.Repeat("ả", 40000)))
	if !ok {
		t.Error("valid UTF-8 across chunk boundaries reported invalid")
	}
	ok, _ = validUTF8(bytes.NewReader(append([]byte(strings.Repeat("a", 70000)), 0xC3)))
	if ok {
		t.Error("a truncated sequence at the end is valid")
	}
}
