//go:build race

package questions_test

// raceEnabled: the race detector multiplies what a test allocates.
const raceEnabled = true
