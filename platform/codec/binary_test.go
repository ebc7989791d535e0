package codec_test

import (
	"bytes"
	"errors"
	"testing"

	connect "connectrpc.com/connect/v2"
	"connectrpc.com/connect/v2/connectproto"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/platform/codec"
)

// marshalWith marshals m and replaces the one occurrence of old in its
// bytes by raw (as long), which need not be UTF-8.
func marshalWith(t *testing.T, m proto.Message, old, raw string) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(b, []byte(old)) != 1 || len(old) != len(raw) {
		t.Fatalf("%q is not in the message once, or %q is not as long", old, raw)
	}
	return bytes.Replace(b, []byte(old), []byte(raw), 1)
}

func TestBinaryCodecNamesTheField(t *testing.T) {
	t.Parallel()
	patched := &builderv1.QuoteCartRequest{Lines: []*builderv1.CartLine{
		{Design: &builderv1.Design{Style: builderv1.Style_STYLE_VEST}, Quantity: 1},
		{Design: &builderv1.Design{NamePatch: &builderv1.NamePatch{Text: "Rex"}}, Quantity: 1},
	}}
	version := func(tail ...byte) []byte {
		b, err := proto.Marshal(&builderv1.UpdateDesignRequest{Name: "x"})
		if err != nil {
			t.Fatal(err)
		}
		return append(protowire.AppendTag(b, 4, protowire.VarintType), tail...)
	}
	tests := []struct {
		name     string
		data     []byte
		into     proto.Message
		path     string
		rule     string
		contains string
	}{
		{"invalid UTF-8 at the top", marshalWith(t, &builderv1.CreateDesignRequest{Name: "Rex"}, "Rex", "R\xffx"),
			&builderv1.CreateDesignRequest{}, "name", codec.RuleProtoUTF8, "UTF-8"},
		{"a surrogate in UTF-8's form", marshalWith(t, &builderv1.CreateDesignRequest{Name: "Rex"}, "Rex", "\xed\xa0\x80"),
			&builderv1.CreateDesignRequest{}, "name", codec.RuleProtoUTF8, "UTF-8"},
		{"invalid UTF-8 in a list element", marshalWith(t, patched, "Rex", "\xc3\x28x"),
			&builderv1.QuoteCartRequest{}, "lines[1].design.name_patch.text", codec.RuleProtoUTF8, "UTF-8"},
		{"a varint past 64 bits", version(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f),
			&builderv1.UpdateDesignRequest{}, "expected_version", codec.RuleProtoWire, "from -9223372036854775808 to 9223372036854775807"},
		{"a value cut off", version(0xff),
			&builderv1.UpdateDesignRequest{}, "expected_version", codec.RuleProtoWire, "cut off"},
	}
	c := codec.NewBinaryCodec()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := c.UnmarshalRead(t.Context(), bytes.NewBuffer(tt.data), tt.into)
			derr, ok := errors.AsType[*codec.DecodeError](err)
			if !ok {
				t.Fatalf("UnmarshalRead = %v, want a *DecodeError", err)
			}
			if derr.Path != tt.path || derr.Rule != tt.rule || !bytes.Contains([]byte(derr.Message), []byte(tt.contains)) {
				t.Errorf("got path %q rule %q message %q, want path %q rule %q message containing %q",
					derr.Path, derr.Rule, derr.Message, tt.path, tt.rule, tt.contains)
			}
		})
	}
}

// TestBinaryCodecDecodes: a valid body decodes as with proto.Unmarshal,
// from connect's buffer or any reader.
func TestBinaryCodecDecodes(t *testing.T) {
	t.Parallel()
	want := quote()
	b, err := proto.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	c := codec.NewBinaryCodec()
	for _, src := range []interface{ Read([]byte) (int, error) }{bytes.NewBuffer(b), bytes.NewReader(b)} {
		got := &builderv1.QuoteRequest{}
		if err := c.UnmarshalRead(t.Context(), src, got); err != nil {
			t.Fatalf("UnmarshalRead: %v", err)
		}
		if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
			t.Errorf("decoded (-want +got):\n%s", diff)
		}
	}
}

// BenchmarkBinaryDecode compares the success path of BinaryCodec with
// connect's codec on a typical request, given the body as connect gives it
// (a *bytes.Buffer).
func BenchmarkBinaryDecode(b *testing.B) {
	data, err := proto.Marshal(quote())
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		codec connect.Codec
	}{
		{"connect", connectproto.NewBinaryCodec()},
		{"validation", codec.NewBinaryCodec()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx := b.Context()
			for b.Loop() {
				var msg builderv1.QuoteRequest
				if err := bc.codec.UnmarshalRead(ctx, bytes.NewBuffer(data), &msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
