package server_test

import (
	"testing"

	"github.com/harnesshero/platform/server"
)

// TestParseBytes reads sizes as GOMEMLIMIT spells them and refuses others.
func TestParseBytes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "0", want: 0},
		{in: "1048576", want: 1 << 20},
		{in: "512B", want: 512},
		{in: "64KiB", want: 64 << 10},
		{in: "460MiB", want: 460 << 20},
		{in: " 2GiB ", want: 2 << 30},
		{in: "1TiB", want: 1 << 40},
		{in: "", bad: true},
		{in: "1.5GiB", bad: true},
		{in: "-1MiB", bad: true},
		{in: "12MB", bad: true},
		{in: "9999999999TiB", bad: true},
	} {
		got, err := server.ParseBytes(tc.in)
		switch {
		case tc.bad && err == nil:
			t.Errorf("ParseBytes(%q) = %d, want an error", tc.in, got)
		case !tc.bad && (err != nil || got != tc.want):
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		case !tc.bad && tc.want > 0:
			if back, err := server.ParseBytes(server.FormatBytes(got)); err != nil || back != got {
				t.Errorf("FormatBytes(%d) = %q does not read back", got, server.FormatBytes(got))
			}
		}
	}
}
