package webtest

import (
	"net/http"
	"testing"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

// Mount registers a feature's pages and API operations on a fresh mux,
// site and API under /api/v1, as the app wires them, and fails t when the
// registration does.
func Mount(t *testing.T, register func(*http.ServeMux, *web.Site, *platform.API) error) (*http.ServeMux, *platform.API) {
	t.Helper()
	site, err := web.New()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	api := platform.NewAPI(mux, "/api/v1", "test", "test")
	if err := register(mux, site, api); err != nil {
		t.Fatal(err)
	}
	return mux, api
}
