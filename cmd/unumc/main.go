// Command unumc compiles a workflow of Go functions into one standalone Go
// program per function, with the orchestration compiled into each, and runs
// it locally or builds it for a serverless platform.
//
// Usage:
//
//	unumc run WORKFLOW --input JSON     run on this machine, print the output
//	unumc build WORKFLOW [-o DIR]       write the node programs (for go generate)
//	unumc check WORKFLOW                report every error in a workflow
//	unumc fmt [-w|-l] FILE...           format .unum files
//	unumc graph WORKFLOW                draw a workflow (Mermaid or DOT)
//
// Exit codes: 0 success, 1 a diagnostic, a failed build or a failed
// workflow, 2 a usage error.
package main

import "os"

func main() { os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr)) }
