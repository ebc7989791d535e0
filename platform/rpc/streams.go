package rpc

import (
	"context"
	"errors"
	"io"

	connect "connectrpc.com/connect/v2"
)

// StreamVerdict is a client interceptor for server-streaming calls. When
// the server ends a call before reading its request (the call is refused:
// Unauthenticated, InvalidArgument, NotFound...), the request's Send fails
// with io.EOF, and connect-go v2.0.2's CallServerStream returns that bare
// io.EOF instead of the server's verdict (v1 ignored it). With this
// interceptor the call returns the stream and its first Receive returns
// the verdict, as connect documents for streams. An in-process transport
// meets this on every refused call; HTTP only when the server answers
// before the request is written. Put it first among a client's
// interceptors.
func StreamVerdict(next connect.ClientFunc) connect.ClientFunc {
	return func(ctx context.Context, spec connect.Spec) (connect.ClientStream, error) {
		stream, err := next(ctx, spec)
		if err != nil || spec.StreamType != connect.StreamTypeServer {
			return stream, err
		}
		return verdictStream{stream}, nil
	}
}

// verdictStream leaves the end of a server stream to Receive.
type verdictStream struct{ connect.ClientStream }

func (s verdictStream) Send(msg any) error { return ignoreEOF(s.ClientStream.Send(msg)) }
func (s verdictStream) CloseSend() error   { return ignoreEOF(s.ClientStream.CloseSend()) }

func ignoreEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
