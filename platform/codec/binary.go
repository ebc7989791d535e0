package codec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectproto"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Rule ids of binary protobuf decoding violations.
const (
	// RuleProtoUTF8: a string field whose bytes are not UTF-8 (proto3
	// strings must be).
	RuleProtoUTF8 = "proto.utf8"
	// RuleProtoWire: bytes that are not protobuf's wire format at the
	// named field (cut off, or a varint longer than 64 bits).
	RuleProtoWire = "proto.wire"
)

// BinaryCodec is connect's binary protobuf codec whose decoding errors
// name the field: when a body does not decode, it walks the wire data
// against the message's descriptor and returns a *DecodeError with the
// path of the field that broke it (a string that is not UTF-8, a value cut
// off or a varint that overflows), which NewServerInterceptor turns into
// the InvalidArgument a broken rule gets. A body that decodes costs what it
// costs with connect's codec (one copy less: it decodes from connect's
// buffer).
type BinaryCodec struct {
	*connectproto.BinaryCodec
}

var _ connect.StableCodec = (*BinaryCodec)(nil)

// NewBinaryCodec returns a BinaryCodec that resolves types in the global
// registry.
func NewBinaryCodec() *BinaryCodec {
	return &BinaryCodec{BinaryCodec: connectproto.NewBinaryCodec()}
}

// UnmarshalRead decodes binary protobuf from src into msg. An error that
// diagnoseBinary can place is a *DecodeError.
func (c *BinaryCodec) UnmarshalRead(_ context.Context, src io.Reader, msg any) error {
	m, ok := msg.(proto.Message)
	if !ok {
		return fmt.Errorf("validation: %w: got %T", connectproto.ErrNotProtoMessage, msg)
	}
	if b, ok := src.(*bytes.Buffer); ok {
		defer b.Reset()
		return c.unmarshal(b.Bytes(), m)
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

func (c *BinaryCodec) unmarshal(data []byte, m proto.Message) error {
	err := c.UnmarshalOptions.Unmarshal(data, m)
	if err == nil {
		return nil
	}
	if derr := diagnoseBinary(data, m.ProtoReflect().Descriptor(), "", 0); derr != nil {
		return derr
	}
	return err
}

// maxBinaryDepth bounds the nesting diagnoseBinary follows.
const maxBinaryDepth = 64

// diagnoseBinary walks data as the wire form of a message of type desc
// and returns the first problem found, with the path of its field, or nil.
// It is the error path of BinaryCodec: it need not be fast.
func diagnoseBinary(data []byte, desc protoreflect.MessageDescriptor, path string, depth int) *DecodeError {
	if depth > maxBinaryDepth {
		return nil
	}
	seen := map[protowire.Number]int{} // elements of repeated fields so far
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return wireError(nil, path, n)
		}
		data = data[n:]
		fd := desc.Fields().ByNumber(num)
		fieldPath := path
		if fd != nil {
			fieldPath = JoinPath(path, string(fd.Name()))
			if fd.IsList() {
				fieldPath += "[" + strconv.Itoa(seen[num]) + "]"
				seen[num]++
			}
		}
		n = protowire.ConsumeFieldValue(num, typ, data)
		if n < 0 {
			return wireError(fd, fieldPath, n)
		}
		value := data[:n]
		data = data[n:]
		if fd == nil || typ != protowire.BytesType {
			continue // unknown, or a scalar (which the walk already read)
		}
		b, _ := protowire.ConsumeBytes(value)
		switch {
		case fd.Kind() == protoreflect.StringKind && fd.ParentFile().Syntax() != protoreflect.Proto2 && !utf8.Valid(b):
			return &DecodeError{Path: fieldPath, Rule: RuleProtoUTF8, Message: "is not valid UTF-8 text"}
		case fd.IsMap():
			if err := diagnoseBinary(b, fd.Message(), fieldPath, depth+1); err != nil {
				return err
			}
		case fd.Kind() == protoreflect.MessageKind:
			if err := diagnoseBinary(b, fd.Message(), fieldPath, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// errVarintOverflow is protowire's error for a varint longer than 64
// bits.
var errVarintOverflow = func() error {
	_, n := protowire.ConsumeVarint(bytes.Repeat([]byte{0xff}, 10))
	return protowire.ParseError(n)
}()

// wireError is the violation of wire data protowire could not read at
// path (n is its negative error code); fd is the field there, nil when
// unknown.
func wireError(fd protoreflect.FieldDescriptor, path string, n int) *DecodeError {
	err := protowire.ParseError(n)
	msg := "is not valid protobuf: " + err.Error()
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		msg = "is cut off: the message ends inside it"
	case errors.Is(err, errVarintOverflow) && fd != nil && isInteger(fd.Kind()):
		lo, hi := intRange(fd.Kind())
		msg = fmt.Sprintf("must be a whole number from %d to %d: this one runs past 64 bits", lo, hi)
	case errors.Is(err, errVarintOverflow):
		msg = "has a number that runs past 64 bits"
	}
	return &DecodeError{Path: path, Rule: RuleProtoWire, Message: msg}
}

func isInteger(k protoreflect.Kind) bool {
	switch k {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Uint32Kind, protoreflect.Int64Kind,
		protoreflect.Sint64Kind, protoreflect.Uint64Kind, protoreflect.Sfixed32Kind, protoreflect.Fixed32Kind,
		protoreflect.Sfixed64Kind, protoreflect.Fixed64Kind:
		return true
	case protoreflect.BoolKind, protoreflect.EnumKind, protoreflect.StringKind, protoreflect.BytesKind,
		protoreflect.MessageKind, protoreflect.GroupKind, protoreflect.FloatKind, protoreflect.DoubleKind:
		return false
	}
	return false
}
