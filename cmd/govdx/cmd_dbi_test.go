package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Golden outputs of `govdx dbi score`, computed by hand:
//   - sme-mixed: pillars 39/65 (60%, 3), 10/25 (40%, 2), 28/80 (35%, 2), 39/65 (3),
//     21/50 (42%, 3), 21/35 (60%, 3); total 158 > 128 with four pillars at 3: level 3.
//   - large-279: every criterion at 2 is 278; four pillars lifted one point above
//     40% (51, 49, 59, 45) and pillar 6 down to 31: total 279 > 278, four pillars at 3: level 3.
//   - large-278: four pillars at 3 again, but total 278 is not above 278: level 2.
//   - group: Đth = (3x800 + 1x150 + 2x50)/1000 = 2.65 > 2.5 with the parent at 3: level 3;
//     pillar 5 is exactly 2.5, which the parent rule does not lift: level 2.
func TestDBIScoreGolden(t *testing.T) {
	for _, name := range []string{"sme-mixed", "large-279", "large-278", "group"} {
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"dbi", "score", filepath.Join("testdata", "dbi", name+".json")}, &out, &errb)
			if code != 0 {
				t.Fatalf("exit %d, stderr: %s", code, errb.String())
			}
			want, err := os.ReadFile(filepath.Join("testdata", "dbi", name+".golden"))
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != string(want) {
				t.Fatalf("output differs from %s.golden:\n%s", name, out.String())
			}
		})
	}
}

func TestDBIScoreErrors(t *testing.T) {
	tests := []struct {
		file string
		code int
		want []string // each must appear in stderr
	}{
		{"bad-levels.json", 1, []string{"criterion 1.1.1: level 6 is out of range 0-5", "criterion 9.9.9: not a criterion of the sme index"}},
		{"other-index.json", 1, []string{"criterion 2.2.1: belongs to the large index, not the sme index"}},
		{"malformed.json", 1, []string{"malformed.json: malformed JSON at line 2, column 25"}},
		{"group-no-parent.json", 1, []string{"no unit is marked as the parent company"}},
		{"group-zero-staff.json", 1, []string{`unit "Rep office": staff under labour contracts must be positive, got 0`}},
		{"group-staff-total.json", 1, []string{"staff weights do not add up: the units' staff sum to 15, staff_total is 20"}},
		{"does-not-exist.json", 1, []string{"does-not-exist.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"dbi", "score", filepath.Join("testdata", "dbi", tt.file)}, &out, &errb)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if out.Len() != 0 {
				t.Errorf("stdout not empty: %s", out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr %q lacks %q", errb.String(), w)
				}
			}
		})
	}
}

func TestDBISize(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{
			name: "text",
			args: []string{"--sector", "logistics", "--staff", "40", "--revenue", "80", "--capital", "60"},
			out:  "sector: trade-services\nsize: small\nbasis: option 1 (staff and revenue)\nindex: sme\n",
		},
		{
			name: "json",
			args: []string{"--sector=construction", "--staff=250", "--revenue=500", "--capital=120", "--json"},
			out: `{
  "sector": "agriculture-industry",
  "size": "large",
  "basis": "neither option within the medium limits",
  "index": "large"
}
`,
		},
		{
			name: "subsidiaries",
			args: []string{"--sector", "trade", "--staff", "90", "--revenue", "250", "--capital", "80", "--subsidiaries", "--json"},
			out: `{
  "sector": "trade-services",
  "size": "medium",
  "basis": "options 1 (staff and revenue) and 2 (capital)",
  "index": "group"
}
`,
		},
		{name: "missing flags", args: []string{"--sector", "trade"}, code: 2, err: "missing --staff, --revenue, --capital"},
		{name: "bad number", args: []string{"--sector", "trade", "--staff", "many", "--revenue", "1", "--capital", "1"}, code: 2, err: "invalid value"},
		{name: "unknown sector", args: []string{"--sector", "mining", "--staff", "1", "--revenue", "1", "--capital", "1"}, code: 1, err: `unknown sector "mining"`},
		{name: "negative staff", args: []string{"--sector", "trade", "--staff", "-1", "--revenue", "1", "--capital", "1"}, code: 1, err: "staff must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"dbi", "size"}, tt.args...), &out, &errb)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errb.String())
			}
			if out.String() != tt.out {
				t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), tt.out)
			}
			if !strings.Contains(errb.String(), tt.err) {
				t.Errorf("stderr %q lacks %q", errb.String(), tt.err)
			}
		})
	}
}

func TestDBIUsage(t *testing.T) {
	for _, args := range [][]string{
		{"dbi"},
		{"dbi", "rank"},
		{"dbi", "score"},
		{"dbi", "score", "a.json", "b.json"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if !strings.Contains(errb.String(), "usage:") {
			t.Errorf("%v: no usage on stderr: %q", args, errb.String())
		}
	}
}
