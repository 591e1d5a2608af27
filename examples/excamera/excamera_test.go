package excamera

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/examples/internal/reference"
)

func TestSplit(t *testing.T) {
	got, err := Split(context.Background(), Video{Name: "v", ChunkSize: 2, Frames: []int{1, 2, 3, 4, 5}})
	if err != nil {
		t.Fatal(err)
	}
	want := Chunks{Name: "v", Chunks: []Chunk{{Index: 0, Frames: []int{1, 2}}, {Index: 1, Frames: []int{3, 4}}, {Index: 2, Frames: []int{5}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Split (-want +got):\n%s", diff)
	}
	for _, bad := range []Video{{ChunkSize: 0, Frames: []int{1}}, {ChunkSize: 2}} {
		if _, err := Split(context.Background(), bad); err == nil {
			t.Errorf("Split(%+v): no error", bad)
		}
	}
}

func TestEncodeAndRebase(t *testing.T) {
	ctx := context.Background()
	a, err := Encode(ctx, Chunk{Index: 0, Frames: []int{10, 12, 9}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Encode(ctx, Chunk{Index: 1, Frames: []int{15, 15}})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Coded{Index: 0, First: 10, Keyframe: true, Deltas: []int{2, -3}, Last: 9, Size: KeyframeSize + 2*InterframeSize}); !cmp.Equal(want, a) {
		t.Errorf("Encode: %s", cmp.Diff(want, a))
	}
	ra, err := Rebase(ctx, RebaseInput{Input: a})
	if err != nil || !cmp.Equal(a, ra) {
		t.Errorf("Rebase of the first chunk changed it: %+v, %v", ra, err)
	}
	rb, err := Rebase(ctx, RebaseInput{Input: b, Previous: &ra})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Coded{Index: 1, First: 6, Deltas: []int{0}, Last: 15, Size: 2 * InterframeSize}); !cmp.Equal(want, rb) {
		t.Errorf("Rebase: %s", cmp.Diff(want, rb))
	}
	if _, err := Rebase(ctx, RebaseInput{Input: b}); err == nil {
		t.Error("Rebase of chunk 1 with no previous chunk: no error")
	}
	if _, err := Rebase(ctx, RebaseInput{Input: b, Previous: &rb}); err == nil {
		t.Error("Rebase of chunk 1 on itself: no error")
	}
}

// TestWorkflow is the reference run: Rebase and Stitch of element i get the
// result of element i-1, as "after previous" gives them.
func TestWorkflow(t *testing.T) {
	ctx := context.Background()
	chunks, err := Split(ctx, reference.Load[Video](t, "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rebased []Coded
	for i, c := range chunks.Chunks {
		coded, err := Encode(ctx, reference.Via[Chunk](t, c))
		if err != nil {
			t.Fatal(err)
		}
		in := RebaseInput{Input: coded}
		if i > 0 {
			in.Previous = &rebased[i-1]
		}
		r, err := Rebase(ctx, reference.Via[RebaseInput](t, in))
		if err != nil {
			t.Fatal(err)
		}
		rebased = append(rebased, r)
	}
	layout, err := Plan(ctx, reference.Via[[]Coded](t, rebased))
	if err != nil {
		t.Fatal(err)
	}
	var placed []Placed
	for i, s := range layout.Segments {
		in := StitchInput{Input: s}
		if i > 0 {
			in.Previous = &placed[i-1]
		}
		p, err := Stitch(ctx, reference.Via[StitchInput](t, in))
		if err != nil {
			t.Fatal(err)
		}
		placed = append(placed, p)
	}
	out, err := Publish(ctx, reference.Via[[]Placed](t, placed))
	if err != nil {
		t.Fatal(err)
	}
	if out.Keyframes != 1 || out.Saved == 0 {
		t.Errorf("rebasing left %d keyframes and saved %d bytes", out.Keyframes, out.Saved)
	}
	reference.CheckWant(t, out, "want.json")
}
