// Package wordcount holds the functions of the wordcount workflow: a word
// count in the MapReduce style, with mappers and reducers run by maps.
package wordcount

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// Job is the workflow input: a text and how many chunks to cut it into, that
// is, how many mappers to run.
type Job struct {
	Text   string `json:"text"`
	Chunks int    `json:"chunks"`
}

// Chunks is Split's output: the chunks the mappers work on.
type Chunks struct {
	Chunks []Chunk `json:"chunks"`
}

// Chunk is a run of whole words of the text.
type Chunk struct {
	Index int    `json:"index"`
	Text  string `json:"text"`
}

// WordCount is a word and how often it occurs.
type WordCount struct {
	Count int    `json:"count"`
	Word  string `json:"word"`
}

// ChunkCounts is a mapper's output: the words of one chunk, counted, sorted
// by word.
type ChunkCounts struct {
	Chunk  int         `json:"chunk"`
	Counts []WordCount `json:"counts"`
}

// Partitions is Shuffle's output: the work of the reducers.
type Partitions struct {
	Partitions []Partition `json:"partitions"`
}

// Partition holds the partial counts of the words whose first letter is in
// a range of letters, in mapper order; a word can occur once per mapper.
type Partition struct {
	Letters string      `json:"letters"` // such as "a-g"
	Counts  []WordCount `json:"counts"`
}

// Reduced is a reducer's output: the final counts of one partition's words,
// sorted by word.
type Reduced struct {
	Letters string      `json:"letters"`
	Words   []WordCount `json:"words"`
}

// Result is the workflow result.
type Result struct {
	DistinctWords int            `json:"distinctWords"`
	Partitions    []PartitionSum `json:"partitions"`
	Top           []WordCount    `json:"top"` // the TopN most frequent words
	TotalWords    int            `json:"totalWords"`
}

// PartitionSum tells how much of the text one reducer counted.
type PartitionSum struct {
	DistinctWords int    `json:"distinctWords"`
	Letters       string `json:"letters"`
	TotalWords    int    `json:"totalWords"`
}

// NumPartitions is how many partitions Shuffle makes, and so how many
// reducers run; TopN is how many words Report lists.
const (
	NumPartitions = 4
	TopN          = 10
)

// Split cuts the text into in.Chunks chunks of nearly equal numbers of
// words (fewer if the text has fewer words).
func Split(ctx context.Context, in Job) (Chunks, error) {
	if in.Chunks < 1 {
		return Chunks{}, fmt.Errorf("split: %d chunks; need at least 1", in.Chunks)
	}
	words := strings.Fields(in.Text)
	out := Chunks{Chunks: []Chunk{}}
	for i := range in.Chunks {
		part := words[i*len(words)/in.Chunks : (i+1)*len(words)/in.Chunks]
		if len(part) > 0 {
			out.Chunks = append(out.Chunks, Chunk{Index: len(out.Chunks), Text: strings.Join(part, " ")})
		}
	}
	return out, nil
}

// Count is the mapper: it counts the words of one chunk.
func Count(ctx context.Context, in Chunk) (ChunkCounts, error) {
	counts := map[string]int{}
	for _, w := range strings.Fields(in.Text) {
		if w = Normalize(w); w != "" {
			counts[w]++
		}
	}
	return ChunkCounts{Chunk: in.Index, Counts: sorted(counts)}, nil
}

// Normalize lower-cases a word and strips the punctuation around it; it
// keeps inner hyphens and apostrophes ("battle-field", "nation's"). A word
// with no letters or digits becomes "".
func Normalize(w string) string {
	return strings.ToLower(strings.TrimFunc(w, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}))
}

// sorted lists counts by word.
func sorted(counts map[string]int) []WordCount {
	out := make([]WordCount, 0, len(counts))
	for w, n := range counts {
		out = append(out, WordCount{Word: w, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Word < out[j].Word })
	return out
}

// PartitionOf is the partition of a word: the alphabet is cut into
// NumPartitions ranges of letters. Words that start with anything else, such
// as a digit, go to the first partition.
func PartitionOf(word string) int {
	if word == "" || word[0] < 'a' || word[0] > 'z' {
		return 0
	}
	return int(word[0]-'a') * NumPartitions / 26
}

// letters names the range of first letters of a partition, such as "a-g".
func letters(p int) string {
	first, last := -1, -1
	for c := range 26 {
		if PartitionOf(string(rune('a'+c))) == p {
			if first < 0 {
				first = c
			}
			last = c
		}
	}
	return fmt.Sprintf("%c-%c", 'a'+first, 'a'+last)
}

// Shuffle routes the mappers' counts, given in chunk order, to the
// partitions. Every partition is listed, even an empty one.
func Shuffle(ctx context.Context, in []ChunkCounts) (Partitions, error) {
	out := Partitions{Partitions: make([]Partition, NumPartitions)}
	for p := range out.Partitions {
		out.Partitions[p] = Partition{Letters: letters(p), Counts: []WordCount{}}
	}
	for _, c := range in {
		for _, wc := range c.Counts {
			p := &out.Partitions[PartitionOf(wc.Word)]
			p.Counts = append(p.Counts, wc)
		}
	}
	return out, nil
}

// Reduce is the reducer: it adds up the partial counts of one partition.
func Reduce(ctx context.Context, in Partition) (Reduced, error) {
	counts := map[string]int{}
	for _, wc := range in.Counts {
		counts[wc.Word] += wc.Count
	}
	return Reduced{Letters: in.Letters, Words: sorted(counts)}, nil
}

// Report joins the reducers' results, given in partition order: the most
// frequent words (by count, then alphabetically), and the totals.
func Report(ctx context.Context, in []Reduced) (Result, error) {
	out := Result{Partitions: make([]PartitionSum, 0, len(in))}
	var all []WordCount
	for _, r := range in {
		sum := PartitionSum{Letters: r.Letters, DistinctWords: len(r.Words)}
		for _, wc := range r.Words {
			sum.TotalWords += wc.Count
		}
		out.Partitions = append(out.Partitions, sum)
		out.DistinctWords += sum.DistinctWords
		out.TotalWords += sum.TotalWords
		all = append(all, r.Words...)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Count != all[j].Count {
			return all[i].Count > all[j].Count
		}
		return all[i].Word < all[j].Word
	})
	out.Top = append([]WordCount{}, all[:min(TopN, len(all))]...)
	return out, nil
}

// Sized is a job of the paper's shape at any size: mappers chunks of words
// words each, the text's words taken in turn and from the start again when
// they run out (the paper ran 262 mappers). With words 0 it is the whole
// text, cut into mappers chunks.
func Sized(text string, mappers, words int) Job {
	if words <= 0 {
		return Job{Text: text, Chunks: mappers}
	}
	all := strings.Fields(text)
	var b strings.Builder
	for i := range mappers * words {
		switch {
		case i == 0:
		case i%words == 0:
			b.WriteByte('\n') // a line per mapper, for whoever reads the input
		default:
			b.WriteByte(' ')
		}
		b.WriteString(all[i%len(all)])
	}
	return Job{Text: b.String(), Chunks: mappers}
}
