package app_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestNavigationReadsTheSameOnEveryPage: the main navigation names each item
// with its own feature's words, so it reads the same on every feature's
// pages (a page's translations once renamed "Catalog" or "Accounts" in it).
func TestNavigationReadsTheSameOnEveryPage(t *testing.T) {
	_, base, _ := runApp(t)
	admin := login(t, base, "admin")
	nav := regexp.MustCompile(`(?s)<ul class="wrap" id="mainnav-list">.*?</ul>`)
	current := regexp.MustCompile(` aria-current="page"`)
	var first, firstPath string
	for _, path := range []string{"/", "/orgs", "/catalog", "/requests", "/accounts", "/sync", "/agreements", "/statistics",
		"/logs", "/opendata", "/dbi", "/users", "/inbox", "/account"} {
		got := current.ReplaceAllString(nav.FindString(admin.page(path)), "")
		if got == "" {
			t.Fatalf("%s: no main navigation", path)
		}
		if first == "" {
			first, firstPath = got, path
			for _, want := range []string{">Danh mục dữ liệu<", ">Tài khoản kết nối<", ">Nhật ký chia sẻ dữ liệu<"} {
				if !strings.Contains(got, want) {
					t.Errorf("navigation lacks %s: %s", want, got)
				}
			}
			continue
		}
		if got != first {
			t.Errorf("navigation on %s differs from %s:\n%s\n%s", path, firstPath, got, first)
		}
	}
}
