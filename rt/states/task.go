package states

import (
	"context"
	"math"
	"time"

	"github.com/unumc/unumc/rt"
)

// Call runs a node's function on v: it encodes v as the function's input
// and decodes its output. The function's error is returned as it is, so that
// it keeps its name; an output that is not JSON is a States.Runtime error.
func Call(ctx context.Context, fn rt.UserFunc, v any) (any, error) {
	in, err := Encode(v)
	if err != nil {
		return nil, err
	}
	out, err := fn(ctx, in)
	if err != nil {
		return nil, err
	}
	res, err := Decode(out)
	if err != nil {
		return nil, newError(Runtime, "the output of the function is not JSON: "+err.Error())
	}
	return res, nil
}

// Text returns a value as the text of an error name or cause (a Fail
// state's ErrorPath and CausePath): a string as it is, null as "", anything
// else as its JSON.
func Text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	j, err := Encode(v)
	if err != nil {
		return describe(v)
	}
	return string(j)
}

// WaitSeconds returns how long a Wait state waits for the value its
// SecondsPath selects: a non-negative integer number of seconds.
func WaitSeconds(v any) (time.Duration, error) {
	n, ok := toInt64(v)
	if !ok || n < 0 {
		return 0, newError(Runtime, "SecondsPath: the number of seconds to wait must be a non-negative integer, not "+show(v))
	}
	if n > math.MaxInt64/int64(time.Second) {
		return 0, newError(Runtime, "SecondsPath: "+show(v)+" seconds is too long to wait")
	}
	return time.Duration(n) * time.Second, nil
}

// WaitUntil returns when a Wait state stops waiting for the value its
// TimestampPath selects: an RFC 3339 timestamp such as
// "2016-03-14T01:59:00Z".
func WaitUntil(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, newError(Runtime, "TimestampPath: the time to wait until must be an RFC 3339 timestamp string, not "+describe(v))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, newError(Runtime, "TimestampPath: "+show(s)+" is not an RFC 3339 timestamp")
	}
	return t, nil
}

// LambdaInvokeResult wraps a function's output as Step Functions' Lambda
// integration (arn:aws:states:::lambda:invoke) returns it, with requestID
// as the request's id. Its headers are fixed, so results stay
// deterministic.
func LambdaInvokeResult(out any, requestID string) any {
	headers := map[string]any{
		"Content-Type":           "application/json",
		"X-Amz-Executed-Version": "$LATEST",
		"x-amzn-RequestId":       requestID,
	}
	all := map[string]any{}
	for k, v := range headers {
		all[k] = []any{v}
	}
	return map[string]any{
		"ExecutedVersion": "$LATEST",
		"Payload":         out,
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": all,
			"HttpHeaders":    headers,
			"HttpStatusCode": number(200),
		},
		"SdkResponseMetadata": map[string]any{
			"RequestId": requestID,
		},
		"StatusCode": number(200),
	}
}
