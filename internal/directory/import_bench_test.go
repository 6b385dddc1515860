package directory_test

import (
	"context"
	"testing"

	"github.com/govdx/govdx/internal/directory"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// BenchmarkImportAdminUnits parses the shipped administrative-unit list
// (CSV) and imports it into an empty database, as a first start or
// `govdx import admin-units` does, and reports units/s. A second
// sub-benchmark re-imports the same list over itself: every unit is
// compared and none changes.
func BenchmarkImportAdminUnits(b *testing.B) {
	ctx := context.Background()
	b.Run("empty", func(b *testing.B) {
		n := 0
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s := directory.NewStore(platformtest.OpenSQLite(b, dirSets()))
			b.StartTimer()
			units, err := directory.DefaultAdminUnits()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.ImportAdminUnits(ctx, units, ""); err != nil {
				b.Fatal(err)
			}
			n += len(units)
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "units/s")
	})
	b.Run("unchanged", func(b *testing.B) {
		s := directory.NewStore(platformtest.OpenSQLite(b, dirSets()))
		units, err := directory.DefaultAdminUnits()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.ImportAdminUnits(ctx, units, ""); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			res, err := s.ImportAdminUnits(ctx, units, "")
			if err != nil || res.Inserted+res.Updated != 0 {
				b.Fatalf("re-import: %+v, %v", res, err)
			}
		}
		b.ReportMetric(float64(len(units)*b.N)/b.Elapsed().Seconds(), "units/s")
	})
}
