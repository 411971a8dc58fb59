package schema

import (
	"fmt"
	nearby "github.com/migratekit/migrate/internal/suggest"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Every message and hint a user can see from this package is built here, so
// that the wording stays consistent. A message says what is wrong; a hint
// says how to fix it. Neither repeats the position or the path: Error adds
// them.

// Reading the file.

func msgTooLarge() string {
	return fmt.Sprintf("the file is larger than %d KiB, the most a config may be", MaxFileSize>>10)
}

const hintTooLarge = "a migration config is a few kilobytes: check that this is the right file"

func msgBinary(data []byte, off int) string {
	if data[off] == 0 {
		return "the file is not text: it has a NUL byte"
	}
	return fmt.Sprintf("the file is not UTF-8 text: byte 0x%02x cannot start a character", data[off])
}

func msgControl(r rune) string {
	return fmt.Sprintf("the text has the control character U+%04X", r)
}

const hintControl = "remove it: a config's strings reach URLs, names and pod environments, where control characters break them"

const hintBinary = "a config is YAML or JSON text in UTF-8: check that this is the right file, or save it as UTF-8"

const (
	msgEmpty  = "the file is empty"
	hintEmpty = "write a config, or run `migrate init` for a commented sample"

	msgNilConfig  = "no config"
	hintNilConfig = "pass a *Config with targets and sources"
)

func msgSyntax(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatchIndex(err.Error()); m != nil {
		msg = err.Error()[m[1]:]
	}
	return "not valid YAML or JSON: " + msg
}

const hintSyntax = "check the indentation and quoting on this line and the one before it"

const (
	msgTabIndent  = "a tab indents this line; YAML is indented with spaces"
	hintTabIndent = "replace the tabs at the start of the line with spaces"
)

func msgJSONSyntax(err error) string { return "not valid JSON: " + err.Error() }

const hintJSONSyntax = "check the brackets, commas and quotes just before this point"

const (
	msgSecondDocument  = "a second YAML document starts here; a config is one document"
	hintSecondDocument = "remove the '---' line and what follows it, or put it in its own file"
)

var msgTooDeep = fmt.Sprintf("nested more than %d levels deep", MaxDepth)

const hintTooDeep = "a config nests at most about 10 levels: check the indentation"

const (
	msgAlias  = "YAML anchors and aliases (&name, *name) are not supported"
	hintAlias = "write the value out in full where it is used"
)

const (
	msgComplexKey  = "a key must be a plain string"
	hintComplexKey = "write the key as a name followed by ':'"
)

func msgDuplicateKey(key string, firstLine int) string {
	return fmt.Sprintf("key %s appears a second time (first on line %d)", quote(key), firstLine)
}

const hintDuplicateKey = "keep one of them: with two, it is unclear which one is meant"

const (
	msgUnsupportedNode  = "unsupported YAML value"
	hintUnsupportedNode = "use plain mappings, lists and scalars"
)

func msgBadScalar(v string, err error) string {
	return fmt.Sprintf("cannot read %s: %v", quote(v), err)
}

const hintBadScalar = "quote the value if it is meant as text"

func msgNotFinite(v string) string { return fmt.Sprintf("%s is not a finite number", v) }

const hintNotFinite = "write a number such as 2 or 0.5"

func msgTag(tag string) string { return fmt.Sprintf("YAML tag %s is not supported", tag) }

const hintTag = "remove the tag; quote the value if it is meant as text"

// The JSON Schema.

func msgRequired(name string) string { return fmt.Sprintf("%s is missing", name) }

func hintRequired(name, desc string) string {
	if desc == "" {
		return "add " + name
	}
	return "add " + name + ": " + lowerFirst(strings.TrimSuffix(firstSentence(desc), "."))
}

func msgUnknownKey(name string) string { return "unknown key " + quote(name) }

func hintUnknownKey(name string, known []string) string {
	if s := closest(name, known); s != "" {
		return "did you mean " + quote(s) + "?"
	}
	if len(known) == 0 {
		return "remove it"
	}
	return "remove it; the keys here are " + strings.Join(known, ", ")
}

func msgBadName(name string) string { return quote(name) + " is not a valid name" }

const hintBadName = "a name is up to 63 lowercase letters, digits and '-', and starts and ends with a letter or digit, e.g. prod-search"

func msgType(want []string, got string) string {
	w := make([]string, len(want))
	for i, t := range want {
		w[i] = typeName(t)
	}
	return fmt.Sprintf("expected %s, got %s", strings.Join(w, " or "), typeName(got))
}

// typeName names a JSON type in the words of YAML.
func typeName(t string) string {
	switch t {
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "string":
		return "a string"
	case "integer":
		return "a whole number"
	case "number":
		return "a number"
	case "boolean":
		return "true or false"
	case "null":
		return "nothing"
	}
	return t
}

const hintSeeSchema = "`migrate schema` shows what is allowed here"

func hintFromDescription(desc string) string {
	if desc == "" {
		return ""
	}
	return "expected: " + lowerFirst(strings.TrimSuffix(firstSentence(desc), "."))
}

func msgEnum(got any, want []any) string {
	w := make([]string, len(want))
	for i, v := range want {
		w[i] = fmt.Sprint(v)
	}
	return fmt.Sprintf("%s is not one of %s", show(got), strings.Join(w, ", "))
}

func hintEnum(got any, want []any) string {
	w := make([]string, len(want))
	for i, v := range want {
		w[i] = fmt.Sprint(v)
	}
	if s, ok := got.(string); ok {
		if c := closest(s, w); c != "" {
			return "did you mean " + quote(c) + "?"
		}
	}
	return "use one of " + strings.Join(w, ", ")
}

// patternHelp describes the patterns of types.go in words, with an example.
// A test checks that every pattern in the JSON Schema is here.
var patternHelp = map[string][2]string{
	namePattern:          {"a valid name", "up to 63 lowercase letters, digits and '-', starting and ending with a letter or digit, e.g. prod-search"},
	endpointPattern:      {"an http:// or https:// URL", "e.g. https://search.example.com:9200"},
	bookkeepingPattern:   {"an http:// or https:// URL of a host and port, with no path", "e.g. http://migrate-bookkeeping:2379"},
	secretNamePattern:    {"a valid Kubernetes Secret name", "lowercase letters, digits, '-' and '.', e.g. source-credentials"},
	secretKeyPattern:     {"a valid Secret key", "letters, digits, '-', '_' and '.', not starting with '..', e.g. password"},
	regionPattern:        {"an AWS region", "e.g. us-east-1"},
	snapshotNamePattern:  {"a valid snapshot or repository name", "lowercase letters, digits, '.', '_' and '-', e.g. nightly-2024.06.01"},
	quantityPattern:      {"a Kubernetes quantity", `e.g. "500m" or "2" for CPU, "4Gi" for memory`},
	durationPattern:      {"a duration", "hours, minutes and seconds such as 90s, 10m or 1h30m, at most 99999h"},
	versionPattern:       {"a product and version", `"ES" or "OS", a space and a version, e.g. "ES 7.10" or "OS 2.x"`},
	brokerPattern:        {"a host:port address", "e.g. kafka-0.kafka:9092"},
	topicPattern:         {"a valid Kafka topic name", "letters, digits, '.', '_' and '-'"},
	s3URIPattern:         {"an S3 URI", "e.g. s3://my-bucket/snapshots"},
	selectorEntryPattern: {"a name or pattern", "a name, a glob such as logs-*, or regex: followed by an expression; no spaces"},
}

func msgPattern(got any, re string) string {
	if h, ok := patternHelp[re]; ok {
		return fmt.Sprintf("%s is not %s", show(got), h[0])
	}
	return fmt.Sprintf("%s does not match %s", show(got), re)
}

func hintPattern(re, desc string) string {
	if h, ok := patternHelp[re]; ok {
		return "write " + h[1]
	}
	return hintFromDescription(desc)
}

const msgEmptyString = "must not be empty"

func msgMaxLength(n int) string { return fmt.Sprintf("longer than %d characters", n) }

func msgMinimum(got any, want string) string {
	return fmt.Sprintf("%s is less than the minimum, %s", show(got), want)
}

func msgMaximum(got any, want string) string {
	return fmt.Sprintf("%s is more than the maximum, %s", show(got), want)
}

func msgExclusiveMinimum(got any, want string) string {
	return fmt.Sprintf("%s must be more than %s", show(got), want)
}

func msgMinItems(n int) string {
	if n == 1 {
		return "must have at least one entry"
	}
	return fmt.Sprintf("must have at least %d entries", n)
}

func msgDuplicateItem(first int) string {
	return fmt.Sprintf("repeats entry [%d] of this list", first)
}

const hintDuplicateItem = "remove one of the two"

// show writes a config value for a message.
func show(v any) string {
	switch x := v.(type) {
	case string:
		return quote(x)
	case nil:
		return "nothing"
	case *big.Rat:
		return x.FloatString(0)
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprint(v)
}

// The rules.

func msgRuleError(rule string, err error) string {
	return fmt.Sprintf("internal error: rule %s could not be evaluated: %v", quote(rule), err)
}

func msgRuleFailed(rule string) string { return "rule " + quote(rule) + " is not met" }

const (
	msgTooCostly  = "the config is too large to check: its rules would take too long"
	hintTooCostly = "split it into smaller configs, or use patterns instead of long lists of names"
)

func msgInternal(err error) string { return "internal error: " + err.Error() }

const hintInternal = "this is a bug in migrate: please report it with the config that caused it"

// suggest says which of known was probably meant by name, or lists known.
func suggest(name string, known []string) string {
	if c := closest(name, known); c != "" {
		return "did you mean " + quote(c) + "?"
	}
	if len(known) == 0 {
		return "there are none"
	}
	slices.Sort(known)
	return "the known ones are " + quoteAll(known)
}

// quote writes a value in double quotes. Unlike strconv.Quote it leaves
// backslashes alone (regex:logs-\d+ stays readable) unless the value has
// characters that cannot be printed.
func quote(s string) string {
	if !strconv.CanBackquote(strings.ReplaceAll(s, "`", "")) {
		return strconv.Quote(s)
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// quoteAll writes values quoted and separated by commas, at most ten.
func quoteAll(values []string) string {
	const max = 10
	var b strings.Builder
	for i, v := range values {
		if i == max {
			fmt.Fprintf(&b, " and %d more", len(values)-max)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(v))
	}
	return b.String()
}

// The plan.

func msgSameID(id, other string) string {
	return fmt.Sprintf("its work item id %s is also the id of %s", quote(id), other)
}

const hintSameID = "rename one of them: ids join names with '-', so names like a-b + c and a + b-c collide"

// closest returns the candidate nearest to name: the same when case, '-' and
// '_' are ignored, or within a small edit distance. It returns "" when none
// is close.
func closest(name string, candidates []string) string {
	fold := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '-' || r == '_' {
				return -1
			}
			return unicode.ToLower(r)
		}, s)
	}
	best, bestDist := "", -1
	for _, c := range candidates {
		if fold(c) == fold(name) {
			return c
		}
		d := nearby.Distance(strings.ToLower(name), strings.ToLower(c))
		limit := 1 + min(len(name), len(c))/4
		if d <= limit && d < min(len(name), len(c)) && (bestDist < 0 || d < bestDist || (d == bestDist && c < best)) {
			best, bestDist = c, d
		}
	}
	return best
}

// firstSentence cuts s after its first sentence: at a ". " followed by a
// capital letter (so that "e.g. x" does not end it).
func firstSentence(s string) string {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '.' && s[i+1] == ' ' && unicode.IsUpper(rune(s[i+2])) {
			return s[:i+1]
		}
	}
	return s
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[1]) {
		return s // an acronym such as URL
	}
	r[0] = unicode.ToLower(r[0])
	return string(r)
}
