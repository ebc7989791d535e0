package racetest_test

import (
	"runtime/debug"
	"testing"

	"github.com/harnesshero/platform/internal/racetest"
)

// TestEnabledMatchesTheBuild: Enabled is true exactly in a -race build,
// as the binary's build settings record it.
func TestEnabledMatchesTheBuild(t *testing.T) {
	t.Parallel()
	info, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information in the test binary")
	}
	race := false
	for _, s := range info.Settings {
		if s.Key == "-race" {
			race = s.Value == "true"
		}
	}
	if racetest.Enabled != race {
		t.Errorf("Enabled = %v, but the build settings say -race=%v (%v)", racetest.Enabled, race, info.Settings)
	}
}
