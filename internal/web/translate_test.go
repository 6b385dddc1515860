package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestTranslateEmbeddedValues(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	s.AddMessages(map[string]string{
		"database %d does not exist":             "cơ sở dữ liệu %d không tồn tại",
		"unknown data type %q":                   "kiểu dữ liệu %q không hợp lệ",
		"line %d: %s":                            "dòng %d: %s",
		"the file is larger than %d MiB":         "tệp lớn hơn %d MiB",
		"the usage regulation allows at most %s": "quy chế khai thác chỉ cho phép tối đa %s",
		"a key is repeated":                      "khoá bị lặp lại",
		"%d%% of %s done":                        "đã xong %d%% của %s",
		"%s (%s)":                                "%s (%s)",                            // too generic to be a pattern
		"item %s is not in %d lists":             "mục %s không có trong danh sách %q", // verbs differ: no pattern
		"the regulation allows %d calls per %s":  "quy chế cho phép %d lượt gọi mỗi %s",
		"day":                                    "ngày",
		"requested %s by %s":                     "%s yêu cầu vào %s", // same verbs, other order: values stay in order
	})
	v := &View{Lang: "vi", site: s}
	for _, tc := range []struct{ in, want string }{
		{"database 12 does not exist", "cơ sở dữ liệu 12 không tồn tại"},
		{"database -3 does not exist", "cơ sở dữ liệu -3 không tồn tại"},
		{`unknown data type "vẽ \"x\""`, `kiểu dữ liệu "vẽ \"x\"" không hợp lệ`},
		{"line 3: a key is repeated", "dòng 3: khoá bị lặp lại"},
		{"line 4: database 7 does not exist", "dòng 4: cơ sở dữ liệu 7 không tồn tại"},
		{"line 5: something new", "dòng 5: something new"},
		{"the file is larger than 64 MiB", "tệp lớn hơn 64 MiB"},
		{"the usage regulation allows at most 30 days", "quy chế khai thác chỉ cho phép tối đa 30 days"},
		{"the regulation allows 5 calls per day", "quy chế cho phép 5 lượt gọi mỗi ngày"},
		{"40% of import done", "đã xong 40% của import"},
		{"Ha Noi (capital)", "Ha Noi (capital)"},
		{"item x is not in 3 lists", "item x is not in 3 lists"},
		{"database twelve does not exist", "database twelve does not exist"},
		{"Log in", "Đăng nhập"},
	} {
		if got := v.T(tc.in); got != tc.want {
			t.Errorf("T(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A format with arguments uses its own entry only.
	if got := v.T("database %d does not exist", 9); got != "cơ sở dữ liệu 9 không tồn tại" {
		t.Errorf("T(format, 9) = %q", got)
	}
	if got := (&View{Lang: "en", site: s}).T("database 12 does not exist"); got != "database 12 does not exist" {
		t.Errorf("English view: %q", got)
	}
	if v := Verbs("%d%% of %-8s and %.1f, %[2]q"); len(v) != 4 || v[0] != "%d" || v[1] != "%-8s" || v[2] != "%.1f" || v[3] != "%[2]q" {
		t.Errorf("Verbs = %q", v)
	}
}

// TestFeatureScopedMessages: a feature's pages use its own translation of
// a label that another feature translates otherwise.
func TestFeatureScopedMessages(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	page := fstest.MapFS{"p.html": {Data: []byte(`{{define "title"}}x{{end}}{{define "content"}}<p id="t">{{.T "Title"}}|{{.T "Job 7 is late"}}</p>{{end}}`)}}
	for _, f := range []struct{ prefix, title, late string }{{"docs", "Tiêu đề", "Việc %d chậm hạn"}, {"people", "Chức danh", "Công việc %d trễ hạn"}} {
		if err := s.AddPages(f.prefix, page); err != nil {
			t.Fatal(err)
		}
		s.AddFeatureMessages(f.prefix, map[string]string{"Title": f.title, "Job %d is late": f.late})
	}
	for prefix, want := range map[string]string{"docs": "Tiêu đề|Việc 7 chậm hạn", "people": "Chức danh|Công việc 7 trễ hạn"} {
		r := httptest.NewRequest("GET", "/", nil)
		w := httptest.NewRecorder()
		s.Render(w, r, 200, prefix+"/p.html", s.NewView(w, r, nil))
		if !strings.Contains(w.Body.String(), `<p id="t">`+want+`</p>`) {
			t.Errorf("%s page: want %q in %s", prefix, want, w.Body.String())
		}
	}
	if c := s.MessageConflicts(); len(c) != 2 || c[0].FirstFeature == c[0].Feature {
		t.Errorf("conflicts = %+v", c)
	}
	// Go code translating before (or without) a page names its feature.
	for prefix, want := range map[string]string{"docs": "Tiêu đề", "people": "Chức danh"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: "lang", Value: "vi"})
		if got := s.NewView(httptest.NewRecorder(), r, nil).For(prefix).T("Title"); got != want {
			t.Errorf("view for %s: %q, want %q", prefix, got, want)
		}
	}
}
