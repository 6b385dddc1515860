package dbi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Result is the score of one SME or large-enterprise assessment.
type Result struct {
	Index   IndexKind      `json:"index"`
	Total   int            `json:"total"`
	Max     int            `json:"max"`
	Level   int            `json:"level"`
	Pillars []PillarResult `json:"pillars"`
}

// PillarResult is one pillar's points and level.
type PillarResult struct {
	Pillar int `json:"pillar"`
	Points int `json:"points"`
	Max    int `json:"max"`
	Level  int `json:"level"`
}

// Score rates an assessment: levels maps normalised criterion IDs to levels
// 0-5. A criterion left out scores 0 (DBI-2: missing data may be scored 0).
// An unknown ID or a level out of range fails with a *ValidationError naming
// every offending criterion.
func (m *Model) Score(levels map[string]int) (Result, error) {
	var probs []Problem
	for id, l := range levels {
		if _, ok := m.byID[id]; !ok {
			probs = append(probs, Problem{Criterion: id, Message: m.unknownCriterion(id)})
			continue
		}
		if l < 0 || l > MaxLevel {
			probs = append(probs, levelRangeProblem(id, strconv.Itoa(l)))
		}
	}
	if len(probs) > 0 {
		return Result{}, newValidationError(probs)
	}
	r := Result{Index: m.Kind, Max: m.Max, Pillars: make([]PillarResult, len(m.Pillars))}
	pillarLevels := make([]int, len(m.Pillars))
	for i := range m.Pillars {
		p := &m.Pillars[i]
		pts := 0
		for _, s := range p.SubIndexes {
			for _, c := range s.Criteria {
				pts += levels[c.ID] * c.PointsPerLevel
			}
		}
		pillarLevels[i] = PillarLevel(pts, p.Max)
		r.Pillars[i] = PillarResult{Pillar: p.Number, Points: pts, Max: p.Max, Level: pillarLevels[i]}
		r.Total += pts
	}
	level, err := OverallLevel(m.Kind, r.Total, pillarLevels)
	if err != nil {
		return Result{}, err
	}
	r.Level = level
	return r, nil
}

// unknownCriterion explains why id is not in m, pointing at the other index
// or at the normalised ID when id is a label the source printed.
func (m *Model) unknownCriterion(id string) string {
	for _, c := range m.byID {
		if c.SourceID == id {
			return fmt.Sprintf("not a criterion ID of the %s index; the source's %q is %s", m.Kind, id, c.ID)
		}
	}
	for kind, other := range mustEmbedded() {
		if _, ok := other.byID[id]; ok && kind != m.Kind {
			return fmt.Sprintf("belongs to the %s index, not the %s index", kind, m.Kind)
		}
	}
	return fmt.Sprintf("not a criterion of the %s index", m.Kind)
}

func levelRangeProblem(id, level string) Problem {
	return Problem{Criterion: id, Message: fmt.Sprintf("level %s is out of range 0-%d", level, MaxLevel)}
}

// PillarLevel maps a pillar's points to its level 0-5 from the share
// p = points/max (DBI-2, Annex I/II table 2): 0 below 10%; 1 from 10% to 20%;
// 2 above 20% to 40%; 3 above 40% to 60%; 4 above 60% to 80%; 5 above 80%.
// Upper bounds are inclusive (Annex I example: 39/65 = 60% is level 3).
// Exactly 10% is level 1 for both indexes: the SME table ("from above 10%")
// leaves it in neither row, the large table says level 1 from 10%.
// Integer arithmetic keeps the boundaries exact.
func PillarLevel(points, max int) int {
	if max <= 0 || 10*points < max {
		return 0
	}
	// Level k (1-4) holds up to and including k*20% of the maximum.
	for k := 1; k < MaxLevel; k++ {
		if 5*points <= k*max {
			return k
		}
	}
	return MaxLevel
}

// overallRule is the overall-level table of one index: level k needs total
// points strictly above exceed[k] and at least pillars[k] pillars at level k
// or above.
type overallRule struct {
	exceed  [MaxLevel + 1]int
	pillars [MaxLevel + 1]int
}

var overallRules = map[IndexKind]overallRule{
	// DBI-2, Annex I section II.2.2.
	SME: {exceed: [...]int{0, 20, 64, 128, 192, 256}, pillars: [...]int{0, 4, 4, 4, 5, 6}},
	// DBI-2, Annex II section II.2.2. The level-3 number is missing in the
	// source (seed line 5153); 278 = 2 x 139 follows the pattern of 139, 417, 556.
	Large: {exceed: [...]int{0, 40, 139, 278, 417, 556}, pillars: [...]int{0, 4, 4, 4, 5, 6}},
}

// OverallLevel is the enterprise's overall level (DBI-2): checking 5 down to
// 1, the first level whose two conditions both hold wins, else 0. A total
// above a level's cut-off with too few pillars at that level therefore falls
// to the highest lower level whose conditions hold.
func OverallLevel(kind IndexKind, total int, pillarLevels []int) (int, error) {
	rule, ok := overallRules[kind]
	if !ok {
		return 0, fmt.Errorf("no overall-level rule for index %q (want sme or large)", kind)
	}
	if len(pillarLevels) != PillarCount {
		return 0, fmt.Errorf("want %d pillar levels, got %d", PillarCount, len(pillarLevels))
	}
	for k := MaxLevel; k >= 1; k-- {
		n := 0
		for _, l := range pillarLevels {
			if l >= k {
				n++
			}
		}
		if total > rule.exceed[k] && n >= rule.pillars[k] {
			return k, nil
		}
	}
	return 0, nil
}

// Problem is one offending item of an input.
type Problem struct {
	Criterion string `json:"criterion,omitempty"`
	Unit      string `json:"unit,omitempty"`
	Message   string `json:"message"`
}

func (p Problem) String() string {
	switch {
	case p.Criterion != "":
		return "criterion " + p.Criterion + ": " + p.Message
	case p.Unit != "":
		return "unit " + p.Unit + ": " + p.Message
	}
	return p.Message
}

// ValidationError lists every problem of an input: general and unit problems
// first, in input order, then criteria in ID order.
type ValidationError struct {
	Problems []Problem
}

func newValidationError(probs []Problem) *ValidationError {
	slices.SortStableFunc(probs, func(a, b Problem) int {
		switch {
		case a.Criterion == "" && b.Criterion == "":
			return 0
		case a.Criterion == "":
			return -1
		case b.Criterion == "":
			return 1
		}
		return compareIDs(a.Criterion, b.Criterion)
	})
	return &ValidationError{Problems: probs}
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// compareIDs orders dotted IDs numerically part by part ("3.2.2" < "3.2.10"),
// falling back to string order for parts that are not numbers.
func compareIDs(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		if ea == nil && eb == nil {
			if na != nb {
				return na - nb
			}
			continue
		}
		if c := strings.Compare(pa[i], pb[i]); c != 0 {
			return c
		}
	}
	return len(pa) - len(pb)
}
