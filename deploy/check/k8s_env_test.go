package check_test

import (
	"path/filepath"
	"testing"

	"github.com/harnesshero/platform/deploy/check"
)

func TestServerEnv(t *testing.T) {
	env, err := check.ServerEnv(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		reads bool
	}{
		{"DATABASE_URL", true}, {"REDIS_URL", true}, {"PORT", true}, {"BUILDER_SERVICE_URL", true},
		{"HARNESS_DRAIN_GRACE", true}, {"HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE", true},
		{"OTEL_TRACES_EXPORTER", true}, {"STRIPE_WEBHOOK_SECRET", true},
		{"HARNESS_DRAIN", false}, {"DATABASE", false}, {"ORDERS_SERVICE_URL", false},
	} {
		if got := env.Reads(tt.name); got != tt.reads {
			t.Errorf("Reads(%s) = %v, want %v", tt.name, got, tt.reads)
		}
	}
}
