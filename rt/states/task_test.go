package states

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWaitSeconds(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want time.Duration
		err  string
	}{
		{v: n("10"), want: 10 * time.Second},
		{v: n("0"), want: 0},
		{v: n("31536000"), want: 365 * 24 * time.Hour},
		{v: n("5.0"), want: 5 * time.Second},
		{v: 3, want: 3 * time.Second},
		{v: float64(2), want: 2 * time.Second},
		{v: n("-1"), err: `SecondsPath: the number of seconds to wait must be a non-negative integer, not -1`},
		{v: n("1.5"), err: `not 1.5`},
		{v: "10", err: `not "10"`},
		{v: nil, err: `not null`},
		{v: n("9223372036854775807"), err: `seconds is too long to wait`},
		{v: n("1e30"), err: `non-negative integer`},
	} {
		got, err := WaitSeconds(tc.v)
		if tc.err != "" {
			if errorName(t, err) != Runtime || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("WaitSeconds(%v): error %v, want a %s containing %q", tc.v, err, Runtime, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("WaitSeconds(%v) = %v, %v, want %v", tc.v, got, err, tc.want)
		}
	}
}

func TestWaitUntil(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want time.Time
		err  string
	}{
		// The Wait state's example timestamp.
		{v: "2016-03-14T01:59:00Z", want: time.Date(2016, 3, 14, 1, 59, 0, 0, time.UTC)},
		{v: "2016-03-14T01:59:00.123Z", want: time.Date(2016, 3, 14, 1, 59, 0, 123_000_000, time.UTC)},
		{v: "2016-03-14T02:59:00+01:00", want: time.Date(2016, 3, 14, 1, 59, 0, 0, time.UTC)},
		{v: "2016-03-14 01:59:00Z", err: `TimestampPath: "2016-03-14 01:59:00Z" is not an RFC 3339 timestamp`},
		{v: "2016-03-14", err: `is not an RFC 3339 timestamp`},
		{v: n("1457920740"), err: `must be an RFC 3339 timestamp string, not a number`},
	} {
		got, err := WaitUntil(tc.v)
		if tc.err != "" {
			if errorName(t, err) != Runtime || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("WaitUntil(%v): error %v, want a %s containing %q", tc.v, err, Runtime, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("WaitUntil(%v) = %v, %v, want %v", tc.v, got, err, tc.want)
		}
	}
}

func TestLambdaInvokeResult(t *testing.T) {
	out := decode(t, `{"greeting":"Hello","n":1.50}`)
	got := LambdaInvokeResult(out, "req-7")
	want := `{
		"ExecutedVersion": "$LATEST",
		"Payload": {"greeting": "Hello", "n": 1.50},
		"SdkHttpMetadata": {
			"AllHttpHeaders": {"Content-Type": ["application/json"], "X-Amz-Executed-Version": ["$LATEST"], "x-amzn-RequestId": ["req-7"]},
			"HttpHeaders": {"Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": "req-7"},
			"HttpStatusCode": 200
		},
		"SdkResponseMetadata": {"RequestId": "req-7"},
		"StatusCode": 200
	}`
	if diff := cmp.Diff(decode(t, want), got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// The usual ResultSelector of the Lambda integration.
	payload, err := MustCompile("$.Payload").Select(got, "ResultSelector")
	if err != nil || !cmp.Equal(payload, out) {
		t.Errorf("$.Payload = %v, %v", payload, err)
	}
}

func TestCall(t *testing.T) {
	echo := func(_ context.Context, in json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(`{"got":` + string(in) + `}`), nil
	}
	in := decode(t, `{"n":12345678901234567890,"s":"<&>"}`)
	got, err := Call(context.Background(), echo, in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(decode(t, `{"got":{"n":12345678901234567890,"s":"<&>"}}`), got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	boom := &Error{Name: "Custom.Boom", Cause: "boom"}
	_, err = Call(context.Background(), func(context.Context, json.RawMessage) (json.RawMessage, error) { return nil, boom }, in)
	if !errors.Is(err, boom) {
		t.Errorf("the function's error: %v", err)
	}
	_, err = Call(context.Background(), func(context.Context, json.RawMessage) (json.RawMessage, error) { return json.RawMessage(`{`), nil }, in)
	if errorName(t, err) != Runtime || !strings.Contains(err.Error(), "the output of the function is not JSON") {
		t.Errorf("bad output: %v", err)
	}
	called := false
	_, err = Call(context.Background(), func(context.Context, json.RawMessage) (json.RawMessage, error) { called = true; return nil, nil }, make(chan int))
	if errorName(t, err) != Runtime || called {
		t.Errorf("an input that is not JSON: %v, called %v", err, called)
	}
	got, err = Call(context.Background(), func(context.Context, json.RawMessage) (json.RawMessage, error) { return nil, nil }, nil)
	if err != nil || got != nil {
		t.Errorf("no output: %v, %v", got, err)
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{"States.TaskFailed", "States.TaskFailed"},
		{"", ""},
		{nil, ""},
		{json.Number("42"), "42"},
		{true, "true"},
		{decode(t, `{"b":[1,"<"],"a":null}`), `{"a":null,"b":[1,"<"]}`},
		{make(chan int), "a chan int"},
	} {
		if got := Text(tc.v); got != tc.want {
			t.Errorf("Text(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
