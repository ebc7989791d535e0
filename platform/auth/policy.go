package auth

import (
	"sync"

	connect "connectrpc.com/connect/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	authv1 "github.com/harnesshero/platform/gen/harness/auth/v1"
)

// AccessOf returns who may call the procedure of spec: the access option
// declared on the RPC in its contract, ACCESS_SIGNED_IN when none is.
// The option is read once per method (reading an extension allocates).
func AccessOf(spec connect.Spec) authv1.Access {
	md, ok := spec.Schema.(protoreflect.MethodDescriptor)
	if !ok || md == nil {
		return authv1.Access_ACCESS_SIGNED_IN
	}
	if access, ok := accessOf.Load(md); ok {
		return access.(authv1.Access)
	}
	access, _ := proto.GetExtension(md.Options(), authv1.E_Access).(authv1.Access)
	if access == authv1.Access_ACCESS_UNSPECIFIED {
		access = authv1.Access_ACCESS_SIGNED_IN
	}
	accessOf.Store(md, access)
	return access
}

// accessOf caches AccessOf by method descriptor.
var accessOf sync.Map // protoreflect.MethodDescriptor → authv1.Access
