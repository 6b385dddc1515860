package webtest

import (
	"slices"
	"testing"
	"testing/fstest"
)

func TestPageTextsUnquotesEveryT(t *testing.T) {
	fsys := fstest.MapFS{
		"templates/a.html":     {Data: []byte(`<h1>{{.T "Title"}}</h1><p>{{.T "Say \"hi\""}} {{.Other "x"}}</p>`)},
		"templates/sub/b.html": {Data: []byte(`{{.T "Next page"}}`)},
		"other/c.html":         {Data: []byte(`{{.T "Outside"}}`)},
	}
	var got []string
	for _, pt := range PageTexts(t, fsys) {
		got = append(got, pt.File+": "+pt.Text)
	}
	want := []string{`templates/a.html: Title`, `templates/a.html: Say "hi"`, `templates/sub/b.html: Next page`}
	if !slices.Equal(got, want) {
		t.Fatalf("PageTexts = %q, want %q", got, want)
	}
}
