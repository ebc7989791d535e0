package validation_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	// Every contract, so that the registry holds every request message.
	_ "github.com/harnesshero/platform/gen/harness/analytics/v1"
	_ "github.com/harnesshero/platform/gen/harness/builder/v1"
	_ "github.com/harnesshero/platform/gen/harness/events/v1"
	_ "github.com/harnesshero/platform/gen/harness/order/v1"
	_ "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/validation"
)

// requestMessages returns the input message of every RPC of every contract
// under api/, failing when a contract file is not linked into this test.
func requestMessages(t *testing.T) []protoreflect.MessageDescriptor {
	t.Helper()
	root := filepath.Join("..", "..", "api")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".proto" {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if _, err := protoregistry.GlobalFiles.FindFileByPath(filepath.ToSlash(rel)); err != nil {
			t.Errorf("%s is not linked into this test: import its generated package above", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []protoreflect.MessageDescriptor
	seen := map[protoreflect.FullName]bool{}
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(fd.Package()), "harness.") {
			return true
		}
		for i := range fd.Services().Len() {
			methods := fd.Services().Get(i).Methods()
			for j := range methods.Len() {
				if in := methods.Get(j).Input(); !seen[in.FullName()] {
					seen[in.FullName()] = true
					out = append(out, in)
				}
			}
		}
		return true
	})
	if len(out) < 20 {
		t.Fatalf("found only %d request messages", len(out))
	}
	return out
}

// leafField is a field reachable from a request message: the fields
// leading to it and the dotted path a violation names it by.
type leafField struct {
	steps []protoreflect.FieldDescriptor
	path  string
}

// leafFields lists every field of kind k of desc and of the messages in
// it, through message fields and lists of messages (one element).
func leafFields(desc protoreflect.MessageDescriptor, k protoreflect.Kind, prefix []protoreflect.FieldDescriptor, path string, depth int) []leafField {
	if depth > 5 {
		return nil
	}
	var out []leafField
	fields := desc.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		p := path
		if p != "" {
			p += "."
		}
		p += string(fd.Name())
		if fd.IsList() {
			p += "[0]"
		}
		steps := append(slices.Clip(prefix), fd)
		switch {
		case fd.IsMap():
			// No contract has a map; a new one needs this test extended.
			panic("leafFields: map field " + string(fd.FullName()))
		case fd.Kind() == k:
			out = append(out, leafField{steps: steps, path: p})
		case fd.Message() != nil && !strings.HasPrefix(string(fd.Message().FullName()), "google.protobuf."):
			out = append(out, leafFields(fd.Message(), k, steps, p, depth+1)...)
		}
	}
	return out
}

// withValue returns a message of type root with only the field at steps set
// to value (as the one element of a list).
func withValue(root protoreflect.MessageDescriptor, steps []protoreflect.FieldDescriptor, value protoreflect.Value) *dynamicpb.Message {
	msg := dynamicpb.NewMessage(root)
	var cur protoreflect.Message = msg
	for i, fd := range steps {
		last := i == len(steps)-1
		switch {
		case fd.IsList() && last:
			cur.Mutable(fd).List().Append(value)
		case fd.IsList():
			list := cur.Mutable(fd).List()
			el := list.NewElement()
			list.Append(el)
			cur = el.Message()
		case last:
			cur.Set(fd, value)
		default:
			cur = cur.Mutable(fd).Message()
		}
	}
	return msg
}

// TestEveryStringFieldRefusesNUL proves that every string field of every
// request refuses the NUL character (U+0000) with a violation on that
// field: through the shared rule string.no_nul on free text, or through a
// format that admits only printable characters (uuid, email, a pattern). A
// new string field that carries neither fails here.
func TestEveryStringFieldRefusesNUL(t *testing.T) {
	t.Parallel()
	v, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	var checked, shared int
	for _, req := range requestMessages(t) {
		for _, f := range leafFields(req, protoreflect.StringKind, nil, "", 0) {
			name := string(req.Name()) + "." + f.path
			t.Run(name, func(t *testing.T) {
				for _, value := range []string{"\x00", "Rex\x00", "a\x00b@example.com"} {
					var verr *protovalidate.ValidationError
					if err := v.Validate(withValue(req, f.steps, protoreflect.ValueOfString(value))); !errors.As(err, &verr) {
						t.Fatalf("%q accepted (err %v)", value, err)
					}
					var rules []string
					for _, viol := range verr.Violations {
						if protovalidate.FieldPathString(viol.Proto.GetField()) == f.path {
							rules = append(rules, viol.Proto.GetRuleId())
						}
					}
					if len(rules) == 0 {
						t.Fatalf("%q: no violation on %s: %v", value, f.path, verr)
					}
					if slices.Contains(rules, "string.no_nul") && value == "\x00" {
						shared++
					}
				}
			})
			checked++
		}
	}
	if checked < 30 || shared < 20 {
		t.Errorf("checked %d string fields, %d with string.no_nul: the walk explores too little", checked, shared)
	}
	t.Logf("%d string fields refuse NUL, %d with string.no_nul", checked, shared)
}

// TestNoNULMessage checks the shared rule's wording, which a shop user
// reads.
func TestNoNULMessage(t *testing.T) {
	t.Parallel()
	v, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	desc, err := protoregistry.GlobalFiles.FindDescriptorByName("harness.user.v1.UpdateProfileRequest")
	if err != nil {
		t.Fatal(err)
	}
	md := desc.(protoreflect.MessageDescriptor)
	msg := withValue(md, []protoreflect.FieldDescriptor{md.Fields().ByName("display_name")}, protoreflect.ValueOfString("Rex\x00"))
	err = v.Validate(msg)
	if got, want := err.Error(), "display_name: Text must not contain the NUL character (U+0000)"; !strings.Contains(got, want) {
		t.Errorf("error = %q, want it to contain %q", got, want)
	}
}
