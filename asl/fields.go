package asl

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/unumc/unumc/internal/diag"
)

// The query languages of a state.
const (
	jsonPath = "JSONPath"
	jsonata  = "JSONata"
)

// The state types.
var stateTypes = []string{"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}

// stateFields lists the fields each state type allows besides Type,
// Comment and QueryLanguage, in either query language.
var stateFields = map[string][]string{
	"Task": {"Next", "End", "Resource", "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath",
		"Retry", "Catch", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath",
		"Credentials", "Assign", "Arguments", "Output"},
	"Pass":    {"Next", "End", "InputPath", "OutputPath", "Parameters", "Result", "ResultPath", "Assign", "Output"},
	"Wait":    {"Next", "End", "InputPath", "OutputPath", "Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign", "Output"},
	"Succeed": {"InputPath", "OutputPath", "Output"},
	"Fail":    {"Error", "ErrorPath", "Cause", "CausePath"},
	"Choice":  {"InputPath", "OutputPath", "Choices", "Default", "Assign", "Output"},
	"Parallel": {"Next", "End", "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath",
		"Retry", "Catch", "Branches", "Assign", "Arguments", "Output"},
	"Map": {"Next", "End", "InputPath", "OutputPath", "ItemsPath", "Items", "ItemSelector", "Parameters",
		"ResultSelector", "ResultPath", "Retry", "Catch", "Iterator", "ItemProcessor", "MaxConcurrency",
		"MaxConcurrencyPath", "ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailurePercentage",
		"ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Label",
		"Assign", "Output"},
}

// jsonPathOnly are the fields a JSONata state may not have, each with the
// JSONata field that takes its place.
var jsonPathOnly = map[string]string{
	"InputPath":                      "Arguments",
	"Parameters":                     "Arguments",
	"ResultSelector":                 "Output",
	"ResultPath":                     "Output",
	"OutputPath":                     "Output",
	"Result":                         "Output",
	"ItemsPath":                      "Items",
	"SecondsPath":                    "Seconds",
	"TimestampPath":                  "Timestamp",
	"ErrorPath":                      "Error",
	"CausePath":                      "Cause",
	"TimeoutSecondsPath":             "TimeoutSeconds",
	"HeartbeatSecondsPath":           "HeartbeatSeconds",
	"MaxConcurrencyPath":             "MaxConcurrency",
	"ToleratedFailurePercentagePath": "ToleratedFailurePercentage",
	"ToleratedFailureCountPath":      "ToleratedFailureCount",
}

// jsonataOnly are the fields a JSONPath state may not have, each with the
// JSONPath fields that do its work.
var jsonataOnly = map[string]string{
	"Arguments": "Parameters",
	"Output":    "ResultSelector, ResultPath or OutputPath",
	"Items":     "ItemsPath",
	"Condition": "Variable and a comparison operator",
}

// checkFields reports the fields of an object that are not in allowed, and
// those that the query language forbids. common are allowed too.
func (l *loader) checkFields(v *value, loc *where, what, lang string, allowed ...[]string) {
	var all []string
	for _, a := range allowed {
		all = append(all, a...)
	}
	for _, m := range v.obj {
		known := false
		for _, a := range all {
			known = known || a == m.key
		}
		if !known {
			var names []string
			for _, a := range all {
				if lang == jsonata && jsonPathOnly[a] != "" || lang == jsonPath && jsonataOnly[a] != "" {
					continue
				}
				names = append(names, a)
			}
			l.errorf(m.pos, loc.field(m.key), "unknown field in %s%s", what, diag.Suggest(m.key, names))
			continue
		}
		if alt := jsonPathOnly[m.key]; lang == jsonata && alt != "" {
			l.errorf(m.pos, loc.field(m.key), "%s is a JSONPath field, but the state uses JSONata: use %s", m.key, alt)
		}
		if alt := jsonataOnly[m.key]; lang == jsonPath && alt != "" {
			l.errorf(m.pos, loc.field(m.key), "%s is a JSONata field, but the state uses JSONPath (set \"QueryLanguage\": \"JSONata\", or use %s)", m.key, alt)
		}
	}
}

// errorf reports a problem at pos in the JSON location loc. Past
// maxErrors it only counts.
func (l *loader) errorf(pos diag.Pos, loc *where, format string, args ...any) {
	if len(l.errs) >= maxErrors {
		if l.dropped == 0 {
			l.droppedPos = pos
		}
		l.dropped++
		l.droppedError = l.droppedError || !strings.HasPrefix(format, unsupportedPrefix)
		return
	}
	if loc != nil {
		format = "%s: " + format
		args = append([]any{loc}, args...)
	}
	l.errs.Add(pos, format, args...)
}

// summarize notes the diagnostics past maxErrors: "unsupported" if all of
// them are.
func (l *loader) summarize() {
	switch {
	case l.dropped == 0:
	case l.droppedError:
		l.errs.Add(l.droppedPos, "%d more problems", l.dropped)
	default:
		l.errs.Add(l.droppedPos, unsupportedPrefix+"%d more uses of what unumc cannot compile yet", l.dropped)
	}
}

// unsupported reports valid ASL that unumc cannot compile yet.
func (l *loader) unsupported(pos diag.Pos, loc *where, format string, args ...any) {
	l.errorf(pos, loc, unsupportedPrefix+format, args...)
}

// kindOf checks that a member has one of the kinds; it reports and returns
// false if not.
func (l *loader) kindOf(m *member, loc *where, kinds ...kind) bool {
	for _, k := range kinds {
		if m.val.kind == k {
			return true
		}
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.String()
	}
	l.errorf(m.val.pos, loc, "must be %s, not %s", strings.Join(names, " or "), m.val.kind)
	return false
}

// str returns a string field, reporting a value of another kind.
func (l *loader) str(v *value, loc *where, key string) (*member, string, bool) {
	m := v.get(key)
	if m == nil {
		return nil, "", false
	}
	if !l.kindOf(m, loc.field(key), kString) {
		return m, "", false
	}
	return m, m.val.str, true
}

// boolean returns a boolean field.
func (l *loader) boolean(v *value, loc *where, key string) (*member, bool, bool) {
	m := v.get(key)
	if m == nil || !l.kindOf(m, loc.field(key), kBool) {
		return m, false, false
	}
	return m, m.val.b, true
}

// integer returns an integer field in [lo, hi]. A number with a fraction
// or out of range is reported.
func (l *loader) integer(v *value, loc *where, key string, lo, hi int64) (*member, int64, bool) {
	m := v.get(key)
	if m == nil || !l.kindOf(m, loc.field(key), kNumber) {
		return m, 0, false
	}
	n, ok := intValue(m.val.num)
	switch {
	case !ok:
		l.errorf(m.val.pos, loc.field(key), "must be a whole number, not %s", m.val.num)
	case n < lo || n > hi:
		switch {
		case hi == math.MaxInt64:
			l.errorf(m.val.pos, loc.field(key), "must be at least %d, not %d", lo, n)
		default:
			l.errorf(m.val.pos, loc.field(key), "must be between %d and %d, not %d", lo, hi, n)
		}
	default:
		return m, n, true
	}
	return m, 0, false
}

// number returns a numeric field.
func (l *loader) number(v *value, loc *where, key string) (*member, float64, bool) {
	m := v.get(key)
	if m == nil || !l.kindOf(m, loc.field(key), kNumber) {
		return m, 0, false
	}
	f, err := strconv.ParseFloat(m.val.num.String(), 64)
	if err != nil || math.IsInf(f, 0) {
		l.errorf(m.val.pos, loc.field(key), "number %s is out of range", m.val.num)
		return m, 0, false
	}
	return m, f, true
}

// intValue reads a JSON number that is a whole number, such as 3 or 3.0.
func intValue(n json.Number) (int64, bool) {
	if i, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// atMostOne reports when more than one of the fields is present and returns
// the one present, or nil.
func (l *loader) atMostOne(v *value, loc *where, keys ...string) *member {
	var first *member
	for _, k := range keys {
		m := v.get(k)
		if m == nil {
			continue
		}
		if first != nil {
			l.errorf(m.pos, loc.field(k), "%s and %s are mutually exclusive: a state may have at most one of %s", first.key, k, quoteList(keys))
			continue
		}
		first = m
	}
	return first
}

func quoteList(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = strconv.Quote(k)
	}
	return strings.Join(q, ", ")
}
