package catalog

import (
	"testing"

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
}
