package validation_test

import (
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/harnesshero/platform/platform/validation"
)

// BenchmarkRulesBeforeAndNow validates the same valid requests (a quote of
// a loaded design, a registration, an address) with the contracts before
// and now (ADR 0023): standard rules against the CEL rules that replaced
// them, side by side in one run.
func BenchmarkRulesBeforeAndNow(b *testing.B) {
	t := &testing.T{}
	before := loadContract(t, contractBefore)
	requests := map[protoreflect.FullName]string{
		"harness.builder.v1.QuoteRequest": `{"design": {"style": "STYLE_NO_PULL", "size": "SIZE_L", "material": "MATERIAL_LEATHER",
			"hardware": "HARDWARE_STAINLESS", "webbingColor": "COLOR_BLACK", "reflectiveTrim": true,
			"namePatch": {"text": "Biscuit", "threadColor": "COLOR_YELLOW"}, "leash": {"lengthMm": 1800},
			"idTag": {"engraving": "Call 555 0100"}, "measurements": {"chestGirthMm": 600, "neckGirthMm": 400}}, "quantity": 3}`,
		"harness.user.v1.RegisterRequest": `{"email": "me@example.com", "password": "correct horse battery", "displayName": "Me"}`,
		"harness.order.v1.CreateOrderRequest": `{"lines": [{"designId": "0190f5e4-6b1c-7cc3-8a5e-0a1b2c3d4e5f", "quantity": 2}],
			"shippingAddress": {"name": "Ada Barker", "line1": "1 Kennel Lane", "city": "Portland", "region": "OR",
			"postalCode": "97201", "countryCode": "US"}}`,
	}
	for name, body := range requests {
		nowDesc, err := protoregistry.GlobalFiles.FindDescriptorByName(name)
		if err != nil {
			b.Fatal(err)
		}
		oldDesc, err := before.FindDescriptorByName(name)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			label string
			desc  protoreflect.MessageDescriptor
		}{{"before", oldDesc.(protoreflect.MessageDescriptor)}, {"now", nowDesc.(protoreflect.MessageDescriptor)}} {
			msg := dynamicpb.NewMessage(c.desc)
			if err := protojson.Unmarshal([]byte(body), msg); err != nil {
				b.Fatal(err)
			}
			v, err := validation.New()
			if err != nil {
				b.Fatal(err)
			}
			if err := v.Validate(msg); err != nil {
				b.Fatalf("%s %s: %v", c.label, name, err)
			}
			b.Run(string(c.desc.Name())+"/"+c.label, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_ = v.Validate(msg)
				}
			})
		}
	}
}
