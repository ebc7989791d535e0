package check_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// workflow is what the tests read of a GitHub Actions workflow.
type workflow struct {
	On map[string]struct{ Paths []string } `json:"on"`
	// OnYAML11 is On as a YAML 1.1 parser reads the key on: true.
	OnYAML11 map[string]struct{ Paths []string } `json:"true"`
	Jobs     map[string]struct {
		Needs    any               `json:"needs"`
		Services map[string]any    `json:"services"`
		Env      map[string]string `json:"env"`
		Steps    []struct {
			Uses string            `json:"uses"`
			Run  string            `json:"run"`
			With map[string]string `json:"with"`
		} `json:"steps"`
	} `json:"jobs"`
}

func readWorkflow(t *testing.T, name string) workflow {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", name))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(raw, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if w.On == nil {
		w.On = w.OnYAML11
	}
	return w
}

// filterMatch reports whether GitHub's paths filter patterns include
// file: the last pattern that matches decides, a "!" one excluding.
func filterMatch(patterns []string, file string) bool {
	in := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(p); i++ {
			switch {
			case strings.HasPrefix(p[i:], "**/"):
				re.WriteString("(.*/)?")
				i += 2
			case strings.HasPrefix(p[i:], "**"):
				re.WriteString(".*")
				i++
			case p[i] == '*':
				re.WriteString("[^/]*")
			case p[i] == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(p[i : i+1]))
			}
		}
		re.WriteString("$")
		if regexp.MustCompile(re.String()).MatchString(file) {
			in = !neg
		}
	}
	return in
}

func TestFilterMatch(t *testing.T) {
	for _, tt := range []struct {
		patterns []string
		file     string
		want     bool
	}{
		{[]string{"**"}, "deploy/k8s/base/web.yaml", true},
		{[]string{"**", "!docs/**"}, "docs/x.md", false},
		{[]string{"**", "!docs/**", "docs/sizing.md"}, "docs/sizing.md", true},
		{[]string{"web/*"}, "web/app/page.tsx", false},
		{[]string{"**.go"}, "server/a.go", true},
	} {
		if got := filterMatch(tt.patterns, tt.file); got != tt.want {
			t.Errorf("filterMatch(%q, %s) = %v, want %v", tt.patterns, tt.file, got, tt.want)
		}
	}
}

// TestWorkflowPathFilters: every file of the repository a build, a test or
// a deploy reads (every tracked file but the prose under docs/, and the
// docs a test reads) starts the platform pipeline, on pushes and pull
// requests alike.
func TestWorkflowPathFilters(t *testing.T) {
	w := readWorkflow(t, "platform.yml")
	cmd := exec.CommandContext(t.Context(), "git", "ls-files", "--cached", "--others", "--exclude-standard")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	files := strings.Fields(string(out))
	for _, event := range []string{"push", "pull_request"} {
		paths := w.On[event].Paths
		if len(paths) == 0 {
			t.Errorf("%s: no paths filter", event)
			continue
		}
		missed := 0
		for _, f := range files {
			needed := !strings.HasPrefix(f, "docs/") || f == "docs/sizing.md"
			if needed && !filterMatch(paths, f) {
				missed++
				if missed <= 10 {
					t.Errorf("%s: a change to %s runs no pipeline", event, f)
				}
			}
		}
	}
}

// TestWorkflowIsMake: the pipeline's test job is a thin shell over the
// make targets .ci/run runs (make lint, make test), with the history
// TestVersionSkew needs and Postgres and Redis as services; the deploys
// apply the dev and prod overlays whole through deploy/k8s/deploy.sh with
// both images at the tag the image job pushes.
func TestWorkflowIsMake(t *testing.T) {
	ci, err := os.ReadFile(filepath.Join("..", "..", ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	w := readWorkflow(t, "platform.yml")
	test := w.Jobs["test"]
	var runs []string
	fetchAll := false
	for _, s := range test.Steps {
		if s.Run != "" {
			runs = append(runs, strings.TrimSpace(s.Run))
		}
		if strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["fetch-depth"] == "0" {
			fetchAll = true
		}
	}
	for _, target := range []string{"make test", "make lint", "make check-generated"} {
		if !regexp.MustCompile(`(?m)^` + target + `$`).Match(ci) {
			t.Errorf(".ci/run does not run %q", target)
		}
		if !slices.Contains(runs, target) {
			t.Errorf("the test job does not run %q (runs %q)", target, runs)
		}
	}
	if !fetchAll {
		t.Error("the test job checks out without fetch-depth: 0 (TestVersionSkew needs the history)")
	}
	for _, svc := range []string{"postgres", "redis"} {
		if test.Services[svc] == nil {
			t.Errorf("the test job has no %s service", svc)
		}
	}
	for _, e := range []string{"CI", "HARNESS_TEST_POSTGRES_URL", "HARNESS_TEST_REDIS_URL"} {
		if test.Env[e] == "" {
			t.Errorf("the test job does not set %s", e)
		}
	}
	for job, overlay := range map[string]string{"deploy-dev": "deploy/k8s/overlays/dev", "deploy-prod": "deploy/k8s/overlays/prod"} {
		var with map[string]string
		for _, s := range w.Jobs[job].Steps {
			if s.Uses == "./.github/actions/kustomize-deploy" {
				with = s.With
			}
		}
		if with == nil || with["overlay"] != overlay {
			t.Errorf("%s does not deploy %s with the kustomize-deploy action", job, overlay)
			continue
		}
		for _, image := range []string{harnessImage, webImage} {
			if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(image) + `=.+:sha-\$\{\{ github\.sha \}\}$`).MatchString(with["images"]) {
				t.Errorf("%s: images %q do not set %s to the pushed sha-<commit> tag", job, with["images"], image)
			}
		}
	}
	image := w.Jobs["image"]
	pushed := false
	for _, s := range image.Steps {
		if strings.Contains(s.Run, ":sha-${GITHUB_SHA}") {
			pushed = true
		}
	}
	if !pushed {
		t.Error("the image job does not tag sha-<commit>, the tag the deploys name")
	}
	action, err := os.ReadFile(filepath.Join("..", "..", ".github", "actions", "kustomize-deploy", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(action), "deploy/k8s/deploy.sh \"$OVERLAY\"") {
		t.Error("the kustomize-deploy action does not run deploy/k8s/deploy.sh")
	}
}
