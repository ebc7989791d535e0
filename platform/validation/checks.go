package validation

import (
	"strconv"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/harnesshero/platform/platform/codec"
)

// Check is a rule the contract cannot state, contributed by the module that
// owns it (e.g. the builder's "the size must fit the measurements", which
// needs its size table). The Validator returned by New runs it on every
// message of type Message inside the validated one — the request itself, a
// field, an element of a list — after the contract's rules.
type Check struct {
	// Message is the full name of the message type checked, e.g.
	// "harness.builder.v1.Design".
	Message protoreflect.FullName
	// Validate returns the violations of one message of that type, with
	// paths relative to it (e.g. "size"); the Validator prefixes the path
	// of the message in the request ("design.size", "lines[1].design.size").
	// It must be safe for concurrent use and must not modify msg.
	Validate func(msg proto.Message) []Violation
}

// checkSet runs checks on the messages of a request.
type checkSet struct {
	byName map[protoreflect.FullName][]func(proto.Message) []Violation
	// reach caches, per message type, whether a checked message can occur
	// in it, so requests that cannot hold one are not walked.
	reach sync.Map // protoreflect.FullName → bool
}

func newCheckSet(checks []Check) *checkSet {
	s := &checkSet{byName: make(map[protoreflect.FullName][]func(proto.Message) []Violation)}
	for _, c := range checks {
		s.byName[c.Message] = append(s.byName[c.Message], c.Validate)
	}
	return s
}

// run returns the violations of every check on msg and the messages in it,
// with paths from msg.
func (s *checkSet) run(msg protoreflect.Message) []Violation {
	if !s.reaches(msg.Descriptor()) {
		return nil
	}
	var out []Violation
	s.walk(msg, "", &out)
	return out
}

func (s *checkSet) walk(msg protoreflect.Message, prefix string, out *[]Violation) {
	desc := msg.Descriptor()
	if fns := s.byName[desc.FullName()]; len(fns) > 0 {
		for _, fn := range fns {
			for _, v := range fn(msg.Interface()) {
				v.Path = codec.JoinPath(prefix, v.Path)
				*out = append(*out, v)
			}
		}
	}
	msg.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		if fd.Message() == nil || fd.IsMap() || !s.reaches(fd.Message()) {
			return true
		}
		path := codec.JoinPath(prefix, string(fd.Name()))
		if fd.IsList() {
			list := val.List()
			for i := range list.Len() {
				s.walk(list.Get(i).Message(), path+"["+strconv.Itoa(i)+"]", out)
			}
			return true
		}
		s.walk(val.Message(), path, out)
		return true
	})
}

// reaches reports whether a message of a checked type can occur in a
// message of type desc (itself included), following message fields and
// lists of messages.
func (s *checkSet) reaches(desc protoreflect.MessageDescriptor) bool {
	if v, ok := s.reach.Load(desc.FullName()); ok {
		return v.(bool)
	}
	r := s.reachesFrom(desc, map[protoreflect.FullName]bool{})
	s.reach.Store(desc.FullName(), r)
	return r
}

func (s *checkSet) reachesFrom(desc protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) bool {
	if len(s.byName[desc.FullName()]) > 0 {
		return true
	}
	if seen[desc.FullName()] {
		return false
	}
	seen[desc.FullName()] = true
	fields := desc.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.Message() != nil && !fd.IsMap() && s.reachesFrom(fd.Message(), seen) {
			return true
		}
	}
	return false
}
