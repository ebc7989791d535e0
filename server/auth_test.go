package server_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"slices"
	"strings"
	"testing"

	connect "connectrpc.com/connect/v2"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	authv1 "github.com/harnesshero/platform/gen/harness/auth/v1"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// contractMethods lists every RPC of every harness contract linked into
// the binary, so a new RPC is covered by the authorization tests without
// anyone remembering to add it.
func contractMethods(t *testing.T) []protoreflect.MethodDescriptor {
	t.Helper()
	var out []protoreflect.MethodDescriptor
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(fd.Package()), "harness.") {
			return true
		}
		for i := range fd.Services().Len() {
			svc := fd.Services().Get(i)
			for j := range svc.Methods().Len() {
				out = append(out, svc.Methods().Get(j))
			}
		}
		return true
	})
	if len(out) < 16 {
		t.Fatalf("found only %d RPCs", len(out))
	}
	return out
}

// call invokes md with an empty request through client and returns the
// error code (0 for success): of the call, or of a server stream's first
// message.
func call(t *testing.T, client *connect.Client, md protoreflect.MethodDescriptor) connect.Code {
	t.Helper()
	spec := connect.Spec{
		StreamType: connect.StreamTypeUnary,
		Procedure:  "/" + string(md.Parent().FullName()) + "/" + string(md.Name()),
		Schema:     md,
	}
	var err error
	if md.IsStreamingServer() {
		spec.StreamType = connect.StreamTypeServer
		var stream connect.ClientStream
		if stream, err = client.CallServerStream(t.Context(), spec, dynamicpb.NewMessage(md.Input())); err == nil {
			err = stream.Receive(dynamicpb.NewMessage(md.Output()))
			_ = stream.Close()
		}
	} else {
		err = client.CallUnary(t.Context(), spec, dynamicpb.NewMessage(md.Input()), dynamicpb.NewMessage(md.Output()))
	}
	if err == nil {
		return 0
	}
	return connect.CodeOf(err)
}

func TestEveryRPCDeclaresAccess(t *testing.T) {
	t.Parallel()
	for _, md := range contractMethods(t) {
		access := md.Options().ProtoReflect().Get(authv1.E_Access.TypeDescriptor()).Enum()
		if authv1.Access(access) == authv1.Access_ACCESS_UNSPECIFIED {
			t.Errorf("%s declares no (harness.auth.v1.access): say who may call it", md.FullName())
		}
	}
}

// TestAuthorizationMatrix calls every RPC of every contract as nobody, as a
// forger, as a user and as an admin, on the platform and on an extracted
// builder service, and checks each answer against the RPC's declared access.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	builderSvc, platform := startExtracted(t, storage.SQLite)
	checkAccess(t, platform, platform, []target{
		{"platform", platform, ""},
		{"builder service", builderSvc, "harness.builder.v1"},
	})
}

// TestAuthorizationMatrixSplit: the same matrix with the five modules in
// five services behind one entry — through the entry, and on each service
// directly for its own contract.
func TestAuthorizationMatrixSplit(t *testing.T) {
	t.Parallel()
	entry, services := startSplit(t, storage.SQLite)
	targets := []target{{"entry", entry, ""}}
	for _, name := range []string{"user", "builder", "order", "analytics"} {
		targets = append(targets, target{name + " service", services[name], "harness." + name + ".v1"})
	}
	checkAccess(t, entry, services["user"], targets)
}

// target is a process the matrix calls: every contract it serves, or only
// the RPCs of one proto package.
type target struct {
	name string
	in   *instance
	pkg  string
}

// checkAccess signs up a user and an admin through entry (the admin made
// on users, the process holding the user module's database) and checks
// every RPC of every target as nobody, a forger, the user and the admin.
func checkAccess(t *testing.T, entry, users *instance, targets []target) {
	t.Helper()
	user := signUp(t, entry.httpTransport())
	admin := signUpAdmin(t, users, entry.httpTransport())
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	forged, _, err := auth.NewIssuer(otherKey, nil).Issue(identity.Identity{UserID: user.id, Role: identity.RoleAdmin, SessionID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	denied := []connect.Code{connect.CodeUnauthenticated, connect.CodePermissionDenied}
	for _, target := range targets {
		checked := 0
		for _, md := range contractMethods(t) {
			if target.pkg != "" && string(md.Parent().ParentFile().Package()) != target.pkg {
				continue // the service serves only its own contract
			}
			checked++
			access := auth.AccessOf(connect.Spec{Schema: md})
			name := target.name + " " + string(md.FullName())
			tr := target.in.httpTransport()
			anonymous := call(t, connect.NewClient(tr), md)
			// A token that does not verify never grants anything: on a
			// public RPC the call is anonymous, elsewhere it is refused.
			for kind, token := range map[string]string{"forged": forged, "garbage": "not-a-jwt"} {
				got := call(t, connect.NewClient(tr, auth.BearerToken(token)), md)
				if access == authv1.Access_ACCESS_PUBLIC {
					if got != anonymous {
						t.Errorf("%s with a %s token: %v, want the anonymous answer %v", name, kind, got, anonymous)
					}
				} else if got != connect.CodeUnauthenticated {
					t.Errorf("%s with a %s token: %v, want unauthenticated", name, kind, got)
				}
			}
			userToken, adminToken := user.token, admin.token
			if md.FullName() == "harness.user.v1.UserService.SignOut" {
				// Signing out ends the session's access token everywhere:
				// sign out of sessions of their own.
				userToken, adminToken = signInAgain(t, entry.httpTransport(), user), signInAgain(t, entry.httpTransport(), admin)
			}
			asUser := call(t, connect.NewClient(tr, auth.BearerToken(userToken)), md)
			asAdmin := call(t, connect.NewClient(tr, auth.BearerToken(adminToken)), md)
			switch access {
			case authv1.Access_ACCESS_PUBLIC:
				if slices.Contains(denied, anonymous) || slices.Contains(denied, asUser) {
					t.Errorf("%s is public but answered anonymous %v, user %v", name, anonymous, asUser)
				}
			case authv1.Access_ACCESS_SIGNED_IN:
				if anonymous != connect.CodeUnauthenticated {
					t.Errorf("%s anonymous: %v, want unauthenticated", name, anonymous)
				}
				if slices.Contains(denied, asUser) || slices.Contains(denied, asAdmin) {
					t.Errorf("%s signed in: user %v, admin %v", name, asUser, asAdmin)
				}
			case authv1.Access_ACCESS_ADMIN:
				if anonymous != connect.CodeUnauthenticated || asUser != connect.CodePermissionDenied {
					t.Errorf("%s admin-only: anonymous %v, user %v", name, anonymous, asUser)
				}
				if slices.Contains(denied, asAdmin) {
					t.Errorf("%s admin-only: admin %v", name, asAdmin)
				}
			case authv1.Access_ACCESS_UNSPECIFIED:
				t.Errorf("%s declares no access", name)
			}
		}
		if checked == 0 {
			t.Errorf("%s: no RPC checked", target.name)
		}
	}
}

// TestOwnership: a user sees and changes only their own designs, through
// every design RPC, in every wiring and on every engine.
func TestOwnership(t *testing.T) {
	t.Parallel()
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			t.Run("Local", func(t *testing.T) {
				t.Parallel()
				in := start(t, engine, nil)
				tr := in.httpTransport()
				alice, bob, admin := signUp(t, tr), signUp(t, tr), signUpAdmin(t, in, tr)
				adminClients := as(tr, admin)
				buildertest.RunOwnership(t, as(tr, alice), as(tr, bob), &adminClients, alice.id)
				inproc := in.p.Transport()
				buildertest.RunOwnership(t, as(inproc, alice), as(inproc, bob), nil, alice.id)
			})
			t.Run("Extracted", func(t *testing.T) {
				t.Parallel()
				builderSvc, platform := startExtracted(t, engine)
				tr := platform.httpTransport()
				alice, bob, admin := signUp(t, tr), signUp(t, tr), signUpAdmin(t, platform, tr)
				adminClients := as(tr, admin)
				buildertest.RunOwnership(t, as(tr, alice), as(tr, bob), &adminClients, alice.id)
				direct := builderSvc.httpTransport()
				buildertest.RunOwnership(t, as(direct, alice), as(direct, bob), nil, alice.id)
			})
		})
	}
}

// TestBuilderServiceVerifiesCallers: the extracted builder service checks
// every caller itself. A missing, forged or expired-key token, or a bare
// user-id header, is refused; the same user sees the same designs through
// the platform and directly.
func TestBuilderServiceVerifiesCallers(t *testing.T) {
	t.Parallel()
	builderSvc, platform := startExtracted(t, storage.SQLite)
	alice := signUp(t, platform.httpTransport())
	viaPlatform, direct := as(platform.httpTransport(), alice), as(builderSvc.httpTransport(), alice)
	created, err := viaPlatform.Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Name: "mine", Design: buildertest.Basic()})
	if err != nil {
		t.Fatalf("CreateDesign via platform: %v", err)
	}
	list := func(c buildertest.Clients) []string {
		res, err := c.Designs.ListDesigns(t.Context(), &builderv1.ListDesignsRequest{})
		if err != nil {
			t.Fatalf("ListDesigns: %v", err)
		}
		var ids []string
		for _, d := range res.GetDesigns() {
			ids = append(ids, d.GetId())
		}
		return ids
	}
	if a, b := list(viaPlatform), list(direct); !slices.Equal(a, b) || !slices.Contains(a, created.GetDesign().GetId()) {
		t.Errorf("via platform %v, direct %v: want the same, holding %s", a, b, created.GetDesign().GetId())
	}

	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	forged, _, _ := auth.NewIssuer(otherKey, nil).Issue(identity.Identity{UserID: alice.id, Role: identity.RoleUser, SessionID: "s"})
	userIDHeader := func(next connect.ClientFunc) connect.ClientFunc {
		return func(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
			ctx, info := connect.NewClientContext(ctx)
			info.RequestHeader().Set("X-User-Id", alice.id)
			info.RequestHeader().Set("X-User-Role", "admin")
			return next(ctx, spec)
		}
	}
	for name, client := range map[string]*connect.Client{
		"no token":       connect.NewClient(builderSvc.httpTransport()),
		"forged token":   connect.NewClient(builderSvc.httpTransport(), auth.BearerToken(forged)),
		"user-id header": connect.NewClient(builderSvc.httpTransport(), userIDHeader),
		"basic auth":     connect.NewClient(builderSvc.httpTransport(), basicAuth),
	} {
		c := buildertest.NewClients(client)
		_, err := c.Designs.ListDesigns(t.Context(), &builderv1.ListDesignsRequest{})
		if connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Errorf("%s: ListDesigns = %v, want unauthenticated", name, err)
		}
		_, err = c.Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Design: buildertest.Basic()})
		if connect.CodeOf(err) != connect.CodeUnauthenticated {
			t.Errorf("%s: CreateDesign = %v, want unauthenticated", name, err)
		}
	}
	if got := list(direct); len(got) != 1 {
		t.Errorf("refused calls changed alice's designs: %v", got)
	}
}

func basicAuth(next connect.ClientFunc) connect.ClientFunc {
	return func(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
		ctx, info := connect.NewClientContext(ctx)
		info.RequestHeader().Set("Authorization", "Basic YWxpY2U6c2VjcmV0")
		return next(ctx, spec)
	}
}
