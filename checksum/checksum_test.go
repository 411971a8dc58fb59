package checksum

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestOf(t *testing.T) {
	// The definition, spelled out: JSON-quoted parts joined by newlines.
	sum := sha256.Sum256([]byte(`"a"` + "\n" + `"b\nc"`))
	if got, want := Of("a", "b\nc"), hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("Of = %s, want %s", got, want)
	}
	// Parts are not concatenated: a boundary moved is another checksum.
	if Of("ab", "c") == Of("a", "bc") || Of("a\n", "b") == Of("a", "\nb") {
		t.Fatal("two lists of parts share a checksum")
	}
	if !Valid(Of()) || len(Of("x")) != Len {
		t.Fatalf("Of gives %q, not a checksum", Of("x"))
	}
}

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		Of("x"):           true,
		Of("x")[:32]:      false, // the old 32-hex plan checksums
		"G" + Of("x")[1:]: false,
		"A" + Of("x")[1:]: false, // upper case is not the form
		Of("x") + "0":     false,
		"":                false,
	} {
		if Valid(s) != want {
			t.Errorf("Valid(%q) = %v, want %v", s, !want, want)
		}
	}
}
