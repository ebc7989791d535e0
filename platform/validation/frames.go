package validation

import (
	"errors"
	"io"
	"strings"

	connect "connectrpc.com/connect/v2"
)

// ErrBrokenFrame marks the error of a request whose framing the client
// broke: a gRPC or Connect-stream envelope that promises more bytes than it
// sends, is cut off inside its 5-byte prefix, sets the compressed flag
// without naming an encoding, or sets flags the protocol does not define,
// and a body that ends before its declared length. connect-go answers these
// internal (or unknown), as grpc-go does, and the error keeps that code
// and message on the wire; errors.Is(err, ErrBrokenFrame) tells it from a
// fault of the server's, so the log and the metrics count it as the
// client's. NewServerInterceptor adds it.
var ErrBrokenFrame = errors.New("validation: the client sent a broken request frame")

// framingMessages begin connect-go's (v2.0.2, connecthttp) errors for
// request bytes it could not read as frames; io.ErrUnexpectedEOF is the
// cause of most of them.
var framingMessages = []string{"protocol error: ", "read enveloped message: ", "read message: "}

// markBrokenFrame adds ErrBrokenFrame to err, an error of the request
// stream's Receive, when it is connect's verdict on broken framing.
func markBrokenFrame(err error) error {
	cerr, ok := errors.AsType[*connect.Error](err)
	if !ok || cerr.IsRemote() {
		return err
	}
	if c := cerr.Code(); c != connect.CodeInternal && c != connect.CodeUnknown {
		return err
	}
	framing := errors.Is(err, io.ErrUnexpectedEOF)
	for _, prefix := range framingMessages {
		framing = framing || strings.HasPrefix(cerr.Message(), prefix)
	}
	if !framing {
		return err
	}
	return cerr.WithCause(ErrBrokenFrame)
}
