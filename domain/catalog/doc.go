// Package catalog holds the pure business rules of the Harness Hero shop: the
// catalog (styles, sizes, materials, hardware, colours and their prices), the
// validation of a harness design against the catalog's rules 1–11, the size
// recommendation from a pet's measurements, and the pricing of a unit, a line
// and an order.
//
// The package imports only the standard library and does no I/O: no clock, no
// randomness, no floats. All money is int64 US cents and all lengths are int32
// millimetres. Every function is deterministic and safe for concurrent use;
// functions that return slices return fresh copies the caller may modify.
//
// Enum types ([Style], [Size], [Material], [Hardware], [Color]) are int32-based
// and share their numeric values with the protobuf enums of
// harness.builder.v1, so a handler converts with a plain type conversion.
// Zero is always "unspecified" and never valid in a design.
//
// Errors: [Validate] returns a *[ValidationError] that lists every broken rule
// and matches [ErrInvalidDesign] with errors.Is. [PriceLine] and [PriceOrder]
// also return errors matching [ErrInvalidQuantity] and [ErrInvalidLineCount];
// an error of one order line is a *[LineError] naming the line's index.
package catalog
