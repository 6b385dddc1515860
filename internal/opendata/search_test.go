package opendata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/govdx/govdx/internal/platform"
)

func names(docs []*Doc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Name
	}
	return out
}

func smallIndex() *Index {
	ix := NewIndex()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, d := range []*Doc{
		{ID: 1, Name: "truong-hoc", Title: "Danh sách trường học", OrgName: "dn-sgddt", OrgTitle: "Sở Giáo dục và Đào tạo Đà Nẵng", Tags: []string{"giáo dục"}, Formats: []string{"CSV", "GEOJSON"}, LicenseID: "vn-odl-1.0", Themes: []string{"giao-duc"}},
		{ID: 2, Name: "ngan-sach", Title: "Công khai ngân sách", OrgName: "dn-stc", OrgTitle: "Sở Tài chính Đà Nẵng", Tags: []string{"ngân sách", "tài chính"}, Formats: []string{"XLSX"}, LicenseID: "cc-by-4.0"},
		{ID: 3, Name: "benh-vien", Title: "Danh sách bệnh viện", Summary: "Bệnh viện và trung tâm y tế", OrgName: "dn-syt", OrgTitle: "Sở Y tế Đà Nẵng", Tags: []string{"y tế"}, Formats: []string{"CSV"}, LicenseID: "vn-odl-1.0"},
		{ID: 4, Name: "thu-ngan-sach", Title: "Thu ngân sách theo quý", OrgName: "dn-stc", OrgTitle: "Sở Tài chính Đà Nẵng", Tags: []string{"ngân sách"}, Formats: []string{"CSV"}, LicenseID: "vn-odl-1.0", Downloads: 500},
	} {
		d.Modified = t0.Add(time.Duration(i) * 24 * time.Hour)
		d.Created = t0
		ix.Put(d)
	}
	return ix
}

func TestSearchDiacriticsFacetsFilters(t *testing.T) {
	ix := smallIndex()
	cases := []struct {
		name string
		q    Query
		want []string
	}{
		{"no diacritics", Query{Text: "truong hoc", Rows: 10}, []string{"truong-hoc"}},
		{"with diacritics", Query{Text: "Trường Học", Rows: 10}, []string{"truong-hoc"}},
		{"word prefix", Query{Text: "ngan sa", Rows: 10, Sort: []SortKey{{"name", false}}}, []string{"ngan-sach", "thu-ngan-sach"}},
		{"all words must match", Query{Text: "ngan sach quy", Rows: 10}, []string{"thu-ngan-sach"}},
		{"title ranks first", Query{Text: "benh vien", Rows: 10}, []string{"benh-vien"}},
		{"organisation words", Query{Text: "so y te", Rows: 10}, []string{"benh-vien"}},
		{"filter organisation", Query{Filters: []Filter{{FacetOrganization, "dn-stc"}}, Rows: 10, Sort: []SortKey{{"name", false}}}, []string{"ngan-sach", "thu-ngan-sach"}},
		{"filters are AND-ed", Query{Filters: []Filter{{FacetOrganization, "dn-stc"}, {FacetFormat, "CSV"}}, Rows: 10}, []string{"thu-ngan-sach"}},
		{"filter and text", Query{Text: "danh sach", Filters: []Filter{{FacetFormat, "CSV"}}, Rows: 10, Sort: []SortKey{{"name", false}}}, []string{"benh-vien", "truong-hoc"}},
		{"unknown filter value", Query{Filters: []Filter{{FacetTags, "không có"}}, Rows: 10}, []string{}},
		{"sort by title", Query{Rows: 10, Sort: []SortKey{{"title_string", false}}}, []string{"ngan-sach", "benh-vien", "truong-hoc", "thu-ngan-sach"}},
		{"sort by modified", Query{Rows: 2, Sort: []SortKey{{"metadata_modified", true}}}, []string{"thu-ngan-sach", "benh-vien"}},
		{"paging", Query{Rows: 2, Start: 2, Sort: []SortKey{{"metadata_modified", true}}}, []string{"ngan-sach", "truong-hoc"}},
		{"modified range", Query{Rows: 10, ModifiedFrom: time.Date(2025, 1, 3, 0, 0, 0, 0, time.UTC), Sort: []SortKey{{"name", false}}}, []string{"benh-vien", "thu-ngan-sach"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := ix.Search(tc.q)
			if got := names(res.Docs); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	res := ix.Search(Query{Rows: 0, FacetFields: []string{FacetOrganization, FacetFormat, FacetTags}})
	if res.Count != 4 || len(res.Docs) != 0 {
		t.Fatalf("count %d docs %d", res.Count, len(res.Docs))
	}
	org := res.Facets[FacetOrganization]
	if len(org) != 3 || org[0].Name != "dn-stc" || org[0].Count != 2 || org[0].DisplayName != "Sở Tài chính Đà Nẵng" {
		t.Errorf("organisation facet %+v", org)
	}
	if f := res.Facets[FacetFormat]; f[0].Name != "CSV" || f[0].Count != 3 {
		t.Errorf("format facet %+v", f)
	}
}

// Replaced documents leave dead slots in the facet postings; filter-only
// searches must skip them (this once dereferenced a removed document).
func TestFiltersSkipReplacedDocuments(t *testing.T) {
	ix := smallIndex()
	for range 3 {
		ix.Put(&Doc{ID: 4, Name: "thu-ngan-sach", Title: "Thu ngân sách theo quý", OrgName: "dn-stc", Tags: []string{"ngân sách"}, Formats: []string{"CSV"}, LicenseID: "vn-odl-1.0"})
	}
	res := ix.Search(Query{Filters: []Filter{{FacetOrganization, "dn-stc"}, {FacetFormat, "CSV"}}, Rows: 10, FacetFields: []string{FacetOrganization, FacetFormat}})
	if res.Count != 1 || len(res.Docs) != 1 || res.Facets[FacetFormat][0].Count != 1 {
		t.Fatalf("count %d, docs %v, facets %+v", res.Count, names(res.Docs), res.Facets)
	}
	if res := ix.Search(Query{Filters: []Filter{{FacetOrganization, "dn-stc"}}, Rows: 10}); res.Count != 2 {
		t.Fatalf("one filter: %d", res.Count)
	}
}

func TestIndexUpdatesAndCompaction(t *testing.T) {
	ix := NewIndex()
	for i := range 3000 {
		ix.Put(&Doc{ID: int64(i), Name: fmt.Sprintf("ds-%d", i), Title: fmt.Sprintf("Dữ liệu số %d", i), OrgName: "o", Tags: []string{"t"}})
	}
	for i := range 2000 {
		ix.Remove(int64(i))
	}
	ix.Put(&Doc{ID: 2999, Name: "renamed", Title: "Quan trắc không khí", OrgName: "o"})
	if ix.Len() != 1000 {
		t.Fatalf("len %d", ix.Len())
	}
	if len(ix.docs) >= 3000 {
		t.Errorf("index was not compacted: %d slots", len(ix.docs))
	}
	if res := ix.Search(Query{Text: "khong khi", Rows: 5}); res.Count != 1 || res.Docs[0].Name != "renamed" {
		t.Errorf("after update: %v", names(res.Docs))
	}
	if res := ix.Search(Query{Text: "du lieu", Rows: 5}); res.Count != 999 {
		t.Errorf("count %d", res.Count)
	}
	if res := ix.Search(Query{Filters: []Filter{{FacetTags, "t"}}, FacetFields: []string{FacetTags}}); res.Facets[FacetTags][0].Count != 999 {
		t.Errorf("facet after removals %+v", res.Facets[FacetTags])
	}
}

// The index follows the store, including changes made by another node on
// the same database.
func TestIndexFollowsStore(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ctx := context.Background()
		d := w.published(t, w.deptA, "Chỉ số giá tiêu dùng", "CPI")
		if res := w.store.Search(ctx, Query{Text: "chi so gia", Rows: 5}); res.Count != 1 {
			t.Fatalf("published dataset not found: %d", res.Count)
		}
		other, err := NewStore(ctx, w.db, w.filesDir, Options{SyncInterval: time.Nanosecond})
		if err != nil {
			t.Fatal(err)
		}
		if other.Index().Len() != 1 {
			t.Fatalf("second node loaded %d", other.Index().Len())
		}
		in := DatasetInput{OrgID: w.deptA.ID, Title: "Chỉ số giá sản xuất", Tags: []string{"PPI"}, Frequency: "monthly"}
		if _, err := w.store.UpdateDataset(ctx, 0, d.ID, in); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
		if res := other.Search(ctx, Query{Text: "san xuat", Rows: 5}); res.Count != 1 {
			t.Errorf("second node did not see the update")
		}
		if _, err := w.store.Withdraw(ctx, 0, d.ID, "Dữ liệu sai"); err != nil {
			t.Fatal(err)
		}
		if w.store.Index().Len() != 0 {
			t.Error("withdrawn dataset still searchable")
		}
		time.Sleep(time.Millisecond)
		if res := other.Search(ctx, Query{Rows: 5}); res.Count != 0 {
			t.Error("second node still finds the withdrawn dataset")
		}
	})
}

var benchWords = []string{"danh sách", "thống kê", "số liệu", "báo cáo", "kết quả", "dữ liệu", "chỉ số", "tình hình"}
var benchSubjects = []string{"trường học", "bệnh viện", "doanh nghiệp", "ngân sách", "dân số", "giao thông", "du lịch", "đất đai",
	"môi trường", "không khí", "nông nghiệp", "thủy sản", "lao động", "việc làm", "giá cả", "xuất khẩu", "tiêm chủng", "xe buýt",
	"thủ tục hành chính", "hộ nghèo", "điện năng", "nước sạch", "rác thải", "viễn thông"}
var benchPlaces = []string{"Hà Nội", "Đà Nẵng", "Quảng Ninh", "Cần Thơ", "Hải Phòng", "Huế", "Nghệ An", "Thanh Hóa", "Gia Lai", "Lâm Đồng", "Khánh Hòa", "An Giang"}

// seedIndex fills an index with n synthetic published datasets.
func seedIndex(n int) *Index {
	rng := rand.New(rand.NewPCG(47, 2020))
	ix := NewIndex()
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	formats := []string{"CSV", "JSON", "XLSX", "GEOJSON", "XML", "PDF"}
	for i := range n {
		subj := benchSubjects[rng.IntN(len(benchSubjects))]
		place := benchPlaces[rng.IntN(len(benchPlaces))]
		org := rng.IntN(600)
		tags := []string{subj, fmt.Sprintf("chủ đề %d", rng.IntN(400))}
		fs := []string{formats[rng.IntN(len(formats))]}
		if rng.IntN(3) == 0 {
			fs = append(fs, formats[rng.IntN(3)])
		}
		ix.Put(&Doc{ID: int64(i + 1), Name: fmt.Sprintf("dataset-%d", i+1),
			Title:   fmt.Sprintf("%s %s %s năm %d", benchWords[rng.IntN(len(benchWords))], subj, place, 2015+rng.IntN(11)),
			Summary: fmt.Sprintf("Bộ dữ liệu về %s tại %s do cơ quan số %d công bố, cập nhật định kỳ.", subj, place, org),
			OrgName: fmt.Sprintf("org-%d", org), OrgTitle: fmt.Sprintf("Sở %s %s", subj, place), Tags: tags,
			Themes: []string{Themes[rng.IntN(len(Themes))].ID}, Formats: fs, LicenseID: Licenses[rng.IntN(len(Licenses))].ID,
			Modified: t0.Add(time.Duration(rng.IntN(2000)) * time.Hour * 24), Created: t0, Downloads: int64(rng.IntN(10000))})
	}
	return ix
}

// benchQueries are the typical portal and CKAN searches.
var benchQueries = []Query{
	{Rows: 20, FacetFields: portalFacets, FacetLimit: 12, Sort: []SortKey{{"metadata_modified", true}}},
	{Text: "truong hoc", Rows: 20, FacetFields: portalFacets, FacetLimit: 12},
	{Text: "ngân sách Đà Nẵng", Rows: 10, FacetFields: []string{FacetOrganization, FacetTags}},
	{Text: "du lieu khong khi", Rows: 10},
	{Text: "benh", Rows: 20, FacetFields: portalFacets, FacetLimit: 12},
	{Text: "so lieu", Rows: 20, FacetFields: portalFacets, FacetLimit: 12, Sort: []SortKey{{"title_string", false}}},
	{Filters: []Filter{{FacetOrganization, "org-42"}}, Rows: 10, FacetFields: portalFacets},
	{Filters: []Filter{{FacetFormat, "CSV"}, {FacetLicense, DefaultLicense}}, Rows: 10, FacetFields: portalFacets, Start: 100},
	{Text: "dân số", Filters: []Filter{{FacetFormat, "JSON"}}, Rows: 10, FacetFields: portalFacets},
	{Text: "thu tuc hanh chinh ha noi", Rows: 10, FacetFields: []string{FacetOrganization}},
}

func TestSeededIndexAnswers(t *testing.T) {
	ix := seedIndex(5000)
	for i, q := range benchQueries {
		res := ix.Search(q)
		if res.Count == 0 {
			t.Errorf("query %d found nothing", i)
		}
	}
}

// BenchmarkSearch measures typical searches over 100,000 datasets and
// reports the 95th percentile latency (the target is under 50 ms).
func BenchmarkSearch(b *testing.B) {
	ix := seedIndex(100_000)
	durations := make([]time.Duration, 0, 10000)
	runtime.GC() // measure searches, not the collection of the seeding garbage
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := benchQueries[i%len(benchQueries)]
		start := time.Now()
		res := ix.Search(q)
		durations = append(durations, time.Since(start))
		if res.Count == 0 {
			b.Fatalf("query %d found nothing", i%len(benchQueries))
		}
	}
	b.StopTimer()
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	p95 := durations[(len(durations)*95+99)/100-1]
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
}

// The index agrees with a brute-force search after random updates and removals.
func TestIndexMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ix := NewIndex()
	live := map[int64]*Doc{}
	orgs := []string{"a", "b", "c"}
	words := []string{"ngân sách", "trường học", "bệnh viện", "dân số"}
	for step := range 3000 {
		id := int64(rng.IntN(300))
		if rng.IntN(4) == 0 {
			ix.Remove(id)
			delete(live, id)
		} else {
			d := &Doc{ID: id, Name: fmt.Sprintf("d%d", id), Title: words[rng.IntN(4)] + " " + words[rng.IntN(4)],
				OrgName: orgs[rng.IntN(3)], Formats: []string{[]string{"CSV", "JSON"}[rng.IntN(2)]}, Modified: time.Unix(int64(step), 0)}
			ix.Put(d)
			live[id] = d
		}
		if step%100 != 0 {
			continue
		}
		for _, org := range orgs {
			for _, text := range []string{"", "ngan sach", "truong"} {
				q := Query{Text: text, Filters: []Filter{{FacetOrganization, org}, {FacetFormat, "CSV"}}, Rows: 1000, FacetFields: []string{FacetFormat}}
				want := 0
				for _, d := range live {
					if d.OrgName == org && d.Formats[0] == "CSV" && platform.MatchAll(platform.Fold(d.Title), platform.Tokens(text)) {
						want++
					}
				}
				res := ix.Search(q)
				if res.Count != want || len(res.Docs) != want {
					t.Fatalf("step %d org %s text %q: count %d docs %d, want %d", step, org, text, res.Count, len(res.Docs), want)
				}
				if want > 0 && res.Facets[FacetFormat][0].Count != want {
					t.Fatalf("step %d: facet %+v, want %d", step, res.Facets[FacetFormat], want)
				}
			}
		}
	}
}
