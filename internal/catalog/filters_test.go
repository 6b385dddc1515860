package catalog_test

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/platform/platformtest"
)

// TestSearchFiltersHaveVisibleLabels: every field of the catalog's search
// and filter forms carries its own label, in Vietnamese and in sight (not the
// screen-reader-only .sr), so sighted users see what each select filters;
// a filter the search refuses shows its reason beside that field.
func TestSearchFiltersHaveVisibleLabels(t *testing.T) {
	platformtest.ForEachDB(t, sets(), func(t *testing.T, db *platform.DB) {
		s := newServer(t, db)
		formRe := regexp.MustCompile(`(?s)<form class="filters"[^>]*>.*?</form>`)
		controlRe := regexp.MustCompile(`<(?:select|input type="search")[^>]*\sid="([^"]+)"`)
		for _, c := range []struct {
			user, path string
			labels     map[string]string // control id -> its visible label
		}{
			{"", "/catalog", map[string]string{"q": "Từ khóa", "type": "Tìm trong", "provider": "Cơ quan cung cấp",
				"kind": "Loại cơ sở dữ liệu", "form": "Hình thức chia sẻ", "method": "Phương thức chia sẻ"}},
			{"", "/catalog/databases", map[string]string{"q": "Từ khóa", "kind": "Loại cơ sở dữ liệu"}},
			{"stc.officer", "/catalog/proposals", map[string]string{"state": "Trạng thái"}},
		} {
			t.Run(c.path, func(t *testing.T) {
				body := s.want(t, c.user, "GET", c.path, nil, 200).Body.String()
				form := formRe.FindString(body)
				if form == "" {
					t.Fatalf("no filter form: %s", truncate(body))
				}
				if strings.Contains(form, `class="sr"`) || strings.Contains(form, "sr-only") {
					t.Errorf("a label of the filters is hidden from sight: %s", form)
				}
				controls := controlRe.FindAllStringSubmatch(form, -1)
				if len(controls) != len(c.labels) {
					t.Errorf("%d fields, want %d: %s", len(controls), len(c.labels), form)
				}
				for _, m := range controls {
					id := m[1]
					want, ok := c.labels[id]
					if !ok {
						t.Errorf("unexpected field #%s", id)
						continue
					}
					// Exactly one label names the field: a plain one, without
					// a class that could hide it, followed by the field.
					lm := regexp.MustCompile(`<label([^>]*)\sfor="`+regexp.QuoteMeta(id)+`"([^>]*)>([^<]*)</label>\s*<(?:select|input)[^>]*\sid="`+regexp.QuoteMeta(id)+`"`).FindAllStringSubmatch(form, -1)
					if len(lm) != 1 {
						t.Errorf("#%s: %d labels right before it, want 1: %s", id, len(lm), form)
						continue
					}
					if attrs := lm[0][1] + lm[0][2]; strings.Contains(attrs, "class") || strings.Contains(attrs, "hidden") {
						t.Errorf("#%s: label with %q may be hidden", id, attrs)
					}
					if got := html.UnescapeString(lm[0][3]); got != want {
						t.Errorf("#%s: label %q, want %q", id, got, want)
					}
				}
			})
		}

		// A refused filter: the page says why beside the field, in Vietnamese.
		body := s.want(t, "", "GET", "/catalog?q=doanh+nghiep&kind=galactic", nil, 422).Body.String()
		if !regexp.MustCompile(`<select id="kind" name="kind" aria-invalid="true" aria-describedby="kind-err">(?s:.*?)</select><div class="error" id="kind-err">loại cơ sở dữ liệu phải là`).MatchString(body) {
			t.Errorf("the refused kind is not explained beside its field: %s", formRe.FindString(body))
		}
		if !strings.Contains(body, `value="doanh nghiep"`) {
			t.Error("the search words are not kept")
		}
	})
}
