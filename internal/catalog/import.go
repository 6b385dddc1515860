package catalog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/workday"
)

// MaxImportBytes bounds an uploaded code-list file (10 MiB).
const MaxImportBytes = 10 << 20

// importColumns maps folded header names (English or Vietnamese) to fields.
var importColumns = map[string]string{
	"code": "code", "ma": "code", "ma so": "code", "ma danh muc": "code",
	"name": "name", "ten": "name", "ten goi": "name", "ten danh muc": "name",
	"parent": "parent_code", "parent code": "parent_code", "ma cha": "parent_code", "ma cap tren": "parent_code",
	"valid from": "valid_from", "hieu luc tu": "valid_from", "tu ngay": "valid_from", "ngay hieu luc": "valid_from",
	"valid to": "valid_to", "hieu luc den": "valid_to", "den ngay": "valid_to", "ngay het hieu luc": "valid_to",
}

// ImportEntries reads a CSV or XLSX file (first sheet) with a header row
// (code, name, and optionally parent_code, valid_from, valid_to; English or
// Vietnamese headers) and publishes it as a new version of the code list.
// It is all or nothing: any bad line refuses the whole file, and the error
// lists every bad line by number.
func (s *Store) ImportEntries(ctx context.Context, by Actor, id int64, r io.Reader, note string) (CodeList, int, error) {
	entries, lines, err := ParseCodeFile(r)
	if err != nil {
		return CodeList{}, 0, err
	}
	if errs := checkEntries(entries, lines); len(errs) > 0 {
		return CodeList{}, 0, entriesError(errs, "file")
	}
	c, err := s.publishChecked(ctx, by, id, entries, note)
	return c, len(entries), err
}

// ParseCodeFile reads code-list rows from CSV or XLSX (told apart by
// content: XLSX is a zip archive). lines[i] is the file line (CSV) or sheet
// row (XLSX) of entries[i].
func ParseCodeFile(r io.Reader) (entries []CodeEntry, lines []int, err error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxImportBytes {
		return nil, nil, platform.FieldError("file", "too_large", "the file is larger than %d MiB", MaxImportBytes>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, platform.FieldError("file", "empty_file", "the file is empty")
	}
	var rows [][]string
	var rowLines []int
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		rows, rowLines, err = readXLSX(data)
	} else {
		rows, rowLines, err = readCSV(data)
	}
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, platform.FieldError("file", "empty_file", "the file has no rows")
	}
	cols := map[string]int{}
	for i, h := range rows[0] {
		if f, ok := importColumns[platform.Fold(strings.ReplaceAll(h, "_", " "))]; ok {
			if _, dup := cols[f]; !dup {
				cols[f] = i
			}
		}
	}
	if _, ok := cols["code"]; !ok {
		return nil, nil, platform.FieldError("file", "missing_column", "line %d: the header row needs a \"code\" (Mã) column", rowLines[0])
	}
	if _, ok := cols["name"]; !ok {
		return nil, nil, platform.FieldError("file", "missing_column", "line %d: the header row needs a \"name\" (Tên) column", rowLines[0])
	}
	get := func(row []string, f string) string {
		i, ok := cols[f]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	for n, row := range rows[1:] {
		blank := true
		for _, c := range row {
			blank = blank && strings.TrimSpace(c) == ""
		}
		if blank {
			continue
		}
		entries = append(entries, CodeEntry{Code: get(row, "code"), Name: get(row, "name"), ParentCode: get(row, "parent_code"),
			ValidFrom: get(row, "valid_from"), ValidTo: get(row, "valid_to")})
		lines = append(lines, rowLines[n+1])
	}
	if len(entries) == 0 {
		return nil, nil, platform.FieldError("file", "empty_file", "the file has a header but no entries")
	}
	if len(entries) > MaxCodeEntries {
		return nil, nil, platform.FieldError("file", "too_many", "a code list holds at most %d entries", MaxCodeEntries)
	}
	return entries, lines, nil
}

func readCSV(data []byte) ([][]string, []int, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // Excel writes a BOM
	// Excel in some locales separates with ';': pick what the header uses.
	first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	cr := csv.NewReader(bytes.NewReader(data))
	if strings.Count(string(first), ";") > strings.Count(string(first), ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	var rows [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, platform.FieldError("file", "malformed_csv", "line %d: %v", pe.Line, pe.Err)
			}
			return nil, nil, platform.FieldError("file", "malformed_csv", "the CSV file cannot be read: %v", err)
		}
		line, _ := cr.FieldPos(0)
		rows = append(rows, rec)
		lines = append(lines, line)
	}
	return rows, lines, nil
}

func readXLSX(data []byte) ([][]string, []int, error) {
	// Raw values keep dates as serial numbers, whatever the cell format.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, nil, platform.FieldError("file", "malformed_xlsx", "the XLSX file cannot be read")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, platform.FieldError("file", "empty_file", "the workbook has no sheet")
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, nil, platform.FieldError("file", "malformed_xlsx", "the first sheet cannot be read")
	}
	defer it.Close()
	var rows [][]string
	var lines []int
	n := 0
	for it.Next() {
		n++
		row, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, nil, platform.FieldError("file", "malformed_xlsx", "row %d cannot be read", n)
		}
		if len(rows) == 0 && len(row) == 0 {
			continue // leading empty rows before the header
		}
		rows = append(rows, row)
		lines = append(lines, n)
		if len(rows) > MaxCodeEntries+1 {
			break
		}
	}
	// Date cells arrive as Excel serial numbers: turn them into ISO dates.
	for i := 1; i < len(rows); i++ {
		for j, c := range rows[i] {
			if looksSerialDate(c) && j < len(rows[0]) {
				if f, ok := importColumns[platform.Fold(strings.ReplaceAll(rows[0][j], "_", " "))]; ok && (f == "valid_from" || f == "valid_to") {
					if v, err := strconv.ParseFloat(c, 64); err == nil {
						if t, err := excelize.ExcelDateToTime(v, false); err == nil {
							rows[i][j] = workday.NewDate(t.Year(), t.Month(), t.Day()).String()
						}
					}
				}
			}
		}
	}
	return rows, lines, nil
}

// looksSerialDate: a plain number in the range of Excel dates 1900-2200.
func looksSerialDate(s string) bool {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil && v >= 1 && v < 110000 && !strings.ContainsAny(s, "-/")
}

// importNote is the default note of an imported version.
func importNote(name string, n int) string {
	return fmt.Sprintf("imported from %s (%d entries)", name, n)
}
