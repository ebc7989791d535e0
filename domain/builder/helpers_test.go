package builder_test

import "github.com/harnesshero/platform/domain/builder"

// base is the cheapest-looking valid design: a black nylon step-in in M with
// plastic hardware and no options; its unit price is 3400.
func base() builder.Design {
	return builder.Design{
		Style:    builder.StyleStepIn,
		Size:     builder.SizeM,
		Material: builder.MaterialNylon,
		Hardware: builder.HardwarePlastic,
		Webbing:  builder.ColorBlack,
	}
}

// with returns base() changed by f.
func with(f func(*builder.Design)) builder.Design {
	d := base()
	f(&d)
	return d
}
