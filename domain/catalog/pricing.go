package catalog

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Part is one itemised part of a unit price.
type Part struct {
	// Code is stable: style, size, material, hardware, reflective_trim,
	// back_handle, name_patch, leash, id_tag.
	Code string
	// Label is for display, e.g. "Vest harness" or "Size L".
	Label string
	// AmountCents may be negative (a size adjustment) or zero.
	AmountCents int64
}

// UnitPrice is the itemised price of one harness.
type UnitPrice struct {
	// Parts always starts with style, size, material and hardware, followed
	// by each chosen option in the order reflective_trim, back_handle,
	// name_patch, leash, id_tag.
	Parts []Part
	// TotalCents is the sum of the parts.
	TotalCents int64
}

// PriceUnit validates d and returns its itemised unit price: style base +
// size adjustment + material + hardware + every option chosen. A trim colour
// alone costs nothing. The error is the *ValidationError of [Validate].
func PriceUnit(d Design) (UnitPrice, error) {
	if err := Validate(d); err != nil {
		return UnitPrice{}, err
	}
	parts := []Part{
		{"style", d.Style.Label() + " harness", StyleBaseCents(d.Style)},
		{"size", "Size " + d.Size.Label(), SizeAdjustmentCents(d.Size)},
		{"material", d.Material.Label(), MaterialCents(d.Material)},
		{"hardware", d.Hardware.Label() + " hardware", HardwareCents(d.Hardware)},
	}
	if d.ReflectiveTrim {
		parts = append(parts, Part{"reflective_trim", "Reflective trim", ReflectiveTrimCents})
	}
	if d.BackHandle {
		parts = append(parts, Part{"back_handle", "Back handle", BackHandleCents})
	}
	if d.NamePatch != nil {
		n := utf8.RuneCountInString(d.NamePatch.Text)
		label := "Name patch (" + strconv.Itoa(n) + " characters)"
		if n == 1 {
			label = "Name patch (1 character)"
		}
		parts = append(parts, Part{"name_patch", label, NamePatchCents(n)})
	}
	if d.LeashMM != 0 {
		cents, _ := LeashCents(d.LeashMM) // Validate checked the length.
		parts = append(parts, Part{"leash", "Leash " + mm(d.LeashMM), cents})
	}
	if d.IDTag != nil {
		parts = append(parts, Part{"id_tag", "ID tag", IDTagCents})
	}
	var total int64
	for _, p := range parts {
		total += p.AmountCents
	}
	return UnitPrice{Parts: parts, TotalCents: total}, nil
}

// LinePrice is the price of a design at a quantity.
type LinePrice struct {
	Unit     UnitPrice
	Quantity int32
	// SubtotalCents is the unit price times the quantity.
	SubtotalCents int64
	// DiscountCents is DiscountPercent of the subtotal, rounded down, from
	// DiscountMinQuantity pieces on; 0 below.
	DiscountCents int64
	// TotalCents is SubtotalCents minus DiscountCents.
	TotalCents int64
}

// PriceLine prices quantity pieces of d. The quantity is checked first: one
// outside MinQuantity..MaxQuantity returns an error matching
// ErrInvalidQuantity; then an invalid design returns the *ValidationError of
// [Validate].
func PriceLine(d Design, quantity int32) (LinePrice, error) {
	if quantity < MinQuantity || quantity > MaxQuantity {
		return LinePrice{}, fmt.Errorf("%w: %d (want %d to %d)", ErrInvalidQuantity, quantity, MinQuantity, MaxQuantity)
	}
	unit, err := PriceUnit(d)
	if err != nil {
		return LinePrice{}, err
	}
	subtotal := unit.TotalCents * int64(quantity)
	var discount int64
	if quantity >= DiscountMinQuantity {
		discount = subtotal * DiscountPercent / 100 // subtotal >= 0: division floors.
	}
	return LinePrice{
		Unit:          unit,
		Quantity:      quantity,
		SubtotalCents: subtotal,
		DiscountCents: discount,
		TotalCents:    subtotal - discount,
	}, nil
}

// LineInput is one line of an order to price.
type LineInput struct {
	Design   Design
	Quantity int32
}

// OrderPrice is the price of an order.
type OrderPrice struct {
	// Lines holds the price of each line, in input order.
	Lines []LinePrice
	// SubtotalCents is the sum of the line totals.
	SubtotalCents int64
	// ShippingCents is ShippingCents, or 0 when the subtotal is at least
	// FreeShippingThresholdCents.
	ShippingCents int64
	// TotalCents is SubtotalCents plus ShippingCents.
	TotalCents int64
}

// PriceOrder prices an order of 1 to MaxOrderLines lines. Another line count
// returns an error matching ErrInvalidLineCount. The first line that fails
// returns a *LineError naming its index (from 0) that unwraps to the line's
// error from [PriceLine], so errors.Is and errors.As see through it.
func PriceOrder(lines []LineInput) (OrderPrice, error) {
	if len(lines) < 1 || len(lines) > MaxOrderLines {
		return OrderPrice{}, fmt.Errorf("%w: %d (want 1 to %d)", ErrInvalidLineCount, len(lines), MaxOrderLines)
	}
	out := OrderPrice{Lines: make([]LinePrice, 0, len(lines))}
	for i, l := range lines {
		lp, err := PriceLine(l.Design, l.Quantity)
		if err != nil {
			return OrderPrice{}, &LineError{Index: i, Err: err}
		}
		out.Lines = append(out.Lines, lp)
		out.SubtotalCents += lp.TotalCents
	}
	if out.SubtotalCents < FreeShippingThresholdCents {
		out.ShippingCents = ShippingCents
	}
	out.TotalCents = out.SubtotalCents + out.ShippingCents
	return out, nil
}
