package codec

import (
	"strconv"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A fast path for decoding requests from protobuf JSON.
//
// decodeFast reads the plain JSON requests are made of — objects whose
// keys are field names (JSON or proto form), strings without escapes,
// integers without fraction or exponent, true and false, enum names,
// nested objects and arrays of those — straight into the message, without
// protojson's token objects. Anything else (an escape, null, a number
// written as 1e2 or as a string for a 32-bit field, an enum number, bytes,
// floats, maps, well-known types, an unknown, repeated or second oneof
// field, trailing data) returns errNotFast with the message half filled,
// and the caller decodes the body again with protojson from a reset
// message: the fast path only ever accepts what protojson accepts, into
// the same message (FuzzFastJSONDecode checks it).

// decodeFast decodes data into m, or returns errNotFast.
func decodeFast(data []byte, m protoreflect.Message) error {
	d := fastDecoder{data: data}
	if err := d.message(m, 0); err != nil {
		return err
	}
	d.ws()
	if d.pos != len(d.data) {
		return errNotFast
	}
	// protojson refuses a message missing a required (proto2) field.
	if proto.CheckInitialized(m.Interface()) != nil {
		return errNotFast
	}
	return nil
}

type fastDecoder struct {
	data []byte
	pos  int
}

// maxFastDepth bounds the nesting the fast path follows.
const maxFastDepth = 32

func (d *fastDecoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// consume skips whitespace and the byte c, or reports false.
func (d *fastDecoder) consume(c byte) bool {
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

func (d *fastDecoder) message(m protoreflect.Message, depth int) error {
	md := m.Descriptor()
	if depth > maxFastDepth || md.ParentFile().Package() == "google.protobuf" || md.ExtensionRanges().Len() > 0 {
		return errNotFast
	}
	if !d.consume('{') {
		return errNotFast
	}
	if d.consume('}') {
		return nil
	}
	var seen, oneofs uint64 // by field index and oneof index (64 at most)
	byName := fieldsByName(md)
	for {
		d.ws()
		name, ok := d.plainBytes()
		if !ok || !d.consume(':') {
			return errNotFast
		}
		fd := byName[string(name)]
		if fd == nil || fd.Index() >= 64 || seen&(1<<fd.Index()) != 0 || fd.IsMap() {
			return errNotFast
		}
		seen |= 1 << fd.Index()
		if od := fd.ContainingOneof(); od != nil {
			if od.Index() >= 64 || oneofs&(1<<od.Index()) != 0 {
				return errNotFast
			}
			oneofs |= 1 << od.Index()
		}
		if err := d.field(m, fd, depth); err != nil {
			return err
		}
		if d.consume('}') {
			return nil
		}
		if !d.consume(',') {
			return errNotFast
		}
	}
}

func (d *fastDecoder) field(m protoreflect.Message, fd protoreflect.FieldDescriptor, depth int) error {
	if !fd.IsList() {
		if fd.Kind() == protoreflect.MessageKind {
			return d.message(m.Mutable(fd).Message(), depth+1)
		}
		v, err := d.scalar(fd)
		if err != nil {
			return err
		}
		m.Set(fd, v)
		return nil
	}
	list := m.Mutable(fd).List()
	if !d.consume('[') {
		return errNotFast
	}
	if d.consume(']') {
		return nil
	}
	for {
		if fd.Kind() == protoreflect.MessageKind {
			el := list.NewElement()
			if err := d.message(el.Message(), depth+1); err != nil {
				return err
			}
			list.Append(el)
		} else {
			v, err := d.scalar(fd)
			if err != nil {
				return err
			}
			list.Append(v)
		}
		if d.consume(']') {
			return nil
		}
		if !d.consume(',') {
			return errNotFast
		}
	}
}

func (d *fastDecoder) scalar(fd protoreflect.FieldDescriptor) (protoreflect.Value, error) {
	d.ws()
	switch fd.Kind() {
	case protoreflect.StringKind:
		if s, ok := d.plainString(); ok {
			return protoreflect.ValueOfString(s), nil
		}
	case protoreflect.EnumKind:
		if s, ok := d.plainBytes(); ok {
			if n, ok := enumByName(fd.Enum())[string(s)]; ok {
				return protoreflect.ValueOfEnum(n), nil
			}
		}
	case protoreflect.BoolKind:
		switch {
		case d.literal("true"):
			return protoreflect.ValueOfBool(true), nil
		case d.literal("false"):
			return protoreflect.ValueOfBool(false), nil
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		if n, err := strconv.ParseInt(d.integer(false), 10, 32); err == nil {
			return protoreflect.ValueOfInt32(int32(n)), nil
		}
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		if n, err := strconv.ParseUint(d.integer(false), 10, 32); err == nil {
			return protoreflect.ValueOfUint32(uint32(n)), nil
		}
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		if n, err := strconv.ParseInt(d.integer(true), 10, 64); err == nil {
			return protoreflect.ValueOfInt64(n), nil
		}
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if n, err := strconv.ParseUint(d.integer(true), 10, 64); err == nil {
			return protoreflect.ValueOfUint64(n), nil
		}
	case protoreflect.FloatKind, protoreflect.DoubleKind, protoreflect.BytesKind, protoreflect.MessageKind, protoreflect.GroupKind:
		// protojson's: floats and bytes have several spellings; messages
		// are not scalars.
	}
	return protoreflect.Value{}, errNotFast
}

// literal consumes word if it comes next, followed by a delimiter.
func (d *fastDecoder) literal(word string) bool {
	end := d.pos + len(word)
	if end > len(d.data) || string(d.data[d.pos:end]) != word || (end < len(d.data) && !delimiter(d.data[end])) {
		return false
	}
	d.pos = end
	return true
}

func delimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', '}', ']':
		return true
	}
	return false
}

// integer consumes a JSON integer (-?(0|[1-9][0-9]*), followed by a
// delimiter; quoted too when quoted is set) and returns its digits, or ""
// for anything else (a fraction, an exponent, a leading zero).
func (d *fastDecoder) integer(quoted bool) string {
	q := quoted && d.pos < len(d.data) && d.data[d.pos] == '"'
	i := d.pos
	if q {
		i++
	}
	digits := i
	if i < len(d.data) && d.data[i] == '-' {
		i++
	}
	first := i
	for i < len(d.data) && '0' <= d.data[i] && d.data[i] <= '9' {
		i++
	}
	n := i - first
	if n == 0 || (n > 1 && d.data[first] == '0') {
		return ""
	}
	text := string(d.data[digits:i])
	if q {
		if i >= len(d.data) || d.data[i] != '"' {
			return ""
		}
		i++
	}
	if i < len(d.data) && !delimiter(d.data[i]) {
		return ""
	}
	d.pos = i
	return text
}

// plainString consumes a JSON string without escapes or control
// characters, in valid UTF-8, and returns its text.
func (d *fastDecoder) plainString() (string, bool) {
	b, ok := d.plainBytes()
	return string(b), ok
}

// plainBytes is plainString's text, not copied.
func (d *fastDecoder) plainBytes() ([]byte, bool) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return nil, false
	}
	for i := d.pos + 1; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			s := d.data[d.pos+1 : i]
			if !utf8.Valid(s) {
				return nil, false
			}
			d.pos = i + 1
			return s, true
		case c == '\\' || c < ' ':
			return nil, false
		}
	}
	return nil, false
}

// Name lookups without a string per key: maps built once per descriptor.
var (
	fieldNames  sync.Map // protoreflect.MessageDescriptor → map[string]protoreflect.FieldDescriptor
	enumsByName sync.Map // protoreflect.EnumDescriptor → map[string]protoreflect.EnumNumber
)

// fieldsByName maps the JSON and the proto names of md's fields to them;
// a JSON name wins over another field's proto name, as in protojson.
func fieldsByName(md protoreflect.MessageDescriptor) map[string]protoreflect.FieldDescriptor {
	if m, ok := fieldNames.Load(md); ok {
		return m.(map[string]protoreflect.FieldDescriptor)
	}
	fields := md.Fields()
	m := make(map[string]protoreflect.FieldDescriptor, 2*fields.Len())
	for i := range fields.Len() {
		m[fields.Get(i).TextName()] = fields.Get(i)
	}
	for i := range fields.Len() {
		m[fields.Get(i).JSONName()] = fields.Get(i)
	}
	fieldNames.Store(md, m)
	return m
}

// enumByName maps the names of ed's values to their numbers.
func enumByName(ed protoreflect.EnumDescriptor) map[string]protoreflect.EnumNumber {
	if m, ok := enumsByName.Load(ed); ok {
		return m.(map[string]protoreflect.EnumNumber)
	}
	values := ed.Values()
	m := make(map[string]protoreflect.EnumNumber, values.Len())
	for i := range values.Len() {
		m[string(values.Get(i).Name())] = values.Get(i).Number()
	}
	enumsByName.Store(ed, m)
	return m
}
