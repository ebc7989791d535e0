package check_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/harnesshero/platform/deploy/check"
)

// deploySecrets runs deploy/k8s/deploy.sh on the overlay (with the
// recording kubectl) with a fresh ACCESS_TOKEN_PRIVATE_KEY and returns
// the Secrets it creates besides the overlay's: the token key pair.
func deploySecrets(t *testing.T, overlay string) ([]corev1.Secret, error) {
	keys := t.TempDir()
	writeKeyPair(t, keys, "private.pem", "public.pem")
	private, err := os.ReadFile(filepath.Join(keys, "private.pem"))
	if err != nil {
		return nil, fmt.Errorf("key pair: %w", err)
	}
	calls, out, err := runDeploy(t, overlay, []string{"ACCESS_TOKEN_PRIVATE_KEY=" + string(private)},
		"harnesshero/harness=registry.example/harness:sha-test", "harnesshero/web=registry.example/web:sha-test")
	if err != nil {
		return nil, fmt.Errorf("deploy.sh %s: %w\n%s", overlay, err, out)
	}
	var secrets []corev1.Secret
	for _, c := range calls {
		if c.Args[0] != "apply" || !slices.Equal(flagValues(c.Args, "-f"), []string{"-"}) {
			continue
		}
		var s corev1.Secret
		if err := yaml.Unmarshal([]byte(c.Input), &s); err != nil {
			return nil, fmt.Errorf("deploy.sh applied %q: %w", c.Input, err)
		}
		secrets = append(secrets, s)
	}
	return secrets, nil
}

// k8sData are the values of an overlay's Secrets (and those deploy.sh
// makes) and ConfigMaps, by name and key.
type k8sData struct{ secrets, configMaps map[string]map[string][]byte }

// newK8sData collects the values of the overlay's Secrets and ConfigMaps
// and of the Secrets deploy.sh makes (extra).
func newK8sData(m *check.Manifests, extra []corev1.Secret) k8sData {
	data := k8sData{secrets: map[string]map[string][]byte{}, configMaps: map[string]map[string][]byte{}}
	for _, s := range append(slices.Clone(m.Secrets), extra...) {
		values := map[string][]byte{}
		for k, v := range s.Data {
			values[k] = v
		}
		for k, v := range s.StringData {
			values[k] = []byte(v)
		}
		data.secrets[s.Name] = values
	}
	for _, c := range m.ConfigMaps {
		values := map[string][]byte{}
		for k, v := range c.Data {
			values[k] = []byte(v)
		}
		data.configMaps[c.Name] = values
	}
	return data
}

// k8sSpecs returns the containers of the platform's images (harness,
// run; web, resolved and checked only) in the Deployments and CronJobs
// of overlay with their env, volumes, user and probes resolved against
// data. Whatever cannot be resolved fails t, naming the container and
// the field.
func k8sSpecs(t *testing.T, overlay string, m *check.Manifests, data k8sData, img imageConfig) []*containerSpec {
	t.Helper()
	var specs []*containerSpec
	for _, d := range m.Deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			s := k8sContainer(t, overlay+" "+d.Name, d.Name, d.Spec.Template.Spec, c, data, img)
			if s == nil {
				continue
			}
			if d.Spec.Replicas != nil {
				s.replicas = int(*d.Spec.Replicas)
			}
			for _, h := range m.HPAs {
				if h.Spec.ScaleTargetRef.Kind == "Deployment" && h.Spec.ScaleTargetRef.Name == d.Name && h.Spec.MinReplicas != nil {
					s.replicas = int(*h.Spec.MinReplicas)
				}
			}
			specs = append(specs, s)
		}
	}
	for _, cj := range m.CronJobs {
		job := cj.Spec.JobTemplate.Spec
		for _, c := range job.Template.Spec.Containers {
			s := k8sContainer(t, overlay+" CronJob "+cj.Name, cj.Name, job.Template.Spec, c, data, img)
			if s == nil {
				continue
			}
			s.job = 10 * time.Minute
			if job.ActiveDeadlineSeconds != nil {
				s.job = time.Duration(*job.ActiveDeadlineSeconds) * time.Second
			}
			specs = append(specs, s)
		}
	}
	return specs
}

// k8sContainer resolves the container c of pod (named where in messages,
// reached as name), or returns nil when its image is not the platform's.
func k8sContainer(t *testing.T, where, name string, pod corev1.PodSpec, c corev1.Container, data k8sData, img imageConfig) *containerSpec {
	t.Helper()
	secrets, configMaps := data.secrets, data.configMaps
	run := strings.HasPrefix(c.Image, harnessImage+":")
	if !run && !strings.HasPrefix(c.Image, webImage+":") {
		t.Logf("%s container %s: image %s is not the platform's: not run", where, c.Name, c.Image)
		return nil
	}
	s := &containerSpec{where: where, service: name, replicas: 1, workdir: img.workdir, run: run,
		args: img.args(c.Command, c.Args), ports: map[string]int32{}}
	for _, p := range c.Ports {
		s.ports[itoa(p.ContainerPort)] = p.ContainerPort
		if p.Name != "" {
			s.ports[p.Name] = p.ContainerPort
		}
	}
	s.uid, s.gid = img.uid, img.gid
	for _, sc := range []*corev1.SecurityContext{{RunAsUser: podUser(pod), RunAsGroup: podGroup(pod)}, c.SecurityContext} {
		if sc != nil && sc.RunAsUser != nil {
			s.uid = int(*sc.RunAsUser)
		}
		if sc != nil && sc.RunAsGroup != nil {
			s.gid = int(*sc.RunAsGroup)
		}
	}
	nonRoot := pod.SecurityContext != nil && pod.SecurityContext.RunAsNonRoot != nil && *pod.SecurityContext.RunAsNonRoot
	if sc := c.SecurityContext; sc != nil && sc.RunAsNonRoot != nil {
		nonRoot = *sc.RunAsNonRoot
	}
	if nonRoot && s.uid == 0 {
		t.Errorf("%s container %s: runAsNonRoot with uid 0: the kubelet refuses to start it", s.where, c.Name)
	}
	fsGroup := -1
	if sc := pod.SecurityContext; sc != nil {
		if sc.FSGroup != nil {
			fsGroup = int(*sc.FSGroup)
			s.groups = append(s.groups, fsGroup)
		}
		for _, g := range sc.SupplementalGroups {
			s.groups = append(s.groups, int(g))
		}
	}
	if run {
		s.env = append(s.env, img.env...)
	}
	for _, e := range c.Env {
		v, ok, err := resolveEnv(e, secrets, configMaps)
		if err != nil {
			t.Errorf("%s container %s: env %s: %v", s.where, c.Name, e.Name, err)
		}
		if ok {
			s.env = append(s.env, envVar{e.Name, v, "env " + e.Name})
		}
	}
	if len(c.EnvFrom) > 0 {
		t.Errorf("%s container %s: envFrom is not run by this test: add it", s.where, c.Name)
	}
	k8sVolumes(t, s, pod, c, fsGroup, secrets, configMaps)
	for kind, p := range map[string]*corev1.Probe{"startupProbe": c.StartupProbe, "livenessProbe": c.LivenessProbe, "readinessProbe": c.ReadinessProbe} {
		if p == nil {
			continue
		}
		if p.HTTPGet == nil {
			t.Errorf("%s container %s: %s: not an httpGet (the harness image has no shell)", s.where, c.Name, kind)
			continue
		}
		port, ok := s.ports[p.HTTPGet.Port.String()]
		if !ok {
			t.Errorf("%s container %s: %s: port %s is no container port (%v)", s.where, c.Name, kind, p.HTTPGet.Port.String(), s.ports)
			continue
		}
		period, threshold := p.PeriodSeconds, p.FailureThreshold
		if period == 0 {
			period = 10 // the API's defaults
		}
		if threshold == 0 {
			threshold = 3
		}
		budget := time.Duration(p.InitialDelaySeconds+period*threshold) * time.Second
		s.probes = append(s.probes, probe{kind: kind, path: p.HTTPGet.Path, port: port, budget: budget,
			timeout: time.Duration(max(p.TimeoutSeconds, 1)) * time.Second}) // 1s: the API's default timeoutSeconds
	}
	slices.SortFunc(s.probes, func(a, b probe) int { return strings.Compare(b.kind, a.kind) }) // startup first
	return s
}

// podUser and podGroup are the pod's runAsUser and runAsGroup, or nil.
func podUser(pod corev1.PodSpec) *int64 {
	if pod.SecurityContext == nil {
		return nil
	}
	return pod.SecurityContext.RunAsUser
}

// podGroup is the pod's runAsGroup, or nil.
func podGroup(pod corev1.PodSpec) *int64 {
	if pod.SecurityContext == nil {
		return nil
	}
	return pod.SecurityContext.RunAsGroup
}

// resolveEnv returns the value of e as the kubelet sets it: its value,
// or the Secret's or ConfigMap's key; ok is false for an optional key
// that is missing (the variable is then unset).
func resolveEnv(e corev1.EnvVar, secrets, configMaps map[string]map[string][]byte) (string, bool, error) {
	if e.ValueFrom == nil {
		return e.Value, true, nil
	}
	var (
		kind, name, key string
		optional        *bool
		source          map[string]map[string][]byte
	)
	switch ref := e.ValueFrom; {
	case ref.SecretKeyRef != nil:
		kind, name, key, optional, source = "Secret", ref.SecretKeyRef.Name, ref.SecretKeyRef.Key, ref.SecretKeyRef.Optional, secrets
	case ref.ConfigMapKeyRef != nil:
		kind, name, key, optional, source = "ConfigMap", ref.ConfigMapKeyRef.Name, ref.ConfigMapKeyRef.Key, ref.ConfigMapKeyRef.Optional, configMaps
	default:
		return "", false, fmt.Errorf("valueFrom %+v is not resolved by this test", ref)
	}
	data, found := source[name]
	v, hasKey := data[key]
	switch {
	case hasKey:
		return string(v), true, nil
	case optional != nil && *optional:
		return "", false, nil
	case !found:
		return "", false, fmt.Errorf("%s %s is neither in the overlay nor made by deploy.sh: the pod would not start", kind, name)
	default:
		return "", false, fmt.Errorf("%s %s has no key %s: the pod would not start", kind, name, key)
	}
}

// k8sVolumes adds the container's volume mounts to s as the kubelet makes
// them: Secret and ConfigMap files owned by root, with the item's mode or
// the defaultMode (0644 when unset), and with fsGroup their group and
// the group read bit (the kubelet's SetVolumeOwnership on a read-only
// volume adds 0440); emptyDirs 0777 (with fsGroup, its group and setgid).
func k8sVolumes(t *testing.T, s *containerSpec, pod corev1.PodSpec, c corev1.Container, fsGroup int, secrets, configMaps map[string]map[string][]byte) {
	t.Helper()
	for _, vm := range c.VolumeMounts {
		i := slices.IndexFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == vm.Name })
		if i < 0 {
			t.Errorf("%s container %s: volumeMount %s: no such volume", s.where, c.Name, vm.Name)
			continue
		}
		if vm.SubPath != "" {
			t.Errorf("%s container %s: volumeMount %s: subPath is not run by this test: add it", s.where, c.Name, vm.Name)
			continue
		}
		v := pod.Volumes[i]
		var (
			kind, name  string
			data        map[string][]byte
			found       bool
			items       []corev1.KeyToPath
			defaultMode *int32
			optional    *bool
		)
		switch {
		case v.EmptyDir != nil:
			d := mountedDir{path: vm.MountPath, mode: 0o777}
			if fsGroup >= 0 {
				d.gid, d.mode = fsGroup, d.mode|os.ModeSetgid
			}
			s.dirs = append(s.dirs, d)
			continue
		case v.Secret != nil:
			kind, name, items, defaultMode, optional = "Secret", v.Secret.SecretName, v.Secret.Items, v.Secret.DefaultMode, v.Secret.Optional
			data, found = secrets[name]
		case v.ConfigMap != nil:
			kind, name, items, defaultMode, optional = "ConfigMap", v.ConfigMap.Name, v.ConfigMap.Items, v.ConfigMap.DefaultMode, v.ConfigMap.Optional
			data, found = configMaps[name]
		default:
			t.Errorf("%s container %s: volume %s: its kind is not run by this test: add it", s.where, c.Name, v.Name)
			continue
		}
		if !found {
			if optional == nil || !*optional {
				t.Errorf("%s container %s: volume %s: %s %s is neither in the overlay nor made by deploy.sh", s.where, c.Name, v.Name, kind, name)
			}
			continue
		}
		if len(items) == 0 {
			for key := range data {
				items = append(items, corev1.KeyToPath{Key: key, Path: key})
			}
		}
		for _, it := range items {
			content, ok := data[it.Key]
			if !ok {
				t.Errorf("%s container %s: volume %s: %s %s has no key %s", s.where, c.Name, v.Name, kind, name, it.Key)
				continue
			}
			mode := os.FileMode(0o644)
			if it.Mode != nil {
				mode = os.FileMode(*it.Mode)
			} else if defaultMode != nil {
				mode = os.FileMode(*defaultMode)
			}
			f := mountedFile{path: filepath.Join(vm.MountPath, it.Path), data: content, mode: mode,
				from: fmt.Sprintf("volume %s, %s %s key %s", v.Name, kind, name, it.Key)}
			if fsGroup >= 0 {
				f.gid, f.mode = fsGroup, f.mode|0o440
			}
			s.files = append(s.files, f)
		}
	}
}

// k8sRoutes maps every name:port a pod of the overlay may dial (a
// Service's short name, name.namespace, name.namespace.svc and the full
// cluster name) to what serves it here: the replicas of the Deployment
// it selects, or the machine's Postgres or Redis for a datastore
// StatefulSet.
func k8sRoutes(t *testing.T, overlay string, m *check.Manifests, data k8sData, specs []*containerSpec) map[string]route {
	t.Helper()
	routes := map[string]route{}
	for _, svc := range m.Services {
		sel := labels.SelectorFromSet(svc.Spec.Selector)
		for _, port := range svc.Spec.Ports {
			var r route
			for _, d := range m.Deployments {
				if !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
					continue
				}
				for _, s := range specs {
					if s.service != d.Name {
						continue
					}
					target := port.TargetPort.String()
					if port.TargetPort.IntValue() == 0 && port.TargetPort.StrVal == "" {
						target = itoa(port.Port)
					}
					n, ok := s.ports[target]
					if !ok {
						t.Errorf("%s Service %s port %s: targetPort %s is no container port of %s", overlay, svc.Name, port.Name, target, d.Name)
					}
					r = route{spec: s, port: n}
				}
			}
			for _, st := range m.StatefulSets {
				if !sel.Matches(labels.Set(st.Spec.Template.Labels)) {
					continue
				}
				c := st.Spec.Template.Spec.Containers[0]
				r.datastore, _, _ = strings.Cut(c.Image, ":")
				r.env = map[string]string{}
				for _, e := range c.Env {
					if v, ok, err := resolveEnv(e, data.secrets, data.configMaps); err != nil {
						t.Errorf("%s %s container %s: env %s: %v", overlay, st.Name, c.Name, e.Name, err)
					} else if ok {
						r.env[e.Name] = v
					}
				}
			}
			if r.spec == nil && r.datastore == "" {
				continue // web: not run here
			}
			for _, host := range []string{svc.Name, svc.Name + "." + svc.Namespace, svc.Name + "." + svc.Namespace + ".svc", svc.Name + "." + svc.Namespace + ".svc.cluster.local"} {
				routes[host+":"+itoa(port.Port)] = r
			}
		}
	}
	return routes
}
