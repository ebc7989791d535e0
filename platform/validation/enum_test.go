package validation_test

import (
	"errors"
	"testing"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/harnesshero/platform/platform/validation"
)

// TestEveryEnumFieldRefusesUndefinedValues proves that every enum field of
// every request, a list filter included, refuses a number its enum does not
// define, with a violation on that field: a new enum field without
// defined_only fails here. (An undefined name sent as JSON is refused by
// JSONCodec before validation; see TestJSONCodecNamesTheField.)
func TestEveryEnumFieldRefusesUndefinedValues(t *testing.T) {
	t.Parallel()
	v, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, req := range requestMessages(t) {
		for _, f := range leafFields(req, protoreflect.EnumKind, nil, "", 0) {
			t.Run(string(req.Name())+"."+f.path, func(t *testing.T) {
				msg := withValue(req, f.steps, protoreflect.ValueOfEnum(9999))
				var verr *protovalidate.ValidationError
				if err := v.Validate(msg); !errors.As(err, &verr) {
					t.Fatalf("9999 accepted (err %v)", err)
				}
				for _, viol := range verr.Violations {
					if protovalidate.FieldPathString(viol.Proto.GetField()) == f.path && viol.Proto.GetRuleId() == "enum.defined_only" {
						return
					}
				}
				t.Errorf("no enum.defined_only violation on %s: %v", f.path, verr)
			})
			checked++
		}
	}
	if checked < 10 {
		t.Errorf("checked only %d enum fields: the walk explores too little", checked)
	}
}
