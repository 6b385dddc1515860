package catalog_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/catalog"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// BenchmarkImportEntries imports a code list of 20,000 entries (code, name,
// parent, valid from) as a new version per iteration, from CSV and from
// XLSX, and reports rows/s: parsing, validation and the database writes.
func BenchmarkImportEntries(b *testing.B) {
	const rows = 20_000
	csvFile, xlsxFile := codeListFiles(b, rows)
	for _, f := range []struct {
		name string
		data []byte
	}{{"csv", csvFile}, {"xlsx", xlsxFile}} {
		b.Run(f.name, func(b *testing.B) {
			db := platformtest.OpenSQLite(b, sets())
			ctx := context.Background()
			e := newEnv(b, db)
			cl, err := e.cat.CreateCodeList(ctx, admin, catalog.CodeListInput{Code: "DM_BENCH", Name: "Danh mục thử", OwnerOrgID: e.orgs["BCA"]}, nil, "")
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(f.data)))
			b.ResetTimer()
			for b.Loop() {
				if _, n, err := e.cat.ImportEntries(ctx, admin, cl.ID, bytes.NewReader(f.data), ""); err != nil || n != rows {
					b.Fatalf("import: %d rows, %v", n, err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// codeListFiles builds the same code list as CSV and as XLSX: provinces,
// then communes under them, as an administrative code list is laid out.
func codeListFiles(b *testing.B, rows int) (csvFile, xlsxFile []byte) {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("Mã,Tên,Mã cha,Hiệu lực từ\n")
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	row := func(i int, vals ...any) {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		if err := sw.SetRow(cell, vals); err != nil {
			b.Fatal(err)
		}
	}
	row(1, "Mã", "Tên", "Mã cha", "Hiệu lực từ")
	for i := range rows {
		code, name, parent := fmt.Sprintf("%02d", i+1), "Tỉnh "+benchPlaces[i%len(benchPlaces)], ""
		if i >= 100 {
			code, name, parent = fmt.Sprintf("%05d", i+1), fmt.Sprintf("Phường %s %d", benchSubjects[i%len(benchSubjects)], i), fmt.Sprintf("%02d", i%100+1)
		}
		fmt.Fprintf(&sb, "%s,%s,%s,01/07/2025\n", code, name, parent)
		row(i+2, code, name, parent, "2025-07-01")
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	return []byte(sb.String()), buf.Bytes()
}
