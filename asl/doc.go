// Package asl imports Amazon States Language (the JSON definitions of AWS
// Step Functions state machines) and lowers it to the IR (package ir), as
// package lang does for .unum files; validation of the graph's shape runs
// once, on the IR (ir.Check).
//
// Load decodes the JSON with the position of every key and value, checks
// the definition against the ASL specification (field names and types per
// state type, Next or End, transitions within their own state machine,
// reachability, choice rules, paths, payload templates, intrinsic
// functions, retriers and catchers, Lambda ARNs), and lowers it. Every
// diagnostic reads
//
//	file:line:col: States.Charge.Retry[0].ErrorEquals: message
//
// naming the JSON location from the root. Definitions that are valid ASL
// but use what unumc cannot compile yet (JSONata, service integrations
// other than Lambda, task tokens, activities, Distributed Maps, workflow
// variables, ...) get diagnostics that begin "unsupported: "; Unsupported
// tells those apart from errors.
//
// Lowering, with node names taken from state names:
//
//   - Task: a node calling the Go function that Options.Bind gives for the
//     Lambda function the Resource names — a function ARN, a ${Placeholder}
//     or, with arn:aws:states:::lambda:invoke, Parameters.FunctionName
//     (Payload is then the function's input and the result has the
//     lambda:invoke shape). Its data flow, timeout, retriers and catchers
//     go with it.
//   - Pass, Wait: a pass node with a Flow (and a Wait).
//   - Choice C: a pass node applying InputPath whose transition is an
//     *ir.Choice; with an OutputPath, each target T is reached through a
//     synthetic pass node "C.output.T" that applies it.
//   - Parallel or Map P: a pass node P whose transition is the fan-out,
//     and a synthetic join node "P.join" that applies ResultSelector,
//     ResultPath and OutputPath, holds P's catchers and P's Next or End.
//   - Succeed and Fail fold into the transitions that lead to them
//     (*ir.End, *ir.Fail); they keep a node when they are a StartAt or a
//     catcher's Next, and a Succeed also when it has InputPath or
//     OutputPath.
package asl
