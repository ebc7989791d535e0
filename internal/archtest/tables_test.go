package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// createTable finds the tables a migration creates.
var createTable = regexp.MustCompile(`(?i)create\s+table\s+(?:if\s+not\s+exists\s+)?"?([a-z0-9_]+)`)

// word finds the identifiers in SQL text or a struct tag.
var word = regexp.MustCompile(`[a-z][a-z0-9_]*`)

// tables returns the tables each module's migrations create, by table.
func tables(t *testing.T) map[string]string {
	t.Helper()
	owners := map[string]string{}
	for _, mod := range moduleDirs(t) {
		files, err := filepath.Glob(filepath.Join("..", "..", "modules", mod, "migrations", "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range createTable.FindAllStringSubmatch(string(src), -1) {
				owners[m[1]] = mod
			}
		}
	}
	if len(owners) == 0 {
		t.Fatal("no CREATE TABLE found in modules/*/migrations")
	}
	return owners
}

// moduleDirs lists the modules (folders of modules/).
func moduleDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("..", "..", "modules"))
	if err != nil {
		t.Fatal(err)
	}
	var mods []string
	for _, e := range entries {
		if e.IsDir() {
			mods = append(mods, e.Name())
		}
	}
	return mods
}

// TestModulesOwnTheirTables: every table a module creates carries the
// module's name as its prefix, and no module's code (its store, its
// migrations, its queries and bun models) names a table of another module
// or of the events outbox: a module reads and writes only its own tables
// and reaches the others through their clients or their events (ADR 0029),
// so that each can live on a database of its own.
func TestModulesOwnTheirTables(t *testing.T) {
	owners := tables(t)
	for table, mod := range owners {
		if !strings.HasPrefix(table, mod+"_") {
			t.Errorf("modules/%s creates table %s: a module's tables are named %s_…", mod, table, mod)
		}
	}
	for _, mod := range moduleDirs(t) {
		dir := filepath.Join("..", "..", "modules", mod)
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			for _, name := range foreignTables(t, path, mod, owners) {
				t.Errorf("%s names %s, a table of another module: call that module or consume its events", path, name)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// foreignTables lists the tables not owned by mod that the string
// literals and struct tags of the Go file at path name.
func foreignTables(t *testing.T, path, mod string, owners map[string]string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		for _, w := range word.FindAllString(strings.ToLower(lit.Value), -1) {
			owner, known := owners[w]
			foreign := known && owner != mod
			if foreign || (strings.HasPrefix(w, "events_") && w != "events_") {
				if !slices.Contains(found, w) {
					found = append(found, w)
				}
			}
		}
		return true
	})
	return found
}

// TestForeignTableFound keeps the check honest: a store naming another
// module's table is found.
func TestForeignTableFound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.go")
	src := "package order\n\nconst q = `SELECT id FROM builder_designs WHERE owner = ?`\n\ntype row struct {\n\tX int `bun:\"table:user_users\"`\n}\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	got := foreignTables(t, path, "order", tables(t))
	if !slices.Equal(got, []string{"builder_designs", "user_users"}) {
		t.Errorf("found %v, want [builder_designs user_users]", got)
	}
}
