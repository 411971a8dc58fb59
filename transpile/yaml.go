package transpile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	yaml11 "go.yaml.in/yaml/v2"
	"gopkg.in/yaml.v3"
)

// Marshal renders an Argo object as YAML that is byte-identical for
// identical input and easy to review:
//
//   - keys keep the order of the Go structs (Argo's own order: a template's
//     name, then inputs and outputs, then its body, then its options), which
//     reads better than the alphabetical order sigs.k8s.io/yaml produces;
//     maps (labels, annotations) are sorted;
//   - no noise: nulls, `creationTimestamp: null`, empty objects and empty
//     lists are dropped, except where an empty object means something
//     (`suspend: {}`, `supplied: {}`, `emptyDir: {}`);
//   - multi-line strings (scripts, manifests) are literal blocks.
func Marshal(obj any) ([]byte, error) {
	js, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding %T: %w", obj, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(js, &doc); err != nil {
		return nil, fmt.Errorf("re-reading %T: %w", obj, err)
	}
	clean(&doc, "")
	if len(doc.Content) == 1 {
		reorder(doc.Content[0], "", rootLeading)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("writing %T: %w", obj, err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// emptyIsNoise lists keys whose empty string value says nothing (a
// container's or a ConfigMap selector's unset fields).
var emptyIsNoise = map[string]bool{"name": true, "key": true}

// meaningfulEmpty lists keys whose empty object value is not noise.
var meaningfulEmpty = map[string]bool{"suspend": true, "supplied": true, "emptyDir": true}

// clean removes noise below n and resets JSON's flow style to block style.
// It reports whether n itself is noise for key. Below withItems is data:
// nothing there is noise (an item's empty list is a value the task reads).
func clean(n *yaml.Node, key string) (drop bool) {
	n.Style = 0
	if key == "withItems" {
		keepAll(n)
		return len(n.Content) == 0
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			clean(c, "")
		}
	case yaml.MappingNode:
		var kept []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "creationTimestamp" || clean(v, k.Value) || (emptyIsNoise[k.Value] && v.Kind == yaml.ScalarNode && v.Tag == "!!str" && v.Value == "") {
				continue
			}
			k.Style = 0
			styleString(k)
			kept = append(kept, k, v)
		}
		n.Content = kept
		return len(kept) == 0 && !meaningfulEmpty[key]
	case yaml.SequenceNode:
		for _, c := range n.Content {
			clean(c, "")
		}
		return len(n.Content) == 0
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return true
		}
		styleString(n)
	}
	return false
}

// keepAll resets n and everything below it to block style, dropping
// nothing.
func keepAll(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		keepAll(c)
	}
	if n.Kind == yaml.ScalarNode {
		styleString(n)
	}
}

// styleString picks the style of a string scalar: a literal block for
// multi-line text, double quotes for text a YAML 1.1 reader would take
// for something else, plain otherwise.
func styleString(n *yaml.Node) {
	if n.Tag != "!!str" {
		return
	}
	switch {
	case strings.Contains(strings.TrimRight(n.Value, "\n"), "\n"):
		n.Style = yaml.LiteralStyle
	case misreadByYAML11(n.Value):
		n.Style = yaml.DoubleQuotedStyle
	}
}

// misreadByYAML11 reports whether the plain scalar s is not the string s
// to a YAML 1.1 reader, as kubectl, the argo CLI and the API server's
// YAML decoding are (sigs.k8s.io/yaml, go.yaml.in/yaml/v2): there "y",
// "n", "on" and "off" are booleans and "1:30" is a number, which the YAML
// 1.2 writer we use leaves unquoted. Mapping keys are scalars too: a key
// "n" would become "false".
func misreadByYAML11(s string) bool {
	if s == "" || len(s) > 32 {
		return false // empty is quoted by the writer; long text is never a 1.1 scalar of another type
	}
	// Only these start a YAML 1.1 boolean (y, n, on, off, true, false...),
	// null (~, null), number or timestamp; anything else is a string.
	if !strings.ContainsRune("yYnNoOtTfF~-+.0123456789", rune(s[0])) {
		return false
	}
	var v any
	if err := yaml11.Unmarshal([]byte(s), &v); err != nil {
		return true
	}
	got, ok := v.(string)
	return !ok || got != s
}

// rootLeading are the keys first in an object: what it is, then its name.
var rootLeading = []string{"apiVersion", "kind", "metadata"}

// leading are keys moved to the front of any other mapping, in this order:
// a thing's name, then what it calls and when it runs.
var leadingKeys = []string{"name", "description", "template", "templateRef", "depends", "when", "withItems", "withParam"}

// trailing are keys moved to the end of a mapping of the given parent key:
// a spec's settings read better above its long list of templates.
var trailing = map[string]string{"spec": "templates"}

func reorder(n *yaml.Node, key string, leading []string) {
	for _, c := range n.Content {
		if n.Kind != yaml.MappingNode {
			reorder(c, "", leadingKeys)
		}
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	type kv struct{ k, v *yaml.Node }
	var front, middle, back []kv
	pairs := map[string]kv{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		reorder(v, k.Value, leadingKeys)
		pairs[k.Value] = kv{k, v}
	}
	for _, l := range leading {
		if p, ok := pairs[l]; ok {
			front = append(front, p)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		switch {
		case contains(leading, k.Value):
		case trailing[key] == k.Value:
			back = append(back, pairs[k.Value])
		default:
			middle = append(middle, pairs[k.Value])
		}
	}
	n.Content = n.Content[:0]
	for _, group := range [][]kv{front, middle, back} {
		for _, p := range group {
			n.Content = append(n.Content, p.k, p.v)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
