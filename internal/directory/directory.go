// Package directory holds the organisations govdx serves (ministries,
// provinces, agencies, enterprises) as a tree, their focal-point officers for
// data sharing (D47-7.1), and Vietnam's administrative units.
package directory

import (
	"embed"
	"io/fs"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govdx/govdx/internal/platform"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations returns the directory schema.
func Migrations() platform.Migrations {
	sub, _ := fs.Sub(migrationFS, "migrations")
	return platform.Migrations{Name: "directory", FS: sub}
}

// Kind is the kind of an organisation.
type Kind string

const (
	KindMinistry       Kind = "ministry"            // Bộ
	KindMinistryAgency Kind = "ministry_agency"     // cơ quan ngang bộ
	KindGovAgency      Kind = "government_agency"   // cơ quan thuộc Chính phủ
	KindProvince       Kind = "province"            // UBND tỉnh/thành phố
	KindDepartment     Kind = "department"          // sở, ban, ngành; tổng cục, cục
	KindDistrict       Kind = "district"            // UBND huyện (before July 2025)
	KindCommune        Kind = "commune"             // UBND xã/phường/đặc khu
	KindPublicService  Kind = "public_service_unit" // đơn vị sự nghiệp công lập
	KindEnterprise     Kind = "enterprise"          // doanh nghiệp
	KindOther          Kind = "other"               // tổ chức khác
)

// Kinds lists every kind with its Vietnamese and English label, in display order.
var Kinds = []struct {
	Kind   Kind
	VI, EN string
}{
	{KindMinistry, "Bộ", "Ministry"},
	{KindMinistryAgency, "Cơ quan ngang Bộ", "Ministry-level agency"},
	{KindGovAgency, "Cơ quan thuộc Chính phủ", "Government agency"},
	{KindProvince, "UBND tỉnh, thành phố", "Province (People's Committee)"},
	{KindDepartment, "Sở, ban, ngành, cục", "Department or agency"},
	{KindDistrict, "UBND cấp huyện", "District People's Committee"},
	{KindCommune, "UBND cấp xã", "Commune People's Committee"},
	{KindPublicService, "Đơn vị sự nghiệp công lập", "Public service unit"},
	{KindEnterprise, "Doanh nghiệp", "Enterprise"},
	{KindOther, "Tổ chức khác", "Other organisation"},
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x.Kind == k {
			return true
		}
	}
	return false
}

// Label returns the kind's name in the language ("vi" or "en").
func (k Kind) Label(lang string) string {
	for _, x := range Kinds {
		if x.Kind == k {
			if lang == "en" {
				return x.EN
			}
			return x.VI
		}
	}
	return string(k)
}

// FocalPoint is the officer an organisation names for data sharing (D47-7.1).
type FocalPoint struct {
	Name     string `json:"name"`
	Position string `json:"position"`
	Function string `json:"function"`
	Phone    string `json:"phone"`
	Email    string `json:"email"`
}

// Org is an organisation in the directory tree.
type Org struct {
	ID            int64      `json:"id"`
	Code          string     `json:"code"`
	Name          string     `json:"name"`
	NameEN        string     `json:"name_en"`
	ShortName     string     `json:"short_name"`
	Kind          Kind       `json:"kind"`
	ParentID      *int64     `json:"parent_id"`
	Path          string     `json:"-"`
	AdminUnitCode string     `json:"admin_unit_code,omitempty"`
	TaxCode       string     `json:"tax_code,omitempty"`
	Address       string     `json:"address"`
	Phone         string     `json:"phone"`
	Email         string     `json:"email"`
	Website       string     `json:"website"`
	FocalPoint    FocalPoint `json:"focal_point"`
	Readiness     string     `json:"sharing_readiness"`
	Active        bool       `json:"active"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Depth is the number of ancestors (0 for a root).
func (o Org) Depth() int { return strings.Count(o.Path, "/") - 2 }

// OrgInput is what a caller may set on an organisation.
type OrgInput struct {
	Code          string     `json:"code"`
	Name          string     `json:"name"`
	NameEN        string     `json:"name_en"`
	ShortName     string     `json:"short_name"`
	Kind          Kind       `json:"kind"`
	ParentID      *int64     `json:"parent_id"`
	AdminUnitCode string     `json:"admin_unit_code"`
	TaxCode       string     `json:"tax_code"`
	Address       string     `json:"address"`
	Phone         string     `json:"phone"`
	Email         string     `json:"email"`
	Website       string     `json:"website"`
	FocalPoint    FocalPoint `json:"focal_point"`
	Readiness     string     `json:"sharing_readiness"`
}

var (
	codeRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$`)
	phoneRE   = regexp.MustCompile(`^\+?[0-9 ().-]{8,20}$`)
	taxCodeRE = regexp.MustCompile(`^[0-9]{10}(-[0-9]{3})?$`)
)

// maxLen is the maximum length in characters of each free-text field.
var maxLen = map[string]int{
	"name": 300, "name_en": 300, "short_name": 300, "address": 300, "website": 300,
	"focal_point.name": 300, "focal_point.position": 300, "focal_point.function": 1000,
	"sharing_readiness": 2000, "q": 200,
}

// Validate checks every field, trimming them in place, and reports every
// mistake together, each naming its field. Messages are fixed texts (no
// values but the field and a limit) so pages can translate them.
func (in *OrgInput) Validate() error {
	in.trim()
	var v platform.Validation
	v.Check(codeRE.MatchString(in.Code), "code", "invalid_code", "code must be 2-40 letters, digits, '.', '_' or '-'")
	_ = v.Merge(checkText("name", in.Name, 1, maxLen["name"]))
	for _, f := range []struct{ name, v string }{
		{"name_en", in.NameEN}, {"short_name", in.ShortName}, {"address", in.Address}, {"website", in.Website},
	} {
		_ = v.Merge(checkText(f.name, f.v, 0, maxLen[f.name]))
	}
	v.Check(in.Kind.Valid(), "kind", "invalid_kind", "unknown organisation kind")
	v.Check(in.TaxCode == "" || taxCodeRE.MatchString(in.TaxCode), "tax_code", "invalid_tax_code",
		"a tax code has 10 digits, or 10 digits, a hyphen and 3 digits")
	v.Check(in.AdminUnitCode == "" || isUnitCode(in.AdminUnitCode), "admin_unit_code", "invalid_code",
		"an administrative unit code is 2-10 digits")
	_ = v.Merge(CheckPhone("phone", in.Phone))
	_ = v.Merge(CheckEmail("email", in.Email))
	if !v.Has("website") {
		_ = v.Merge(checkWebsite(in.Website))
	}
	_ = v.Merge(validateFocalPoint(&in.FocalPoint, &in.Readiness))
	return v.Err()
}

// validateFocalPoint checks the D47-7.1 officer and the D47-7.2 readiness
// statement, trimming them in place, and reports every mistake together.
func validateFocalPoint(fp *FocalPoint, readiness *string) error {
	for _, p := range []*string{&fp.Name, &fp.Position, &fp.Function, &fp.Phone, &fp.Email, readiness} {
		*p = strings.TrimSpace(*p)
	}
	var v platform.Validation
	for _, f := range []struct{ name, v string }{
		{"focal_point.name", fp.Name}, {"focal_point.position", fp.Position},
		{"focal_point.function", fp.Function}, {"sharing_readiness", *readiness},
	} {
		_ = v.Merge(checkText(f.name, f.v, 0, maxLen[f.name]))
	}
	_ = v.Merge(CheckPhone("focal_point.phone", fp.Phone))
	_ = v.Merge(CheckEmail("focal_point.email", fp.Email))
	return v.Err()
}

// checkWebsite accepts an optional http(s) address, so a link on a public
// page can never carry another scheme.
func checkWebsite(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return platform.FieldError("website", "invalid_website", "website must be an http:// or https:// address")
	}
	return nil
}

func (in *OrgInput) trim() {
	for _, p := range []*string{&in.Code, &in.Name, &in.NameEN, &in.ShortName, &in.AdminUnitCode, &in.TaxCode,
		&in.Address, &in.Phone, &in.Email, &in.Website} {
		*p = strings.TrimSpace(*p)
	}
}

func checkText(field, v string, min, max int) error {
	n := utf8.RuneCountInString(v)
	if !utf8.ValidString(v) {
		return platform.FieldError(field, "invalid_text", "%s is not valid UTF-8", field)
	}
	if n < min {
		return platform.FieldError(field, "required", "%s is required", field)
	}
	if n > max {
		return platform.FieldError(field, "too_long", "%s must be at most %d characters", field, max)
	}
	return nil
}

// CheckText validates a free-text field's length (exported for other features).
func CheckText(field, v string, min, max int) error { return checkText(field, v, min, max) }

// CheckEmail validates an optional e-mail address.
func CheckEmail(field, v string) error {
	if v == "" {
		return nil
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || len(v) > 254 {
		return platform.FieldError(field, "invalid_email", "%s is not a valid e-mail address", field)
	}
	return nil
}

// CheckPhone validates an optional phone number (8-15 digits).
func CheckPhone(field, v string) error {
	if v == "" {
		return nil
	}
	digits := 0
	for _, r := range v {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if !phoneRE.MatchString(v) || digits < 8 || digits > 15 {
		return platform.FieldError(field, "invalid_phone", "%s is not a valid phone number", field)
	}
	return nil
}
