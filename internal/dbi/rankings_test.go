package dbi_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/dbi"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// result is a row of the ranking table for tests.
type result struct {
	id                 int64
	province, size, fd string
	level, total, max  int
}

func insertResults(t testing.TB, db *platform.DB, year int, rs []result) {
	t.Helper()
	for _, r := range rs {
		_, err := db.Write.ExecContext(context.Background(), `INSERT INTO dbi_results (enterprise_id, year, assessment_id,
			certificate_code, name, tax_code, province_code, field, size, index_kind, level, total, max, score, certified_at)
			VALUES ($1,$2,$1,$3,$4,'0000000000',$5,$6,$7,'sme',$8,$9,$10,$11,$12)`,
			r.id, year, fmt.Sprintf("C-%d-%d", year, r.id), fmt.Sprintf("DN %d", r.id), r.province, r.fd, r.size,
			r.level, r.total, r.max, r.total*1000/r.max, now)
		if err != nil {
			t.Fatal(err)
		}
	}
}

// rebuild recomputes the count table after results were inserted directly.
func rebuild(t testing.TB, w *world) {
	t.Helper()
	if err := w.store.RebuildCounts(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRankingsAndStatistics(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		insertResults(t, db, 2025, []result{
			{1, "48", "small", "trade", 3, 192, 320},
			{2, "48", "large", "industry", 3, 417, 695}, // 600 per mille, level 3, as 1 and 7: ties go by ID, highest first
			{3, "48", "micro", "trade", 1, 40, 320},
			{4, "22", "medium", "logistics", 4, 250, 320},
			{5, "22", "small", "trade", 0, 10, 320},
			{6, "01", "small", "services", 5, 300, 320},
			{7, "48", "small", "trade", 3, 192, 320},
		})
		insertResults(t, db, 2024, []result{{1, "48", "small", "trade", 1, 30, 320}})
		rebuild(t, w)
		ids := func(rs []dbi.Ranked) string {
			var b strings.Builder
			for _, r := range rs {
				fmt.Fprintf(&b, "%d:%d ", r.Rank, r.EnterpriseID)
			}
			return strings.TrimSpace(b.String())
		}
		three := 3
		for _, c := range []struct {
			f    dbi.RankingFilter
			want string
		}{
			{dbi.RankingFilter{Year: 2025}, "1:6 2:4 3:7 4:2 5:1 6:3 7:5"},
			{dbi.RankingFilter{Year: 2025, ProvinceCode: "48"}, "1:7 2:2 3:1 4:3"},
			{dbi.RankingFilter{Year: 2025, Size: dbi.SizeSmall}, "1:6 2:7 3:1 4:5"},
			{dbi.RankingFilter{Year: 2025, Field: "trade"}, "1:7 2:1 3:3 4:5"},
			{dbi.RankingFilter{Year: 2025, Level: &three}, "1:7 2:2 3:1"},
			{dbi.RankingFilter{Year: 2025, Offset: 2, Limit: 2}, "3:7 4:2"},
			{dbi.RankingFilter{Year: 2024}, "1:1"},
			{dbi.RankingFilter{Year: 2023}, ""},
		} {
			got := ids(must[[]dbi.Ranked](t)(w.store.Rankings(ctx, c.f)))
			if got != c.want {
				t.Errorf("%+v: got %q, want %q", c.f, got, c.want)
			}
		}
		rs := must[[]dbi.Ranked](t)(w.store.Rankings(ctx, dbi.RankingFilter{Year: 2025, Limit: 1}))
		if rs[0].ProvinceName != "Hà Nội" || rs[0].Percent() != 93.7 {
			t.Errorf("first: %+v", rs[0])
		}
		bad := 6
		_, err := w.store.Rankings(ctx, dbi.RankingFilter{Year: 2025, Level: &bad})
		wantCode(t, err, "invalid_level")

		st := must[dbi.Statistics](t)(w.store.Statistics(ctx, 2025))
		if st.National.Count != 7 || st.National.ByLevel != [6]int{1, 1, 0, 3, 1, 1} || st.National.AvgLevel != 2.71 {
			t.Fatalf("national: %+v", st.National)
		}
		byCode := map[string]dbi.ProvinceStat{}
		for _, p := range st.Provinces {
			byCode[p.ProvinceCode] = p
		}
		dn, qn, hn := byCode["48"], byCode["22"], byCode["01"]
		// Mean scores: Da Nang (600+600+125+600)/4 = 481.25 per mille; Quang Ninh (781+31)/2 = 406; Ha Noi 937.
		if dn.Count != 4 || dn.ByLevel[3] != 3 || dn.AvgScore != 48.13 || dn.AvgLevel != 2.5 || dn.Share(3) != 75 {
			t.Fatalf("Da Nang: %+v", dn)
		}
		if qn.AvgScore != 40.6 || hn.AvgScore != 93.7 || st.Provinces[0].ProvinceCode != "01" {
			t.Fatalf("order or means: %+v", st.Provinces)
		}
		// 10-point: min-max over the provinces' means; Z-score: population standard deviation.
		if hn.Ten != 10 || qn.Ten != 0 || dn.Ten != 1.42 {
			t.Fatalf("10-point: %v %v %v", hn.Ten, qn.Ten, dn.Ten)
		}
		mean := (48.13 + 40.6 + 93.7) / 3
		sd := math.Sqrt(((48.13-mean)*(48.13-mean) + (40.6-mean)*(40.6-mean) + (93.7-mean)*(93.7-mean)) / 3)
		if math.Abs(hn.Z-(93.7-mean)/sd) > 0.001 || math.Abs(dn.Z+qn.Z+hn.Z) > 0.002 {
			t.Fatalf("Z: %v %v %v", dn.Z, qn.Z, hn.Z)
		}
		if len(st.BySize) != 4 || st.BySize[0].Key != "micro" || st.BySize[1].Count != 4 {
			t.Fatalf("by size: %+v", st.BySize)
		}
		svg := string(dbi.LevelChart(st.Provinces, "Phân bố <mức>", "mô tả", "vi"))
		for _, want := range []string{`role="img"`, `<title id="lvl-chart-title">Phân bố &lt;mức&gt;</title>`, `<desc id="lvl-chart-desc">`, `>Đà Nẵng</text>`} {
			if !strings.Contains(svg, want) {
				t.Errorf("chart lacks %q", want)
			}
		}
		years := must[[]int](t)(w.store.Years(ctx))
		if fmt.Sprint(years) != "[2025 2024]" {
			t.Errorf("years %v", years)
		}
	})
}

// BenchmarkRankings fills the ranking table of SQLite with 1,000,000
// certified assessments (one year, 34 provinces) and measures the ranking
// and aggregate queries. Seeding is one INSERT ... SELECT over a recursive
// series plus four index builds: 25-80 s on a shared 2-vCPU VM (TMPDIR=/dev/shm helps on a
// slow disk); it runs only under -bench.
func BenchmarkRankings(b *testing.B) {
	const n = 1_000_000
	ctx := context.Background()
	db := platformtest.OpenSQLite(b, sets())
	w := newWorld(b, db)
	start := time.Now()
	provinces := []string{"01", "04", "08", "11", "12", "14", "15", "19", "20", "22", "24", "25", "31", "33", "37", "38", "40",
		"42", "44", "46", "48", "51", "52", "56", "66", "68", "75", "79", "80", "82", "86", "91", "92", "96"}
	var pv []string
	for i, p := range provinces {
		pv = append(pv, fmt.Sprintf("(%d, '%s')", i, p))
	}
	// A bulk load: a big page cache, no syncs, and the secondary indexes
	// built after the rows (one sort each) rather than row by row. No
	// ANALYZE: the server's database has none either.
	var ddl []string
	rows, err := db.Write.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dbi_results' AND sql IS NOT NULL`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			b.Fatal(err)
		}
		ddl = append(ddl, s)
	}
	rows.Close()
	exec := func(q string) {
		b.Helper()
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	exec(`PRAGMA cache_size = -262144`)
	exec(`PRAGMA temp_store = MEMORY`)
	exec(`PRAGMA synchronous = OFF`)
	for _, q := range ddl {
		exec(`DROP INDEX ` + strings.Fields(q)[2])
	}
	// Levels skew low as in reality; the score lies inside the level's band.
	exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ` + fmt.Sprint(n) + `),
		p(k, code) AS (VALUES ` + strings.Join(pv, ",") + `),
		r(i, h, lvl) AS (SELECT i, (i * 2654435761) % 1000003,
			CASE WHEN (i * 40503) % 100 < 20 THEN 0 WHEN (i * 40503) % 100 < 50 THEN 1 WHEN (i * 40503) % 100 < 75 THEN 2
			     WHEN (i * 40503) % 100 < 90 THEN 3 WHEN (i * 40503) % 100 < 97 THEN 4 ELSE 5 END FROM s)
		INSERT INTO dbi_results (enterprise_id, year, assessment_id, certificate_code, name, tax_code, province_code, field, size,
			index_kind, level, total, max, score, certified_at)
		SELECT i, 2025, i, 'DBI-2025-' || i, 'Doanh nghiệp ' || i, printf('%010d', i), p.code,
			CASE h % 9 WHEN 0 THEN 'agriculture' WHEN 1 THEN 'forestry' WHEN 2 THEN 'fisheries' WHEN 3 THEN 'industry'
				WHEN 4 THEN 'construction' WHEN 5 THEN 'trade' WHEN 6 THEN 'services' WHEN 7 THEN 'postal' ELSE 'logistics' END,
			CASE h % 10 WHEN 0 THEN 'large' WHEN 1 THEN 'medium' WHEN 2 THEN 'medium' WHEN 3 THEN 'micro' WHEN 4 THEN 'micro'
				WHEN 5 THEN 'micro' ELSE 'small' END,
			'sme', lvl, lvl * 64 + h % 64, 320, (lvl * 64 + h % 64) * 1000 / 320, '2025-12-01 00:00:00'
		FROM r JOIN p ON p.k = r.h % 34`)
	for _, q := range ddl {
		exec(q)
	}
	rebuild(b, w)
	b.Logf("seeded %d results in %s", n, time.Since(start).Round(time.Millisecond))
	four := 4
	for _, c := range []struct {
		name string
		f    dbi.RankingFilter
	}{
		{"national_top50", dbi.RankingFilter{Year: 2025}},
		{"province_top50", dbi.RankingFilter{Year: 2025, ProvinceCode: "48"}},
		{"size_top50", dbi.RankingFilter{Year: 2025, Size: dbi.SizeMedium}},
		{"field_top50", dbi.RankingFilter{Year: 2025, Field: "logistics"}},
		{"province_level4_page3", dbi.RankingFilter{Year: 2025, ProvinceCode: "79", Level: &four, Offset: 100}},
		{"national_page200", dbi.RankingFilter{Year: 2025, Offset: 10_000}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rs, err := w.store.Rankings(ctx, c.f)
				if err != nil || len(rs) != 50 {
					b.Fatalf("%d results, %v", len(rs), err)
				}
			}
		})
	}
	b.Run("statistics_all_provinces", func(b *testing.B) {
		for b.Loop() {
			st, err := w.store.Statistics(ctx, 2025)
			if err != nil || st.National.Count != n || len(st.Provinces) != 34 {
				b.Fatalf("%+v %v", st.National, err)
			}
		}
	})
}
