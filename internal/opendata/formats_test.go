package opendata

import (
	"testing"

	"github.com/govdx/govdx/internal/web/webtest"
)

// TestMessageFormatsTranslated: every message this package can show on a
// page has a Vietnamese translation, with the values it embeds.
func TestMessageFormatsTranslated(t *testing.T) {
	webtest.CheckFormats(t, messages, ".")
}
