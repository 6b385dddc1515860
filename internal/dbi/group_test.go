package dbi

import (
	"errors"
	"math/big"
	"strings"
	"testing"
)

// DBI-2, Annex III step 4, on exact fractions Đth = num/den.
func TestGroupLevel(t *testing.T) {
	tests := []struct {
		name     string
		num, den int64
		parent   int
		want     int
	}{
		{"zero", 0, 1, 5, 0},
		{"0.5 exactly, parent 5", 1, 2, 5, 0}, // "Đth <= 0.5" is level 0
		{"just above 0.5, parent 1", 5001, 10000, 1, 1},
		{"just above 0.5, parent 0", 5001, 10000, 0, 0},
		{"0.99 no parent rule", 99, 100, 0, 0},
		{"1 exactly", 1, 1, 0, 1},
		{"1.5 exactly, parent 2", 3, 2, 2, 1},
		{"1.6, parent 2", 16, 10, 2, 2},
		{"1.6, parent 5", 16, 10, 5, 2}, // parent rule lifts by at most half a level
		{"1.6, parent 1", 16, 10, 1, 1},
		{"2.5 exactly, parent 3", 5, 2, 3, 2},
		{"2.65, parent 3", 265, 100, 3, 3},
		{"3.6, parent 4", 36, 10, 4, 4},
		{"3.6, parent 3", 36, 10, 3, 3},
		{"4 exactly", 4, 1, 0, 4},
		{"4.5 exactly, parent 5", 9, 2, 5, 4},
		{"4.6, parent 5", 46, 10, 5, 5},
		{"4.6, parent 4", 46, 10, 4, 4},
		{"5 exactly", 5, 1, 0, 5},
		{"thirds: 2/3 with parent 1", 2, 3, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := groupLevel(big.NewInt(tt.num), big.NewInt(tt.den), tt.parent); got != tt.want {
				t.Fatalf("groupLevel(%d/%d, parent %d) = %d, want %d", tt.num, tt.den, tt.parent, got, tt.want)
			}
		})
	}
}

func TestScoreGroup(t *testing.T) {
	tests := []struct {
		name    string
		units   []Unit
		score   float64
		level   int
		pscores []float64
		plevels []int
		weights []float64
	}{
		{
			// Đth = (3x800 + 1x150 + 2x50)/1000 = 2.65 > 2.5 and parent at 3: level 3.
			// Pillars: 2.65 (3), 3.6 (4, parent 4), 1.85 (2, parent 2), 2.65 (3),
			// 2.5 exactly (2: the parent rule needs more than 2.5), 1.85 (2).
			name: "parent rule lifts",
			units: []Unit{
				{Name: "HQ", Parent: true, Staff: 800, Level: 3, PillarLevels: []int{3, 4, 2, 3, 3, 2}},
				{Name: "North", Staff: 150, Level: 1, PillarLevels: []int{1, 2, 1, 1, 0, 1}},
				{Name: "South", Staff: 50, Level: 2, PillarLevels: []int{2, 2, 2, 2, 2, 2}},
			},
			score: 2.65, level: 3,
			pscores: []float64{2.65, 3.6, 1.85, 2.65, 2.5, 1.85},
			plevels: []int{3, 4, 2, 3, 2, 2},
			weights: []float64{0.8, 0.15, 0.05},
		},
		{
			// Đth = (2x200 + 3x800)/1000 = 2.8 but the parent is at 2: level 2.
			name: "parent too low",
			units: []Unit{
				{Name: "HQ", Parent: true, Staff: 200, Level: 2, PillarLevels: []int{2, 2, 2, 2, 2, 2}},
				{Name: "Sub", Staff: 800, Level: 3, PillarLevels: []int{3, 3, 3, 3, 3, 3}},
			},
			score: 2.8, level: 2,
			pscores: []float64{2.8, 2.8, 2.8, 2.8, 2.8, 2.8},
			plevels: []int{2, 2, 2, 2, 2, 2},
			weights: []float64{0.2, 0.8},
		},
		{
			// Đth = (5x1 + 4x2)/3 = 4.3333: level 4; parent at 5 needs more than 4.5.
			name: "thirds",
			units: []Unit{
				{Name: "HQ", Parent: true, Staff: 1, Level: 5, PillarLevels: []int{5, 5, 5, 5, 5, 5}},
				{Name: "Sub", Staff: 2, Level: 4, PillarLevels: []int{4, 5, 4, 4, 4, 0}},
			},
			score: 4.3333, level: 4,
			pscores: []float64{4.3333, 5, 4.3333, 4.3333, 4.3333, 1.6667},
			plevels: []int{4, 5, 4, 4, 4, 2},
			weights: []float64{0.3333, 0.6667},
		},
		{
			name: "parent alone",
			units: []Unit{
				{Name: "Only", Parent: true, Staff: 10, Level: 1, PillarLevels: []int{0, 1, 2, 3, 4, 5}},
			},
			score: 1, level: 1,
			pscores: []float64{0, 1, 2, 3, 4, 5},
			plevels: []int{0, 1, 2, 3, 4, 5},
			weights: []float64{1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ScoreGroup(tt.units)
			if err != nil {
				t.Fatal(err)
			}
			if r.Index != Group || r.Score != tt.score || r.Level != tt.level {
				t.Errorf("got %s score %v level %d; want score %v level %d", r.Index, r.Score, r.Level, tt.score, tt.level)
			}
			for i, p := range r.Pillars {
				if p.Pillar != i+1 || p.Score != tt.pscores[i] || p.Level != tt.plevels[i] {
					t.Errorf("pillar %d: %+v; want score %v level %d", i+1, p, tt.pscores[i], tt.plevels[i])
				}
			}
			for i, u := range r.Units {
				if u.Weight != tt.weights[i] || u.Name != tt.units[i].Name {
					t.Errorf("unit %d: %+v; want weight %v", i, u, tt.weights[i])
				}
			}
		})
	}
}

func TestScoreGroupRejects(t *testing.T) {
	six := []int{1, 1, 1, 1, 1, 1}
	hq := Unit{Name: "HQ", Parent: true, Staff: 10, Level: 1, PillarLevels: six}
	tests := []struct {
		name  string
		units []Unit
		want  string
	}{
		{"no units", nil, "at least one member unit"},
		{"no parent", []Unit{{Name: "A", Staff: 1, Level: 1, PillarLevels: six}}, "no unit is marked as the parent"},
		{"two parents", []Unit{hq, {Name: "HQ2", Parent: true, Staff: 1, Level: 1, PillarLevels: six}}, `only one unit may be the parent company; marked: "HQ", "HQ2"`},
		{"zero staff", []Unit{hq, {Name: "Office", Staff: 0, Level: 1, PillarLevels: six}}, `unit "Office": staff under labour contracts must be positive, got 0`},
		{"negative staff", []Unit{hq, {Name: "B", Staff: -3, Level: 1, PillarLevels: six}}, `unit "B": staff under labour contracts must be positive, got -3`},
		{"level out of range", []Unit{hq, {Name: "B", Staff: 3, Level: 6, PillarLevels: six}}, `unit "B": level 6 is out of range 0-5`},
		{"pillar level out of range", []Unit{hq, {Name: "B", Staff: 3, Level: 1, PillarLevels: []int{1, 1, -1, 1, 1, 1}}}, `unit "B": pillar 3 level -1 is out of range 0-5`},
		{"five pillar levels", []Unit{hq, {Name: "B", Staff: 3, Level: 1, PillarLevels: six[:5]}}, `unit "B": want 6 pillar levels, got 5`},
		{"duplicate name", []Unit{hq, {Name: "HQ", Staff: 3, Level: 1, PillarLevels: six}}, `unit "HQ": name is used by another unit`},
		{"no name", []Unit{hq, {Staff: 3, Level: 1, PillarLevels: six}}, "unit #2: name is required"},
		{"staff overflow", []Unit{hq, {Name: "B", Staff: 1<<63 - 1, Level: 1, PillarLevels: six}}, `unit "B": staff total is too large`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ScoreGroup(tt.units)
			var ve *ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a ValidationError with %q", err, tt.want)
			}
		})
	}
}
