package workday

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"2025-06-10", "2025-06-10", false},
		{"2024-02-29", "2024-02-29", false},
		{"2025-02-29", "", true},
		{"2025-13-01", "", true},
		{"10/06/2025", "", true},
		{"2025-6-10", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err != nil) != tt.wantErr || (err == nil && got.String() != tt.want) {
			t.Errorf("ParseDate(%q) = %s, %v; want %s, err=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		name string
		got  Date
		want string
	}{
		{"AddDays across month", d("2025-01-30").AddDays(3), "2025-02-02"},
		{"AddDays negative", d("2025-03-01").AddDays(-1), "2025-02-28"},
		{"AddMonths", d("2025-06-10").AddMonths(6), "2025-12-10"},
		{"AddMonths across year", d("2025-08-19").AddMonths(6), "2026-02-19"},
		{"AddMonths clamps (art. 148.3)", d("2025-08-31").AddMonths(6), "2026-02-28"},
		{"AddMonths clamps leap year", d("2023-08-31").AddMonths(6), "2024-02-29"},
		{"AddMonths negative", d("2025-03-31").AddMonths(-1), "2025-02-28"},
		{"NewDate normalises", NewDate(2025, time.January, 32), "2025-02-01"},
		{"DateOf late UTC evening is next day in Hanoi", DateOf(time.Date(2025, 6, 9, 17, 30, 0, 0, time.UTC)), "2025-06-10"},
		{"DateOf UTC afternoon", DateOf(time.Date(2025, 6, 9, 16, 59, 0, 0, time.UTC)), "2025-06-09"},
	}
	for _, tt := range tests {
		if tt.got.String() != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, tt.got, tt.want)
		}
	}
	if n := d("2026-01-01").Sub(d("2025-01-01")); n != 365 {
		t.Errorf("Sub = %d, want 365", n)
	}
	if !d("2025-01-01").Before(d("2025-01-02")) || d("2025-01-01").After(d("2025-01-02")) || d("2025-02-01").Compare(d("2025-01-31")) != 1 {
		t.Error("Before/After/Compare")
	}
	if got := d("2025-06-10").Time(); !got.Equal(time.Date(2025, 6, 9, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("Time() = %v, want midnight +07:00", got)
	}
	if (Date{}).String() != "0000-00-00" || !(Date{}).IsZero() || d("2025-06-10").IsZero() {
		t.Error("zero Date")
	}
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		From Date `json:"from"`
		To   Date `json:"to,omitzero"`
	}
	b, err := json.Marshal(doc{From: d("2025-08-19")})
	if err != nil || string(b) != `{"from":"2025-08-19"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var v doc
	if err := json.Unmarshal([]byte(`{"from":"2020-05-25","to":""}`), &v); err != nil || v.From != d("2020-05-25") || !v.To.IsZero() {
		t.Errorf("Unmarshal = %+v, %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"from":"2025-02-30"}`), &v); err == nil {
		t.Error("Unmarshal accepted 2025-02-30")
	}
}
