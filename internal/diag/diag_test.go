package diag

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestListSortsAndDeduplicates(t *testing.T) {
	var l List
	l.Add(Pos{File: "b.unum", Line: 1, Col: 1}, "second file")
	l.Add(Pos{File: "a.unum", Line: 3, Col: 2}, "later")
	l.Add(Pos{File: "a.unum", Line: 1, Col: 9}, "earlier")
	l.Add(Pos{File: "a.unum", Line: 3, Col: 2}, "later")
	got := l.Lines()
	want := "a.unum:1:9: earlier\na.unum:3:2: later\nb.unum:1:1: second file\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Lines (-want +got):\n%s", diff)
	}
	if got, want := l.Err().Error(), "a.unum:1:9: earlier (and 2 more errors)"; got != want {
		t.Errorf("Err = %q, want %q", got, want)
	}
	var empty List
	if empty.Err() != nil {
		t.Errorf("empty list Err() = %v, want nil", empty.Err())
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"Aggregate", "Decide", "Cool", "Heat"}
	for _, tc := range []struct{ name, want string }{
		{"Agregate", ` (did you mean "Aggregate"?)`},
		{"decide", ` (did you mean "Decide"?)`},
		{"Xyzzy", ""},
		{"Col", ` (did you mean "Cool"?)`},
	} {
		if got := Suggest(tc.name, cands); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
