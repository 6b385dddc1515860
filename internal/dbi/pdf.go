package dbi

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"
)

// The certificate PDF is written by hand: PDF 1.4, one A4 landscape page,
// with DejaVu Sans embedded (fonts/, free licence: fonts/LICENSE-DejaVu.txt)
// as a Type0/Identity-H font, so Vietnamese prints with its diacritics and
// the text can be copied (ToUnicode). "F2" is the same font drawn bold
// (filled and stroked), which keeps one font file in the PDF.

//go:embed fonts/DejaVuSans.ttf
var fontData []byte

// pdfFont is parsed once; it is read-only afterwards.
var pdfFont = sync.OnceValues(func() (*ttfFont, error) { return parseTTF("DejaVuSans", fontData) })

// pdfDoc collects numbered objects and writes them with a correct xref table.
type pdfDoc struct {
	objs [][]byte
}

func (d *pdfDoc) add(body string) int {
	d.objs = append(d.objs, []byte(body))
	return len(d.objs)
}

func (d *pdfDoc) addStream(dict string, data []byte) int {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<< %s /Length %d >>\nstream\n", dict, len(data))
	b.Write(data)
	b.WriteString("\nendstream")
	d.objs = append(d.objs, b.Bytes())
	return len(d.objs)
}

// bytes writes the file: header, objects, xref (byte offsets of each
// object), trailer. root and info are object numbers.
func (d *pdfDoc) bytes(root, info int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n") // binary marker: the file holds 8-bit data
	offsets := make([]int, len(d.objs))
	for i, o := range d.objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		b.Write(o)
		b.WriteString("\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(d.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off) // each entry is exactly 20 bytes
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(d.objs)+1, root, info, xref)
	return b.Bytes()
}

// pdfText is a content stream under construction; it remembers the glyphs
// each font used, for the widths and the ToUnicode map.
type pdfText struct {
	b    bytes.Buffer
	font *ttfFont
	used map[uint16]rune
}

const (
	pageW = 842 // A4 landscape, points
	pageH = 595
)

// glyphs maps s (composed, NFC: Vietnamese letters are single code points
// in the font) to glyph ids; characters the font lacks print as "?".
func (t *pdfText) glyphs(s string) []uint16 {
	f := t.font
	var out []uint16
	for _, r := range norm.NFC.String(s) {
		g, ok := f.glyph[r]
		if !ok {
			r = '?'
			g = f.glyph['?']
		}
		t.used[g] = r
		out = append(out, g)
	}
	return out
}

func (t *pdfText) text(font string, size float64, x, y float64, s string) {
	mode := "0 Tr"
	if font == "F2" {
		mode = "2 Tr " + num(size*0.04) + " w" // bold: fill and stroke the outline
	}
	fmt.Fprintf(&t.b, "BT /F1 %s Tf %s %s %s Td <", num(size), mode, num(x), num(y))
	for _, g := range t.glyphs(s) {
		fmt.Fprintf(&t.b, "%04X", g)
	}
	t.b.WriteString("> Tj ET\n")
}

// textWidth is the width of s in 1/1000 em.
func (t *pdfText) textWidth(font, s string) float64 {
	w := 0
	for _, g := range t.glyphs(s) {
		w += t.font.width1000(g)
	}
	return float64(w)
}

// centre writes s centred on the page at height y.
func (t *pdfText) centre(font string, size, y float64, s string) {
	w := t.textWidth(font, s) * size / 1000
	t.text(font, size, (pageW-w)/2, y, s)
}

func (t *pdfText) line(x1, y1, x2, y2, width float64) {
	fmt.Fprintf(&t.b, "%s w %s %s m %s %s l S\n", num(width), num(x1), num(y1), num(x2), num(y2))
}

func (t *pdfText) rect(x, y, w, h, width float64) {
	fmt.Fprintf(&t.b, "%s w %s %s %s %s re S\n", num(width), num(x), num(y), num(w), num(h))
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Fold strips Vietnamese diacritics keeping case ("Đà Nẵng" -> "Da Nang"),
// for file names and plain-ASCII contexts. (platform.Fold also lowercases; it is for search.)
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			r = 'd'
		case r == 'Đ':
			r = 'D'
		case r == '–' || r == '—':
			r = '-'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CertificatePDF renders the certificate as a one-page PDF. verifyURL is the
// public verification address printed on it.
func CertificatePDF(c Certificate, verifyURL string) []byte {
	font, err := pdfFont()
	if err != nil {
		panic("dbi: embedded certificate font: " + err.Error()) // shipped with the binary; a test parses it
	}
	t := pdfText{font: font, used: map[uint16]rune{}}
	t.rect(24, 24, pageW-48, pageH-48, 2)
	t.rect(30, 30, pageW-60, pageH-60, 0.5)
	t.centre("F2", 12, 540, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	t.centre("F2", 11, 524, "Độc lập - Tự do - Hạnh phúc")
	t.centre("F2", 20, 486, "GIẤY CHỨNG NHẬN MỨC ĐỘ CHUYỂN ĐỔI SỐ DOANH NGHIỆP")
	t.centre("F1", 10, 468, "Bộ chỉ số đánh giá mức độ chuyển đổi số doanh nghiệp (Quyết định 1970/QĐ-BTTTT ngày 13/12/2021)")
	t.centre("F2", 16, 436, c.EnterpriseName)
	t.centre("F1", 11, 418, fmt.Sprintf("Mã số thuế: %s   -   Tỉnh, thành phố: %s", c.TaxCode, c.ProvinceName))
	t.centre("F1", 11, 402, fmt.Sprintf("Bộ chỉ số: %s   -   Năm đánh giá: %d", c.Index.Label("vi"), c.Year))
	t.centre("F2", 18, 370, fmt.Sprintf("Mức độ chuyển đổi số: Mức %d - %s", c.Level, LevelName(c.Level, "vi")))
	score := "Tổng điểm: " + c.Score(c.Total) + " / " + c.Score(c.Max)
	if c.Index == Group {
		score = "Điểm tập đoàn (Đth): " + c.Score(c.Total) + " / 5"
	}
	t.centre("F1", 12, 352, score)

	// Pillar table.
	x0, x1, x2, x3 := 110.0, 500.0, 600.0, 732.0
	y := 326.0
	t.line(x0, y+14, x3, y+14, 0.8)
	t.text("F2", 10, x0+6, y, "Trụ cột")
	t.text("F2", 10, x1+6, y, "Điểm")
	t.text("F2", 10, x2+6, y, "Mức")
	t.line(x0, y-6, x3, y-6, 0.8)
	for _, p := range c.Pillars() {
		y -= 20
		t.text("F1", 10, x0+6, y, fmt.Sprintf("%d. %s", p.Number, p.Name.VI))
		t.text("F1", 10, x1+6, y, c.Score(p.Points)+" / "+c.Score(p.Max))
		t.text("F1", 10, x2+6, y, fmt.Sprintf("%d - %s", p.Level, LevelName(p.Level, "vi")))
		t.line(x0, y-6, x3, y-6, 0.3)
	}
	for _, x := range []float64{x0, x1, x2, x3} {
		t.line(x, y-6, x, 340, 0.5)
	}
	issued := c.IssuedAt.In(vnZone)
	t.text("F1", 10, 60, 92, "Mã xác thực: ")
	t.text("F2", 12, 128, 92, c.Code)
	t.text("F1", 9, 60, 76, "Tra cứu tại: "+verifyURL)
	t.text("F1", 10, 520, 92, fmt.Sprintf("Ngày cấp: %02d/%02d/%d", issued.Day(), int(issued.Month()), issued.Year()))
	t.text("F1", 10, 520, 76, "Cơ quan cấp: "+c.Issuer)
	t.text("F1", 10, 520, 62, "Người thẩm định: "+c.IssuedByName)

	var d pdfDoc
	d.add("<< /Type /Catalog /Pages 2 0 R >>")
	d.add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>", pageW, pageH))
	d.add("") // object 4, the Type0 font, written once its glyphs are known
	d.addStream("", t.b.Bytes())
	d.objs[3] = []byte(embedFont(&d, font, t.used))
	info := d.add(fmt.Sprintf("<< /Title %s /Producer (govdx) /CreationDate (D:%s+07'00') >>",
		utf16Hex("Giấy chứng nhận mức độ chuyển đổi số "+c.Code), issued.Format("20060102150405")))
	return d.bytes(1, info)
}

// embedFont adds the descendant CIDFontType2, its descriptor, the font file
// and the ToUnicode map, and returns the Type0 font dictionary.
func embedFont(d *pdfDoc, f *ttfFont, used map[uint16]rune) string {
	file := d.addStream(fmt.Sprintf("/Length1 %d", len(f.data)), f.data)
	scale := func(v int) int { return v * 1000 / f.unitsPerEm }
	desc := d.add(fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>",
		f.name, scale(f.bbox[0]), scale(f.bbox[1]), scale(f.bbox[2]), scale(f.bbox[3]), scale(f.ascent), scale(f.descent), scale(f.ascent), file))
	gids := make([]int, 0, len(used))
	for g := range used {
		gids = append(gids, int(g))
	}
	sort.Ints(gids)
	var w, cmap strings.Builder
	for _, g := range gids {
		fmt.Fprintf(&w, "%d [%d] ", g, f.width1000(uint16(g)))
	}
	cmap.WriteString("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def 1 begincodespacerange <0000> <FFFF> endcodespacerange\n")
	for i := 0; i < len(gids); i += 100 { // at most 100 entries per block
		chunk := gids[i:min(i+100, len(gids))]
		fmt.Fprintf(&cmap, "%d beginbfchar\n", len(chunk))
		for _, g := range chunk {
			fmt.Fprintf(&cmap, "<%04X> <%s\n", g, utf16Hex(string(used[uint16(g)]))[5:])
		}
		cmap.WriteString("endbfchar\n")
	}
	cmap.WriteString("endcmap CMapName currentdict /CMap defineresource pop end end")
	toUnicode := d.addStream("", []byte(cmap.String()))
	cid := d.add(fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap /Identity /DW 1000 /W [%s] >>",
		f.name, desc, strings.TrimSpace(w.String())))
	return fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", f.name, cid, toUnicode)
}

// utf16Hex writes s as a PDF text string in UTF-16BE with its byte-order
// mark ("<FEFF...>"), which is how PDF carries non-Latin-1 text in metadata.
func utf16Hex(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}
