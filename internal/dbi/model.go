// Package dbi implements the enterprise digital transformation index (DBI) of
// Decision 1970/QĐ-BTTTT: the SME and large-enterprise index models (kept as
// embedded data), their scoring, the corporation/group aggregation and the
// enterprise size classification that suggests which index to use.
//
// The package is pure: no database, no HTTP. Storage and web handlers build on it.
package dbi

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
)

// IndexKind names one of the three indexes (DBI-1).
type IndexKind string

const (
	SME   IndexKind = "sme"   // Annex I: micro, small and medium enterprises
	Large IndexKind = "large" // Annex II: large enterprises without subsidiaries
	Group IndexKind = "group" // Annex III: corporations/groups, aggregated from member units
)

// MaxLevel is the highest DX level; levels run 0 (not started) to 5 (leading).
const MaxLevel = 5

// PillarCount is the number of pillars in every index (DBI-1).
const PillarCount = 6

// Text is a bilingual string: Vietnamese first, English second.
type Text struct {
	VI string `json:"vi"`
	EN string `json:"en"`
}

// LevelInfo names one level of the 0-5 scale.
type LevelInfo struct {
	Level int  `json:"level"`
	Name  Text `json:"name"`
}

// Model is one index (SME or large) as data. Models from Models are copies
// owned by the caller; change them only through SetRubric.
type Model struct {
	Kind    IndexKind   `json:"index"`
	Name    Text        `json:"name"`
	Source  string      `json:"source"`
	Notes   []string    `json:"notes,omitempty"`
	Levels  []LevelInfo `json:"levels"`
	Max     int         `json:"max"`
	Pillars []Pillar    `json:"pillars"`

	byID map[string]*Criterion
}

// Pillar is one of the six pillars; Max is the sum of its criteria maxima.
type Pillar struct {
	Number     int        `json:"number"`
	Name       Text       `json:"name"`
	Max        int        `json:"max"`
	SubIndexes []SubIndex `json:"sub_indexes"`
}

// SubIndex (chỉ số thành phần) groups criteria within a pillar.
type SubIndex struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
	// Objective is the statement the large index gives per sub-index.
	Objective *Text       `json:"objective,omitempty"`
	Note      string      `json:"note,omitempty"`
	Max       int         `json:"max"`
	Criteria  []Criterion `json:"criteria"`
}

// Criterion (tiêu chí) is rated at a level 0-5 and scores
// level x PointsPerLevel points.
type Criterion struct {
	ID string `json:"id"`
	// SourceID is the label printed in the source when it differs from ID.
	SourceID string `json:"source_id,omitempty"`
	// Group is the SME table's grouping column (e.g. "Tiếp thị điện tử").
	Group          *Text `json:"group,omitempty"`
	Text           Text  `json:"text"`
	PointsPerLevel int   `json:"points_per_level"`
	// Rubric describes what earns each level (keys 0-5); editable data,
	// empty until an administrator writes it (the source gives none).
	Rubric map[int]Text `json:"rubric,omitempty"`
	Note   string       `json:"note,omitempty"`
}

// MaxPoints is the points at level 5.
func (c *Criterion) MaxPoints() int { return MaxLevel * c.PointsPerLevel }

// Pillar returns the pillar number the criterion belongs to.
func (c *Criterion) Pillar() int {
	n, _ := strconv.Atoi(c.ID[:strings.IndexByte(c.ID, '.')])
	return n
}

//go:embed models/*.json
var modelFiles embed.FS

var embedded = sync.OnceValues(func() (map[IndexKind]*Model, error) {
	out := map[IndexKind]*Model{}
	for _, name := range []string{"models/sme.json", "models/large.json"} {
		data, err := modelFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		m, err := ParseModel(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if out[m.Kind] != nil {
			return nil, fmt.Errorf("%s: index %q defined twice", name, m.Kind)
		}
		out[m.Kind] = m
	}
	return out, nil
})

// Models returns fresh copies of the embedded SME and large models.
func Models() map[IndexKind]*Model {
	ms := mustEmbedded()
	out := make(map[IndexKind]*Model, len(ms))
	for k, m := range ms {
		out[k] = m.Clone()
	}
	return out
}

// ModelFor returns a copy of the embedded model of kind (sme or large).
func ModelFor(kind IndexKind) (*Model, error) {
	m, ok := mustEmbedded()[kind]
	if !ok {
		return nil, fmt.Errorf("no criteria model for index %q (want sme or large)", kind)
	}
	return m.Clone(), nil
}

// mustEmbedded panics if the embedded data is invalid, which the package
// tests rule out.
func mustEmbedded() map[IndexKind]*Model {
	ms, err := embedded()
	if err != nil {
		panic("dbi: embedded models: " + err.Error())
	}
	return ms
}

// ParseModel reads a model from JSON (the embedded format, possibly edited)
// and checks it: unique criterion IDs under their pillar and sub-index, levels
// and rubric keys 0-5, and the declared maxima equal to the sums.
func ParseModel(data []byte) (*Model, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if err := m.index(); err != nil {
		return nil, err
	}
	return &m, nil
}

// index validates m and builds the criterion lookup.
func (m *Model) index() error {
	if m.Kind != SME && m.Kind != Large {
		return fmt.Errorf("index %q: want sme or large", m.Kind)
	}
	if len(m.Levels) != MaxLevel+1 {
		return fmt.Errorf("want %d levels, got %d", MaxLevel+1, len(m.Levels))
	}
	for i, l := range m.Levels {
		if l.Level != i {
			return fmt.Errorf("levels[%d] is level %d", i, l.Level)
		}
	}
	if len(m.Pillars) != PillarCount {
		return fmt.Errorf("want %d pillars, got %d", PillarCount, len(m.Pillars))
	}
	m.byID = map[string]*Criterion{}
	total := 0
	for pi := range m.Pillars {
		p := &m.Pillars[pi]
		if p.Number != pi+1 {
			return fmt.Errorf("pillar %d is numbered %d", pi+1, p.Number)
		}
		psum := 0
		for si := range p.SubIndexes {
			s := &p.SubIndexes[si]
			if !strings.HasPrefix(s.ID, strconv.Itoa(p.Number)+".") {
				return fmt.Errorf("sub-index %s is not under pillar %d", s.ID, p.Number)
			}
			ssum := 0
			for ci := range s.Criteria {
				c := &s.Criteria[ci]
				if !strings.HasPrefix(c.ID, s.ID+".") || strings.Count(c.ID, ".") != 2 {
					return fmt.Errorf("criterion %q is not under sub-index %s", c.ID, s.ID)
				}
				if m.byID[c.ID] != nil {
					return fmt.Errorf("criterion %s defined twice", c.ID)
				}
				if c.PointsPerLevel < 1 {
					return fmt.Errorf("criterion %s: points_per_level must be positive", c.ID)
				}
				if c.Text.VI == "" || c.Text.EN == "" {
					return fmt.Errorf("criterion %s: text needs vi and en", c.ID)
				}
				for l := range c.Rubric {
					if l < 0 || l > MaxLevel {
						return fmt.Errorf("criterion %s: rubric level %d out of range 0-%d", c.ID, l, MaxLevel)
					}
				}
				m.byID[c.ID] = c
				ssum += c.MaxPoints()
			}
			if s.Max != ssum {
				return fmt.Errorf("sub-index %s: max %d, criteria add up to %d", s.ID, s.Max, ssum)
			}
			psum += ssum
		}
		if p.Max != psum {
			return fmt.Errorf("pillar %d: max %d, sub-indexes add up to %d", p.Number, p.Max, psum)
		}
		total += psum
	}
	if m.Max != total {
		return fmt.Errorf("max %d, pillars add up to %d", m.Max, total)
	}
	return nil
}

// Clone returns a deep copy of m.
func (m *Model) Clone() *Model {
	c := *m
	c.Notes = append([]string(nil), m.Notes...)
	c.Levels = append([]LevelInfo(nil), m.Levels...)
	c.Pillars = make([]Pillar, len(m.Pillars))
	for pi, p := range m.Pillars {
		p.SubIndexes = append([]SubIndex(nil), p.SubIndexes...)
		for si := range p.SubIndexes {
			s := &p.SubIndexes[si]
			if s.Objective != nil {
				o := *s.Objective
				s.Objective = &o
			}
			s.Criteria = append([]Criterion(nil), s.Criteria...)
			for ci := range s.Criteria {
				cr := &s.Criteria[ci]
				if cr.Group != nil {
					g := *cr.Group
					cr.Group = &g
				}
				cr.Rubric = maps.Clone(cr.Rubric)
			}
		}
		c.Pillars[pi] = p
	}
	if err := c.index(); err != nil {
		panic("dbi: clone of a valid model is invalid: " + err.Error())
	}
	return &c
}

// Criterion looks up a criterion by its normalised ID (e.g. "1.2.4").
func (m *Model) Criterion(id string) (*Criterion, bool) {
	c, ok := m.byID[id]
	return c, ok
}

// Criteria lists the criteria in the order of the source tables.
func (m *Model) Criteria() []*Criterion {
	out := make([]*Criterion, 0, len(m.byID))
	for pi := range m.Pillars {
		for si := range m.Pillars[pi].SubIndexes {
			s := &m.Pillars[pi].SubIndexes[si]
			for ci := range s.Criteria {
				out = append(out, &s.Criteria[ci])
			}
		}
	}
	return out
}

// SetRubric sets (or, with an empty text, removes) the rubric text of one
// criterion at one level.
func (m *Model) SetRubric(criterionID string, level int, t Text) error {
	c, ok := m.byID[criterionID]
	if !ok {
		return fmt.Errorf("criterion %s is not in the %s index", criterionID, m.Kind)
	}
	if level < 0 || level > MaxLevel {
		return fmt.Errorf("criterion %s: rubric level %d out of range 0-%d", criterionID, level, MaxLevel)
	}
	if t == (Text{}) {
		delete(c.Rubric, level)
		return nil
	}
	if c.Rubric == nil {
		c.Rubric = map[int]Text{}
	}
	c.Rubric[level] = t
	return nil
}
