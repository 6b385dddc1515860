package opendata

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// safeCell guards a value exported to a spreadsheet against formula
// injection: a cell starting with = + - @ tab or CR would be run as a
// formula by Excel or LibreOffice, so it is prefixed with an apostrophe.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func writeExportCSV(w io.Writer, base string, docs []*Doc) error {
	// A UTF-8 BOM so that Excel shows Vietnamese correctly when opened directly.
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(exportHeader()); err != nil {
		return err
	}
	for _, d := range docs {
		row := exportRow(base, d)
		for i := range row {
			row[i] = safeCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeExportXLSX(w io.Writer, base string, docs []*Doc) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Datasets"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	row := func(n int, vals []string) error {
		cells := make([]any, len(vals))
		for i, v := range vals {
			// Strings are written as text cells, and guarded as well in
			// case the file is converted to CSV later.
			cells[i] = safeCell(v)
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, cells)
	}
	if err := row(1, exportHeader()); err != nil {
		return err
	}
	for i, d := range docs {
		if err := row(i+2, exportRow(base, d)); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
