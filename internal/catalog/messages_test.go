package catalog

import (
	"testing"

	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/web/webtest"
)

// TestEveryTextIsTranslated checks that each English text the templates
// translate has a Vietnamese message (here or in the web shell's core set).
func TestEveryTextIsTranslated(t *testing.T) {
	webtest.CheckPageTexts(t, templatesFS, messages, "Search", "Save", "Cancel", "Name", "Code", "Kind",
		"Status", "Actions", "Next page", "Organisation")
	for _, n := range transitionNotices {
		if _, ok := messages[n]; !ok {
			t.Errorf("no Vietnamese for notice %q", n)
		}
	}
	// What versions record and the fields they change are named on the
	// history pages through {{.T}} with values from Go.
	for _, m := range []map[string]string{versionActions, changeLabels} {
		for _, en := range m {
			_, own := messages[en]
			_, core := web.CoreTranslation(en)
			if !own && !core {
				t.Errorf("no Vietnamese for %q", en)
			}
		}
	}
}
