package check_test

import (
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// secretRefs returns the Secrets a pod reads, by name: volumes (also
// projected), env and envFrom.
func secretRefs(pod corev1.PodSpec) map[string]bool {
	refs := map[string]bool{}
	for _, v := range pod.Volumes {
		if v.Secret != nil {
			refs[v.Secret.SecretName] = true
		}
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				if s.Secret != nil {
					refs[s.Secret.Name] = true
				}
			}
		}
	}
	for _, c := range slices.Concat(pod.InitContainers, pod.Containers) {
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				refs[e.ValueFrom.SecretKeyRef.Name] = true
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil {
				refs[e.SecretRef.Name] = true
			}
		}
	}
	return refs
}

// keySecret returns the Secret mounted in the directory of the file the
// container's env variable name points at, or "".
func keySecret(pod corev1.PodSpec, c corev1.Container, name string) string {
	file := envValue(c, name)
	if file == "" {
		return ""
	}
	for _, m := range c.VolumeMounts {
		if m.MountPath == path.Dir(file) {
			for _, v := range pod.Volumes {
				if v.Name == m.Name && v.Secret != nil {
					return v.Secret.SecretName
				}
			}
		}
	}
	return ""
}

func TestK8sBuilderNeverGetsThePrivateKey(t *testing.T) {
	for _, o := range overlays {
		t.Run(o.name, func(t *testing.T) {
			m := build(t, o.name)
			backend := m.Deployment("backend").Spec.Template.Spec
			private := keySecret(backend, backend.Containers[0], "HARNESS_ACCESS_TOKEN_PRIVATE_KEY_FILE")
			if private == "" {
				t.Fatal("backend: HARNESS_ACCESS_TOKEN_PRIVATE_KEY_FILE names no file in a mounted Secret")
			}
			builder := m.Deployment("builder-service").Spec.Template.Spec
			if public := keySecret(builder, builder.Containers[0], "HARNESS_ACCESS_TOKEN_PUBLIC_KEY_FILE"); public == "" || public == private {
				t.Errorf("builder-service: public key Secret %q, want one apart from the signing key's %q", public, private)
			}
			refs := secretRefs(builder)
			if refs[private] {
				t.Errorf("builder-service reads the signing key's Secret %s", private)
			}
			for _, c := range builder.Containers {
				for _, e := range c.Env {
					if strings.Contains(e.Name, "PRIVATE") {
						t.Errorf("builder-service: env %s", e.Name)
					}
				}
			}
			// The Secrets the overlay generates: none the builder reads
			// holds a private key, whatever it is called.
			for _, s := range m.Secrets {
				if !refs[s.Name] {
					continue
				}
				for k, v := range s.Data {
					if strings.Contains(string(v), "PRIVATE KEY") {
						t.Errorf("builder-service reads Secret %s whose %s holds a private key", s.Name, k)
					}
				}
			}
		})
	}
}

// TestK8sProdKeepsNoSecrets: prod references Secrets managed outside the
// repository and runs no datastore; dev generates its Secrets and runs
// Postgres and Redis.
func TestK8sProdKeepsNoSecrets(t *testing.T) {
	prod := build(t, "prod")
	if len(prod.Secrets) > 0 || len(prod.StatefulSets) > 0 {
		t.Errorf("prod: %d Secrets and %d StatefulSets in the repository, want none (external)", len(prod.Secrets), len(prod.StatefulSets))
	}
	dev := build(t, "dev")
	for _, want := range []string{"postgres", "redis"} {
		if !slices.ContainsFunc(dev.StatefulSets, func(s appsv1.StatefulSet) bool { return s.Name == want }) ||
			servicePort(dev, want, want) == 0 {
			t.Errorf("dev: no StatefulSet and Service %s", want)
		}
	}
	refs := secretRefs(dev.Deployment("backend").Spec.Template.Spec)
	found := 0
	for _, s := range dev.Secrets {
		if !refs[s.Name] {
			continue
		}
		for _, key := range []string{"DATABASE_URL", "REDIS_URL"} {
			v, ok := s.Data[key]
			if !ok {
				continue
			}
			found++
			u, err := url.Parse(string(v))
			if err != nil {
				t.Fatalf("dev: %s: %v", key, err)
			}
			if servicePort(dev, u.Hostname(), u.Scheme) == 0 {
				t.Errorf("dev: %s=%s names no Service of the overlay", key, v)
			}
			if pw, _ := u.User.Password(); pw != "" && !strings.Contains(pw, "not-a-secret") {
				t.Errorf("dev: %s password %q does not say it is fake", key, pw)
			}
		}
	}
	if found != 2 {
		t.Errorf("dev: the backend's Secrets hold %d of DATABASE_URL and REDIS_URL, want both", found)
	}
}

// TestK8sPayments: prod takes payments with Stripe, whose keys the server
// then requires (server.Config.Validate), so their Secret is not optional
// there; dev uses the embedded test provider.
func TestK8sPayments(t *testing.T) {
	for _, tt := range []struct {
		overlay, provider string
		required          bool
	}{{"dev", "test", false}, {"prod", "stripe", true}} {
		t.Run(tt.overlay, func(t *testing.T) {
			c := build(t, tt.overlay).Deployment("backend").Spec.Template.Spec.Containers[0]
			if got := envValue(c, "HARNESS_PAYMENT_PROVIDER"); got != tt.provider {
				t.Errorf("HARNESS_PAYMENT_PROVIDER %q, want %q", got, tt.provider)
			}
			for _, e := range c.Env {
				if !strings.HasPrefix(e.Name, "STRIPE_") {
					continue
				}
				ref := e.ValueFrom.SecretKeyRef
				if ref == nil {
					t.Errorf("%s is not read from a Secret", e.Name)
					continue
				}
				if optional := ref.Optional != nil && *ref.Optional; optional == tt.required {
					t.Errorf("%s: optional %v, want required %v", e.Name, optional, tt.required)
				}
			}
		})
	}
}
