package check_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/harnesshero/platform/deploy/check"
	"github.com/harnesshero/platform/platform/auth"
)

// build builds the overlay from a copy of deploy/k8s in t.TempDir(), with
// a fresh key pair for the dev overlay's secretGenerator where `make
// dev-keys` writes it: nothing is written into the source tree, and a pair
// a developer generated there is not used.
func build(t *testing.T, overlay string) *check.Manifests {
	t.Helper()
	m, err := check.BuildKustomization(filepath.Join(copyK8s(t), "overlays", overlay))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// copyK8s copies deploy/k8s into t.TempDir(), replaces the dev overlay's
// keys/ with a fresh pair, and returns the copy's root.
func copyK8s(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "k8s")
	if err := os.CopyFS(root, os.DirFS(filepath.Join("..", "k8s"))); err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(root, "overlays", "dev", "keys")
	if err := os.RemoveAll(keys); err != nil {
		t.Fatal(err)
	}
	writeKeyPair(t, keys, "private.pem", "public.pem")
	return root
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
