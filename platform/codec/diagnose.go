package codec

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// Rule ids of decoding violations.
const (
	// RuleJSONSyntax: the body is not well-formed JSON (a bad escape,
	// invalid UTF-8, an early end) at the named field.
	RuleJSONSyntax = "json.syntax"
	// RuleJSONType: a value of the wrong JSON type, e.g. text for a message.
	RuleJSONType = "json.type"
	// RuleJSONNumber: a number that is not valid for its field (a fraction
	// or an out-of-range value for an integer).
	RuleJSONNumber = "json.number"
	// RuleJSONDuplicate: a field set twice in one object (under one name,
	// or its JSON and its proto name), or two fields of one oneof.
	RuleJSONDuplicate = "json.duplicate"
	// RuleEnumDefined: an enum name the contract does not define; the same
	// id as protovalidate's rule refusing an undefined enum number.
	RuleEnumDefined = "enum.defined_only"
)

// diagnose walks data as the protobuf JSON of a message of type desc and
// returns the first problem found, with the path of the field where it is,
// or nil when it finds none. Unknown fields are skipped (checked only for
// syntax), as a lenient decode ignores them; well-known types are checked
// only for syntax. It is the error path of JSONCodec: it need not be fast.
func diagnose(data []byte, desc protoreflect.MessageDescriptor) *DecodeError {
	d := &diagnoser{data: data}
	d.ws()
	if c, ok := d.peek(); ok && c != '{' {
		return &DecodeError{Rule: RuleJSONType, Message: "the request body must be a JSON object, not " + d.kind()}
	}
	if err := d.message(desc, ""); err != nil {
		return err
	}
	d.ws()
	if d.pos < len(d.data) {
		return &DecodeError{Rule: RuleJSONSyntax, Message: "unexpected text after the JSON object"}
	}
	return nil
}

// message checks an object of type desc; the cursor is on '{'. As
// protojson, it refuses a field set twice (under one name or under its
// JSON and its proto name) and two fields of one oneof.
func (d *diagnoser) message(desc protoreflect.MessageDescriptor, path string) *DecodeError {
	seen := map[protoreflect.FieldNumber]string{}
	oneofs := map[protoreflect.Name]string{}
	return d.object(path, func(key string) *DecodeError {
		fd := desc.Fields().ByJSONName(key)
		if fd == nil {
			fd = desc.Fields().ByTextName(key)
		}
		if fd == nil {
			return d.skip(path) // an unknown field: ignored
		}
		fieldPath := JoinPath(path, string(fd.Name()))
		if first, ok := seen[fd.Number()]; ok {
			return &DecodeError{Path: fieldPath, Rule: RuleJSONDuplicate,
				Message: fmt.Sprintf("is set more than once (%q, then %q): send it once", first, key)}
		}
		seen[fd.Number()] = key
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() {
			if first, ok := oneofs[od.Name()]; ok {
				return &DecodeError{Path: fieldPath, Rule: RuleJSONDuplicate,
					Message: fmt.Sprintf("is one of %s's fields, and %q is set already: send one of them", od.Name(), first)}
			}
			oneofs[od.Name()] = key
		}
		return d.field(fd, fieldPath)
	})
}

// object walks an object, calling value with the cursor on each member's
// value; the cursor is on '{'.
func (d *diagnoser) object(path string, value func(key string) *DecodeError) *DecodeError {
	if err := d.expect(path, '{', "an object"); err != nil {
		return err
	}
	if c, ok := d.peek(); ok && c == '}' {
		d.pos++
		return nil
	}
	for {
		if c, ok := d.peek(); !ok {
			return d.eof(path)
		} else if c != '"' {
			return syntaxErr(path, "expected a field name in double quotes, found "+d.kind())
		}
		key, err := d.str(path)
		if err != nil {
			return err
		}
		if err := d.expect(path, ':', "':' after a field name"); err != nil {
			return err
		}
		if _, ok := d.peek(); !ok {
			return d.eof(path)
		}
		if err := value(key); err != nil {
			return err
		}
		c, ok := d.peek()
		if !ok {
			return d.eof(path)
		}
		d.pos++
		switch c {
		case ',':
		case '}':
			return nil
		default:
			return syntaxErr(path, fmt.Sprintf("expected ',' or '}' after a field, found %q", rune(c)))
		}
	}
}

// field checks the value of fd at the cursor.
func (d *diagnoser) field(fd protoreflect.FieldDescriptor, path string) *DecodeError {
	if c, _ := d.peek(); c == 'n' {
		return d.literal(path, "null") // null leaves any field unset
	}
	switch {
	case fd.IsMap():
		if c, _ := d.peek(); c != '{' {
			return d.mismatch(path, "an object (a map)")
		}
		return d.object(path, func(string) *DecodeError { return d.single(fd.MapValue(), path) })
	case fd.IsList():
		if c, _ := d.peek(); c != '[' {
			return d.mismatch(path, "a list")
		}
		d.pos++
		if c, ok := d.peek(); ok && c == ']' {
			d.pos++
			return nil
		}
		for i := 0; ; i++ {
			if _, ok := d.peek(); !ok {
				return d.eof(path)
			}
			if err := d.single(fd, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
			c, ok := d.peek()
			if !ok {
				return d.eof(path)
			}
			d.pos++
			switch c {
			case ',':
			case ']':
				return nil
			default:
				return syntaxErr(path, fmt.Sprintf("expected ',' or ']' in a list, found %q", rune(c)))
			}
		}
	default:
		return d.single(fd, path)
	}
}

// single checks one value of fd's kind (an element, for a list) at the
// cursor.
func (d *diagnoser) single(fd protoreflect.FieldDescriptor, path string) *DecodeError {
	c, _ := d.peek()
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		if strings.HasPrefix(string(fd.Message().FullName()), "google.protobuf.") {
			return d.skip(path) // a well-known type has its own JSON form
		}
		if c != '{' {
			return d.mismatch(path, "an object")
		}
		return d.message(fd.Message(), path)
	case protoreflect.EnumKind:
		return d.enum(fd.Enum(), path)
	case protoreflect.StringKind:
		if c != '"' {
			return d.mismatch(path, "text (a JSON string)")
		}
		_, err := d.str(path)
		return err
	case protoreflect.BytesKind:
		if c != '"' {
			return d.mismatch(path, "base64 text")
		}
		_, err := d.str(path)
		return err
	case protoreflect.BoolKind:
		switch c {
		case 't':
			return d.literal(path, "true")
		case 'f':
			return d.literal(path, "false")
		}
		return d.mismatch(path, "true or false")
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return d.float(path)
	default:
		return d.integer(fd.Kind(), path)
	}
}

func (d *diagnoser) enum(ed protoreflect.EnumDescriptor, path string) *DecodeError {
	c, _ := d.peek()
	switch {
	case ed.FullName() == "google.protobuf.NullValue":
		return d.skip(path)
	case c == '-' || '0' <= c && c <= '9':
		// A number: the contract's defined_only rule judges it.
		_, err := d.number(path)
		return err
	case c != '"':
		return d.mismatch(path, "one of "+enumNames(ed))
	}
	name, err := d.str(path)
	if err != nil {
		return err
	}
	if ed.Values().ByName(protoreflect.Name(name)) == nil {
		return &DecodeError{Path: path, Rule: RuleEnumDefined,
			Message: fmt.Sprintf("%q is not a known value: use one of %s", name, enumNames(ed))}
	}
	return nil
}

// enumNames lists an enum's names but its zero value, "A, B or C".
func enumNames(ed protoreflect.EnumDescriptor) string {
	var names []string
	for i := range ed.Values().Len() {
		if v := ed.Values().Get(i); v.Number() != 0 {
			names = append(names, string(v.Name()))
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// integer checks a whole number of kind k, as a JSON number or text.
func (d *diagnoser) integer(k protoreflect.Kind, path string) *DecodeError {
	c, _ := d.peek()
	var text string
	var err *DecodeError
	switch {
	case c == '"':
		text, err = d.str(path)
	case c == '-' || '0' <= c && c <= '9':
		text, err = d.number(path)
	default:
		return d.mismatch(path, "a whole number")
	}
	if err != nil {
		return err
	}
	lo, hi := intRange(k)
	if !inRange(text, lo, hi) {
		return &DecodeError{Path: path, Rule: RuleJSONNumber,
			Message: fmt.Sprintf("must be a whole number from %d to %d, not %s", lo, hi, text)}
	}
	return nil
}

// inRange reports whether text, a JSON number, is a whole number from lo
// to hi, compared exactly (float64 would take 2^63 for math.MaxInt64).
func inRange(text string, lo int64, hi uint64) bool {
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n >= lo && (n < 0 || uint64(n) <= hi)
	}
	if u, err := strconv.ParseUint(text, 10, 64); err == nil {
		return u <= hi
	}
	// An exponent or a fraction (1e3, 5.0), or beyond 64 bits.
	f, _, err := big.ParseFloat(text, 10, 1024, big.ToNearestEven)
	if err != nil || !f.IsInt() {
		return false
	}
	i, _ := f.Int(nil)
	return i.Cmp(big.NewInt(lo)) >= 0 && i.Cmp(new(big.Int).SetUint64(hi)) <= 0
}

// intRange is the range of an integer kind.
func intRange(k protoreflect.Kind) (lo int64, hi uint64) {
	switch k {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return math.MinInt32, math.MaxInt32
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return 0, math.MaxUint32
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return 0, math.MaxUint64
	default:
		return math.MinInt64, math.MaxInt64
	}
}

func (d *diagnoser) float(path string) *DecodeError {
	c, _ := d.peek()
	switch {
	case c == '"':
		text, err := d.str(path)
		if err != nil {
			return err
		}
		switch text {
		case "NaN", "Infinity", "-Infinity":
			return nil
		}
		if _, perr := strconv.ParseFloat(text, 64); perr != nil {
			return &DecodeError{Path: path, Rule: RuleJSONNumber, Message: fmt.Sprintf("must be a number, not %q", text)}
		}
		return nil
	case c == '-' || '0' <= c && c <= '9':
		_, err := d.number(path)
		return err
	default:
		return d.mismatch(path, "a number")
	}
}
