package directory

import (
	"net/http"

	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

// Register adds the directory's pages and API operations.
func Register(mux *http.ServeMux, site *web.Site, api *platform.API, store *Store) error {
	return nil
}
