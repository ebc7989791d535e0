package check_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/harnesshero/platform/platform/auth"
)

// fakeKubectlLog, set in the environment, makes the test binary act as
// kubectl (TestMain): deploy.sh runs it as KUBECTL.
const fakeKubectlLog = "HARNESS_FAKE_KUBECTL_LOG"

func TestMain(m *testing.M) {
	if log := os.Getenv(fakeKubectlLog); log != "" {
		os.Exit(fakeKubectl(log, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// kubectlCall is one command the fake kubectl ran: its arguments and what
// it read (the -f file, or stdin for -f -).
type kubectlCall struct {
	Args  []string `json:"args"`
	Input string   `json:"input,omitempty"`
	Files map[string]string
}

// fakeKubectl plays kubectl for deploy.sh: `kustomize DIR` renders with
// kustomize's Go API (what kubectl embeds); `create secret generic NAME
// --from-file=KEY=PATH --dry-run=client -o yaml` prints the Secret; every
// call is appended to the log, with the files it reads.
func fakeKubectl(log string, args []string) int {
	call := kubectlCall{Args: args, Files: map[string]string{}}
	var out []byte
	var ns string
	if i := slices.Index(args, "-n"); i >= 0 && i+1 < len(args) {
		ns = args[i+1]
		args = slices.Delete(slices.Clone(args), i, i+2)
	}
	switch {
	case len(args) == 2 && args[0] == "kustomize":
		res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "fake kubectl:", err)
			return 1
		}
		if out, err = res.AsYaml(); err != nil {
			fmt.Fprintln(os.Stderr, "fake kubectl:", err)
			return 1
		}
	case len(args) > 3 && args[0] == "create" && args[1] == "secret" && args[2] == "generic":
		data := map[string][]byte{}
		for _, a := range args[3:] {
			if spec, ok := strings.CutPrefix(a, "--from-file="); ok {
				key, path, _ := strings.Cut(spec, "=")
				b, err := os.ReadFile(path)
				if err != nil {
					fmt.Fprintln(os.Stderr, "fake kubectl:", err)
					return 1
				}
				data[key], call.Files[key] = b, string(b)
			}
		}
		out, _ = yaml.Marshal(map[string]any{"apiVersion": "v1", "kind": "Secret",
			"metadata": map[string]any{"name": args[3], "namespace": ns}, "data": data})
	case args[0] == "apply":
		i := slices.Index(args, "-f")
		if i < 0 || i+1 >= len(args) {
			fmt.Fprintln(os.Stderr, "fake kubectl: apply without -f")
			return 1
		}
		var in []byte
		var err error
		if args[i+1] == "-" {
			in, err = io.ReadAll(os.Stdin)
		} else {
			in, err = os.ReadFile(args[i+1])
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "fake kubectl:", err)
			return 1
		}
		call.Input = string(in)
	}
	rec, _ := json.Marshal(call)
	f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake kubectl:", err)
		return 1
	}
	defer f.Close()
	if _, err := f.Write(append(rec, '\n')); err != nil {
		return 1
	}
	_, _ = os.Stdout.Write(out)
	return 0
}

// runDeploy runs deploy/k8s/deploy.sh on overlay of a fresh clone with
// the fake kubectl and returns the calls it made, and its output.
func runDeploy(t *testing.T, overlay string, env []string, images ...string) ([]kubectlCall, string, error) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	root := cloneK8s(t)
	log := filepath.Join(t.TempDir(), "kubectl.log")
	cmd := exec.CommandContext(t.Context(), filepath.Join(root, "deploy.sh"), append([]string{filepath.Join(root, "overlays", overlay)}, images...)...)
	cmd.Env = append(os.Environ(), "KUBECTL="+self, fakeKubectlLog+"="+log, "ACCESS_TOKEN_PRIVATE_KEY=")
	cmd.Env = append(cmd.Env, env...)
	if err := os.Chmod(filepath.Join(root, "deploy.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, runErr := cmd.CombinedOutput()
	var calls []kubectlCall
	raw, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var c kubectlCall
		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatal(err)
		}
		calls = append(calls, c)
	}
	return calls, string(out), runErr
}

// object is what the deploy test reads of a Kubernetes object.
type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
}

func splitObjects(t *testing.T, s string) []object {
	t.Helper()
	var objs []object
	for _, doc := range strings.Split(s, "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var o object
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
	return objs
}

// flagValues returns the values of --name=V and --name V in args.
func flagValues(args []string, names ...string) []string {
	var vs []string
	for i, a := range args {
		for _, name := range names {
			if v, ok := strings.CutPrefix(a, name+"="); ok {
				vs = append(vs, v)
			} else if a == name && i+1 < len(args) {
				vs = append(vs, args[i+1])
			}
		}
	}
	return vs
}

// TestDeployAppliesWholeOverlay runs deploy/k8s/deploy.sh (what the
// pipelines run) on a fresh clone of each overlay with a kubectl that
// records what it is asked: the one apply holds every object the overlay
// renders, each selected by the apply's label selector and of a kind it
// prunes; every platform image is the one pushed; the token key Secrets
// come from the pipeline's secret in dev and not at all in prod; every
// workload's rollout is awaited in the overlay's namespace.
func TestDeployAppliesWholeOverlay(t *testing.T) {
	pushed := []string{
		"harnesshero/harness=registry.example/acme/harness:sha-0123456789ab",
		"harnesshero/web=registry.example/acme/harness-web:sha-0123456789ab",
	}
	keys := t.TempDir()
	writeKeyPair(t, keys, "private.pem", "public.pem")
	privatePEM, err := os.ReadFile(filepath.Join(keys, "private.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		overlay, namespace string
		env                []string
		keySecrets         bool
	}{
		{"dev", "harness-dev", []string{"ACCESS_TOKEN_PRIVATE_KEY=" + string(privatePEM)}, true},
		{"prod", "harness", nil, false},
	} {
		t.Run(tt.overlay, func(t *testing.T) {
			calls, out, err := runDeploy(t, tt.overlay, tt.env, pushed...)
			if err != nil {
				t.Fatalf("deploy.sh: %v\n%s", err, out)
			}
			rendered := build(t, tt.overlay)
			var applies, rollouts []kubectlCall
			secrets := map[string]kubectlCall{}
			for _, c := range calls {
				switch {
				case c.Args[0] == "apply" && slices.Contains(c.Args, "--prune"):
					applies = append(applies, c)
				case slices.Contains(c.Args, "rollout"):
					rollouts = append(rollouts, c)
				case slices.Contains(c.Args, "secret"):
					secrets[c.Args[slices.Index(c.Args, "generic")+1]] = c
				}
			}
			if len(applies) != 1 {
				t.Fatalf("%d pruning applies, want 1: %+v", len(applies), calls)
			}
			apply := applies[0]
			sels := flagValues(apply.Args, "-l", "--selector")
			if len(sels) != 1 {
				t.Fatalf("apply %q: want one label selector", apply.Args)
			}
			sel, err := labels.Parse(sels[0])
			if err != nil || sel.Empty() {
				t.Fatalf("apply selector %q: %v", sels[0], err)
			}
			prunes := flagValues(apply.Args, "--prune-allowlist")
			objs := splitObjects(t, apply.Input)
			count := map[string]int{}
			for _, o := range objs {
				id := o.Kind + "/" + o.Metadata.Name
				count[o.Kind]++
				if !sel.Matches(labels.Set(o.Metadata.Labels)) {
					t.Errorf("%s is not selected by %q: the deploy never applies it", id, sels[0])
				}
				group, version, _ := strings.Cut(o.APIVersion, "/")
				if version == "" {
					group, version = "core", group
				}
				if o.Kind != "Namespace" && !slices.Contains(prunes, group+"/"+version+"/"+o.Kind) {
					t.Errorf("%s: %s/%s/%s is not in the prune allowlist %v: removed from the overlay, it would stay", id, group, version, o.Kind, prunes)
				}
				if o.Kind != "Namespace" && o.Metadata.Namespace != tt.namespace {
					t.Errorf("%s in namespace %q, want %q", id, o.Metadata.Namespace, tt.namespace)
				}
			}
			for kind, want := range map[string]int{
				"Deployment": len(rendered.Deployments), "Service": len(rendered.Services), "HorizontalPodAutoscaler": len(rendered.HPAs),
				"PodDisruptionBudget": len(rendered.PDBs), "NetworkPolicy": len(rendered.Policies), "Ingress": len(rendered.Ingresses),
				"CronJob": len(rendered.CronJobs), "Secret": len(rendered.Secrets), "StatefulSet": len(rendered.StatefulSets),
			} {
				if count[kind] != want {
					t.Errorf("applied %d %s, the overlay renders %d", count[kind], kind, want)
				}
			}
			for _, image := range pushed {
				_, ref, _ := strings.Cut(image, "=")
				if !strings.Contains(apply.Input, "image: "+ref+"\n") {
					t.Errorf("the applied objects never run %s", ref)
				}
			}
			if strings.Contains(apply.Input, "harnesshero/") {
				t.Error("the applied objects still name a harnesshero/* image: a placeholder tag would roll out")
			}
			var awaited []string
			for _, r := range rollouts {
				if ns := flagValues(r.Args, "-n", "--namespace"); !slices.Equal(ns, []string{tt.namespace}) {
					t.Errorf("rollout %q: namespace %v, want %s", r.Args, ns, tt.namespace)
				}
				awaited = append(awaited, r.Args[len(r.Args)-2])
			}
			var workloads []string
			for _, d := range rendered.Deployments {
				workloads = append(workloads, "deployment/"+d.Name)
			}
			for _, s := range rendered.StatefulSets {
				workloads = append(workloads, "statefulset/"+s.Name)
			}
			slices.Sort(awaited)
			slices.Sort(workloads)
			if !slices.Equal(awaited, workloads) {
				t.Errorf("rollouts awaited %v, want every workload %v", awaited, workloads)
			}
			if !tt.keySecrets {
				if len(secrets) > 0 {
					t.Errorf("created Secrets %v; prod's come from its secrets manager", secrets)
				}
				return
			}
			priv, err := auth.ParsePrivateKey([]byte(secrets["harness-access-token-private"].Files["private.pem"]))
			if err != nil {
				t.Fatalf("harness-access-token-private: %v", err)
			}
			pub, err := auth.ParsePublicKey([]byte(secrets["harness-access-token-public"].Files["public.pem"]))
			if err != nil {
				t.Fatalf("harness-access-token-public: %v", err)
			}
			if !pub.Equal(priv.Public()) {
				t.Error("the public key Secret is not the signing key's public half")
			}
			for name, c := range secrets {
				if ns := flagValues(c.Args, "-n"); !slices.Equal(ns, []string{tt.namespace}) {
					t.Errorf("Secret %s created in %v, want %s", name, ns, tt.namespace)
				}
			}
			piped := 0
			for _, c := range calls {
				if c.Args[0] == "apply" && slices.Equal(flagValues(c.Args, "-f"), []string{"-"}) && strings.Contains(c.Input, "kind: Secret") {
					piped++
				}
			}
			if piped != 2 {
				t.Errorf("%d key Secrets applied, want 2", piped)
			}
		})
	}
}

// TestDeployRefusesPlaceholderImages: an image the pipeline did not set
// (here the web app's) stops the deploy before anything is applied.
func TestDeployRefusesPlaceholderImages(t *testing.T) {
	calls, out, err := runDeploy(t, "prod", nil, "harnesshero/harness=registry.example/acme/harness:sha-0123456789ab")
	if err == nil {
		t.Fatalf("deploy.sh without the web image succeeded:\n%s", out)
	}
	if !strings.Contains(out, "harnesshero/web:0000000") {
		t.Errorf("output does not name the unset image:\n%s", out)
	}
	for _, c := range calls {
		if c.Args[0] != "kustomize" {
			t.Errorf("ran kubectl %q after refusing", c.Args)
		}
	}
}
