package dbi

import (
	"math"
	"strings"
	"testing"
)

// DBI-4: Annex IV thresholds, both options, both sector groups.
func TestClassifySize(t *testing.T) {
	const (
		ag = SectorAgricultureIndustry
		tr = SectorTradeServices
	)
	tests := []struct {
		name  string
		in    SizeInput
		size  Size
		basis string
		index IndexKind
	}{
		{"ag micro at the limits", SizeInput{Sector: ag, Staff: 10, Revenue: 3, Capital: 50}, SizeMicro, "option 1 (staff and revenue)", SME},
		{"ag micro by capital", SizeInput{Sector: ag, Staff: 500, Revenue: 900, Capital: 3}, SizeMicro, "option 2 (capital)", SME},
		{"ag 11 staff is small", SizeInput{Sector: ag, Staff: 11, Revenue: 3, Capital: 50}, SizeSmall, "option 1 (staff and revenue)", SME},
		{"ag revenue 3.5 is small", SizeInput{Sector: ag, Staff: 5, Revenue: 3.5, Capital: 50}, SizeSmall, "option 1 (staff and revenue)", SME},
		{"ag small at the limits", SizeInput{Sector: ag, Staff: 100, Revenue: 50, Capital: 20}, SizeSmall, "options 1 (staff and revenue) and 2 (capital)", SME},
		{"ag capital 20-50 gap is medium", SizeInput{Sector: ag, Staff: 300, Revenue: 500, Capital: 35}, SizeMedium, "option 2 (capital)", SME},
		{"ag medium at the limits", SizeInput{Sector: ag, Staff: 200, Revenue: 200, Capital: 150}, SizeMedium, "option 1 (staff and revenue)", SME},
		{"ag 201 staff is large", SizeInput{Sector: ag, Staff: 201, Revenue: 10, Capital: 101}, SizeLarge, "neither option within the medium limits", Large},
		{"ag many staff but capital 100 is medium", SizeInput{Sector: ag, Staff: 5000, Revenue: 1000, Capital: 100}, SizeMedium, "option 2 (capital)", SME},
		{"trade micro at the limits", SizeInput{Sector: tr, Staff: 10, Revenue: 10, Capital: 60}, SizeMicro, "option 1 (staff and revenue)", SME},
		{"trade small at the limits", SizeInput{Sector: tr, Staff: 50, Revenue: 100, Capital: 60}, SizeSmall, "option 1 (staff and revenue)", SME},
		{"trade small by capital", SizeInput{Sector: tr, Staff: 400, Revenue: 400, Capital: 50}, SizeSmall, "option 2 (capital)", SME},
		{"trade 51 staff is medium", SizeInput{Sector: tr, Staff: 51, Revenue: 100, Capital: 150}, SizeMedium, "option 1 (staff and revenue)", SME},
		{"trade medium at the limits", SizeInput{Sector: tr, Staff: 100, Revenue: 300, Capital: 100}, SizeMedium, "options 1 (staff and revenue) and 2 (capital)", SME},
		{"trade revenue 300.5 is large", SizeInput{Sector: tr, Staff: 100, Revenue: 300.5, Capital: 100.5}, SizeLarge, "neither option within the medium limits", Large},
		{"large with subsidiaries uses group", SizeInput{Sector: tr, Staff: 5000, Revenue: 9000, Capital: 2000, HasSubsidiaries: true}, SizeLarge, "neither option within the medium limits", Group},
		{"small with subsidiaries uses group", SizeInput{Sector: ag, Staff: 20, Revenue: 10, Capital: 5, HasSubsidiaries: true}, SizeSmall, "options 1 (staff and revenue) and 2 (capital)", Group},
		{"zero everything is micro", SizeInput{Sector: tr}, SizeMicro, "options 1 (staff and revenue) and 2 (capital)", SME},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ClassifySize(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			want := SizeResult{Sector: tt.in.Sector, Size: tt.size, Basis: tt.basis, Index: tt.index}
			if r != want {
				t.Fatalf("got %+v, want %+v", r, want)
			}
		})
	}
}

func TestClassifySizeRejects(t *testing.T) {
	for _, tt := range []struct {
		in   SizeInput
		want string
	}{
		{SizeInput{Sector: "mining"}, "unknown sector"},
		{SizeInput{Sector: SectorTradeServices, Staff: -1}, "staff must not be negative"},
		{SizeInput{Sector: SectorTradeServices, Revenue: -2}, "revenue must be a non-negative"},
		{SizeInput{Sector: SectorTradeServices, Capital: math.NaN()}, "capital must be a non-negative"},
		{SizeInput{Sector: SectorTradeServices, Revenue: math.Inf(1)}, "revenue must be a non-negative"},
	} {
		if _, err := ClassifySize(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ClassifySize(%+v) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestParseSector(t *testing.T) {
	for in, want := range map[string]Sector{
		"agriculture": SectorAgricultureIndustry, "Forestry": SectorAgricultureIndustry,
		"fisheries": SectorAgricultureIndustry, " industry ": SectorAgricultureIndustry,
		"construction": SectorAgricultureIndustry, "agriculture-industry": SectorAgricultureIndustry,
		"trade": SectorTradeServices, "SERVICES": SectorTradeServices, "postal": SectorTradeServices,
		"logistics": SectorTradeServices, "trade-services": SectorTradeServices,
	} {
		if got, err := ParseSector(in); err != nil || got != want {
			t.Errorf("ParseSector(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseSector("mining"); err == nil {
		t.Error("ParseSector(mining) succeeded")
	}
}
