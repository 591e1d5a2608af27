package lang

import (
	"os"
	"testing"

	"golang.org/x/tools/txtar"
)

func BenchmarkParseTmp(b *testing.B) {
	ar, _ := txtar.ParseFile("testdata/conditions.txtar")
	in, _ := section(ar, "in.unum")
	_ = os.Stdout
	for b.Loop() {
		Parse("in.unum", in)
	}
}
func BenchmarkScanTmp(b *testing.B) {
	ar, _ := txtar.ParseFile("testdata/conditions.txtar")
	in, _ := section(ar, "in.unum")
	for b.Loop() {
		scan("in.unum", in)
	}
}
