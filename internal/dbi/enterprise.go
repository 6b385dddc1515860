package dbi

import (
	"math"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

// Field is an enterprise's sector as the rankings show it (ngành, lĩnh vực);
// its Annex IV group sets the size thresholds (DBI-4).
type Field struct {
	Code   string
	Sector Sector
	Name   Text
}

// Fields lists the sectors of Annex IV, agriculture/industry first.
var Fields = []Field{
	{"agriculture", SectorAgricultureIndustry, Text{"Nông nghiệp", "Agriculture"}},
	{"forestry", SectorAgricultureIndustry, Text{"Lâm nghiệp", "Forestry"}},
	{"fisheries", SectorAgricultureIndustry, Text{"Thủy sản", "Fisheries"}},
	{"industry", SectorAgricultureIndustry, Text{"Công nghiệp", "Industry"}},
	{"construction", SectorAgricultureIndustry, Text{"Xây dựng", "Construction"}},
	{"trade", SectorTradeServices, Text{"Thương mại", "Trade"}},
	{"services", SectorTradeServices, Text{"Dịch vụ", "Services"}},
	{"postal", SectorTradeServices, Text{"Bưu chính", "Postal services"}},
	{"logistics", SectorTradeServices, Text{"Logistics", "Logistics"}},
}

// FieldByCode returns the field with code.
func FieldByCode(code string) (Field, bool) {
	for _, f := range Fields {
		if f.Code == code {
			return f, true
		}
	}
	return Field{}, false
}

// FieldLabel names a field code in lang.
func FieldLabel(code, lang string) string {
	f, _ := FieldByCode(code)
	return pickLabel(f.Name, lang, code)
}

var sizeLabels = map[Size]Text{
	SizeMicro:  {"Siêu nhỏ", "Micro"},
	SizeSmall:  {"Nhỏ", "Small"},
	SizeMedium: {"Vừa", "Medium"},
	SizeLarge:  {"Lớn", "Large"},
}

// Sizes lists the size classes, smallest first.
var Sizes = []Size{SizeMicro, SizeSmall, SizeMedium, SizeLarge}

// Label names the size class in lang.
func (s Size) Label(lang string) string { return pickLabel(sizeLabels[s], lang, string(s)) }

var indexLabels = map[IndexKind]Text{
	SME:   {"Doanh nghiệp nhỏ và vừa", "SME"},
	Large: {"Doanh nghiệp lớn", "Large enterprise"},
	Group: {"Tập đoàn, tổng công ty", "Corporation/group"},
}

// Indexes lists the three indexes (DBI-1).
var Indexes = []IndexKind{SME, Large, Group}

// Label names the index in lang.
func (k IndexKind) Label(lang string) string { return pickLabel(indexLabels[k], lang, string(k)) }

// Valid reports whether k is one of the three indexes.
func (k IndexKind) Valid() bool { return k == SME || k == Large || k == Group }

// LevelName names a DX level 0-5 (lines 4428-4440) in lang, from the
// embedded model's level scale (the same in both indexes).
func LevelName(level int, lang string) string {
	if level < 0 || level > MaxLevel {
		return ""
	}
	return pickLabel(mustEmbedded()[SME].Levels[level].Name, lang, "")
}

// Enterprise is an enterprise's DBI profile: an organisation of kind
// enterprise with its sector, province and size data (DBI-4).
type Enterprise struct {
	ID           int64  `json:"id"` // the organisation's ID
	Name         string `json:"name"`
	TaxCode      string `json:"tax_code"`
	Field        string `json:"field"`
	Sector       Sector `json:"sector"`
	ProvinceCode string `json:"province_code"`
	ProvinceName string `json:"province_name"`
	// Staff is the yearly average of employees with social insurance.
	Staff int `json:"staff"`
	// Revenue and Capital are in billion VND.
	Revenue         float64   `json:"revenue"`
	Capital         float64   `json:"capital"`
	HasSubsidiaries bool      `json:"has_subsidiaries"`
	Size            Size      `json:"size"`
	SuggestedIndex  IndexKind `json:"suggested_index"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	Path            string    `json:"-"`
}

// ProfileInput is what an enterprise states about itself.
type ProfileInput struct {
	Field        string `json:"field"`
	ProvinceCode string `json:"province_code"`
	Staff        int    `json:"staff"`
	// Revenue and Capital are in billion VND (up to three decimals: million VND).
	Revenue         float64 `json:"revenue"`
	Capital         float64 `json:"capital"`
	HasSubsidiaries bool    `json:"has_subsidiaries"`
}

// maxAmount bounds amounts (billion VND) so million-VND integers never overflow.
const maxAmount = 1e9

// classify validates the input and returns the size class and suggested index.
func (in *ProfileInput) classify() (SizeResult, error) {
	var v platform.Validation
	return in.classifyInto(&v)
}

// classifyInto records every mistake of the input in v (which may already
// hold the mistakes of a form's numbers) and, when v has none, returns the
// size class and suggested index; v's error otherwise.
func (in *ProfileInput) classifyInto(v *platform.Validation) (SizeResult, error) {
	in.check(v)
	if err := v.Err(); err != nil {
		return SizeResult{}, err
	}
	return in.size()
}

// size classifies a checked input.
func (in *ProfileInput) size() (SizeResult, error) {
	f, _ := FieldByCode(in.Field)
	return ClassifySize(SizeInput{Sector: f.Sector, Staff: in.Staff, Revenue: in.Revenue, Capital: in.Capital, HasSubsidiaries: in.HasSubsidiaries})
}

// check normalises the input and records each field's mistake in v.
func (in *ProfileInput) check(v *platform.Validation) {
	in.Field = strings.TrimSpace(strings.ToLower(in.Field))
	in.ProvinceCode = strings.TrimSpace(in.ProvinceCode)
	_, ok := FieldByCode(in.Field)
	v.Check(ok, "field", "invalid_field", "choose the enterprise's sector")
	v.Check(in.ProvinceCode != "", "province_code", "required", "choose the province")
	v.Check(in.Staff >= 0 && in.Staff <= 10_000_000, "staff", "invalid_staff", "staff must be a whole number from 0")
	for _, a := range []struct {
		field string
		v     float64
	}{{"revenue", in.Revenue}, {"capital", in.Capital}} {
		v.Check(!math.IsNaN(a.v) && !math.IsInf(a.v, 0) && a.v >= 0 && a.v <= maxAmount,
			a.field, "invalid_amount", "%s must be a non-negative amount in billion VND", a.field)
	}
}

// millions converts billion VND to whole million VND.
func millions(billion float64) int64 { return int64(math.Round(billion * 1000)) }

// billions converts million VND back to billion VND.
func billions(m int64) float64 { return float64(m) / 1000 }
