package builder

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"buf.build/go/protovalidate"

	"github.com/harnesshero/platform/domain/catalog"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/platform/validation"
)

// crossField are the ids of rules 1-7, which the contract states as
// message-level CEL rules.
var crossField = map[string]bool{
	catalog.RuleLeatherHardware: true, catalog.RuleLeatherSize: true, catalog.RuleLeatherStyle: true,
	catalog.RuleLeatherWebbingColor: true, catalog.RuleBackHandleSize: true,
	catalog.RuleTrimColorDistinct: true, catalog.RuleThreadColorDistinct: true,
}

// TestContractAgreesWithDomain checks that the protovalidate rules of the
// contract (which the TS client enforces before sending) and the domain's
// rules agree on which fields of a design are wrong, for many random
// designs, and say rules 1-7 in the same words. Only the fit rule (10) is
// domain-only.
func TestContractAgreesWithDomain(t *testing.T) {
	t.Parallel()
	v, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"", "Rex", " Rex", "Rex ", "Rex  Max", "O'Neil-2", "Maximilian12", "Maximilian123", "Zoë", "a@b", "Call 555-0100 O'Hara", "Call me 555 0100 1234"}
	girths := []int32{0, 99, 100, 250, 345, 500, 900, 1500, 1501}
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(n int) int32 { return int32(r.IntN(n + 2)) } // 0 (unset) .. n+1 (unknown)
	valid := 0
	for i := range 20000 {
		d := &builderv1.Design{
			Style: builderv1.Style(pick(4)), Size: builderv1.Size(pick(6)), Material: builderv1.Material(pick(3)),
			Hardware: builderv1.Hardware(pick(3)), WebbingColor: builderv1.Color(pick(11)),
			ReflectiveTrim: r.IntN(2) == 0, BackHandle: r.IntN(2) == 0,
		}
		if r.IntN(3) == 0 {
			d.TrimColor = builderv1.Color(pick(11)).Enum()
		}
		if r.IntN(3) == 0 {
			d.NamePatch = &builderv1.NamePatch{Text: texts[r.IntN(len(texts))], ThreadColor: builderv1.Color(pick(11))}
		}
		if r.IntN(3) == 0 {
			d.Leash = &builderv1.Leash{LengthMm: []int32{0, 1200, 1500, 1800}[r.IntN(4)]}
		}
		if r.IntN(3) == 0 {
			d.IdTag = &builderv1.IdTag{Engraving: texts[r.IntN(len(texts))]}
		}
		if r.IntN(3) == 0 {
			d.Measurements = &builderv1.Measurements{ChestGirthMm: girths[r.IntN(len(girths))], NeckGirthMm: girths[r.IntN(len(girths))]}
		}

		var contract []string
		messages := map[string]string{} // "field rule id" → the contract's message
		var verr *protovalidate.ValidationError
		if err := v.Validate(&builderv1.QuoteRequest{Design: d, Quantity: 1}); errors.As(err, &verr) {
			for _, viol := range verr.Violations {
				field := strings.TrimPrefix(protovalidate.FieldPathString(viol.Proto.GetField()), "design.")
				contract = append(contract, field)
				messages[field+" "+viol.Proto.GetRuleId()] = viol.Proto.GetMessage()
			}
		} else if err != nil {
			t.Fatal(err)
		}
		var domain []string
		var derr *catalog.ValidationError
		if err := catalog.Validate(designToDomain(d)); errors.As(err, &derr) {
			for _, viol := range derr.Violations {
				if viol.Rule != catalog.RuleSizeFit {
					domain = append(domain, viol.Field)
				}
				// Rules 1-7 are message-level rules of the contract, with
				// the domain's id and the same words.
				if crossField[viol.Rule] {
					if got := messages[viol.Field+" "+viol.Field+"."+viol.Rule]; got != viol.Message {
						t.Fatalf("design %d %v: %s: contract says %q, domain %q", i, d, viol.Rule, got, viol.Message)
					}
				}
			}
		} else if err != nil {
			t.Fatal(err)
		}
		slices.Sort(contract)
		slices.Sort(domain)
		contract, domain = slices.Compact(contract), slices.Compact(domain)
		if !slices.Equal(contract, domain) {
			t.Fatalf("design %d %v:\ncontract fields %v\ndomain fields   %v", i, d, contract, domain)
		}
		if len(contract) == 0 {
			valid++
		}
	}
	if valid < 100 {
		t.Errorf("only %d valid designs generated: the test explores too little", valid)
	}
}
