package catalog

// Design is one harness configuration: style, size, material, hardware,
// webbing colour and options. The zero Design is invalid (every enum is
// unspecified); [Validate] says why. Pointer fields are optional parts: nil
// means the part is not chosen.
type Design struct {
	Style    Style
	Size     Size
	Material Material
	Hardware Hardware
	// Webbing is the colour of the harness webbing.
	Webbing Color
	// Trim is the trim colour; ColorUnspecified means no trim colour is
	// chosen. A trim colour alone costs nothing.
	Trim Color
	// ReflectiveTrim adds a reflective trim (priced).
	ReflectiveTrim bool
	// BackHandle adds a back handle (priced; not made in XS).
	BackHandle bool
	// NamePatch is an embroidered name; nil means none.
	NamePatch *NamePatch
	// LeashMM is the length of the leash add-on in millimetres: 0 means no
	// leash, otherwise it must be one of [LeashLengthsMM].
	LeashMM int32
	// IDTag is the engraved ID tag add-on; nil means none.
	IDTag *IDTag
	// Measurements are the pet's girths; nil means not given. When given,
	// the chosen size must fit them (rule 10).
	Measurements *Measurements
}

// NamePatch is a name embroidered on the harness.
type NamePatch struct {
	// Text is 1 to [NamePatchMaxChars] characters; see [ValidateText].
	Text string
	// Thread is the thread colour; it must be set and differ from the webbing.
	Thread Color
}

// IDTag is the engraved ID tag add-on.
type IDTag struct {
	// Engraving is 1 to [IDTagMaxChars] characters; see [ValidateText].
	Engraving string
}

// Measurements are a pet's girths in millimetres, each [MinGirthMM] to
// [MaxGirthMM] inclusive in a valid design.
type Measurements struct {
	ChestMM int32
	NeckMM  int32
}
