package check_test

import (
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"sigs.k8s.io/yaml"
)

// requireTool returns the path of the program name. Without it the test
// is skipped on a developer's machine and fails under CI (CI set), where
// a missing tool must not pass as green.
func requireTool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed (%s); CI must run this test", name, install)
	}
	t.Skipf("%s is not installed (%s)", name, install)
	return ""
}

// TestAlertRulesFire runs the unit tests of the alert rules
// (deploy/prometheus/alerts_test.yml) with promtool: which series fire
// which alert, e.g. that a client's broken frames (internal, rpc_fault
// "client") do not page while the server's faults do, that the platform
// down pages, and that one Redis outage pages once. promtool comes with
// Prometheus (apt-get install prometheus).
func TestAlertRulesFire(t *testing.T) {
	promtool := requireTool(t, "promtool", "apt-get install prometheus")
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		cmd := exec.CommandContext(t.Context(), promtool, args...)
		cmd.Dir = "../prometheus"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %v: %v\n%s", args, err, out)
		}
	}
}

// ruleTests is what TestAlertRulesTested reads of a promtool test file.
type ruleTests struct {
	RuleFiles []string `json:"rule_files"`
	Tests     []struct {
		AlertRuleTest []struct {
			Alertname string `json:"alertname"`
			ExpAlerts []struct {
				ExpLabels map[string]string `json:"exp_labels"`
			} `json:"exp_alerts"`
		} `json:"alert_rule_test"`
	} `json:"tests"`
}

// TestAlertRulesTested: every rule of alerts.yml has a unit test in
// alerts_test.yml where it fires and one where it stays quiet, so a rule
// added without a test (or a test of a renamed rule) fails here.
func TestAlertRulesTested(t *testing.T) {
	groups, errs := rulefmt.ParseFile("../prometheus/alerts.yml", false, model.UTF8Validation, promql, slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		t.Fatalf("alerts.yml: %v", errs)
	}
	raw, err := os.ReadFile("../prometheus/alerts_test.yml")
	if err != nil {
		t.Fatal(err)
	}
	var tests ruleTests
	if err := yaml.Unmarshal(raw, &tests); err != nil {
		t.Fatalf("alerts_test.yml: %v", err)
	}
	if !slices.Contains(tests.RuleFiles, "alerts.yml") {
		t.Errorf("alerts_test.yml tests %v, want alerts.yml", tests.RuleFiles)
	}
	fires, quiet := map[string]int{}, map[string]int{}
	for _, tc := range tests.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname]++
			} else {
				quiet[a.Alertname]++
			}
		}
	}
	var names []string
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			names = append(names, r.Alert)
			if fires[r.Alert] == 0 {
				t.Errorf("alert %s: no test case where it fires", r.Alert)
			}
			if quiet[r.Alert] == 0 {
				t.Errorf("alert %s: no test case where it stays quiet", r.Alert)
			}
		}
	}
	for name := range fires {
		if !slices.Contains(names, name) {
			t.Errorf("alerts_test.yml tests %s, which alerts.yml does not define", name)
		}
	}
	for _, want := range []string{"HarnessPlatformDown", "HarnessServiceDown"} {
		if !slices.Contains(names, want) {
			t.Errorf("alerts.yml has no %s", want)
		}
	}
}
