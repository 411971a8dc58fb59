package schema

import (
	"errors"
	"testing"
)

func TestErrorFormat(t *testing.T) {
	cases := []struct {
		err  Error
		want string
	}{
		{Error{Pos{"c.yaml", 3, 7}, "targets.a.endpoint", "bad", "fix it"}, "c.yaml:3:7: targets.a.endpoint: bad (fix it)"},
		{Error{Pos{"c.yaml", 3, 0}, "", "bad", ""}, "c.yaml:3: bad"},
		{Error{Pos{}, "sources", "bad", "fix it"}, "sources: bad (fix it)"},
		{Error{Pos{Line: 1, Col: 2}, "", "bad", ""}, "1:2: bad"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}

func TestErrorList(t *testing.T) {
	var l ErrorList
	if l.Err() != nil {
		t.Fatal("empty list is an error")
	}
	l.Add(Pos{"b.yaml", 1, 1}, "", "third", "")
	l.Add(Pos{"a.yaml", 9, 1}, "", "second", "")
	l.Add(Pos{"a.yaml", 2, 5}, "x", "first", "")
	l.Add(Pos{"a.yaml", 9, 1}, "", "second", "")
	l.Sort()
	if len(l) != 3 {
		t.Fatalf("duplicates kept: %v", l)
	}
	want := "a.yaml:2:5: x: first\na.yaml:9:1: second\nb.yaml:1:1: third"
	if got := l.Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var target ErrorList
	if err := l.Err(); !errors.As(err, &target) || len(target) != 3 {
		t.Errorf("Err() is not the list: %v", err)
	}
}
