package lint

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"gopkg.in/yaml.v3"
	kjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"
)

// Files validates the Argo objects in multi-document YAML files read from
// fsys, as one set (a templateRef may point into another file), and maps
// every problem to file:line:col. Documents that are not Argo objects are
// skipped. The result is sorted.
//
// Documents are split on "---" lines and converted with sigs.k8s.io/yaml,
// as kubectl does; they are decoded case-sensitively like the API server
// does. Unknown fields are reported with their position, including inside
// steps, where Argo's own decoder drops unknown nested fields silently.
//
// Input is bounded: a file over MaxFileBytes, or files past MaxTotalBytes
// in all, are reported and not read further (see also MaxTasks).
func Files(fsys fs.FS, paths []string) Problems {
	l := &linter{}
	total := 0
	for _, name := range paths {
		if total >= MaxTotalBytes {
			l.probs = append(l.probs, Problem{File: name, Line: 1, Col: 1, Msg: msgTotalTooLarge()})
			continue
		}
		data, err := readBounded(fsys, name)
		if err != nil {
			l.probs = append(l.probs, Problem{File: name, Msg: msgReadFile(err)})
			continue
		}
		if len(data) > MaxFileBytes {
			l.probs = append(l.probs, Problem{File: name, Line: 1, Col: 1, Msg: msgFileTooLarge()})
			continue
		}
		total += len(data)
		l.addFile(name, data)
	}
	l.run()
	l.probs.Sort()
	return l.probs
}

// Bounds on lint's input. An Argo object is at most 1 MiB (MaxObjectBytes);
// a file holds a few of them.
const (
	MaxFileBytes  = 8 << 20  // one file
	MaxTotalBytes = 32 << 20 // all files of one run
)

// readBounded reads at most one byte more than MaxFileBytes of a file, so
// that /dev/zero or a huge file costs no more than that.
func readBounded(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
}

// typeMeta is what identifies a document.
type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

func (l *linter) addFile(name string, data []byte) {
	for _, doc := range splitDocuments(data) {
		l.addDocument(name, doc, data)
	}
}

func (l *linter) addDocument(file string, doc document, data []byte) {
	// sigs.k8s.io/yaml reads the document as kubectl does; yaml.v3 gives
	// the positions. The first reports syntax errors on the right line.
	js, err := sigsyaml.YAMLToJSON(doc.data)
	if err != nil {
		l.probs = append(l.probs, yamlProblem(file, data, doc, err))
		return
	}
	var root yaml.Node
	if err := yaml.Unmarshal(doc.data, &root); err != nil {
		l.probs = append(l.probs, yamlProblem(file, data, doc, err))
		return
	}
	if root.Kind == 0 || len(root.Content) == 0 || root.Content[0].Tag == "!!null" {
		return // empty document
	}
	idx := newDocIndex(&root, doc.line-1)
	var tm typeMeta
	_ = json.Unmarshal(js, &tm)
	obj := newObject(tm)
	if obj == nil {
		switch {
		case tm.Kind == "" && tm.APIVersion == "":
			l.probs = append(l.probs, Problem{File: file, Line: idx.start.line, Col: idx.start.col, Msg: msgNoKind(), Warning: true})
		case strings.HasPrefix(tm.APIVersion, "argoproj.io/"):
			l.probs = append(l.probs, Problem{File: file, Line: idx.start.line, Col: idx.start.col,
				Object: tm.Kind, Msg: msgUnsupportedKind(tm.APIVersion, tm.Kind), Warning: true})
		}
		return
	}
	// Report unknown fields, drop them (as the API server prunes them), and
	// decode what is left.
	type unknownField struct {
		path, field string
		known       []string
	}
	var unknown []unknownField
	var tree any
	_ = json.Unmarshal(js, &tree)
	unknownFields(tree, reflect.TypeOf(obj), "", func(p, field string, known []string) {
		unknown = append(unknown, unknownField{p, field, known})
	})
	if len(unknown) > 0 {
		if pruned, err := json.Marshal(tree); err == nil {
			js = pruned
		}
	}
	decodeErr := kjson.UnmarshalCaseSensitivePreserveInts(js, obj)
	u, err := newUnit(obj)
	if err != nil {
		return // newObject only returns supported types
	}
	u.file, u.idx = file, idx
	for _, d := range idx.dups {
		l.probs = append(l.probs, Problem{File: file, Line: d.at.line, Col: d.at.col, Object: u.id(), Path: d.path,
			Msg: msgDuplicateKey(d.key, d.first.line)})
	}
	for _, f := range unknown {
		l.probs = append(l.probs, l.problem(u, f.path, msgUnknownField(f.field, f.known), false))
	}
	if decodeErr != nil {
		l.probs = append(l.probs, l.problem(u, idx.loosePath(decodeErrorField(decodeErr)), msgDecode(tm.Kind, decodeErr), false))
		return // a partly decoded object would give misleading problems
	}
	l.units = append(l.units, u)
}

func newObject(tm typeMeta) Object {
	if !strings.HasPrefix(tm.APIVersion, "argoproj.io/") {
		return nil
	}
	switch tm.Kind {
	case "WorkflowTemplate":
		return &wfv1.WorkflowTemplate{}
	case "ClusterWorkflowTemplate":
		return &wfv1.ClusterWorkflowTemplate{}
	case "Workflow":
		return &wfv1.Workflow{}
	case "CronWorkflow":
		return &wfv1.CronWorkflow{}
	}
	return nil
}

// decodeErrorField returns the dotted field (without indices) a decoding
// error is about, or "". The strict decoder is a fork of encoding/json with
// its own error types, so the field is read from the message.
func decodeErrorField(err error) string {
	if m := decodeField.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return ""
}

var decodeField = regexp.MustCompile(`Go struct field [^.\s]+\.(\S+) of type`)

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlProblem places a YAML error of a document of the file's data. The
// YAML parsers report a line only: the column is that of the line's first
// character that is not a space. For the errors they report without a line
// (a NUL byte, bytes that are not UTF-8), the position is that of the first
// such byte.
func yamlProblem(file string, data []byte, doc document, err error) Problem {
	p := Problem{File: file, Line: doc.line}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "error converting YAML to JSON: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		p.Line = doc.line + n - 1
		msg = "yaml: " + msg[len(m[0]):]
		p.Col = firstColumn(data, p.Line)
	} else if off, ok := badByte(doc.data); ok {
		before := doc.data[:off]
		p.Line = doc.line + bytes.Count(before, []byte("\n"))
		p.Col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	} else {
		p.Col = firstColumn(data, p.Line)
	}
	p.Msg = msgYAML(errString(msg))
	return p
}

// badByte returns the offset of the first NUL byte or byte that is not
// part of UTF-8 text.
func badByte(data []byte) (int, bool) {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == 0 || r == utf8.RuneError && n <= 1 {
			return i, true
		}
		i += n
	}
	return 0, false
}

// firstColumn is the 1-based column of the first character of line that
// is not a space (a tab, which YAML forbids in indentation, is one), or 1.
func firstColumn(data []byte, line int) int {
	for i := 1; i < line && len(data) > 0; i++ {
		j := bytes.IndexByte(data, '\n')
		if j < 0 {
			return 1
		}
		data = data[j+1:]
	}
	if j := bytes.IndexByte(data, '\n'); j >= 0 {
		data = data[:j]
	}
	t := bytes.TrimLeft(data, " ")
	if len(t) == 0 {
		return 1
	}
	return utf8.RuneCount(data[:len(data)-len(t)]) + 1
}

type errString string

func (e errString) Error() string { return string(e) }

// document is one YAML document of a file.
type document struct {
	line int // 1-based line of its first line in the file
	data []byte
}

// splitDocuments splits a YAML stream on "---" lines the way kubectl does
// (k8s.io/apimachinery/pkg/util/yaml.YAMLReader): a line starting with
// "---" followed by nothing or a comment.
func splitDocuments(data []byte) []document {
	var docs []document
	cur := document{line: 1}
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		end := bytes.IndexByte(data, '\n')
		var line []byte
		if end < 0 {
			line, data = data, nil
		} else {
			line, data = data[:end+1], data[end+1:]
		}
		if bytes.HasPrefix(line, []byte("---")) {
			rest := bytes.TrimSpace(line[3:])
			if len(rest) == 0 || rest[0] == '#' {
				docs = append(docs, cur)
				cur = document{line: lineNo + 1}
				continue
			}
		}
		cur.data = append(cur.data, line...)
	}
	docs = append(docs, cur)
	return docs
}

// pos is a 1-based line and column.
type pos struct{ line, col int }

// docIndex maps the JSON paths of a YAML document to positions: a key's
// position for a mapping entry, an item's position for a list entry.
type docIndex struct {
	paths map[string]pos
	start pos
	dups  []dupKey
}

// dupKey is a key that appears twice in one mapping.
type dupKey struct {
	key, path string
	first, at pos
}

func newDocIndex(root *yaml.Node, lineOffset int) *docIndex {
	d := &docIndex{paths: map[string]pos{}}
	b := indexBuilder{d: d, offset: lineOffset}
	b.add(root, "", 0)
	d.start = pos{1 + lineOffset, 1}
	if len(root.Content) > 0 {
		d.start = b.pos(root.Content[0])
	}
	return d
}

type indexBuilder struct {
	d      *docIndex
	offset int
}

func (b indexBuilder) pos(n *yaml.Node) pos { return pos{n.Line + b.offset, n.Column} }

func (b indexBuilder) add(n *yaml.Node, p string, depth int) {
	if depth > 100 {
		return // alias loops
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			b.add(c, p, depth+1)
		}
	case yaml.AliasNode:
		if n.Alias != nil {
			b.add(n.Alias, p, depth+1)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			cp := joinIndex(p, i)
			b.d.paths[cp] = b.pos(c)
			b.add(c, cp, depth+1)
		}
	case yaml.MappingNode:
		// Merged keys (<<: *anchor) first, so explicit keys override them.
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Tag == "!!merge" {
				b.addMerge(n.Content[i+1], p, depth+1)
			}
		}
		seen := map[string]pos{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				continue
			}
			cp := joinKey(p, k.Value)
			if first, ok := seen[k.Value]; ok {
				b.d.dups = append(b.d.dups, dupKey{key: k.Value, path: cp, first: first, at: b.pos(k)})
			}
			seen[k.Value] = b.pos(k)
			b.d.paths[cp] = b.pos(k)
			b.add(v, cp, depth+1)
		}
	}
}

func (b indexBuilder) addMerge(v *yaml.Node, p string, depth int) {
	switch v.Kind {
	case yaml.AliasNode:
		if v.Alias != nil {
			b.addMerge(v.Alias, p, depth+1)
		}
	case yaml.SequenceNode:
		for _, c := range v.Content {
			b.addMerge(c, p, depth+1)
		}
	case yaml.MappingNode:
		b.add(v, p, depth)
	}
}

// position returns where path p is, falling back to its closest ancestor
// present in the document; "" is the object itself (its metadata.name).
func (d *docIndex) position(p string) (int, int) {
	if p == "" {
		p = "metadata.name"
	}
	if q, ok := d.paths[p]; ok {
		return q.line, q.col
	}
	if lp := longestPrefix(p, func(s string) bool { _, ok := d.paths[s]; return ok }); lp != "" {
		q := d.paths[lp]
		return q.line, q.col
	}
	return d.start.line, d.start.col
}

// loosePath finds the first path (in document order) that equals field
// once list indices are removed; decoding errors name fields that way.
func (d *docIndex) loosePath(field string) string {
	if field == "" {
		return ""
	}
	best, bestPos := "", pos{}
	for p, at := range d.paths {
		if stripIndices(p) != field {
			continue
		}
		if best == "" || at.line < bestPos.line || at.line == bestPos.line && at.col < bestPos.col {
			best, bestPos = p, at
		}
	}
	return best
}

func stripIndices(p string) string {
	segs := splitPath(p)
	keys := make([]string, 0, len(segs))
	for _, s := range segs {
		if !s.isIndex {
			keys = append(keys, s.key)
		}
	}
	return strings.Join(keys, ".")
}

var (
	unmarshalerType   = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	parallelStepsType = reflect.TypeOf(wfv1.ParallelSteps{})
	workflowStepsType = reflect.TypeOf([]wfv1.WorkflowStep{})
	fieldCache        sync.Map // reflect.Type -> map[string]reflect.Type
)

// unknownFields reports the keys of tree (decoded JSON) that type t has no
// field for, the way a strict decoder does, and deletes them from tree. Types that decode themselves
// (json.Unmarshaler) accept anything, except Argo's ParallelSteps, which is
// a list of WorkflowStep.
func unknownFields(tree any, t reflect.Type, p string, report func(path, field string, known []string)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == parallelStepsType {
		t = workflowStepsType
	} else if t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := tree.(map[string]any)
		if !ok {
			return
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(m) {
			ft, ok := fields[k]
			if !ok {
				known := make([]string, 0, len(fields))
				for name := range fields {
					known = append(known, name)
				}
				sort.Strings(known)
				report(joinKey(p, k), k, known)
				delete(m, k)
				continue
			}
			unknownFields(m[k], ft, joinKey(p, k), report)
		}
	case reflect.Map:
		if m, ok := tree.(map[string]any); ok {
			for _, k := range sortedKeys(m) {
				unknownFields(m[k], t.Elem(), joinKey(p, k), report)
			}
		}
	case reflect.Slice, reflect.Array:
		if list, ok := tree.([]any); ok {
			for i, item := range list {
				unknownFields(item, t.Elem(), joinIndex(p, i), report)
			}
		}
	}
}

// jsonFields maps the JSON names of struct t's fields (with embedded and
// inline structs flattened) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		inline := strings.Contains(","+opts+",", ",inline,")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if (f.Anonymous && name == "" || inline) && ft.Kind() == reflect.Struct {
			for k, v := range jsonFields(ft) {
				if _, ok := fields[k]; !ok {
					fields[k] = v
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	fieldCache.Store(t, fields)
	return fields
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
