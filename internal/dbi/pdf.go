package dbi

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The certificate PDF is written by hand: PDF 1.4, one A4 landscape page,
// the standard Helvetica fonts (nothing embedded). Those fonts have no
// Vietnamese letters, so the PDF carries the text folded to ASCII
// ("Hình thành" -> "Hinh thanh"); the HTML certificate and the verification
// page show the full Vietnamese.

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

// pdfText is a content stream under construction.
type pdfText struct{ b bytes.Buffer }

const (
	pageW = 842 // A4 landscape, points
	pageH = 595
)

func (t *pdfText) text(font string, size float64, x, y float64, s string) {
	fmt.Fprintf(&t.b, "BT /%s %s Tf %s %s Td (%s) Tj ET\n", font, num(size), num(x), num(y), pdfEscape(Fold(s)))
}

// centre writes s centred on the page at height y.
func (t *pdfText) centre(font string, size, y float64, s string) {
	w := textWidth(font, Fold(s)) * size / 1000
	t.text(font, size, (pageW-w)/2, y, s)
}

func (t *pdfText) line(x1, y1, x2, y2, width float64) {
	fmt.Fprintf(&t.b, "%s w %s %s m %s %s l S\n", num(width), num(x1), num(y1), num(x2), num(y2))
}

func (t *pdfText) rect(x, y, w, h, width float64) {
	fmt.Fprintf(&t.b, "%s w %s %s %s %s re S\n", num(width), num(x), num(y), num(w), num(h))
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// pdfEscape escapes a PDF literal string; anything outside printable ASCII
// becomes "?" (the standard fonts cannot show it).
func pdfEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 32 && r < 127:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// Fold strips Vietnamese diacritics keeping case ("Đà Nẵng" -> "Da Nang"),
// for the PDF's standard fonts. (platform.Fold also lowercases; it is for search.)
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

// textWidth is the width of ASCII text in 1/1000 em (Helvetica AFM metrics).
func textWidth(font, s string) float64 {
	widths := &helvetica
	if font == "F2" {
		widths = &helveticaBold
	}
	w := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 32 && c < 127 {
			w += widths[c-32]
		} else {
			w += 556
		}
	}
	return float64(w)
}

// Widths of characters 32-126 in the standard Helvetica fonts (Adobe AFM).
var helvetica = [95]int{
	278, 278, 355, 556, 556, 889, 667, 222, 333, 333, 389, 584, 278, 333, 278, 278, // space-/
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0-?
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @-O
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P-_
	222, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `-o
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p-~
}

var helveticaBold = [95]int{
	278, 333, 474, 556, 556, 889, 722, 278, 333, 333, 389, 584, 278, 333, 278, 278,
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
	975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
	278, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
	611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
}

// CertificatePDF renders the certificate as a one-page PDF. verifyURL is the
// public verification address printed on it.
func CertificatePDF(c Certificate, verifyURL string) []byte {
	var t pdfText
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
	x0, x1, x2, x3 := 150.0, 520.0, 620.0, 692.0
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
	t.text("F1", 9, 60, 62, "Bản PDF dùng chữ không dấu; trang tra cứu hiển thị đầy đủ tiếng Việt.")
	t.text("F1", 10, 520, 92, fmt.Sprintf("Ngày cấp: %02d/%02d/%d", issued.Day(), int(issued.Month()), issued.Year()))
	t.text("F1", 10, 520, 76, "Cơ quan cấp: "+c.Issuer)
	t.text("F1", 10, 520, 62, "Người thẩm định: "+c.IssuedByName)

	var d pdfDoc
	d.add("<< /Type /Catalog /Pages 2 0 R >>")
	d.add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	d.add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>", pageW, pageH))
	d.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	d.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	d.addStream("", t.b.Bytes())
	info := d.add(fmt.Sprintf("<< /Title (%s) /Producer (govdx) /CreationDate (D:%s+07'00') >>",
		pdfEscape("Chung nhan muc do chuyen doi so "+c.Code), issued.Format("20060102150405")))
	return d.bytes(1, info)
}
