package rpc

import (
	connect "connectrpc.com/connect/v2"
	"context"
	"google.golang.org/protobuf/proto"
)

// MapErrors applies a module's error mapping once, at its edge: the
// module's handlers return their domain errors as they are, and toConnect
// (the module's toConnectError) turns whatever a call ends with into a
// Connect error, with the call's request message in hand to name the field
// of a broken rule (nil before a request was read). Give it to
// RegisterGuarded after the module's guards, so that it sits next to the
// handlers; a *connect.Error authored in the module passes through
// toConnect unchanged (Error).
func MapErrors(toConnect func(req proto.Message, err error) error) connect.ServerInterceptor {
	return func(next connect.ServerFunc) connect.ServerFunc {
		return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
			rs := &requestStream{ServerStream: stream}
			if err := next(ctx, spec, rs); err != nil {
				return toConnect(rs.req, err)
			}
			return nil
		}
	}
}

// requestStream remembers the first request message a handler reads.
type requestStream struct {
	connect.ServerStream
	req proto.Message
}

func (s *requestStream) Receive(msg any) error {
	err := s.ServerStream.Receive(msg)
	if m, ok := msg.(proto.Message); ok && s.req == nil && err == nil {
		s.req = m
	}
	return err
}
