package dbi

import (
	"encoding/json"
	"strings"
	"testing"
)

// DBI-1, DBI-3: every count and maximum of both models, as the spec lists them.
func TestModelCountsAndMaxima(t *testing.T) {
	type sub struct {
		criteria, max int
	}
	tests := []struct {
		kind        IndexKind
		criteria    int
		max         int
		pillarMax   [PillarCount]int
		pillarCrit  [PillarCount]int
		subIndexes  map[string]sub
		pointsFive  []string // criteria scoring 5 points per level
		firstSource map[string]string
	}{
		{
			kind: SME, criteria: 60, max: 320,
			pillarMax:  [...]int{65, 25, 80, 65, 50, 35},
			pillarCrit: [...]int{13, 1, 16, 13, 10, 7},
			subIndexes: map[string]sub{
				"1.1": {9, 45}, "1.2": {4, 20}, "2.1": {1, 25}, "3.1": {2, 10}, "3.2": {14, 70},
				"4.1": {6, 30}, "4.2": {7, 35}, "5.1": {5, 25}, "5.2": {5, 25}, "6.1": {7, 35},
			},
			pointsFive:  []string{"2.1.1"},
			firstSource: map[string]string{"1.2.4": "1.2 A", "3.2.12": "3.2.11"},
		},
		{
			kind: Large, criteria: 139, max: 695,
			pillarMax:  [...]int{125, 120, 145, 110, 110, 85},
			pillarCrit: [...]int{25, 24, 29, 22, 22, 17},
			subIndexes: map[string]sub{
				"1.1": {9, 45}, "1.2": {8, 40}, "1.3": {3, 15}, "1.4": {5, 25},
				"2.1": {4, 20}, "2.2": {3, 15}, "2.3": {3, 15}, "2.4": {3, 15}, "2.5": {3, 15}, "2.6": {8, 40},
				"3.1": {5, 25}, "3.2": {7, 35}, "3.3": {4, 20}, "3.4": {4, 20}, "3.5": {9, 45},
				"4.1": {4, 20}, "4.2": {6, 30}, "4.3": {4, 20}, "4.4": {8, 40},
				"5.1": {6, 30}, "5.2": {8, 40}, "5.3": {8, 40},
				"6.1": {7, 35}, "6.2": {7, 35}, "6.3": {3, 15},
			},
			firstSource: map[string]string{"4.3.2": "43.2", "6.3.3": "6,3.3"},
		},
	}
	models := Models()
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			m := models[tt.kind]
			if m == nil {
				t.Fatalf("no %s model", tt.kind)
			}
			if got := len(m.Criteria()); got != tt.criteria {
				t.Errorf("criteria = %d, want %d", got, tt.criteria)
			}
			if m.Max != tt.max {
				t.Errorf("max = %d, want %d", m.Max, tt.max)
			}
			nsub := 0
			for i, p := range m.Pillars {
				if p.Max != tt.pillarMax[i] {
					t.Errorf("pillar %d max = %d, want %d", p.Number, p.Max, tt.pillarMax[i])
				}
				n := 0
				for _, s := range p.SubIndexes {
					nsub++
					n += len(s.Criteria)
					want, ok := tt.subIndexes[s.ID]
					if !ok {
						t.Errorf("unexpected sub-index %s", s.ID)
						continue
					}
					if len(s.Criteria) != want.criteria || s.Max != want.max {
						t.Errorf("sub-index %s: %d criteria, max %d; want %d, %d", s.ID, len(s.Criteria), s.Max, want.criteria, want.max)
					}
				}
				if n != tt.pillarCrit[i] {
					t.Errorf("pillar %d has %d criteria, want %d", p.Number, n, tt.pillarCrit[i])
				}
			}
			if nsub != len(tt.subIndexes) {
				t.Errorf("sub-indexes = %d, want %d", nsub, len(tt.subIndexes))
			}
			five := map[string]bool{}
			for _, id := range tt.pointsFive {
				five[id] = true
			}
			var prev string
			for _, c := range m.Criteria() {
				want := 1
				if five[c.ID] {
					want = 5
				}
				if c.PointsPerLevel != want {
					t.Errorf("%s scores %d per level, want %d", c.ID, c.PointsPerLevel, want)
				}
				if strings.Trim(c.ID, "0123456789.") != "" || strings.Count(c.ID, ".") != 2 {
					t.Errorf("criterion ID %q is not normalised", c.ID)
				}
				if prev != "" && compareIDs(prev, c.ID) >= 0 {
					t.Errorf("criterion %s follows %s: IDs out of order", c.ID, prev)
				}
				prev = c.ID
				if c.Text.VI == "" || c.Text.EN == "" {
					t.Errorf("%s lacks a text", c.ID)
				}
			}
			for id, src := range tt.firstSource {
				c, ok := m.Criterion(id)
				if !ok || c.SourceID != src {
					t.Errorf("criterion %s: source_id %q, want %q", id, c.SourceID, src)
				}
			}
		})
	}
}

func TestNormalisedCriteria(t *testing.T) {
	ms := Models()
	for _, tt := range []struct {
		kind IndexKind
		id   string
		vi   string // start of the Vietnamese text
	}{
		{SME, "1.2.4", "Mức độ doanh nghiệp mua sắm hàng hóa trực tuyến"},
		{SME, "3.2.11", "Doanh nghiệp có sử dụng robot"},
		{SME, "3.2.12", "Doanh nghiệp có áp dụng các quy trình tự động hóa"},
		{SME, "3.2.13", "Doanh nghiệp có sử dụng các công nghệ nhận diện"},
		{SME, "5.1.5", "Doanh nghiệp sử dụng các giải pháp họp trực tuyến"},
		{Large, "1.2.3", "Có kế hoạch đầu tư"},
		{Large, "1.2.8", "Hiệu suất của hành trình khách hàng có thể quản lý"},
		{Large, "1.3.3", "Kỳ vọng, sở thích"},
		{Large, "2.6.6", "Lãnh đạo Doanh nghiệp tích cực truyền đạt"},
		{Large, "4.3.1", "Trách nhiệm đối với quản lý thay đổi"},
		{Large, "6.3.3", "Tạo ra các giá trị kinh tế"},
	} {
		c, ok := ms[tt.kind].Criterion(tt.id)
		if !ok {
			t.Errorf("%s %s missing", tt.kind, tt.id)
			continue
		}
		if !strings.HasPrefix(c.Text.VI, tt.vi) {
			t.Errorf("%s %s = %q, want it to start %q", tt.kind, tt.id, c.Text.VI, tt.vi)
		}
	}
	if c, _ := ms[SME].Criterion("1.1.1"); c.Pillar() != 1 {
		t.Errorf("1.1.1 pillar = %d", c.Pillar())
	}
}

func TestModelsAreCopies(t *testing.T) {
	m := Models()[SME]
	if err := m.SetRubric("1.1.1", 3, Text{VI: "Cập nhật hằng tuần", EN: "Updated weekly"}); err != nil {
		t.Fatal(err)
	}
	if c, _ := m.Criterion("1.1.1"); c.Rubric[3].EN != "Updated weekly" {
		t.Fatalf("rubric not set: %v", c.Rubric)
	}
	if c, _ := Models()[SME].Criterion("1.1.1"); len(c.Rubric) != 0 {
		t.Fatalf("SetRubric on a copy changed the embedded model: %v", c.Rubric)
	}
	// Clone is deep: the rubric of a clone is its own.
	c2 := m.Clone()
	if err := c2.SetRubric("1.1.1", 3, Text{}); err != nil {
		t.Fatal(err)
	}
	if c, _ := m.Criterion("1.1.1"); c.Rubric[3].EN != "Updated weekly" {
		t.Fatal("removing a rubric on a clone changed the original")
	}
}

func TestSetRubricErrors(t *testing.T) {
	m := Models()[Large]
	for _, tt := range []struct {
		id    string
		level int
		want  string
	}{
		{"9.9.9", 1, "not in the large index"},
		{"1.1.1", 6, "out of range"},
		{"1.1.1", -1, "out of range"},
	} {
		err := m.SetRubric(tt.id, tt.level, Text{VI: "x", EN: "x"})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("SetRubric(%s, %d) = %v, want %q", tt.id, tt.level, err, tt.want)
		}
	}
}

// An edited model (rubric added) survives a JSON round trip.
func TestParseModelRoundTrip(t *testing.T) {
	m := Models()[SME]
	if err := m.SetRubric("2.1.1", 5, Text{VI: "Có chiến lược được phê duyệt", EN: "An approved strategy"}); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseModel(data)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := back.Criterion("2.1.1"); c.Rubric[5].EN != "An approved strategy" || c.PointsPerLevel != 5 {
		t.Fatalf("round trip lost data: %+v", c)
	}
}

func TestParseModelRejects(t *testing.T) {
	good, err := modelFiles.ReadFile("models/sme.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, old, new, want string
	}{
		{"wrong total", `"max": 320`, `"max": 321`, "pillars add up to 320"},
		{"wrong pillar max", `"max": 65,`, `"max": 66,`, "pillar 1: max 66"},
		{"duplicate ID", `"id": "1.1.2"`, `"id": "1.1.1"`, "defined twice"},
		{"ID outside sub-index", `"id": "1.2.1"`, `"id": "1.3.1"`, "not under sub-index 1.2"},
		{"unknown field", `"points_per_level": 5`, `"points_per_level": 5, "weight": 2`, "unknown field"},
		{"bad kind", `"index": "sme"`, `"index": "group"`, "want sme or large"},
		{"bad rubric level", `"points_per_level": 5`, `"points_per_level": 5, "rubric": {"6": {"vi": "x", "en": "x"}}`, "rubric level 6"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.Replace(string(good), tt.old, tt.new, 1)
			if data == string(good) {
				t.Fatalf("%q not found in sme.json", tt.old)
			}
			_, err := ParseModel([]byte(data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestModelFor(t *testing.T) {
	if _, err := ModelFor(Group); err == nil {
		t.Fatal("ModelFor(group) should fail: a group has no criteria of its own")
	}
	m, err := ModelFor(Large)
	if err != nil || m.Kind != Large {
		t.Fatalf("ModelFor(large) = %v, %v", m, err)
	}
}
