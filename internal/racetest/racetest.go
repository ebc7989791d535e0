// Package racetest tells tests whether the race detector is on, so that a
// test whose size is what it checks (a burst of 10,000 events) can run a
// smaller size under -race, where every memory access costs tens of times
// more, while the full size runs without it (make test-go runs the bursts
// again without -race).
package racetest
