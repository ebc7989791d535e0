package codec

import (
	"encoding/base64"
	"errors"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// A fast path for marshaling answers as protobuf JSON.
//
// protojson spends most of an answer's encoding on bookkeeping: for every
// message it collects the populated fields into a new slice and sorts them
// (sort.Slice's swapper, a closure and the slice: ~40 allocations for a
// quote), then writes them in declaration order. appendMessage writes the
// same bytes (after protojson's whitespace, which it randomises on
// purpose, is removed) walking the descriptor's fields in declaration
// order instead, into one buffer.
//
// It covers what the contracts' answers are made of — scalars other than
// floating point, strings, bytes, enums, nested messages, repeated fields
// of those, and google.protobuf.Timestamp — and reports a message with
// anything else (maps, floats, other well-known types, extensions) as not
// fast, for protojson to marshal. TestFastJSON compares the two on every
// message type of the contracts, filled at random.

// errNotFast says that a message or a value is protojson's to marshal.
var errNotFast = errors.New("validation: not on the fast JSON path")

// fastTypes caches, per message descriptor, whether appendMessage can
// marshal every message of that type.
var fastTypes sync.Map // protoreflect.MessageDescriptor → bool

const timestampName protoreflect.FullName = "google.protobuf.Timestamp"

// isFast reports whether appendMessage handles messages of md.
func isFast(md protoreflect.MessageDescriptor) bool {
	if v, ok := fastTypes.Load(md); ok {
		return v.(bool)
	}
	fast := checkFast(md, map[protoreflect.FullName]bool{})
	fastTypes.Store(md, fast)
	return fast
}

// checkFast decides isFast for md; visiting holds the message types being
// decided further up (a recursive type is fast if the rest of it is).
func checkFast(md protoreflect.MessageDescriptor, visiting map[protoreflect.FullName]bool) bool {
	switch {
	case md.FullName() == timestampName:
		return true
	case md.ParentFile().Package() == "google.protobuf", md.ExtensionRanges().Len() > 0:
		return false
	case visiting[md.FullName()]:
		return true
	}
	visiting[md.FullName()] = true
	defer delete(visiting, md.FullName())
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		switch {
		case fd.IsMap():
			return false
		case fd.Kind() == protoreflect.FloatKind, fd.Kind() == protoreflect.DoubleKind, fd.Kind() == protoreflect.GroupKind:
			return false
		case fd.Kind() == protoreflect.EnumKind && fd.Enum().FullName() == "google.protobuf.NullValue":
			return false
		case fd.Kind() == protoreflect.MessageKind && !checkFast(fd.Message(), visiting):
			return false
		}
	}
	return true
}

// appendMessage appends m as protobuf JSON, as protojson's default
// options write it without the whitespace. It returns errNotFast, or an
// error for a value protojson refuses too (invalid UTF-8, a timestamp out
// of range), for the caller to let protojson marshal m.
func appendMessage(b []byte, m protoreflect.Message) ([]byte, error) {
	md := m.Descriptor()
	if md.FullName() == timestampName {
		return appendTimestamp(b, m)
	}
	b = append(b, '{')
	first := true
	for _, f := range planOf(md) {
		fd := f.fd
		if !m.Has(fd) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, f.key...)
		var err error
		if fd.IsList() {
			list := m.Get(fd).List()
			b = append(b, '[')
			for j := range list.Len() {
				if j > 0 {
					b = append(b, ',')
				}
				if b, err = appendValue(b, fd, list.Get(j)); err != nil {
					return b, err
				}
			}
			b = append(b, ']')
			continue
		}
		if b, err = appendValue(b, fd, m.Get(fd)); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// planField is a field and its key as written: the quoted JSON name and
// the colon.
type planField struct {
	fd  protoreflect.FieldDescriptor
	key []byte
}

// plans caches planOf by message.
var plans sync.Map // protoreflect.MessageDescriptor → []planField

// planOf returns md's fields in declaration order with their keys.
func planOf(md protoreflect.MessageDescriptor) []planField {
	if p, ok := plans.Load(md); ok {
		return p.([]planField)
	}
	fields := md.Fields()
	p := make([]planField, fields.Len())
	for i := range p {
		fd := fields.Get(i)
		key, err := appendString(nil, fd.JSONName())
		if err != nil { // a JSON name is valid UTF-8: the descriptor checked it
			key = strconv.AppendQuote(nil, fd.JSONName())
		}
		p[i] = planField{fd: fd, key: append(key, ':')}
	}
	plans.Store(md, p)
	return p
}

func appendValue(b []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) ([]byte, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return strconv.AppendBool(b, v.Bool()), nil
	case protoreflect.StringKind:
		return appendString(b, v.String())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		b = append(b, '"')
		return append(strconv.AppendInt(b, v.Int(), 10), '"'), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		b = append(b, '"')
		return append(strconv.AppendUint(b, v.Uint(), 10), '"'), nil
	case protoreflect.BytesKind:
		b = append(b, '"')
		return append(base64.StdEncoding.AppendEncode(b, v.Bytes()), '"'), nil
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return appendString(b, string(ev.Name()))
		}
		return strconv.AppendInt(b, int64(v.Enum()), 10), nil
	case protoreflect.MessageKind:
		return appendMessage(b, v.Message())
	default:
		return b, errNotFast
	}
}

// Bounds of a Timestamp protojson writes: 0001-01-01 to 9999-12-31.
const (
	minTimestampSeconds = -62135596800
	maxTimestampSeconds = 253402300799
)

// appendTimestamp writes a Timestamp as RFC 3339 in UTC with 0, 3, 6 or 9
// fractional digits, as protojson does.
func appendTimestamp(b []byte, m protoreflect.Message) ([]byte, error) {
	fields := m.Descriptor().Fields()
	secs, nanos := m.Get(fields.ByNumber(1)).Int(), m.Get(fields.ByNumber(2)).Int()
	if secs < minTimestampSeconds || secs > maxTimestampSeconds || nanos < 0 || nanos >= 1e9 {
		return b, errNotFast
	}
	var buf [40]byte
	x := time.Unix(secs, nanos).UTC().AppendFormat(buf[:0], "2006-01-02T15:04:05.000000000")
	s := string(x)
	s = strings.TrimSuffix(s, "000")
	s = strings.TrimSuffix(s, "000")
	s = strings.TrimSuffix(s, ".000")
	b = append(b, '"')
	b = append(b, s...)
	return append(b, 'Z', '"'), nil
}

// appendString writes s as a JSON string escaped as protojson escapes it:
// quotes, backslashes and control characters; invalid UTF-8 is an error.
func appendString(b []byte, s string) ([]byte, error) {
	b = append(b, '"')
	for len(s) > 0 {
		i := indexNeedEscape(s)
		b, s = append(b, s[:i]...), s[i:]
		if len(s) == 0 {
			break
		}
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n == 1:
			return b, errNotFast
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u')
			b = append(b, "0000"[1+(bits.Len32(uint32(r))-1)/4:]...)
			b = strconv.AppendUint(b, uint64(r), 16)
		}
		s = s[n:]
	}
	return append(b, '"'), nil
}

// indexNeedEscape returns the index of the first byte of s to escape or
// check (a quote, a backslash, a control character, or a byte outside
// ASCII, whose UTF-8 is checked), or len(s).
func indexNeedEscape(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			if c >= utf8.RuneSelf {
				r, n := utf8.DecodeRuneInString(s[i:])
				if r != utf8.RuneError || n != 1 {
					i += n - 1
					continue
				}
			}
			return i
		}
	}
	return len(s)
}
