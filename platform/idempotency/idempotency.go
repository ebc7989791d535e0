// Package idempotency holds the rules of the idempotency keys that make a
// create safe to retry (CreateOrder, CreateDesign; ADR 0006): where a key
// comes from, what a valid key is, what identifies the request it was used
// for, and the errors a bad or reused key answers. Storing keys is each
// module's own business (its table, in the transaction of the create).
//
// A key comes from the Idempotency-Key header or the request's
// idempotency_key field; when both are sent they must agree. It is 1 to
// 100 characters of A-Z a-z 0-9 . _ : - (the field's contract rule says
// the same). Keys are scoped per user: the module stores them with the
// caller's id. The same key with the same request (Hash) answers what the
// first request made; with another request it is refused with Reused.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	connect "connectrpc.com/connect/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/harnesshero/platform/platform/validation"
)

// Header is the HTTP header that carries a key.
const Header = "Idempotency-Key"

// Field is the request field that carries a key.
const Field = "idempotency_key"

// MaxLen is the longest key, in bytes.
const MaxLen = 100

// rules is the rule's sentence, for the messages.
const rules = "1 to 100 characters of A-Z a-z 0-9 . _ : -"

// Valid reports whether k is a well-formed key: 1 to MaxLen characters of
// A-Z a-z 0-9 . _ : -.
func Valid(k string) bool {
	if k == "" || len(k) > MaxLen {
		return false
	}
	for i := range len(k) {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// Key returns the key of req, a request message with a string Field, in a
// server handler's ctx: the Header, or the field, "" when neither is sent.
// A malformed key, or a header and a field that differ, is an
// InvalidArgument *connect.Error whose violation names Field.
func Key(ctx context.Context, req proto.Message) (string, error) {
	field := fieldValue(req)
	var header string
	if info, ok := connect.CallInfoForServerContext(ctx); ok {
		header = info.RequestHeader().Get(Header)
	}
	switch {
	case header != "" && field != "" && field != header:
		return "", violation(req, "header_mismatch", "differs from the "+Header+" header")
	case header != "" && !Valid(header):
		return "", violation(req, "header_invalid", "the "+Header+" header must be "+rules)
	case header != "":
		return header, nil
	case field != "" && !Valid(field):
		return "", violation(req, "invalid", "Idempotency key must be "+rules)
	}
	return field, nil
}

// Hash identifies the content of req without its key: the hex SHA-256 of
// its deterministic binary encoding with Field cleared. Two requests with
// the same hash ask for the same thing.
func Hash(req proto.Message) string {
	c := proto.Clone(req)
	if fd := keyField(c); fd != nil {
		c.ProtoReflect().Clear(fd)
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	if err != nil {
		// A request that decoded always encodes; hash the error so that it
		// matches no other request.
		data = []byte(err.Error())
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Reused is the InvalidArgument error of a key already used by the same
// user for another request; what names the request ("order", "design").
func Reused(req proto.Message, what string) error {
	return violation(req, "reused", fmt.Sprintf("this idempotency key was already used for a different %s request", what))
}

func violation(req proto.Message, rule, message string) error {
	return validation.Error(req, []validation.Violation{{Path: Field, Rule: Field + "." + rule, Message: message}})
}

// keyField is req's Field, nil when it has none (or it is not a string).
func keyField(req proto.Message) protoreflect.FieldDescriptor {
	fd := req.ProtoReflect().Descriptor().Fields().ByName(Field)
	if fd == nil || fd.Kind() != protoreflect.StringKind || fd.IsList() {
		return nil
	}
	return fd
}

func fieldValue(req proto.Message) string {
	if fd := keyField(req); fd != nil {
		return req.ProtoReflect().Get(fd).String()
	}
	return ""
}
