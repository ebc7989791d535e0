package check

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction with its continuation lines
// joined: the keyword upper-cased and the rest as written.
type instruction struct {
	cmd, args string
	line      int
}

// stage is one FROM and the instructions under it.
type stage struct {
	from, name string
	body       []instruction
}

// parseDockerfile reads a Dockerfile into stages: comments and parser
// directives are skipped, a trailing backslash joins the next line.
func parseDockerfile(t *testing.T, path string) []stage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		stages  []stage
		pending strings.Builder
		start   int
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if pending.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if pending.Len() == 0 {
			start = n
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			pending.WriteString(cont + " ")
			continue
		}
		pending.WriteString(line)
		cmd, args, _ := strings.Cut(pending.String(), " ")
		pending.Reset()
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: start}
		if in.cmd == "FROM" {
			fields := strings.Fields(in.args)
			st := stage{from: fields[0]}
			if len(fields) == 3 && strings.EqualFold(fields[1], "AS") {
				st.name = fields[2]
			}
			stages = append(stages, st)
			continue
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("%s:%d: %s before the first FROM", path, in.line, in.cmd)
			}
			continue
		}
		stages[len(stages)-1].body = append(stages[len(stages)-1].body, in)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if pending.Len() > 0 {
		t.Fatalf("%s: ends inside a continued line", path)
	}
	return stages
}

// shellWords splits a simple shell command into words: blanks separate,
// double and single quotes group, and ${NAME} or $(NAME) in words is kept
// as written (the caller substitutes).
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var (
		words []string
		cur   strings.Builder
		quote rune
		in    bool
	)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case strings.ContainsRune(";&|<>`", r):
			t.Fatalf("shellWords: %q is more than one simple command", s)
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		t.Fatalf("shellWords: unbalanced quote in %q", s)
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// goBuild is the `go build` in words (with any leading VAR=value) of the
// one RUN in the stage that builds ./cmd/harness.
func goBuild(t *testing.T, st stage) []string {
	t.Helper()
	var found []string
	for _, in := range st.body {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			if found != nil {
				t.Fatalf("stage %s: more than one go build", st.name)
			}
			found = shellWords(t, in.args)
		}
	}
	if found == nil {
		t.Fatalf("stage %s: no RUN go build", st.name)
	}
	return found
}

// repoRoot is the platform's repository (deploy/check is two levels down).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestDockerfile(t *testing.T) {
	root := repoRoot(t)
	stages := parseDockerfile(t, filepath.Join(root, "deploy", "Dockerfile"))
	if len(stages) < 2 {
		t.Fatalf("want a multi-stage build, got %d stage(s)", len(stages))
	}
	final := stages[len(stages)-1]

	t.Run("final stage", func(t *testing.T) {
		base := final.from
		if !strings.HasPrefix(base, "gcr.io/distroless/static") && base != "scratch" {
			t.Errorf("final stage FROM %s: want distroless/static or scratch (no shell, no libc)", base)
		}
		var user string
		for _, in := range final.body {
			switch in.cmd {
			case "HEALTHCHECK":
				t.Errorf("line %d: HEALTHCHECK: the orchestrator's probes check health", in.line)
			case "USER":
				user = in.args
			case "VOLUME":
				t.Errorf("line %d: VOLUME: mounts belong to the deployment", in.line)
			case "RUN":
				t.Errorf("line %d: RUN in the final stage: it has no shell", in.line)
			}
		}
		name, _, _ := strings.Cut(user, ":")
		if name == "" || name == "root" || name == "0" {
			t.Errorf("USER %q: want a non-root user", user)
		}
		// /data is owned by the server's uid whatever builds the image: a
		// WORKDIR alone makes it root's (classic builder) or the USER's
		// (BuildKit), and a volume mounted there inherits that owner.
		owned := false
		for _, in := range final.body {
			fields := strings.Fields(in.args)
			if in.cmd == "COPY" && slices.Contains(fields, "--chown=65532:65532") && fields[len(fields)-1] == "/data" {
				owned = true
			}
		}
		if !owned {
			t.Error("the final stage does not COPY --chown=65532:65532 a directory to /data")
		}
	})

	t.Run("base images pinned", func(t *testing.T) {
		for _, st := range stages {
			if st.from == "scratch" || slices.ContainsFunc(stages, func(o stage) bool { return o.name == st.from }) {
				continue
			}
			_, tag, hasTag := strings.Cut(st.from[strings.LastIndex(st.from, "/")+1:], ":")
			if !strings.Contains(st.from, "@sha256:") && (!hasTag || tag == "latest") {
				t.Errorf("FROM %s: pin a version tag or digest", st.from)
			}
		}
	})

	t.Run("no healthcheck anywhere", func(t *testing.T) {
		for _, st := range stages {
			for _, in := range st.body {
				if in.cmd == "HEALTHCHECK" {
					t.Errorf("stage %s line %d: HEALTHCHECK", st.name, in.line)
				}
			}
		}
	})

	// The binary the image copies is the one make build-release builds.
	var build stage
	for _, in := range final.body {
		if in.cmd == "COPY" && strings.Contains(in.args, "--from=") {
			from := strings.TrimPrefix(strings.Fields(in.args)[0], "--from=")
			for _, st := range stages {
				if st.name == from {
					build = st
				}
			}
		}
	}
	if build.name == "" {
		t.Fatal("the final stage copies from no named build stage")
	}
	docker := goBuild(t, build)
	const version = "v0.0.0-checked"
	for i, w := range docker {
		docker[i] = strings.ReplaceAll(w, "${VERSION}", version)
	}
	// Run from `make test`, make's own variables would add directory lines.
	mkCmd := exec.CommandContext(t.Context(), "make", "-s", "-n", "--no-print-directory", "-C", root, "build-release", "VERSION="+version)
	mkCmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "MAKEFLAGS=") || strings.HasPrefix(kv, "MAKELEVEL=") || strings.HasPrefix(kv, "MFLAGS=")
	})
	out, err := mkCmd.Output()
	if err != nil {
		t.Fatalf("make -n build-release: %v", err)
	}
	var mk []string
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, "go build") {
			mk = shellWords(t, strings.TrimSpace(line))
		}
	}
	if mk == nil {
		t.Fatalf("make -n build-release runs no go build:\n%s", out)
	}
	t.Run("flags equal make build-release", func(t *testing.T) {
		strip := func(words []string) []string { // drop -o and its operand
			i := slices.Index(words, "-o")
			if i < 0 || i+1 >= len(words) {
				t.Fatalf("no -o in %q", words)
			}
			return slices.Delete(slices.Clone(words), i, i+2)
		}
		if d, m := strip(docker), strip(mk); !slices.Equal(d, m) {
			t.Errorf("Dockerfile builds with\n  %q\nmake build-release with\n  %q", d, m)
		}
		if !slices.Contains(docker, "CGO_ENABLED=0") || !slices.Contains(docker, "-trimpath") {
			t.Errorf("want a static -trimpath build, got %q", docker)
		}
	})

	t.Run("version baked in", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "harness")
		var env []string
		args := slices.Clone(docker)
		for len(args) > 0 && strings.Contains(args[0], "=") {
			env, args = append(env, args[0]), args[1:]
		}
		i := slices.Index(args, "-o")
		args[i+1] = bin
		if args[0] != "go" {
			t.Fatalf("want go build, got %q", args)
		}
		cmd := exec.CommandContext(t.Context(), "go", args[1:]...)
		cmd.Dir, cmd.Env = root, append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%q: %v\n%s", docker, err, out)
		}
		got, err := exec.CommandContext(t.Context(), bin, "version").Output()
		if err != nil {
			t.Fatalf("harness version: %v", err)
		}
		if !strings.Contains(string(got), version) {
			t.Errorf("harness version printed %q, want %q", got, version)
		}
	})
}
