package rpc_test

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectinprocess"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/gen/harness/builder/v1/builderv1connect"
	"github.com/harnesshero/platform/platform/auth"
	"github.com/harnesshero/platform/platform/rpc"
)

// quoteAnything answers every Quote: what reaches it was not refused.
type quoteAnything struct {
	builderv1connect.UnimplementedCatalogServiceHandler
}

func (quoteAnything) Quote(context.Context, *builderv1.QuoteRequest) (*builderv1.QuoteResponse, error) {
	return &builderv1.QuoteResponse{}, nil
}

// TestChainModuleCall: a module's call in process (auth.ModuleCall) is
// neither logged nor validated again; the same call from any other client
// is both.
func TestChainModuleCall(t *testing.T) {
	t.Parallel()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	logged := &levels{}
	chain, err := rpc.Chain(rpc.Options{PublicKey: pub, Logger: slog.New(logged)})
	if err != nil {
		t.Fatal(err)
	}
	srv := connect.NewServer(chain...)
	builderv1connect.RegisterCatalogServiceHandler(srv, quoteAnything{})
	invalid := &builderv1.QuoteRequest{} // no design, no quantity
	edge := builderv1connect.NewCatalogServiceClient(connect.NewClient(connectinprocess.New(srv)))
	if _, err := edge.Quote(t.Context(), invalid); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("edge call: %v, want invalid_argument", err)
	}
	module := builderv1connect.NewCatalogServiceClient(connect.NewClient(connectinprocess.New(srv), auth.ModuleCall))
	if _, err := module.Quote(t.Context(), invalid); err != nil {
		t.Errorf("module call: %v, want the handler's answer", err)
	}
	if len(logged.lines) != 1 {
		t.Errorf("rpc lines %q, want one (the edge call's)", logged.lines)
	}
}
