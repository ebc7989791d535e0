package catalog

import "strconv"

// Style is the cut of a harness. Each style has its own base price.
type Style int32

// Styles, with the numeric values of the protobuf enum harness.builder.v1.Style.
const (
	StyleUnspecified Style = 0
	StyleStepIn      Style = 1
	StyleOverhead    Style = 2
	StyleVest        Style = 3
	StyleNoPull      Style = 4
)

// Size is a harness size; each size fits a chest and a neck girth range.
type Size int32

// Sizes, with the numeric values of the protobuf enum harness.builder.v1.Size.
const (
	SizeUnspecified Size = 0
	SizeXS          Size = 1
	SizeS           Size = 2
	SizeM           Size = 3
	SizeL           Size = 4
	SizeXL          Size = 5
	SizeXXL         Size = 6
)

// Material is the body material of a harness.
type Material int32

// Materials, with the numeric values of the protobuf enum
// harness.builder.v1.Material.
const (
	MaterialUnspecified Material = 0
	MaterialNylon       Material = 1
	MaterialPaddedMesh  Material = 2
	MaterialLeather     Material = 3
)

// Hardware is the metal (or plastic) of a harness's buckles and rings.
type Hardware int32

// Hardware choices, with the numeric values of the protobuf enum
// harness.builder.v1.Hardware.
const (
	HardwareUnspecified Hardware = 0
	HardwarePlastic     Hardware = 1
	HardwareAluminum    Hardware = 2
	HardwareStainless   Hardware = 3
)

// Color is a colour of the shop's palette, used for webbing, trim and thread.
type Color int32

// Colours, with the numeric values of the protobuf enum harness.builder.v1.Color.
const (
	ColorUnspecified Color = 0
	ColorBlack       Color = 1
	ColorBrown       Color = 2
	ColorNavy        Color = 3
	ColorRed         Color = 4
	ColorForest      Color = 5
	ColorTeal        Color = 6
	ColorOrange      Color = 7
	ColorPink        Color = 8
	ColorPurple      Color = 9
	ColorGrey        Color = 10
	ColorYellow      Color = 11
)

// enumName is the upper-case spec name and the human label of one enum value;
// index 0 of each table is the unspecified value.
type enumName struct{ name, label string }

var (
	styleNames = []enumName{
		{"UNSPECIFIED", "Unspecified"}, {"STEP_IN", "Step-in"}, {"OVERHEAD", "Overhead"},
		{"VEST", "Vest"}, {"NO_PULL", "No-pull"},
	}
	sizeNames = []enumName{
		{"UNSPECIFIED", "Unspecified"}, {"XS", "XS"}, {"S", "S"}, {"M", "M"},
		{"L", "L"}, {"XL", "XL"}, {"XXL", "XXL"},
	}
	materialNames = []enumName{
		{"UNSPECIFIED", "Unspecified"}, {"NYLON", "Nylon"}, {"PADDED_MESH", "Padded mesh"},
		{"LEATHER", "Leather"},
	}
	hardwareNames = []enumName{
		{"UNSPECIFIED", "Unspecified"}, {"PLASTIC", "Plastic"}, {"ALUMINUM", "Aluminum"},
		{"STAINLESS", "Stainless steel"},
	}
	colorNames = []enumName{
		{"UNSPECIFIED", "Unspecified"}, {"BLACK", "Black"}, {"BROWN", "Brown"},
		{"NAVY", "Navy"}, {"RED", "Red"}, {"FOREST", "Forest"}, {"TEAL", "Teal"},
		{"ORANGE", "Orange"}, {"PINK", "Pink"}, {"PURPLE", "Purple"}, {"GREY", "Grey"},
		{"YELLOW", "Yellow"},
	}
)

// lookup returns the table entry of v, or ok=false when v is out of range.
func lookup(names []enumName, v int32) (enumName, bool) {
	if v < 0 || int(v) >= len(names) {
		return enumName{}, false
	}
	return names[v], true
}

// enumString returns the spec name of v, or "Type(v)" when out of range.
func enumString(typ string, names []enumName, v int32) string {
	if n, ok := lookup(names, v); ok {
		return n.name
	}
	return typ + "(" + strconv.FormatInt(int64(v), 10) + ")"
}

// enumLabel returns the human label of v, or "Type(v)" when out of range.
func enumLabel(typ string, names []enumName, v int32) string {
	if n, ok := lookup(names, v); ok {
		return n.label
	}
	return enumString(typ, names, v)
}

// valid reports whether v is a defined, non-zero value of the table.
func valid(names []enumName, v int32) bool { return v > 0 && int(v) < len(names) }

// all returns the defined, non-zero values of a table in catalog order.
func all[T ~int32](names []enumName) []T {
	out := make([]T, 0, len(names)-1)
	for i := 1; i < len(names); i++ {
		out = append(out, T(i))
	}
	return out
}

// String returns the spec's name of s ("STEP_IN"), "UNSPECIFIED" for zero,
// or "Style(n)" for an undefined value.
func (s Style) String() string { return enumString("Style", styleNames, int32(s)) }

// Label returns a human label such as "Step-in", or String() when undefined.
func (s Style) Label() string { return enumLabel("Style", styleNames, int32(s)) }

// Valid reports whether s is a defined, non-zero style.
func (s Style) Valid() bool { return valid(styleNames, int32(s)) }

// AllStyles returns every valid style in catalog order.
func AllStyles() []Style { return all[Style](styleNames) }

// String returns the spec's name of s ("XS"), "UNSPECIFIED" for zero, or
// "Size(n)" for an undefined value.
func (s Size) String() string { return enumString("Size", sizeNames, int32(s)) }

// Label returns a human label such as "XS", or String() when undefined.
func (s Size) Label() string { return enumLabel("Size", sizeNames, int32(s)) }

// Valid reports whether s is a defined, non-zero size.
func (s Size) Valid() bool { return valid(sizeNames, int32(s)) }

// AllSizes returns every valid size in catalog order, XS to XXL.
func AllSizes() []Size { return all[Size](sizeNames) }

// String returns the spec's name of m ("PADDED_MESH"), "UNSPECIFIED" for
// zero, or "Material(n)" for an undefined value.
func (m Material) String() string { return enumString("Material", materialNames, int32(m)) }

// Label returns a human label such as "Padded mesh", or String() when undefined.
func (m Material) Label() string { return enumLabel("Material", materialNames, int32(m)) }

// Valid reports whether m is a defined, non-zero material.
func (m Material) Valid() bool { return valid(materialNames, int32(m)) }

// AllMaterials returns every valid material in catalog order.
func AllMaterials() []Material { return all[Material](materialNames) }

// String returns the spec's name of h ("STAINLESS"), "UNSPECIFIED" for zero,
// or "Hardware(n)" for an undefined value.
func (h Hardware) String() string { return enumString("Hardware", hardwareNames, int32(h)) }

// Label returns a human label such as "Stainless steel", or String() when
// undefined.
func (h Hardware) Label() string { return enumLabel("Hardware", hardwareNames, int32(h)) }

// Valid reports whether h is a defined, non-zero hardware choice.
func (h Hardware) Valid() bool { return valid(hardwareNames, int32(h)) }

// AllHardware returns every valid hardware choice in catalog order.
func AllHardware() []Hardware { return all[Hardware](hardwareNames) }

// String returns the spec's name of c ("FOREST"), "UNSPECIFIED" for zero, or
// "Color(n)" for an undefined value.
func (c Color) String() string { return enumString("Color", colorNames, int32(c)) }

// Label returns a human label such as "Forest", or String() when undefined.
func (c Color) Label() string { return enumLabel("Color", colorNames, int32(c)) }

// Valid reports whether c is a defined, non-zero colour.
func (c Color) Valid() bool { return valid(colorNames, int32(c)) }

// AllColors returns the whole palette in catalog order.
func AllColors() []Color { return all[Color](colorNames) }
