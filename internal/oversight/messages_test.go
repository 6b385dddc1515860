package oversight

import (
	"testing"

	"github.com/govdx/govdx/internal/web/webtest"
)

// TestMessagesTranslated: every English text a page shows has a Vietnamese
// translation (the interface is Vietnamese first).
func TestMessagesTranslated(t *testing.T) {
	webtest.CheckPageTexts(t, templatesFS, messages, "Search", "Status", "Actions", "All", "Cancel", "Organisation", "Next page")
	var labels []string
	for _, st := range AgreementStates {
		labels = append(labels, st.Label())
	}
	for _, k := range SuspensionKinds {
		labels = append(labels, k.Label())
	}
	for _, k := range ListKinds {
		labels = append(labels, k.Label())
	}
	for _, a := range Authorities {
		labels = append(labels, AuthorityLabel(a))
	}
	for _, k := range []string{"obstacle_answer", "agreement_expiry", "quality_report", "list_review", "suspension_start",
		"connection_request", "open_data_review", "open_data_update"} {
		labels = append(labels, CalendarEntry{Kind: k}.KindLabel())
	}
	for _, st := range []VersionState{VersionDraft, VersionConfirmed, VersionSuperseded, VersionWithdrawn} {
		labels = append(labels, st.Label())
	}
	for _, s := range []string{SuspensionScheduled, SuspensionActive, SuspensionRestored, SuspensionCancelled} {
		labels = append(labels, Suspension{Status: s}.StatusLabel())
	}
	for _, l := range labels {
		if _, ok := messages[l]; !ok {
			t.Errorf("no translation for label %q", l)
		}
	}
}
