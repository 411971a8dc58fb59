package schema

import (
	"path"
	"regexp"
	"strings"
)

// regexPrefix marks a selector entry as a regular expression.
const regexPrefix = "regex:"

// entry is one compiled selector entry.
type entry struct {
	text string
	re   *regexp.Regexp // for regex: entries
	glob bool           // the entry has glob characters
}

func compilePattern(text string) (entry, bool) {
	if expr, ok := strings.CutPrefix(text, regexPrefix); ok {
		if expr == "" {
			return entry{}, false
		}
		re, err := regexp.Compile(`^(?:` + expr + `)$`)
		return entry{text: text, re: re}, err == nil
	}
	if strings.ContainsAny(text, `*?[\`) {
		_, err := path.Match(text, "")
		return entry{text: text, glob: true}, err == nil
	}
	return entry{text: text}, true
}

// literal reports whether the entry is a plain name.
func (p entry) literal() bool { return p.re == nil && !p.glob }

func (p entry) match(name string) bool {
	switch {
	case p.re != nil:
		return p.re.MatchString(name)
	case p.glob:
		ok, _ := path.Match(p.text, name)
		return ok
	}
	return p.text == name
}

// covers reports whether every name the pattern q picks is picked by p, as
// far as can be told without the names: p picks everything, the two are the
// same, or p is a prefix glob (logs-*) and q is a glob with that prefix.
func (p entry) covers(q entry) bool {
	if q.literal() {
		return p.match(q.text)
	}
	if p.text == q.text || p.text == "*" || p.text == regexPrefix+".*" {
		return true
	}
	if p.glob && q.glob {
		prefix, ok := strings.CutSuffix(p.text, "*")
		return ok && !strings.ContainsAny(prefix, `*?[\`) && strings.HasPrefix(q.text, prefix)
	}
	return false
}

// matcher is a compiled Selector.
type matcher struct {
	all     bool            // no allow list: everything is allowed
	names   map[string]bool // allow entries that are names
	allow   []entry         // allow entries that are patterns
	exclude []entry
}

func newMatcher(s Selector) *matcher {
	m := &matcher{all: len(s.Allow) == 0, names: map[string]bool{}}
	for _, a := range s.Allow {
		p, ok := compilePattern(a)
		switch {
		case !ok:
		case p.literal():
			m.names[a] = true
		default:
			m.allow = append(m.allow, p)
		}
	}
	for _, e := range s.Exclude {
		if p, ok := compilePattern(e); ok {
			m.exclude = append(m.exclude, p)
		}
	}
	return m
}

// picks reports whether the selector picks a name.
func (m *matcher) picks(name string) bool {
	if !m.all && !m.names[name] && !anyMatch(m.allow, name) {
		return false
	}
	return !anyMatch(m.exclude, name)
}

func anyMatch(ps []entry, name string) bool {
	for _, p := range ps {
		if p.match(name) {
			return true
		}
	}
	return false
}

// coversEntry reports whether the selector picks everything entry picks.
// An excluded name is not covered; a pattern is covered when an allow entry
// covers it and no exclude entry is the same pattern.
func (m *matcher) coversEntry(entry string) bool {
	q, ok := compilePattern(entry)
	if !ok {
		return true // reported by the selector's own rule
	}
	if q.literal() {
		return m.picks(entry)
	}
	for _, e := range m.exclude {
		if e.text == q.text {
			return false
		}
	}
	if m.all {
		return true
	}
	for _, a := range m.allow {
		if a.covers(q) {
			return true
		}
	}
	return false
}

// outside lists the entries the selector does not cover.
func outside(entries []string, s Selector) []string {
	m := newMatcher(s)
	var out []string
	for _, e := range entries {
		if !m.coversEntry(e) {
			out = append(out, e)
		}
	}
	return out
}

// badPatterns lists the entries that are neither a name, a valid glob nor a
// valid regex: entry.
func badPatterns(entries []string) []string {
	var out []string
	for _, e := range entries {
		if _, ok := compilePattern(e); !ok {
			out = append(out, e)
		}
	}
	return out
}

// duplicates lists the non-empty values that occur more than once, in the
// order of their second occurrence.
func duplicates(values []string) []string {
	seen := make(map[string]int, len(values))
	var out []string
	for _, v := range values {
		if v == "" {
			continue
		}
		seen[v]++
		if seen[v] == 2 {
			out = append(out, v)
		}
	}
	return out
}
