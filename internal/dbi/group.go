package dbi

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Unit is one member unit of a corporation/group (Annex III step 1): the
// parent company, subsidiaries, public service units, branches,
// representative offices; not associated companies. Level and PillarLevels
// come from the unit's own SME or large assessment.
type Unit struct {
	Name   string `json:"name"`
	Parent bool   `json:"parent"`
	// Staff is the number of staff under labour contracts (có HĐLĐ).
	Staff        int64 `json:"staff"`
	Level        int   `json:"level"`
	PillarLevels []int `json:"pillar_levels"`
}

// GroupResult is the corporation/group score Đth, its level and the same per
// pillar. Scores are rounded to 4 decimals for display; levels are decided on
// exact fractions.
type GroupResult struct {
	Index   IndexKind           `json:"index"`
	Score   float64             `json:"score"`
	Level   int                 `json:"level"`
	Staff   int64               `json:"staff"`
	Pillars []GroupPillarResult `json:"pillars"`
	Units   []UnitWeight        `json:"units"`
}

// GroupPillarResult is the group's score Đtccth and level for one pillar.
type GroupPillarResult struct {
	Pillar int     `json:"pillar"`
	Score  float64 `json:"score"`
	Level  int     `json:"level"`
}

// UnitWeight is a unit's weight Wđv = unit staff / group staff (Annex III step 2).
type UnitWeight struct {
	Name   string  `json:"name"`
	Staff  int64   `json:"staff"`
	Weight float64 `json:"weight"`
	Level  int     `json:"level"`
}

// ScoreGroup aggregates member units into the group's score and level
// (DBI-2, Annex III): Đth = sum(Mđv x Wđv) with Wđv the unit's share of the
// group's staff under labour contracts; the same for each pillar with the
// units' pillar levels. Exactly one unit must be the parent; every unit needs
// a name (unique), positive staff, a level 0-5 and six pillar levels 0-5.
func ScoreGroup(units []Unit) (GroupResult, error) {
	if err := checkUnits(units); err != nil {
		return GroupResult{}, err
	}
	var total int64
	var parent *Unit
	for i := range units {
		total += units[i].Staff // checkUnits ruled out overflow
		if units[i].Parent {
			parent = &units[i]
		}
	}
	den := big.NewInt(total)
	// score sums level x staff over the units; Đth is that over the total staff.
	score := func(level func(u *Unit) int) (float64, int) {
		num := new(big.Int)
		for i := range units {
			num.Add(num, new(big.Int).Mul(big.NewInt(int64(level(&units[i]))), big.NewInt(units[i].Staff)))
		}
		return ratio(num, den), groupLevel(num, den, level(parent))
	}
	r := GroupResult{Index: Group, Staff: total}
	r.Score, r.Level = score(func(u *Unit) int { return u.Level })
	for p := range PillarCount {
		s, l := score(func(u *Unit) int { return u.PillarLevels[p] })
		r.Pillars = append(r.Pillars, GroupPillarResult{Pillar: p + 1, Score: s, Level: l})
	}
	for _, u := range units {
		r.Units = append(r.Units, UnitWeight{Name: u.Name, Staff: u.Staff, Weight: ratio(big.NewInt(u.Staff), den), Level: u.Level})
	}
	return r, nil
}

// groupLevel applies Annex III step 4 to Đth = num/den: checking k from 5
// down to 1, level k if Đth >= k, or if Đth > k - 0.5 and the parent is at
// level k or above; else 0 (which covers Đth <= 0.5).
func groupLevel(num, den *big.Int, parentLevel int) int {
	twoNum := new(big.Int).Lsh(num, 1)
	for k := int64(MaxLevel); k >= 1; k-- {
		if num.Cmp(new(big.Int).Mul(big.NewInt(k), den)) >= 0 {
			return int(k)
		}
		// Đth > k - 0.5  <=>  2*num > (2k-1)*den
		if int64(parentLevel) >= k && twoNum.Cmp(new(big.Int).Mul(big.NewInt(2*k-1), den)) > 0 {
			return int(k)
		}
	}
	return 0
}

// ratio is num/den rounded to 4 decimals for display.
func ratio(num, den *big.Int) float64 {
	f, _ := new(big.Rat).SetFrac(num, den).Float64()
	return math.Round(f*1e4) / 1e4
}

// unitLabel names a unit in messages: its name, or its position when unnamed.
func unitLabel(i int, name string) string {
	if strings.TrimSpace(name) == "" {
		return "#" + strconv.Itoa(i+1)
	}
	return strconv.Quote(name)
}

func checkUnits(units []Unit) error {
	if len(units) == 0 {
		return newValidationError([]Problem{{Message: "a group needs at least one member unit"}})
	}
	var probs []Problem
	seen := map[string]bool{}
	var parents []string
	var total int64
	for i, u := range units {
		label := unitLabel(i, u.Name)
		add := func(format string, args ...any) {
			probs = append(probs, Problem{Unit: label, Message: fmt.Sprintf(format, args...)})
		}
		if strings.TrimSpace(u.Name) == "" {
			add("name is required")
		} else if seen[u.Name] {
			add("name is used by another unit")
		}
		seen[u.Name] = true
		if u.Parent {
			parents = append(parents, label)
		}
		// A unit without staff would weigh nothing; it is more likely a data error.
		if u.Staff <= 0 {
			add("staff under labour contracts must be positive, got %d", u.Staff)
		} else if total > math.MaxInt64-u.Staff {
			add("staff total is too large")
		} else {
			total += u.Staff
		}
		if u.Level < 0 || u.Level > MaxLevel {
			add("level %d is out of range 0-%d", u.Level, MaxLevel)
		}
		if len(u.PillarLevels) != PillarCount {
			add("want %d pillar levels, got %d", PillarCount, len(u.PillarLevels))
		} else {
			for p, l := range u.PillarLevels {
				if l < 0 || l > MaxLevel {
					add("pillar %d level %d is out of range 0-%d", p+1, l, MaxLevel)
				}
			}
		}
	}
	switch {
	case len(parents) == 0:
		probs = append(probs, Problem{Message: "no unit is marked as the parent company (the parent rule needs its level)"})
	case len(parents) > 1:
		probs = append(probs, Problem{Message: "only one unit may be the parent company; marked: " + strings.Join(parents, ", ")})
	}
	if len(probs) > 0 {
		return newValidationError(probs)
	}
	return nil
}
