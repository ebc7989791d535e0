package auth

import (
	connect "connectrpc.com/connect/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	authv1 "github.com/harnesshero/platform/gen/harness/auth/v1"
)

// AccessOf returns who may call the procedure of spec: the access option
// declared on the RPC in its contract, ACCESS_SIGNED_IN when none is.
func AccessOf(spec connect.Spec) authv1.Access {
	md, ok := spec.Schema.(protoreflect.MethodDescriptor)
	if !ok || md == nil {
		return authv1.Access_ACCESS_SIGNED_IN
	}
	access, _ := proto.GetExtension(md.Options(), authv1.E_Access).(authv1.Access)
	if access == authv1.Access_ACCESS_UNSPECIFIED {
		return authv1.Access_ACCESS_SIGNED_IN
	}
	return access
}
