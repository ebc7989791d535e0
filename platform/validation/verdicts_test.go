package validation_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/harnesshero/platform/platform/validation"
)

// The contracts as they were before their rules got the messages a shop
// customer reads (ADR 0023): `buf build api --exclude-imports
// --exclude-source-info` at commit 1d2415c.
const contractBefore = "testdata/contract-before-0023.binpb"

// TestRulesKeepTheirVerdicts proves that giving every rule a customer's
// message changed no verdict: for every request message of the contract
// before, and many values of each of its fields alone and together, the
// contract before and the contract now refuse the same fields with the same
// rule ids. A rule changed on purpose later is listed in changedOnPurpose.
func TestRulesKeepTheirVerdicts(t *testing.T) {
	t.Parallel()
	before := loadContract(t, contractBefore)
	vBefore, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	vNow, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(23, 22))
	var compared int
	for _, now := range requestMessages(t) {
		desc, err := before.FindDescriptorByName(now.FullName())
		if err != nil {
			continue // a request added since
		}
		old := desc.(protoreflect.MessageDescriptor)
		t.Run(string(now.Name()), func(t *testing.T) {
			check := func(fill func(m protoreflect.Message)) {
				t.Helper()
				// Filled once, without the fields added since, and copied
				// into the old message by its bytes.
				mOld, mNow := dynamicpb.NewMessage(old), dynamicpb.NewMessage(now)
				fill(mNow)
				clearAdded(mNow, old)
				b, err := proto.Marshal(mNow.Interface())
				if err != nil {
					t.Fatal(err)
				}
				if err := proto.Unmarshal(b, mOld.Interface()); err != nil {
					t.Fatal(err)
				}
				got, want := verdict(t, vNow, mNow), verdict(t, vBefore, mOld)
				if !slices.Equal(got, want) {
					t.Fatalf("%v:\nnow    %v\nbefore %v", mNow, got, want)
				}
				compared++
			}
			check(func(protoreflect.Message) {})
			// Each field alone, with every value of its kind.
			for _, path := range fieldPaths(now, nil, 0) {
				if !hasPath(old, path) {
					continue // a field added since: nothing to compare with
				}
				for _, v := range kindValues(fieldAt(now, path)) {
					check(func(m protoreflect.Message) { setPath(m, path, v) })
				}
			}
			// Lists of messages of every size around their bounds.
			for _, path := range listPaths(now, nil, 0) {
				for _, n := range []int{0, 1, 2, 19, 20, 21} {
					check(func(m protoreflect.Message) { setList(m, path, n) })
				}
			}
			// Every field at once, at random: cross-field rules.
			for range 1000 {
				seed := r.Uint64()
				check(func(m protoreflect.Message) { fillRandom(m, rand.New(rand.NewPCG(seed, 1)), 0) })
			}
		})
	}
	if compared < 30000 {
		t.Errorf("compared %d messages: the test explores too little", compared)
	}
	t.Logf("%d messages get the same verdict as before", compared)
}

// verdict returns the broken rules of msg as sorted "path rule_id" lines.
func verdict(t *testing.T, v protovalidate.Validator, msg proto.Message) []string {
	t.Helper()
	err := v.Validate(msg)
	if err == nil {
		return nil
	}
	var verr *protovalidate.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("validate %v: %v", msg, err)
	}
	out := make([]string, 0, len(verr.Violations))
	for _, viol := range verr.Violations {
		out = append(out, protovalidate.FieldPathString(viol.Proto.GetField())+" "+viol.Proto.GetRuleId())
	}
	slices.Sort(out)
	return out
}

// fieldAt returns the field path names in desc.
func fieldAt(desc protoreflect.MessageDescriptor, path []protoreflect.Name) protoreflect.FieldDescriptor {
	var fd protoreflect.FieldDescriptor
	for _, name := range path {
		fd = desc.Fields().ByName(name)
		desc = fd.Message()
	}
	return fd
}

// clearAdded clears the fields of m (and of its messages) that old, the
// same message in the contract before, does not have.
func clearAdded(m protoreflect.Message, old protoreflect.MessageDescriptor) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		ofd := old.Fields().ByName(fd.Name())
		switch {
		case ofd == nil:
			m.Clear(fd)
		case fd.Message() != nil && fd.IsList():
			for i := range v.List().Len() {
				clearAdded(v.List().Get(i).Message(), ofd.Message())
			}
		case fd.Message() != nil && !fd.IsMap():
			clearAdded(v.Message(), ofd.Message())
		}
		return true
	})
}

// hasPath reports whether desc has the field at path.
func hasPath(desc protoreflect.MessageDescriptor, path []protoreflect.Name) bool {
	for _, name := range path {
		if desc == nil {
			return false
		}
		fd := desc.Fields().ByName(name)
		if fd == nil {
			return false
		}
		desc = fd.Message()
	}
	return true
}

// loadContract reads a descriptor set of the contracts (without their
// imports, which the linked protovalidate and well-known types provide).
func loadContract(t *testing.T, path string) *protoregistry.Files {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(data, &set); err != nil {
		t.Fatal(err)
	}
	files := new(protoregistry.Files)
	for _, fdp := range set.GetFile() { // buf writes dependencies first
		fd, err := protodesc.NewFile(fdp, localFirst{files})
		if err != nil {
			t.Fatalf("%s: %v", fdp.GetName(), err)
		}
		if err := files.RegisterFile(fd); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// localFirst resolves a file's imports in files, then in the linked ones
// (buf/validate, google/protobuf).
type localFirst struct{ files *protoregistry.Files }

func (l localFirst) FindFileByPath(path string) (protoreflect.FileDescriptor, error) {
	if fd, err := l.files.FindFileByPath(path); err == nil {
		return fd, nil
	}
	return protoregistry.GlobalFiles.FindFileByPath(path)
}

func (l localFirst) FindDescriptorByName(name protoreflect.FullName) (protoreflect.Descriptor, error) {
	if d, err := l.files.FindDescriptorByName(name); err == nil {
		return d, nil
	}
	return protoregistry.GlobalFiles.FindDescriptorByName(name)
}

// fieldPaths lists the paths, by field name, of every scalar and enum field
// of desc and the messages in it (one element of a list).
func fieldPaths(desc protoreflect.MessageDescriptor, prefix []protoreflect.Name, depth int) [][]protoreflect.Name {
	if depth > 5 || strings.HasPrefix(string(desc.FullName()), "google.protobuf.") {
		return nil
	}
	var out [][]protoreflect.Name
	fields := desc.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		path := append(slices.Clip(prefix), fd.Name())
		if fd.Message() != nil {
			out = append(out, fieldPaths(fd.Message(), path, depth+1)...)
			continue
		}
		out = append(out, path)
	}
	return out
}

// listPaths lists the paths of the lists of messages in desc.
func listPaths(desc protoreflect.MessageDescriptor, prefix []protoreflect.Name, depth int) [][]protoreflect.Name {
	if depth > 5 {
		return nil
	}
	var out [][]protoreflect.Name
	fields := desc.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.Message() == nil {
			continue
		}
		path := append(slices.Clip(prefix), fd.Name())
		if fd.IsList() {
			out = append(out, path)
		}
		out = append(out, listPaths(fd.Message(), path, depth+1)...)
	}
	return out
}

// walk returns the message holding the last field of path in m, creating
// the messages (and one list element) on the way, and that field.
func walk(m protoreflect.Message, path []protoreflect.Name) (protoreflect.Message, protoreflect.FieldDescriptor) {
	for _, name := range path[:len(path)-1] {
		fd := m.Descriptor().Fields().ByName(name)
		if fd.IsList() {
			list := m.Mutable(fd).List()
			if list.Len() == 0 {
				list.Append(list.NewElement())
			}
			m = list.Get(0).Message()
			continue
		}
		m = m.Mutable(fd).Message()
	}
	return m, m.Descriptor().Fields().ByName(path[len(path)-1])
}

// fieldValue is a value for a field of some kind, given as a Go value.
type fieldValue any

func setPath(m protoreflect.Message, path []protoreflect.Name, v fieldValue) {
	m, fd := walk(m, path)
	val := protoValue(fd, v)
	if fd.IsList() {
		m.Mutable(fd).List().Append(val)
		return
	}
	m.Set(fd, val)
}

func setList(m protoreflect.Message, path []protoreflect.Name, n int) {
	m, fd := walk(m, path)
	list := m.Mutable(fd).List()
	for range n {
		list.Append(list.NewElement())
	}
}

func protoValue(fd protoreflect.FieldDescriptor, v fieldValue) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(v.(int32)))
	case protoreflect.Int32Kind:
		return protoreflect.ValueOfInt32(v.(int32))
	case protoreflect.Int64Kind:
		return protoreflect.ValueOfInt64(v.(int64))
	default:
		return protoreflect.ValueOf(v)
	}
}

// strings of interest: empty, blank, the alphabets of the patterns, each
// length bound of the contracts and one beyond, formats, NUL.
var stringValues = func() []fieldValue {
	out := []fieldValue{
		"", " ", "  ", "\t", "\x00", "a\x00b", "a", "ab", "Rex", " Rex", "Rex ", "Rex  Max", "Rex Max",
		"O'Neil-2", "Rex!", "Rex_1", "Zoë", "a@b", "rex@example.com", "Rex@Example.COM", "x@", "@x.io",
		"0190f5e4-6b1c-7cc3-8a5e-0a1b2c3d4e5f", "0190F5E4-6B1C-7CC3-8A5E-0A1B2C3D4E5F",
		"0190f5e4-6b1c-7cc3-8a5e-0a1b2c3d4e5g", "0190f5e46b1c7cc38a5e0a1b2c3d4e5f",
		"US", "us", "USA", "U", "97201", "9", "SW1A 1AA", "-123", "123-", "A 1", "+1 (503) 555-0100", "555#1",
		"2026-11-30", "2026-13-01", "2026-11-32", "2026-1-30", "2026-11-26T00:00:00Z",
		"checkout-42", "key with space", "k.e_y:1-2",
	}
	for _, n := range []int{11, 12, 13, 19, 20, 21, 39, 40, 41, 59, 60, 61, 79, 80, 81, 99, 100, 101, 127, 128, 129, 199, 200, 201, 253, 254, 255} {
		out = append(out, strings.Repeat("a", n), strings.Repeat("ë", n))
	}
	return append(out, strings.Repeat("a", 250)+"@x.io", "Call me 555 0100 123", "Call me 555 0100 1234")
}()

var (
	int32Values = []fieldValue{int32(math.MinInt32), int32(-1), int32(0), int32(1), int32(2), int32(5), int32(9), int32(10), int32(11),
		int32(19), int32(20), int32(21), int32(99), int32(100), int32(101), int32(1199), int32(1200), int32(1201),
		int32(1499), int32(1500), int32(1501), int32(1800), int32(math.MaxInt32)}
	int64Values = []fieldValue{int64(math.MinInt64), int64(-1), int64(0), int64(1), int64(2), int64(1) << 40}
	boolValues  = []fieldValue{false, true}
)

// kindValues returns the values tried for a field.
func kindValues(fd protoreflect.FieldDescriptor) []fieldValue {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return stringValues
	case protoreflect.Int32Kind:
		return int32Values
	case protoreflect.Int64Kind:
		return int64Values
	case protoreflect.BoolKind:
		return boolValues
	case protoreflect.EnumKind:
		values := fd.Enum().Values()
		out := []fieldValue{int32(-1), int32(values.Get(values.Len()-1).Number()) + 1}
		for i := range values.Len() {
			out = append(out, int32(values.Get(i).Number()))
		}
		return out
	default:
		panic(fmt.Sprintf("no values for %s (%s)", fd.FullName(), fd.Kind()))
	}
}

// fillRandom sets each field of m with probability 1/2 to a value of its
// kind, lists to 0 to 3 elements (sometimes 21), nested messages likewise.
func fillRandom(m protoreflect.Message, r *rand.Rand, depth int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if r.IntN(2) == 0 {
			continue
		}
		switch {
		case fd.Message() != nil && strings.HasPrefix(string(fd.Message().FullName()), "google.protobuf."):
		case fd.Message() != nil && fd.IsList():
			n := r.IntN(4)
			if r.IntN(20) == 0 {
				n = 21
			}
			list := m.Mutable(fd).List()
			for range n {
				el := list.NewElement()
				if depth < 5 {
					fillRandom(el.Message(), r, depth+1)
				}
				list.Append(el)
			}
		case fd.Message() != nil:
			if depth < 5 {
				fillRandom(m.Mutable(fd).Message(), r, depth+1)
			}
		case fd.IsList():
			values := kindValues(fd)
			list := m.Mutable(fd).List()
			for range r.IntN(3) {
				list.Append(protoValue(fd, values[r.IntN(len(values))]))
			}
		default:
			values := kindValues(fd)
			if fd.Kind() == protoreflect.StringKind && fd.Name() == "design_id" {
				// Few ids, so that lines repeat a design.
				values = stringValues[22:24]
			}
			m.Set(fd, protoValue(fd, values[r.IntN(len(values))]))
		}
	}
}
