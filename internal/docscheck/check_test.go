package main

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// testRepo is a small repository: its files, and the Markdown ones' text.
var testRepo = map[string]string{
	"README.md":                    "# Harness Hero\n\n## Run it — quickly\n\n## Run it — quickly\n\n### `make lint` and *tests*\n",
	"docs/ARCHITECTURE.md":         "# Architecture\n\n## Adding a module\n\n<a name=\"old-name\"></a>\n",
	"docs/decisions/0001-x.md":     "# 0001. X\n",
	"docs/x.md":                    "# Doc\n",
	"server/hop.go":                "",
	"platform/rpc/rpc.go":          "",
	"scripts/bench/hop.sh":         "",
	"clients/ts/scripts/size.mjs":  "",
	"clients/ts/README.md":         "",
	"web/lib/money.ts":             "",
	"web/README.md":                "",
	"web/node_modules/x/README.md": "",
}

func newTestChecker() *checker {
	files := make(map[string]bool)
	for name := range testRepo {
		files[name] = true
	}
	c := newChecker(files, func(name string) ([]byte, error) {
		text, ok := testRepo[name]
		if !ok {
			return nil, fmt.Errorf("read %s: no such file", name)
		}
		return []byte(text), nil
	})
	c.ignored = func(p string) bool { return p == "deploy/keys" || p == "web/e2e/screenshots/" }
	return c
}

func TestCheckLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, target, want string
	}{
		{"README.md", "docs/ARCHITECTURE.md", ""},
		{"README.md", "./docs/ARCHITECTURE.md", ""},
		{"README.md", "docs/", ""},
		{"README.md", "docs/MISSING.md", "no such file or folder in the repository"},
		{"README.md", "https://example.com/x", ""},
		{"README.md", "mailto:a@b.c", ""},
		{"README.md", "#run-it--quickly", ""},
		{"README.md", "#run-it--quickly-1", ""},
		{"README.md", "#make-lint-and-tests", ""},
		{"README.md", "#Run-It--Quickly", ""},
		{"README.md", "#run-it--quickly-2", "no heading #run-it--quickly-2 in README.md"},
		{"docs/decisions/0001-x.md", "../ARCHITECTURE.md#adding-a-module", ""},
		{"docs/decisions/0001-x.md", "../ARCHITECTURE.md#old-name", ""},
		{"docs/decisions/0001-x.md", "../ARCHITECTURE.md#removed", "no heading #removed in docs/ARCHITECTURE.md"},
		{"docs/decisions/0001-x.md", "../../server/hop.go", ""},
		{"docs/decisions/0001-x.md", "../../server/hop.go#L10", ""}, // not Markdown: the anchor is not checked
		{"docs/decisions/0001-x.md", "/server/hop.go", ""},
		{"docs/decisions/0001-x.md", "../../../shared/bench/compare.sh", "points outside the repository"},
		{"README.md", "../shared/x.md", "points outside the repository"},
		{"README.md", "/../x.md", "points outside the repository"},
	}
	for _, tt := range tests {
		t.Run(tt.from+"->"+tt.target, func(t *testing.T) {
			t.Parallel()
			if got := newTestChecker().checkLink(tt.from, tt.target); got != tt.want {
				t.Errorf("checkLink(%q, %q) = %q, want %q", tt.from, tt.target, got, tt.want)
			}
		})
	}
}

func TestCheckSpan(t *testing.T) {
	t.Parallel()
	const missing = "no such file or folder in the repository"
	tests := []struct {
		from, span, want string
	}{
		{"README.md", "server/hop.go", ""},
		{"README.md", "./server/hop.go", ""},
		{"README.md", "server/hop.go:42", ""},
		{"README.md", "server/", ""},
		{"README.md", "./platform/...", ""},
		{"README.md", "server/remote.go", missing},
		{"docs/x.md", "scripts/bench/hop.sh", ""},
		{"docs/x.md", "scripts/bench/gone.sh", missing},
		{"README.md", "platform/rpc.Options", ""},        // a Go identifier in a package
		{"README.md", "platform/rpcerr.Error", missing},  // its package is gone
		{"clients/ts/README.md", "scripts/size.mjs", ""}, // next to the README
		{"web/README.md", "lib/money.ts", ""},            // lib/ is a folder of web/
		{"web/README.md", "lib/gone.ts", missing},        //
		{"web/README.md", "e2e/screenshots/", ""},        // ignored by git: generated
		{"README.md", "deploy/keys", ""},                 // ignored by git: generated
		{"README.md", "modules/<name>/module.go", ""},    // a placeholder
		{"README.md", "scripts/*/main.go", ""},           // a pattern
		{"README.md", "go run ./cmd/harness serve", ""},  // a command
		{"README.md", "/readyz", ""},                     // a URL path
		{"README.md", "lib/money.ts", missing},           // a source file: checked wherever it starts
		{"README.md", "loadtest/run.go", missing},        // a moved folder: still checked
		{"README.md", "github.com/x/y", ""},              // not into the repository
		{"README.md", "api/v1", ""},                      // api/ is no folder of this repository
		{"docs/benchmarks.md", "../shared/bench/compare.sh", "points outside the repository"},
		{"docs/decisions/0001-x.md", "../ARCHITECTURE.md", ""},
		{"README.md", "../shared/bench/compare.sh", "points outside the repository"},
	}
	for _, tt := range tests {
		t.Run(tt.from+":"+tt.span, func(t *testing.T) {
			t.Parallel()
			if got := newTestChecker().checkSpan(tt.from, tt.span); got != tt.want {
				t.Errorf("checkSpan(%q, %q) = %q, want %q", tt.from, tt.span, got, tt.want)
			}
		})
	}
}

func TestCheckFile(t *testing.T) {
	t.Parallel()
	text := strings.Join([]string{
		"# Doc", // 1
		"See [the hop](../server/hop.go) and `server/remote.go`.", // 2
		"```sh", // 3
		"cat server/remote.go `server/remote.go` [x](missing.md)", // 4
		"```", // 5
		"A [broken](missing.md \"title\") link, ![img](<../x y.png>).", // 6
		"`[not a link](missing.md)`",                                   // 7
		"[ref]: ../../shared/x.md",                                     // 8
		"<!--",                                                         // 9
		"[hidden](missing.md)",                                         // 10
		"-->",                                                          // 11
		"[here](#doc) [there](#nope)",                                  // 12
	}, "\n")
	got := newTestChecker().checkFile("docs/x.md", text)
	want := []string{
		"docs/x.md:2: `server/remote.go`: no such file or folder in the repository",
		"docs/x.md:6: link missing.md: no such file or folder in the repository",
		"docs/x.md:6: link ../x y.png: no such file or folder in the repository",
		"docs/x.md:8: link ../../shared/x.md: points outside the repository",
		"docs/x.md:12: link #nope: no heading #nope in docs/x.md",
	}
	var gotS []string
	for _, f := range got {
		gotS = append(gotS, f.String())
	}
	if !reflect.DeepEqual(gotS, want) {
		t.Errorf("checkFile:\n got %q\nwant %q", gotS, want)
	}
}

func TestSlug(t *testing.T) {
	t.Parallel()
	tests := []struct{ heading, want string }{
		{"Run it", "run-it"},
		{"0014 One module shape, one RPC edge", "0014-one-module-shape-one-rpc-edge"},
		{"Run it — quickly", "run-it--quickly"},
		{"`make lint` and *tests*", "make-lint-and-tests"},
		{"[ADR 0029](x.md): HAProxy", "adr-0029-haproxy"},
		{"snake_case and C++", "snake_case-and-c"},
		{"Größe über alles", "größe-über-alles"},
	}
	for _, tt := range tests {
		if got := slug(tt.heading); got != tt.want {
			t.Errorf("slug(%q) = %q, want %q", tt.heading, got, tt.want)
		}
	}
}

func TestHeading(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line, want string
		ok         bool
	}{
		{"# Title", "Title", true},
		{"### Title ###", "Title", true},
		{"## C#", "C#", true},
		{"#hashtag", "", false},
		{"    # code", "", false},
		{"####### seven", "", false},
		{"text", "", false},
	}
	for _, tt := range tests {
		got, ok := heading(tt.line)
		if got != tt.want || ok != tt.ok {
			t.Errorf("heading(%q) = %q, %v; want %q, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCodeSpans(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line, rest string
		spans      []string
	}{
		{"a `b` c", "a     c", []string{"b"}},
		{"``a ` b`` c", "          c", []string{"a ` b"}},
		{"an ` unclosed", "an ` unclosed", nil},
		{"`x` and `y`", "    and    ", []string{"x", "y"}},
	}
	for _, tt := range tests {
		rest, spans := codeSpans(tt.line)
		if rest != tt.rest || !reflect.DeepEqual(spans, tt.spans) {
			t.Errorf("codeSpans(%q) = %q, %q; want %q, %q", tt.line, rest, spans, tt.rest, tt.spans)
		}
	}
}

func TestIsDoc(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want bool
	}{
		{"README.md", true},
		{"docs/decisions/0001-x.md", true},
		{"server/hop.go", false},
		{"web/node_modules/x/README.md", false},
		{"clients/ts/dist/README.md", false},
	}
	for _, tt := range tests {
		if got := isDoc(tt.name); got != tt.want {
			t.Errorf("isDoc(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
	for name := range skipFiles {
		if isDoc(name) {
			t.Errorf("isDoc(%q) = true for a file of skipFiles", name)
		}
	}
}
