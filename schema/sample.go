package schema

import (
	"bytes"
	_ "embed"
)

//go:embed sample.yaml
var sampleYAML []byte

// Sample returns a commented config that uses most settings and validates;
// `migrate init` writes it.
func Sample() []byte { return bytes.Clone(sampleYAML) }
