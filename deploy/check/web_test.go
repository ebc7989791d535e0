package check_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
)

// TestWebDeployable: the web app runs in Kubernetes and compose as
// written: its probes and healthcheck call /healthz, a route that imports
// nothing (so it cannot call the API); its server reaches the API at the
// backend; the Stripe publishable key is configuration (a ConfigMap,
// required in prod; compose's env); compose builds its image.
func TestWebDeployable(t *testing.T) {
	route, err := os.ReadFile(filepath.Join("..", "..", "web", "app", "healthz", "route.ts"))
	if err != nil {
		t.Fatalf("web/app/healthz/route.ts: %v", err)
	}
	if regexp.MustCompile(`(?m)^\s*import\b|\bfetch\(|require\(`).Match(route) {
		t.Error("web/app/healthz/route.ts imports or fetches: /healthz must not depend on the API")
	}
	if !regexp.MustCompile(`export (async )?function GET\b`).Match(route) {
		t.Error("web/app/healthz/route.ts exports no GET")
	}
	for _, o := range overlays {
		t.Run(o.name, func(t *testing.T) {
			m := build(t, o.name)
			c := m.Deployment("web").Spec.Template.Spec.Containers[0]
			for probe, p := range map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
				if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
					t.Errorf("web: %s probe %+v, want GET /healthz", probe, p)
				}
			}
			if want := fmt.Sprintf("http://backend:%d", servicePort(m, "backend", "http")); envValue(c, "HARNESS_API_URL") != want {
				t.Errorf("web: HARNESS_API_URL %q, want %q (the backend Service)", envValue(c, "HARNESS_API_URL"), want)
			}
			i := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "HARNESS_STRIPE_PUBLISHABLE_KEY" })
			if i < 0 || c.Env[i].ValueFrom == nil || c.Env[i].ValueFrom.ConfigMapKeyRef == nil {
				t.Fatal("web: HARNESS_STRIPE_PUBLISHABLE_KEY is not read from a ConfigMap")
			}
			optional := c.Env[i].ValueFrom.ConfigMapKeyRef.Optional
			if required := o.name == "prod"; required == (optional != nil && *optional) {
				t.Errorf("web: the publishable key's ConfigMap optional=%v in %s", *optional, o.name)
			}
		})
	}
	t.Run("compose", func(t *testing.T) {
		p := loadCompose(t, nil)
		web := p.Services["web"]
		if web.Build == nil || web.Build.Dockerfile != "web/Dockerfile" {
			t.Errorf("compose web: build %+v, want web/Dockerfile", web.Build)
		}
		if got := value(web.Environment["HARNESS_API_URL"]); got != "http://backend:4000" {
			t.Errorf("compose web: HARNESS_API_URL %q, want http://backend:4000", got)
		}
		if _, ok := web.Environment["HARNESS_STRIPE_PUBLISHABLE_KEY"]; !ok {
			t.Error("compose web: no HARNESS_STRIPE_PUBLISHABLE_KEY")
		}
		if hc := web.HealthCheck; hc == nil || !strings.Contains(strings.Join(hc.Test, " "), "localhost:3000/healthz") {
			t.Errorf("compose web: healthcheck %v, want one on /healthz", hc)
		}
	})
}

// TestComposeOnLinux: every compose service restarts on failure; the key
// secrets are mounted for uid 65532; and deploy/compose-keys.sh writes a
// pair the containers' user 65532 can read through a bind mount, whoever
// runs it.
func TestComposeOnLinux(t *testing.T) {
	p := loadCompose(t, nil)
	for name, s := range p.Services {
		if s.Restart != types.RestartPolicyUnlessStopped && s.Restart != types.RestartPolicyAlways && !strings.HasPrefix(s.Restart, "on-failure") {
			t.Errorf("%s: restart %q, want unless-stopped", name, s.Restart)
		}
		for _, sec := range s.Secrets {
			if sec.UID != "65532" || sec.GID != "65532" || sec.Mode == nil || *sec.Mode&0o440 != 0o440 {
				t.Errorf("%s: secret %s uid %q gid %q mode %v, want 65532, 65532, readable by both", name, sec.Source, sec.UID, sec.GID, sec.Mode)
			}
		}
	}
	dir := filepath.Join(t.TempDir(), "keys")
	cmd := exec.CommandContext(t.Context(), filepath.Join("..", "compose-keys.sh"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("compose-keys.sh: %v\n%s", err, out)
	}
	for _, name := range []string{"private.pem", "public.pem"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		mode := fi.Mode().Perm()
		readable := st.Uid == 65532 && mode&0o400 != 0 || st.Gid == 65532 && mode&0o040 != 0 || mode&0o004 != 0
		if !readable {
			t.Errorf("%s: mode %v owner %d:%d: uid 65532 cannot read it", name, mode, st.Uid, st.Gid)
		}
		if mode&0o022 != 0 {
			t.Errorf("%s: mode %v: writable by others", name, mode)
		}
	}
	dirInfo, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if dirInfo.Mode().Perm()&0o005 != 0o005 {
		t.Errorf("%s: mode %v: uid 65532 cannot reach the keys", dir, dirInfo.Mode().Perm())
	}
}
