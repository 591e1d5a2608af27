package lang_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
	"github.com/unumc/unumc/lang"
)

func ExampleLoad() {
	src := `
import "github.com/unumc/unumc/examples/wordcount"

node Split = wordcount.Split
node Count = wordcount.Count
node Reduce = wordcount.Reduce

start -> Split -> map .chunks limit 8 { Count } -> Reduce
`
	w, err := lang.Load("wordcount.unum", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(ir.Dump(w))
	// Output:
	// workflow wordcount
	// start Split
	// node Split = github.com/unumc/unumc/examples/wordcount.Split
	// 	map .chunks limit 8 [Count] join Reduce
	// node Count = github.com/unumc/unumc/examples/wordcount.Count in Split.map
	// 	end
	// node Reduce = github.com/unumc/unumc/examples/wordcount.Reduce
	// 	end
}

func ExampleLoad_errors() {
	src := `
import "example.com/wc"

node Split = wc.Split
node Count = wc.Count

start -> Split -> map .chunks { Cuont }
`
	_, err := lang.Load("wc.unum", []byte(src))
	var list diag.List
	if errors.As(err, &list) {
		fmt.Print(list.Lines())
	}
	// Output:
	// wc.unum:5:6: node "Count" is declared but not used
	// wc.unum:7:33: node "Cuont" is not declared (did you mean "Count"?)
}

func ExampleFormat() {
	f, err := lang.Parse("x.unum", []byte(`start->Split->parallel{A->B C}->choose{when (.n>1) and (.a == 1 or has .b) ->D else->succeed}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	os.Stdout.Write(lang.Format(f))
	// Output:
	// start -> Split -> parallel {
	// 	A -> B
	// 	C
	// } -> choose {
	// 	when .n > 1 and (.a == 1 or has .b) -> D
	// 	else -> succeed
	// }
}

func ExamplePrint() {
	// A workflow as the Step Functions importer might build it: state names
	// that are not names, a pass node that shapes data, a wait.
	w := &ir.Workflow{Name: "orders", Start: "Check order", Nodes: []*ir.Node{
		{Name: "Check order", Func: &ir.Func{Import: "functions/Check", Name: "Handle", Shape: ir.ShapeLambdaInvoke},
			Flow: &ir.Flow{ResultSelector: &ir.Object{Fields: []*ir.Field{
				{Name: "ok", Value: &ir.Select{Path: ir.JSONPath{Text: "$.Payload.ok"}}},
			}}},
			Next: &ir.Goto{Node: "Ok?"}},
		{Name: "Ok?", Next: &ir.Choice{
			Cases:   []*ir.Case{{Cond: &ir.Compare{Op: ir.Eq, Kind: ir.KindBool, Left: ir.Path{Steps: []ir.Step{{Field: "ok"}}}, Right: ir.Operand{Literal: true}}, Then: &ir.Goto{Node: "Wait a bit"}}},
			Default: &ir.Fail{Error: "Rejected"},
		}},
		{Name: "Wait a bit", Wait: &ir.Wait{Seconds: 30}, Next: &ir.End{}},
	}}
	if errs := ir.Check(w); len(errs) > 0 {
		fmt.Println(errs.Err())
		return
	}
	src, err := lang.Print(w)
	if err != nil {
		fmt.Println(err)
		return
	}
	os.Stdout.Write(src)
	// Output:
	// workflow orders
	//
	// import "functions/Check"
	//
	// node "Check order" = lambda Check.Handle {
	// 	resultselector {"ok.$": "$.Payload.ok"}
	// }
	//
	// node "Ok?"        = pass
	// node "Wait a bit" = wait 30s
	//
	// start -> "Check order" -> "Ok?" -> choose {
	// 	when .ok bool == true -> "Wait a bit"
	// 	else -> fail Rejected
	// }
}
