// Command devkeys writes a fresh access-token key pair for the dev
// kustomize overlay: private.pem and public.pem in the directory it is
// given, in the platform's own format (platform/auth LoadOrCreateKeyPair).
// A pair already there is kept. `make dev-keys` runs it; the directory is
// git-ignored, so no key enters the repository.
//
//	go run ./scripts/devkeys deploy/k8s/overlays/dev/keys
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/harnesshero/platform/platform/auth"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: devkeys DIR")
		os.Exit(2)
	}
	created, err := run(os.Args[1])
	if err != nil {
		slog.Error("devkeys", "err", err)
		os.Exit(1)
	}
	slog.Info("devkeys", "dir", os.Args[1], "created", created)
}

// run writes dir/private.pem and dir/public.pem unless both exist, and
// reports whether it wrote them.
func run(dir string) (bool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil { //nolint:gosec // G703: dir is the developer's own argument
		return false, fmt.Errorf("devkeys: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return false, fmt.Errorf("devkeys: %w", err)
	}
	defer root.Close()
	if exists(root, "private.pem") && exists(root, "public.pem") {
		return false, nil
	}
	tmp, err := os.MkdirTemp("", "devkeys-")
	if err != nil {
		return false, fmt.Errorf("devkeys: %w", err)
	}
	defer os.RemoveAll(tmp)
	if _, err := auth.LoadOrCreateKeyPair(tmp); err != nil {
		return false, fmt.Errorf("devkeys: %w", err)
	}
	for _, f := range []struct {
		from, to string
		mode     os.FileMode
	}{
		{auth.PrivateKeyPath(tmp), "private.pem", 0o600},
		{auth.PublicKeyPath(tmp), "public.pem", 0o644},
	} {
		data, err := os.ReadFile(f.from)
		if err != nil {
			return false, fmt.Errorf("devkeys: %w", err)
		}
		if err := root.WriteFile(f.to, data, f.mode); err != nil {
			return false, fmt.Errorf("devkeys: %w", err)
		}
	}
	return true, nil
}

func exists(root *os.Root, name string) bool {
	_, err := root.Stat(name)
	return !errors.Is(err, fs.ErrNotExist)
}
