// Package cli is the command line of programs over DSL libraries: a
// platform team's own build of its processes calls Main from its main
// function and gets compile (-o, --check with a diff), lint, graph and
// version, with migrate's exit codes (0 ok, 1 invalid input or a stale
// --check, 2 usage, 3 internal) and problem format (file:line:col:
// message, or --error-format json). cmd/migrate is built from the same
// commands, with the migration config's commands added.
//
// Outputs are written as compile always writes them: to a temporary
// directory beside DIR that replaces DIR once everything is valid.
package cli
