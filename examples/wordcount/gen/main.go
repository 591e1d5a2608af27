// Command gen writes an input for the wordcount workflow of a given size,
// by default the paper's: 262 mappers.
//
//	go run ./examples/wordcount/gen -mappers 262 > input262.json
//	unumc run examples/wordcount/wordcount.unum --input @input262.json
//
// Each mapper counts -words words of the Gettysburg Address (text.txt),
// taken in turn and again from the start when they run out; -words 0 cuts
// the whole address into -mappers chunks instead, as input.json does.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/unumc/unumc/examples/wordcount"
)

func main() {
	mappers := flag.Int("mappers", 262, "how many mappers (chunks)")
	words := flag.Int("words", 64, "words per mapper; 0: the whole text in -mappers chunks")
	text := flag.String("text", "examples/wordcount/text.txt", "the text to count")
	flag.Parse()
	if *mappers < 1 || *words < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gen [-mappers N] [-words W] [-text FILE]")
		os.Exit(2)
	}
	data, err := os.ReadFile(*text)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v (run it from the repository's root, or give -text)\n", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(wordcount.Sized(string(data), *mappers, *words)); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}
