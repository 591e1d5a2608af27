package rt

import "testing"

// TestResultKey checks that a fan-in member's relative name and the set's
// key give back the checkpoint key of the instance that ended the branch,
// at every depth, loop iteration and iteration of the branch.
func TestResultKey(t *testing.T) {
	for _, c := range []struct {
		iter   int
		parent []Frame
		k      int
	}{
		{0, nil, 0},
		{3, nil, 0},
		{0, nil, 2},
		{1, []Frame{{Origin: "outer", Index: 4, Width: 9}}, 0},
		{0, []Frame{{Origin: "outer", Index: 0, Width: 2, Iter: 5}, {Origin: "mid", Index: 11, Width: 12}}, 7},
	} {
		setKey := JoinKey("run-1.a_b", instance("split", c.iter, c.parent))
		rel := "count"
		if c.k > 0 {
			rel = "count#" + itoa(c.k)
		}
		m, err := parseMember(memberOK(6, rel))
		if err != nil {
			t.Fatal(err)
		}
		frames := append(append([]Frame(nil), c.parent...), Frame{Origin: "split", Index: 6, Width: 8, Iter: c.k})
		want := CheckpointKey("run-1.a_b", instance("count", c.iter, frames))
		if got := resultKey(setKey, m.index, m.rel); got != want {
			t.Errorf("resultKey(%q, 6, %q) = %q, want %q", setKey, rel, got, want)
		}
	}
	for _, bad := range []string{"x\tcount", "-1\tcount", "3", "3\tcount\tonly-error"} {
		if _, err := parseMember(bad); err == nil {
			t.Errorf("parseMember(%q) accepted", bad)
		}
	}
}

func itoa(i int) string { return string(rune('0' + i)) }
