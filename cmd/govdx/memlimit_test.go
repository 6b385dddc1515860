package main

import "testing"

func TestParseMemoryLimit(t *testing.T) {
	tests := []struct {
		in      string
		want    memoryLimit
		wantErr bool
	}{
		{"", memoryLimit{auto: true}, false},
		{"auto", memoryLimit{auto: true}, false},
		{"AUTO", memoryLimit{auto: true}, false},
		{"off", memoryLimit{}, false},
		{"0", memoryLimit{}, false},
		{"256MiB", memoryLimit{bytes: 256 << 20}, false},
		{"1GiB", memoryLimit{bytes: 1 << 30}, false},
		{"300MB", memoryLimit{bytes: 300e6}, false},
		{"1048576", memoryLimit{bytes: 1 << 20}, false},
		{"12 MiB", memoryLimit{bytes: 12 << 20}, false},
		{"-5MiB", memoryLimit{}, true},
		{"lots", memoryLimit{}, true},
		{"1.5GiB", memoryLimit{}, true},
		{"99999999999GiB", memoryLimit{}, true},
	}
	for _, tt := range tests {
		got, err := parseMemoryLimit(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseMemoryLimit(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestAutoLimitFollowsTheLiveHeap(t *testing.T) {
	tests := []struct {
		live uint64
		want int64
	}{
		{0, autoMemoryFloor},
		{26 << 20, autoMemoryFloor}, // 10,000 accounts: the floor
		{100 << 20, 300 << 20},      // a larger configuration: GOGC=200's goal
		{1 << 62, (1<<63 - 1) / 3 * 3},
	}
	for _, tt := range tests {
		if got := autoLimitFor(tt.live); got != tt.want {
			t.Errorf("autoLimitFor(%d) = %d, want %d", tt.live, got, tt.want)
		}
	}
}
