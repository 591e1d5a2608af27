package codegen_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/unumc/unumc/codegen"
	"github.com/unumc/unumc/lang"
)

// chainSource is a .unum workflow of n nodes: a chain with a choice every
// tenth node and a map every twenty-fifth, so every emitter runs.
func chainSource(n int) []byte {
	var b strings.Builder
	b.WriteString("workflow bench\n\nimport \"example.com/f\"\n\n")
	for i := range n {
		fmt.Fprintf(&b, "node N%d = f.Step\n", i)
	}
	b.WriteString("\nstart -> N0\n")
	for i := 0; i+1 < n; i++ {
		switch {
		case i%25 == 24 && i+2 < n:
			fmt.Fprintf(&b, "N%d -> map .items limit 4 { N%d } -> N%d\n", i, i+1, i+2)
			i++
		case i%10 == 9:
			fmt.Fprintf(&b, "N%d -> choose {\n\twhen .n > %d and has .x -> N%d\n\telse -> N%d\n}\n", i, i, i+1, i+1)
		default:
			fmt.Fprintf(&b, "N%d -> N%d\n", i, i+1)
		}
	}
	return []byte(b.String())
}

// BenchmarkCompile measures .unum source to Go source for every node:
// parsing, lowering, checking and generating, for 10, 100 and 1,000 nodes.
func BenchmarkCompile(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		src := chainSource(n)
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			for b.Loop() {
				w, err := lang.Load("bench.unum", src)
				if err != nil {
					b.Fatal(err)
				}
				files, err := codegen.Generate(w, codegen.Local)
				if err != nil {
					b.Fatal(err)
				}
				if len(files) != n {
					b.Fatalf("%d files for %d nodes", len(files), n)
				}
			}
		})
	}
}
