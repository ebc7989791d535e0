package check_test

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/harnesshero/platform/server"
)

// checkMemLimit asserts that GOMEMLIMIT (env) is 80–90 % of limit bytes.
func checkMemLimit(t *testing.T, where, env string, limit int64) {
	t.Helper()
	if env == "" {
		t.Errorf("%s: no GOMEMLIMIT: the runtime does not know its container's memory limit", where)
		return
	}
	got, err := server.ParseBytes(env)
	if err != nil {
		t.Errorf("%s: GOMEMLIMIT %q: %v", where, env, err)
		return
	}
	if limit <= 0 {
		t.Errorf("%s: no memory limit", where)
		return
	}
	if f := float64(got) / float64(limit); f < 0.8 || f > 0.9 {
		t.Errorf("%s: GOMEMLIMIT %s is %.0f %% of the %d-byte limit, want 80–90 %%", where, env, 100*f, limit)
	}
}

// TestSizing: every Go container of every overlay and of compose sets
// GOMEMLIMIT at 80–90 % of its memory limit, and the backend's HPA can
// give r times the builder's CPU at their maxima, r the entry:builder CPU
// ratio docs/sizing.md derives.
func TestSizing(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "sizing.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^entry:builder CPU ratio r = ([0-9.]+)$`).FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/sizing.md states no \"entry:builder CPU ratio r = …\" line")
	}
	ratio, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil || ratio <= 0 {
		t.Fatalf("docs/sizing.md: ratio %q", m[1])
	}
	for _, o := range overlays {
		t.Run(o.name, func(t *testing.T) {
			mf := build(t, o.name)
			var pods []struct {
				name string
				spec corev1.PodSpec
			}
			for _, d := range mf.Deployments {
				pods = append(pods, struct {
					name string
					spec corev1.PodSpec
				}{d.Name, d.Spec.Template.Spec})
			}
			for _, c := range mf.CronJobs {
				pods = append(pods, struct {
					name string
					spec corev1.PodSpec
				}{c.Name, c.Spec.JobTemplate.Spec.Template.Spec})
			}
			for _, p := range pods {
				for _, c := range p.spec.Containers {
					if !strings.HasPrefix(c.Image, harnessImage+":") {
						continue
					}
					checkMemLimit(t, p.name+"/"+c.Name, envValue(c, "GOMEMLIMIT"), c.Resources.Limits.Memory().Value())
				}
			}
			type bound struct {
				max int32
				cpu int64
			}
			b := map[string]bound{}
			for _, h := range mf.HPAs {
				d := mf.Deployment(h.Spec.ScaleTargetRef.Name)
				if d == nil {
					continue
				}
				b[d.Name] = bound{h.Spec.MaxReplicas, d.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu().MilliValue()}
			}
			entry, builder := b["backend"], b["builder-service"]
			need := ratio * float64(builder.max) * float64(builder.cpu)
			if have := float64(entry.max) * float64(entry.cpu); have < need {
				t.Errorf("backend HPA max %d × %dm CPU = %.0fm < r %.2f × builder max %d × %dm = %.0fm: the builder's maximum cannot be reached through the entry (want backend max ≥ %d)",
					entry.max, entry.cpu, have, ratio, builder.max, builder.cpu, need, int(math.Ceil(need/float64(entry.cpu))))
			}
		})
	}
	t.Run("compose", func(t *testing.T) {
		p := loadCompose(t, nil)
		for _, name := range []string{"backend", "builder-service"} {
			s := p.Services[name]
			var limit int64
			if s.Deploy != nil && s.Deploy.Resources.Limits != nil {
				limit = int64(s.Deploy.Resources.Limits.MemoryBytes)
			}
			if limit == 0 {
				limit = int64(s.MemLimit)
			}
			checkMemLimit(t, "compose "+name, value(s.Environment["GOMEMLIMIT"]), limit)
		}
	})
}
