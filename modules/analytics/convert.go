package analytics

import (
	"fmt"

	builderv1 "github.com/harnesshero/platform/gen/harness/builder/v1"
	eventsv1 "github.com/harnesshero/platform/gen/harness/events/v1"
)

// designFromFacts is the analytics_designs row of a design event's facts.
func designFromFacts(env *eventsv1.Envelope, f *builderv1.DesignFacts, day string) (*designRow, error) {
	if f.GetDesignId() == "" {
		return nil, fmt.Errorf("analytics: %s %s: no design id", env.GetType(), env.GetId())
	}
	return &designRow{
		DesignID:     f.GetDesignId(),
		OwnerID:      f.GetOwnerId(),
		Style:        int32(f.GetStyle()),
		Size:         int32(f.GetSize()),
		Material:     int32(f.GetMaterial()),
		Hardware:     int32(f.GetHardware()),
		WebbingColor: int32(f.GetWebbingColor()),
		Version:      f.GetVersion(),
		CreatedDay:   day,
	}, nil
}
