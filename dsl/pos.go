package dsl

import (
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// helpers holds the package paths (with a trailing ".") marked by Helper.
var helpers sync.Map

// Helper marks the calling function's package as an extension of the DSL,
// the way testing.T.Helper marks a test helper: the positions in Build's
// messages skip the package's frames and land on the user's call into it.
// Packages that build templates for their users (etcdgw, memo, latch) call
// it from init. Frames in _test.go files are never skipped.
func Helper() {
	pc, _, _, ok := runtime.Caller(1)
	if !ok {
		return
	}
	if fn := runtime.FuncForPC(pc); fn != nil {
		helpers.Store(funcPackage(fn.Name()), true)
	}
}

// funcPackage is the package path of a function's full name, with a
// trailing ".": "example.com/a/b.(*T).m" gives "example.com/a/b.".
func funcPackage(fn string) string {
	slash := strings.LastIndex(fn, "/")
	dot := strings.Index(fn[slash+1:], ".")
	if dot < 0 {
		return fn + "."
	}
	return fn[:slash+1+dot+1]
}

// callerPos returns the position of the first caller outside this package
// and the packages marked by Helper: the line of the user's DSL code that
// made the current builder call.
func callerPos() Pos {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if strings.HasSuffix(f.File, "_test.go") || !inThisPackage(f.Function) && !isHelper(f.Function) {
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

func isHelper(fn string) bool {
	_, ok := helpers.Load(funcPackage(fn))
	return ok
}

// shortFile keeps the last two path elements, enough to find the file in a
// repository while keeping messages (and golden files) free of machine paths.
func shortFile(p string) string {
	dir, file := filepath.Split(p)
	return filepath.ToSlash(filepath.Join(filepath.Base(dir), file))
}
