package opendata

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/govdx/govdx/internal/platform"
)

// Encodings recognised in uploaded text files. Text resources are stored
// as UTF-8 without a byte-order mark whatever they arrived in, so every
// published text file is machine-processable the same way (D47-17.1).
const (
	EncUTF8        = "utf-8"
	EncUTF8BOM     = "utf-8-bom"
	EncUTF16LE     = "utf-16le"
	EncUTF16BE     = "utf-16be"
	EncWindows1258 = "windows-1258"
)

// ingested is an upload that passed the checks, in a temporary file.
type ingested struct {
	tmp      string
	size     int64
	sha256   string
	format   Format
	encoding string
	check    Check
	fileName string
}

func (in *ingested) discard() {
	if in != nil && in.tmp != "" {
		_ = os.Remove(in.tmp)
	}
}

// ingest streams src to a temporary file (bounded by the upload limit,
// hashing as it goes), identifies and verifies the format, converts text
// to UTF-8, refuses zip bombs, and scans the content for personal
// information. On any error nothing is left behind.
func (s *Store) ingest(src io.Reader, fileName, declared string) (*ingested, error) {
	tmpDir := s.tmpDir()
	f, err := os.CreateTemp(tmpDir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("create upload file: %w", err)
	}
	in := &ingested{tmp: f.Name()}
	ok := false
	defer func() {
		if !ok {
			in.discard()
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(src, s.opts.MaxUpload+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || n > s.opts.MaxUpload:
		return nil, platform.Errorf(platform.ETooLarge, "file_too_large", "the file is larger than the limit of %s", humanBytes(s.opts.MaxUpload))
	case err != nil:
		return nil, withCause(platform.Errorf(platform.EInvalid, "upload_interrupted", "the upload was interrupted; try again"), err)
	case n == 0:
		return nil, platform.FieldError("file", "empty_file", "the file is empty")
	}
	in.size, in.sha256 = n, hex.EncodeToString(h.Sum(nil))

	head, err := readHead(in.tmp, 8192)
	if err != nil {
		return nil, err
	}
	format, err := identifyFormat(fileName, declared, head)
	if err != nil {
		return nil, err
	}
	in.format = format
	if !format.Open && s.opts.RequireOpenFormats {
		return nil, platform.FieldError("format", "closed_format", "%s is not an open format; publish the data as CSV, JSON, XML or XLSX (D47-17.1e)", format.Code)
	}
	var warnings []string
	if !format.Open {
		warnings = append(warnings, fmt.Sprintf("%s is not an open format; also publish the data as CSV, JSON, XML or XLSX (D47-17.1e)", format.Code))
	} else if format.Stars < 2 && format.Code != "ZIP" {
		warnings = append(warnings, fmt.Sprintf("%s is not machine-processable; also publish the data in a structured format such as CSV or JSON (D47-17.1)", format.Code))
	}

	if format.Text {
		if err := s.toUTF8(in, head); err != nil {
			return nil, err
		}
	}
	if format.Zip {
		if err := checkZip(in.tmp, format, s.opts.MaxUnzipped); err != nil {
			return nil, err
		}
	}
	check, err := s.scan(in.tmp, format)
	if err != nil {
		return nil, err
	}
	check.Warnings = append(warnings, check.Warnings...)
	in.check = check
	ok = true
	return in, nil
}

// withCause attaches an internal cause to a coded error (logged, never shown).
func withCause(e *platform.Error, err error) *platform.Error { e.Err = err; return e }

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	m, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b[:m], nil
}

var (
	magicZip = []byte("PK\x03\x04")
	magicOLE = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicPDF = []byte("%PDF-")
)

// identifyFormat decides the format from the declared code, else the file
// name, and checks the content agrees with it, so a mislabelled file is
// refused with a message saying what it really is.
func identifyFormat(fileName, declared string, head []byte) (Format, error) {
	var f Format
	switch {
	case declared != "":
		f = FormatOf(declared)
		if f.Code == "" {
			return f, platform.FieldError("format", "unsupported_format", "unsupported format %q; accepted: %s", declared, uploadFormatList())
		}
	default:
		f = FormatOfName(fileName)
		if f.Code == "" {
			f = sniffFormat(head)
		}
		if f.Code == "" {
			return f, platform.FieldError("file", "unsupported_format", "cannot tell the format of %q; accepted: %s", fileName, uploadFormatList())
		}
	}
	if f.LinkOnly {
		return f, platform.FieldError("format", "link_only_format", "%s resources are links to a service; add a link instead of a file", f.Code)
	}
	isZip := bytes.HasPrefix(head, magicZip) || bytes.HasPrefix(head, []byte("PK\x05\x06"))
	isOLE := bytes.HasPrefix(head, magicOLE)
	switch {
	case bytes.HasPrefix(head, []byte("MZ")) || bytes.HasPrefix(head, []byte("\x7fELF")):
		return f, platform.FieldError("file", "executable", "programs cannot be published as open data")
	case f.Code == "XLSX" && isOLE:
		return f, platform.FieldError("file", "not_xlsx", "the workbook is password-protected or in the old XLS format; save it as an unprotected .xlsx")
	case f.Zip && !isZip:
		return f, platform.FieldError("file", "not_zip", "the file is not a valid %s file (it is not a zip package)", f.Code)
	case !f.Zip && isZip:
		return f, platform.FieldError("file", "format_mismatch", "the file is a zip package, not %s; choose XLSX, ODS or ZIP", f.Code)
	case f.Code == "XLS" && !isOLE:
		return f, platform.FieldError("file", "not_xls", "the file is not an XLS workbook")
	case f.Code == "PDF" && !bytes.HasPrefix(head, magicPDF):
		return f, platform.FieldError("file", "not_pdf", "the file is not a PDF document")
	case f.Text && (isOLE || bytes.HasPrefix(head, magicPDF)):
		return f, platform.FieldError("file", "format_mismatch", "the file is a binary document, not %s", f.Code)
	}
	return f, nil
}

func sniffFormat(head []byte) Format {
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")), " \t\r\n")
	switch {
	case bytes.HasPrefix(head, magicZip):
		return FormatOf("ZIP")
	case bytes.HasPrefix(head, magicPDF):
		return FormatOf("PDF")
	case bytes.HasPrefix(t, []byte("{")) || bytes.HasPrefix(t, []byte("[")):
		return FormatOf("JSON")
	case bytes.HasPrefix(t, []byte("<")):
		return FormatOf("XML")
	}
	return Format{}
}

func uploadFormatList() string {
	var codes []string
	for _, f := range Formats {
		if !f.LinkOnly {
			codes = append(codes, f.Code)
		}
	}
	return strings.Join(codes, ", ")
}

// detectEncoding names the encoding of a text file: a BOM decides; UTF-16
// without a BOM is recognised by its zero bytes; otherwise the file is UTF-8
// if every byte sequence is valid, else Windows-1258 (the Vietnamese
// Windows code page that older Excel and office software still write).
func detectEncoding(path string, head []byte) (string, error) {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}) || bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}):
		return "", platform.FieldError("file", "unsupported_encoding", "UTF-32 text is not supported; save the file as UTF-8")
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return EncUTF8BOM, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return EncUTF16LE, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return EncUTF16BE, nil
	}
	if len(head) >= 16 {
		var even, odd int
		for i := 0; i+1 < len(head); i += 2 {
			if head[i] == 0 {
				even++
			}
			if head[i+1] == 0 {
				odd++
			}
		}
		half := len(head) / 2
		switch {
		case odd > half*3/10 && even == 0:
			return EncUTF16LE, nil
		case even > half*3/10 && odd == 0:
			return EncUTF16BE, nil
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	valid, err := validUTF8(f)
	if err != nil {
		return "", err
	}
	if valid {
		return EncUTF8, nil
	}
	return EncWindows1258, nil
}

// validUTF8 checks a stream in chunks, carrying an incomplete trailing
// sequence over to the next chunk.
func validUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		n += carry
		end := n
		if err == nil {
			// keep up to 3 bytes of a sequence that may continue
			for k := 1; k <= 3 && k <= n; k++ {
				if utf8.RuneStart(buf[n-k]) {
					if !utf8.FullRune(buf[n-k : n]) {
						end = n - k
					}
					break
				}
			}
		}
		if !utf8.Valid(buf[:end]) {
			return false, nil
		}
		carry = copy(buf, buf[end:n])
		if err == io.EOF {
			return carry == 0 || utf8.Valid(buf[:carry]), nil
		}
		if err != nil {
			return false, err
		}
	}
}

var xmlEncodingDecl = regexp.MustCompile(`^(\s*<\?xml[^>]*?\sencoding\s*=\s*)(["'])[^"']*(["'])`)

// toUTF8 converts a text upload to UTF-8 (no BOM, NFC) in a new temporary
// file and refuses binary content; a valid UTF-8 file is kept as it is.
func (s *Store) toUTF8(in *ingested, head []byte) error {
	enc, err := detectEncoding(in.tmp, head)
	if err != nil {
		return err
	}
	in.encoding = enc
	if enc == EncUTF8 {
		if bytes.IndexByte(head, 0) >= 0 {
			return platform.FieldError("file", "binary_content", "the file holds binary data, not %s text", in.format.Code)
		}
		return nil
	}
	var dec *encoding.Decoder
	switch enc {
	case EncUTF8BOM:
		dec = unicode.UTF8BOM.NewDecoder()
	case EncUTF16LE:
		dec = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
	case EncUTF16BE:
		dec = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
	case EncWindows1258:
		dec = charmap.Windows1258.NewDecoder()
	}
	if enc == EncUTF16LE || enc == EncUTF16BE {
		// ExpectBOM also accepts BOM-less input in the given byte order.
		if !bytes.HasPrefix(head, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
			order := unicode.LittleEndian
			if enc == EncUTF16BE {
				order = unicode.BigEndian
			}
			dec = unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder()
		}
	}
	src, err := os.Open(in.tmp)
	if err != nil {
		return err
	}
	defer src.Close()
	out, err := os.CreateTemp(s.tmpDir(), "utf8-*")
	if err != nil {
		return err
	}
	outName := out.Name()
	h := sha256.New()
	cw := &textGuard{w: io.MultiWriter(out, h)}
	var r io.Reader = transform.NewReader(src, dec)
	// Windows-1258 writes tones as combining marks: compose them (NFC).
	r = norm.NFC.Reader(r)
	br := bufio.NewReaderSize(r, 64<<10)
	if xmlFamily(in.format) {
		// The declaration would still name the old encoding: rewrite it.
		first, _ := br.Peek(512)
		if loc := xmlEncodingDecl.FindSubmatchIndex(first); loc != nil {
			fixed := xmlEncodingDecl.ReplaceAll(first[:loc[1]], []byte("${1}${2}UTF-8${3}"))
			if _, err := cw.Write(fixed); err != nil {
				out.Close()
				os.Remove(outName)
				return err
			}
			_, _ = br.Discard(loc[1])
		}
	}
	_, err = io.Copy(cw, br)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && cw.bad != "" {
		err = platform.FieldError("file", "invalid_text", "the file is not valid %s text (%s); save it as UTF-8", strings.ToUpper(enc), cw.bad)
	}
	if err != nil {
		os.Remove(outName)
		var pe *platform.Error
		if errors.As(err, &pe) {
			return pe
		}
		return platform.FieldError("file", "invalid_text", "cannot read the file as %s text; save it as UTF-8", strings.ToUpper(enc))
	}
	if err := os.Rename(outName, in.tmp); err != nil {
		os.Remove(outName)
		return err
	}
	in.size = cw.n
	in.sha256 = hex.EncodeToString(h.Sum(nil))
	return nil
}

func xmlFamily(f Format) bool { return f.Scan == "xml" }

// textGuard counts what passes and notes NUL bytes or replacement
// characters, which mean binary data or a wrong encoding.
type textGuard struct {
	w   io.Writer
	n   int64
	bad string
}

func (g *textGuard) Write(p []byte) (int, error) {
	if g.bad == "" {
		if i := bytes.IndexByte(p, 0); i >= 0 {
			g.bad = fmt.Sprintf("a zero byte at offset %d", g.n+int64(i))
		} else if i := bytes.Index(p, []byte("\uFFFD")); i >= 0 {
			g.bad = fmt.Sprintf("an undecodable byte near offset %d", g.n+int64(i))
		}
	}
	n, err := g.w.Write(p)
	g.n += int64(n)
	return n, err
}

// checkZip refuses zip bombs before anything decompresses the package: the
// declared sizes (which archive/zip enforces while reading) must stay under
// maxTotal, each large entry's compression ratio under zipMaxRatio, and the
// entry count under zipMaxEntries. It also checks the package is what its
// format says.
func checkZip(path string, f Format, maxTotal int64) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return platform.FieldError("file", "malformed_zip", "the %s file is damaged (not a readable zip package)", f.Code)
	}
	defer zr.Close()
	if len(zr.File) > zipMaxEntries {
		return platform.FieldError("file", "zip_bomb", "the package holds %d files (limit %d)", len(zr.File), zipMaxEntries)
	}
	var total uint64
	names := map[string]bool{}
	for _, e := range zr.File {
		total += e.UncompressedSize64
		if total > uint64(maxTotal) {
			return platform.FieldError("file", "zip_bomb", "the package expands to more than %s; split it or publish it as CSV", humanBytes(maxTotal))
		}
		if e.UncompressedSize64 > 1<<20 && e.CompressedSize64 > 0 && e.UncompressedSize64/e.CompressedSize64 > zipMaxRatio {
			return platform.FieldError("file", "zip_bomb", "the package entry %q is compressed %d times, which only a zip bomb is; refused",
				e.Name, e.UncompressedSize64/e.CompressedSize64)
		}
		if e.CompressedSize64 == 0 && e.UncompressedSize64 > 1<<20 {
			return platform.FieldError("file", "zip_bomb", "the package entry %q declares no compressed size; refused", e.Name)
		}
		names[strings.ToLower(e.Name)] = true
	}
	switch f.Code {
	case "XLSX":
		if !names["[content_types].xml"] || !names["xl/workbook.xml"] {
			return platform.FieldError("file", "not_xlsx", "the file is a zip package but not an XLSX workbook")
		}
	case "ODS":
		if !names["content.xml"] {
			return platform.FieldError("file", "not_ods", "the file is a zip package but not an ODS spreadsheet")
		}
	case "SHP":
		found := false
		for n := range names {
			if strings.HasSuffix(n, ".shp") {
				found = true
			}
		}
		if !found {
			return platform.FieldError("file", "not_shp", "the package holds no .shp file")
		}
	}
	return nil
}

// Zip limits: ratios of real spreadsheets stay far below; bombs are in the
// thousands.
const (
	zipMaxRatio   = 500
	zipMaxEntries = 10000
)

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
