package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRulesList(t *testing.T) {
	t.Setenv(envRulesOverrides, "")
	code, out, errOut := workdayRunCLI(t, "rules", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"KEY", "EFFECTIVE",
		"connection_request.decision_deadline  D47-35.3            5 working days",
		"2020-05-25..2025-08-18",
		"D47-35.3/D194-40.3  2 working days",
		"2025-08-19..",
		"suspension.maintenance_notice", "notice",
		"31 December each year",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rules list lacks %q:\n%s", want, out)
		}
	}

	// --at keeps only the version in force that day.
	_, out, _ = workdayRunCLI(t, "rules", "list", "--at", "2025-06-10")
	if !strings.Contains(out, "5 working days") || strings.Contains(out, "D194-40.3") {
		t.Errorf("rules list --at 2025-06-10:\n%s", out)
	}
	_, out, _ = workdayRunCLI(t, "rules", "list", "--at", "2026-06-10")
	if strings.Contains(out, "5 working days") || !strings.Contains(out, "D47-35.3/D194-40.3") {
		t.Errorf("rules list --at 2026-06-10:\n%s", out)
	}
}

func TestRulesDue(t *testing.T) {
	t.Setenv(envRulesOverrides, "")
	t.Setenv(envWorkdayOverrides, "")
	tests := []struct {
		key, from, want, second string
	}{
		{"connection_request.decision_deadline", "2025-06-10", "2025-06-17", "due: D47-35.3 "},
		{"connection_request.decision_deadline", "2026-06-10", "2026-06-12", "due: D47-35.3/D194-40.3 "},
		{"suspension.maintenance_notice", "2025-06-16", "2025-06-04", "latest notice day: D47-43.1a "},
	}
	for _, tt := range tests {
		code, out, errOut := workdayRunCLI(t, "rules", "due", tt.key, "--from", tt.from)
		lines := strings.Split(out, "\n")
		if code != 0 || lines[0] != tt.want || !strings.HasPrefix(lines[1], tt.second) {
			t.Errorf("rules due %s --from %s = %d %q (stderr %q), want %s", tt.key, tt.from, code, out, errOut, tt.want)
		}
	}
}

func TestRulesOverrides(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rules.json")
	content := `{"rules": [{"id": "D47-35.3/X", "key": "connection_request.decision_deadline",
	  "title_vi": "Tạo tài khoản kết nối", "title_en": "Create the connection account",
	  "value": 3, "unit": "working_days", "source": "Hypothetical decree 2027",
	  "effective_from": "2027-01-01"}]}`
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envRulesOverrides, path)
	_, out, _ := workdayRunCLI(t, "rules", "list")
	if !strings.Contains(out, "2025-08-19..2026-12-31") || !strings.Contains(out, "Hypothetical decree 2027") || !strings.Contains(out, "operator") {
		t.Errorf("rules list with env overrides:\n%s", out)
	}
	_, out, _ = workdayRunCLI(t, "rules", "due", "connection_request.decision_deadline", "--from", "2027-06-10")
	if workdayFirstLine(out) != "2027-06-15" {
		t.Errorf("due with override = %q, want 2027-06-15 (3 working days)", out)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(strings.Replace(content, `"working_days"`, `"weeks"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := workdayRunCLI(t, "rules", "list", "--overrides", bad)
	if code != 1 || !strings.Contains(errOut, `unknown unit "weeks"`) || !strings.Contains(errOut, bad) {
		t.Errorf("bad overrides: exit %d, stderr %q", code, errOut)
	}
}

func TestRulesErrors(t *testing.T) {
	t.Setenv(envRulesOverrides, "")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", []string{"rules"}, 2, "usage: govdx rules"},
		{"unknown subcommand", []string{"rules", "show"}, 2, `unknown subcommand "show"`},
		{"bad --at", []string{"rules", "list", "--at", "2025-6-1"}, 1, `invalid date "2025-6-1"`},
		{"unknown key", []string{"rules", "due", "no.such", "--from", "2025-06-10"}, 1, `unknown rule key "no.such"`},
		{"not in force", []string{"rules", "due", "connection_request.decision_deadline", "--from", "2019-01-01"}, 1, "not in force on 2019-01-01"},
		{"due without key", []string{"rules", "due", "--from", "2025-06-10"}, 2, "missing argument"},
		{"due without from", []string{"rules", "due", "service.publication_deadline"}, 2, "--from is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := workdayRunCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d with %q", code, errOut, tt.code, tt.want)
			}
		})
	}
}
