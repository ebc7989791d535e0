package check_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/harnesshero/platform/deploy/check"
	"github.com/harnesshero/platform/gen/harness/analytics/v1/analyticsv1connect"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/modules/webhook"
	"github.com/harnesshero/platform/server"
)

// overlays are the kustomize overlays and the image tag each must set.
var overlays = []struct{ name, tag string }{
	{"dev", "dev"},
	{"prod", "0000000"},
}

// Images of the platform: one for every role of harness, and the web app.
const (
	harnessImage = "harnesshero/harness"
	webImage     = "harnesshero/web"
)

func TestK8sDecodeStrict(t *testing.T) {
	for _, tt := range []struct {
		name, json string
		ok         bool
	}{
		{"known fields", `{"spec":{"template":{"spec":{"containers":[{"name":"a","readinessProbe":{}}]}}}}`, true},
		{"misspelt field", `{"spec":{"template":{"spec":{"containers":[{"name":"a","readinesProbe":{}}]}}}}`, false},
		{"field at the wrong level", `{"spec":{"containers":[]}}`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := check.DecodeStrict([]byte(tt.json), new(appsv1.Deployment))
			if (err == nil) != tt.ok {
				t.Fatalf("DecodeStrict = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestK8sOverlays(t *testing.T) {
	env, err := check.ServerEnv(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range overlays {
		t.Run(o.name, func(t *testing.T) {
			m := build(t, o.name)
			for _, name := range []string{"backend", "builder-service", "web"} {
				if m.Deployment(name) == nil {
					t.Fatalf("no Deployment %s", name)
				}
			}
			for _, d := range m.Deployments {
				checkPod(t, d.Name, d.Spec.Template.Spec, o.tag, env)
				checkServed(t, m, d)
			}
			checkRoles(t, m)
			checkHPAs(t, m)
			checkBuilderPolicy(t, m)
			checkIngress(t, m)
			checkRetention(t, m, o.tag, env)
		})
	}
}

// checkRetention asserts the CronJob of the address retention rule: it
// runs `harness orders forget-addresses` with a positive --older-than, never
// two at once, in a pod as locked down as the servers'.
func checkRetention(t *testing.T, m *check.Manifests, tag string, env check.EnvNames) {
	t.Helper()
	i := slices.IndexFunc(m.CronJobs, func(c batchv1.CronJob) bool { return c.Name == "forget-addresses" })
	if i < 0 {
		t.Fatal("no CronJob forget-addresses: shipping addresses are never erased")
	}
	cj := m.CronJobs[i]
	if cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Errorf("forget-addresses: concurrencyPolicy %q, want Forbid", cj.Spec.ConcurrencyPolicy)
	}
	if fields := strings.Fields(cj.Spec.Schedule); len(fields) != 5 {
		t.Errorf("forget-addresses: schedule %q, want five cron fields", cj.Spec.Schedule)
	}
	pod := cj.Spec.JobTemplate.Spec.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever && pod.RestartPolicy != corev1.RestartPolicyOnFailure {
		t.Errorf("forget-addresses: restartPolicy %q", pod.RestartPolicy)
	}
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("forget-addresses: pod securityContext %+v, want runAsNonRoot and seccomp RuntimeDefault", psc)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("forget-addresses: mounts a service account token it does not use")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("forget-addresses: %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if repo, got, _ := strings.Cut(c.Image, ":"); repo != harnessImage || got != tag {
		t.Errorf("forget-addresses: image %q, want %s:%s", c.Image, harnessImage, tag)
	}
	if len(c.Args) < 2 || c.Args[0] != "orders" || c.Args[1] != "forget-addresses" {
		t.Errorf("forget-addresses: args %q, want orders forget-addresses", c.Args)
	}
	if j := slices.Index(c.Args, "--older-than"); j >= 0 {
		if j+1 >= len(c.Args) {
			t.Error("forget-addresses: --older-than without a value")
		} else if d, err := time.ParseDuration(c.Args[j+1]); err != nil || d <= 0 {
			t.Errorf("forget-addresses: --older-than %q: %v, want a positive duration", c.Args[j+1], err)
		}
	}
	if envValue(c, "DATABASE_URL") == "" && !slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "DATABASE_URL" && e.ValueFrom != nil }) {
		t.Error("forget-addresses: no DATABASE_URL: it would erase nothing in its own empty SQLite")
	}
	for _, e := range c.Env {
		if !env.Reads(e.Name) {
			t.Errorf("forget-addresses: env %s is not read by the harness command", e.Name)
		}
	}
	sc := c.SecurityContext
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("forget-addresses: securityContext %+v, want no privilege escalation, read-only root fs, capabilities drop ALL", sc)
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if c.Resources.Requests.Name(r, "").IsZero() || c.Resources.Limits.Name(r, "").IsZero() {
			t.Errorf("forget-addresses: no %s request and limit", r)
		}
	}
	for _, dir := range []string{envValue(c, "HARNESS_DATA_DIR"), "/tmp"} {
		if !emptyDirAt(pod, c, dir) {
			t.Errorf("forget-addresses: no emptyDir mounted at %q (the root filesystem is read-only)", dir)
		}
	}
}

// checkPod asserts the probes, resources, security context, image and
// environment of a platform pod.
func checkPod(t *testing.T, name string, pod corev1.PodSpec, tag string, env check.EnvNames) {
	t.Helper()
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod securityContext %+v, want runAsNonRoot and seccomp RuntimeDefault", name, psc)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s: mounts a service account token it does not use", name)
	}
	for _, c := range pod.Containers {
		where := name + "/" + c.Name
		repo, got, _ := strings.Cut(c.Image, ":")
		if (repo != harnessImage && repo != webImage) || got != tag {
			t.Errorf("%s: image %q, want %s or %s with tag %q", where, c.Image, harnessImage, webImage, tag)
		}
		for probe, p := range map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
			if p == nil || p.HTTPGet == nil {
				t.Errorf("%s: no HTTP %s probe", where, probe)
			}
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if c.Resources.Requests.Name(r, "").IsZero() || c.Resources.Limits.Name(r, "").IsZero() {
				t.Errorf("%s: no %s request and limit", where, r)
			}
		}
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
			sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0 {
			t.Errorf("%s: securityContext %+v, want no privilege escalation, read-only root fs, capabilities drop ALL", where, sc)
		}
		if repo != harnessImage {
			continue
		}
		if p := c.LivenessProbe; p != nil && p.HTTPGet != nil && p.HTTPGet.Path != "/healthz" {
			t.Errorf("%s: liveness probe %s, want /healthz", where, p.HTTPGet.Path)
		}
		if p := c.ReadinessProbe; p != nil && p.HTTPGet != nil && p.HTTPGet.Path != "/readyz" {
			t.Errorf("%s: readiness probe %s, want /readyz", where, p.HTTPGet.Path)
		}
		seen := map[string]bool{}
		for _, e := range c.Env {
			if seen[e.Name] {
				t.Errorf("%s: env %s set twice (a patch gone wrong: the last wins)", where, e.Name)
			}
			seen[e.Name] = true
			if !env.Reads(e.Name) {
				t.Errorf("%s: env %s is not read by the harness command", where, e.Name)
			}
		}
		for _, dir := range []string{envValue(c, "HARNESS_DATA_DIR"), "/tmp"} {
			if !emptyDirAt(pod, c, dir) {
				t.Errorf("%s: no emptyDir mounted at %q (the root filesystem is read-only)", where, dir)
			}
		}
		cfg := server.DefaultConfig()
		drain, shutdown := envDuration(t, c, "HARNESS_DRAIN_GRACE", cfg.DrainGrace), envDuration(t, c, "HARNESS_SHUTDOWN_TIMEOUT", cfg.ShutdownTimeout)
		if grace := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second; grace < drain+shutdown {
			t.Errorf("%s: terminationGracePeriodSeconds %v < drain grace %v + shutdown timeout %v", where, grace, drain, shutdown)
		}
	}
}

func envValue(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func envDuration(t *testing.T, c corev1.Container, name string, def time.Duration) time.Duration {
	t.Helper()
	v := envValue(c, name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Errorf("%s: %s=%q: %v", c.Name, name, v, err)
	}
	return d
}

func emptyDirAt(pod corev1.PodSpec, c corev1.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if m.MountPath != path || m.ReadOnly {
			continue
		}
		for _, v := range pod.Volumes {
			if v.Name == m.Name && v.EmptyDir != nil {
				return true
			}
		}
	}
	return false
}

// checkServed asserts that a Service and a PodDisruptionBudget select the
// Deployment's pods, and that the Service's ports name container ports.
func checkServed(t *testing.T, m *check.Manifests, d appsv1.Deployment) {
	t.Helper()
	pods := labels.Set(d.Spec.Template.Labels)
	served := false
	for _, s := range m.Services {
		if len(s.Spec.Selector) == 0 || !labels.SelectorFromSet(s.Spec.Selector).Matches(pods) {
			continue
		}
		served = true
		for _, p := range s.Spec.Ports {
			if containerPort(d.Spec.Template.Spec, p.TargetPort) == 0 {
				t.Errorf("Service %s port %s targets %s, not a port of %s", s.Name, p.Name, p.TargetPort.String(), d.Name)
			}
		}
	}
	if !served {
		t.Errorf("no Service selects the pods of %s", d.Name)
	}
	if !slices.ContainsFunc(m.PDBs, func(p policyv1.PodDisruptionBudget) bool { return selects(p.Spec.Selector, pods) }) {
		t.Errorf("no PodDisruptionBudget selects the pods of %s", d.Name)
	}
}

func selects(sel *metav1.LabelSelector, pods labels.Set) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && !s.Empty() && s.Matches(pods)
}

func containerPort(pod corev1.PodSpec, target intstr.IntOrString) int32 {
	for _, c := range pod.Containers {
		for _, p := range c.Ports {
			if (target.Type == intstr.String && p.Name == target.StrVal) || (target.Type == intstr.Int && p.ContainerPort == target.IntVal) {
				return p.ContainerPort
			}
		}
	}
	return 0
}

// servicePort returns the port of the Service name called port, or 0.
func servicePort(m *check.Manifests, name, port string) int32 {
	for _, s := range m.Services {
		for _, p := range s.Spec.Ports {
			if s.Name == name && p.Name == port {
				return p.Port
			}
		}
	}
	return 0
}

// checkRoles asserts what each harness Deployment serves and where the
// backend finds the builder.
func checkRoles(t *testing.T, m *check.Manifests) {
	t.Helper()
	for _, tt := range []struct {
		deployment string
		role       server.Role
	}{{"backend", server.RoleAll}, {"builder-service", server.RoleBuilder}} {
		c := m.Deployment(tt.deployment).Spec.Template.Spec.Containers[0]
		if want := []string{"serve", "--role", string(tt.role)}; !slices.Equal(c.Args, want) {
			t.Errorf("%s: args %q, want %q", tt.deployment, c.Args, want)
		}
		if got, want := envValue(c, "PORT"), fmt.Sprint(server.DefaultPort(tt.role)); got != want {
			t.Errorf("%s: PORT %q, want the role's port %s (docs/decisions/0013)", tt.deployment, got, want)
		}
	}
	backend := m.Deployment("backend").Spec.Template.Spec.Containers[0]
	want := fmt.Sprintf("http://builder-service:%d", servicePort(m, "builder-service", "http"))
	if got := envValue(backend, server.ModuleURLEnv("builder")); got != want {
		t.Errorf("backend: %s=%q, want %q", server.ModuleURLEnv("builder"), got, want)
	}
}

func checkHPAs(t *testing.T, m *check.Manifests) {
	t.Helper()
	want := map[string]struct {
		min, max int32
		targets  map[corev1.ResourceName]int32
	}{
		"builder-service": {2, 10, map[corev1.ResourceName]int32{corev1.ResourceCPU: 70, corev1.ResourceMemory: 80}},
		"backend":         {2, 12, map[corev1.ResourceName]int32{corev1.ResourceCPU: 70}},
	}
	seen := map[string]bool{}
	for _, h := range m.HPAs {
		ref := h.Spec.ScaleTargetRef
		w, ok := want[ref.Name]
		if !ok || ref.Kind != "Deployment" || m.Deployment(ref.Name) == nil {
			t.Errorf("HPA %s scales %s %s, not a platform Deployment", h.Name, ref.Kind, ref.Name)
			continue
		}
		seen[ref.Name] = true
		var lo int32 = 1 // the API's default
		if h.Spec.MinReplicas != nil {
			lo = *h.Spec.MinReplicas
		}
		if lo != w.min || h.Spec.MaxReplicas != w.max {
			t.Errorf("HPA %s: replicas %d–%d, want %d–%d", h.Name, lo, h.Spec.MaxReplicas, w.min, w.max)
		}
		got := map[corev1.ResourceName]int32{}
		for _, mt := range h.Spec.Metrics {
			if mt.Resource == nil || mt.Resource.Target.AverageUtilization == nil {
				t.Errorf("HPA %s: metric %+v is not a resource utilization", h.Name, mt)
				continue
			}
			got[mt.Resource.Name] = *mt.Resource.Target.AverageUtilization
		}
		if fmt.Sprint(got) != fmt.Sprint(w.targets) {
			t.Errorf("HPA %s: targets %v, want %v", h.Name, got, w.targets)
		}
		if d := m.Deployment(ref.Name); d.Spec.Replicas != nil {
			t.Errorf("%s sets replicas %d: the HPA owns them", d.Name, *d.Spec.Replicas)
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("no HPA scales %s", name)
		}
	}
}

// checkBuilderPolicy asserts that a NetworkPolicy selects the builder's
// pods and lets only backend pods reach its API port.
func checkBuilderPolicy(t *testing.T, m *check.Manifests) {
	t.Helper()
	builder := m.Deployment("builder-service")
	pods := labels.Set(builder.Spec.Template.Labels)
	backend := labels.Set(m.Deployment("backend").Spec.Template.Labels)
	web := labels.Set(m.Deployment("web").Spec.Template.Labels)
	api := containerPort(builder.Spec.Template.Spec, intstr.FromString("http"))
	var found bool
	for _, p := range m.Policies {
		if !selects(&p.Spec.PodSelector, pods) {
			continue
		}
		found = true
		if !slices.Contains(p.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) {
			t.Errorf("NetworkPolicy %s does not restrict ingress", p.Name)
		}
		for _, r := range p.Spec.Ingress {
			toAPI := len(r.Ports) == 0 || slices.ContainsFunc(r.Ports, func(np networkingv1.NetworkPolicyPort) bool {
				return np.Port == nil || np.Port.IntVal == api || np.Port.StrVal == "http"
			})
			if !toAPI {
				continue
			}
			if len(r.From) == 0 {
				t.Errorf("NetworkPolicy %s lets anyone reach the builder's port %d", p.Name, api)
			}
			for _, peer := range r.From {
				if !backendOrIngress(peer, backend, web) {
					t.Errorf("NetworkPolicy %s lets %+v reach the builder's port %d, want backend pods and the ingress controller only", p.Name, peer, api)
				}
			}
		}
	}
	if !found {
		t.Error("no NetworkPolicy selects the builder-service pods")
	}
}

// backendOrIngress says whether a NetworkPolicy peer is the backend's pods
// (not the web app's) or the ingress-nginx namespace (the Ingress routes the
// builder's services straight to builder-service, ADR 0031).
func backendOrIngress(peer networkingv1.NetworkPolicyPeer, backend, web labels.Set) bool {
	if peer.IPBlock != nil {
		return false
	}
	if peer.NamespaceSelector != nil {
		return peer.PodSelector == nil && len(peer.NamespaceSelector.MatchExpressions) == 0 &&
			fmt.Sprint(peer.NamespaceSelector.MatchLabels) == fmt.Sprint(map[string]string{"kubernetes.io/metadata.name": "ingress-nginx"})
	}
	return peer.PodSelector != nil && selects(peer.PodSelector, backend) && !selects(peer.PodSelector, web)
}

// checkIngress asserts that / is the web app, the builder's Connect
// services reach builder-service, and every other service and the webhooks
// reach the backend.
func checkIngress(t *testing.T, m *check.Manifests) {
	t.Helper()
	if len(m.Ingresses) != 1 {
		t.Fatalf("%d Ingresses, want 1", len(m.Ingresses))
	}
	routes := map[string]string{}
	for _, r := range m.Ingresses[0].Spec.Rules {
		for _, p := range r.HTTP.Paths {
			routes[p.Path] = p.Backend.Service.Name
			if p.PathType == nil || *p.PathType != networkingv1.PathTypePrefix {
				t.Errorf("Ingress path %s: pathType %v, want Prefix", p.Path, p.PathType)
			}
		}
	}
	want := map[string]string{"/": "web", "/webhooks": "backend"}
	if !strings.HasPrefix(webhook.Path, "/webhooks/") {
		t.Errorf("webhook.Path %s is not under /webhooks", webhook.Path)
	}
	for _, svc := range []string{userv1connect.UserServiceName, orderv1connect.OrderServiceName, analyticsv1connect.AnalyticsServiceName} {
		want["/"+svc] = "backend"
	}
	for _, svc := range []string{builderv1connect.CatalogServiceName, builderv1connect.DesignServiceName} {
		want["/"+svc] = "builder-service"
	}
	if fmt.Sprint(routes) != fmt.Sprint(want) {
		t.Errorf("Ingress routes %v, want %v", routes, want)
	}
}
