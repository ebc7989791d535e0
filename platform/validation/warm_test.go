package validation_test

import (
	"testing"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/platform/validation"
)

// TestWarm: Warm reaches the request types of the services under the
// prefix (the builder's Quote among them), none outside it, and leaves the
// validator's verdicts as they were.
func TestWarm(t *testing.T) {
	t.Parallel()
	v, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	if n := validation.Warm(v, "harness.builder."); n < 5 {
		t.Errorf("Warm(harness.builder.) warmed %d request types, want the builder's (≥ 5)", n)
	}
	if n := validation.Warm(v, "no.such.package."); n != 0 {
		t.Errorf("Warm(no.such.package.) warmed %d request types, want 0", n)
	}
	if err := v.Validate(&builderv1.QuoteRequest{}); err == nil {
		t.Error("an empty QuoteRequest validates after Warm; want the design required")
	}
}
