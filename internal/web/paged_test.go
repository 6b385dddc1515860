package web_test

import (
	"net/http/httptest"
	"testing"

	"github.com/govdx/govdx/internal/identity"
	"github.com/govdx/govdx/internal/platform"
	"github.com/govdx/govdx/internal/web"
)

// TestRequireLoginPaged: the login comes before a bad ?cursor=; a caller
// gets the page asked for.
func TestRequireLoginPaged(t *testing.T) {
	anon := httptest.NewRequest("GET", "/x?cursor=!", nil)
	if _, _, err := web.RequireLoginPaged(anon); platform.AsError(err).Code != "login_required" {
		t.Fatalf("anonymous with a bad cursor: %v, want login_required", err)
	}
	caller := &identity.Principal{UserID: 7}
	bad := httptest.NewRequest("GET", "/x?cursor=!", nil)
	bad = bad.WithContext(identity.WithPrincipal(bad.Context(), caller))
	if _, _, err := web.RequireLoginPaged(bad); platform.AsError(err).Code != "invalid_cursor" {
		t.Fatalf("caller with a bad cursor: %v, want invalid_cursor", err)
	}
	ok := httptest.NewRequest("GET", "/x", nil)
	ok = ok.WithContext(identity.WithPrincipal(ok.Context(), caller))
	if p, page, err := web.RequireLoginPaged(ok); err != nil || p != caller || page.Limit != 50 {
		t.Fatalf("caller: %v, %+v, %v", p, page, err)
	}
}
