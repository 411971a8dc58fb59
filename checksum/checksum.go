// Package checksum is migrate's one checksum definition: the plan's work
// items and steps, the memo records the workflows write, and the keep set of
// `migrate gc` all use it, so a checksum computed in one place matches the
// same inputs anywhere else.
//
// A checksum is the hex SHA-256 (64 lowercase hex characters) of its parts,
// each JSON-quoted, joined by newlines: no two lists of parts share one.
// memo.Checksum renders the same definition as an Argo expression.
package checksum

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// Len is the length of a checksum: 64 hex characters.
const Len = 64

// Of is the checksum of the parts, in order.
func Of(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('\n')
		}
		q, _ := json.Marshal(p) // a string always marshals
		b.Write(q)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Valid reports whether s has the form of a checksum: 64 lowercase hex
// characters.
func Valid(s string) bool {
	if len(s) != Len {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
