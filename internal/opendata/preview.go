package opendata

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// previewRows is how many rows a table preview shows.
const previewRows = 100

// previewBytes bounds a text preview.
const previewBytes = 32 << 10

// Preview is the first part of a resource for display in the browser.
type Preview struct {
	Kind      string // table | text | none
	Columns   []string
	Rows      [][]string
	Text      string
	Sheets    []string
	Sheet     string
	Truncated bool
	Note      string
}

// Preview reads the start of a stored revision: a table for CSV/TSV/XLSX,
// text for JSON, XML and plain text. It never fails the page: problems
// become a note.
func (s *Store) Preview(v Revision, format, sheet string, maxRows int) Preview {
	f := FormatOf(format)
	switch {
	case f.Scan == "csv":
		return previewCSV(s.FilePath(v), f, maxRows)
	case f.Code == "XLSX":
		return previewXLSX(s.FilePath(v), s.excelOptions(), sheet, maxRows)
	case f.Text:
		return previewText(s.FilePath(v), f)
	}
	return Preview{Kind: "none", Note: "No preview for this format; download the file."}
}

func previewCSV(path string, f Format, maxRows int) Preview {
	cr, c, _, err := openCSV(path, f)
	if err != nil {
		return Preview{Kind: "none", Note: "The file cannot be read."}
	}
	defer c.Close()
	cr.ReuseRecord = false
	cr.LazyQuotes = true
	p := Preview{Kind: "table"}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			p.Note = "The preview stops at a line that cannot be read."
			break
		}
		if !p.addRow(rec, maxRows) {
			break
		}
	}
	return p
}

func previewXLSX(path string, opts excelize.Options, sheet string, maxRows int) Preview {
	f, err := excelize.OpenFile(path, opts)
	if err != nil {
		return Preview{Kind: "none", Note: "The workbook cannot be read."}
	}
	defer f.Close()
	p := Preview{Kind: "table", Sheets: f.GetSheetList()}
	if len(p.Sheets) == 0 {
		return Preview{Kind: "none", Note: "The workbook has no sheets."}
	}
	p.Sheet = p.Sheets[0]
	for _, s := range p.Sheets {
		if s == sheet {
			p.Sheet = s
		}
	}
	rows, err := f.Rows(p.Sheet)
	if err != nil {
		return Preview{Kind: "none", Note: "The sheet cannot be read."}
	}
	defer rows.Close()
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			break
		}
		if p.Columns == nil && len(strings.Join(cols, "")) == 0 {
			continue // blank lines above the header
		}
		if !p.addRow(cols, maxRows) {
			break
		}
	}
	return p
}

// addRow takes the first record as the header and the next ones as rows
// (clipped); past maxRows it marks the preview truncated and says stop.
func (p *Preview) addRow(rec []string, maxRows int) bool {
	if p.Columns == nil {
		p.Columns = rec
		return true
	}
	if len(p.Rows) >= maxRows {
		p.Truncated = true
		return false
	}
	p.Rows = append(p.Rows, clip(rec))
	return true
}

// clip shortens long cells for display.
func clip(rec []string) []string {
	out := make([]string, len(rec))
	for i, v := range rec {
		if utf8.RuneCountInString(v) > 200 {
			v = string([]rune(v)[:200]) + "…"
		}
		out[i] = v
	}
	return out
}

func previewText(path string, f Format) Preview {
	fh, err := os.Open(path)
	if err != nil {
		return Preview{Kind: "none", Note: "The file cannot be read."}
	}
	defer fh.Close()
	buf := make([]byte, previewBytes+1)
	n, _ := io.ReadFull(fh, buf)
	p := Preview{Kind: "text"}
	if n > previewBytes {
		n = previewBytes
		p.Truncated = true
	}
	b := buf[:n]
	for len(b) > 0 && !utf8.Valid(b) { // do not cut a character in half
		b = b[:len(b)-1]
	}
	if !p.Truncated && f.Scan == "json" {
		var out bytes.Buffer
		if json.Indent(&out, b, "", "  ") == nil {
			b = out.Bytes()
		}
	}
	p.Text = string(b)
	return p
}
