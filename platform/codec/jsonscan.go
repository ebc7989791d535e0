package codec

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// diagnoser is a cursor over a JSON body; this file holds its lexing:
// whitespace, literals, numbers, strings, and skipping a value whose type
// does not matter. Every error names the field path it was called with.
type diagnoser struct {
	data []byte
	pos  int
}

func (d *diagnoser) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *diagnoser) peek() (byte, bool) {
	d.ws()
	if d.pos >= len(d.data) {
		return 0, false
	}
	return d.data[d.pos], true
}

// kind names the JSON value at the cursor in words.
func (d *diagnoser) kind() string {
	c, ok := d.peek()
	switch {
	case !ok:
		return "nothing"
	case c == '{':
		return "an object"
	case c == '[':
		return "a list"
	case c == '"':
		return "text"
	case c == 't' || c == 'f':
		return "true or false"
	case c == 'n':
		return "null"
	case c == '-' || '0' <= c && c <= '9':
		return "a number"
	default:
		return fmt.Sprintf("the character %q", rune(c))
	}
}

func syntaxErr(path, msg string) *DecodeError {
	return &DecodeError{Path: path, Rule: RuleJSONSyntax, Message: msg}
}

func (d *diagnoser) eof(path string) *DecodeError {
	return syntaxErr(path, "the JSON ends too early: the body is cut off or a bracket is missing")
}

// mismatch reports a value of the wrong type, unless the value itself is
// malformed JSON, which is reported instead.
func (d *diagnoser) mismatch(path, want string) *DecodeError {
	got := d.kind()
	if err := d.skip(path); err != nil {
		return err
	}
	return &DecodeError{Path: path, Rule: RuleJSONType, Message: "must be " + want + ", not " + got}
}

func (d *diagnoser) expect(path string, c byte, what string) *DecodeError {
	got, ok := d.peek()
	if !ok {
		return d.eof(path)
	}
	if got != c {
		return syntaxErr(path, fmt.Sprintf("expected %s, found %s", what, d.kind()))
	}
	d.pos++
	return nil
}

// skip checks the syntax of any value at the cursor and moves past it.
func (d *diagnoser) skip(path string) *DecodeError {
	c, ok := d.peek()
	switch {
	case !ok:
		return d.eof(path)
	case c == '{':
		return d.object(path, func(string) *DecodeError { return d.skip(path) })
	case c == '[':
		d.pos++
		if c, ok := d.peek(); ok && c == ']' {
			d.pos++
			return nil
		}
		for {
			if err := d.skip(path); err != nil {
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
	case c == '"':
		_, err := d.str(path)
		return err
	case c == 't':
		return d.literal(path, "true")
	case c == 'f':
		return d.literal(path, "false")
	case c == 'n':
		return d.literal(path, "null")
	case c == '-' || '0' <= c && c <= '9':
		_, err := d.number(path)
		return err
	default:
		return syntaxErr(path, fmt.Sprintf("unexpected character %q", rune(c)))
	}
}

func (d *diagnoser) literal(path, word string) *DecodeError {
	if !strings.HasPrefix(string(d.data[d.pos:min(len(d.data), d.pos+len(word))]), word) {
		return syntaxErr(path, "is not valid JSON: expected "+word)
	}
	d.pos += len(word)
	return nil
}

// number reads a JSON number and returns its text.
func (d *diagnoser) number(path string) (string, *DecodeError) {
	start := d.pos
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && '0' <= d.data[d.pos] && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	bad := func() (string, *DecodeError) {
		return "", syntaxErr(path, "is not a valid JSON number")
	}
	if d.data[d.pos] == '-' {
		d.pos++
	}
	if digits() == 0 {
		return bad()
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return bad()
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return bad()
		}
	}
	return string(d.data[start:d.pos]), nil
}

// str reads a JSON string and returns its raw text (escapes unresolved);
// the cursor is on '"'.
func (d *diagnoser) str(path string) (string, *DecodeError) {
	d.pos++
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			s := string(d.data[start:d.pos])
			d.pos++
			return s, nil
		case c == '\\':
			if d.pos+1 >= len(d.data) {
				return "", d.eof(path)
			}
			switch e := d.data[d.pos+1]; e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.pos += 2
			case 'u':
				r, ok := d.hex4(d.pos)
				if !ok {
					return "", syntaxErr(path, `has an invalid \u escape: it needs four hex digits`)
				}
				d.pos += 6
				if utf16.IsSurrogate(r) {
					// A high surrogate must be followed by a low one: a
					// pair is one character; alone, it is no text.
					low, ok := d.hex4(d.pos)
					if r >= 0xdc00 || !ok || utf16.DecodeRune(r, low) == utf8.RuneError {
						return "", syntaxErr(path, fmt.Sprintf(`has a lone UTF-16 surrogate \u%04x, which is not valid UTF-8 text: `+
							`send the character itself, or both halves of its surrogate pair`, r))
					}
					d.pos += 6
				}
			default:
				return "", syntaxErr(path, fmt.Sprintf(`has an invalid escape sequence \%c: use \\ for a backslash`, rune(e)))
			}
		case c < 0x20:
			return "", syntaxErr(path, "has a raw control character: write it escaped, e.g. \\n for a line break")
		case c < utf8.RuneSelf:
			d.pos++
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", syntaxErr(path, "is not valid UTF-8 text")
			}
			d.pos += size
		}
	}
	return "", d.eof(path)
}

// hex4 reads the \uXXXX escape at i, if there is one.
func (d *diagnoser) hex4(i int) (rune, bool) {
	if i+6 > len(d.data) || d.data[i] != '\\' || d.data[i+1] != 'u' || !isHex(d.data[i+2:i+6]) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(d.data[i+2:i+6]), 16, 16)
	return rune(n), err == nil
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// JoinPath is a field path: prefix and path with a dot between them when
// both are set ("design" and "size": "design.size").
func JoinPath(prefix, path string) string {
	switch {
	case prefix == "":
		return path
	case path == "":
		return prefix
	default:
		return prefix + "." + path
	}
}
