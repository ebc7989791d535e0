package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/harnesshero/platform/server"
)

// Manifests are the objects a kustomization builds, decoded into the
// Kubernetes API types, by kind.
type Manifests struct {
	Deployments  []appsv1.Deployment
	StatefulSets []appsv1.StatefulSet
	Services     []corev1.Service
	Secrets      []corev1.Secret
	ConfigMaps   []corev1.ConfigMap
	Namespaces   []corev1.Namespace
	HPAs         []autoscalingv2.HorizontalPodAutoscaler
	PDBs         []policyv1.PodDisruptionBudget
	Policies     []networkingv1.NetworkPolicy
	Ingresses    []networkingv1.Ingress
	CronJobs     []batchv1.CronJob
}

// Deployment returns the Deployment named name, or nil.
func (m *Manifests) Deployment(name string) *appsv1.Deployment {
	i := slices.IndexFunc(m.Deployments, func(d appsv1.Deployment) bool { return d.Name == name })
	if i < 0 {
		return nil
	}
	return &m.Deployments[i]
}

// BuildKustomization builds the kustomization in dir with kustomize's Go
// API (what `kubectl apply -k` runs) and decodes every object strictly:
// a field the API type does not have, or a kind this package does not
// know, is an error.
func BuildKustomization(dir string) (*Manifests, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("check: kustomize build %s: %w", dir, err)
	}
	m := new(Manifests)
	for _, r := range res.Resources() {
		data, err := r.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("check: %s: %w", r.CurId(), err)
		}
		if err := m.add(r.GetApiVersion(), r.GetKind(), data); err != nil {
			return nil, fmt.Errorf("check: %s: %w", r.CurId(), err)
		}
	}
	return m, nil
}

// add decodes one object into its type, refusing unknown fields.
func (m *Manifests) add(apiVersion, kind string, data []byte) error {
	var target any
	switch apiVersion + "/" + kind {
	case "apps/v1/Deployment":
		target = grow(&m.Deployments)
	case "apps/v1/StatefulSet":
		target = grow(&m.StatefulSets)
	case "v1/Service":
		target = grow(&m.Services)
	case "v1/Secret":
		target = grow(&m.Secrets)
	case "v1/ConfigMap":
		target = grow(&m.ConfigMaps)
	case "v1/Namespace":
		target = grow(&m.Namespaces)
	case "autoscaling/v2/HorizontalPodAutoscaler":
		target = grow(&m.HPAs)
	case "policy/v1/PodDisruptionBudget":
		target = grow(&m.PDBs)
	case "networking.k8s.io/v1/NetworkPolicy":
		target = grow(&m.Policies)
	case "networking.k8s.io/v1/Ingress":
		target = grow(&m.Ingresses)
	case "batch/v1/CronJob":
		target = grow(&m.CronJobs)
	default:
		return fmt.Errorf("unchecked kind %s %s: add it to check.Manifests", apiVersion, kind)
	}
	return DecodeStrict(data, target)
}

// DecodeStrict decodes the JSON object data into v, failing on a field v's
// type does not have (a typo such as "readinesProbe" or a field at the
// wrong level) and on trailing data.
func DecodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("strict decode: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("strict decode: trailing data")
	}
	return nil
}

// EnvNames are the environment variables the harness command reads.
type EnvNames map[string]bool

// Reads reports whether the command reads the variable name: one of its
// own, an OTEL_* variable, which it hands to the OpenTelemetry SDK, or one
// the Go runtime reads (GOMEMLIMIT, GOGC, GOMAXPROCS).
func (e EnvNames) Reads(name string) bool {
	return e[name] || strings.HasPrefix(name, "OTEL_") || runtimeEnv[name]
}

// runtimeEnv are the variables the Go runtime itself reads at start.
var runtimeEnv = map[string]bool{"GOMEMLIMIT": true, "GOGC": true, "GOMAXPROCS": true, "GODEBUG": true}

// ServerEnv returns the environment variable names the harness command
// reads: the literal names passed to its env lookups in cmd/harness and
// platform/telemetry (under root, the repository) and its settings' (in
// cmd/harness/settings.go), one per module for a setting's <NAME>.
func ServerEnv(root string) (EnvNames, error) {
	lookups := map[string]bool{"getenv": true, "env": true, "envDuration": true, "envInt": true}
	names := EnvNames{}
	fset := token.NewFileSet()
	var files []string
	for _, dir := range []string{"cmd/harness", "platform/telemetry"} {
		matches, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(dir), "*.go"))
		if err != nil {
			return nil, fmt.Errorf("check: %w", err)
		}
		files = append(files, matches...)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil, fmt.Errorf("check: %w", err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var arg ast.Expr
			switch n := n.(type) {
			case *ast.CallExpr: // getenv("X"), and the settings' str("flag", "X", …)
				fn, ok := n.Fun.(*ast.Ident)
				switch {
				case !ok:
				case lookups[fn.Name] && len(n.Args) > 0:
					arg = n.Args[0]
				case settingKinds[fn.Name] && len(n.Args) > 1:
					arg = n.Args[1]
				}
			case *ast.KeyValueExpr: // a setting's env: "X" (cmd/harness/settings.go)
				if key, ok := n.Key.(*ast.Ident); ok && key.Name == "env" {
					arg = n.Value
				}
			}
			lit, ok := arg.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil {
				for _, name := range expand(s) {
					names[name] = true
				}
			}
			return true
		})
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("check: no env lookups found in %s/cmd/harness", root)
	}
	return names, nil
}

// settingKinds are cmd/harness/settings.go's setting constructors, whose
// second argument is the setting's environment variable.
var settingKinds = map[string]bool{"str": true, "list": true, "duration": true, "integer": true, "perModule": true}

// expand is a setting's environment variable, one per module when it
// holds "<NAME>" (BUILDER_SERVICE_URL for "<NAME>_SERVICE_URL").
func expand(env string) []string {
	if !strings.Contains(env, "<NAME>") {
		return []string{env}
	}
	var out []string
	for _, m := range server.ModuleNames() {
		out = append(out, strings.ReplaceAll(env, "<NAME>", strings.ToUpper(m)))
	}
	return out
}

// grow appends a zero object to *list and returns a pointer to it, for
// decoding into.
func grow[T any](list *[]T) *T {
	*list = append(*list, *new(T))
	return &(*list)[len(*list)-1]
}
