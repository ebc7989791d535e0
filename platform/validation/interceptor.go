package validation

import (
	"context"
	"errors"
	"io"
	"strings"

	"buf.build/go/protovalidate"
	connect "connectrpc.com/connect/v2"
	"connectrpc.com/validate"
	"google.golang.org/protobuf/proto"

	"github.com/harnesshero/platform/platform/codec"
)

// NewServerInterceptor validates requests with v, as
// connectrpc.com/validate's interceptor does, and turns a body the codec
// could not decode (a *codec.DecodeError from codec.JSONCodec) into the same
// InvalidArgument error with a buf.validate.Violations detail naming the
// field, so a client reads both alike. A request whose frames are broken
// keeps connect's error, marked with ErrBrokenFrame.
func NewServerInterceptor(v protovalidate.Validator) connect.ServerInterceptor {
	inner := validate.NewServerInterceptor(validate.WithValidator(v))
	return func(next connect.ServerFunc) connect.ServerFunc {
		validated := inner(next)
		return func(ctx context.Context, spec connect.Spec, stream connect.ServerStream) error {
			return validated(ctx, spec, decodeErrorStream{stream})
		}
	}
}

// decodeErrorStream reports a request that could not be decoded as a
// violation, and marks one whose frames are broken (ErrBrokenFrame).
type decodeErrorStream struct{ connect.ServerStream }

func (s decodeErrorStream) Receive(msg any) error {
	err := s.ServerStream.Receive(msg)
	if err == nil || errors.Is(err, io.EOF) {
		return err
	}
	var derr *codec.DecodeError
	if !errors.As(err, &derr) {
		return markBrokenFrame(err)
	}
	m, ok := msg.(proto.Message)
	if !ok {
		return err
	}
	return Error(m, []Violation{{Path: derr.Path, Rule: derr.Rule, Message: strings.TrimSpace(derr.Message)}})
}
