// Package archtest checks the project's layering (STYLE.md, "Three rings"),
// so review does not have to: domain imports only the standard library,
// the platform foundation (platform/) imports no domain, module or server
// package, modules never import each other or the composition root, and
// only cmd imports server. golangci-lint's depguard (.golangci.yml) states
// the same rules for the editor and `make lint`; this test keeps them
// under `make test` without the linter, and covers a new module without
// a config change.
package archtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/harnesshero/platform/"

type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Standard     bool
}

func packages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,TestImports,XTestImports,Standard", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func rel(path string) string { return strings.TrimPrefix(path, module) }

// moduleOf returns "builder" for modules/builder/...
func moduleOf(path string) string {
	r := rel(path)
	if !strings.HasPrefix(r, "modules/") {
		return ""
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(r, "modules/"), "/")
	return name
}

func TestLayering(t *testing.T) {
	pkgs := packages(t)
	if len(pkgs) < 5 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		from := rel(p.ImportPath)
		for _, imp := range p.Imports {
			own := strings.HasPrefix(imp, module)
			to := rel(imp)
			switch {
			case strings.HasPrefix(from, "domain/"):
				first, _, _ := strings.Cut(imp, "/")
				if strings.Contains(first, ".") && !strings.HasPrefix(to, "domain/") {
					t.Errorf("%s imports %s: domain imports only the standard library and domain", from, imp)
				}
			case own && (strings.HasPrefix(to, "server") || strings.HasPrefix(to, "cmd/")) && !strings.HasPrefix(from, "cmd/") && !strings.HasPrefix(from, "server"):
				t.Errorf("%s imports %s: only cmd imports the composition root", from, imp)
			case strings.HasPrefix(from, "platform/") && own && !strings.HasPrefix(to, "platform/") && !strings.HasPrefix(to, "gen/") && !strings.HasPrefix(to, "internal/"):
				t.Errorf("%s imports %s: the platform foundation imports only itself and gen", from, imp)
			case own && moduleOf(p.ImportPath) != "" && moduleOf(imp) != "" && moduleOf(imp) != moduleOf(p.ImportPath):
				t.Errorf("%s imports %s: modules reach each other only through generated clients", from, imp)
			}
		}
	}
}

// TestModuleTestsStayInTheirModule: a module's tests, like its code, reach
// another module only through generated clients — a test that imported
// another module would pass in process and prove nothing about extraction.
func TestModuleTestsStayInTheirModule(t *testing.T) {
	for _, p := range packages(t) {
		from := moduleOf(p.ImportPath)
		if from == "" {
			continue
		}
		for _, imp := range append(p.TestImports, p.XTestImports...) {
			if to := moduleOf(imp); strings.HasPrefix(imp, module) && to != "" && to != from {
				t.Errorf("%s's tests import %s: modules reach each other only through generated clients", rel(p.ImportPath), imp)
			}
		}
	}
}

// TestDepguardCoversModules: .golangci.yml states the "modules never import
// each other" rule once per module (depguard has no "another module"
// pattern), so a new module without its rule fails here rather than going
// unchecked by the linter.
func TestDepguardCoversModules(t *testing.T) {
	config, err := os.ReadFile("../../.golangci.yml")
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := os.ReadDir("../../modules")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		n++
		name := d.Name()
		for _, want := range []string{
			"module-" + name + ":",
			`files: ["${config-path}/modules/` + name + `/**"]`,
			"allow: [" + module + "modules/" + name + "$, " + module + "modules/" + name + "/]",
		} {
			if !strings.Contains(string(config), want) {
				t.Errorf(".golangci.yml: depguard has no rule for module %s (want %q)", name, want)
			}
		}
	}
	if n == 0 {
		t.Fatal("no module under modules/")
	}
}
