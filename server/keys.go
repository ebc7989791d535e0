package server

import (
	"crypto/ed25519"
	"fmt"
	"os"

	"github.com/harnesshero/platform/platform/auth"
)

// loadKeys returns the access-token keys this process needs: the private
// key only when it issues tokens (it serves the user module), the public key
// always.
func loadKeys(cfg Config, issues bool) (ed25519.PrivateKey, ed25519.PublicKey, error) {
	var (
		priv ed25519.PrivateKey
		pub  ed25519.PublicKey
		err  error
	)
	if cfg.AccessTokenPublicKeyFile != "" {
		data, err := os.ReadFile(cfg.AccessTokenPublicKeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("server: read access token public key: %w", err)
		}
		if pub, err = auth.ParsePublicKey(data); err != nil {
			return nil, nil, err
		}
		if !issues {
			return nil, pub, nil
		}
	}
	switch {
	case cfg.AccessTokenPrivateKeyFile != "":
		data, err := os.ReadFile(cfg.AccessTokenPrivateKeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("server: read access token private key: %w", err)
		}
		if priv, err = auth.ParsePrivateKey(data); err != nil {
			return nil, nil, err
		}
	default:
		if priv, err = auth.LoadOrCreateKeyPair(cfg.DataDir); err != nil {
			return nil, nil, err
		}
	}
	derived := priv.Public().(ed25519.PublicKey)
	if pub != nil && !pub.Equal(derived) {
		return nil, nil, fmt.Errorf("server: the access token public key does not match the private key")
	}
	if !issues {
		priv = nil
	}
	return priv, derived, nil
}
