package codec

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"sync"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectproto"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// JSONCodec is connect's protobuf JSON codec with a decoding that refuses
// what the lenient default drops silently, and says where a body is wrong.
//
// It decodes strictly first, which costs a valid request nothing more than
// connect's codec — less: plain requests take a fast path (decodeFast)
// that accepts only what protojson accepts. Only when that fails does it look further: an unknown
// field is still ignored (forward compatibility: a newer client may send
// fields this server does not know), but an enum name the contract does
// not define is refused instead of dropped, and every error is a
// *DecodeError naming the field where the body went wrong ("design",
// "lines", "design.name") in plain words. An empty body is refused, as
// connect's codec refuses it, with a message saying to send {}.
//
// Marshaling writes what connect's codec writes, most answers on a faster
// path (MarshalWrite). NewServerInterceptor turns a *DecodeError into
// the same InvalidArgument a broken rule gets.
type JSONCodec struct {
	*connectproto.JSONCodec
	strict, lenient protojson.UnmarshalOptions
}

var _ connect.StableCodec = (*JSONCodec)(nil)

// NewJSONCodec returns a JSONCodec that resolves types in the global
// registry.
func NewJSONCodec() *JSONCodec {
	inner := connectproto.NewJSONCodec()
	lenient := inner.UnmarshalOptions
	lenient.DiscardUnknown = true
	strict := lenient
	strict.DiscardUnknown = false
	return &JSONCodec{JSONCodec: inner, strict: strict, lenient: lenient}
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// answers are the buffers answers are marshaled into.
var answers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// MarshalWrite writes msg as protobuf JSON to dst: on a fast path (see
// appendMessage) for messages made only of what the contracts' answers use,
// else with protojson. Both write the same JSON.
func (c *JSONCodec) MarshalWrite(ctx context.Context, dst io.Writer, msg any) error {
	if done, err := c.marshalFast(dst, msg); done {
		return err
	}
	return c.JSONCodec.MarshalWrite(ctx, dst, msg)
}

// MarshalWriteStable is MarshalWrite with deterministic output (for
// cacheable GET requests): the fast path's is.
func (c *JSONCodec) MarshalWriteStable(ctx context.Context, dst io.Writer, msg any) error {
	if done, err := c.marshalFast(dst, msg); done {
		return err
	}
	return c.JSONCodec.MarshalWriteStable(ctx, dst, msg)
}

// marshalFast writes msg on the fast path and reports whether it did.
func (c *JSONCodec) marshalFast(dst io.Writer, msg any) (bool, error) {
	m, ok := msg.(proto.Message)
	if !ok || c.MarshalOptions != (protojson.MarshalOptions{}) {
		return false, nil
	}
	r := m.ProtoReflect()
	if !r.IsValid() || !isFast(r.Descriptor()) {
		return false, nil
	}
	bp := answers.Get().(*[]byte)
	b, encodeErr := appendMessage((*bp)[:0], r)
	// A value the fast path does not write (invalid UTF-8, a timestamp
	// out of range) is protojson's to refuse, with its own error.
	done := encodeErr == nil
	var err error
	if done {
		_, err = dst.Write(b)
	}
	if cap(b) <= 1<<16 {
		*bp = b[:0]
		answers.Put(bp)
	}
	return done, err
}

// UnmarshalRead decodes protobuf JSON from src into msg. Its errors other
// than src's are *DecodeError.
func (c *JSONCodec) UnmarshalRead(_ context.Context, src io.Reader, msg any) error {
	m, ok := msg.(proto.Message)
	if !ok {
		return fmt.Errorf("validation: %w: got %T", connectproto.ErrNotProtoMessage, msg)
	}
	// connect hands the codec the whole body in a buffer: decode from it
	// without a copy.
	if b, ok := src.(*bytes.Buffer); ok {
		data := b.Bytes()
		defer b.Reset()
		return c.unmarshal(data, m)
	}
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			buffers.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(src); err != nil {
		return err
	}
	return c.unmarshal(buf.Bytes(), m)
}

func (c *JSONCodec) unmarshal(data []byte, m proto.Message) error {
	if c.strict == (protojson.UnmarshalOptions{}) {
		if decodeFast(data, m.ProtoReflect()) == nil {
			return nil
		}
		proto.Reset(m)
	}
	err := c.strict.Unmarshal(data, m)
	if err == nil {
		return nil
	}
	// The error path: find out what is wrong, and where.
	proto.Reset(m)
	if len(bytes.TrimSpace(data)) == 0 {
		return &DecodeError{Rule: RuleJSONSyntax, Message: "the request body is empty: send a JSON object, {} when no field is set"}
	}
	if derr := diagnose(data, m.ProtoReflect().Descriptor()); derr != nil {
		return derr
	}
	// Nothing wrong in the fields this server knows: the strict decode
	// failed on an unknown field, which is ignored.
	if lerr := c.lenient.Unmarshal(data, m); lerr != nil {
		return &DecodeError{Rule: RuleJSONSyntax, Message: plainProtoJSON(lerr)}
	}
	return nil
}

// protojsonPrefix is the "proto: syntax error (line 1:9): " of protojson's
// errors.
var protojsonPrefix = regexp.MustCompile(`^proto:( syntax error)?( \(line \d+:\d+\))?:? ?`)

func plainProtoJSON(err error) string {
	return "is not valid: " + protojsonPrefix.ReplaceAllString(err.Error(), "")
}

// DecodeError is a request body that cannot be decoded as its message,
// with the field where decoding went wrong.
type DecodeError struct {
	// Path is the field's dotted path from the request message, with list
	// subscripts ("lines[2].design"); empty for the body as a whole.
	Path string
	// Rule is one of the RuleJSON* ids, or RuleEnumDefined.
	Rule string
	// Message says what is wrong in plain words, e.g. "must be an object,
	// not text".
	Message string
}

// Error returns "validation: <path>: <message>".
func (e *DecodeError) Error() string {
	if e.Path == "" {
		return "validation: " + e.Message
	}
	return "validation: " + e.Path + ": " + e.Message
}
