package opendata

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/platform"
)

// scan runs the publication check of a stored file according to its
// format. Malformed content is an error (the upload is refused); content
// govdx cannot read is "unscanned" and held until an officer confirms it.
func (s *Store) scan(path string, f Format) (Check, error) {
	sc := newScanner()
	var err error
	switch f.Scan {
	case "csv":
		err = scanCSVFile(path, f, sc)
	case "json":
		err = scanJSONFile(path, f, sc)
	case "xml":
		err = scanXMLFile(path, sc)
	case "text":
		err = scanTextFile(path, sc)
	case "xlsx":
		err = scanXLSXFile(path, s.excelOptions(), sc)
	default:
		c := sc.result()
		c.Outcome = CheckUnscanned
		c.Warnings = append(c.Warnings, fmt.Sprintf("govdx cannot read %s content: an officer must confirm it holds no personal information (D47-20.1)", f.Code))
		return c, nil
	}
	if err != nil {
		return Check{}, err
	}
	return sc.result(), nil
}

func (s *Store) excelOptions() excelize.Options {
	return excelize.Options{UnzipSizeLimit: s.opts.MaxUnzipped, UnzipXMLSizeLimit: min(s.opts.MaxUnzipped, 16<<20), TmpDir: s.tmpDir()}
}

// sniffDelimiter picks the CSV delimiter from the first line: the most
// frequent of ',', ';' and tab outside quotes (Excel in Vietnamese locales
// writes ';', its "Unicode text" writes tabs).
func sniffDelimiter(firstLine string, f Format) rune {
	if f.Code == "TSV" {
		return '\t'
	}
	counts := map[rune]int{}
	inQuote := false
	for _, r := range firstLine {
		switch {
		case r == '"':
			inQuote = !inQuote
		case !inQuote && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best, n := ',', 0
	for _, r := range []rune{',', ';', '\t'} {
		if counts[r] > n {
			best, n = r, counts[r]
		}
	}
	return best
}

// openCSV opens a stored CSV/TSV file with its delimiter detected.
func openCSV(path string, f Format) (*csv.Reader, io.Closer, rune, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	br := bufio.NewReaderSize(fh, 64<<10)
	first, _ := br.Peek(8192)
	line := string(first)
	if i := strings.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	delim := sniffDelimiter(line, f)
	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr, fh, delim, nil
}

func scanCSVFile(path string, f Format, sc *scanner) error {
	cr, c, delim, err := openCSV(path, f)
	if err != nil {
		return err
	}
	defer c.Close()
	var header []string
	width := 0
	ragged := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				// The reader's own reasons are English: name the two quote
				// errors in words the pages translate.
				switch {
				case errors.Is(pe.Err, csv.ErrBareQuote):
					return platform.FieldError("file", "malformed_csv", "malformed %s at line %d, column %d: a quote inside a field that does not start with a quote; check the quotes", f.Code, pe.Line, pe.Column)
				case errors.Is(pe.Err, csv.ErrQuote):
					return platform.FieldError("file", "malformed_csv", "malformed %s at line %d, column %d: a quoted field is not closed, or a quote inside it is not doubled; check the quotes", f.Code, pe.Line, pe.Column)
				}
				return platform.FieldError("file", "malformed_csv", "malformed %s at line %d, column %d: %v; check the quotes", f.Code, pe.Line, pe.Column, pe.Err)
			}
			return platform.FieldError("file", "malformed_csv", "malformed %s: %v", f.Code, err)
		}
		line, _ := cr.FieldPos(0)
		if header == nil {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			header = append([]string(nil), rec...)
			width = len(rec)
			for i, name := range header {
				name = strings.TrimSpace(name)
				header[i] = name
				sc.header(strconv.Itoa(i), name, func() string { return fmt.Sprintf("header, column %s", colLetter(i)) })
			}
			sc.columns = header
			continue
		}
		sc.rows++
		if len(rec) != width && ragged == 0 {
			ragged = line
		}
		for i, v := range rec {
			col := ""
			if i < len(header) {
				col = header[i]
			}
			sc.value(v, strconv.Itoa(i), col, func() string {
				if col != "" {
					return fmt.Sprintf("line %d, column %s (%s)", line, colLetter(i), col)
				}
				return fmt.Sprintf("line %d, column %s", line, colLetter(i))
			})
		}
	}
	if header == nil {
		return platform.FieldError("file", "empty_file", "the %s file has no rows", f.Code)
	}
	if sc.rows == 0 {
		sc.warnings = append(sc.warnings, "the file has a header but no data rows")
	}
	if ragged > 0 {
		sc.warnings = append(sc.warnings, fmt.Sprintf("line %d has a different number of fields from the header (%d)", ragged, width))
	}
	if width == 1 && delim == ',' && sc.rows > 0 {
		sc.warnings = append(sc.warnings, "only one column was found; check the delimiter")
	}
	return nil
}

// scanJSONFile walks the whole document token by token (so huge files use
// little memory), treating object keys as column names.
func scanJSONFile(path string, f Format, sc *scanner) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(fh, 64<<10))
	dec.UseNumber()
	type frame struct {
		obj       bool
		expectKey bool
		key       string
	}
	var stack []frame
	topType := ""
	done := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return platform.FieldError("file", "malformed_json", "malformed %s near byte %d: %v", f.Code, dec.InputOffset(), err)
		}
		if done {
			return platform.FieldError("file", "malformed_json", "the %s file must hold a single JSON value (extra data at byte %d)", f.Code, dec.InputOffset())
		}
		valueDone := func() {
			if len(stack) > 0 && stack[len(stack)-1].obj {
				stack[len(stack)-1].expectKey = true
			}
			if len(stack) == 0 {
				done = true
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				sc.rows++
				stack = append(stack, frame{obj: true, expectKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].expectKey {
				stack[n-1].expectKey = false
				stack[n-1].key = t
				off := dec.InputOffset()
				sc.header(t, t, func() string { return fmt.Sprintf("key %q near byte %d", t, off) })
				continue
			}
			key := ""
			if n := len(stack); n > 0 && stack[n-1].obj {
				key = stack[n-1].key
			}
			if len(stack) == 1 && key == "type" {
				topType = t
			}
			off := dec.InputOffset()
			sc.value(t, key, key, func() string {
				if key != "" {
					return fmt.Sprintf("key %q near byte %d", key, off)
				}
				return fmt.Sprintf("near byte %d", off)
			})
			valueDone()
		case json.Number:
			// Integers may be identity numbers; decimals (coordinates) are not.
			if s := t.String(); !strings.ContainsAny(s, ".eE") {
				key := ""
				if n := len(stack); n > 0 && stack[n-1].obj {
					key = stack[n-1].key
				}
				off := dec.InputOffset()
				sc.value(s, key, key, func() string { return fmt.Sprintf("key %q near byte %d", key, off) })
			}
			valueDone()
		default:
			valueDone()
		}
	}
	if !done {
		return platform.FieldError("file", "malformed_json", "the %s file is empty or truncated", f.Code)
	}
	if f.Code == "GEOJSON" {
		switch topType {
		case "FeatureCollection", "Feature", "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection":
		default:
			return platform.FieldError("file", "not_geojson", "not GeoJSON: the top-level \"type\" must be FeatureCollection, Feature or a geometry")
		}
	}
	return nil
}

// scanXMLFile parses the whole document (Go's decoder neither fetches
// external entities nor expands entity definitions, so XXE and "billion
// laughs" documents fail as malformed), treating element and attribute
// names as column names.
func scanXMLFile(path string, sc *scanner) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	dec := xml.NewDecoder(bufio.NewReaderSize(fh, 64<<10))
	dec.Strict = true
	var stack []string
	root := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, _ := dec.InputPos()
			return platform.FieldError("file", "malformed_xml", "malformed XML at line %d: %v", line, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if root {
					return platform.FieldError("file", "malformed_xml", "the XML document has more than one root element")
				}
				root = true
			}
			name := t.Name.Local
			stack = append(stack, name)
			line, _ := dec.InputPos()
			sc.header(name, name, func() string { return fmt.Sprintf("element <%s>, line %d", name, line) })
			for _, a := range t.Attr {
				an := a.Name.Local
				sc.header("@"+an, an, func() string { return fmt.Sprintf("attribute %s, line %d", an, line) })
				sc.value(a.Value, "@"+an, an, func() string { return fmt.Sprintf("attribute %s, line %d", an, line) })
			}
			sc.rows++
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			v := strings.TrimSpace(string(t))
			name := stack[len(stack)-1]
			line, _ := dec.InputPos()
			sc.value(v, name, name, func() string { return fmt.Sprintf("element <%s>, line %d", name, line) })
		case xml.Directive:
			if strings.Contains(strings.ToUpper(string(t)), "ENTITY") {
				return platform.FieldError("file", "xml_entities", "XML entity declarations are not accepted")
			}
		}
	}
	if !root {
		return platform.FieldError("file", "malformed_xml", "the XML document has no root element")
	}
	return nil
}

func scanTextFile(path string, sc *scanner) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	br := bufio.NewScanner(fh)
	br.Buffer(make([]byte, 64<<10), 4<<20)
	line := 0
	for br.Scan() {
		line++
		sc.rows++
		l := line
		sc.value(br.Text(), "", "", func() string { return fmt.Sprintf("line %d", l) })
	}
	if err := br.Err(); err != nil {
		return platform.FieldError("file", "malformed_text", "cannot read line %d: %v", line+1, err)
	}
	return nil
}

// scanXLSXFile reads every sheet row by row (excelize streams the sheet
// XML); the first non-empty row of a sheet is its header.
func scanXLSXFile(path string, opts excelize.Options, sc *scanner) error {
	f, err := excelize.OpenFile(path, opts)
	if err != nil {
		return xlsxError(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return platform.FieldError("file", "malformed_xlsx", "the workbook has no sheets")
	}
	for _, sheet := range sheets {
		rows, err := f.Rows(sheet)
		if err != nil {
			return xlsxError(err)
		}
		var header []string
		r := 0
		for rows.Next() {
			r++
			cols, err := rows.Columns()
			if err != nil {
				rows.Close()
				return xlsxError(err)
			}
			if header == nil {
				if len(strings.Join(cols, "")) == 0 {
					continue
				}
				header = cols
				for i, name := range cols {
					name = strings.TrimSpace(name)
					header[i] = name
					key := sheet + "\x00" + strconv.Itoa(i)
					sc.header(key, name, func() string { return fmt.Sprintf("sheet %q, cell %s%d", sheet, colLetter(i), r) })
				}
				if len(sc.columns) == 0 {
					sc.columns = append([]string(nil), header...)
				}
				continue
			}
			sc.rows++
			row := r
			for i, v := range cols {
				col := ""
				if i < len(header) {
					col = header[i]
				}
				sc.value(v, sheet+"\x00"+strconv.Itoa(i), col, func() string { return fmt.Sprintf("sheet %q, cell %s%d", sheet, colLetter(i), row) })
			}
		}
		if err := rows.Error(); err != nil {
			rows.Close()
			return xlsxError(err)
		}
		rows.Close()
	}
	return nil
}

func xlsxError(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "unzip size") || strings.Contains(msg, "exceeds") {
		return platform.FieldError("file", "zip_bomb", "the workbook expands beyond the size limit; refused")
	}
	if errors.Is(err, excelize.ErrWorkbookPassword) || errors.Is(err, excelize.ErrWorkbookFileFormat) {
		return platform.FieldError("file", "malformed_xlsx", "the workbook is password-protected or not an XLSX file")
	}
	return platform.FieldError("file", "malformed_xlsx", "the XLSX workbook is damaged: %v", err)
}
