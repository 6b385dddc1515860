package syncshare

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/govdx/govdx/internal/platform"
)

// File formats of snapshots and packages.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
	FormatXLSX = "xlsx"
)

// Formats lists the accepted formats.
var Formats = []string{FormatCSV, FormatJSON, FormatXLSX}

// mediaTypes of the formats.
var mediaTypes = map[string]string{
	FormatCSV:  "text/csv; charset=utf-8",
	FormatJSON: "application/json",
	FormatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// upload is a file streamed to a temporary path, with its size and SHA-256.
type upload struct {
	path string
	size int64
	sha  [32]byte
}

func (u *upload) remove() {
	if u != nil {
		_ = os.Remove(u.path)
	}
}

// receive streams r to a temporary file, bounded by MaxUpload, so a huge
// file costs disk, not memory, and is refused before anything is stored.
func (s *Store) receive(r io.Reader) (*upload, error) {
	if err := os.MkdirAll(s.opts.TmpDir, 0o750); err != nil {
		return nil, fmt.Errorf("upload directory: %w", err)
	}
	f, err := os.CreateTemp(s.opts.TmpDir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("upload file: %w", err)
	}
	u := &upload{path: f.Name()}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, s.opts.MaxUpload+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		u.remove()
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(s.opts.MaxUpload)
		}
		return nil, platform.Errorf(platform.EInvalid, "unreadable_upload", "the file could not be received: %v", err)
	}
	if n > s.opts.MaxUpload {
		u.remove()
		return nil, tooLarge(s.opts.MaxUpload)
	}
	if n == 0 {
		u.remove()
		return nil, platform.FieldError("file", "empty_file", "the file is empty")
	}
	u.size = n
	copy(u.sha[:], h.Sum(nil))
	return u, nil
}

func tooLarge(limit int64) error {
	e := platform.Errorf(platform.ETooLarge, "file_too_large", "the file is larger than %d MiB", limit>>20)
	e.Field = "file"
	e.Extra = map[string]any{"limit": limit}
	return e
}

// detectFormat takes the declared format, else recognises the content: a
// zip package is XLSX, '[' or '{' starts JSON, anything else is CSV.
func detectFormat(declared, path string) (string, error) {
	head := make([]byte, 512)
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	n, _ := io.ReadFull(f, head)
	f.Close()
	head = bytes.TrimPrefix(head[:n], []byte("\ufeff"))
	sniffed := FormatCSV
	switch t := bytes.TrimLeft(head, " \t\r\n"); {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		sniffed = FormatXLSX
	case len(t) > 0 && (t[0] == '[' || t[0] == '{'):
		sniffed = FormatJSON
	}
	declared = strings.ToLower(strings.TrimSpace(declared))
	switch declared {
	case "":
		return sniffed, nil
	case FormatCSV, FormatJSON, FormatXLSX:
	default:
		return "", platform.FieldError("format", "unsupported_format", "the format must be csv, json or xlsx")
	}
	// The content must agree with the declaration: a zip named .csv or a
	// CSV named .xlsx is refused rather than misread.
	if (declared == FormatXLSX) != (sniffed == FormatXLSX) {
		return "", platform.FieldError("file", "format_mismatch", "the file is not %s", strings.ToUpper(declared))
	}
	return declared, nil
}

// problems collects the bad lines of a file, so one answer lists them all
// (up to maxProblems) and the provider fixes the file in one go.
type problems struct {
	list  []string
	total int
}

const maxProblems = 20

func (p *problems) add(format string, args ...any) {
	p.total++
	if len(p.list) < maxProblems {
		p.list = append(p.list, fmt.Sprintf(format, args...))
	}
}

func (p *problems) err() error {
	if p.total == 0 {
		return nil
	}
	msg := p.list[0]
	if p.total > 1 {
		msg = fmt.Sprintf("%s (and %d more problems)", msg, p.total-1)
	}
	e := platform.FieldError("file", "invalid_file", "the file was refused, nothing was stored: %s", msg)
	e.Extra = map[string]any{"errors": p.list, "error_count": p.total}
	return e
}

// record is one row of a table: item key -> compact JSON value.
type record map[string]json.RawMessage

// rowFunc receives each row with its position ("line 3", "row 3",
// "record 3") for error messages.
type rowFunc func(pos string, rec record) error

// columnsFor maps header cells to item keys: the key itself or its label
// (compared without case and diacritics).
func columnsFor(svc Service, header []string, pb *problems) []string {
	out := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		key := ""
		for _, it := range svc.Items {
			if h == it.Key || (it.Label != "" && platform.Fold(h) == platform.Fold(it.Label)) {
				key = it.Key
				break
			}
		}
		switch {
		case h == "":
			pb.add("column %d has no name", i+1)
		case key == "":
			pb.add("column %q is not a data item of the service (items: %s)", h, strings.Join(svc.ItemKeys(), ", "))
		case seen[key]:
			pb.add("column %q appears twice", h)
		}
		seen[key] = true
		out[i] = key
	}
	return out
}

// readTable reads a CSV, XLSX or JSON file row by row, checking it against
// the service's items. It returns the columns (item keys) in file order.
// Structural problems stop it; row problems are collected in pb.
func (s *Store) readTable(path, format string, svc Service, pb *problems, fn rowFunc) ([]string, error) {
	switch format {
	case FormatCSV:
		return s.readCSV(path, svc, pb, fn)
	case FormatXLSX:
		return s.readXLSX(path, svc, pb, fn)
	case FormatJSON:
		return s.readJSON(path, svc, pb, fn)
	}
	return nil, platform.FieldError("format", "unsupported_format", "the format must be csv, json or xlsx")
}

func stringValue(v string) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// cellsToRecord turns the cells of a row into a record; empty cells are
// left out.
func cellsToRecord(cols, cells []string) record {
	rec := make(record, len(cols))
	for i, c := range cells {
		if i < len(cols) && c != "" && cols[i] != "" {
			rec[cols[i]] = stringValue(c)
		}
	}
	return rec
}

func (s *Store) readCSV(path string, svc Service, pb *problems, fn rowFunc) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	first, _ := br.Peek(4096)
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(first)
	cr.FieldsPerRecord = -1 // checked here, to name the line
	cr.ReuseRecord = true
	var cols []string
	rows := 0
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				pb.add("line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
				return cols, nil // the rest cannot be read reliably
			}
			return cols, err
		}
		bad := false
		for _, c := range cells {
			if !utf8.ValidString(c) {
				pb.add("line %d is not UTF-8 text: save the file as CSV UTF-8", line)
				bad = true
				break
			}
		}
		if bad {
			continue
		}
		if cols == nil {
			cols = columnsFor(svc, cells, pb)
			if pb.total > 0 {
				return cols, nil
			}
			continue
		}
		if blank(cells) {
			continue
		}
		if len(cells) != len(cols) {
			pb.add("line %d has %d fields, the header has %d", line, len(cells), len(cols))
			continue
		}
		if rows++; rows > s.opts.MaxRows {
			pb.add("the file has more than %d rows", s.opts.MaxRows)
			return cols, nil
		}
		if err := fn("line "+strconv.Itoa(line), cellsToRecord(cols, cells)); err != nil {
			return cols, err
		}
	}
	if cols == nil {
		pb.add("the file has no header row")
	}
	return cols, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// sniffDelimiter picks ',', ';' or tab, whichever the first line holds
// most outside quotes (Excel in Vietnamese locales writes ';').
func sniffDelimiter(head []byte) rune {
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(head) {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// Zip limits for XLSX: real workbooks stay far below; bombs are in the
// thousands.
const (
	zipMaxRatio   = 500
	zipMaxEntries = 10000
)

// checkZip refuses zip bombs before anything decompresses the workbook:
// declared sizes (which archive/zip enforces while reading) within
// maxTotal, large entries compressed at most zipMaxRatio times, at most
// zipMaxEntries entries; and the package must be a workbook.
func checkZip(path string, maxTotal int64) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return platform.FieldError("file", "malformed_xlsx", "the XLSX file is damaged (not a readable zip package)")
	}
	defer zr.Close()
	if len(zr.File) > zipMaxEntries {
		return platform.FieldError("file", "zip_bomb", "the workbook holds %d parts (limit %d); refused", len(zr.File), zipMaxEntries)
	}
	var total uint64
	names := map[string]bool{}
	for _, e := range zr.File {
		total += e.UncompressedSize64
		if total > uint64(maxTotal) {
			return platform.FieldError("file", "zip_bomb", "the workbook expands to more than %d MiB; refused", maxTotal>>20)
		}
		if e.UncompressedSize64 > 1<<20 && (e.CompressedSize64 == 0 || e.UncompressedSize64/e.CompressedSize64 > zipMaxRatio) {
			return platform.FieldError("file", "zip_bomb", "the workbook part %q is compressed beyond what a spreadsheet is; refused", e.Name)
		}
		names[strings.ToLower(e.Name)] = true
	}
	if !names["[content_types].xml"] || !names["xl/workbook.xml"] {
		return platform.FieldError("file", "not_xlsx", "the file is a zip package but not an XLSX workbook")
	}
	return nil
}

func xlsxError(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "unzip size") || strings.Contains(msg, "exceeds") {
		return platform.FieldError("file", "zip_bomb", "the workbook expands beyond the size limit; refused")
	}
	return platform.FieldError("file", "malformed_xlsx", "the XLSX workbook could not be read: %v", err)
}

func (s *Store) readXLSX(path string, svc Service, pb *problems, fn rowFunc) ([]string, error) {
	if err := checkZip(path, s.opts.MaxUnzipped); err != nil {
		return nil, err
	}
	wb, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: s.opts.MaxUnzipped,
		UnzipXMLSizeLimit: min(s.opts.MaxUnzipped, 16<<20), TmpDir: s.opts.TmpDir})
	if err != nil {
		return nil, xlsxError(err)
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		pb.add("the workbook has no sheet")
		return nil, nil
	}
	rows, err := wb.Rows(sheets[0])
	if err != nil {
		return nil, xlsxError(err)
	}
	defer rows.Close()
	var cols []string
	n, count := 0, 0
	for rows.Next() {
		n++
		cells, err := rows.Columns()
		if err != nil {
			return cols, xlsxError(err)
		}
		if blank(cells) {
			continue
		}
		if cols == nil {
			cols = columnsFor(svc, cells, pb)
			if pb.total > 0 {
				return cols, nil
			}
			continue
		}
		if len(cells) > len(cols) && !blank(cells[len(cols):]) {
			pb.add("sheet %q, row %d has values beyond the header's %d columns", sheets[0], n, len(cols))
			continue
		}
		if count++; count > s.opts.MaxRows {
			pb.add("the sheet has more than %d rows", s.opts.MaxRows)
			return cols, nil
		}
		if err := fn(fmt.Sprintf("row %d", n), cellsToRecord(cols, cells)); err != nil {
			return cols, err
		}
	}
	if err := rows.Error(); err != nil {
		return cols, xlsxError(err)
	}
	if cols == nil {
		pb.add("sheet %q has no header row", sheets[0])
	}
	return cols, nil
}

// readJSON reads an array of objects whose keys are data items, streaming.
func (s *Store) readJSON(path string, svc Service, pb *problems, fn rowFunc) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	dec := json.NewDecoder(br)
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		pb.add("the JSON file must hold an array of objects, one per record")
		return nil, nil
	}
	var cols []string
	seen := map[string]bool{}
	for i := 1; dec.More(); i++ {
		var rec record
		if err := dec.Decode(&rec); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				pb.add("record %d is not a JSON object", i)
				continue
			}
			pb.add("record %d: malformed JSON near byte %d", i, dec.InputOffset())
			return cols, nil
		}
		if i > s.opts.MaxRows {
			pb.add("the file has more than %d records", s.opts.MaxRows)
			return cols, nil
		}
		for k := range rec {
			if !svc.hasItem(k) {
				pb.add("record %d: %q is not a data item of the service (items: %s)", i, k, strings.Join(svc.ItemKeys(), ", "))
				delete(rec, k)
				continue
			}
			if !seen[k] {
				seen[k] = true
				cols = append(cols, k)
			}
		}
		if err := fn("record "+strconv.Itoa(i), rec); err != nil {
			return cols, err
		}
	}
	if _, err := dec.Token(); err != nil {
		pb.add("the JSON array is not closed")
		return cols, nil
	}
	if _, err := dec.Token(); err != io.EOF {
		pb.add("the file holds more than one JSON value")
	}
	// Columns in the service's item order, so files of the same service
	// always look alike.
	ordered := make([]string, 0, len(cols))
	for _, k := range svc.ItemKeys() {
		if seen[k] {
			ordered = append(ordered, k)
		}
	}
	return ordered, nil
}

// canonical renders a record as a JSON object with sorted keys and
// compact values, so equal records compare equal as text.
func canonical(rec record) ([]byte, error) {
	return json.Marshal(map[string]json.RawMessage(rec))
}

// keyOf returns a record's key from its key item: a string, or a number
// as written.
func keyOf(rec record, keyItem string) (string, bool) {
	raw, ok := rec[keyItem]
	if !ok {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), true
	}
	return "", false
}

// checkKey validates a record key.
func checkKey(k string) string {
	switch {
	case strings.TrimSpace(k) == "":
		return "the key is empty"
	case len(k) > 200:
		return "the key is longer than 200 bytes"
	case !utf8.ValidString(k):
		return "the key is not UTF-8 text"
	}
	for _, c := range k {
		if c < 0x20 || c == 0x7f {
			return "the key holds a control character"
		}
	}
	return ""
}
