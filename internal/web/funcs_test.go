package web

import (
	"testing"
	"time"

	"github.com/govdx/govdx/internal/workday"
)

func TestDateShowsVietnameseOrder(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	date := s.funcs()["date"].(func(any) string)
	d, err := workday.ParseDate("2026-12-08")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		in   any
		want string
	}{
		{time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC), "28/11/2026"}, // 03:00 next day in Vietnam
		{"2026-11-28", "28/11/2026"},
		{"2025-12", "12/2025"},
		{d, "08/12/2026"},
		{"", ""},
		{"not a date", "not a date"},
		{time.Time{}, ""},
	} {
		if got := date(tt.in); got != tt.want {
			t.Errorf("date(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
