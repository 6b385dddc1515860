package rules

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/workday"
)

func d(s string) workday.Date { return workday.MustParseDate(s) }

func TestShippedRulesInForce(t *testing.T) {
	reg := Default()
	tests := []struct {
		key   string
		date  string
		id    string
		value int
		unit  Unit
	}{
		{KeyConnectionDecision, "2020-05-25", "D47-35.3", 5, WorkingDays},
		{KeyConnectionDecision, "2025-06-10", "D47-35.3", 5, WorkingDays},
		{KeyConnectionDecision, "2025-08-18", "D47-35.3", 5, WorkingDays},
		{KeyConnectionDecision, "2025-08-19", "D47-35.3/D194-40.3", 2, WorkingDays},
		{KeyConnectionDecision, "2026-06-10", "D47-35.3/D194-40.3", 2, WorkingDays},
		{KeyServicePublication, "2026-06-10", "D47-25.1", 1, WorkingDays},
		{KeyDefaultSharedReview, "2026-06-10", "D47-34.2", 6, Months},
		{KeyMaintenanceNotice, "2026-06-10", "D47-43.1a", 7, WorkingDays},
		{KeyViolationNotice, "2026-06-10", "D47-43.5", 1, Days},
		{KeyObstacleProviderAnswer, "2026-06-10", "D47-49.1", 7, WorkingDays},
		{KeyObstacleITUnitAnswer, "2026-06-10", "D47-49.2", 7, WorkingDays},
		{KeyQualityReportDue, "2026-06-10", "D47-16.4", 1231, AnnualDate},
		{KeyOpenDataListReview, "2026-06-10", "D47-20.3", 6, Months}, // kept after the repeal, as reference
		{KeyOpenDataUpdate, "2026-06-10", "D47-20.3", 3, Months},
	}
	for _, tt := range tests {
		r, err := reg.At(tt.key, d(tt.date))
		if err != nil {
			t.Errorf("At(%s, %s): %v", tt.key, tt.date, err)
			continue
		}
		if r.ID != tt.id || r.Value != tt.value || r.Unit != tt.unit || r.Origin != OriginShipped {
			t.Errorf("At(%s, %s) = %s %d %s (%s), want %s %d %s", tt.key, tt.date, r.ID, r.Value, r.Unit, r.Origin, tt.id, tt.value, tt.unit)
		}
	}
	// Every exported key has a shipped rule.
	for _, key := range []string{KeyConnectionDecision, KeyServicePublication, KeyDefaultSharedReview,
		KeyMaintenanceNotice, KeyViolationNotice, KeyObstacleProviderAnswer, KeyObstacleITUnitAnswer,
		KeyQualityReportDue, KeyOpenDataListReview, KeyOpenDataUpdate} {
		if len(reg.Versions(key)) == 0 {
			t.Errorf("no shipped rule for %s", key)
		}
	}
	if n := len(reg.Keys()); n != 10 {
		t.Errorf("%d shipped keys, want 10", n)
	}
}

func TestShippedDue(t *testing.T) {
	reg := Default()
	cal := workday.Default()
	tests := []struct {
		name  string
		key   string
		event string
		want  string
	}{
		// D47-35.3: 5 working days until 18 August 2025, then 2 (D194-40.3).
		{"request 10 June 2025: 5 working days", KeyConnectionDecision, "2025-06-10", "2025-06-17"},
		{"request 10 June 2026: 2 working days", KeyConnectionDecision, "2026-06-10", "2026-06-12"},
		{"request 18 Aug 2025: last day of the old rule", KeyConnectionDecision, "2025-08-18", "2025-08-25"},
		{"request 19 Aug 2025: first day of D194", KeyConnectionDecision, "2025-08-19", "2025-08-21"},
		{"request before Tết 2026", KeyConnectionDecision, "2026-02-12", "2026-02-23"},
		// D47-25.1: ready the Friday before Tết 2025, published by the first working day after it.
		{"service ready before Tết", KeyServicePublication, "2025-01-24", "2025-02-03"},
		// D47-34.2: 6 months; 28 Feb 2026 is a Saturday (Civil Code art. 148.5).
		{"default-shared list review", KeyDefaultSharedReview, "2025-08-31", "2026-03-02"},
		// D47-43.1a: maintenance on Monday 16 June 2025: announce by 4 June.
		{"maintenance notice", KeyMaintenanceNotice, "2025-06-16", "2025-06-04"},
		// 4/9, 3/9, 29/8 ... 25/8 are the 7 working days; the notice may go out on Sunday 24/8.
		{"maintenance after 2/9", KeyMaintenanceNotice, "2025-09-05", "2025-08-24"},
		// D47-43.5: 1 day; found on Friday -> Saturday -> Monday.
		{"violation found Tuesday", KeyViolationNotice, "2025-06-10", "2025-06-11"},
		{"violation found Friday", KeyViolationNotice, "2025-06-13", "2025-06-16"},
		// D47-49.1/49.2: 7 working days across National Day 2025.
		{"obstacle level 1", KeyObstacleProviderAnswer, "2025-08-29", "2025-09-11"},
		{"obstacle level 2", KeyObstacleITUnitAnswer, "2025-06-10", "2025-06-19"},
		// D47-16.4: by 31 December of the year.
		{"quality report", KeyQualityReportDue, "2025-03-01", "2025-12-31"},
		{"quality report on the day", KeyQualityReportDue, "2025-12-31", "2025-12-31"},
		// D47-20.3.
		{"open-data list review", KeyOpenDataListReview, "2025-03-15", "2025-09-15"},
		{"open-data update", KeyOpenDataUpdate, "2025-01-01", "2025-04-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rule, err := reg.Due(tt.key, cal, d(tt.event))
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("Due(%s, %s) = %s, want %s (rule %s: %s)", tt.key, tt.event, got, tt.want, rule.ID, rule.ValueText())
			}
		})
	}
}

func TestAtNotFound(t *testing.T) {
	reg := Default()
	if _, err := reg.At("no.such.rule", d("2025-06-10")); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown key: err = %v", err)
	}
	_, err := reg.At(KeyConnectionDecision, d("2020-05-24")) // before Decree 47 took effect
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "2020-05-25..2025-08-18") {
		t.Errorf("before effect: err = %v", err)
	}
}

func TestInForceAndAll(t *testing.T) {
	reg := Default()
	inForce := reg.InForce(d("2026-06-10"))
	if len(inForce) != 10 {
		t.Errorf("InForce = %d rules, want 10", len(inForce))
	}
	for _, r := range inForce {
		if r.Key == KeyConnectionDecision && r.Value != 2 {
			t.Errorf("InForce(2026-06-10) has %s = %d", r.Key, r.Value)
		}
	}
	all := reg.All()
	if len(all) != 11 {
		t.Errorf("All = %d versions, want 11", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Key < all[i-1].Key {
			t.Errorf("All not sorted by key at %d", i)
		}
	}
}

func TestTexts(t *testing.T) {
	tests := []struct {
		r      Rule
		value  string
		period string
	}{
		{Rule{Value: 5, Unit: WorkingDays, EffectiveFrom: d("2020-05-25"), EffectiveTo: d("2025-08-18")}, "5 working days", "2020-05-25..2025-08-18"},
		{Rule{Value: 1, Unit: WorkingDays, EffectiveFrom: d("2025-08-19")}, "1 working day", "2025-08-19.."},
		{Rule{Value: 1, Unit: Days, EffectiveFrom: d("2025-08-19")}, "1 day", "2025-08-19.."},
		{Rule{Value: 6, Unit: Months, EffectiveFrom: d("2025-08-19")}, "6 months", "2025-08-19.."},
		{Rule{Value: 1231, Unit: AnnualDate, EffectiveFrom: d("2025-08-19")}, "31 December each year", "2025-08-19.."},
	}
	for _, tt := range tests {
		if got := tt.r.ValueText(); got != tt.value {
			t.Errorf("ValueText = %q, want %q", got, tt.value)
		}
		if got := tt.r.PeriodText(); got != tt.period {
			t.Errorf("PeriodText = %q, want %q", got, tt.period)
		}
	}
}

// rule is a valid operator version to vary in tests.
const ruleJSON = `{"id": "X-1", "key": "test.rule", "title_vi": "Thử", "title_en": "Test",
 "value": 3, "unit": "working_days", "source": "Test 1/2026", "effective_from": "2026-01-01"}`

func TestParseValidation(t *testing.T) {
	tests := []struct {
		name string
		json string
		want string // substring of the error
	}{
		{"unknown unit", strings.Replace(ruleJSON, `"working_days"`, `"weeks"`, 1), `unknown unit "weeks"`},
		{"from after to", strings.Replace(ruleJSON, `"effective_from": "2026-01-01"`, `"effective_from": "2026-01-01", "effective_to": "2025-12-31"`, 1), "effective_from 2026-01-01 is after effective_to 2025-12-31"},
		{"missing from", strings.Replace(ruleJSON, `"effective_from": "2026-01-01"`, `"note": "x"`, 1), "missing effective_from"},
		{"bad date", strings.Replace(ruleJSON, `"2026-01-01"`, `"2026-02-30"`, 1), `invalid date "2026-02-30"`},
		{"unknown field", strings.Replace(ruleJSON, `"value": 3`, `"valeu": 3`, 1), `unknown field "valeu"`},
		{"missing id", strings.Replace(ruleJSON, `"X-1"`, `""`, 1), "missing id"},
		{"bad key", strings.Replace(ruleJSON, `"test.rule"`, `"Test Rule"`, 1), `key "Test Rule"`},
		{"missing title", strings.Replace(ruleJSON, `"Thử"`, `""`, 1), "missing title_vi or title_en"},
		{"missing source", strings.Replace(ruleJSON, `"Test 1/2026"`, `""`, 1), "missing source"},
		{"negative value", strings.Replace(ruleJSON, `"value": 3`, `"value": -3`, 1), "negative value -3"},
		{"unknown kind", strings.Replace(ruleJSON, `"value": 3`, `"value": 3, "kind": "reminder"`, 1), `unknown kind "reminder"`},
		{"notice in months", strings.Replace(strings.Replace(ruleJSON, `"working_days"`, `"months"`, 1), `"value": 3`, `"value": 3, "kind": "notice"`, 1), "notice rule is counted in working_days or days"},
		{"bad annual date", strings.Replace(strings.Replace(ruleJSON, `"working_days"`, `"annual_date"`, 1), `"value": 3`, `"value": 1232`, 1), "annual_date value 1232"},
		{"29 February", strings.Replace(strings.Replace(ruleJSON, `"working_days"`, `"annual_date"`, 1), `"value": 3`, `"value": 229`, 1), "annual_date value 229"},
		{"overlap", ruleJSON + "," + strings.Replace(ruleJSON, `"2026-01-01"`, `"2026-06-01"`, 1), "key test.rule: versions X-1 (2026-01-01..) and X-1 (2026-06-01..) overlap"},
		{"overlap closed", strings.Replace(ruleJSON, `"effective_from": "2026-01-01"`, `"effective_from": "2026-01-01", "effective_to": "2026-06-01"`, 1) + "," + strings.Replace(ruleJSON, `"2026-01-01"`, `"2026-06-01"`, 1), "overlap"},
		{"not JSON", `]`, "ops.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `{"rules": [` + tt.json + `]}`
			if tt.name == "not JSON" {
				in = tt.json
			}
			_, err := Parse(strings.NewReader(in), "ops.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "ops.json") {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	// Adjacent periods are fine, and so are gaps.
	ok := strings.Replace(ruleJSON, `"effective_from": "2026-01-01"`, `"effective_from": "2026-01-01", "effective_to": "2026-05-31"`, 1) + "," +
		strings.Replace(ruleJSON, `"2026-01-01"`, `"2026-06-01"`, 1)
	if _, err := Parse(strings.NewReader(`{"rules": [`+ok+`]}`), "ops.json"); err != nil {
		t.Errorf("adjacent versions: %v", err)
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoad(t *testing.T) {
	// The law changes again from 2027: 3 working days. The operator also
	// adds a rule of its own.
	path := writeFile(t, `{"rules": [
	 {"id": "D47-35.3/X-2027", "key": "connection_request.decision_deadline",
	  "title_vi": "Tạo tài khoản kết nối", "title_en": "Create the connection account",
	  "value": 3, "unit": "working_days", "source": "Hypothetical decree 2027",
	  "effective_from": "2027-01-01"},
	 {"id": "OPS-1", "key": "ops.sync_check_interval", "kind": "cadence",
	  "title_vi": "Kiểm tra đồng bộ", "title_en": "Synchronisation check",
	  "value": 1, "unit": "months", "source": "Provincial regulation 12/2026",
	  "effective_from": "2026-01-01"}
	]}`)
	reg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		date   string
		value  int
		origin string
		period string
	}{
		{"2025-06-10", 5, OriginShipped, "2020-05-25..2025-08-18"},
		{"2026-12-31", 2, OriginShipped, "2025-08-19..2026-12-31"}, // the shipped version now ends
		{"2027-01-01", 3, path, "2027-01-01.."},
	}
	for _, tt := range tests {
		r, err := reg.At(KeyConnectionDecision, d(tt.date))
		if err != nil || r.Value != tt.value || r.Origin != tt.origin || r.PeriodText() != tt.period {
			t.Errorf("At(%s) = %d %s %s, %v; want %d %s %s", tt.date, r.Value, r.Origin, r.PeriodText(), err, tt.value, tt.origin, tt.period)
		}
	}
	if r, err := reg.At("ops.sync_check_interval", d("2026-06-10")); err != nil || r.Value != 1 {
		t.Errorf("operator rule: %+v, %v", r, err)
	}
	if len(reg.Versions(KeyServicePublication)) != 1 {
		t.Error("other shipped rules must stay")
	}

	// Errors name the file.
	bad := writeFile(t, `{"rules": [`+strings.Replace(ruleJSON, `"working_days"`, `"fortnights"`, 1)+`]}`)
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), `unknown unit "fortnights"`) {
		t.Errorf("Load(bad) = %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("Load(missing) succeeded")
	}
	if reg, err := Load(""); err != nil || len(reg.Keys()) != 10 {
		t.Errorf("Load(\"\") = %v", err)
	}
}

func TestMerge(t *testing.T) {
	v := func(from, to string, value int) Rule {
		r := Rule{ID: "X", Key: "k", TitleVI: "t", TitleEN: "t", Value: value, Unit: Days, Source: "s", EffectiveFrom: d(from)}
		if to != "" {
			r.EffectiveTo = d(to)
		}
		return r
	}
	tests := []struct {
		name     string
		base     []Rule
		override Rule
		want     []string // PeriodText=value, oldest first
	}{
		{"new open version ends the old one", []Rule{v("2020-01-01", "", 1)}, v("2027-01-01", "", 2),
			[]string{"2020-01-01..2026-12-31=1", "2027-01-01..=2"}},
		{"correction inside splits", []Rule{v("2020-01-01", "", 1)}, v("2024-01-01", "2024-12-31", 2),
			[]string{"2020-01-01..2023-12-31=1", "2024-01-01..2024-12-31=2", "2025-01-01..=1"}},
		{"same period replaces", []Rule{v("2020-01-01", "2025-08-18", 1), v("2025-08-19", "", 2)}, v("2025-08-19", "", 4),
			[]string{"2020-01-01..2025-08-18=1", "2025-08-19..=4"}},
		{"covering drops", []Rule{v("2021-01-01", "2021-12-31", 1), v("2022-01-01", "", 2)}, v("2020-01-01", "", 3),
			[]string{"2020-01-01..=3"}},
		{"earlier start trims the next", []Rule{v("2025-08-19", "", 2)}, v("2025-01-01", "2025-12-31", 3),
			[]string{"2025-01-01..2025-12-31=3", "2026-01-01..=2"}},
		{"disjoint keeps", []Rule{v("2020-01-01", "2020-12-31", 1)}, v("2022-01-01", "", 2),
			[]string{"2020-01-01..2020-12-31=1", "2022-01-01..=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := New(Merge(tt.base, []Rule{tt.override}))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range reg.Versions("k") {
				got = append(got, fmt.Sprintf("%s=%d", r.PeriodText(), r.Value))
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Merge = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewRejectsOverlap(t *testing.T) {
	r := Rule{ID: "X", Key: "k", TitleVI: "t", TitleEN: "t", Value: 1, Unit: Days, Source: "s", EffectiveFrom: d("2025-01-01")}
	if _, err := New([]Rule{r, r}); err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Errorf("New = %v, want overlap", err)
	}
}
