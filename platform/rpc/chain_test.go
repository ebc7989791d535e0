package rpc_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"testing"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectinprocess"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/identity"
	"github.com/harnesshero/platform/platform/rpc"
)

const (
	panicID = "0192f0c8-7b7a-7c3e-8a1e-000000000bad"
	faultID = "0192f0c8-7b7a-7c3e-8a1e-00000000fa17"
	// framesID fails with what reads like a broken frame, but is the
	// handler's own (a downstream it could not read): a server fault.
	framesID = "0192f0c8-7b7a-7c3e-8a1e-0000000f4a3e"
)

// orders answers GetOrder with an order owned by the verified caller,
// panics for panicID and fails for faultID and framesID.
type orders struct {
	orderv1connect.UnimplementedOrderServiceHandler
}

func (orders) GetOrder(ctx context.Context, req *orderv1.GetOrderRequest) (*orderv1.GetOrderResponse, error) {
	caller, err := rpc.Require(ctx)
	if err != nil {
		return nil, rpc.Error(req, err)
	}
	switch req.GetId() {
	case panicID:
		panic("boom")
	case faultID:
		return nil, rpc.Error(req, errors.New("rpc_test: the disk is on fire"))
	case framesID:
		return nil, connect.NewError(connect.CodeInternal, "protocol error: promised 9 bytes in enveloped message, got 2 bytes").WithCause(io.ErrUnexpectedEOF)
	}
	return &orderv1.GetOrderResponse{Order: &orderv1.Order{Id: req.GetId(), OwnerId: caller.UserID}}, nil
}

// TestChain: the production chain recovers a panic, authenticates before
// it validates, and hands the handler the verified caller; an Outer
// interceptor (metrics) sees every call with the code its caller hears.
func TestChain(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan connect.Code, 8)
	outer := func(next connect.ServerFunc) connect.ServerFunc {
		return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
			err := next(ctx, spec, stream)
			code := connect.Code(0) // ok
			if err != nil {
				code = connect.CodeOf(err)
			}
			seen <- code
			return err
		}
	}
	chain, err := rpc.Chain(rpc.Options{PublicKey: pub, Outer: []connect.ServerInterceptor{outer}})
	if err != nil {
		t.Fatal(err)
	}
	srv := connect.NewServer(chain...)
	orderv1connect.RegisterOrderServiceHandler(srv, orders{})
	token, _, err := auth.NewIssuer(priv, nil).Issue(identity.Identity{UserID: "u1", Role: identity.RoleUser, SessionID: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	anonymous := orderv1connect.NewOrderServiceClient(connect.NewClient(connectinprocess.New(srv)))
	alice := orderv1connect.NewOrderServiceClient(connect.NewClient(connectinprocess.New(srv), auth.BearerToken(token)))
	const okID = "0192f0c8-7b7a-7c3e-8a1e-3f0c2b1a9d00"
	tests := []struct {
		name   string
		client orderv1connect.OrderServiceClient
		id     string
		code   connect.Code
	}{
		{"anonymous, invalid id: authenticated first", anonymous, "nope", connect.CodeUnauthenticated},
		{"invalid id", alice, "nope", connect.CodeInvalidArgument},
		{"panic", alice, panicID, connect.CodeInternal},
		{"after a panic the server serves", alice, okID, 0},
	}
	for _, tt := range tests {
		res, err := tt.client.GetOrder(t.Context(), &orderv1.GetOrderRequest{Id: tt.id})
		select {
		case code := <-seen:
			if code != tt.code {
				t.Errorf("%s: the outer interceptor saw %v, want %v", tt.name, code, tt.code)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%s: the outer interceptor saw no call", tt.name)
		}
		if tt.code == 0 {
			if err != nil || res.GetOrder().GetOwnerId() != "u1" {
				t.Errorf("%s: %v, %v; want the caller's order", tt.name, res.GetOrder(), err)
			}
			continue
		}
		if got := connect.CodeOf(err); got != tt.code {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.code)
		}
	}
}
