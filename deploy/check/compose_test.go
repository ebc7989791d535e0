package check_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/harnesshero/platform/deploy/check"
)

// loadCompose loads deploy/compose.yaml with the compose-spec loader
// (what `docker compose` runs), interpolating env and nothing from the
// machine's environment.
func loadCompose(t *testing.T, env []string) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{filepath.Join("..", "compose.yaml")},
		cli.WithEnv(env), cli.WithConsistency(true), cli.WithResolvedPaths(true))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(t.Context())
	if err != nil {
		t.Fatalf("compose: %v", err)
	}
	return p
}

func TestComposeTopology(t *testing.T) {
	p := loadCompose(t, nil)
	want := map[string]struct {
		image     string
		published []string
		replicas  int
	}{
		"postgres":        {"postgres:15", nil, 1},
		"redis":           {"redis:7", nil, 1},
		"backend":         {harnessImage + ":dev", []string{"4000"}, 1},
		"builder-service": {harnessImage + ":dev", nil, 2},
		"web":             {webImage + ":dev", []string{"3000"}, 1},
	}
	if got := slices.Sorted(maps.Keys(p.Services)); !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
		t.Fatalf("services %v, want %v", got, slices.Sorted(maps.Keys(want)))
	}
	for name, w := range want {
		s := p.Services[name]
		if s.Image != w.image || s.GetScale() != w.replicas {
			t.Errorf("%s: image %s ×%d, want %s ×%d", name, s.Image, s.GetScale(), w.image, w.replicas)
		}
		var published []string
		for _, port := range s.Ports {
			published = append(published, port.Published)
			if port.Published != "" && port.Published != strconv.Itoa(int(port.Target)) {
				t.Errorf("%s: publishes %d on %s, want the same port", name, port.Target, port.Published)
			}
		}
		if !slices.Equal(published, w.published) {
			t.Errorf("%s: publishes %v, want %v", name, published, w.published)
		}
		for dep, d := range s.DependsOn {
			if hc := p.Services[dep].HealthCheck; hc != nil && !hc.Disable && d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s waits for %s %s, want %s (it has a healthcheck)", name, dep, d.Condition, types.ServiceConditionHealthy)
			}
		}
	}
	// The distroless harness image checks its own readiness.
	for name, port := range map[string]string{"backend": "4000", "builder-service": "4002"} {
		want := []string{"CMD", "/harness", "healthcheck", "http://localhost:" + port + "/readyz"}
		if hc := p.Services[name].HealthCheck; hc == nil || !slices.Equal(hc.Test, want) {
			t.Errorf("%s: healthcheck %v, want %v", name, hc, want)
		}
	}
	for _, name := range []string{"postgres", "redis"} {
		if hc := p.Services[name].HealthCheck; hc == nil || len(hc.Test) == 0 {
			t.Errorf("%s: no healthcheck", name)
		}
		for _, user := range []string{"backend", "builder-service"} {
			if d, ok := p.Services[user].DependsOn[name]; !ok || d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s does not wait for %s to be healthy", user, name)
			}
		}
	}
}

// TestComposeMatchesK8s: the harness services of compose.yaml run the same
// roles on the same ports with the same env names and key files as the
// Kubernetes Deployments, and every env name is one the harness command
// reads.
func TestComposeMatchesK8s(t *testing.T) {
	env, err := check.ServerEnv(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	keys := t.TempDir()
	writeKeyPair(t, keys, "private.pem", "public.pem")
	p := loadCompose(t, []string{
		"ACCESS_TOKEN_PRIVATE_KEY=" + filepath.Join(keys, "private.pem"),
		"ACCESS_TOKEN_PUBLIC_KEY=" + filepath.Join(keys, "public.pem"),
	})
	m := build(t, "dev")
	for _, name := range []string{"backend", "builder-service"} {
		s := p.Services[name]
		c := m.Deployment(name).Spec.Template.Spec.Containers[0]
		if !slices.Equal(s.Command, c.Args) {
			t.Errorf("%s: compose command %q, k8s args %q", name, s.Command, c.Args)
		}
		composeEnv, k8sEnv := slices.Sorted(maps.Keys(s.Environment)), envNames(c)
		if !slices.Equal(composeEnv, k8sEnv) {
			t.Errorf("%s: compose env %v, k8s env %v", name, composeEnv, k8sEnv)
		}
		for _, e := range composeEnv {
			if !env.Reads(e) {
				t.Errorf("%s: env %s is not read by the harness command", name, e)
			}
		}
		for _, e := range []string{"PORT", "BUILDER_SERVICE_URL", "HARNESS_ADMIN_ADDR", "HARNESS_DATA_DIR", "HARNESS_DRAIN_GRACE", "HARNESS_SHUTDOWN_TIMEOUT"} {
			if got, want := value(s.Environment[e]), envValue(c, e); got != want {
				t.Errorf("%s: %s is %q in compose, %q in k8s", name, e, got, want)
			}
		}
		var ports, composePorts []string
		for _, cp := range c.Ports {
			ports = append(ports, strconv.Itoa(int(cp.ContainerPort)))
		}
		for _, port := range s.Ports {
			composePorts = append(composePorts, strconv.Itoa(int(port.Target)))
		}
		composePorts = append(composePorts, s.Expose...)
		slices.Sort(ports)
		slices.Sort(composePorts)
		if !slices.Equal(slices.Compact(composePorts), ports) {
			t.Errorf("%s: compose ports %v, k8s container ports %v", name, composePorts, ports)
		}
		checkComposeKeys(t, p, name, c)
	}
}

// TestComposeKeys: by default the key secrets are the pair
// deploy/compose-keys.sh writes under var/compose-keys;
// ACCESS_TOKEN_PRIVATE_KEY and ACCESS_TOKEN_PUBLIC_KEY replace them.
func TestComposeKeys(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "var", "compose-keys"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name            string
		env             []string
		private, public string
	}{
		{"default", nil, filepath.Join(dir, "private.pem"), filepath.Join(dir, "public.pem")},
		{"env", []string{"ACCESS_TOKEN_PRIVATE_KEY=/keys/a.pem", "ACCESS_TOKEN_PUBLIC_KEY=/keys/b.pem"}, "/keys/a.pem", "/keys/b.pem"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := loadCompose(t, tt.env)
			if got := p.Secrets["access_token_private_key"].File; got != tt.private {
				t.Errorf("access_token_private_key: %s, want %s", got, tt.private)
			}
			if got := p.Secrets["access_token_public_key"].File; got != tt.public {
				t.Errorf("access_token_public_key: %s, want %s", got, tt.public)
			}
		})
	}
}

// checkComposeKeys asserts that each *_KEY_FILE of the service names the
// compose secret it mounts, and that builder-service never mounts a
// private key.
func checkComposeKeys(t *testing.T, p *types.Project, name string, c corev1.Container) {
	t.Helper()
	s := p.Services[name]
	var mounted []string
	for _, sec := range s.Secrets {
		target := sec.Target
		if target == "" {
			target = sec.Source
		}
		if !filepath.IsAbs(target) {
			target = "/run/secrets/" + target
		}
		mounted = append(mounted, target)
		data, err := os.ReadFile(p.Secrets[sec.Source].File)
		if err != nil {
			t.Fatalf("%s: secret %s: %v", name, sec.Source, err)
		}
		if name == "builder-service" && strings.Contains(string(data), "PRIVATE KEY") {
			t.Errorf("builder-service mounts secret %s, a private key", sec.Source)
		}
	}
	var files []string
	for k, v := range s.Environment {
		if strings.HasSuffix(k, "_KEY_FILE") {
			files = append(files, value(v))
			if envValue(c, k) == "" {
				t.Errorf("%s: %s set in compose, not in k8s", name, k)
			}
		}
	}
	slices.Sort(files)
	slices.Sort(mounted)
	if len(files) == 0 || !slices.Equal(files, mounted) {
		t.Errorf("%s: key files %v, mounted secrets %v", name, files, mounted)
	}
}

func envNames(c corev1.Container) []string {
	var names []string
	for _, e := range c.Env {
		names = append(names, e.Name)
	}
	slices.Sort(names)
	return names
}

func value(v *string) string {
	if v == nil {
		return ""
	}
	return *v
}
