package lint

import (
	"strconv"
	"strings"
)

// JSON paths name a place in an object the way Problem.Path shows it:
// spec.templates[2].dag.tasks[0].when. Keys that are not plain words are
// quoted: metadata.labels["app.kubernetes.io/name"].

// joinKey returns the path of key inside the object at parent.
func joinKey(parent, key string) string {
	if !plainKey(key) {
		return parent + "[" + strconv.Quote(key) + "]"
	}
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// joinIndex returns the path of item i of the list at parent.
func joinIndex(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// pathSeg is one step of a path: a key, or an index when isIndex.
type pathSeg struct {
	key     string
	index   int
	isIndex bool
}

// splitPath parses a path made by joinKey and joinIndex. It stops at the
// first malformed step and returns the steps before it.
func splitPath(p string) []pathSeg {
	var segs []pathSeg
	for p != "" {
		switch p[0] {
		case '.':
			p = p[1:]
			continue
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return segs
			}
			inner := p[1:end]
			if n, err := strconv.Atoi(inner); err == nil {
				segs = append(segs, pathSeg{index: n, isIndex: true})
				p = p[end+1:]
				continue
			}
			q, err := strconv.QuotedPrefix(p[1:])
			if err != nil {
				return segs
			}
			k, _ := strconv.Unquote(q)
			segs = append(segs, pathSeg{key: k})
			p = strings.TrimPrefix(p[1+len(q):], "]")
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			segs = append(segs, pathSeg{key: p[:end]})
			p = p[end:]
		}
	}
	return segs
}

// joinSegs is the inverse of splitPath.
func joinSegs(segs []pathSeg) string {
	p := ""
	for _, s := range segs {
		if s.isIndex {
			p = joinIndex(p, s.index)
		} else {
			p = joinKey(p, s.key)
		}
	}
	return p
}

// lookupTree follows path p through a tree decoded from JSON
// (map[string]any and []any) and reports whether it exists.
func lookupTree(tree any, p string) bool {
	cur := tree
	for _, s := range splitPath(p) {
		switch v := cur.(type) {
		case map[string]any:
			if s.isIndex {
				return false
			}
			next, ok := v[s.key]
			if !ok {
				return false
			}
			cur = next
		case []any:
			if !s.isIndex || s.index < 0 || s.index >= len(v) {
				return false
			}
			cur = v[s.index]
		default:
			return false
		}
	}
	return true
}

// longestPrefix returns the longest prefix of p (in whole steps) for which
// exists returns true, or "" when none does.
func longestPrefix(p string, exists func(string) bool) string {
	segs := splitPath(p)
	for n := len(segs); n > 0; n-- {
		q := joinSegs(segs[:n])
		if exists(q) {
			return q
		}
	}
	return ""
}
