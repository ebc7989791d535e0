package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/harnesshero/platform/platform/auth"
)

// TestRun: the pair loads as the platform loads its key files and pairs
// up; a second run keeps it.
func TestRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	read := func(name string) []byte {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	if created, err := run(dir); err != nil || !created {
		t.Fatalf("run = %v, %v; want created", created, err)
	}
	priv, err := auth.ParsePrivateKey(read("private.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := auth.ParsePublicKey(read("public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(priv.Public()) {
		t.Error("public.pem is not private.pem's public half")
	}
	if fi, err := os.Stat(filepath.Join(dir, "private.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("private.pem: %v, %v; want mode 0600", fi, err)
	}
	before := read("private.pem")
	if created, err := run(dir); err != nil || created {
		t.Fatalf("second run = %v, %v; want kept", created, err)
	}
	if !bytes.Equal(read("private.pem"), before) {
		t.Error("second run replaced the key")
	}
}
