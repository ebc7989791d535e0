package catalog

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Rule ids carried by [Violation.Rule]; the numbers are the spec's rules.
const (
	RuleLeatherHardware     = "leather_hardware"      // rule 1
	RuleLeatherSize         = "leather_size"          // rule 2
	RuleLeatherStyle        = "leather_style"         // rule 3
	RuleLeatherWebbingColor = "leather_webbing_color" // rule 4
	RuleBackHandleSize      = "back_handle_size"      // rule 5
	RuleTrimColorDistinct   = "trim_color_distinct"   // rule 6
	RuleThreadColorDistinct = "thread_color_distinct" // rule 7
	RuleNamePatchText       = "name_patch_text"       // rule 8
	RuleIDTagEngraving      = "id_tag_engraving"      // rule 9
	RuleSizeFit             = "size_fit"              // rule 10
	RuleEnumDefined         = "enum_defined"          // rule 11
	RuleGirthRange          = "girth_range"           // rule 11
	RuleLeashLength         = "leash_length"          // rule 11 (a leash is 1200 or 1800 mm)
)

// RuleInfo describes one cross-field rule for display, e.g. in a catalog.
type RuleInfo struct {
	// Number is the rule's number in the spec.
	Number int
	// ID is the rule id its violations carry in Violation.Rule.
	ID string
	// Field is the field path its violations carry in Violation.Field.
	Field string
	// Description states the rule in words.
	Description string
}

// Rules returns the catalog's rules 1 to 10 in order. Rule 11 (every enum
// set to a real value, girths 100 to 1500 mm, a leash 1200 or 1800 mm) is a
// per-field rule and is not listed.
func Rules() []RuleInfo {
	return []RuleInfo{
		{1, RuleLeatherHardware, "hardware", msgLeatherHardware},
		{2, RuleLeatherSize, "size", msgLeatherSize},
		{3, RuleLeatherStyle, "style", msgLeatherStyle},
		{4, RuleLeatherWebbingColor, "webbing_color", msgLeatherWebbing},
		{5, RuleBackHandleSize, "back_handle", msgBackHandleSize},
		{6, RuleTrimColorDistinct, "trim_color", msgTrimDistinct},
		{7, RuleThreadColorDistinct, "name_patch.thread_color", msgThreadDistinct},
		{8, RuleNamePatchText, "name_patch.text", textMessage("Name patch text", NamePatchMaxChars)},
		{9, RuleIDTagEngraving, "id_tag.engraving", textMessage("ID tag engraving", IDTagMaxChars)},
		{10, RuleSizeFit, "size", "When measurements are given, the chosen size must fit them"},
	}
}

// The messages of rules 1–7, which a shop customer reads: the same words
// as the contract's rules (api/harness/builder/v1/design.proto; a test in
// modules/builder keeps the two equal).
const (
	msgLeatherHardware = "Leather needs aluminum or stainless steel hardware"
	msgLeatherSize     = "Leather is not made in size XS"
	msgLeatherStyle    = "Leather is not made for the vest style"
	msgLeatherWebbing  = "Leather comes only with black, brown or navy webbing"
	msgBackHandleSize  = "A back handle is not made in size XS"
	msgTrimDistinct    = "The trim colour must differ from the webbing colour"
	msgThreadDistinct  = "The name patch thread colour must differ from the webbing colour"
)

// textMessage is the message of rules 8 and 9: what (e.g. "Name patch
// text") may be 1 to maxChars characters of the alphabet.
func textMessage(what string, maxChars int) string {
	return what + " may be 1 to " + strconv.Itoa(maxChars) +
		" characters: letters A–Z, digits, ' and -, with single spaces between words"
}

// ValidateText reports whether s is 1 to maxChars characters (runes) of
// A–Z, a–z, 0–9, space, hyphen and apostrophe, with no leading or trailing
// space and no two spaces in a row. It is the check of rules 8 (name patch
// text) and 9 (ID tag engraving). Any non-ASCII character fails.
//
// Rule 9 only says "same alphabet as rule 8"; an engraving also gets rule
// 8's spacing rules, because a leading, trailing or doubled space cannot be
// seen on a tag and would only make two engravings look alike.
func ValidateText(s string, maxChars int) bool {
	n := utf8.RuneCountInString(s)
	if n < 1 || n > maxChars {
		return false
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' || strings.Contains(s, "  ") {
		return false
	}
	for _, r := range s {
		switch {
		case 'A' <= r && r <= 'Z', 'a' <= r && r <= 'z', '0' <= r && r <= '9':
		case r == ' ', r == '-', r == '\'':
		default:
			return false
		}
	}
	return true
}

// Validate checks a design against the catalog's rules 1 to 11 and returns
// nil, or a *ValidationError (matching ErrInvalidDesign) listing every broken
// rule in rule-number order, then field order.
//
// A rule that compares a field with an unset or unknown value is skipped, so
// that value is reported once, by rule 11: e.g. LEATHER with unset hardware
// yields only hardware/enum_defined. Rule 10 is checked only when the size is
// valid and both girths are in range.
func Validate(d Design) error {
	var vs []Violation
	add := func(field, rule, msg string) {
		vs = append(vs, Violation{Field: field, Rule: rule, Message: msg})
	}

	// Rules 1–4: leather.
	if d.Material == MaterialLeather {
		if d.Hardware.Valid() && !allows(AllowedHardware(d.Material), d.Hardware) {
			add("hardware", RuleLeatherHardware, msgLeatherHardware)
		}
		if d.Size.Valid() && !allows(AllowedSizes(d.Material), d.Size) {
			add("size", RuleLeatherSize, msgLeatherSize)
		}
		if d.Style.Valid() && !allows(AllowedStyles(d.Material), d.Style) {
			add("style", RuleLeatherStyle, msgLeatherStyle)
		}
		if d.Webbing.Valid() && !allows(AllowedWebbing(d.Material), d.Webbing) {
			add("webbing_color", RuleLeatherWebbingColor, msgLeatherWebbing)
		}
	}
	// Rule 5.
	if d.BackHandle && d.Size == SizeXS {
		add("back_handle", RuleBackHandleSize, msgBackHandleSize)
	}
	// Rule 6.
	if d.Trim.Valid() && d.Trim == d.Webbing {
		add("trim_color", RuleTrimColorDistinct, msgTrimDistinct)
	}
	// Rule 7.
	if p := d.NamePatch; p != nil && p.Thread.Valid() && p.Thread == d.Webbing {
		add("name_patch.thread_color", RuleThreadColorDistinct, msgThreadDistinct)
	}
	// Rule 8.
	if p := d.NamePatch; p != nil && !ValidateText(p.Text, NamePatchMaxChars) {
		add("name_patch.text", RuleNamePatchText, textMessage("Name patch text", NamePatchMaxChars))
	}
	// Rule 9.
	if t := d.IDTag; t != nil && !ValidateText(t.Engraving, IDTagMaxChars) {
		add("id_tag.engraving", RuleIDTagEngraving, textMessage("ID tag engraving", IDTagMaxChars))
	}
	// Rule 10.
	if m := d.Measurements; m != nil && d.Size.Valid() && girthValid(m.ChestMM) && girthValid(m.NeckMM) {
		if spec, _ := SizeSpecFor(d.Size); !spec.Fits(*m) {
			add("size", RuleSizeFit, sizeFitMessage(d.Size, *m))
		}
	}
	// Rule 11, in field order.
	vs = append(vs, valueViolations(d)...)

	if len(vs) == 0 {
		return nil
	}
	return &ValidationError{Violations: vs}
}

// valueViolations checks rule 11 (and the leash length) in field order.
func valueViolations(d Design) []Violation {
	var vs []Violation
	enum := func(field, what string, ok bool, got string, names []enumName) {
		if !ok {
			vs = append(vs, Violation{field, RuleEnumDefined, what + " must be one of " + nameList(names) + " (got " + got + ")"})
		}
	}
	enum("style", "style", d.Style.Valid(), d.Style.String(), styleNames)
	enum("size", "size", d.Size.Valid(), d.Size.String(), sizeNames)
	enum("material", "material", d.Material.Valid(), d.Material.String(), materialNames)
	enum("hardware", "hardware", d.Hardware.Valid(), d.Hardware.String(), hardwareNames)
	enum("webbing_color", "webbing colour", d.Webbing.Valid(), d.Webbing.String(), colorNames)
	if d.Trim != ColorUnspecified {
		enum("trim_color", "trim colour, when chosen,", d.Trim.Valid(), d.Trim.String(), colorNames)
	}
	if p := d.NamePatch; p != nil {
		enum("name_patch.thread_color", "name patch thread colour", p.Thread.Valid(), p.Thread.String(), colorNames)
	}
	if _, ok := LeashCents(d.LeashMM); d.LeashMM != 0 && !ok {
		vs = append(vs, Violation{"leash.length_mm", RuleLeashLength,
			"leash length must be 1200 or 1800 mm (got " + mm(d.LeashMM) + ")"})
	}
	if m := d.Measurements; m != nil {
		girth := func(field, what string, v int32) {
			if !girthValid(v) {
				vs = append(vs, Violation{field, RuleGirthRange, what + " must be " +
					strconv.Itoa(MinGirthMM) + " to " + strconv.Itoa(MaxGirthMM) + " mm (got " + mm(v) + ")"})
			}
		}
		girth("measurements.chest_girth_mm", "chest girth", m.ChestMM)
		girth("measurements.neck_girth_mm", "neck girth", m.NeckMM)
	}
	return vs
}

func girthValid(v int32) bool { return MinGirthMM <= v && v <= MaxGirthMM }

// nameList formats the defined names of an enum table as "A, B, C".
func nameList(names []enumName) string {
	parts := make([]string, 0, len(names)-1)
	for _, n := range names[1:] {
		parts = append(parts, n.name)
	}
	return strings.Join(parts, ", ")
}

// sizeFitMessage explains a rule-10 violation to the customer, naming the
// size to choose or why none fits.
func sizeFitMessage(s Size, m Measurements) string {
	msg := "Size " + s.Label() + " does not fit a chest girth of " + mm(m.ChestMM) + " and a neck girth of " + mm(m.NeckMM)
	r := Recommend(m)
	if r.Size == SizeUnspecified {
		return msg + ", and no size does: " + r.Reason
	}
	return msg + ": choose size " + r.Size.Label()
}
