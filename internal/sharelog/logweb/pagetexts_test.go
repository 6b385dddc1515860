package logweb

import (
	"testing"

	"github.com/govdx/govdx/internal/web/webtest"
)

// TestEveryPageTextIsTranslated: each English text the templates translate
// with {{.T "..."}} has its Vietnamese, here or in the shell's.
func TestEveryPageTextIsTranslated(t *testing.T) {
	webtest.CheckPageTexts(t, templatesFS, messages)
}
