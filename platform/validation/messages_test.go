package validation_test

import (
	"regexp"
	"strings"
	"testing"

	validatepb "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// TestEveryRuleSpeaksToTheCustomer keeps the contracts' rules worded for
// the shop's customers (ADR 0023): every rule of every request carries its
// own message, a sentence, never protovalidate's default text ("does not
// match regex pattern …"). A standard rule is allowed only where no
// customer can break it: enum.defined_only (a form offers only defined
// values) and required on a message field (the app builds the message).
// A new field with a standard rule fails here: state it as a CEL rule with
// the standard rule's id and a message.
func TestEveryRuleSpeaksToTheCustomer(t *testing.T) {
	t.Parallel()
	var rules int
	seen := map[protoreflect.FullName]bool{}
	var walk func(desc protoreflect.MessageDescriptor)
	walk = func(desc protoreflect.MessageDescriptor) {
		if seen[desc.FullName()] || strings.HasPrefix(string(desc.FullName()), "google.protobuf.") {
			return
		}
		seen[desc.FullName()] = true
		if mr, ok := proto.GetExtension(desc.Options(), validatepb.E_Message).(*validatepb.MessageRules); ok {
			for _, c := range mr.GetCel() {
				checkRule(t, string(desc.FullName()), c)
				rules++
			}
			if len(mr.GetCelExpression()) > 0 || len(mr.GetOneof()) > 0 {
				t.Errorf("%s: a message rule without a message of its own", desc.FullName())
			}
		}
		fields := desc.Fields()
		for i := range fields.Len() {
			fd := fields.Get(i)
			rules += checkField(t, fd)
			if fd.Message() != nil {
				walk(fd.Message())
			}
		}
	}
	for _, req := range requestMessages(t) {
		walk(req)
	}
	if rules < 100 {
		t.Errorf("checked %d rules: the walk explores too little", rules)
	}
	t.Logf("%d rules carry a customer's message", rules)
}

// checkField checks the rules of fd and returns how many CEL rules it has.
func checkField(t *testing.T, fd protoreflect.FieldDescriptor) int {
	t.Helper()
	fr, ok := proto.GetExtension(fd.Options(), validatepb.E_Field).(*validatepb.FieldRules)
	if !ok || fr == nil {
		return 0
	}
	name := string(fd.FullName())
	n := 0
	for _, c := range fr.GetCel() {
		checkRule(t, name, c)
		n++
	}
	for _, c := range fr.GetRepeated().GetItems().GetCel() {
		checkRule(t, name+"[]", c)
		n++
	}
	if len(fr.GetCelExpression()) > 0 {
		t.Errorf("%s: cel_expression has no message: use cel with id and message", name)
	}
	if fr.GetRequired() && fd.Message() == nil {
		t.Errorf("%s: required has protovalidate's message: use a CEL rule with id \"required\"", name)
	}
	var standard func(where string, rules proto.Message)
	standard = func(where string, rules proto.Message) {
		if rules == nil {
			return
		}
		rules.ProtoReflect().Range(func(f protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
			switch {
			case f.IsExtension(): // a predefined rule: it carries its message
			case f.FullName() == "buf.validate.EnumRules.defined_only":
			case f.Message() != nil && f.Message().FullName() == "buf.validate.FieldRules": // repeated.items
				standard(where+".items", itemRules(rules.ProtoReflect().Get(f).Message().Interface().(*validatepb.FieldRules)))
			default:
				t.Errorf("%s: the standard rule %s has protovalidate's message: state it as a CEL rule with its id and a message", where, f.FullName())
			}
			return true
		})
	}
	standard(name, itemRules(fr))
	return n
}

// itemRules returns the type-specific rules of fr (string, int32, enum,
// repeated, ...), or nil.
func itemRules(fr *validatepb.FieldRules) proto.Message {
	m := fr.ProtoReflect()
	od := m.Descriptor().Oneofs().ByName("type")
	fd := m.WhichOneof(od)
	if fd == nil {
		return nil
	}
	return m.Get(fd).Message().Interface()
}

// developerText is what protovalidate's own messages and CEL look like.
var developerText = regexp.MustCompile("`|\\bregex\\b|\\bthis\\.|\\brules\\.|value must|value is|\\^|\\$$")

func checkRule(t *testing.T, where string, c *validatepb.Rule) {
	t.Helper()
	msg := c.GetMessage()
	switch {
	case c.GetId() == "":
		t.Errorf("%s: a rule without an id (%s)", where, c.GetExpression())
	case msg == "":
		t.Errorf("%s: rule %s has no message", where, c.GetId())
	case strings.ToUpper(msg[:1]) != msg[:1] || strings.HasSuffix(msg, "."):
		t.Errorf("%s: rule %s: %q is not a sentence starting with a capital, without a full stop", where, c.GetId(), msg)
	case developerText.MatchString(msg):
		t.Errorf("%s: rule %s: %q reads like a developer's text", where, c.GetId(), msg)
	}
}
