package validation

import (
	"strings"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// Warm validates an empty message of every request type of the services
// in the global registry whose full names start with prefix ("harness."),
// so that v compiles their rules (the CEL programs: milliseconds each)
// now instead of on the first call. The verdicts are ignored. It returns
// the number of request types warmed. Run it in the background once the
// process serves: it only spends CPU a first call would otherwise spend.
func Warm(v protovalidate.Validator, prefix string) int {
	seen := map[protoreflect.FullName]bool{}
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		services := fd.Services()
		for i := range services.Len() {
			sd := services.Get(i)
			if !strings.HasPrefix(string(sd.FullName()), prefix) {
				continue
			}
			methods := sd.Methods()
			for j := range methods.Len() {
				in := methods.Get(j).Input()
				if seen[in.FullName()] {
					continue
				}
				seen[in.FullName()] = true
				if mt, err := protoregistry.GlobalTypes.FindMessageByName(in.FullName()); err == nil {
					_ = v.Validate(mt.New().Interface())
				}
			}
		}
		return true
	})
	return len(seen)
}
