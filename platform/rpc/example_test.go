package rpc_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"

	connect "connectrpc.com/connect/v2"
	"google.golang.org/protobuf/proto"

	orderv1 "github.com/harnesshero/platform/gen/harness/order/v1"
	"github.com/harnesshero/platform/platform/rpc"
)

var errNotFound = errors.New("shelf: no such item")

// toConnectError is how a module uses Error: its own sentinels first,
// everything else to the shared edge.
func toConnectError(req proto.Message, err error) error {
	switch {
	case errors.Is(err, errNotFound):
		return connect.NewError(connect.CodeNotFound, "item not found").WithCause(err)
	default:
		return rpc.Error(req, err)
	}
}

func ExampleError() {
	req := &orderv1.ListOrdersRequest{PageToken: "not-a-token"}
	_, noCaller := rpc.Require(context.Background())
	_, badToken := rpc.ParsePage(req.GetPageSize(), req.GetPageToken())
	refused := fmt.Errorf("shelf: load item: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	for _, err := range []error{errNotFound, noCaller, badToken, refused, errors.New("shelf: decode item: bad JSON")} {
		fmt.Println(connect.CodeOf(toConnectError(req, err)))
	}
	fmt.Println(errors.Is(badToken, rpc.ErrInvalidPageToken))
	// Output:
	// not_found
	// unauthenticated
	// invalid_argument
	// unavailable
	// internal
	// true
}
