package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Limits on what Load reads. A config is a few kilobytes; these keep a
// mistaken or hostile file from using much time or memory.
const (
	MaxFileSize = 512 << 10 // bytes; a config naming 10,000 indices one by one is about 300 KiB
	MaxDepth    = 32        // levels of nested mappings and lists
)

// document is a config file read into plain values (map[string]any, []any,
// string, int64, float64, bool, nil), with the YAML nodes kept to find the
// line and column of any value.
type document struct {
	file  string
	root  *yaml.Node // the top-level value; nil for a config built in Go
	value any
}

// read parses a YAML or JSON config. It rejects what it cannot read safely:
// files over MaxFileSize, binary data, several documents, anchors and
// aliases, custom tags, duplicate keys and nesting deeper than MaxDepth.
func read(file string, data []byte) (*document, ErrorList) {
	var errs ErrorList
	if len(data) > MaxFileSize {
		errs.Add(Pos{File: file, Line: 1, Col: 1}, "", msgTooLarge(), hintTooLarge)
		return nil, errs
	}
	if len(bytes.TrimSpace(data)) == 0 {
		errs.Add(Pos{File: file, Line: 1, Col: 1}, "", msgEmpty, hintEmpty)
		return nil, errs
	}
	if off, ok := binaryAt(data); ok {
		errs.Add(posAtOffset(file, data, off), "", msgBinary(data, off), hintBinary)
		return nil, errs
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var top yaml.Node
	if err := dec.Decode(&top); err != nil {
		if errors.Is(err, io.EOF) {
			errs.Add(Pos{File: file, Line: 1, Col: 1}, "", msgEmpty, hintEmpty)
		} else {
			errs = syntaxError(file, data, err)
		}
		return nil, errs
	}
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxError(file, data, err)
		}
		if emptyDocument(&top) {
			// Empty documents before the config, as after a leading
			// "---\n---", are nothing: the config is the first that is not.
			top = next
			continue
		}
		if !emptyDocument(&next) {
			errs.Add(Pos{File: file, Line: next.Line, Col: next.Column}, "", msgSecondDocument, hintSecondDocument)
			return nil, errs
		}
	}
	if emptyDocument(&top) {
		errs.Add(Pos{File: file, Line: 1, Col: 1}, "", msgEmpty, hintEmpty)
		return nil, errs
	}
	root := &top
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			errs.Add(Pos{File: file, Line: 1, Col: 1}, "", msgEmpty, hintEmpty)
			return nil, errs
		}
		root = root.Content[0]
	}
	c := converter{file: file}
	v := c.value(root, nil, 0)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return &document{file: file, root: root, value: v}, nil
}

// emptyDocument reports whether a YAML document holds nothing, as after a
// trailing "---".
func emptyDocument(n *yaml.Node) bool {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	return n.Kind == yaml.DocumentNode && len(n.Content) == 0 ||
		n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" && n.Value == ""
}

// binaryAt returns the offset of the first NUL byte or invalid UTF-8.
func binaryAt(data []byte) (int, bool) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return i, true
	}
	if utf8.Valid(data) {
		return 0, false
	}
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i, true
		}
		i += n
	}
	return 0, false
}

// posAtOffset converts a byte offset into a line and column.
func posAtOffset(file string, data []byte, off int) Pos {
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return Pos{File: file, Line: line, Col: 1 + utf8.RuneCount(data[start:off])}
}

// syntaxError reports a file that does not parse. yaml.v3 gives only a line;
// a tab that indents a line and JSON syntax errors can be found exactly.
func syntaxError(file string, data []byte, err error) ErrorList {
	var errs ErrorList
	pos := yamlErrorPos(file, err)
	if lines := bytes.SplitN(data, []byte("\n"), pos.Line+1); len(lines) >= pos.Line && bytes.HasPrefix(lines[pos.Line-1], []byte("\t")) {
		errs.Add(pos, "", msgTabIndent, hintTabIndent)
		return errs
	}
	if looksLikeJSON(data) {
		var v any
		var serr *json.SyntaxError
		if jerr := json.Unmarshal(data, &v); errors.As(jerr, &serr) {
			errs.Add(posAtOffset(file, data, int(min(serr.Offset, int64(len(data))))), "", msgJSONSyntax(serr), hintJSONSyntax)
			return errs
		}
	}
	errs.Add(pos, "", msgSyntax(err), hintSyntax)
	return errs
}

// looksLikeJSON reports whether the first thing in data opens a JSON object.
func looksLikeJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlErrorPos finds the line of a yaml.v3 syntax error; yaml.v3 reports no
// column, and leaves the line out for errors on the first line.
func yamlErrorPos(file string, err error) Pos {
	line := 1
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	return Pos{File: file, Line: line, Col: 1}
}

// converter turns YAML nodes into plain values.
type converter struct {
	file  string
	errs  ErrorList
	deep  bool   // the depth error is reported once
	index []bool // whether each token of the current path is a list index
}

func (c *converter) pos(n *yaml.Node) Pos { return Pos{File: c.file, Line: n.Line, Col: n.Column} }

func (c *converter) add(n *yaml.Node, path []string, msg, hint string) {
	var b strings.Builder
	for i, t := range path {
		writeToken(&b, t, c.index[i])
	}
	c.errs.Add(c.pos(n), b.String(), msg, hint)
}

func (c *converter) value(n *yaml.Node, path []string, depth int) any {
	if depth > MaxDepth {
		if !c.deep {
			c.deep = true
			c.add(n, path, msgTooDeep, hintTooDeep)
		}
		return nil
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		c.add(n, path, msgAlias, hintAlias)
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		seen := make(map[string]*yaml.Node, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Anchor != "" {
				c.add(k, path, msgComplexKey, hintComplexKey)
				continue
			}
			if first, dup := seen[k.Value]; dup {
				c.index = append(c.index[:len(path)], false)
				c.add(k, append(path, k.Value), msgDuplicateKey(k.Value, first.Line), hintDuplicateKey)
				continue
			}
			seen[k.Value] = k
			c.index = append(c.index[:len(path)], false)
			m[k.Value] = c.value(v, append(path, k.Value), depth+1)
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, it := range n.Content {
			c.index = append(c.index[:len(path)], true)
			l[i] = c.value(it, append(path, strconv.Itoa(i)), depth+1)
		}
		return l
	case yaml.ScalarNode:
		return c.scalar(n, path)
	}
	c.add(n, path, msgUnsupportedNode, hintUnsupportedNode)
	return nil
}

func (c *converter) scalar(n *yaml.Node, path []string) any {
	switch n.ShortTag() {
	case "!!str", "!!timestamp":
		if i := strings.IndexFunc(n.Value, isControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(n.Value[i:])
			c.add(n, path, msgControl(r), hintControl)
			return nil
		}
		return n.Value
	case "!!null":
		return nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			c.add(n, path, msgBadScalar(n.Value, err), hintBadScalar)
			return nil
		}
		switch v := v.(type) {
		case int:
			return int64(v)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				c.add(n, path, msgNotFinite(n.Value), hintNotFinite)
				return nil
			}
			return v
		case uint64:
			// Larger than any int64: keep it as a number the schema can still compare.
			return float64(v)
		}
		return v
	}
	c.add(n, path, msgTag(n.Tag), hintTag)
	return nil
}

// renderPath writes path tokens as a JSON path, e.g. sources.a.snapshots.b.migrations[0].
// It walks v to tell list indexes from map keys (a name may be all digits).
func renderPath(v any, tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		switch c := v.(type) {
		case []any:
			writeToken(&b, t, true)
			if i, err := strconv.Atoi(t); err == nil && i >= 0 && i < len(c) {
				v = c[i]
			} else {
				v = nil
			}
		case map[string]any:
			writeToken(&b, t, false)
			v = c[t]
		default:
			writeToken(&b, t, false)
			v = nil
		}
	}
	return b.String()
}

var plainKey = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*$`)

func writeToken(b *strings.Builder, t string, index bool) {
	switch {
	case index:
		b.WriteString("[" + t + "]")
	case plainKey.MatchString(t):
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	default:
		b.WriteString("[" + strconv.Quote(t) + "]")
	}
}

// locate finds the YAML key and value nodes at a path. It returns the nodes of
// the longest prefix of the path that exists, and how many tokens matched.
func locate(root *yaml.Node, tokens []string) (key, val *yaml.Node, matched int) {
	val = root
	for i, t := range tokens {
		if val == nil {
			return key, val, i
		}
		switch val.Kind {
		case yaml.MappingNode:
			var found bool
			for j := 0; j+1 < len(val.Content); j += 2 {
				if val.Content[j].Value == t {
					key, val, found = val.Content[j], val.Content[j+1], true
					break
				}
			}
			if !found {
				return key, val, i
			}
		case yaml.SequenceNode:
			n, err := strconv.Atoi(t)
			if err != nil || n < 0 || n >= len(val.Content) {
				return key, val, i
			}
			key, val = nil, val.Content[n]
		default:
			return key, val, i
		}
	}
	return key, val, len(tokens)
}

// isControl reports a control character other than tab and line breaks,
// which YAML and JSON escapes ("\0", "\u0000") can put into a string.
func isControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x7f && r <= 0x9f
}
