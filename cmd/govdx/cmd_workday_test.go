package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// workdayRunCLI runs govdx with args and returns the exit code, stdout and stderr.
func workdayRunCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func workdayFirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestWorkdayAdd(t *testing.T) {
	t.Setenv(envWorkdayOverrides, "")
	tests := []struct {
		name    string
		args    []string
		want    string // first line
		skipped string // substring of the second line
	}{
		{"5 working days, June 2025", []string{"--from", "2025-06-10", "--days", "5"}, "2025-06-17", "2025-06-14 [Thứ Bảy (Saturday)]"},
		{"across Tết 2025", []string{"--from", "2025-01-24", "--days", "5"}, "2025-02-07", "2025-01-29 [Tết Nguyên đán (Lunar New Year)]"},
		{"across Tết 2026", []string{"--from=2026-02-13", "--days=2"}, "2026-02-24", "2026-02-16 [Tết Nguyên đán (Lunar New Year)]"},
		{"across 2/9 2025", []string{"--days", "2", "--from", "2025-08-29"}, "2025-09-04", "2025-09-01 [Quốc khánh (National Day)]"},
		{"zero days", []string{"--from", "2025-06-10", "--days", "0"}, "2025-06-10", "skipped: none"},
		{"nothing skipped", []string{"--from", "2025-06-10", "--days", "1"}, "2025-06-11", "skipped: none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := workdayRunCLI(t, append([]string{"workday", "add"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if lines[0] != tt.want {
				t.Errorf("first line = %q, want %q", lines[0], tt.want)
			}
			if len(lines) != 2 || !strings.HasPrefix(lines[1], "skipped: ") || !strings.Contains(lines[1], tt.skipped) {
				t.Errorf("explanation = %q, want a skipped line with %q", lines[1:], tt.skipped)
			}
		})
	}
}

func TestWorkdayCheck(t *testing.T) {
	t.Setenv(envWorkdayOverrides, "")
	tests := []struct {
		date string
		want string // first line
	}{
		{"2025-06-10", "working"},
		{"2025-06-14", "non-working: Thứ Bảy (Saturday)"},
		{"2025-01-29", "non-working: Tết Nguyên đán (Lunar New Year)"},
		{"2026-02-17", "non-working: Tết Nguyên đán (Lunar New Year)"},
		{"2025-04-07", "non-working: Giỗ Tổ Hùng Vương (Hùng Kings' Commemoration Day)"},
		{"2026-04-27", "non-working: Nghỉ bù Giỗ Tổ Hùng Vương (compensatory day off for Hùng Kings' Commemoration Day)"},
		{"2025-09-02", "non-working: Quốc khánh (National Day)"},
	}
	for _, tt := range tests {
		code, out, errOut := workdayRunCLI(t, "workday", "check", tt.date)
		if code != 0 || workdayFirstLine(out) != tt.want {
			t.Errorf("check %s = %d %q (stderr %q), want %q", tt.date, code, out, errOut, tt.want)
		}
	}
	// A swapped Saturday is working, with its reason; the first token stays "working".
	_, out, _ := workdayRunCLI(t, "workday", "check", "2025-04-26")
	if status, _, _ := strings.Cut(workdayFirstLine(out), ":"); status != "working" || !strings.Contains(out, "Làm bù") {
		t.Errorf("check 2025-04-26 = %q", out)
	}
}

func TestWorkdayOverrides(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ops.txt")
	content := "# announced for 2026\n2026-09-01 non-working Quốc khánh (National Day, announced)\n2026-09-03 working Ngày làm việc (working day, announced)\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envWorkdayOverrides, "")
	if _, out, _ := workdayRunCLI(t, "workday", "add", "--from", "2026-09-01", "--days", "1"); workdayFirstLine(out) != "2026-09-04" {
		t.Errorf("without overrides: %q", out)
	}
	// The flag, also after the positional argument.
	if _, out, _ := workdayRunCLI(t, "workday", "add", "--from", "2026-09-01", "--days", "1", "--overrides", path); workdayFirstLine(out) != "2026-09-03" {
		t.Errorf("--overrides: %q", out)
	}
	if _, out, _ := workdayRunCLI(t, "workday", "check", "2026-09-01", "--overrides", path); workdayFirstLine(out) != "non-working: Quốc khánh (National Day, announced)" {
		t.Errorf("check --overrides: %q", out)
	}
	// The environment.
	t.Setenv(envWorkdayOverrides, path)
	if _, out, _ := workdayRunCLI(t, "workday", "check", "2026-09-03"); workdayFirstLine(out) != "working: Ngày làm việc (working day, announced)" {
		t.Errorf("env: %q", out)
	}
	// A broken operator file is an error naming the file and line.
	bad := filepath.Join(t.TempDir(), "bad.txt")
	if err := os.WriteFile(bad, []byte("2026-09-01 off National Day\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := workdayRunCLI(t, "workday", "check", "2026-09-01", "--overrides", bad)
	if code != 1 || !strings.Contains(errOut, bad+":1:") {
		t.Errorf("bad overrides: exit %d, stderr %q", code, errOut)
	}
}

func TestWorkdayHolidays(t *testing.T) {
	t.Setenv(envWorkdayOverrides, "")
	code, out, errOut := workdayRunCLI(t, "workday", "holidays", "--year", "2025")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"2025-01-01  Wed  non-working  Tết Dương lịch (New Year's Day)",
		"2025-01-29  Wed  non-working  Tết Nguyên đán (Lunar New Year)",
		"2025-04-26  Sat  working      Làm bù",
		"2025-05-02  Fri  non-working  Nghỉ hoán đổi",
		"2025-09-01  Mon  non-working  Quốc khánh (National Day)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("holidays 2025 lacks %q:\n%s", want, out)
		}
	}
}

func TestWorkdayErrors(t *testing.T) {
	t.Setenv(envWorkdayOverrides, "")
	tests := []struct {
		name string
		args []string
		code int
		want string // substring of stderr
	}{
		{"no subcommand", []string{"workday"}, 2, "usage: govdx workday"},
		{"unknown subcommand", []string{"workday", "sub"}, 2, `unknown subcommand "sub"`},
		{"bad date", []string{"workday", "add", "--from", "2025-02-30", "--days", "1"}, 1, `invalid date "2025-02-30"`},
		{"negative days", []string{"workday", "add", "--from", "2025-06-10", "--days", "-3"}, 1, "--days -3: must be zero or more"},
		{"days not a number", []string{"workday", "add", "--from", "2025-06-10", "--days", "five"}, 1, `--days "five": not a whole number`},
		{"missing days", []string{"workday", "add", "--from", "2025-06-10"}, 2, "--from and --days are required"},
		{"unknown flag", []string{"workday", "add", "--to", "2025-06-10"}, 2, "flag provided but not defined: -to"},
		{"check without date", []string{"workday", "check"}, 2, "missing argument"},
		{"check two dates", []string{"workday", "check", "2025-06-10", "2025-06-11"}, 2, `unexpected argument "2025-06-11"`},
		{"check bad date", []string{"workday", "check", "10/06/2025"}, 1, `invalid date "10/06/2025"`},
		{"holidays without year", []string{"workday", "holidays"}, 2, "--year is required"},
		{"holidays out of range", []string{"workday", "holidays", "--year", "2500"}, 1, "outside the supported years"},
		{"missing overrides file", []string{"workday", "check", "2025-06-10", "--overrides", "/nonexistent/ops.txt"}, 1, "/nonexistent/ops.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := workdayRunCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d with %q", code, errOut, tt.code, tt.want)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing on error", out)
			}
		})
	}
}
