package oversight

import (
	"io/fs"
	"regexp"
	"testing"
)

// TestMessagesTranslated: every English text a page shows has a Vietnamese
// translation (the interface is Vietnamese first).
func TestMessagesTranslated(t *testing.T) {
	core := map[string]bool{"Search": true, "Status": true, "Actions": true, "All": true, "Cancel": true, "Organisation": true, "Next page": true}
	re := regexp.MustCompile(`\.T "((?:[^"\\]|\\.)*)"`)
	err := fs.WalkDir(templatesFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templatesFS, p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if _, ok := messages[m[1]]; !ok && !core[m[1]] {
				t.Errorf("%s: no translation for %q", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
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
