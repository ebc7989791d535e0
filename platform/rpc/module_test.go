package rpc_test

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
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

// TestChainForwarded: a forwarded procedure's request is decoded but not
// validated (the process serving it validates it); a body that does not
// decode is still refused naming its field.
func TestChainForwarded(t *testing.T) {
	t.Parallel()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := rpc.Chain(rpc.Options{PublicKey: pub, Forwarded: []string{"/harness.builder.v1."}})
	if err != nil {
		t.Fatal(err)
	}
	srv := connect.NewServer(chain...)
	builderv1connect.RegisterCatalogServiceHandler(srv, quoteAnything{})
	mux := http.NewServeMux()
	connecthttp.Mount(mux, srv, rpc.Codecs())
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	client := builderv1connect.NewCatalogServiceClient(connect.NewClient(connecthttp.NewTransport(hs.Client(), hs.URL, connecthttp.WithProtoJSON())))
	if _, err := client.Quote(t.Context(), &builderv1.QuoteRequest{}); err != nil {
		t.Errorf("forwarded, undecided by rules: %v, want the handler's answer", err)
	}
	res, err := hs.Client().Post(hs.URL+"/harness.builder.v1.CatalogService/Quote", "application/json", strings.NewReader(`{"design": 5}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"invalid_argument"`) || !strings.Contains(string(body), "design: must be an object") {
		t.Errorf("undecodable body: %s %s, want 400 invalid_argument naming design", res.Status, body)
	}
}
