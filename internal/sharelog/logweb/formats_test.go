package logweb

import (
	"testing"

	"github.com/govdx/govdx/internal/web/webtest"
)

// TestMessageFormatsTranslated: every message this package can show on a
// page has a Vietnamese translation, with the values it embeds.
func TestMessageFormatsTranslated(t *testing.T) {
	webtest.CheckFormats(t, messages, ".", "..")
}

// Every refusal code's label, shown on the log pages and in the filter,
// has its Vietnamese.
func TestRefusalLabelsTranslated(t *testing.T) {
	for _, o := range refusalOptions() {
		if messages[o.Label] == "" {
			t.Errorf("refusal %s: label %q has no Vietnamese", o.Code, o.Label)
		}
	}
}
