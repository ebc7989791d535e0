package check_test

import (
	"os/exec"
	"testing"
)

// TestAlertRulesFire runs the unit tests of the alert rules
// (deploy/prometheus/alerts_test.yml) with promtool: which series fire
// which alert, e.g. that a client's broken frames (internal, rpc_fault
// "client") do not page while the server's faults do. promtool comes with
// Prometheus (apt-get install prometheus); without it the test is skipped.
func TestAlertRulesFire(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (apt-get install prometheus)")
	}
	cmd := exec.CommandContext(t.Context(), promtool, "test", "rules", "alerts_test.yml")
	cmd.Dir = "../prometheus"
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool test rules alerts_test.yml: %v\n%s", err, out)
	}
}
