package web_test

import (
	"testing"

	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/web/webtest"
)

// TestMessageFormatsTranslated: the platform's own messages (shown on any
// page) and the shell's have Vietnamese translations.
func TestMessageFormatsTranslated(t *testing.T) {
	webtest.CheckFormats(t, web.CoreMessages, ".", "../platform")
}
