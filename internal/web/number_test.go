package web

import (
	"math"
	"testing"
)

func TestNumFollowsTheLanguage(t *testing.T) {
	vi, en := &View{Lang: "vi"}, &View{Lang: "en"}
	for _, tt := range []struct {
		in     any
		vi, en string
	}{
		{1435, "1.435", "1,435"},
		{int64(1234567), "1.234.567", "1,234,567"},
		{999, "999", "999"},
		{0, "0", "0"},
		{-12500, "-12.500", "-12,500"},
		{46.76, "46,76", "46.76"},
		{2.33, "2,33", "2.33"},
		{16.7, "16,7", "16.7"},
		{25.0, "25", "25"},
		{12345.5, "12.345,5", "12,345.5"},
		{math.NaN(), "–", "–"},
		{"text", "text", "text"},
		{"2.50", "2,50", "2.50"},
		{"12345", "12.345", "12,345"},
		{"1.2.3", "1.2.3", "1.2.3"},
		{"-", "-", "-"},
	} {
		if got := vi.Num(tt.in); got != tt.vi {
			t.Errorf("vi Num(%v) = %q, want %q", tt.in, got, tt.vi)
		}
		if got := en.Num(tt.in); got != tt.en {
			t.Errorf("en Num(%v) = %q, want %q", tt.in, got, tt.en)
		}
	}
}
