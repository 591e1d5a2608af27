package states

// Error is a data-flow failure, named as Step Functions names it. Its Name
// is what a workflow's Retry and Catch match (rt calls ErrorName); its Cause
// is the message.
type Error struct {
	Name  string
	Cause string
}

// The names of the errors of this package.
const (
	// Runtime: a path selects nothing or a value of the wrong type, a
	// document is not JSON, and other failures of data flow.
	Runtime = "States.Runtime"
	// ParameterPathFailure: a path inside Parameters, ResultSelector or
	// ItemSelector selects nothing.
	ParameterPathFailure = "States.ParameterPathFailure"
	// ResultPathMatchFailure: ResultPath cannot be applied to the input.
	ResultPathMatchFailure = "States.ResultPathMatchFailure"
	// IntrinsicFailure: an intrinsic function failed, given the wrong
	// number, type or value of arguments.
	IntrinsicFailure = "States.IntrinsicFailure"
)

// Error returns the cause.
func (e *Error) Error() string { return e.Cause }

// ErrorName returns the name.
func (e *Error) ErrorName() string { return e.Name }

func newError(name, cause string) *Error {
	return &Error{Name: name, Cause: cause}
}

// pathErrorName is the name of the error for a path in field that selects
// nothing: Step Functions reports paths inside payload templates as
// States.ParameterPathFailure and all others as States.Runtime.
func pathErrorName(field string) string {
	switch field {
	case "Parameters", "ResultSelector", "ItemSelector":
		return ParameterPathFailure
	}
	return Runtime
}
