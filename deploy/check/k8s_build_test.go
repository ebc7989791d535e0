package check_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/harnesshero/platform/deploy/check"
	"github.com/harnesshero/platform/platform/auth"
)

// build builds the overlay from a fresh clone's copy of deploy/k8s (see
// cloneK8s): what the pipeline renders, never a key or other git-ignored
// file a developer made.
func build(t *testing.T, overlay string) *check.Manifests {
	t.Helper()
	m, err := check.BuildKustomization(filepath.Join(cloneK8s(t), "overlays", overlay))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// cloneK8s copies into t.TempDir() the files of deploy/k8s a fresh clone
// holds once the work tree is committed (git ls-files: tracked, and
// untracked but not ignored, as they are in the work tree) and returns the
// copy's root, deploy/k8s.
func cloneK8s(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	cmd := exec.CommandContext(t.Context(), "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "deploy/k8s")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	n := 0
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join(cmd.Dir, name))
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(name, "/keys/") {
			t.Errorf("%s: a key file in the repository", name)
		}
		dst := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("git ls-files deploy/k8s: no file")
	}
	return filepath.Join(root, "deploy", "k8s")
}

// writeKeyPair generates a key pair as the platform does
// (auth.LoadOrCreateKeyPair) and writes its halves to dir/private and
// dir/public.
func writeKeyPair(t *testing.T, dir, private, public string) {
	t.Helper()
	gen := t.TempDir()
	if _, err := auth.LoadOrCreateKeyPair(gen); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for from, to := range map[string]string{auth.PrivateKeyPath(gen): private, auth.PublicKeyPath(gen): public} {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestK8sFreshClone: every overlay builds from a fresh clone, with no
// file `make dev-keys` or anything else git-ignored would have made.
func TestK8sFreshClone(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("..", "k8s", "overlays"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			if m := build(t, e.Name()); len(m.Deployments) == 0 {
				t.Error("no Deployment")
			}
		})
	}
}
