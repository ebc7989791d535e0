package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectinprocess"
	"github.com/golang-jwt/jwt/v5"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/identity"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	id := identity.Identity{UserID: "u1", Role: identity.RoleAdmin, SessionID: "s1"}
	token, exp, err := auth.NewIssuer(key, clock).Issue(id)
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(now.Add(15 * time.Minute)) {
		t.Errorf("expiry = %v, want 15 minutes", exp)
	}
	got, err := auth.NewVerifier(key.Public().(ed25519.PublicKey), clock).Verify(token)
	if err != nil || got.UserID != "u1" || got.Role != identity.RoleAdmin || got.SessionID != "s1" || got.Token != token || !got.Expiry.Equal(exp) {
		t.Errorf("Verify = %+v, %v", got, err)
	}
	parts := strings.Split(token, ".")
	tampered := parts[0] + "." + strings.TrimRight(parts[1], "=") + "x." + parts[2]
	tests := map[string]struct {
		token    string
		verifier *auth.Verifier
	}{
		"other key":      {token, auth.NewVerifier(other.Public().(ed25519.PublicKey), clock)},
		"expired":        {token, auth.NewVerifier(key.Public().(ed25519.PublicKey), func() time.Time { return now.Add(16 * time.Minute) })},
		"not yet issued": {token, auth.NewVerifier(key.Public().(ed25519.PublicKey), func() time.Time { return now.Add(-10 * time.Minute) })},
		"tampered":       {tampered, auth.NewVerifier(key.Public().(ed25519.PublicKey), clock)},
		"alg none":       {"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1MSIsInJvbGUiOiJhZG1pbiJ9.", auth.NewVerifier(key.Public().(ed25519.PublicKey), clock)},
		"garbage":        {"garbage", auth.NewVerifier(key.Public().(ed25519.PublicKey), clock)},
	}
	for name, tt := range tests {
		if _, err := tt.verifier.Verify(tt.token); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("%s: Verify = %v, want ErrInvalidToken", name, err)
		}
	}
}

func TestLoadOrCreateKeyPair(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Concurrent first starts agree on one key.
	keys := make([]ed25519.PrivateKey, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := auth.LoadOrCreateKeyPair(dir)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !k.Equal(keys[0]) {
			t.Fatal("concurrent starts created different keys")
		}
	}
	info, err := os.Stat(auth.PrivateKeyPath(dir))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("private key file: %v, %v; want mode 0600", info.Mode(), err)
	}
	pubPEM, err := os.ReadFile(auth.PublicKeyPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := auth.ParsePublicKey(pubPEM)
	if err != nil || !pub.Equal(keys[0].Public()) {
		t.Errorf("public key file does not match: %v", err)
	}
	again, err := auth.LoadOrCreateKeyPair(dir)
	if err != nil || !again.Equal(keys[0]) {
		t.Errorf("second start: new key or %v", err)
	}
}

// designEcho answers ListDesigns with the caller it sees, in the page token.
type designEcho struct {
	builderv1connect.UnimplementedDesignServiceHandler
}

func (designEcho) ListDesigns(ctx context.Context, _ *builderv1.ListDesignsRequest) (*builderv1.ListDesignsResponse, error) {
	id, _ := identity.FromContext(ctx)
	return &builderv1.ListDesignsResponse{NextPageToken: id.UserID}, nil
}

// designRelay answers GetDesign by calling ListDesigns through another
// module's client: the caller's identity must arrive there, verified again.
type designRelay struct {
	builderv1connect.UnimplementedDesignServiceHandler
	next builderv1connect.DesignServiceClient
}

func (r designRelay) GetDesign(ctx context.Context, _ *builderv1.GetDesignRequest) (*builderv1.GetDesignResponse, error) {
	res, err := r.next.ListDesigns(ctx, &builderv1.ListDesignsRequest{})
	if err != nil {
		return nil, connect.NewError(connect.CodeOf(err), "downstream refused")
	}
	return &builderv1.GetDesignResponse{Design: &builderv1.SavedDesign{OwnerId: res.GetNextPageToken()}}, nil
}

// TestForwardToken: a module calling another through its in-process client
// sends the caller's token, and the other module verifies it itself.
func TestForwardToken(t *testing.T) {
	t.Parallel()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	verifier := auth.NewVerifier(key.Public().(ed25519.PublicKey), nil)

	downstream := connect.NewServer(auth.NewServerInterceptor(verifier))
	builderv1connect.RegisterDesignServiceHandler(downstream, designEcho{})
	for name, interceptors := range map[string][]connect.ClientInterceptor{
		"with ForwardToken":    {auth.ForwardToken},
		"with ModuleCall":      {auth.ModuleCall},
		"without ForwardToken": nil,
	} {
		relay := designRelay{next: builderv1connect.NewDesignServiceClient(
			connect.NewClient(connectinprocess.New(downstream), interceptors...))}
		srv := connect.NewServer(auth.NewServerInterceptor(verifier))
		builderv1connect.RegisterDesignServiceHandler(srv, relay)
		token, _, err := auth.NewIssuer(key, nil).Issue(identity.Identity{UserID: "alice", Role: identity.RoleUser, SessionID: "s"})
		if err != nil {
			t.Fatal(err)
		}
		client := builderv1connect.NewDesignServiceClient(connect.NewClient(connectinprocess.New(srv), auth.BearerToken(token)))
		res, err := client.GetDesign(t.Context(), &builderv1.GetDesignRequest{Id: "x"})
		switch name {
		case "with ForwardToken", "with ModuleCall":
			if err != nil || res.GetDesign().GetOwnerId() != "alice" {
				t.Errorf("%s: downstream saw %q, %v; want alice", name, res.GetDesign().GetOwnerId(), err)
			}
		default:
			if connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Errorf("%s: %v, want unauthenticated (no identity travels by itself)", name, err)
			}
		}
	}
}

// TestModuleCallVerifies: a module's call in process (auth.ModuleCall)
// counts only an identity whose token the callee verifies: a caller
// identity put in the context without a token, or with a token that does
// not verify, is no identity to the callee.
func TestModuleCallVerifies(t *testing.T) {
	t.Parallel()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	verifier := auth.NewVerifier(key.Public().(ed25519.PublicKey), nil)
	downstream := connect.NewServer(auth.NewServerInterceptor(verifier))
	builderv1connect.RegisterDesignServiceHandler(downstream, designEcho{})
	client := builderv1connect.NewDesignServiceClient(connect.NewClient(connectinprocess.New(downstream), auth.ModuleCall))
	issue := func(k ed25519.PrivateKey) string {
		token, _, err := auth.NewIssuer(k, nil).Issue(identity.Identity{UserID: "alice", Role: identity.RoleUser, SessionID: "s"})
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	for name, tc := range map[string]struct {
		caller identity.Identity
		want   connect.Code
	}{
		"verified token":         {identity.Identity{UserID: "alice", Role: identity.RoleUser, SessionID: "s", Token: issue(key)}, 0},
		"no token":               {identity.Identity{UserID: "alice", Role: identity.RoleAdmin, SessionID: "s"}, connect.CodeUnauthenticated},
		"token of another key":   {identity.Identity{UserID: "alice", Role: identity.RoleUser, SessionID: "s", Token: issue(other)}, connect.CodeUnauthenticated},
		"claims not the token's": {identity.Identity{UserID: "mallory", Role: identity.RoleAdmin, SessionID: "s", Token: issue(key)}, 0},
	} {
		res, err := client.ListDesigns(identity.NewContext(t.Context(), tc.caller), &builderv1.ListDesignsRequest{})
		switch {
		case tc.want != 0 && connect.CodeOf(err) != tc.want:
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		case tc.want == 0 && (err != nil || res.GetNextPageToken() != "alice"):
			// The callee's identity is the token's, whatever the
			// caller's context claims beside it.
			t.Errorf("%s: downstream saw %q, %v; want alice", name, res.GetNextPageToken(), err)
		}
	}
}

// TestVerifyLifetime: a token signed by the real key is refused when it
// claims a longer life than an Issuer grants, has no issue time, or was
// issued in the future.
func TestVerifyLifetime(t *testing.T) {
	t.Parallel()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	verifier := auth.NewVerifier(key.Public().(ed25519.PublicKey), func() time.Time { return now })
	kid := func() string {
		// The kid is the issuer's: take it from a token the real Issuer signed.
		tok, _, err := auth.NewIssuer(key, nil).Issue(identity.Identity{UserID: "u", Role: identity.RoleUser, SessionID: "s"})
		if err != nil {
			t.Fatal(err)
		}
		parsed, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
		if err != nil {
			t.Fatal(err)
		}
		return parsed.Header["kid"].(string)
	}()
	sign := func(iat *time.Time, exp time.Time) string {
		c := jwt.MapClaims{
			"iss": "harnesshero", "aud": "harnesshero-api", "sub": "u1",
			"role": "user", "sid": "s1", "exp": exp.Unix(),
		}
		if iat != nil {
			c["iat"] = iat.Unix()
		}
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
		tok.Header["kid"] = kid
		signed, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{"issuer's lifetime", sign(at(0), now.Add(auth.AccessTokenTTL)), true},
		{"lifetime within skew", sign(at(0), now.Add(auth.AccessTokenTTL+20*time.Second)), true},
		{"ten-year token", sign(at(0), now.AddDate(10, 0, 0)), false},
		{"one hour token", sign(at(-time.Minute), now.Add(time.Hour)), false},
		{"no iat", sign(nil, now.Add(time.Minute)), false},
		{"iat in the future", sign(at(5*time.Minute), now.Add(10*time.Minute)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := verifier.Verify(tt.token)
			if tt.ok && err != nil {
				t.Errorf("Verify = %v, want accepted", err)
			}
			if !tt.ok && !errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("Verify = %v, want ErrInvalidToken", err)
			}
		})
	}
}
