package catalog_test

import "github.com/harnesshero/platform/domain/catalog"

// base is the cheapest-looking valid design: a black nylon step-in in M with
// plastic hardware and no options; its unit price is 3400.
func base() catalog.Design {
	return catalog.Design{
		Style:    catalog.StyleStepIn,
		Size:     catalog.SizeM,
		Material: catalog.MaterialNylon,
		Hardware: catalog.HardwarePlastic,
		Webbing:  catalog.ColorBlack,
	}
}

// with returns base() changed by f.
func with(f func(*catalog.Design)) catalog.Design {
	d := base()
	f(&d)
	return d
}
