package catalog

import (
	"io/fs"
	"regexp"
	"testing"
)

// TestEveryTextIsTranslated checks that each English text the templates
// translate has a Vietnamese message (here or in the web shell's core set).
func TestEveryTextIsTranslated(t *testing.T) {
	core := map[string]bool{"Search": true, "Save": true, "Cancel": true, "Name": true, "Code": true, "Kind": true,
		"Status": true, "Actions": true, "Next page": true, "Organisation": true}
	re := regexp.MustCompile(`\.T "([^"]+)"`)
	err := fs.WalkDir(templatesFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templatesFS, p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if _, ok := messages[m[1]]; !ok && !core[m[1]] {
				t.Errorf("%s: no Vietnamese for %q", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range transitionNotices {
		if _, ok := messages[n]; !ok {
			t.Errorf("no Vietnamese for notice %q", n)
		}
	}
}
