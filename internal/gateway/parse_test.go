package gateway

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		path string
		ok   bool
		segs int
	}{
		{"/s/dkkd/doanh-nghiep/0101234567", true, 3},
		{"/s/dkkd", true, 1},
		{"/s/dkkd/", true, 1},
		{"/s/a/b/c/d/e/f", true, 4},
		{"/s/dkkd/x%20y", true, 2},
		{"/s/dkkd/..", false, 0},
		{"/s/dkkd/%2E%2e/x", false, 0},
		{"/s/dkkd/...", true, 2}, // three dots is an ordinary name
		{"/s/dkkd/a%2fb", false, 0},
		{"/s/dkkd/a%5Cb", false, 0},
		{"/s/dkkd/a%0ab", false, 0},
		{"/s/dkkd/a%", false, 0},
		{"/s/dkkd/a%4", false, 0},
		{"/s/dkkd//x", false, 0},
		{"/s//dkkd", false, 0},
		{"/s/", false, 0},
		{"/x/dkkd", false, 0},
		{"/s/dkkd/ü", false, 0},
		{"/s/dkkd/a b", false, 0},
		{"/s/" + strings.Repeat("a", MaxPathBytes), false, 0},
	}
	for _, tc := range tests {
		cp, err := ParsePath(tc.path)
		if (err == nil) != tc.ok {
			t.Errorf("ParsePath(%q) error = %v, want ok %v", tc.path, err, tc.ok)
			continue
		}
		if tc.ok && cp.Segments() != tc.segs {
			t.Errorf("ParsePath(%q) segments = %d, want %d", tc.path, cp.Segments(), tc.segs)
		}
	}
	cp, _ := ParsePath("/s/csdlqg-dc/cong-dan/001/")
	if id, rest, _ := cp.Split(2); id != "csdlqg-dc/cong-dan" || rest != "/001/" {
		t.Errorf("Split(2) = %q %q", id, rest)
	}
	if id, rest, _ := cp.Split(1); id != "csdlqg-dc" || rest != "/cong-dan/001/" {
		t.Errorf("Split(1) = %q %q", id, rest)
	}
}

func TestProject(t *testing.T) {
	allow := NewItemSet("a", "c", "é")
	tests := []struct{ in, out string }{
		{`{"a":1,"b":2,"c":[1,{"b":3}]}`, `{"a":1,"c":[1,{"b":3}]}`},
		{` { "b" : 2 , "a" : "x\"y" } `, `{"a":"x\"y"}`},
		{`{}`, `{}`},
		{`{"b":1}`, `{}`},
		{`[{"a":1,"b":2},{"c":null}]`, `[{"a":1},{"c":null}]`},
		{`[]`, `[]`},
		{`{"\u0061":true,"\u00e9":-1.5e3}`, `{"\u0061":true,"\u00e9":-1.5e3}`},
		{`{"a":1,"a":2}`, `{"a":1,"a":2}`},
	}
	for _, tc := range tests {
		got, err := Project(nil, []byte(tc.in), allow)
		if err != nil || string(got) != tc.out {
			t.Errorf("Project(%s) = %s, %v; want %s", tc.in, got, err, tc.out)
		}
	}
	for _, bad := range []string{``, `1`, `"a"`, `[1]`, `{"a":1`, `{"a":01}`, `{"a":1}x`, `{"a" 1}`, `{a:1}`, `{"a":tru}`, `{"a":"\x"}`, "{\"a\":\"\x01\"}", `[{"a":1},2]`, `{"a":[1,]}`, `{"a":1,}`} {
		if _, err := Project(nil, []byte(bad), allow); err == nil {
			t.Errorf("Project(%q) accepted invalid or unprojectable input", bad)
		}
	}
}

// FuzzParsePath: no accepted path contains a dot segment, an encoded
// slash, backslash or NUL, or an empty segment; Split never panics.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"/s/dkkd/doanh-nghiep/0101234567", "/s/a/%2e%2E/b", "/s/a/%2F", "/s/a//b", "/s/a/b/", "/s/%41/b", "/s/a\\b", "/s/.%2e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		cp, err := ParsePath(p)
		if err != nil {
			return
		}
		if !strings.HasPrefix(p, CallPrefix) || len(p) > MaxPathBytes {
			t.Fatalf("accepted %q", p)
		}
		lower := strings.ToLower(cp.Raw)
		for _, bad := range []string{"%2f", "%5c", "%00", "\\", "//", "?", "#"} {
			if strings.Contains(lower, bad) {
				t.Fatalf("accepted %q containing %q", p, bad)
			}
		}
		for i, seg := range strings.Split(cp.Raw, "/") {
			dec := strings.ReplaceAll(strings.ToLower(seg), "%2e", ".")
			if dec == "." || dec == ".." {
				t.Fatalf("accepted dot segment in %q", p)
			}
			if seg == "" && i != strings.Count(cp.Raw, "/") {
				t.Fatalf("accepted empty segment in %q", p)
			}
		}
		for k := 0; k <= cp.Segments()+1; k++ {
			if id, rest, ok := cp.Split(k); ok && id+rest != cp.Raw {
				t.Fatalf("Split(%d) of %q = %q + %q", k, p, id, rest)
			}
		}
	})
}

// FuzzProject: projection output is valid JSON holding only allowed keys;
// it succeeds exactly on valid JSON objects (and arrays of objects).
func FuzzProject(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":2}`, `[{"a":{"b":[1,2,{"c":null}]}},{"d":"\u00e9"}]`, `{"a":"\"","b":-0.5e+7}`, `{}`, `[]`, `{"a":[}`, `{"\u0061":1}`} {
		f.Add([]byte(s))
	}
	allow := NewItemSet("a", "c")
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Project(nil, in, allow)
		valid := json.Valid(in)
		if err != nil {
			var v any
			if valid && json.Unmarshal(in, &v) == nil {
				if _, isObj := v.(map[string]any); isObj {
					t.Fatalf("refused a valid object %q: %v", in, err)
				}
			}
			return
		}
		if !valid {
			t.Fatalf("accepted invalid JSON %q -> %q", in, out)
		}
		if !json.Valid(out) {
			t.Fatalf("invalid output %q from %q", out, in)
		}
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatal(err)
		}
		objs := []any{v}
		if list, ok := v.([]any); ok {
			objs = list
		}
		for _, o := range objs {
			m, ok := o.(map[string]any)
			if !ok {
				t.Fatalf("output %q holds a non-object", out)
			}
			for k := range m {
				if _, ok := allow[k]; !ok {
					t.Fatalf("output %q keeps %q", out, k)
				}
			}
		}
	})
}

// Every refusal code has its status and a label for the log pages.
func TestRefusalCodesAreLabelled(t *testing.T) {
	codes := RefusalCodes()
	if len(codes) < 20 || !slices.IsSorted(codes) {
		t.Fatalf("codes = %v", codes)
	}
	for _, c := range codes {
		if RefusalLabel(c) == c || StatusOf(c) == 500 {
			t.Errorf("%s: label %q, status %d", c, RefusalLabel(c), StatusOf(c))
		}
	}
	if RefusalLabel("something_else") != "something_else" {
		t.Error("an unknown code is shown as it is")
	}
}
