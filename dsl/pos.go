package dsl

import (
	"path/filepath"
	"runtime"
	"strings"
)

// callerPos returns the position of the first caller outside this package:
// the line of the user's DSL code that made the current builder call.
func callerPos() Pos {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !inThisPackage(f.Function) || strings.HasSuffix(f.File, "_test.go") {
			return Pos{File: shortFile(f.File), Line: f.Line}
		}
		if !more {
			return Pos{}
		}
	}
}

const pkgPath = "github.com/migratekit/migrate/dsl."

func inThisPackage(fn string) bool {
	return strings.HasPrefix(fn, pkgPath)
}

// shortFile keeps the last two path elements, enough to find the file in a
// repository while keeping messages (and golden files) free of machine paths.
func shortFile(p string) string {
	dir, file := filepath.Split(p)
	return filepath.ToSlash(filepath.Join(filepath.Base(dir), file))
}
