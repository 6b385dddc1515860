package syncshare

import (
	"io/fs"
	"regexp"
	"testing"
)

// TestEveryTextIsTranslated checks that each English text the templates
// translate, and each notice, has a Vietnamese message.
func TestEveryTextIsTranslated(t *testing.T) {
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
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("%s: no Vietnamese for %q", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notices {
		if _, ok := messages[n]; !ok {
			t.Errorf("no Vietnamese for notice %q", n)
		}
	}
	for _, s := range []string{CopyNever, CopyValid, CopyExpired, "records", "snapshot", "active", "revoked", "terminated"} {
		if s == CopyNever {
			s = "never synchronised"
		}
		if _, ok := messages[s]; !ok {
			t.Errorf("no Vietnamese for state %q", s)
		}
	}
}
