package opendata

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/govdx/govdx/internal/platform"
)

// Kinds of possible personal information a publication check reports
// (D47-20.1: published open data holds no personal information).
const (
	FindCitizenID   = "citizen_id"     // 12-digit citizen identity number (CCCD / personal ID)
	FindIDCard      = "id_card"        // 9-digit identity card number (CMND)
	FindPhone       = "phone"          // Vietnamese mobile or landline number
	FindEmail       = "email"          // e-mail address
	FindNameColumn  = "name_column"    // a column of people's names
	FindBirthColumn = "birth_column"   // a column of birth dates or years
	FindAddrColumn  = "address_column" // a column of addresses
	FindIDColumn    = "id_column"      // a column named like an identity document number
)

// FindingLabels are the English labels of finding kinds (translated in messages.go).
var FindingLabels = map[string]string{
	FindCitizenID:   "Citizen ID number (12 digits)",
	FindIDCard:      "Identity card number (9 digits)",
	FindPhone:       "Phone number",
	FindEmail:       "E-mail address",
	FindNameColumn:  "Column of people's names",
	FindBirthColumn: "Column of birth dates",
	FindAddrColumn:  "Column of addresses",
	FindIDColumn:    "Column of identity document numbers",
}

// cccdProvinces are the 3-digit province codes that start a 12-digit
// citizen ID (the 63 provinces before the 2025 merger; numbers keep them).
var cccdProvinces = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027
		030 031 033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068
		070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096`) {
		m[c] = true
	}
	return m
}()

// isCitizenID: 12 digits starting with a province code. Quantities never
// start with 0, so a leading-zero 12-digit number is almost surely an ID.
func isCitizenID(d string) bool { return len(d) == 12 && cccdProvinces[d[:3]] }

// isIDCard: 9 digits starting with an old province code 01-38, and not a
// round amount (IDs do not end in 0000).
func isIDCard(d string) bool {
	if len(d) != 9 || strings.HasSuffix(d, "0000") {
		return false
	}
	p := (int(d[0]-'0'))*10 + int(d[1]-'0')
	return p >= 1 && p <= 38
}

// isPhone: a Vietnamese mobile (03x 05x 07x 08x 09x, 10 digits) or
// landline (02xx, 11 digits), written with 0, 84 or +84.
func isPhone(d string) bool {
	switch {
	case strings.HasPrefix(d, "84") && (len(d) == 11 || len(d) == 12):
		d = "0" + d[2:]
	case !strings.HasPrefix(d, "0"):
		return false
	}
	switch len(d) {
	case 10:
		return mobilePrefix(d[1:3])
	case 11:
		return d[1] == '2'
	}
	return false
}

func mobilePrefix(p string) bool {
	switch p[0] {
	case '3':
		return p[1] >= '2'
	case '5':
		return strings.ContainsRune("2689", rune(p[1]))
	case '7':
		return p[1] == '0' || p[1] >= '6'
	case '8':
		return p[1] >= '1'
	case '9':
		return true
	}
	return false
}

var emailFind = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

// column patterns match folded header names with spaces removed.
var (
	namePrefixes = []string{"hoten", "hovaten", "hotendem", "tennguoi", "tencongdan", "tenbenhnhan", "tenhocsinh",
		"tensinhvien", "tenchuho", "chuho", "tennguoidaidien", "nguoidaidien", "tencanbo", "tennhanvien", "tenthanhvien",
		"fullname", "firstname", "lastname", "surname", "givenname", "personname", "hotennguoi"}
	birthParts = []string{"ngaysinh", "namsinh", "ngaythangnamsinh", "sinhngay", "dateofbirth", "birthdate", "birthday", "birthyear"}
	addrParts  = []string{"diachi", "noithuongtru", "thuongtru", "tamtru", "quequan", "noiohientai", "noicutru", "address", "homeaddress"}
	addrExcept = []string{"email", "thudientu", "web", "url", "ip", "mac"}
	idParts    = []string{"cccd", "cmnd", "cancuoc", "chungminh", "sodinhdanh", "madinhdanhcanhan", "hochieu", "passport",
		"nationalid", "idcard", "socmt", "masobhxh", "sobhxh", "sothebhyt", "mathebhyt"}
	quasiParts = []string{"gioitinh", "gender", "sex", "dantoc", "ethnic", "tongiao", "religion", "tuoi", "age", "nghenghiep", "occupation"}
)

// classifyColumn returns the finding kind of a header name, or "".
func classifyColumn(name string) string {
	c := strings.ReplaceAll(platform.Fold(name), " ", "")
	if c == "" {
		return ""
	}
	for _, p := range idParts {
		if strings.Contains(c, p) {
			return FindIDColumn
		}
	}
	for _, p := range birthParts {
		if strings.Contains(c, p) {
			return FindBirthColumn
		}
	}
	if c == "dob" {
		return FindBirthColumn
	}
	for _, p := range namePrefixes {
		if strings.HasPrefix(c, p) {
			return FindNameColumn
		}
	}
	for _, p := range addrParts {
		if strings.Contains(c, p) {
			for _, e := range addrExcept {
				if strings.Contains(c, e) {
					return ""
				}
			}
			return FindAddrColumn
		}
	}
	return ""
}

func isQuasiIdentifier(name string) bool {
	c := strings.ReplaceAll(platform.Fold(name), " ", "")
	for _, p := range quasiParts {
		if c == p || strings.HasPrefix(c, p) {
			return true
		}
	}
	return false
}

// scanner accumulates the findings of one check. It keeps masked samples
// only: the kept check result must not itself copy personal data.
type scanner struct {
	findings map[string]*Finding // kind + "\x00" + column
	order    []string
	quasi    []string
	rows     int64
	columns  []string
	warnings []string
	// colKind maps a column key (index or name) to its column finding.
	colKind map[string]string
}

func newScanner() *scanner {
	return &scanner{findings: map[string]*Finding{}, colKind: map[string]string{}}
}

func (sc *scanner) add(kind, column, sample string, loc func() string) {
	key := kind + "\x00" + column
	f, ok := sc.findings[key]
	if !ok {
		f = &Finding{Kind: kind, Column: column, Location: loc(), Sample: sample}
		sc.findings[key] = f
		sc.order = append(sc.order, key)
	}
	f.Count++
}

// header classifies a column name; key identifies the column for counting
// its values later (an index for tables, the name for JSON/XML).
func (sc *scanner) header(key, name string, loc func() string) {
	if _, seen := sc.colKind[key]; seen {
		return
	}
	kind := classifyColumn(name)
	sc.colKind[key] = kind
	if kind != "" {
		f := &Finding{Kind: kind, Column: name, Location: loc()}
		k := kind + "\x00" + name
		if _, ok := sc.findings[k]; !ok {
			sc.findings[k] = f
			sc.order = append(sc.order, k)
		}
	} else if isQuasiIdentifier(name) {
		sc.quasi = append(sc.quasi, name)
	}
}

// value scans one cell. column is the header name (for reporting), key the
// column key given to header.
func (sc *scanner) value(v, key, column string, loc func() string) {
	if v == "" {
		return
	}
	if kind := sc.colKind[key]; kind != "" {
		if f := sc.findings[kind+"\x00"+column]; f != nil {
			f.Count++
		}
	}
	if strings.IndexByte(v, '@') >= 0 {
		for _, m := range emailFind.FindAllString(v, 3) {
			sc.add(FindEmail, column, maskEmail(m), loc)
		}
	}
	scanDigits(v, func(kind, digits string) {
		sc.add(kind, column, maskDigits(digits), loc)
	})
}

// scanDigits finds standalone numbers in v (not part of a decimal, a code
// or a longer number) and reports identity numbers and phone numbers.
// Phone numbers may be written in groups ("0905 123 456", "+84 236.3821.111",
// "(0236) 3821 111").
func scanDigits(v string, report func(kind, digits string)) {
	n := len(v)
	for i := 0; i < n; {
		c := v[i]
		start := i
		lead := c == '+' || c == '('
		if !(isDigit(c) || lead && i+1 < n && isDigit(v[i+1])) {
			i++
			continue
		}
		// The token must not continue a word, a code or a decimal number.
		if i > 0 && (isAlnum(v[i-1]) || (v[i-1] == '.' || v[i-1] == ',') && i > 1 && isDigit(v[i-2])) {
			for i < n && isDigit(v[i]) {
				i++
			}
			if i == start {
				i++
			}
			continue
		}
		if lead {
			i++
		}
		// Read digit groups joined by at most two separators (" ", ".", "-", ")").
		var digits []byte
		groups, firstGroup := 0, 0
		pure := true
		for i < n {
			j := i
			for j < n && isDigit(v[j]) {
				j++
			}
			if j == i {
				break
			}
			digits = append(digits, v[i:j]...)
			if groups == 0 {
				firstGroup = j - i
			}
			groups++
			i = j
			k := i
			for k < n && k-i < 2 && strings.IndexByte(" .-)", v[k]) >= 0 {
				k++
			}
			if k > i && k < n && isDigit(v[k]) && len(digits) < 12 {
				pure = false
				i = k
				continue
			}
			break
		}
		if i < n && (isAlnum(v[i]) || (v[i] == '.' || v[i] == ',') && i+1 < n && isDigit(v[i+1])) {
			// part of a longer token: skip it
			for i < n && (isAlnum(v[i]) || v[i] == '.' || v[i] == ',') {
				i++
			}
			continue
		}
		d := string(digits)
		switch {
		case pure && !lead && isCitizenID(d):
			report(FindCitizenID, d)
		case pure && !lead && isIDCard(d):
			report(FindIDCard, d)
		case (pure || firstGroup >= 2) && isPhone(d):
			report(FindPhone, d)
		case !pure && groups >= 3 && len(d) == 12 && isCitizenID(d):
			report(FindCitizenID, d)
		}
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isAlnum is true for ASCII letters and digits and for any byte of a
// multi-byte character (Vietnamese letters).
func isAlnum(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func maskDigits(d string) string {
	if len(d) <= 5 {
		return strings.Repeat("*", len(d))
	}
	return d[:3] + strings.Repeat("*", len(d)-5) + d[len(d)-2:]
}

func maskEmail(e string) string {
	at := strings.IndexByte(e, '@')
	if at <= 1 {
		return "*" + e[at:]
	}
	return e[:1] + strings.Repeat("*", min(at-1, 6)) + e[at:]
}

// result builds the kept check result.
func (sc *scanner) result() Check {
	c := Check{Outcome: CheckClean, Rows: sc.rows, Columns: sc.columns, Warnings: sc.warnings, Findings: []Finding{}}
	for _, k := range sc.order {
		c.Findings = append(c.Findings, *sc.findings[k])
	}
	sort.SliceStable(c.Findings, func(i, j int) bool { return findingRank(c.Findings[i].Kind) < findingRank(c.Findings[j].Kind) })
	if len(c.Findings) > 0 {
		c.Outcome = CheckFindings
	}
	if len(sc.quasi) >= 2 {
		// D47-20.1: assess the risk of re-identification when combined with other data.
		c.Warnings = append(c.Warnings, fmt.Sprintf("columns %s together may identify people when combined with other data; check the risk of re-identification",
			quoteList(sc.quasi)))
	}
	if c.Warnings == nil {
		c.Warnings = []string{}
	}
	return c
}

func findingRank(kind string) int {
	for i, k := range []string{FindCitizenID, FindIDCard, FindIDColumn, FindNameColumn, FindBirthColumn, FindAddrColumn, FindPhone, FindEmail} {
		if k == kind {
			return i
		}
	}
	return 99
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "\u201c" + x + "\u201d"
	}
	return strings.Join(q, ", ")
}

// colLetter turns a 0-based column index into a spreadsheet letter (0 -> A, 27 -> AB).
func colLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// locationWords translate the words of a finding's location.
var locationWords = [][2]string{{"header, column", "dòng tiêu đề, cột"}, {"line", "dòng"}, {"column", "cột"}, {"sheet", "trang tính"},
	{"cell", "ô"}, {"near byte", "gần byte"}, {"key", "khóa"}, {"element", "phần tử"}, {"attribute", "thuộc tính"}}

// LocationIn writes the location in the page's language.
func (f Finding) LocationIn(lang string) string {
	if lang == "en" {
		return f.Location
	}
	s := f.Location
	for _, w := range locationWords {
		s = strings.ReplaceAll(s, w[0]+" ", w[1]+" ")
	}
	return s
}
