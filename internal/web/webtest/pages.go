package webtest

import (
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"testing"

	"github.com/govdx/govdx/internal/web"
)

// PageText is one English text a template translates with {{.T "..."}}.
type PageText struct {
	File string
	Text string
}

var pageT = regexp.MustCompile(`\.T ("(?:[^"\\]|\\.)*")`)

// PageTexts lists the texts the templates below "templates" in fsys (a
// feature's embedded templates) translate, in file order.
func PageTexts(t *testing.T, fsys fs.FS) []PageText {
	t.Helper()
	var out []PageText
	err := fs.WalkDir(fsys, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		for _, m := range pageT.FindAllStringSubmatch(string(b), -1) {
			s, err := strconv.Unquote(m[1])
			if err != nil {
				return fmt.Errorf("%s: %s: %w", p, m[1], err)
			}
			out = append(out, PageText{File: p, Text: s})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// CheckPageTexts fails t for each text the templates of fsys translate
// that has no Vietnamese in messages and is not one of shell, the texts
// the web shell translates itself.
func CheckPageTexts(t *testing.T, fsys fs.FS, messages map[string]string, shell ...string) {
	t.Helper()
	own := map[string]bool{}
	for _, s := range shell {
		own[s] = true
	}
	for _, pt := range PageTexts(t, fsys) {
		if _, core := web.CoreTranslation(pt.Text); messages[pt.Text] == "" && !own[pt.Text] && !core {
			t.Errorf("%s: no Vietnamese for %q", pt.File, pt.Text)
		}
	}
}
