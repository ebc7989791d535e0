package server

import (
	"buf.build/go/protovalidate"
	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connecthttp"
	"connectrpc.com/connect/v2/connectproto"

	"github.com/harnesshero/platform/modules/builder"
	"github.com/harnesshero/platform/platform/validation"
)

// newValidator returns the request validator: the contracts' rules plus the
// checks modules contribute that a contract cannot state (the builder's
// size fit), reported together.
func newValidator() (protovalidate.Validator, error) {
	return validation.New(builder.ValidationChecks()...)
}

// validateInterceptor validates requests with v and reports a body that
// cannot be decoded the same way, naming the field.
func validateInterceptor(v protovalidate.Validator) connect.ServerInterceptor {
	return validation.NewServerInterceptor(v)
}

// codecs are the codecs the HTTP routes accept: binary protobuf, and JSON
// that refuses undefined enum names and names the field of a decoding
// error (see validation.JSONCodec).
func codecs() connecthttp.Option {
	return connecthttp.WithCodecs(connectproto.NewBinaryCodec(), validation.NewJSONCodec())
}
