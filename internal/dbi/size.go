package dbi

import (
	"fmt"
	"math"
	"strings"
)

// Sector is the sector group that sets the size thresholds (Annex IV).
type Sector string

const (
	// SectorAgricultureIndustry: agriculture, forestry, fisheries, industry, construction.
	SectorAgricultureIndustry Sector = "agriculture-industry"
	// SectorTradeServices: trade, services, postal, logistics.
	SectorTradeServices Sector = "trade-services"
)

// sectorWords maps the words accepted by ParseSector to their group.
var sectorWords = map[string]Sector{
	"agriculture-industry": SectorAgricultureIndustry,
	"agriculture":          SectorAgricultureIndustry,
	"forestry":             SectorAgricultureIndustry,
	"fisheries":            SectorAgricultureIndustry,
	"industry":             SectorAgricultureIndustry,
	"construction":         SectorAgricultureIndustry,
	"trade-services":       SectorTradeServices,
	"trade":                SectorTradeServices,
	"services":             SectorTradeServices,
	"postal":               SectorTradeServices,
	"logistics":            SectorTradeServices,
}

// ParseSector accepts a sector group name or one of its sectors
// (e.g. "construction", "logistics"), case-insensitively.
func ParseSector(s string) (Sector, error) {
	if sec, ok := sectorWords[strings.ToLower(strings.TrimSpace(s))]; ok {
		return sec, nil
	}
	return "", fmt.Errorf("unknown sector %q (want agriculture, forestry, fisheries, industry, construction, trade, services, postal or logistics)", s)
}

// Size is an enterprise size class.
type Size string

const (
	SizeMicro  Size = "micro"
	SizeSmall  Size = "small"
	SizeMedium Size = "medium"
	SizeLarge  Size = "large"
)

// SizeInput describes an enterprise for ClassifySize. Amounts are in billion VND.
type SizeInput struct {
	Sector Sector
	// Staff is the yearly average number of employees with social insurance.
	Staff   int
	Revenue float64 // yearly revenue, billion VND
	Capital float64 // total capital (tổng nguồn vốn), billion VND
	// HasSubsidiaries marks a parent-subsidiary structure, which takes the group index.
	HasSubsidiaries bool
}

// SizeResult is the size class and the index to use.
type SizeResult struct {
	Sector Sector `json:"sector"`
	Size   Size   `json:"size"`
	// Basis says which option of the class was met.
	Basis string    `json:"basis"`
	Index IndexKind `json:"index"`
}

// sizeLimit is one class's upper limits: option 1 is staff AND revenue,
// option 2 is capital.
type sizeLimit struct {
	size    Size
	staff   int
	revenue float64
	capital float64
}

// sizeLimits are Annex IV of Decision 1970 (Decree 80/2021 as the seed gives
// it), smallest class first (DBI-4). The source's medium row for
// agriculture/industry starts capital above 50, leaving 20-50 in no class;
// the medium limit of 100 covers it.
var sizeLimits = map[Sector][]sizeLimit{
	SectorAgricultureIndustry: {
		{SizeMicro, 10, 3, 3},
		{SizeSmall, 100, 50, 20},
		{SizeMedium, 200, 200, 100},
	},
	SectorTradeServices: {
		{SizeMicro, 10, 10, 3},
		{SizeSmall, 50, 100, 50},
		{SizeMedium, 100, 300, 100},
	},
}

// ClassifySize returns the smallest class whose option 1 (staff and revenue
// within the limits) or option 2 (capital within the limit) holds, large
// otherwise, and suggests the index: SME for micro, small and medium, large
// for large, group for any enterprise with subsidiaries (Annex III applies to
// parent-subsidiary structures whatever their size).
func ClassifySize(in SizeInput) (SizeResult, error) {
	limits, ok := sizeLimits[in.Sector]
	if !ok {
		return SizeResult{}, fmt.Errorf("unknown sector %q (want %s or %s)", in.Sector, SectorAgricultureIndustry, SectorTradeServices)
	}
	if in.Staff < 0 {
		return SizeResult{}, fmt.Errorf("staff must not be negative, got %d", in.Staff)
	}
	for _, v := range []struct {
		name string
		x    float64
	}{{"revenue", in.Revenue}, {"capital", in.Capital}} {
		if math.IsNaN(v.x) || math.IsInf(v.x, 0) || v.x < 0 {
			return SizeResult{}, fmt.Errorf("%s must be a non-negative number of billion VND, got %v", v.name, v.x)
		}
	}
	r := SizeResult{Sector: in.Sector, Size: SizeLarge, Basis: "neither option within the medium limits", Index: Large}
	for _, l := range limits {
		opt1 := in.Staff <= l.staff && in.Revenue <= l.revenue
		opt2 := in.Capital <= l.capital
		if !opt1 && !opt2 {
			continue
		}
		r.Size, r.Index = l.size, SME
		switch {
		case opt1 && opt2:
			r.Basis = "options 1 (staff and revenue) and 2 (capital)"
		case opt1:
			r.Basis = "option 1 (staff and revenue)"
		default:
			r.Basis = "option 2 (capital)"
		}
		break
	}
	if in.HasSubsidiaries {
		r.Index = Group
	}
	return r, nil
}
