package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"

	"github.com/harnesshero/platform/platform/auth"
)

// newHTTPClient returns the HTTP client used to reach extracted modules.
func newHTTPClient() *http.Client {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Client{
		Transport: &http.Transport{
			Protocols:           protocols,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
		},
	}
}

// remoteClient returns a connect client for the module served at baseURL.
// The caller's access token goes with every call (the module verifies it
// itself), and errors are re-authored as this process's own (relayErrors),
// so a module's verdict reaches our caller unchanged instead of being
// scrubbed to Internal as a forwarded remote error.
func remoteClient(httpClient *http.Client, baseURL string) *connect.Client {
	return connect.NewClient(connecthttp.NewTransport(httpClient, baseURL), auth.ForwardToken, relayErrors)
}

// relayErrors re-authors every remote error with its code, message and
// details, keeping the original as the cause.
func relayErrors(next connect.ClientFunc) connect.ClientFunc {
	return func(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
		stream, err := next(ctx, spec)
		if err != nil {
			return nil, relay(err)
		}
		return relayStream{stream}, nil
	}
}

type relayStream struct{ connect.ClientStream }

func (s relayStream) SendHeaders() error    { return relay(s.ClientStream.SendHeaders()) }
func (s relayStream) Send(msg any) error    { return relay(s.ClientStream.Send(msg)) }
func (s relayStream) CloseSend() error      { return relay(s.ClientStream.CloseSend()) }
func (s relayStream) Receive(msg any) error { return relay(s.ClientStream.Receive(msg)) }
func (s relayStream) Close() error          { return relay(s.ClientStream.Close()) }

func relay(err error) error {
	var cerr *connect.Error
	if err == nil || !errors.As(err, &cerr) || !cerr.IsRemote() {
		return err
	}
	out := connect.NewError(cerr.Code(), cerr.Message()).WithCause(err)
	for _, d := range cerr.Details() {
		out = out.WithDetail(d)
	}
	return out
}
