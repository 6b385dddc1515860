package webtest

import (
	"os"
	"os/exec"
	"testing"
)

// Chromium returns the path of the Chromium binary browser tests drive.
// Without one the test is skipped, unless GOVDX_REQUIRE_BROWSER=1 (set by
// CI), where it fails.
func Chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if found, err := exec.LookPath(p); err == nil {
			return found
		}
	}
	if os.Getenv("GOVDX_REQUIRE_BROWSER") == "1" {
		t.Fatal("no Chromium found and GOVDX_REQUIRE_BROWSER=1")
	}
	t.Skip("no Chromium found")
	return ""
}
