package dbi

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
)

// RankingFilter narrows a ranking (DBI-6: rank enterprises by size, sector,
// field and province). Year is required.
type RankingFilter struct {
	Year         int    `json:"year"`
	ProvinceCode string `json:"province_code,omitempty"`
	Size         Size   `json:"size,omitempty"`
	Field        string `json:"field,omitempty"`
	// Level keeps one level; nil for all.
	Level  *int `json:"level,omitempty"`
	Offset int  `json:"offset"`
	Limit  int  `json:"limit"`
}

// Ranked is one enterprise in a ranking.
type Ranked struct {
	Rank            int       `json:"rank"`
	EnterpriseID    int64     `json:"enterprise_id"`
	Name            string    `json:"name"`
	TaxCode         string    `json:"tax_code"`
	ProvinceCode    string    `json:"province_code"`
	ProvinceName    string    `json:"province_name"`
	Field           string    `json:"field"`
	Size            Size      `json:"size"`
	Index           IndexKind `json:"index"`
	Level           int       `json:"level"`
	Total           int       `json:"total"`
	Max             int       `json:"max"`
	Score           int       `json:"score_permille"`
	CertificateCode string    `json:"certificate_code"`
	CertifiedAt     time.Time `json:"certified_at"`
}

// Percent is the score in percent.
func (r Ranked) Percent() float64 { return float64(r.Score) / 10 }

// check records the filter's mistakes in v: an offset or level out of range.
func (f RankingFilter) check(v *platform.Validation) {
	v.Check(f.Offset >= 0 && f.Offset <= 100_000, "offset", "invalid_offset", "offset must be between 0 and 100000")
	v.Check(f.Level == nil || (*f.Level >= 0 && *f.Level <= MaxLevel), "level", "invalid_level", "level must be between 0 and %d", MaxLevel)
}

// Rankings orders the certified results of a year by level, then by score
// (points as a share of the index maximum, so SME and large enterprises
// compare), then by enterprise. Each filter has an index whose order is the
// ranking's, so a page is an index range scan even over millions of results.
func (s *Store) Rankings(ctx context.Context, f RankingFilter) ([]Ranked, error) {
	if f.Limit <= 0 || f.Limit > platform.MaxPageSize {
		f.Limit = 50
	}
	var v platform.Validation
	f.check(&v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	where, args := []string{"r.year = $1"}, []any{f.Year}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, cond+" = $"+strconv.Itoa(len(args)))
	}
	if f.ProvinceCode != "" {
		add("r.province_code", f.ProvinceCode)
	}
	if f.Size != "" {
		add("r.size", string(f.Size))
	}
	if f.Field != "" {
		add("r.field", f.Field)
	}
	if f.Level != nil {
		add("r.level", *f.Level)
	}
	args = append(args, f.Limit, f.Offset)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT r.enterprise_id, r.name, r.tax_code, r.province_code, r.field, r.size, r.index_kind,
		r.level, r.total, r.max, r.score, r.certificate_code, r.certified_at FROM dbi_results r WHERE `+strings.Join(where, " AND ")+
		` ORDER BY r.level DESC, r.score DESC, r.enterprise_id DESC LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("rankings: %w", err)
	}
	defer rows.Close()
	out := []Ranked{}
	for rows.Next() {
		r := Ranked{Rank: f.Offset + len(out) + 1}
		if err := rows.Scan(&r.EnterpriseID, &r.Name, &r.TaxCode, &r.ProvinceCode, &r.Field, &r.Size, &r.Index, &r.Level, &r.Total,
			&r.Max, &r.Score, &r.CertificateCode, &r.CertifiedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := s.provinceNames(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].ProvinceName = names[out[i].ProvinceCode]
	}
	return out, nil
}

func (s *Store) provinceNames(ctx context.Context) (map[string]string, error) {
	ps, err := s.Provinces(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		m[p.Code] = p.Name
	}
	return m, nil
}

// ProvinceStat is a province's aggregate for a year (DBI-6).
type ProvinceStat struct {
	ProvinceCode string            `json:"province_code"`
	ProvinceName string            `json:"province_name"`
	Count        int               `json:"count"`
	ByLevel      [MaxLevel + 1]int `json:"by_level"`
	AvgLevel     float64           `json:"average_level"`
	AvgScore     float64           `json:"average_score_percent"`
	Z            float64           `json:"z_score"`
	Ten          float64           `json:"ten_point"`
	sumScore     int64             // per mille
	sumLevel     int64
}

// Share is the percentage of the province's enterprises at level l.
func (p ProvinceStat) Share(l int) float64 {
	if p.Count == 0 || l < 0 || l > MaxLevel {
		return 0
	}
	return math.Round(float64(p.ByLevel[l])*1000/float64(p.Count)) / 10
}

// Breakdown counts a year's certified enterprises by one attribute and level.
type Breakdown struct {
	Key     string            `json:"key"`
	Count   int               `json:"count"`
	ByLevel [MaxLevel + 1]int `json:"by_level"`
}

// Statistics is a year's aggregate: per province (with the optional Z-score
// and 10-point normalisation), nationwide, by size and by field.
type Statistics struct {
	Year      int            `json:"year"`
	National  ProvinceStat   `json:"national"`
	Provinces []ProvinceStat `json:"provinces"`
	BySize    []Breakdown    `json:"by_size"`
	ByField   []Breakdown    `json:"by_field"`
}

// Statistics aggregates a year's certified results from the count table
// (a few thousand rows a year at most, whatever the number of enterprises).
//
// The provincial index value is the mean score of the province's certified
// enterprises (points as a share of the index maximum, in percent). The
// decision lists the Z-score and the 10-point normalisation as methods "to be
// considered" for it (seed line 4484); both are computed across the provinces
// that have results: Z = (x - mean) / standard deviation (population; 0 when
// every province is equal), and 10-point = 10 x (x - min) / (max - min)
// (10 for all when every province is equal).
func (s *Store) Statistics(ctx context.Context, year int) (Statistics, error) {
	st := Statistics{Year: year, National: ProvinceStat{ProvinceName: "Toàn quốc"}}
	byProv := map[string]*ProvinceStat{}
	bySize, byField := map[string]*Breakdown{}, map[string]*Breakdown{}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT province_code, size, field, level, count, sum_score
		FROM dbi_result_counts WHERE year = $1`, year)
	if err != nil {
		return st, fmt.Errorf("statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var prov, size, field string
		var level, n int
		var sum int64
		if err := rows.Scan(&prov, &size, &field, &level, &n, &sum); err != nil {
			return st, err
		}
		if level < 0 || level > MaxLevel {
			continue
		}
		ps := byProv[prov]
		if ps == nil {
			ps = &ProvinceStat{ProvinceCode: prov}
			byProv[prov] = ps
		}
		for _, x := range []*ProvinceStat{ps, &st.National} {
			x.Count += n
			x.ByLevel[level] += n
			x.sumScore += sum
			x.sumLevel += int64(level * n)
		}
		for _, b := range []struct {
			m   map[string]*Breakdown
			key string
		}{{bySize, size}, {byField, field}} {
			if b.m[b.key] == nil {
				b.m[b.key] = &Breakdown{Key: b.key}
			}
			b.m[b.key].Count += n
			b.m[b.key].ByLevel[level] += n
		}
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	names, err := s.provinceNames(ctx)
	if err != nil {
		return st, err
	}
	for _, ps := range byProv {
		ps.ProvinceName = names[ps.ProvinceCode]
		ps.finish()
		st.Provinces = append(st.Provinces, *ps)
	}
	st.National.finish()
	normalise(st.Provinces)
	slices.SortFunc(st.Provinces, func(a, b ProvinceStat) int {
		if c := cmpFloat(b.AvgScore, a.AvgScore); c != 0 {
			return c
		}
		return strings.Compare(a.ProvinceCode, b.ProvinceCode)
	})
	for _, sz := range Sizes {
		if b := bySize[string(sz)]; b != nil {
			st.BySize = append(st.BySize, *b)
		}
	}
	for _, f := range Fields {
		if b := byField[f.Code]; b != nil {
			st.ByField = append(st.ByField, *b)
		}
	}
	return st, nil
}

// RebuildCounts recomputes the count table from the ranking table (after a
// bulk load, or to repair it).
func (s *Store) RebuildCounts(ctx context.Context) error {
	return s.db.Tx(ctx, func(tx platform.Tx, _ time.Time) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM dbi_result_counts`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO dbi_result_counts (year, province_code, size, field, level, count, sum_score)
			SELECT year, province_code, size, field, level, COUNT(*), SUM(score) FROM dbi_results
			GROUP BY year, province_code, size, field, level`)
		return err
	})
}

func (p *ProvinceStat) finish() {
	if p.Count == 0 {
		return
	}
	p.AvgLevel = math.Round(float64(p.sumLevel)*100/float64(p.Count)) / 100
	p.AvgScore = math.Round(float64(p.sumScore)*10/float64(p.Count)) / 100 // per mille -> percent, 2 decimals
}

// normalise sets the Z-score and the 10-point value of each province's mean score.
func normalise(ps []ProvinceStat) {
	if len(ps) == 0 {
		return
	}
	mean, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
	for _, p := range ps {
		mean += p.AvgScore
		lo, hi = math.Min(lo, p.AvgScore), math.Max(hi, p.AvgScore)
	}
	mean /= float64(len(ps))
	variance := 0.0
	for _, p := range ps {
		variance += (p.AvgScore - mean) * (p.AvgScore - mean)
	}
	sd := math.Sqrt(variance / float64(len(ps)))
	for i := range ps {
		if sd > 0 {
			ps[i].Z = math.Round((ps[i].AvgScore-mean)/sd*1000) / 1000
		}
		ps[i].Ten = 10
		if hi > lo {
			ps[i].Ten = math.Round(10*(ps[i].AvgScore-lo)/(hi-lo)*100) / 100
		}
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Years lists the years that have certified results, newest first.
func (s *Store) Years(ctx context.Context) ([]int, error) {
	return platform.QueryColumn[int](ctx, s.db.Read, `SELECT DISTINCT year FROM dbi_results ORDER BY year DESC`)
}

// levelColours is a sequential palette, light (level 0) to dark (level 5);
// bar labels are outside the bars, so contrast with text does not depend on it.
var levelColours = [MaxLevel + 1]string{"#d9dee5", "#fde0a6", "#f6b26b", "#e07b39", "#b5472a", "#7a0f12"}

// LevelColour returns the chart colour of a level (for legends).
func LevelColour(l int) string {
	if l < 0 || l > MaxLevel {
		return "#000"
	}
	return levelColours[l]
}

// LevelChart draws the level distribution of each province as 100% stacked
// bars: server-rendered SVG with role="img", a <title> and a <desc>; the page
// shows the same numbers in a table beside it.
func LevelChart(provinces []ProvinceStat, title, desc string, lang string) template.HTML {
	const (
		labelW = 150
		barW   = 420
		rowH   = 24
		top    = 8
	)
	h := top + rowH*len(provinces) + 40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="lvl-chart-title lvl-chart-desc">`,
		labelW+barW+70, h, labelW+barW+70, h)
	fmt.Fprintf(&b, `<title id="lvl-chart-title">%s</title><desc id="lvl-chart-desc">%s</desc>`, template.HTMLEscapeString(title), template.HTMLEscapeString(desc))
	for i, p := range provinces {
		y := top + i*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, labelW-6, y+15, template.HTMLEscapeString(p.ProvinceName))
		x := float64(labelW)
		for l := 0; l <= MaxLevel; l++ {
			if p.Count == 0 || p.ByLevel[l] == 0 {
				continue
			}
			w := float64(barW) * float64(p.ByLevel[l]) / float64(p.Count)
			fmt.Fprintf(&b, `<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s"><title>%s: %s %d: %d</title></rect>`,
				x, y+3, w, rowH-6, levelColours[l], template.HTMLEscapeString(p.ProvinceName), levelWord(lang), l, p.ByLevel[l])
			x += w
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d">%d</text>`, labelW+barW+6, y+15, p.Count)
	}
	ly := top + rowH*len(provinces) + 16
	for l := 0; l <= MaxLevel; l++ {
		x := labelW + l*70
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s" stroke="#566171" stroke-width="0.5"/><text x="%d" y="%d">%s %d</text>`,
			x, ly, levelColours[l], x+16, ly+11, levelWord(lang), l)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // safe: every text in it is escaped above
}

func levelWord(lang string) string {
	if lang == "en" {
		return "Level"
	}
	return "Mức"
}

// canReport: the province's DoIC (or IT agency) reports its province; MIC any.
func (s *Store) canReport(ctx context.Context, p *identity.Principal, provinceCode string) (bool, error) {
	if isMIC(p) {
		return true, nil
	}
	id, err := provinceOrg(ctx, s.db.Read, provinceCode)
	if err != nil || id == nil {
		return false, err
	}
	path, err := s.dir.OrgPath(ctx, *id)
	if err != nil {
		return false, err
	}
	return p.Allowed(identity.PermDBIAssess, path) && (p.IsPlatformAdmin() || holds(p, path, identity.RoleDoICAssessor, identity.RoleITAdmin)), nil
}
