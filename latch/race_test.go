//go:build race

package latch_test

// raceEnabled: the race detector slows etcd and the runner about tenfold,
// so the trial-heavy tests run fewer trials.
const raceEnabled = true
