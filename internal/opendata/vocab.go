package opendata

import (
	"path"
	"strings"
)

// License is an open licence a dataset may carry. Every licence offered
// requires attribution, as D47-18 does.
type License struct {
	ID      string
	TitleVI string
	TitleEN string
	// URL is the licence text; empty means this portal's licence page.
	URL string
}

// DefaultLicense is the licence of a dataset that names none: the portal's
// open-data licence, whose terms are those of D47-18.
const DefaultLicense = "vn-odl-1.0"

// Licenses are the licences offered, the default first.
var Licenses = []License{
	{DefaultLicense, "Giấy phép dữ liệu mở (theo Điều 18 Nghị định 47/2020/NĐ-CP)", "Open data licence (terms of Decree 47/2020 art. 18)", ""},
	{"cc-by-4.0", "Creative Commons Ghi công 4.0 Quốc tế", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"},
	{"odc-by", "Open Data Commons Ghi công", "Open Data Commons Attribution License", "https://opendatacommons.org/licenses/by/1-0/"},
}

// LicenseOf returns the licence with an id.
func LicenseOf(id string) (License, bool) {
	for _, l := range Licenses {
		if l.ID == id {
			return l, true
		}
	}
	return License{}, false
}

// Title returns the licence's title in lang.
func (l License) Title(lang string) string {
	if lang == "en" {
		return l.TitleEN
	}
	return l.TitleVI
}

// Term is one of the D47-18 rules of use shown on every dataset.
type Term struct{ VI, EN string }

// UseTerms are the D47-18 rules of use, shown on every dataset whatever its
// licence (since Decree 194/2025 they stand as the portal's terms of use).
var UseTerms = []Term{
	{"Được tự do sao chép, chia sẻ, trao đổi, kết hợp với dữ liệu khác và sử dụng, kể cả cho mục đích thương mại, miễn phí.",
		"You may copy, share, exchange, combine with other data and use the data freely, including commercially, free of charge."},
	{"Phải ghi nguồn dữ liệu (tên cơ quan công bố và địa chỉ tập dữ liệu) khi sử dụng hoặc chia sẻ.",
		"You must cite the source (the publishing agency and the dataset's address) when you use or share the data."},
	{"Không được bán lại nguyên trạng dữ liệu mở.",
		"You must not sell the open data as it is."},
	{"Nhà nước không chịu trách nhiệm về thiệt hại phát sinh từ việc sử dụng dữ liệu mở.",
		"The State is not liable for any damage arising from the use of the open data."},
}

// Theme is a subject group (CKAN group) with its DCAT-AP data theme.
type Theme struct {
	ID      string
	TitleVI string
	TitleEN string
	EU      string // code in the EU data-theme vocabulary
}

// Themes are the subject groups, as on the national portal.
var Themes = []Theme{
	{"kinh-te-tai-chinh", "Kinh tế - Tài chính", "Economy and finance", "ECON"},
	{"nong-nghiep", "Nông nghiệp, thủy sản", "Agriculture and fisheries", "AGRI"},
	{"giao-duc", "Giáo dục, đào tạo", "Education and training", "EDUC"},
	{"y-te", "Y tế", "Health", "HEAL"},
	{"moi-truong", "Tài nguyên, môi trường", "Environment and natural resources", "ENVI"},
	{"giao-thong", "Giao thông vận tải", "Transport", "TRAN"},
	{"dan-cu-xa-hoi", "Dân cư, lao động, xã hội", "Population, labour and society", "SOCI"},
	{"chinh-phu", "Chính phủ, hành chính công", "Government and public administration", "GOVE"},
	{"khoa-hoc-cong-nghe", "Khoa học, công nghệ", "Science and technology", "TECH"},
	{"nang-luong", "Năng lượng", "Energy", "ENER"},
	{"van-hoa-du-lich", "Văn hóa, thể thao, du lịch", "Culture, sport and tourism", "EDUC"},
	{"dia-gioi-hanh-chinh", "Địa giới, đơn vị hành chính", "Regions and administrative units", "REGI"},
}

// ThemeOf returns the theme with an id.
func ThemeOf(id string) (Theme, bool) {
	for _, t := range Themes {
		if t.ID == id {
			return t, true
		}
	}
	return Theme{}, false
}

// Title returns the theme's title in lang.
func (t Theme) Title(lang string) string {
	if lang == "en" {
		return t.TitleEN
	}
	return t.TitleVI
}

// Frequency is an update frequency with its schedule.
type Frequency struct {
	ID      string
	TitleVI string
	TitleEN string
	EU      string // code in the EU frequency vocabulary
	Days    int    // period in days (daily, weekly)
	Months  int    // period in months; 0 and 0 days: no schedule
}

// Frequencies are the update frequencies a dataset may declare.
var Frequencies = []Frequency{
	{"daily", "Hằng ngày", "Daily", "DAILY", 1, 0},
	{"weekly", "Hằng tuần", "Weekly", "WEEKLY", 7, 0},
	{"monthly", "Hằng tháng", "Monthly", "MONTHLY", 0, 1},
	{"quarterly", "Hằng quý", "Quarterly", "QUARTERLY", 0, 3},
	{"semiannual", "6 tháng một lần", "Every six months", "ANNUAL_2", 0, 6},
	{"annual", "Hằng năm", "Annual", "ANNUAL", 0, 12},
	{"irregular", "Không định kỳ", "Irregular", "IRREG", 0, 0},
	{"never", "Không cập nhật (dữ liệu lịch sử)", "Never (historical data)", "NEVER", 0, 0},
}

// FrequencyOf returns the frequency with an id.
func FrequencyOf(id string) (Frequency, bool) {
	for _, f := range Frequencies {
		if f.ID == id {
			return f, true
		}
	}
	return Frequency{}, false
}

// Title returns the frequency's title in lang.
func (f Frequency) Title(lang string) string {
	if lang == "en" {
		return f.TitleEN
	}
	return f.TitleVI
}

// Scheduled reports whether the frequency sets update dates.
func (f Frequency) Scheduled() bool { return f.Days > 0 || f.Months > 0 }

// Format describes a resource format: how govdx reads it and how open it is
// (D47-17.1e: open, machine-processable formats).
type Format struct {
	Code      string
	MediaType string
	EU        string // code in the EU file-type vocabulary
	Exts      []string
	// Stars is the openness level (1 open licence, 2 machine-readable,
	// 3 open format, 4 RDF).
	Stars int
	// Open: an open standard (not a proprietary format).
	Open bool
	// Text formats are converted to UTF-8 and parsed; Zip formats are
	// checked for zip bombs.
	Text, Zip bool
	// Scan says how the content is scanned for personal information:
	// "csv", "xlsx", "json", "xml", "text", or "" (cannot be read: held until
	// an officer confirms).
	Scan string
	// LinkOnly formats exist only as links (services).
	LinkOnly bool
}

// Formats are the formats govdx accepts; anything else is refused.
var Formats = []Format{
	{Code: "CSV", MediaType: "text/csv", EU: "CSV", Exts: []string{".csv"}, Stars: 3, Open: true, Text: true, Scan: "csv"},
	{Code: "TSV", MediaType: "text/tab-separated-values", EU: "TSV", Exts: []string{".tsv", ".tab"}, Stars: 3, Open: true, Text: true, Scan: "csv"},
	{Code: "JSON", MediaType: "application/json", EU: "JSON", Exts: []string{".json"}, Stars: 3, Open: true, Text: true, Scan: "json"},
	{Code: "GEOJSON", MediaType: "application/geo+json", EU: "GEOJSON", Exts: []string{".geojson"}, Stars: 3, Open: true, Text: true, Scan: "json"},
	{Code: "XML", MediaType: "application/xml", EU: "XML", Exts: []string{".xml"}, Stars: 3, Open: true, Text: true, Scan: "xml"},
	{Code: "KML", MediaType: "application/vnd.google-earth.kml+xml", EU: "KML", Exts: []string{".kml"}, Stars: 3, Open: true, Text: true, Scan: "xml"},
	{Code: "GML", MediaType: "application/gml+xml", EU: "GML", Exts: []string{".gml"}, Stars: 3, Open: true, Text: true, Scan: "xml"},
	{Code: "RDF", MediaType: "application/rdf+xml", EU: "RDF_XML", Exts: []string{".rdf"}, Stars: 4, Open: true, Text: true, Scan: "xml"},
	{Code: "TTL", MediaType: "text/turtle", EU: "RDF_TURTLE", Exts: []string{".ttl"}, Stars: 4, Open: true, Text: true, Scan: "text"},
	{Code: "JSON-LD", MediaType: "application/ld+json", EU: "JSON_LD", Exts: []string{".jsonld"}, Stars: 4, Open: true, Text: true, Scan: "json"},
	{Code: "XLSX", MediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", EU: "XLSX", Exts: []string{".xlsx"}, Stars: 3, Open: true, Zip: true, Scan: "xlsx"},
	{Code: "ODS", MediaType: "application/vnd.oasis.opendocument.spreadsheet", EU: "ODS", Exts: []string{".ods"}, Stars: 3, Open: true, Zip: true},
	{Code: "SHP", MediaType: "application/zip", EU: "SHP", Exts: []string{".shp.zip"}, Stars: 3, Open: true, Zip: true},
	{Code: "ZIP", MediaType: "application/zip", EU: "ZIP", Exts: []string{".zip"}, Stars: 1, Open: true, Zip: true},
	{Code: "TXT", MediaType: "text/plain", EU: "TXT", Exts: []string{".txt"}, Stars: 1, Open: true, Text: true, Scan: "text"},
	{Code: "PDF", MediaType: "application/pdf", EU: "PDF", Exts: []string{".pdf"}, Stars: 1, Open: true},
	{Code: "XLS", MediaType: "application/vnd.ms-excel", EU: "XLS", Exts: []string{".xls"}, Stars: 2},
	{Code: "API", MediaType: "application/json", EU: "JSON", Stars: 3, Open: true, LinkOnly: true},
	{Code: "WMS", MediaType: "application/xml", EU: "WMS_SRVC", Stars: 3, Open: true, LinkOnly: true},
	{Code: "WFS", MediaType: "application/xml", EU: "WFS_SRVC", Stars: 3, Open: true, LinkOnly: true},
	{Code: "HTML", MediaType: "text/html", EU: "HTML", Stars: 1, Open: true, LinkOnly: true},
}

// FormatOf returns the format with a code (the zero Format when unknown).
func FormatOf(code string) Format {
	code = strings.ToUpper(strings.TrimSpace(code))
	for _, f := range Formats {
		if f.Code == code {
			return f
		}
	}
	return Format{}
}

// FormatOfName guesses the format from a file name's extension.
func FormatOfName(name string) Format {
	lower := strings.ToLower(name)
	for _, f := range Formats {
		for _, e := range f.Exts {
			if strings.Count(e, ".") > 1 && strings.HasSuffix(lower, e) {
				return f
			}
		}
	}
	ext := path.Ext(lower)
	for _, f := range Formats {
		for _, e := range f.Exts {
			if e == ext {
				return f
			}
		}
	}
	return Format{}
}

// Ext is the extension files of the format are stored with.
func (f Format) Ext() string {
	if len(f.Exts) == 0 {
		return ".bin"
	}
	return f.Exts[0]
}

// starsText draws an openness level as five stars.
func starsText(n int) string {
	n = max(0, min(n, 5))
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}

// StarsText draws the dataset's openness level.
func (d Dataset) StarsText() string { return starsText(d.Stars()) }

// StarsText draws the indexed dataset's openness level.
func (d *Doc) StarsText() string { return starsText(d.Stars) }

// codeLabels are the English labels of the codes shown in pages (statuses,
// outcomes, kinds); messages.go translates them.
var codeLabels = map[string]string{
	"new": "new", "in_progress": "in progress", "answered": "answered", "closed": "closed",
	"accepted": "accepted", "planned": "planned", "published": "published", "rejected": "rejected",
	"draft": "draft", "withdrawn": "withdrawn",
	"ok": "on schedule", "due": "update due", "overdue": "overdue",
	"met": "met", "missed": "missed", "upcoming": "upcoming", "late": "late",
	CheckClean: "no personal information found", CheckFindings: "possible personal information", CheckUnscanned: "not scanned",
	"quality": "Data quality", "usability": "Ease of use", "format": "Format", "legal": "Legal compliance",
	"more_data": "More data wanted", "other": "Other",
}

func label(code string) string {
	if l, ok := codeLabels[code]; ok {
		return l
	}
	return code
}

// Option is a code with its English label, for select boxes.
type Option struct{ ID, Label string }

func options(codes []string) []Option {
	out := make([]Option, len(codes))
	for i, c := range codes {
		out[i] = Option{c, label(c)}
	}
	return out
}

// StateLabel is the dataset state's label.
func (d Dataset) StateLabel() string { return label(d.State) }

// OutcomeLabel is the check outcome's label.
func (c Check) OutcomeLabel() string { return label(c.Outcome) }

// KindLabel is the feedback kind's label.
func (f Feedback) KindLabel() string { return label(f.Kind) }

// StatusLabel is the feedback status's label.
func (f Feedback) StatusLabel() string { return label(f.Status) }

// StatusLabel is the request status's label.
func (r DataRequest) StatusLabel() string { return label(r.Status) }

// StatusLabel is the phase status's label.
func (p Phase) StatusLabel() string {
	if p.Status == "in_progress" {
		return "under way" // a plan phase runs; "in progress" is feedback being handled
	}
	return label(p.Status)
}

// StatusLabel is the plan item status's label.
func (it PlanItem) StatusLabel() string { return label(it.Status) }

// StateLabel is the update state's label.
func (u UpdateStatus) StateLabel() string { return label(u.State) }

// systemNotes are the changelog notes govdx writes itself, as "Key" or
// "Key: detail", so pages can translate the key.
var systemNotes = []string{"Published", "Metadata updated", "Added resource", "Updated resource", "Removed resource",
	"Withdrawn", "Publication check confirmed"}

// NoteKey is the translatable part of a changelog note ("" for a publisher's own note).
func (v VersionEntry) NoteKey() string {
	for _, k := range systemNotes {
		if v.Note == k || strings.HasPrefix(v.Note, k+": ") {
			return k
		}
	}
	return ""
}

// NoteArg is the rest of the note.
func (v VersionEntry) NoteArg() string {
	k := v.NoteKey()
	if k == "" {
		return v.Note
	}
	return strings.TrimPrefix(strings.TrimPrefix(v.Note, k), ": ")
}
