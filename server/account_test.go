package server_test

import (
	"fmt"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"github.com/golang-jwt/jwt/v5"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/internal/testwait"
	"github.com/harnesshero/platform/modules/builder/buildertest"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/storage/storagetest"
)

// TestDeleteAccount: a user deletes their account; sign-in, refresh and
// profile calls fail at once, the old access token stops saving designs
// and placing orders as soon as the modules have consumed user.deleted,
// their designs are gone, and their order stays readable by admins.
func TestDeleteAccount(t *testing.T) {
	t.Parallel()
	for _, engine := range storagetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			in := start(t, engine, nil)
			tr := in.httpTransport()
			admin := signUpAdmin(t, in, tr)
			email := fmt.Sprintf("leaving-%d@example.com", time.Now().UnixNano())
			const password = "correct horse battery"
			reg, err := userv1connect.NewUserServiceClient(connect.NewClient(tr)).Register(t.Context(), &userv1.RegisterRequest{
				Email: email, Password: password, DisplayName: "Leaving Soon",
			})
			if err != nil {
				t.Fatalf("Register: %v", err)
			}
			alice := account{id: reg.GetUser().GetId(), email: email, token: reg.GetSession().GetAccessToken()}
			designID := saveDesign(t, tr, alice, buildertest.Basic())
			placed, err := orders(tr, alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
				Lines: []*orderv1.OrderLineInput{{DesignId: designID, Quantity: 1}}, ShippingAddress: address(),
			})
			if err != nil {
				t.Fatalf("CreateOrder: %v", err)
			}
			users := userv1connect.NewUserServiceClient(connect.NewClient(tr, auth.BearerToken(alice.token)))

			if _, err := users.DeleteAccount(t.Context(), &userv1.DeleteAccountRequest{CurrentPassword: "not my password"}); connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Fatalf("DeleteAccount with a wrong password = %v, want invalid_argument", err)
			}
			if _, err := users.DeleteAccount(t.Context(), &userv1.DeleteAccountRequest{CurrentPassword: password}); err != nil {
				t.Fatalf("DeleteAccount: %v", err)
			}

			// At once, in the user module.
			anonymous := userv1connect.NewUserServiceClient(connect.NewClient(tr))
			for name, call := range map[string]func() error{
				"SignIn": func() error {
					_, err := anonymous.SignIn(t.Context(), &userv1.SignInRequest{Email: email, Password: password})
					return err
				},
				"RefreshSession": func() error {
					_, err := anonymous.RefreshSession(t.Context(), &userv1.RefreshSessionRequest{RefreshToken: reg.GetSession().GetRefreshToken()})
					return err
				},
				"GetProfile": func() error {
					_, err := users.GetProfile(t.Context(), &userv1.GetProfileRequest{})
					return err
				},
				"UpdateProfile": func() error {
					_, err := users.UpdateProfile(t.Context(), &userv1.UpdateProfileRequest{DisplayName: "Back"})
					return err
				},
				"DeleteAccount again": func() error {
					_, err := users.DeleteAccount(t.Context(), &userv1.DeleteAccountRequest{CurrentPassword: password})
					return err
				},
			} {
				if err := call(); connect.CodeOf(err) != connect.CodeUnauthenticated {
					t.Errorf("%s after deletion = %v, want unauthenticated", name, err)
				}
			}

			// In the builder and order modules, once they have consumed
			// user.deleted.
			waitRefused := func(name string, call func() error) {
				t.Helper()
				testwait.Until(t, 30*time.Second, func() error {
					switch err := call(); {
					case err == nil:
						return fmt.Errorf("%s with the deleted user's token succeeded, want unauthenticated", name)
					case connect.CodeOf(err) != connect.CodeUnauthenticated:
						return fmt.Errorf("%s with the deleted user's token: %w, want unauthenticated", name, err)
					}
					return nil
				})
			}
			waitRefused("CreateDesign", func() error {
				_, err := as(tr, alice).Designs.CreateDesign(t.Context(), &builderv1.CreateDesignRequest{Name: "after", Design: buildertest.Basic()})
				return err
			})
			waitRefused("UpdateDesign", func() error {
				_, err := as(tr, alice).Designs.UpdateDesign(t.Context(), &builderv1.UpdateDesignRequest{Id: designID, Name: "after", Design: buildertest.Basic()})
				return err
			})
			waitRefused("CreateOrder", func() error {
				_, err := orders(tr, alice).CreateOrder(t.Context(), &orderv1.CreateOrderRequest{
					Lines: []*orderv1.OrderLineInput{{DesignId: designID, Quantity: 1}}, ShippingAddress: address(),
				})
				return err
			})

			// The designs are gone; the order is kept, with what an
			// invoice needs, linked only by the opaque id.
			// (The builder removes them in its own consumer of
			// user.deleted, which may come after the one refusing tokens.)
			testwait.Until(t, 30*time.Second, func() error {
				listed, err := as(tr, admin).Designs.ListDesigns(t.Context(), &builderv1.ListDesignsRequest{OwnerId: alice.id})
				if err != nil {
					return fmt.Errorf("ListDesigns of the deleted user: %w", err)
				}
				if len(listed.GetDesigns()) != 0 {
					return fmt.Errorf("the deleted user's designs = %v; want none", listed.GetDesigns())
				}
				return nil
			})
			kept, err := orders(tr, admin).AdminGetOrder(t.Context(), &orderv1.AdminGetOrderRequest{Id: placed.GetOrder().GetId()})
			if err != nil {
				t.Fatalf("AdminGetOrder of the deleted user's order: %v", err)
			}
			if o := kept.GetOrder(); o.GetOwnerId() != alice.id || o.GetTotalCents() != placed.GetOrder().GetTotalCents() ||
				o.GetShippingAddress().GetName() != address().GetName() {
				t.Errorf("kept order = %v", o)
			}
		})
	}
}

// TestLongLivedTokenRefused: an access token signed with the platform's
// own key but valid for ten years is refused.
func TestLongLivedTokenRefused(t *testing.T) {
	t.Parallel()
	in := start(t, "sqlite", nil)
	a := signUp(t, in.httpTransport())
	key, err := auth.LoadOrCreateKeyPair(in.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	// The kid of the platform's tokens, from a real one.
	real, _, err := jwt.NewParser().ParseUnverified(a.token, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	claims := real.Claims.(jwt.MapClaims)
	now := time.Now()
	claims["iat"], claims["nbf"], claims["exp"] = now.Unix(), now.Add(-time.Minute).Unix(), now.AddDate(10, 0, 0).Unix()
	forged := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	forged.Header["kid"] = real.Header["kid"]
	token, err := forged.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	users := func(token string) userv1connect.UserServiceClient {
		return userv1connect.NewUserServiceClient(connect.NewClient(in.httpTransport(), auth.BearerToken(token)))
	}
	if _, err := users(a.token).GetProfile(t.Context(), &userv1.GetProfileRequest{}); err != nil {
		t.Fatalf("GetProfile with the issued token: %v", err)
	}
	if _, err := users(token).GetProfile(t.Context(), &userv1.GetProfileRequest{}); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Errorf("GetProfile with a ten-year token = %v, want unauthenticated", err)
	}
}
