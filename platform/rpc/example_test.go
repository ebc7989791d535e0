package rpc_test

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	connect "connectrpc.com/connect/v2"

	"github.com/harnesshero/platform/platform/rpc"
)

var errNotFound = errors.New("shelf: no such item")

// toConnectError is how a module uses Fallback: its own sentinels first,
// everything else to the shared fallback.
func toConnectError(err error) error {
	switch {
	case errors.Is(err, errNotFound):
		return connect.NewError(connect.CodeNotFound, "item not found").WithCause(err)
	default:
		return rpc.Fallback(err)
	}
}

func ExampleFallback() {
	refused := fmt.Errorf("shelf: load item: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	for _, err := range []error{errNotFound, refused, errors.New("shelf: decode item: bad JSON")} {
		fmt.Println(toConnectError(err))
	}
	// Output:
	// not_found: item not found
	// unavailable: the database is unavailable
	// internal: internal error
}
