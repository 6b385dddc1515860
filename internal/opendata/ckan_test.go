package opendata

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ckanFixture publishes a few datasets for API tests.
func ckanFixture(t *testing.T, w *world) {
	t.Helper()
	ctx := context.Background()
	d := w.dataset(t, w.deptA, "Danh sách trường học", "giáo dục", "trường học")
	w.upload(t, d, "truong.csv", "Tên trường,Số lớp\nTHPT Phan Châu Trinh,40\n")
	w.upload(t, d, "truong.geojson", `{"type":"FeatureCollection","features":[]}`)
	w.publish(t, d)
	w.published(t, w.deptA, "Công khai ngân sách năm 2026", "ngân sách")
	b := w.dataset(t, w.deptB, "Danh sách bệnh viện", "y tế")
	w.upload(t, b, "bv.csv", "Tên,Số giường\nBệnh viện A,500\n")
	if _, err := w.store.UpdateDataset(ctx, 0, b.ID, DatasetInput{OrgID: w.deptB.ID, Title: "Danh sách bệnh viện", Tags: []string{"y tế"},
		LicenseID: "cc-by-4.0", Themes: []string{"y-te"}}); err != nil {
		t.Fatal(err)
	}
	w.publish(t, b)
	w.dataset(t, w.deptA, "Bản nháp chưa công bố") // a draft stays invisible
}

// dig returns a nested value of a decoded JSON document: path parts are
// object keys or list indexes written "#0".
func dig(v any, path ...string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(strings.TrimPrefix(p, "#"))
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func keys(v any) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func hasKeys(t *testing.T, what string, v any, want ...string) {
	t.Helper()
	got := keys(v)
	for _, k := range want {
		if !slices.Contains(got, k) {
			t.Errorf("%s lacks %q (has %v)", what, k, got)
		}
	}
}

// A CKAN client's typical calls, with their response shapes.
func TestCKANActions(t *testing.T) {
	forEach(t, Options{}, func(t *testing.T, w *world) {
		ckanFixture(t, w)
		c := w.client(t)
		pkgKeys := []string{"id", "name", "title", "notes", "organization", "tags", "resources", "license_id", "license_title",
			"metadata_created", "metadata_modified", "num_resources", "num_tags", "state", "type", "groups", "extras", "owner_org", "private", "url", "version"}
		resKeys := []string{"id", "package_id", "url", "format", "name", "mimetype", "size", "hash", "created", "last_modified", "position", "url_type", "state"}
		cases := []struct {
			name   string
			method string
			path   string
			body   string
			status int
			check  func(t *testing.T, res any)
			errTyp string
		}{
			{name: "status_show", path: "/api/3/action/status_show", status: 200, check: func(t *testing.T, r any) {
				hasKeys(t, "status", r, "ckan_version", "site_title", "site_url", "extensions")
			}},
			{name: "package_list", path: "/api/3/action/package_list", status: 200, check: func(t *testing.T, r any) {
				if l, _ := r.([]any); len(l) != 3 {
					t.Errorf("package_list %v", r)
				}
			}},
			{name: "package_list limit", path: "/api/3/action/package_list?limit=1&offset=1", status: 200, check: func(t *testing.T, r any) {
				if l, _ := r.([]any); len(l) != 1 {
					t.Errorf("package_list %v", r)
				}
			}},
			{name: "package_search default", path: "/api/3/action/package_search", status: 200, check: func(t *testing.T, r any) {
				hasKeys(t, "result", r, "count", "facets", "search_facets", "results", "sort")
				if dig(r, "count") != 3.0 {
					t.Errorf("count %v", dig(r, "count"))
				}
				hasKeys(t, "package", dig(r, "results", "#0"), pkgKeys...)
				hasKeys(t, "organization", dig(r, "results", "#0", "organization"), "id", "name", "title", "type", "is_organization")
				hasKeys(t, "resource", dig(r, "results", "#0", "resources", "#0"), resKeys...)
				if dig(r, "results", "#0", "type") != "dataset" || dig(r, "results", "#0", "state") != "active" {
					t.Errorf("type/state")
				}
			}},
			{name: "q without diacritics", path: "/api/3/action/package_search?q=truong+hoc", status: 200, check: func(t *testing.T, r any) {
				if dig(r, "count") != 1.0 || dig(r, "results", "#0", "name") != "danh-sach-truong-hoc" {
					t.Errorf("result %v", dig(r, "results", "#0", "name"))
				}
			}},
			{name: "q with a field", path: "/api/3/action/package_search?q=" + url.QueryEscape("tags:y tế"), status: 200, check: func(t *testing.T, r any) {
				// "tags:y" then the word "tế": no tag is "y"
				if dig(r, "count") != 0.0 {
					t.Errorf("count %v", dig(r, "count"))
				}
			}},
			{name: "fq organization", path: "/api/3/action/package_search?fq=organization:dn-stc", status: 200, check: func(t *testing.T, r any) {
				if dig(r, "count") != 2.0 {
					t.Errorf("count %v", dig(r, "count"))
				}
			}},
			{name: "fq AND-ed with + and quotes", path: "/api/3/action/package_search?fq=" + url.QueryEscape(`+organization:dn-stc +tags:"giáo dục" res_format:GEOJSON`), status: 200, check: func(t *testing.T, r any) {
				if dig(r, "count") != 1.0 {
					t.Errorf("count %v", dig(r, "count"))
				}
			}},
			{name: "fq license_id", path: "/api/3/action/package_search?fq=license_id:cc-by-4.0", status: 200, check: func(t *testing.T, r any) {
				if dig(r, "count") != 1.0 || dig(r, "results", "#0", "license_id") != "cc-by-4.0" {
					t.Errorf("license filter")
				}
			}},
			{name: "fq dataset_type and metadata_modified range", path: "/api/3/action/package_search?fq=" + url.QueryEscape("dataset_type:dataset metadata_modified:[2000-01-01T00:00:00Z TO NOW]"), status: 200, check: func(t *testing.T, r any) {
				if dig(r, "count") != 3.0 {
					t.Errorf("count %v", dig(r, "count"))
				}
			}},
			{name: "facets", path: "/api/3/action/package_search?rows=0&facet.field=" + url.QueryEscape(`["organization","tags","res_format","license_id","groups"]`), status: 200, check: func(t *testing.T, r any) {
				if l, _ := dig(r, "results").([]any); len(l) != 0 {
					t.Errorf("rows=0 returned results")
				}
				if dig(r, "facets", "organization", "dn-stc") != 2.0 {
					t.Errorf("facets %v", dig(r, "facets"))
				}
				hasKeys(t, "search_facets.organization", dig(r, "search_facets", "organization"), "title", "items")
				item := dig(r, "search_facets", "organization", "items", "#0")
				hasKeys(t, "facet item", item, "name", "display_name", "count")
				if dig(item, "name") != "dn-stc" || dig(item, "count") != 2.0 || dig(item, "display_name") != "Sở DN.STC" {
					t.Errorf("item %v", item)
				}
				if dig(r, "facets", "res_format", "CSV") != 3.0 {
					t.Errorf("format facet %v", dig(r, "facets", "res_format"))
				}
			}},
			{name: "sort title asc", path: "/api/3/action/package_search?sort=" + url.QueryEscape("title_string asc"), status: 200, check: func(t *testing.T, r any) {
				if dig(r, "results", "#0", "name") != "cong-khai-ngan-sach-nam-2026" || dig(r, "results", "#2", "name") != "danh-sach-truong-hoc" {
					t.Errorf("order %v, %v", dig(r, "results", "#0", "name"), dig(r, "results", "#2", "name"))
				}
			}},
			{name: "sort modified desc, rows, start", path: "/api/3/action/package_search?sort=metadata_modified+desc&rows=1&start=1", status: 200, check: func(t *testing.T, r any) {
				if l, _ := dig(r, "results").([]any); len(l) != 1 || dig(r, "count") != 3.0 {
					t.Errorf("paging %v", r)
				}
			}},
			{name: "rows above the maximum are clamped", path: "/api/3/action/package_search?rows=5000", status: 200},
			{name: "POST JSON body", method: "POST", path: "/api/3/action/package_search", body: `{"q": "bệnh viện", "rows": 5, "facet.field": ["tags"]}`, status: 200, check: func(t *testing.T, r any) {
				if dig(r, "count") != 1.0 || dig(r, "search_facets", "tags", "items", "#0", "name") != "y tế" {
					t.Errorf("POST search %v", r)
				}
			}},
			{name: "package_show by name", path: "/api/3/action/package_show?id=danh-sach-truong-hoc", status: 200, check: func(t *testing.T, r any) {
				hasKeys(t, "package", r, pkgKeys...)
				if dig(r, "num_resources") != 2.0 || dig(r, "num_tags") != 2.0 {
					t.Errorf("counts %v %v", dig(r, "num_resources"), dig(r, "num_tags"))
				}
				if !strings.Contains(dig(r, "resources", "#0", "url").(string), "/download") {
					t.Errorf("resource url %v", dig(r, "resources", "#0", "url"))
				}
			}},
			{name: "organization_list", path: "/api/3/action/organization_list", status: 200, check: func(t *testing.T, r any) {
				if l, _ := r.([]any); len(l) != 2 || l[0] != "dn-stc" && l[0] != "dn-syt" {
					t.Errorf("organization_list %v", r)
				}
			}},
			{name: "organization_list all_fields", path: "/api/3/action/organization_list?all_fields=true&sort=package_count", status: 200, check: func(t *testing.T, r any) {
				hasKeys(t, "organization", dig(r, "#0"), "id", "name", "title", "display_name", "package_count", "is_organization", "type")
				if dig(r, "#0", "package_count") != 2.0 {
					t.Errorf("sort by package_count %v", dig(r, "#0"))
				}
			}},
			{name: "organization_show with datasets", path: "/api/3/action/organization_show?id=dn-syt&include_datasets=true", status: 200, check: func(t *testing.T, r any) {
				if dig(r, "name") != "dn-syt" || dig(r, "packages", "#0", "name") != "danh-sach-benh-vien" {
					t.Errorf("organization_show %v", r)
				}
			}},
			{name: "group_list", path: "/api/3/action/group_list?all_fields=true", status: 200, check: func(t *testing.T, r any) {
				if l, _ := r.([]any); len(l) != len(Themes) {
					t.Errorf("group_list %d", len(l))
				}
			}},
			{name: "group_show", path: "/api/3/action/group_show?id=y-te&include_datasets=true", status: 200, check: func(t *testing.T, r any) {
				if dig(r, "package_count") != 1.0 {
					t.Errorf("group_show %v", r)
				}
			}},
			{name: "tag_list", path: "/api/3/action/tag_list?query=ngan", status: 200, check: func(t *testing.T, r any) {
				if l, _ := r.([]any); len(l) != 1 || l[0] != "ngân sách" {
					t.Errorf("tag_list %v", r)
				}
			}},
			{name: "license_list", path: "/api/3/action/license_list", status: 200},
			{name: "current_package_list_with_resources", path: "/api/action/current_package_list_with_resources?limit=2", status: 200, check: func(t *testing.T, r any) {
				if l, _ := r.([]any); len(l) != 2 {
					t.Errorf("got %d", len(l))
				}
			}},
			{name: "help_show", path: "/api/3/action/help_show?name=package_search", status: 200},
			// Errors, in CKAN's envelope and statuses.
			{name: "unknown action", path: "/api/3/action/package_create", status: 400, errTyp: "Bad Request"},
			{name: "rows not a number", path: "/api/3/action/package_search?rows=abc", status: 409, errTyp: "Validation Error"},
			{name: "negative start", path: "/api/3/action/package_search?start=-1", status: 409, errTyp: "Validation Error"},
			{name: "facet.field not JSON", path: "/api/3/action/package_search?facet.field=organization", status: 409, errTyp: "Validation Error"},
			{name: "facet on an unknown field", path: "/api/3/action/package_search?facet.field=" + url.QueryEscape(`["author"]`), status: 409, errTyp: "Validation Error"},
			{name: "bad sort", path: "/api/3/action/package_search?sort=" + url.QueryEscape("popularity desc"), status: 409, errTyp: "Validation Error"},
			{name: "unknown fq field", path: "/api/3/action/package_search?fq=author:x", status: 400, errTyp: "Search Query Error"},
			{name: "unbalanced quote", path: "/api/3/action/package_search?fq=" + url.QueryEscape(`tags:"abc`), status: 400, errTyp: "Search Query Error"},
			{name: "OR is refused", path: "/api/3/action/package_search?q=" + url.QueryEscape("a OR b"), status: 400, errTyp: "Search Query Error"},
			{name: "package_show without id", path: "/api/3/action/package_show", status: 409, errTyp: "Validation Error"},
			{name: "package_show unknown", path: "/api/3/action/package_show?id=khong-co", status: 404, errTyp: "Not Found Error"},
			{name: "package_show of a draft", path: "/api/3/action/package_show?id=ban-nhap-chua-cong-bo", status: 404, errTyp: "Not Found Error"},
			{name: "resource_show unknown", path: "/api/3/action/resource_show?id=nope", status: 404, errTyp: "Not Found Error"},
			{name: "organization_show unknown", path: "/api/3/action/organization_show?id=nope", status: 404, errTyp: "Not Found Error"},
			{name: "malformed JSON body", method: "POST", path: "/api/3/action/package_search", body: `{"q": `, status: 400, errTyp: "Bad Request"},
			{name: "JSON body not an object", method: "POST", path: "/api/3/action/package_search", body: `["q"]`, status: 400, errTyp: "Bad Request"},
			{name: "all_fields not a boolean", path: "/api/3/action/organization_list?all_fields=maybe", status: 409, errTyp: "Validation Error"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				method := tc.method
				if method == "" {
					method = "GET"
				}
				var hdr map[string]string
				if tc.body != "" {
					hdr = map[string]string{"Content-Type": "application/json"}
				}
				r := c.do(method, tc.path, strings.NewReader(tc.body), hdr)
				if r.status != tc.status {
					t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
				}
				if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
					t.Errorf("content type %q", r.header.Get("Content-Type"))
				}
				env := r.json(t)
				help, _ := env["help"].(string)
				if !strings.Contains(help, "/api/3/action/help_show?name=") {
					t.Errorf("help %q", help)
				}
				if tc.errTyp != "" {
					if env["success"] != false {
						t.Errorf("success %v", env["success"])
					}
					if dig(env, "error", "__type") != tc.errTyp {
						t.Errorf("error type %v, want %s", dig(env, "error", "__type"), tc.errTyp)
					}
					if msg, _ := dig(env, "error", "message").(string); msg == "" {
						t.Errorf("no error message")
					}
					if _, ok := env["result"]; ok {
						t.Errorf("an error carries a result")
					}
					return
				}
				if env["success"] != true {
					t.Fatalf("success %v: %s", env["success"], r.body)
				}
				if tc.check != nil {
					tc.check(t, env["result"])
				}
			})
		}
		// resource_show by the id package_show gives.
		pkg := c.get("/api/3/action/package_show?id=danh-sach-truong-hoc").json(t)
		rid := dig(pkg, "result", "resources", "#0", "id").(string)
		res := c.get("/api/3/action/resource_show?id=" + rid).json(t)
		hasKeys(t, "resource_show", res["result"], resKeys...)
		if dig(res, "result", "package_id") != dig(pkg, "result", "id") {
			t.Errorf("package_id mismatch")
		}
		// A validation error names its field, as CKAN does.
		bad := c.get("/api/3/action/package_search?rows=abc").json(t)
		if l, _ := dig(bad, "error", "rows").([]any); len(l) != 1 {
			t.Errorf("validation error lacks the field: %v", bad["error"])
		}
	})
}
