package syncshare

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Defuse neutralises spreadsheet formula injection (CWE-1236): a cell a
// spreadsheet would read as a formula (=, +, -, @, tab, CR first) gets a
// leading apostrophe. Plain numbers, negative ones included, are kept. It
// is applied to XLSX cells too, although they are typed text, because
// officials often save a workbook as CSV and open it again.
func Defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s
		}
		return "'" + s
	}
	return s
}

// cellText is the text of a JSON value in a spreadsheet cell: a string
// unquoted, null empty, anything else as JSON.
func cellText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	return string(raw)
}

// tableWriter writes the rows of a package in one format.
type tableWriter interface {
	write(rec record) error
	close() error
}

func newTableWriter(w io.Writer, format string, cols []string, sheet string) (tableWriter, error) {
	switch format {
	case FormatCSV:
		return newCSVWriter(w, cols)
	case FormatJSON:
		return newJSONWriter(w, cols)
	case FormatXLSX:
		return newXLSXWriter(w, cols, sheet)
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// csvWriter writes UTF-8 CSV with a byte-order mark, which spreadsheet
// programs need to read Vietnamese text, and defused cells.
type csvWriter struct {
	bw   *bufio.Writer
	cw   *csv.Writer
	cols []string
	row  []string
}

func newCSVWriter(w io.Writer, cols []string) (*csvWriter, error) {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return nil, err
	}
	c := &csvWriter{bw: bw, cw: csv.NewWriter(bw), cols: cols, row: make([]string, len(cols))}
	for i, k := range cols {
		c.row[i] = Defuse(k)
	}
	return c, c.cw.Write(c.row)
}

func (c *csvWriter) write(rec record) error {
	for i, k := range c.cols {
		c.row[i] = Defuse(cellText(rec[k]))
	}
	return c.cw.Write(c.row)
}

func (c *csvWriter) close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// jsonWriter writes an array of objects, one per line. JSON is read by
// programs, not spreadsheets: values are kept as they are.
type jsonWriter struct {
	bw    *bufio.Writer
	first bool
}

func newJSONWriter(w io.Writer, cols []string) (*jsonWriter, error) {
	bw := bufio.NewWriter(w)
	_, err := bw.WriteString("[")
	return &jsonWriter{bw: bw, first: true}, err
}

func (j *jsonWriter) write(rec record) error {
	b, err := canonical(rec)
	if err != nil {
		return err
	}
	sep := ",\n"
	if j.first {
		sep, j.first = "\n", false
	}
	if _, err := j.bw.WriteString(sep); err != nil {
		return err
	}
	_, err = j.bw.Write(b)
	return err
}

func (j *jsonWriter) close() error {
	if _, err := j.bw.WriteString("\n]\n"); err != nil {
		return err
	}
	return j.bw.Flush()
}

// xlsxWriter writes one sheet, every cell as defused text.
type xlsxWriter struct {
	w    io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	cols []string
	n    int
}

func newXLSXWriter(w io.Writer, cols []string, sheet string) (*xlsxWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, err
	}
	x := &xlsxWriter{w: w, f: f, sw: sw, cols: cols}
	head := make([]any, len(cols))
	for i, k := range cols {
		head[i] = Defuse(k)
	}
	return x, x.row(head)
}

func (x *xlsxWriter) row(vals []any) error {
	x.n++
	cell, _ := excelize.CoordinatesToCellName(1, x.n)
	return x.sw.SetRow(cell, vals)
}

func (x *xlsxWriter) write(rec record) error {
	vals := make([]any, len(x.cols))
	for i, k := range x.cols {
		vals[i] = Defuse(cellText(rec[k]))
	}
	return x.row(vals)
}

func (x *xlsxWriter) close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(x.w)
}
