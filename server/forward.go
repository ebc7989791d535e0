package server

import (
	"context"
	"errors"
	"io"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/gen/harness/order/v1/orderv1connect"
)

// orderForward serves OrderService on a process that does not serve the
// order module, forwarding every call through the module's generated
// client. The unary RPCs have the same signature on both sides; a
// server-streaming one is relayed message by message.
type orderForward struct {
	orderv1connect.OrderServiceClient
}

var _ orderv1connect.OrderServiceHandler = orderForward{}

// WatchOrder relays the module's stream to the caller until it ends, with
// the module's verdict (its errors arrive re-authored by the hop), or until
// the caller goes or this process drains (ctx).
func (f orderForward) WatchOrder(ctx context.Context, req *orderv1.WatchOrderRequest, out orderv1connect.OrderServiceWatchOrderServerStream) error {
	in, err := f.OrderServiceClient.WatchOrder(ctx, req)
	if err != nil {
		return err
	}
	defer in.Close()
	for {
		res, err := in.Receive()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return streamError(ctx, err)
		}
		if err := out.Send(res); err != nil {
			return err
		}
	}
}
