package dbi

import (
	"errors"
	"strings"
	"testing"
)

// DBI-2: pillar level from the share of the pillar maximum, upper bounds inclusive.
func TestPillarLevel(t *testing.T) {
	tests := []struct {
		points, max, want int
	}{
		{0, 50, 0},
		{4, 50, 0},  // 8%
		{5, 50, 1},  // exactly 10%: level 1 (SME table leaves a gap, large says "from 10%")
		{10, 50, 1}, // exactly 20%
		{11, 50, 2},
		{20, 50, 2}, // exactly 40%
		{21, 50, 3},
		{30, 50, 3}, // exactly 60%
		{31, 50, 4},
		{40, 50, 4}, // exactly 80%
		{41, 50, 5},
		{50, 50, 5},
		{39, 65, 3}, // Annex I worked example: 39/65 = 60% is level 3
		{40, 65, 4},
		{6, 65, 0}, // 9.2%
		{7, 65, 1}, // 10.8%
		{2, 25, 0}, // SME pillar 2: 2.1.1 scores in steps of 5, but a raw 8% is still 0
		{5, 25, 1}, // 2.1.1 at level 1 = 20%
		{10, 25, 2},
		{15, 25, 3},
		{20, 25, 4},
		{25, 25, 5},
		{12, 125, 0}, // 9.6%
		{13, 125, 1}, // 10.4%
		{0, 0, 0},    // no maximum: nothing to rate
	}
	for _, tt := range tests {
		if got := PillarLevel(tt.points, tt.max); got != tt.want {
			t.Errorf("PillarLevel(%d, %d) = %d, want %d", tt.points, tt.max, got, tt.want)
		}
	}
}

// DBI-2: overall level from total points and pillars at or above the level.
func TestOverallLevel(t *testing.T) {
	tests := []struct {
		name   string
		kind   IndexKind
		total  int
		levels []int
		want   int
	}{
		{"sme 20 is level 0", SME, 20, []int{1, 1, 1, 1, 1, 1}, 0},
		{"sme 21 level 1", SME, 21, []int{1, 1, 1, 1, 0, 0}, 1},
		{"sme 21 but three pillars", SME, 21, []int{1, 1, 1, 0, 0, 0}, 0},
		{"sme 64 stays 1", SME, 64, []int{2, 2, 2, 2, 2, 2}, 1},
		{"sme 65 level 2", SME, 65, []int{2, 2, 2, 2, 0, 0}, 2},
		{"sme 128 stays 2", SME, 128, []int{3, 3, 3, 3, 3, 3}, 2},
		{"sme 129 level 3", SME, 129, []int{3, 3, 3, 3, 1, 1}, 3},
		{"sme 192 stays 3", SME, 192, []int{4, 4, 4, 4, 4, 4}, 3},
		{"sme 193 level 4", SME, 193, []int{4, 4, 4, 4, 4, 0}, 4},
		{"sme 193 four pillars at 4 falls to 3", SME, 193, []int{4, 4, 4, 4, 3, 3}, 3},
		{"sme 256 stays 4", SME, 256, []int{5, 5, 5, 5, 5, 5}, 4},
		{"sme 257 level 5", SME, 257, []int{5, 5, 5, 5, 5, 5}, 5},
		{"sme 300 five pillars at 5 falls to 4", SME, 300, []int{5, 5, 5, 5, 5, 4}, 4},
		{"sme high total, too few pillars anywhere", SME, 200, []int{5, 5, 5, 0, 0, 0}, 0},
		{"sme high total, pillars only for 2", SME, 250, []int{5, 5, 5, 2, 0, 0}, 2},
		{"large 40 is level 0", Large, 40, []int{1, 1, 1, 1, 1, 1}, 0},
		{"large 41 level 1", Large, 41, []int{1, 1, 1, 1, 0, 0}, 1},
		{"large 139 stays 1", Large, 139, []int{2, 2, 2, 2, 2, 2}, 1},
		{"large 140 level 2", Large, 140, []int{2, 2, 2, 2, 0, 0}, 2},
		{"large 278 stays 2 (missing threshold)", Large, 278, []int{3, 3, 3, 3, 2, 2}, 2},
		{"large 279 level 3", Large, 279, []int{3, 3, 3, 3, 2, 2}, 3},
		{"large 417 stays 3", Large, 417, []int{4, 4, 4, 4, 4, 4}, 3},
		{"large 418 level 4", Large, 418, []int{4, 4, 4, 4, 4, 1}, 4},
		{"large 556 stays 4", Large, 556, []int{5, 5, 5, 5, 5, 5}, 4},
		{"large 557 level 5", Large, 557, []int{5, 5, 5, 5, 5, 5}, 5},
		{"large 695 one pillar at 4", Large, 695, []int{5, 5, 5, 5, 5, 4}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := OverallLevel(tt.kind, tt.total, tt.levels)
			if err != nil || got != tt.want {
				t.Fatalf("OverallLevel(%s, %d, %v) = %d, %v; want %d", tt.kind, tt.total, tt.levels, got, err, tt.want)
			}
		})
	}
	if _, err := OverallLevel(Group, 100, []int{1, 1, 1, 1, 1, 1}); err == nil {
		t.Error("group has no points rule; want an error")
	}
	if _, err := OverallLevel(SME, 100, []int{1, 1}); err == nil {
		t.Error("two pillar levels accepted")
	}
}

// all rates every criterion of m at level l.
func all(m *Model, l int) map[string]int {
	out := map[string]int{}
	for _, c := range m.Criteria() {
		out[c.ID] = l
	}
	return out
}

func TestScore(t *testing.T) {
	ms := Models()
	sme, large := ms[SME], ms[Large]
	// Hand-computed SME case: pillar 1 39/65 = 60% (3), pillar 2 2.1.1 at 2 = 10/25 (2),
	// pillar 3 28/80 = 35% (2), pillar 4 39/65 (3), pillar 5 21/50 = 42% (3),
	// pillar 6 21/35 = 60% (3): total 158 > 128 with four pillars at 3 -> level 3.
	mixed := map[string]int{"2.1.1": 2, "3.1.1": 5, "3.1.2": 5, "3.2.1": 4, "3.2.2": 4, "3.2.3": 4, "3.2.4": 4, "3.2.5": 2, "5.2.1": 1}
	for _, c := range sme.Criteria() {
		switch c.Pillar() {
		case 1, 4, 6:
			mixed[c.ID] = 3
		case 5:
			if strings.HasPrefix(c.ID, "5.1.") {
				mixed[c.ID] = 4
			}
		}
	}
	tests := []struct {
		name    string
		m       *Model
		levels  map[string]int
		total   int
		level   int
		pillars []int // points per pillar
		plevels []int
	}{
		{"sme empty", sme, nil, 0, 0, []int{0, 0, 0, 0, 0, 0}, []int{0, 0, 0, 0, 0, 0}},
		{"sme all 1", sme, all(sme, 1), 64, 1, []int{13, 5, 16, 13, 10, 7}, []int{1, 1, 1, 1, 1, 1}},
		{"sme all 2", sme, all(sme, 2), 128, 2, []int{26, 10, 32, 26, 20, 14}, []int{2, 2, 2, 2, 2, 2}},
		{"sme all 5", sme, all(sme, 5), 320, 5, []int{65, 25, 80, 65, 50, 35}, []int{5, 5, 5, 5, 5, 5}},
		{"sme only 2.1.1 at 3", sme, map[string]int{"2.1.1": 3}, 15, 0, []int{0, 15, 0, 0, 0, 0}, []int{0, 3, 0, 0, 0, 0}},
		{"sme mixed", sme, mixed, 158, 3, []int{39, 10, 28, 39, 21, 21}, []int{3, 2, 2, 3, 3, 3}},
		{"large all 2", large, all(large, 2), 278, 2, []int{50, 48, 58, 44, 44, 34}, []int{2, 2, 2, 2, 2, 2}},
		{"large all 3", large, all(large, 3), 417, 3, []int{75, 72, 87, 66, 66, 51}, []int{3, 3, 3, 3, 3, 3}},
		{"large all 5", large, all(large, 5), 695, 5, []int{125, 120, 145, 110, 110, 85}, []int{5, 5, 5, 5, 5, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.m.Score(tt.levels)
			if err != nil {
				t.Fatal(err)
			}
			if r.Index != tt.m.Kind || r.Total != tt.total || r.Level != tt.level || r.Max != tt.m.Max {
				t.Errorf("got %s total %d/%d level %d; want total %d level %d", r.Index, r.Total, r.Max, r.Level, tt.total, tt.level)
			}
			for i, p := range r.Pillars {
				if p.Pillar != i+1 || p.Points != tt.pillars[i] || p.Level != tt.plevels[i] || p.Max != tt.m.Pillars[i].Max {
					t.Errorf("pillar %d: %+v; want points %d level %d", i+1, p, tt.pillars[i], tt.plevels[i])
				}
			}
		})
	}
}

func TestScoreRejects(t *testing.T) {
	ms := Models()
	tests := []struct {
		name   string
		kind   IndexKind
		levels map[string]int
		want   []string // problem strings, in order
	}{
		{"level above 5", SME, map[string]int{"1.1.1": 6}, []string{"criterion 1.1.1: level 6 is out of range 0-5"}},
		{"negative level", Large, map[string]int{"6.3.3": -1}, []string{"criterion 6.3.3: level -1 is out of range 0-5"}},
		{"large-only ID on sme", SME, map[string]int{"2.2.1": 1}, []string{"criterion 2.2.1: belongs to the large index, not the sme index"}},
		{"sme-only ID on large", Large, map[string]int{"3.2.14": 1}, []string{"criterion 3.2.14: belongs to the sme index, not the large index"}},
		{"source label", SME, map[string]int{"1.2 A": 1}, []string{`criterion 1.2 A: not a criterion ID of the sme index; the source's "1.2 A" is 1.2.4`}},
		{"unknown", Large, map[string]int{"9.1.1": 1}, []string{"criterion 9.1.1: not a criterion of the large index"}},
		{"all listed in ID order", SME, map[string]int{"3.2.10": 9, "3.2.2": 7, "1.1.1": 1, "7.1.1": 2}, []string{
			"criterion 3.2.2: level 7 is out of range 0-5",
			"criterion 3.2.10: level 9 is out of range 0-5",
			"criterion 7.1.1: not a criterion of the sme index",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ms[tt.kind].Score(tt.levels)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			var got []string
			for _, p := range ve.Problems {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCompareIDs(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		sign int
	}{
		{"3.2.2", "3.2.10", -1},
		{"3.2.10", "3.2.2", 1},
		{"1.1.1", "1.1.1", 0},
		{"1.2", "1.2.1", -1},
		{"1.2 A", "1.2.4", 1}, // "2 A" > "2" as strings
	} {
		got := compareIDs(tt.a, tt.b)
		if (got < 0 && tt.sign >= 0) || (got > 0 && tt.sign <= 0) || (got == 0 && tt.sign != 0) {
			t.Errorf("compareIDs(%q, %q) = %d, want sign %d", tt.a, tt.b, got, tt.sign)
		}
	}
}
