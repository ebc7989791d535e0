// Package auth issues and verifies the platform's access tokens and
// enforces who may call each RPC.
//
// Access tokens are Ed25519-signed JWTs (EdDSA), valid for 15 minutes. Any
// process holding only the public key verifies them, so an extracted module
// checks every caller itself and never trusts an identity it did not
// verify. Who may call an RPC is declared in its contract with the
// harness.auth.v1.access method option; an RPC that declares nothing needs a
// signed-in caller.
package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Key file names under the data directory's keys/ folder.
const (
	privateKeyFile = "access-token-ed25519.pem"
	publicKeyFile  = "access-token-ed25519.pub.pem"
)

// LoadOrCreateKeyPair returns the key pair kept under dir/keys, creating it
// on first use (private key 0600). Concurrent first starts agree on one pair:
// the loser of the creation race reads the winner's key.
func LoadOrCreateKeyPair(dir string) (ed25519.PrivateKey, error) {
	keysDir := filepath.Join(dir, "keys")
	path := filepath.Join(keysDir, privateKeyFile)
	if key, err := readPrivateKey(path); err == nil {
		return key, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(keysDir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: create keys directory: %w", err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("auth: generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("auth: encode key: %w", err)
	}
	// Write to a temporary file and link it into place: the key appears
	// whole or not at all, and an existing key is never replaced.
	tmp, err := os.CreateTemp(keysDir, ".key-*")
	if err != nil {
		return nil, fmt.Errorf("auth: write key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("auth: write key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("auth: write key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("auth: install key: %w", err)
	}
	key, err = readPrivateKey(path)
	if err != nil {
		return nil, err
	}
	pub, err := EncodePublicKey(key.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(keysDir, publicKeyFile), pub, 0o644); err != nil { //nolint:gosec // G306: a public key is meant to be read by others
		return nil, fmt.Errorf("auth: write public key: %w", err)
	}
	return key, nil
}

func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParsePrivateKey(data)
}

// ParsePrivateKey parses a PEM-encoded PKCS #8 Ed25519 private key.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("auth: private key is not PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("auth: parse private key: %w", err)
	}
	ed, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("auth: private key is %T, want Ed25519", key)
	}
	return ed, nil
}

// ParsePublicKey parses a PEM-encoded PKIX Ed25519 public key.
func ParsePublicKey(data []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("auth: public key is not PEM")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("auth: parse public key: %w", err)
	}
	ed, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("auth: public key is %T, want Ed25519", key)
	}
	return ed, nil
}

// EncodePublicKey returns key as PEM-encoded PKIX.
func EncodePublicKey(key ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return nil, fmt.Errorf("auth: encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// PrivateKeyPath is where LoadOrCreateKeyPair keeps the private key of dir.
func PrivateKeyPath(dir string) string { return filepath.Join(dir, "keys", privateKeyFile) }

// PublicKeyPath is where LoadOrCreateKeyPair keeps the public key of dir.
func PublicKeyPath(dir string) string { return filepath.Join(dir, "keys", publicKeyFile) }
