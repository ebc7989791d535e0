package check_test

import (
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/prometheus/config"
	_ "github.com/prometheus/prometheus/discovery/kubernetes" // kubernetes_sd_configs
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/relabel"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// scrapeJob is the job name deploy/prometheus/prometheus.yml scrapes the
// platform under, and the alerts select.
const scrapeJob = "harness"

var sdName = regexp.MustCompile(`[^a-zA-Z0-9_]`)

// podTargets are the targets Prometheus' Kubernetes pod discovery makes of
// a pod: one per container port, with its meta labels (as
// discovery/kubernetes's pod role names them).
func podTargets(namespace, name string, pod corev1.PodTemplateSpec) []labels.Labels {
	var targets []labels.Labels
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			b := labels.NewBuilder(labels.EmptyLabels())
			b.Set(model.AddressLabel, "10.1.2.3:"+strconv.Itoa(int(p.ContainerPort)))
			b.Set("__meta_kubernetes_namespace", namespace)
			b.Set("__meta_kubernetes_pod_name", name+"-abc12")
			b.Set("__meta_kubernetes_pod_container_name", c.Name)
			b.Set("__meta_kubernetes_pod_container_port_name", p.Name)
			b.Set("__meta_kubernetes_pod_container_port_number", strconv.Itoa(int(p.ContainerPort)))
			b.Set("__meta_kubernetes_pod_container_port_protocol", "TCP")
			for k, v := range pod.Labels {
				b.Set("__meta_kubernetes_pod_label_"+sdName.ReplaceAllString(k, "_"), v)
				b.Set("__meta_kubernetes_pod_labelpresent_"+sdName.ReplaceAllString(k, "_"), "true")
			}
			for k, v := range pod.Annotations {
				b.Set("__meta_kubernetes_pod_annotation_"+sdName.ReplaceAllString(k, "_"), v)
				b.Set("__meta_kubernetes_pod_annotationpresent_"+sdName.ReplaceAllString(k, "_"), "true")
			}
			targets = append(targets, b.Labels())
		}
	}
	return targets
}

// TestScrapeConfig: deploy/prometheus/prometheus.yml loads with
// Prometheus' own configuration code (Kubernetes discovery included), and
// its relabelling, run by Prometheus' relabel package over the pods of
// every workload each overlay renders, keeps exactly one target per
// backend and builder-service pod: the admin port, which their
// NetworkPolicies open to Prometheus, labelled with the service. The
// alerts select the same job.
func TestScrapeConfig(t *testing.T) {
	cfg, err := config.LoadFile("../prometheus/prometheus.yml", false, promslog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(cfg.ScrapeConfigs, func(s *config.ScrapeConfig) bool { return s.JobName == scrapeJob })
	if i < 0 {
		t.Fatalf("prometheus.yml: no scrape job %q", scrapeJob)
	}
	job := cfg.ScrapeConfigs[i]
	if len(job.ServiceDiscoveryConfigs) == 0 {
		t.Fatalf("job %s discovers nothing", scrapeJob)
	}
	for _, o := range overlays {
		t.Run(o.name, func(t *testing.T) {
			m := build(t, o.name)
			pods := map[string]corev1.PodTemplateSpec{}
			for _, d := range m.Deployments {
				pods[d.Name] = d.Spec.Template
			}
			for _, s := range m.StatefulSets {
				pods[s.Name] = s.Spec.Template
			}
			for _, c := range m.CronJobs {
				pods[c.Name] = c.Spec.JobTemplate.Spec.Template
			}
			kept := map[string]string{}
			for name, pod := range pods {
				for _, target := range podTargets("ns", name, pod) {
					b := labels.NewBuilder(target)
					if !relabel.ProcessBuilder(b, job.RelabelConfigs...) {
						continue
					}
					lbls := b.Labels()
					path := lbls.Get(model.MetricsPathLabel)
					if path == "" {
						path = job.MetricsPath
					}
					kept[name] = fmt.Sprintf("%s %s service=%s", lbls.Get(model.AddressLabel), path, lbls.Get("service"))
				}
			}
			want := map[string]string{
				"backend":         "10.1.2.3:9090 /metrics service=backend",
				"builder-service": "10.1.2.3:9090 /metrics service=builder-service",
			}
			if fmt.Sprint(kept) != fmt.Sprint(want) {
				t.Errorf("scraped targets %v, want %v", kept, want)
			}
			for name := range want {
				admin := containerPort(pods[name].Spec, intstr.FromString("admin"))
				if admin != 9090 {
					t.Errorf("%s: admin port %d, want 9090", name, admin)
				}
			}
		})
	}
	// The alerts select the job this configuration scrapes.
	groups, errs := rulefmt.ParseFile("../prometheus/alerts.yml", false, model.UTF8Validation, promql, slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			e, err := promql.ParseExpr(r.Expr)
			if err != nil {
				t.Fatal(err)
			}
			parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
				if vs, ok := node.(*parser.VectorSelector); ok && vs.Name == "up" {
					jobs := 0
					for _, lm := range vs.LabelMatchers {
						if lm.Name == "job" {
							jobs++
							if !lm.Matches(scrapeJob) {
								t.Errorf("%s selects up{%s}, not the scrape job %q", r.Alert, lm, scrapeJob)
							}
						}
					}
					if jobs == 0 {
						t.Errorf("%s selects up of every job", r.Alert)
					}
				}
				return nil
			})
		}
	}
}
