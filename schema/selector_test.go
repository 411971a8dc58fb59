package schema

import (
	"slices"
	"testing"
)

func TestOutside(t *testing.T) {
	cases := []struct {
		name    string
		sel     Selector
		entries []string
		want    []string
	}{
		{"everything covers all", Selector{}, []string{"a", "logs-*", "regex:.*"}, nil},
		{"names", Selector{Allow: []string{"a", "b"}}, []string{"a", "c"}, []string{"c"}},
		{"glob picks names", Selector{Allow: []string{"logs-*"}}, []string{"logs-1", "metrics-1"}, []string{"metrics-1"}},
		{"regex picks whole names", Selector{Allow: []string{`regex:logs-\d+`}}, []string{"logs-12", "logs-12x", "xlogs-1"}, []string{"logs-12x", "xlogs-1"}},
		{"an excluded name", Selector{Allow: []string{"logs-*"}, Exclude: []string{"logs-old"}}, []string{"logs-old", "logs-new"}, []string{"logs-old"}},
		{"exclude wins", Selector{Allow: []string{"logs-*"}, Exclude: []string{"logs-tmp-*"}}, []string{"logs-tmp-1", "logs-1"}, []string{"logs-tmp-1"}},
		{"prefix glob covers a narrower glob", Selector{Allow: []string{"logs-*"}}, []string{"logs-2024-*", "log*"}, []string{"log*"}},
		{"a glob is not covered by names", Selector{Allow: []string{"logs-1"}}, []string{"logs-*"}, []string{"logs-*"}},
		{"a regex only by itself", Selector{Allow: []string{`regex:a.*`}}, []string{`regex:a.*`, `regex:ab.*`}, []string{`regex:ab.*`}},
		{"a pattern excluded as such", Selector{Exclude: []string{"tmp-*"}}, []string{"tmp-*"}, []string{"tmp-*"}},
		{"star covers patterns", Selector{Allow: []string{"*"}}, []string{"a?c", `regex:x`}, nil},
		{"bad patterns are left to their own rule", Selector{Allow: []string{"a"}}, []string{"regex:(", "[x"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := outside(c.entries, c.sel); !slices.Equal(got, c.want) {
				t.Errorf("outside(%q, %+v) = %q, want %q", c.entries, c.sel, got, c.want)
			}
		})
	}
}

func TestBadPatterns(t *testing.T) {
	got := badPatterns([]string{"logs", "logs-*", "l?gs", "[ab]x", "[x", "regex:(a|b)", "regex:(", "regex:"})
	if want := []string{"[x", "regex:(", "regex:"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestClosest(t *testing.T) {
	known := []string{"endpoint", "allowInsecure", "auth", "snapshots", "old"}
	cases := map[string]string{
		"endpint":        "endpoint",
		"allow_insecure": "allowInsecure",
		"AllowInsecure":  "allowInsecure",
		"snapshot":       "snapshots",
		"odl":            "old",
		"colour":         "",
		"x":              "",
	}
	for in, want := range cases {
		if got := closest(in, known); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}
