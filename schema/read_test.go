package schema

import (
	"strings"
	"testing"
)

// TestReadEdgeCases covers inputs that editors and tools produce: a byte
// order mark, Windows line ends, document markers, comments.
func TestReadEdgeCases(t *testing.T) {
	const body = "targets:\n  a: {endpoint: 'https://a'}\nsources:\n  b: {endpoint: 'https://b', version: ES 7, bad: 1}\n"
	cases := []struct {
		name, in, want string // want: the problems, one a line
	}{
		{"plain", body, `c.yaml:4:45: sources.b.bad: unknown key "bad"`},
		{"byte order mark", "\xef\xbb\xbf" + body, `c.yaml:4:45: sources.b.bad: unknown key "bad"`},
		{"windows line ends", strings.ReplaceAll(body, "\n", "\r\n"), `c.yaml:4:45: sources.b.bad: unknown key "bad"`},
		{"document markers", "---\n" + body + "...\n", `c.yaml:5:45: sources.b.bad: unknown key "bad"`},
		{"trailing marker", body + "---\n# nothing more\n", `c.yaml:4:45: sources.b.bad: unknown key "bad"`},
		{"second document", body + "---\nx: 1\n", `c.yaml:5:1: a second YAML document starts here; a config is one document`},
		{"column in characters", "targets:\n  été: {endpoint: 'https://a', x: 1}\n", `c.yaml:1:1: sources: sources is missing` +
			"\n" + `c.yaml:2:3: targets["été"]: "été" is not a valid name` +
			"\n" + `c.yaml:2:32: targets["été"].x: unknown key "x"`},
		{"invalid UTF-8 after text", "targets:\n  é\xff: 1\n", `c.yaml:2:4: the file is not UTF-8 text: byte 0xff cannot start a character`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errs := Load("c.yaml", []byte(c.in))
			var got []string
			for _, e := range errs {
				s := e.Error()
				if i := strings.Index(s, " ("); i > 0 {
					s = s[:i] // leave the hint out
				}
				got = append(got, s)
			}
			if g := strings.Join(got, "\n"); g != c.want {
				t.Errorf("got\n%s\nwant\n%s", g, c.want)
			}
		})
	}
}
