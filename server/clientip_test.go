package server_test

import (
	"context"
	"fmt"
	"testing"

	connect "connectrpc.com/connect/v2"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/gen/harness/user/v1/userv1connect"
	"github.com/harnesshero/platform/platform/storage"
	"github.com/harnesshero/platform/server"
)

// TestSignInThrottleBehindProxy: sign-in failures are throttled per client
// address. Behind a trusted proxy the address is the one it forwards; from
// anyone else X-Forwarded-For is ignored, so a client cannot dodge the
// throttle by inventing addresses.
func TestSignInThrottleBehindProxy(t *testing.T) {
	t.Parallel()
	for _, trusted := range []bool{true, false} {
		t.Run(fmt.Sprintf("trusted=%v", trusted), func(t *testing.T) {
			t.Parallel()
			in := start(t, storage.SQLite, func(c *server.Config) {
				if trusted {
					c.TrustedProxies = []string{"127.0.0.1", "::1"}
				}
			})
			throttled := 0
			for i := range 25 {
				forwarded := fmt.Sprintf("198.51.100.%d", i+1) // a new "client" each time
				client := userv1connect.NewUserServiceClient(connect.NewClient(in.httpTransport(), func(next connect.ClientFunc) connect.ClientFunc {
					return func(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
						ctx, info := connect.NewClientContext(ctx)
						info.RequestHeader().Set("X-Forwarded-For", forwarded)
						return next(ctx, spec)
					}
				}))
				_, err := client.SignIn(t.Context(), &userv1.SignInRequest{
					Email: fmt.Sprintf("nobody%d@example.com", i), Password: "wrong password",
				})
				if connect.CodeOf(err) == connect.CodeResourceExhausted {
					throttled++
				}
			}
			if trusted && throttled != 0 {
				t.Errorf("behind a trusted proxy, %d distinct clients were throttled", throttled)
			}
			if !trusted && throttled == 0 {
				t.Error("an untrusted peer dodged the address throttle with X-Forwarded-For")
			}
		})
	}
}
