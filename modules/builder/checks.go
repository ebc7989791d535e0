package builder

import (
	"errors"

	"google.golang.org/protobuf/proto"

	"github.com/harnesshero/platform/domain/catalog"
	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	"github.com/harnesshero/platform/platform/validation"
)

// ValidationChecks are the builder's rules that the contract cannot state,
// for validation.New: rule 10 (a size must fit the pet's measurements),
// which needs the domain's size table. The composition root's validator runs
// it on every Design of a request together with the contract's rules, so a
// design breaking both reports every violation at once. The handlers still
// check the design in full (the domain is the source of truth).
func ValidationChecks() []validation.Check {
	return []validation.Check{{
		Message:  (*builderv1.Design)(nil).ProtoReflect().Descriptor().FullName(),
		Validate: fitViolations,
	}}
}

// fitViolations returns the rule-10 violation of a design, if any, on the
// path and with the rule id the handlers report it with ("size",
// "size.size_fit"). The domain checks the fit only when the size and both
// girths are valid, so it never repeats a contract violation.
func fitViolations(msg proto.Message) []validation.Violation {
	d, ok := msg.(*builderv1.Design)
	if !ok { // e.g. a dynamic message: read it as a Design
		d = &builderv1.Design{}
		b, err := proto.Marshal(msg)
		if err != nil || proto.Unmarshal(b, d) != nil {
			return nil
		}
	}
	if d.GetMeasurements() == nil {
		return nil
	}
	var verr *catalog.ValidationError
	if !errors.As(catalog.Validate(designToDomain(d)), &verr) {
		return nil
	}
	var out []validation.Violation
	for _, v := range verr.Violations {
		if v.Rule == catalog.RuleSizeFit {
			out = append(out, validation.Violation{Path: v.Field, Rule: v.Field + "." + v.Rule, Message: v.Message})
		}
	}
	return out
}
