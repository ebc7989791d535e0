package catalog

import "slices"

// Option prices and limits, in US cents and characters.
const (
	// ReflectiveTrimCents is the price of the reflective trim.
	ReflectiveTrimCents int64 = 350
	// BackHandleCents is the price of the back handle.
	BackHandleCents int64 = 500
	// NamePatchBaseCents is the flat price of a name patch.
	NamePatchBaseCents int64 = 700
	// NamePatchFreeChars is how many characters the flat price includes.
	NamePatchFreeChars = 6
	// NamePatchExtraCharCents is the price of each character beyond
	// NamePatchFreeChars.
	NamePatchExtraCharCents int64 = 50
	// NamePatchMaxChars is the longest name patch text.
	NamePatchMaxChars = 12
	// IDTagCents is the price of the ID tag add-on.
	IDTagCents int64 = 900
	// IDTagMaxChars is the longest ID tag engraving.
	IDTagMaxChars = 20
)

// Line, order and measurement limits.
const (
	// MinQuantity is the smallest quantity of a line.
	MinQuantity = 1
	// MaxQuantity is the largest quantity of a line.
	MaxQuantity = 10
	// DiscountMinQuantity is the quantity from which a line gets
	// DiscountPercent off its subtotal.
	DiscountMinQuantity = 3
	// DiscountPercent is the line discount, rounded down to the cent.
	DiscountPercent = 10
	// MaxOrderLines is the largest number of lines in an order (the
	// smallest is 1).
	MaxOrderLines = 20
	// ShippingCents is the shipping price of an order below
	// FreeShippingThresholdCents.
	ShippingCents int64 = 599
	// FreeShippingThresholdCents is the order subtotal from which shipping
	// is free.
	FreeShippingThresholdCents int64 = 7500
	// MinGirthMM is the smallest accepted chest or neck girth.
	MinGirthMM = 100
	// MaxGirthMM is the largest accepted chest or neck girth.
	MaxGirthMM = 1500
)

// StyleBaseCents returns the base price of a style, or 0 for an invalid style.
func StyleBaseCents(s Style) int64 {
	switch s {
	case StyleStepIn:
		return 3400
	case StyleOverhead:
		return 3800
	case StyleVest:
		return 4600
	case StyleNoPull:
		return 5200
	default:
		return 0
	}
}

// MaterialCents returns the surcharge of a material, or 0 for an invalid one
// (nylon also costs 0).
func MaterialCents(m Material) int64 {
	switch m {
	case MaterialPaddedMesh:
		return 800
	case MaterialLeather:
		return 2400
	default:
		return 0
	}
}

// HardwareCents returns the surcharge of a hardware choice, or 0 for an
// invalid one (plastic also costs 0).
func HardwareCents(h Hardware) int64 {
	switch h {
	case HardwareAluminum:
		return 600
	case HardwareStainless:
		return 1100
	default:
		return 0
	}
}

// LeashLengthsMM returns the leash lengths on sale, shortest first.
func LeashLengthsMM() []int32 { return []int32{1200, 1800} }

// LeashCents returns the price of a leash of mm millimetres, and false when
// no leash of that length is sold (including 0, "no leash").
func LeashCents(mm int32) (int64, bool) {
	switch mm {
	case 1200:
		return 1800, true
	case 1800:
		return 2200, true
	}
	return 0, false
}

// NamePatchCents returns the price of a name patch of chars characters:
// NamePatchBaseCents plus NamePatchExtraCharCents for each character beyond
// NamePatchFreeChars. It does not check chars against NamePatchMaxChars.
func NamePatchCents(chars int) int64 {
	extra := max(chars-NamePatchFreeChars, 0)
	return NamePatchBaseCents + int64(extra)*NamePatchExtraCharCents
}

// AllowedHardware returns the hardware a material may be combined with
// (rule 1: leather needs aluminum or stainless), or nil for an invalid
// material.
func AllowedHardware(m Material) []Hardware {
	switch {
	case m == MaterialLeather:
		return []Hardware{HardwareAluminum, HardwareStainless}
	case m.Valid():
		return AllHardware()
	}
	return nil
}

// AllowedSizes returns the sizes a material is made in (rule 2: leather is
// not made in XS), or nil for an invalid material.
func AllowedSizes(m Material) []Size {
	switch {
	case m == MaterialLeather:
		return []Size{SizeS, SizeM, SizeL, SizeXL, SizeXXL}
	case m.Valid():
		return AllSizes()
	}
	return nil
}

// AllowedStyles returns the styles a material is made for (rule 3: leather
// is not made for the vest), or nil for an invalid material.
func AllowedStyles(m Material) []Style {
	switch {
	case m == MaterialLeather:
		return []Style{StyleStepIn, StyleOverhead, StyleNoPull}
	case m.Valid():
		return AllStyles()
	}
	return nil
}

// AllowedWebbing returns the webbing colours a material comes in (rule 4:
// leather only in black, brown or navy), or nil for an invalid material.
func AllowedWebbing(m Material) []Color {
	switch {
	case m == MaterialLeather:
		return []Color{ColorBlack, ColorBrown, ColorNavy}
	case m.Valid():
		return AllColors()
	}
	return nil
}

// allows reports whether v is in the list; a nil list (invalid material)
// allows everything, so an invalid material is reported once, by rule 11.
func allows[T comparable](list []T, v T) bool {
	return list == nil || slices.Contains(list, v)
}
