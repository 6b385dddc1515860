package dbi

import (
	"errors"
	"strings"
	"testing"
)

func TestEvaluateJSON(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		check func(t *testing.T, v any)
	}{
		{"sme with null and missing", `{"index":"sme","levels":{"2.1.1":4,"1.1.1":null,"6.1.7":2.0}}`, func(t *testing.T, v any) {
			r := v.(*Result)
			if r.Total != 22 || r.Pillars[1].Points != 20 || r.Pillars[5].Points != 2 || r.Pillars[0].Points != 0 {
				t.Fatalf("got %+v", r)
			}
		}},
		{"sme without levels", `{"index":"sme"}`, func(t *testing.T, v any) {
			if r := v.(*Result); r.Total != 0 || r.Level != 0 || r.Max != 320 {
				t.Fatalf("got %+v", r)
			}
		}},
		{"large", `{"index":"large","levels":{"6.3.3":5,"4.3.2":4}}`, func(t *testing.T, v any) {
			if r := v.(*Result); r.Total != 9 || r.Max != 695 || r.Pillars[3].Points != 4 || r.Pillars[5].Points != 5 {
				t.Fatalf("got %+v", r)
			}
		}},
		{"group with matching staff_total", `{"index":"group","staff_total":4,"units":[
			{"name":"HQ","parent":true,"staff":3,"level":2,"pillar_levels":[2,2,2,2,2,2]},
			{"name":"Sub","staff":1,"level":0,"pillar_levels":[0,0,0,0,0,0]}]}`, func(t *testing.T, v any) {
			// Đth = 6/4 = 1.5: parent at 2 needs more than 1.5, so level 1.
			if r := v.(*GroupResult); r.Score != 1.5 || r.Level != 1 || r.Staff != 4 {
				t.Fatalf("got %+v", r)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := EvaluateJSON([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, v)
		})
	}
}

func TestEvaluateJSONRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // each must appear in the error
	}{
		{"empty", ``, []string{"malformed JSON: empty input"}},
		{"truncated", `{"index":"sme"`, []string{"unexpected end of input"}},
		{"syntax", "{\"index\":\"sme\",\n\"levels\":{\"1.1.1\":3,}}", []string{"malformed JSON at line 2, column 21"}},
		{"trailing", "{\"index\":\"sme\"}\n{}", []string{"malformed JSON at line 2, column 1: unexpected data"}},
		{"array", `[1,2]`, []string{"must be a JSON object"}},
		{"unknown field", `{"index":"sme","level":{}}`, []string{`unknown field "level"`}},
		{"no index", `{"levels":{}}`, []string{`"index" is required`}},
		{"bad index", `{"index":"medium"}`, []string{`unknown index "medium"`}},
		{"index not string", `{"index":1}`, []string{`"index" must be a string`}},
		{"levels not object", `{"index":"sme","levels":[1]}`, []string{`"levels" must be an object`}},
		{"levels on group", `{"index":"group","levels":{}}`, []string{`"levels" is for index sme or large`}},
		{"units on sme", `{"index":"sme","units":[]}`, []string{`"units" and "staff_total" are for index "group"`}},
		{"criterion problems all at once", `{"index":"sme","levels":{"1.1.1":6,"1.1.2":"3","1.1.3":2.5,"1.1.3":1,"2.2.1":1,"9.9":-1}}`, []string{
			"criterion 1.1.1: level 6 is out of range 0-5",
			`criterion 1.1.2: level must be a whole number 0-5, got "3"`,
			"criterion 1.1.3: level 2.5 is not a whole number",
			"criterion 1.1.3: given more than once",
			"criterion 2.2.1: belongs to the large index",
			"criterion 9.9: level -1 is out of range 0-5",
			"criterion 9.9: not a criterion of the sme index",
		}},
		{"units not array", `{"index":"group","units":{}}`, []string{`"units" must be an array`}},
		{"unit not object", `{"index":"group","units":[1]}`, []string{"unit #1: must be an object"}},
		{"unit fields", `{"index":"group","units":[{"name":"A","parent":"yes","staff":1.5,"level":9,"pillar_levels":[1,1,1,1,1,"x"],"size":3}]}`, []string{
			`unit "A": parent must be true or false`,
			`unit "A": staff must be a whole number`,
			`unit "A": level 9 is out of range 0-5`,
			`unit "A": pillar 6: level must be a whole number`,
			`unit "A": unknown field "size"`,
		}},
		{"unit missing fields", `{"index":"group","units":[{"name":"A","parent":true}]}`, []string{
			`unit "A": staff is required`, `unit "A": level is required`, `unit "A": pillar_levels is required`,
		}},
		{"zero staff", `{"index":"group","units":[{"name":"HQ","parent":true,"staff":0,"level":1,"pillar_levels":[1,1,1,1,1,1]}]}`, []string{
			`unit "HQ": staff under labour contracts must be positive, got 0`,
		}},
		{"staff_total mismatch", `{"index":"group","staff_total":100,"units":[{"name":"HQ","parent":true,"staff":90,"level":1,"pillar_levels":[1,1,1,1,1,1]}]}`, []string{
			"staff weights do not add up: the units' staff sum to 90, staff_total is 100",
		}},
		{"staff_total zero", `{"index":"group","staff_total":0,"units":[{"name":"HQ","parent":true,"staff":90,"level":1,"pillar_levels":[1,1,1,1,1,1]}]}`, []string{
			"staff_total must be a positive whole number",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := EvaluateJSON([]byte(tt.in))
			if err == nil {
				t.Fatalf("accepted: %+v", v)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestEvaluateJSONProblemsAreStructured(t *testing.T) {
	_, err := EvaluateJSON([]byte(`{"index":"large","levels":{"3.2.14":1}}`))
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Criterion != "3.2.14" {
		t.Fatalf("err = %#v", err)
	}
}
