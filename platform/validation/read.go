package validation

import (
	"errors"

	validatepb "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectproto"
)

// ViolationsOf returns the violations an InvalidArgument error carries in
// its buf.validate.Violations details — what a Go client reads to tell
// which fields were refused and why. It returns nil for any other error.
func ViolationsOf(err error) []Violation {
	var cerr *connect.Error
	if !errors.As(err, &cerr) || cerr.Code() != connect.CodeInvalidArgument {
		return nil
	}
	var out []Violation
	for _, d := range cerr.Details() {
		msg, err := connectproto.UnmarshalErrorDetail(d)
		if err != nil {
			continue
		}
		vs, ok := msg.(*validatepb.Violations)
		if !ok {
			continue
		}
		for _, v := range vs.GetViolations() {
			out = append(out, Violation{Path: protovalidate.FieldPathString(v.GetField()), Rule: v.GetRuleId(), Message: v.GetMessage()})
		}
	}
	return out
}
