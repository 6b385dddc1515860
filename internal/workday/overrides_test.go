package workday

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShippedOverridesParse(t *testing.T) {
	o := ShippedOverrides()
	if len(o) == 0 {
		t.Fatal("no shipped overrides")
	}
	for _, x := range o {
		if x.Reason == "" || x.Date.Year() < 2024 {
			t.Errorf("bad shipped override %+v", x)
		}
	}
}

func TestParseOverrides(t *testing.T) {
	in := `# comment

2026-09-01   non-working  Nghỉ Quốc khánh (National Day, announced)
2026-09-03	working	Ngày làm việc (working day)
`
	got, err := ParseOverrides(strings.NewReader(in), "ops.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []Override{
		{Date: d("2026-09-01"), Working: false, Reason: "Nghỉ Quốc khánh (National Day, announced)"},
		{Date: d("2026-09-03"), Working: true, Reason: "Ngày làm việc (working day)"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("ParseOverrides = %+v, want %+v", got, want)
	}
}

func TestParseOverridesErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bad date", "2025-02-30 non-working x", `ops.txt:1: invalid date "2025-02-30"`},
		{"bad status", "2025-02-03 holiday x", `ops.txt:1: status "holiday": want working or non-working`},
		{"missing status", "2025-02-03", `ops.txt:1: status ""`},
		{"missing reason", "2025-02-03 working", `ops.txt:1: missing reason`},
		{"duplicate", "2025-02-03 working a\n# c\n2025-02-03 non-working b", `ops.txt:3: date 2025-02-03 already given on line 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOverrides(strings.NewReader(tt.in), "ops.txt")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	// Every bad line is reported, not just the first.
	_, err := ParseOverrides(strings.NewReader("x working a\n2025-01-01 maybe b\n"), "ops.txt")
	if err == nil || !strings.Contains(err.Error(), "ops.txt:1:") || !strings.Contains(err.Error(), "ops.txt:2:") {
		t.Errorf("err = %v, want both lines", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "overrides.txt")
	// The operator announces 2026's National Day as 1-2/9 and reverses a
	// shipped swap.
	content := `2026-09-01 non-working Quốc khánh (National Day, announced 2026)
2026-09-03 working Ngày làm việc (working day, announced 2026)
2025-04-26 non-working Operator correction (test)
`
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		date    string
		working bool
		reason  string
	}{
		{"2026-09-01", false, "Quốc khánh (National Day, announced 2026)"},
		{"2026-09-03", true, "Ngày làm việc (working day, announced 2026)"},
		{"2025-04-26", false, "Operator correction (test)"}, // the operator wins over the shipped entry
		{"2025-05-02", false, "Nghỉ hoán đổi"},              // other shipped entries stay
		{"2025-01-29", false, "Tết Nguyên đán"},             // computed holidays stay
	}
	for _, tt := range tests {
		working, reason := c.IsWorking(d(tt.date))
		if working != tt.working || !strings.Contains(reason, tt.reason) {
			t.Errorf("IsWorking(%s) = %v, %q; want %v, %q", tt.date, working, reason, tt.working, tt.reason)
		}
	}
	// A deadline across the announced National Day 2026 follows it.
	if got := c.AddWorkingDays(d("2026-09-01"), 1); got.String() != "2026-09-03" {
		t.Errorf("AddWorkingDays = %s, want 2026-09-03 (announced working day)", got)
	}
	if got := Default().AddWorkingDays(d("2026-09-01"), 1); got.String() != "2026-09-04" {
		t.Errorf("default AddWorkingDays = %s, want 2026-09-04 (default: 2/9 and 3/9 off)", got)
	}

	if _, err := Load(filepath.Join(dir, "missing.txt")); err == nil {
		t.Error("Load(missing) succeeded")
	}
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("2026-13-01 working x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), bad+":1:") {
		t.Errorf("Load(bad) = %v", err)
	}
	if c, err := Load(""); err != nil || c == nil {
		t.Errorf("Load(\"\") = %v, %v", c, err)
	}
}

func TestNewWithoutShipped(t *testing.T) {
	// New uses only what it is given: 2025-05-02 is then an ordinary Friday.
	if ok, _ := New(nil).IsWorking(d("2025-05-02")); !ok {
		t.Error("New(nil): 2025-05-02 should be working")
	}
	if ok, _ := Default().IsWorking(d("2025-05-02")); ok {
		t.Error("Default(): 2025-05-02 should be off")
	}
}
