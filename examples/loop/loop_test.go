package loop

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/examples/internal/reference"
)

func TestInit(t *testing.T) {
	ctx := context.Background()
	got, err := Init(ctx, Start{N: 6})
	if err != nil {
		t.Fatal(err)
	}
	want := State{Start: 6, N: 6, MaxSteps: DefaultMaxSteps, Peak: 6, Path: []int{6}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Init (-want +got):\n%s", diff)
	}
	if got, _ := Init(ctx, Start{N: 1, MaxSteps: 5}); !got.Done || got.MaxSteps != 5 {
		t.Errorf("Init(1) = %+v; want done, with 5 steps budget", got)
	}
	for _, bad := range []Start{{N: 0}, {N: -3}, {N: 5, MaxSteps: -1}} {
		if _, err := Init(ctx, bad); err == nil {
			t.Errorf("Init(%+v): no error", bad)
		}
	}
}

func TestStep(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		in, want State
	}{
		{ // even: halve
			State{Start: 6, N: 6, MaxSteps: 9, Peak: 6, Path: []int{6}},
			State{Start: 6, N: 3, Steps: 1, MaxSteps: 9, Peak: 6, Path: []int{6, 3}},
		},
		{ // odd: 3n+1, a new peak
			State{Start: 6, N: 3, Steps: 1, MaxSteps: 9, Peak: 6, Path: []int{6, 3}},
			State{Start: 6, N: 10, Steps: 2, MaxSteps: 9, Peak: 10, Path: []int{6, 3, 10}},
		},
		{ // reaching 1
			State{Start: 2, N: 2, MaxSteps: 9, Peak: 2, Path: []int{2}},
			State{Start: 2, N: 1, Steps: 1, MaxSteps: 9, Peak: 2, Path: []int{2, 1}, Done: true},
		},
		{ // out of steps
			State{Start: 3, N: 3, MaxSteps: 1, Peak: 3, Path: []int{3}},
			State{Start: 3, N: 10, Steps: 1, MaxSteps: 1, Peak: 10, Path: []int{3, 10}, Done: true},
		},
		{ // already done: unchanged
			State{Start: 1, N: 1, MaxSteps: 9, Peak: 1, Path: []int{1}, Done: true},
			State{Start: 1, N: 1, MaxSteps: 9, Peak: 1, Path: []int{1}, Done: true},
		},
	} {
		in := tc.in
		in.Path = append([]int{}, tc.in.Path...)
		got, err := Step(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Step(%+v) (-want +got):\n%s", tc.in, diff)
		}
		if diff := cmp.Diff(tc.in, in); diff != "" {
			t.Errorf("Step changed its input (-before +after):\n%s", diff)
		}
	}
}

func TestFinish(t *testing.T) {
	got, err := Finish(context.Background(), State{Start: 3, N: 10, Steps: 1, MaxSteps: 1, Peak: 10, Path: []int{3, 10}, Done: true})
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Converged: false, Path: []int{3, 10}, Peak: 10, Start: 3, Steps: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Finish (-want +got):\n%s", diff)
	}
}

// TestWorkflow runs the workflow by hand:
//
//	start -> Init -> Step -> choose {
//		when .done == false -> Step
//		else -> Finish
//	}
//
// Each time the choose jumps back, Step runs again on its previous output.
func TestWorkflow(t *testing.T) {
	ctx := context.Background()
	state, err := Init(ctx, reference.Load[Start](t, "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	runs := 0
	for {
		state, err = Step(ctx, reference.Via[State](t, state))
		if err != nil {
			t.Fatal(err)
		}
		if runs++; runs > DefaultMaxSteps+1 {
			t.Fatal("the loop does not end")
		}
		done, _ := reference.Lookup(reference.Generic(t, state), ".done")
		if !reference.Cmp(done, "==", false) {
			break
		}
	}
	out, err := Finish(ctx, reference.Via[State](t, state))
	if err != nil {
		t.Fatal(err)
	}
	if runs != 10 {
		t.Errorf("Step ran %d times, want 10", runs)
	}
	reference.CheckWant(t, out, "want.json")
}
