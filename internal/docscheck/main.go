// Command docscheck checks that the repository's Markdown says true things
// about where things are. For every Markdown file git knows (tracked, or new
// and not ignored; node_modules and generated folders left out) it reports
//
//   - a relative link whose target file or folder does not exist, or whose
//     #anchor names no heading of the target (GitHub's heading slugs);
//   - a link that leaves the repository (e.g. ../shared/x.md);
//   - a backticked path into the repository (it contains "/" and starts with
//     one of the repository's top-level folders, e.g. `server/hop.go`) that
//     does not exist. A path git ignores (a generated file such as
//     deploy/k8s/overlays/dev/keys) counts as existing.
//
// Links and spans inside fenced code blocks are not read. A file that no
// longer exists is named without backticks (and says it was removed), so the
// rule stays simple: a backticked path exists today.
//
// Each failure is printed as file:line: message and the command exits 1; it
// exits 2 when it cannot run (no git). `make lint` runs it from the root:
//
//	go run ./internal/docscheck
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// skipFiles lists Markdown files that are not checked yet, each with the
// reason. Links into them are still checked. Remove an entry when its file
// is fixed; the goal is an empty list.
var skipFiles = map[string]string{}

// skipSegments are folder names whose Markdown is generated or vendored.
var skipSegments = map[string]bool{
	"node_modules": true,
	".next":        true,
	"dist":         true,
	"dist-test":    true,
}

func main() {
	code, err := run(os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "docscheck:", err)
	}
	os.Exit(code)
}

// run checks the repository holding the working directory, prints the
// failures to w and returns the exit code.
func run(w io.Writer) (int, error) {
	root, err := output(git("rev-parse", "--show-toplevel"))
	if err != nil {
		return 2, fmt.Errorf("find the repository root: %w", err)
	}
	root = strings.TrimSpace(root)
	files, err := listFiles(root)
	if err != nil {
		return 2, err
	}
	c := newChecker(files, func(p string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		return b, nil
	})
	// First pass: the paths that do not exist; then ask git once which of
	// them it ignores (generated paths), and check again knowing that.
	var missing []string
	c.ignored = func(p string) bool {
		missing = append(missing, p)
		return false
	}
	if _, _, err := checkAll(c); err != nil {
		return 2, err
	}
	ignored, err := ignoredPaths(root, missing)
	if err != nil {
		return 2, err
	}
	c.ignored = func(p string) bool { return ignored[p] }
	fails, checked, err := checkAll(c)
	if err != nil {
		return 2, err
	}
	for _, f := range fails {
		fmt.Fprintln(w, f)
	}
	if len(fails) > 0 {
		fmt.Fprintf(os.Stderr, "docscheck: %d failures in %d Markdown files\n", len(fails), checked)
		return 1, nil
	}
	return 0, nil
}

// checkAll checks every Markdown file of c and returns the failures and
// the number of files checked.
func checkAll(c *checker) ([]failure, int, error) {
	var fails []failure
	checked := 0
	for _, name := range sortedKeys(c.files) {
		if !isDoc(name) {
			continue
		}
		text, err := c.read(name)
		if err != nil {
			return nil, 0, err
		}
		fails = append(fails, c.checkFile(name, string(text))...)
		checked++
	}
	return fails, checked, nil
}

// isDoc reports whether name is a Markdown file to check.
func isDoc(name string) bool {
	if !strings.HasSuffix(name, ".md") {
		return false
	}
	if _, skip := skipFiles[name]; skip {
		return false
	}
	for _, seg := range strings.Split(path.Dir(name), "/") {
		if skipSegments[seg] {
			return false
		}
	}
	return true
}

// listFiles returns the files of the working tree that git tracks or would
// track (new, not ignored), minus those deleted from the working tree, as
// slash paths relative to root.
func listFiles(root string) (map[string]bool, error) {
	cmd := git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := output(cmd)
	if err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	files := make(map[string]bool)
	for _, name := range strings.Split(out, "\x00") {
		if name == "" {
			continue
		}
		if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(name))); err != nil {
			continue // deleted in the working tree, not yet committed
		}
		files[name] = true
	}
	return files, nil
}

// ignoredPaths returns which of paths git's ignore rules match, whether or
// not they exist (a path ending in / is matched as a folder).
func ignoredPaths(root string, paths []string) (map[string]bool, error) {
	ignored := make(map[string]bool)
	if len(paths) == 0 {
		return ignored, nil
	}
	cmd := git("check-ignore", "--no-index", "--stdin")
	cmd.Dir = root
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\n") + "\n")
	out, err := output(cmd)
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		return ignored, nil // none is ignored
	}
	if err != nil {
		return nil, fmt.Errorf("check ignored paths: %w", err)
	}
	for _, p := range strings.Split(out, "\n") {
		if p != "" {
			ignored[p] = true
		}
	}
	return ignored, nil
}

// output runs cmd and returns its standard output; a failure carries git's
// message.
// git is a git command; the check is a short batch run, never cancelled.
func git(args ...string) *exec.Cmd {
	return exec.CommandContext(context.Background(), "git", args...) //nolint:gosec // G204: the arguments are this program's own constants
}

func output(cmd *exec.Cmd) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args, " "), err, msg)
		}
		return "", fmt.Errorf("%s: %w", strings.Join(cmd.Args, " "), err)
	}
	return stdout.String(), nil
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
