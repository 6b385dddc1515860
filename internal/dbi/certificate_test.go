package dbi_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/dbi"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func sampleCertificate() dbi.Certificate {
	return dbi.Certificate{Code: "DBI-2026-ABCD-EFGH", Year: 2026, Index: dbi.SME, EnterpriseName: "Công ty TNHH Thương mại (Hàn Giang)",
		TaxCode: "0401234567", ProvinceCode: "48", ProvinceName: "Đà Nẵng", Field: "trade", Size: dbi.SizeSmall,
		Total: 192, Max: 320, Level: 3, PillarLevels: []int{3, 3, 3, 3, 3, 3}, PillarPoints: []int{39, 15, 48, 39, 30, 21},
		IssuedAt: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC), IssuedByName: "Nguyễn Văn Thẩm", Issuer: "Bộ Khoa học và Công nghệ"}
}

// TestCertificatePDF compares the PDF with its golden file and checks its
// structure: header, every xref offset pointing at its object, startxref
// pointing at the xref table, the trailer's size.
func TestCertificatePDF(t *testing.T) {
	pdf := dbi.CertificatePDF(sampleCertificate(), "https://dbi.example.vn/dbi/verify/DBI-2026-ABCD-EFGH")
	golden := filepath.Join("testdata", "certificate.golden.pdf")
	if *update {
		if err := os.WriteFile(golden, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pdf, want) {
		t.Errorf("PDF differs from %s (run with -update after checking it)", golden)
	}
	checkPDF(t, pdf)
	for _, s := range []string{"/Subtype /Type0", "/Encoding /Identity-H", "/FontFile2", "/ToUnicode", "/BaseFont /DejaVuSans"} {
		if !bytes.Contains(pdf, []byte(s)) {
			t.Errorf("PDF lacks %s", s)
		}
	}
	// The Vietnamese letters are in the text through the embedded font: the
	// ToUnicode maps of the fonts carry "ạ" (U+1EA1) and "Đ" (U+0110).
	for _, u := range []string{"<1EA1>", "<0110>"} {
		if !bytes.Contains(pdf, []byte(u)) {
			t.Errorf("the PDF's text lacks %s", u)
		}
	}
}

func checkPDF(t *testing.T, pdf []byte) {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatal("bad header or trailer")
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(pdf[xref:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	var first, count int
	if _, err := fmt.Sscanf(string(pdf[xref:]), "xref\n%d %d\n", &first, &count); err != nil || first != 0 {
		t.Fatalf("xref header: %v", err)
	}
	entries := pdf[bytes.IndexByte(pdf[xref+5:], '\n')+xref+6:]
	for i := 0; i < count; i++ {
		e := string(entries[i*20 : i*20+20])
		if i == 0 {
			if e != "0000000000 65535 f \n" {
				t.Fatalf("entry 0: %q", e)
			}
			continue
		}
		off, err := strconv.Atoi(e[:10])
		if err != nil || e[10:] != " 00000 n \n" {
			t.Fatalf("entry %d: %q", i, e)
		}
		if want := fmt.Sprintf("%d 0 obj\n", i); !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Fatalf("object %d is not at offset %d", i, off)
		}
	}
	if !bytes.Contains(pdf, []byte(fmt.Sprintf("/Size %d ", count))) {
		t.Fatalf("trailer /Size is not %d", count)
	}
	// Stream lengths are right.
	for _, sm := range regexp.MustCompile(`/Length (\d+) >>\nstream\n`).FindAllSubmatchIndex(pdf, -1) {
		n, _ := strconv.Atoi(string(pdf[sm[2]:sm[3]]))
		if !bytes.HasPrefix(pdf[sm[1]+n:], []byte("\nendstream")) {
			t.Fatalf("stream length %d is wrong", n)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Đà Nẵng": "Da Nang", "CỘNG HÒA": "CONG HOA", "Hình thành – ổn": "Hinh thanh - on"} {
		if got := dbi.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestProvincialReport: the letter-294 workbook of a province, for its DoIC
// and MIC only.
func TestProvincialReport(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		insertResults(t, db, 2025, []result{{1, "48", "small", "trade", 3, 192, 320}, {2, "48", "large", "industry", 1, 60, 695},
			{3, "22", "small", "trade", 5, 300, 320}})
		rebuild(t, w)
		_, err := w.store.ProvincialReport(ctx, w.doicQN, 2025, "48")
		wantCode(t, err, "forbidden")
		_, err = w.store.ProvincialReport(ctx, w.doic, 2025, "99")
		wantCode(t, err, "unknown_province")
		for _, p := range []*struct{ name string }{{"doic"}, {"mic"}} {
			pr := w.doic
			if p.name == "mic" {
				pr = w.mic
			}
			data := must[[]byte](t)(w.store.ProvincialReport(ctx, pr, 2025, "48"))
			f, err := excelize.OpenReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := f.GetRows("Tổng hợp")
			text := fmt.Sprint(rows)
			for _, want := range []string{"NĂM 2025", "Tỉnh, thành phố: Đà Nẵng", "294/BTTTT-QLDN", "[3 Hình thành 1 50.0]", "[Cộng  2 100]",
				"[Nhỏ 0 0 0 1 0 0 1]", "[Công nghiệp 0 1 0 0 0 0 1]"} {
				if !strings.Contains(text, want) {
					t.Errorf("summary lacks %q:\n%s", want, text)
				}
			}
			f.Close()
		}
	})
}
