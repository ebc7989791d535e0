package loadtest

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/harnesshero/platform/domain/catalog"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/modules/webhook"
)

// TestDesigns: the designs a run sends as valid follow every rule of the
// catalog, those it sends as invalid break one, and both reach the
// contract with the same values.
func TestDesigns(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	d := newDesign(r)
	for i := range 5000 {
		if err := catalog.Validate(d); err != nil {
			t.Fatalf("draw %d: a valid design breaks a rule: %v (%+v)", i, err, d)
		}
		if err := catalog.Validate(breakRule(r, d)); err == nil {
			t.Fatalf("draw %d: breakRule(%+v) broke nothing", i, d)
		}
		p := toProto(d)
		if p.GetStyle().String() != "STYLE_"+d.Style.String() || p.GetSize().String() != "SIZE_"+d.Size.String() ||
			p.GetMaterial().String() != "MATERIAL_"+d.Material.String() || p.GetHardware().String() != "HARDWARE_"+d.Hardware.String() ||
			p.GetWebbingColor().String() != "COLOR_"+d.Webbing.String() {
			t.Fatalf("toProto(%+v) = %v", d, p)
		}
		if (d.Trim != catalog.ColorUnspecified) != (p.TrimColor != nil) || (d.NamePatch != nil) != (p.GetNamePatch() != nil) ||
			(d.LeashMM != 0) != (p.GetLeash() != nil) || (d.IDTag != nil) != (p.GetIdTag() != nil) {
			t.Fatalf("toProto(%+v) lost an option: %v", d, p)
		}
		if i%10 == 0 {
			d = newDesign(r)
		} else {
			d = changeOption(r, d)
		}
	}
	if builderv1.Color(catalog.ColorYellow).String() != "COLOR_YELLOW" {
		t.Error("the catalog's colours are not the contract's")
	}
}

// TestWebhookPath: the run posts where the webhook module listens.
func TestWebhookPath(t *testing.T) {
	if WebhookPath != webhook.Path {
		t.Errorf("WebhookPath = %q, the module serves %q", WebhookPath, webhook.Path)
	}
}

func TestRPCName(t *testing.T) {
	if got := rpcName("/harness.builder.v1.CatalogService/Quote"); got != "CatalogService/Quote" {
		t.Errorf("rpcName = %q", got)
	}
	if got := fileName("Webhook/payments"); strings.ContainsAny(got, "/ ") {
		t.Errorf("fileName = %q", got)
	}
}
