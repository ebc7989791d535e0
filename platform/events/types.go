package events

import (
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
)

// TypeOf returns the event type payload is the payload of, as its module's
// contract declares it with the (harness.events.v1.type) message option
// (e.g. "design.created" for a harness.builder.v1.DesignCreated), or "" for
// a message that is no event payload. The contracts are the one list of
// event types: modules, topics and subscriptions all read it from there.
func TypeOf(payload proto.Message) string {
	if payload == nil {
		return ""
	}
	return typeOfDescriptor(payload.ProtoReflect().Descriptor())
}

func typeOfDescriptor(d protoreflect.MessageDescriptor) string {
	opts := d.Options()
	if opts == nil || !proto.HasExtension(opts, eventsv1.E_Type) {
		return ""
	}
	typ, _ := proto.GetExtension(opts, eventsv1.E_Type).(string)
	return typ
}

// Types returns every event type declared by the contracts linked into
// this binary (every module's generated package is), sorted.
func Types() []string {
	var out []string
	protoregistry.GlobalFiles.RangeFiles(func(f protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(f.Package()), "harness.") {
			return true
		}
		msgs := f.Messages()
		for i := range msgs.Len() {
			if typ := typeOfDescriptor(msgs.Get(i)); typ != "" {
				out = append(out, typ)
			}
		}
		return true
	})
	slices.Sort(out)
	return slices.Compact(out)
}
