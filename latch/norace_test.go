//go:build !race

package latch_test

const raceEnabled = false
