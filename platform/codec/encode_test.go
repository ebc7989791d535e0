package codec_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	_ "github.com/harnesshero/platform/gen/harness/analytics/v1"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	_ "github.com/harnesshero/platform/gen/harness/events/v1"
	_ "github.com/harnesshero/platform/gen/harness/order/v1"
	_ "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/codec"
)

// TestFastJSON: the codec's fast path writes, for every message type of the
// contracts filled at random (strings with quotes, control characters and
// non-ASCII text, enum numbers the contract does not name, extreme
// integers, bytes, timestamps), the bytes protojson writes once its
// randomised whitespace is removed; what it does not handle (invalid
// UTF-8, a timestamp out of range, a map or a float) goes to protojson.
func TestFastJSON(t *testing.T) {
	t.Parallel()
	c := codec.NewJSONCodec()
	rng := rand.New(rand.NewPCG(12, 27))
	types := 0
	protoregistry.GlobalTypes.RangeMessages(func(mt protoreflect.MessageType) bool {
		if !strings.HasPrefix(string(mt.Descriptor().FullName()), "harness.") {
			return true
		}
		types++
		for i := range 30 {
			m := mt.New()
			fill(rng, m, 0, i == 0)
			compare(t, c, m.Interface())
		}
		return true
	})
	if types < 40 {
		t.Fatalf("compared %d message types of the contracts; want them all", types)
	}
	for name, m := range map[string]proto.Message{
		"quote": &builderv1.QuoteRequest{Design: &builderv1.Design{Style: builderv1.Style_STYLE_OVERHEAD, Size: builderv1.Size_SIZE_M,
			NamePatch: &builderv1.NamePatch{Text: "Biscuit", ThreadColor: builderv1.Color_COLOR_YELLOW}}, Quantity: 3},
		"invalid UTF-8":          &builderv1.QuoteRequest{Design: &builderv1.Design{NamePatch: &builderv1.NamePatch{Text: "a\xffb"}}},
		"timestamp out of range": &timestamppb.Timestamp{Seconds: math.MaxInt64},
		"timestamp":              &timestamppb.Timestamp{Seconds: 1_764_000_000, Nanos: 120_000_000},
		"a well-known type":      durationpb.New(1500 * time.Millisecond),
	} {
		t.Run(name, func(t *testing.T) { compare(t, c, m) })
	}
}

// compare checks that the codec writes what protojson writes, or fails as
// protojson fails.
func compare(t *testing.T, c *codec.JSONCodec, m proto.Message) {
	t.Helper()
	want, wantErr := protojson.Marshal(m)
	var got bytes.Buffer
	err := c.MarshalWrite(t.Context(), &got, m)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%T: codec error %v, protojson error %v", m, err, wantErr)
	}
	if err != nil {
		return
	}
	// protojson adds whitespace at random (on purpose): compare without
	// it, the codec's own output too (a message protojson marshals).
	var compact, gotCompact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		t.Fatal(err)
	}
	if err := json.Compact(&gotCompact, got.Bytes()); err != nil {
		t.Fatalf("%T: the codec wrote invalid JSON %s: %v", m, got.Bytes(), err)
	}
	if !bytes.Equal(gotCompact.Bytes(), compact.Bytes()) {
		t.Fatalf("%T:\ncodec     %s\nprotojson %s", m, got.Bytes(), compact.Bytes())
	}
	var stable bytes.Buffer
	if err := c.MarshalWriteStable(t.Context(), &stable, m); err != nil || !bytes.Equal(stable.Bytes(), compact.Bytes()) {
		t.Fatalf("%T stable: %s, %v", m, stable.Bytes(), err)
	}
}

var texts = []string{"", "Biscuit", `quote " and \ backslash`, "tab\tnew\nline\r\b\f", "nul \x00 and \x1f and \x7f", "héllo wörld ✓ 🐕", "<b>&amp;</b>", "\u2028\u2029"}

// fill sets each field of m at random (none when sparse), to depth 4.
func fill(rng *rand.Rand, m protoreflect.Message, depth int, sparse bool) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if sparse || rng.IntN(3) == 0 || fd.IsMap() || (fd.Kind() == protoreflect.MessageKind && depth > 3) {
			continue
		}
		if fd.ContainingOneof() != nil && m.WhichOneof(fd.ContainingOneof()) != nil {
			continue
		}
		if fd.IsList() {
			list := m.Mutable(fd).List()
			for range rng.IntN(3) {
				if fd.Kind() == protoreflect.MessageKind {
					el := list.NewElement()
					fill(rng, el.Message(), depth+1, false)
					list.Append(el)
				} else {
					list.Append(value(rng, fd))
				}
			}
			continue
		}
		if fd.Kind() == protoreflect.MessageKind {
			if fd.Message().FullName() == "google.protobuf.Timestamp" {
				m.Set(fd, protoreflect.ValueOfMessage(timestamppb.New(timestamppb.Now().AsTime().Add(-time.Duration(rng.Int64N(1e18)))).ProtoReflect()))
				continue
			}
			fill(rng, m.Mutable(fd).Message(), depth+1, false)
			continue
		}
		m.Set(fd, value(rng, fd))
	}
}

func value(rng *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	ints := []int64{0, 1, -1, 42, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(rng.IntN(2) == 0)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(texts[rng.IntN(len(texts))])
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte(texts[rng.IntN(len(texts))]))
	case protoreflect.EnumKind:
		values := fd.Enum().Values()
		if rng.IntN(4) == 0 {
			return protoreflect.ValueOfEnum(protoreflect.EnumNumber(1000 + rng.IntN(5)))
		}
		return protoreflect.ValueOfEnum(values.Get(rng.IntN(values.Len())).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(ints[rng.IntN(6)]))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(ints[rng.IntN(len(ints))])
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(rng.Uint64()))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(rng.Uint64())
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(rng.NormFloat64()))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(rng.NormFloat64() * 1e30)
	default:
		panic(fd.Kind().String())
	}
}

// BenchmarkJSONEncode marshals a quote's answer with the codec and with
// protojson.
func BenchmarkJSONEncode(b *testing.B) {
	c := codec.NewJSONCodec()
	m := &builderv1.QuoteResponse{Quote: &builderv1.LineQuote{UnitPriceCents: 6300, Quantity: 3, SubtotalCents: 18900, DiscountCents: 1890, TotalCents: 17010,
		Parts: []*builderv1.PricePart{{Label: "Overhead harness, M"}, {Label: "Padded mesh"}, {Label: "Aluminium hardware"}, {Label: "Reflective trim"}, {Label: "Name patch"}}}}
	var out bytes.Buffer
	b.Run("codec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			out.Reset()
			if err := c.MarshalWrite(b.Context(), &out, m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("protojson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := protojson.Marshal(m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
