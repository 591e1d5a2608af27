// Package lang reads the .unum workflow language and lowers it to the IR
// (package ir). A file names Go functions as nodes and chains them:
//
//	// wordcount.unum
//	workflow wordcount                      // optional; defaults to the file's base name
//
//	import "github.com/unumc/unumc/examples/wordcount"
//	import fx "github.com/acme/effects/v2"  // an alias
//
//	node Split = wordcount.Split             // node Name = package.ExportedFunc
//	node Count = wordcount.Count
//	node Reduce = wordcount.Reduce
//
//	start -> Split -> map .chunks limit 8 { Count } -> Reduce
//
// A chain runs its steps one after another, each on the output of the one
// before. Besides node names, a step may be
//
//	parallel { A -> B  C }           // branches, one chain each, on the same input
//	map .items limit 4 { Expand }    // one branch per element of an array
//	choose {                         // the first case whose condition holds
//		when .n < 10 and not has .stop -> Step
//		else -> succeed
//	}
//	succeed                          // end with the output so far
//	fail BadMode "why"               // end with an error
//
// A node declaration may end with a block of error handling options, as a
// Step Functions Task state's TimeoutSeconds, Retry and Catch:
//
//	node Charge = pay.Charge {
//		timeout 30s                                  // each run of the function
//		retry Busy, States.Timeout every 2s max 5 backoff 1.5 maxdelay 20s jitter
//		retry States.ALL                             // every 1s max 3 backoff 2
//		catch Declined -> Refund                     // Refund gets {"Error": ..., "Cause": ...}
//		catch States.ALL into .error -> Fallback     // Fallback gets the input, the error at .error
//	}
//
// The block may also shape the node's data as a Step Functions state does,
// and a node may be a pass node, a wait, or a call whose result is wrapped as
// the Lambda integration wraps it; any name may be quoted:
//
//	node "Send SNS" = lambda sns.Publish {
//		inputpath "$.order"
//		parameters {"Message.$": "States.Format('order {}', $.id)", "Subject": "new order"}
//		resultselector {"status.$": "$.StatusCode"}
//		resultpath "$.sns"                           // or null; outputpath too
//	}
//	node Pause = wait 10s                            // wait seconds "$.s", wait until "$.t"
//	node Shape = pass { result {"ok": true} }
//
//	start -> Shape -> map .items inputpath "$.order" itemselector {"v.$": "$$.Map.Item.Value"} { Count } -> Sum
//	Sum -> fail errorpath "$.error" causepath "$.cause"
//
// The step after a parallel or map is its join: it receives the list of
// branch results in order. A mention of a node with nothing after it is a
// jump to that node (a loop, if it runs again); top-level chains other than
// the one after start continue nodes mentioned elsewhere. Where a branch,
// case or join would begin with something other than a node, Lower makes up
// a pass node, named after where it stands: start, Split.join, Fork.branch2,
// Split.item, Step.when1, Step.else.
//
// Parse gives the syntax tree, Format prints it canonically with its
// comments, Lower turns it into an *ir.Workflow, and Load parses, lowers
// and checks (ir.Check) in one call. Print goes the other way: it writes any
// checked workflow, from either front end, as formatted .unum source that
// Load reads back to the same workflow. docs/language.md is the full
// reference.
package lang
