package wordcount

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/unumc/unumc/examples/internal/reference"
)

func TestSplit(t *testing.T) {
	ctx := context.Background()
	got, err := Split(ctx, Job{Text: "a b c\nd  e f g", Chunks: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := Chunks{Chunks: []Chunk{{0, "a b"}, {1, "c d"}, {2, "e f g"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Split (-want +got):\n%s", diff)
	}

	got, err = Split(ctx, Job{Text: "one two", Chunks: 4})
	if err != nil {
		t.Fatal(err)
	}
	want = Chunks{Chunks: []Chunk{{0, "one"}, {1, "two"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Split of fewer words than chunks (-want +got):\n%s", diff)
	}

	got, err = Split(ctx, Job{Text: " ", Chunks: 2})
	if err != nil || got.Chunks == nil || len(got.Chunks) != 0 {
		t.Errorf("Split of an empty text = %#v, %v; want no chunks", got, err)
	}
	if _, err := Split(ctx, Job{Text: "x", Chunks: 0}); err == nil {
		t.Error("Split into 0 chunks: no error")
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"Liberty,":     "liberty",
		"battle-field": "battle-field",
		"nation's":     "nation's",
		"--":           "",
		"(1863).":      "1863",
		`"God,"`:       "god",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	got, err := Count(context.Background(), Chunk{Index: 2, Text: "That nation -- that NATION, or any nation"})
	if err != nil {
		t.Fatal(err)
	}
	want := ChunkCounts{Chunk: 2, Counts: []WordCount{{1, "any"}, {3, "nation"}, {1, "or"}, {2, "that"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Count (-want +got):\n%s", diff)
	}
}

func TestPartitions(t *testing.T) {
	var got []string
	for p := range NumPartitions {
		got = append(got, letters(p))
	}
	if diff := cmp.Diff([]string{"a-g", "h-m", "n-t", "u-z"}, got); diff != "" {
		t.Errorf("partition letters (-want +got):\n%s", diff)
	}
	for w, p := range map[string]int{"all": 0, "god": 0, "here": 1, "men": 1, "nation": 2, "that": 2, "us": 3, "1863": 0} {
		if got := PartitionOf(w); got != p {
			t.Errorf("PartitionOf(%q) = %d, want %d", w, got, p)
		}
	}
}

func TestShuffleAndReduce(t *testing.T) {
	ctx := context.Background()
	shuffled, err := Shuffle(ctx, []ChunkCounts{
		{Chunk: 0, Counts: []WordCount{{2, "a"}, {1, "the"}}},
		{Chunk: 1, Counts: []WordCount{{1, "a"}, {4, "be"}, {1, "war"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Partitions{Partitions: []Partition{
		{Letters: "a-g", Counts: []WordCount{{2, "a"}, {1, "a"}, {4, "be"}}},
		{Letters: "h-m", Counts: []WordCount{}},
		{Letters: "n-t", Counts: []WordCount{{1, "the"}}},
		{Letters: "u-z", Counts: []WordCount{{1, "war"}}},
	}}
	if diff := cmp.Diff(want, shuffled); diff != "" {
		t.Errorf("Shuffle (-want +got):\n%s", diff)
	}

	reduced, err := Reduce(ctx, shuffled.Partitions[0])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Reduced{Letters: "a-g", Words: []WordCount{{3, "a"}, {4, "be"}}}, reduced); diff != "" {
		t.Errorf("Reduce (-want +got):\n%s", diff)
	}
	empty, err := Reduce(ctx, shuffled.Partitions[1])
	if err != nil || empty.Words == nil || len(empty.Words) != 0 {
		t.Errorf("Reduce of an empty partition = %#v, %v", empty, err)
	}
}

func TestReport(t *testing.T) {
	in := []Reduced{
		{Letters: "a-m", Words: []WordCount{{2, "b"}, {5, "c"}}},
		{Letters: "n-z", Words: []WordCount{{2, "a2"}, {1, "z"}}},
	}
	got, err := Report(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		DistinctWords: 4,
		Partitions:    []PartitionSum{{2, "a-m", 7}, {2, "n-z", 3}},
		Top:           []WordCount{{5, "c"}, {2, "a2"}, {2, "b"}, {1, "z"}},
		TotalWords:    10,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Report (-want +got):\n%s", diff)
	}
}

// TestInput checks that input.json carries text.txt, word for word.
func TestInput(t *testing.T) {
	text, err := os.ReadFile("text.txt")
	if err != nil {
		t.Fatal(err)
	}
	if in := reference.Load[Job](t, "input.json"); in.Text != string(text) {
		t.Error("input.json does not carry text.txt; regenerate it")
	}
}

// byHand runs the workflow on in by hand:
//
//	start -> Split -> map .chunks limit 4 { Count } -> Shuffle -> map .partitions { Reduce } -> Report
//
// Each map runs its branch once per element of the array, and the node after
// it gets the results in element order.
func byHand(t *testing.T, in Job) Result {
	t.Helper()
	ctx := context.Background()
	chunks, err := Split(ctx, in)
	if err != nil {
		t.Fatal(err)
	}

	counted := []ChunkCounts{}
	for _, c := range reference.Elements(t, chunks, ".chunks") {
		out, err := Count(ctx, reference.Via[Chunk](t, c))
		if err != nil {
			t.Fatal(err)
		}
		counted = append(counted, out)
	}
	shuffled, err := Shuffle(ctx, reference.Via[[]ChunkCounts](t, counted))
	if err != nil {
		t.Fatal(err)
	}

	reduced := []Reduced{}
	for _, p := range reference.Elements(t, shuffled, ".partitions") {
		out, err := Reduce(ctx, reference.Via[Partition](t, p))
		if err != nil {
			t.Fatal(err)
		}
		reduced = append(reduced, out)
	}
	out, err := Report(ctx, reference.Via[[]Reduced](t, reduced))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkPlain checks a result against a plain count of the whole text: one
// mapper, no MapReduce.
func checkPlain(t *testing.T, text string, out Result) {
	t.Helper()
	whole, _ := Count(context.Background(), Chunk{Text: text})
	total := 0
	for _, wc := range whole.Counts {
		total += wc.Count
	}
	sort.SliceStable(whole.Counts, func(i, j int) bool { return whole.Counts[i].Count > whole.Counts[j].Count })
	if out.TotalWords != total || out.DistinctWords != len(whole.Counts) {
		t.Errorf("Report counts %d words, %d distinct; the whole text has %d, %d distinct",
			out.TotalWords, out.DistinctWords, total, len(whole.Counts))
	}
	if diff := cmp.Diff(whole.Counts[:TopN], out.Top); diff != "" {
		t.Errorf("top words differ from a plain count (-plain +report):\n%s", diff)
	}
}

// TestWorkflow runs the workflow by hand on input.json and checks the result
// against want.json and a plain count of the whole text.
func TestWorkflow(t *testing.T) {
	in := reference.Load[Job](t, "input.json")
	out := byHand(t, in)
	reference.CheckWant(t, out, "want.json")
	checkPlain(t, in.Text, out)
}

// TestSized checks the inputs of the generator (gen): every mapper gets
// the same number of words, the workflow's result is a plain count of the
// text, and at the paper's 262 mappers it is want262.json. With no words
// per mapper it is input.json.
func TestSized(t *testing.T) {
	text, err := os.ReadFile("text.txt")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(reference.Load[Job](t, "input.json"), Sized(string(text), 4, 0)); diff != "" {
		t.Errorf("Sized(4, 0) is not input.json (-input.json +Sized):\n%s", diff)
	}
	for _, mappers := range []int{1, 7, 262} {
		in := Sized(string(text), mappers, 64)
		chunks, err := Split(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if len(chunks.Chunks) != mappers {
			t.Fatalf("%d mappers: Split made %d chunks", mappers, len(chunks.Chunks))
		}
		for _, c := range chunks.Chunks {
			if n := len(strings.Fields(c.Text)); n != 64 {
				t.Fatalf("%d mappers: chunk %d has %d words, want 64", mappers, c.Index, n)
			}
		}
		out := byHand(t, in)
		checkPlain(t, in.Text, out)
		if mappers == 262 {
			reference.CheckWant(t, out, "want262.json")
		}
	}
}
