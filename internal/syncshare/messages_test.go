package syncshare

import (
	"testing"

	"github.com/govdx/govdx/internal/web/webtest"
)

// TestEveryTextIsTranslated checks that each English text the templates
// translate, and each notice, has a Vietnamese message.
func TestEveryTextIsTranslated(t *testing.T) {
	webtest.CheckPageTexts(t, templatesFS, messages)
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
