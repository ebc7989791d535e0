// Package validation holds the platform's request validation: protovalidate
// with field-anchored cross-field rules, and the one way every module reports
// a rule broken in domain code, so both read the same on the wire.
//
// A message-level CEL rule has no field of its own. By convention its id is
// "<field path>.<rule>" (for example "hardware.leather_hardware"); the
// Validator returned by New reports such a violation on that field, so a
// client sees design.hardware, not just design.
//
// Rules a contract cannot state come from the module that owns them as a
// Check, run by the same Validator, so one error lists every violation. A
// request body that does not decode is reported the same way: JSONCodec
// names the field where the body is wrong, and NewServerInterceptor turns
// that into the InvalidArgument a broken rule gets.
package validation

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	validatepb "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectproto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// New returns a protovalidate Validator that anchors message-level rule
// violations on the field their id names, and runs checks on every message
// of their type inside the validated one, merging their violations into the
// same error: a request breaking a contract rule and a check reports both at
// once.
func New(checks ...Check) (protovalidate.Validator, error) {
	inner, err := protovalidate.New()
	if err != nil {
		return nil, fmt.Errorf("validation: %w", err)
	}
	a := &anchoring{inner: inner}
	if len(checks) > 0 {
		a.checks = newCheckSet(checks)
	}
	return a, nil
}

type anchoring struct {
	inner  protovalidate.Validator
	checks *checkSet // nil without checks
}

func (a *anchoring) Validate(msg proto.Message, opts ...protovalidate.ValidationOption) error {
	err := a.inner.Validate(msg, opts...)
	var verr *protovalidate.ValidationError
	if err != nil && !errors.As(err, &verr) {
		return err
	}
	root := msg.ProtoReflect().Descriptor()
	if verr != nil {
		for _, v := range verr.Violations {
			anchor(root, v.Proto)
		}
	}
	if a.checks == nil {
		return err
	}
	extra := a.checks.run(msg.ProtoReflect())
	if len(extra) == 0 {
		return err
	}
	if verr == nil {
		verr = &protovalidate.ValidationError{}
	}
	for _, v := range extra {
		verr.Violations = append(verr.Violations, toProtovalidate(root, v))
	}
	return verr
}

// anchor appends to v's field path the field named by the prefix of its rule
// id, when the path ends on a message that has such a field.
func anchor(root protoreflect.MessageDescriptor, v *validatepb.Violation) {
	desc := root
	for _, el := range v.GetField().GetElements() {
		fd := desc.Fields().ByNumber(protoreflect.FieldNumber(el.GetFieldNumber()))
		if fd == nil || fd.Message() == nil || (fd.IsList() && !el.HasIndex()) || fd.IsMap() {
			return
		}
		desc = fd.Message()
	}
	id := v.GetRuleId()
	dot := strings.LastIndexByte(id, '.')
	if dot < 0 {
		return
	}
	elements, ok := resolve(desc, id[:dot])
	if !ok {
		return
	}
	path := v.GetField()
	if path == nil {
		path = &validatepb.FieldPath{}
	}
	path.SetElements(append(path.GetElements(), elements...))
	v.SetField(path)
}

// Violation is a rule broken in domain code.
type Violation struct {
	// Path is the dotted field path from the request message, with list
	// subscripts, e.g. "design.size" or "lines[2].design.hardware"; empty
	// for the request as a whole.
	Path string
	// Rule is the rule's stable id.
	Rule string
	// Message is the human sentence.
	Message string
}

// Error returns the InvalidArgument error for violations of msg, shaped
// exactly as the validation interceptor's: the message lists each
// "path: message [rule]" and a buf.validate.Violations detail carries the
// field paths.
func Error(msg proto.Message, violations []Violation) *connect.Error {
	verr := &protovalidate.ValidationError{}
	root := msg.ProtoReflect().Descriptor()
	for _, v := range violations {
		verr.Violations = append(verr.Violations, toProtovalidate(root, v))
	}
	cerr := connect.NewError(connect.CodeInvalidArgument, verr.Error()).WithCause(verr)
	if detail, err := connectproto.NewErrorDetail(verr.ToProto()); err == nil {
		cerr = cerr.WithDetail(detail)
	}
	return cerr
}

// toProtovalidate turns v into a protovalidate violation with the field path
// of its dotted path in root. An empty path names no field: the request as a
// whole.
func toProtovalidate(root protoreflect.MessageDescriptor, v Violation) *protovalidate.Violation {
	var elements []*validatepb.FieldPathElement
	if v.Path != "" {
		var ok bool
		if elements, ok = resolve(root, v.Path); !ok {
			// A path the message does not have is a bug in the caller; keep
			// the path in the text rather than lose it.
			v.Message = v.Path + ": " + v.Message
		}
	}
	b := validatepb.Violation_builder{
		RuleId:  proto.String(v.Rule),
		Message: proto.String(v.Message),
	}
	if len(elements) > 0 {
		b.Field = validatepb.FieldPath_builder{Elements: elements}.Build()
	}
	return &protovalidate.Violation{Proto: b.Build()}
}

// resolve turns a dotted path such as "lines[2].design.size" into field path
// elements of desc. It reports false when a segment names no field.
func resolve(desc protoreflect.MessageDescriptor, path string) ([]*validatepb.FieldPathElement, bool) {
	var elements []*validatepb.FieldPathElement
	for seg := range strings.SplitSeq(path, ".") {
		if desc == nil {
			return nil, false
		}
		name, index, hasIndex := seg, uint64(0), false
		if open := strings.IndexByte(seg, '['); open > 0 && strings.HasSuffix(seg, "]") {
			n, err := strconv.ParseUint(seg[open+1:len(seg)-1], 10, 64)
			if err != nil {
				return nil, false
			}
			name, index, hasIndex = seg[:open], n, true
		}
		fd := desc.Fields().ByName(protoreflect.Name(name))
		if fd == nil {
			return nil, false
		}
		b := validatepb.FieldPathElement_builder{
			FieldNumber: proto.Int32(int32(fd.Number())),
			FieldName:   proto.String(string(fd.Name())),
			FieldType:   descriptorpb.FieldDescriptorProto_Type(fd.Kind()).Enum(),
		}
		if hasIndex {
			b.Index = proto.Uint64(index)
		}
		elements = append(elements, b.Build())
		desc = fd.Message()
	}
	return elements, len(elements) > 0
}
