// Package states is the runtime of Step Functions data flow in JSONPath
// mode: InputPath, Parameters, ResultSelector, ResultPath and OutputPath,
// the context object "$$", the intrinsic functions (States.Format and the
// rest), and the inputs of Wait states. It should only be imported by code
// that unumc generates for nodes written in the Amazon States Language; its
// API follows the generator and may change with any release.
//
// Values are JSON as plain Go values: map[string]any, []any, string,
// json.Number, bool and nil. Numbers stay json.Number, so large integers and
// the way a number was written survive a node unchanged; the functions also
// accept float64 and Go integers where a number is expected, and return
// json.Number. No function mutates its arguments, and none panics: every
// failure is an *Error named as Step Functions names it (States.Runtime,
// States.ParameterPathFailure, States.ResultPathMatchFailure,
// States.IntrinsicFailure), so that a workflow's Retry and Catch can match
// it.
//
// Reference paths, which select one value by field names and indexes, are
// compiled by the generator into rt.Path literals and evaluated by Get, Set
// and Context.Get. Any other JSONPath (wildcards, recursive descent, slices,
// unions, filters) is compiled once into a Path and evaluated by
// Path.Select, which uses github.com/ohler55/ojg/jp for the syntax and
// semantics of Jayway's JsonPath, the dialect Step Functions uses.
package states
