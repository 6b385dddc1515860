package dbi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
	"github.com/govdx/govdx/internal/web/webtest"
)

// TestMessageFormatsTranslated: every message this package can show on a
// page has a Vietnamese translation, with the values it embeds.
func TestMessageFormatsTranslated(t *testing.T) {
	webtest.CheckFormats(t, messages, ".")
}

// TestLabelsInMessagesTranslated: the state and column labels that error
// messages embed read in Vietnamese too.
func TestLabelsInMessagesTranslated(t *testing.T) {
	site, err := web.New()
	if err != nil {
		t.Fatal(err)
	}
	site.AddFeatureMessages("dbi", messages)
	site.AddFeatureMessages("dbi", labelMessages())
	r := httptest.NewRequest("GET", "/dbi", nil)
	v := site.NewView(httptest.NewRecorder(), r, nil)
	msg := platform.AsError(errTransition(StateCertified, ActSubmit)).Message
	if got, want := v.T(msg), `"submit"`; !strings.Contains(got, want) || !strings.Contains(got, "Đã chứng nhận") || strings.Contains(got, "Certified") {
		t.Errorf("T(%q) = %q", msg, got)
	}
}
