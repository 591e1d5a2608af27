package asl

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/unumc/unumc/internal/diag"
)

// corpusDir holds real ASL definitions that nobody on this project wrote:
// valid/ (what AWS accepts) and invalid/ (see invalid/REASONS.md). It lives
// beside the repository, read-only.
const corpusDir = "../../shared/corpus/asl"

func corpusFiles(t testing.TB, sub string) []string {
	files, err := filepath.Glob(filepath.Join(corpusDir, sub, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no corpus at %s", filepath.Join(corpusDir, sub))
	}
	return files
}

// invalidCase says why a file in invalid/ is invalid and what a diagnostic
// about it must mention.
type invalidCase struct {
	reason string
	want   string // a diagnostic that is not "unsupported: ..." contains this
	// jsonata: the file is invalid only for the syntax of a JSONata
	// expression, which unumc does not parse; rejecting JSONata as
	// unsupported is enough.
	jsonata bool
}

// invalidCases is keyed by file name, without the asl-validator prefix.
var invalidCases = map[string]invalidCase{
	"invalid-assign.asl.json":                                  {reason: "JSONata expression syntax", jsonata: true},
	"invalid-cfn-definition-substitutions.json":                {reason: "unterminated ${...} placeholder", want: "Resource: unterminated placeholder"},
	"invalid-choice-state-variable.json":                       {reason: "Variable is not a reference path", want: "Choices[0].Variable"},
	"invalid-choice-state.json":                                {reason: "choice rule without Next", want: "Choices[0].Next: missing"},
	"invalid-dupe-fields.asl.json":                             {reason: "duplicate field once .$ is removed", want: `"conflict"`},
	"invalid-duplicate-fields-nested.json":                     {reason: "duplicate field once .$ is removed", want: `"type"`},
	"invalid-duplicate-fields.json":                            {reason: "duplicate field once .$ is removed", want: `"channel"`},
	"invalid-error-equals-type.json":                           {reason: "ErrorEquals is not an array of strings", want: "ErrorEquals[0]: an error name must be a string"},
	"invalid-error-equals.json":                                {reason: "catcher without ErrorEquals", want: "ErrorEquals: missing"},
	"invalid-exercise-ajv-additional-properties.asl.json":      {reason: "unknown field", want: "bugInputPath: unknown field"},
	"invalid-exercise-ajv.asl.json":                            {reason: "malformed path", want: "InputPath: invalid path"},
	"invalid-fail-dupe-cause.json":                             {reason: "both X and XPath", want: "CausePath"},
	"invalid-fail-dupe-error.json":                             {reason: "both X and XPath", want: "ErrorPath"},
	"invalid-inexistant-state.json":                            {reason: "transition to a missing state", want: `Next: no state named "Finished"`},
	"invalid-json-path.json":                                   {reason: "malformed path", want: "ResultPath: invalid path"},
	"invalid-json-surround-syntax-extra-spaces.json":           {reason: "JSONata expression syntax", jsonata: true},
	"invalid-jsonata-fields.json":                              {reason: "JSONPath field in a JSONata state", want: "Parameters is a JSONPath field"},
	"invalid-jsonata-path-fields.asl.json":                     {reason: "JSONPath field in a JSONata state", want: "OutputPath is a JSONPath field"},
	"invalid-jsonata-surround-syntax-no-close.json":            {reason: "JSONata expression without %}", want: "Output: a JSONata expression"},
	"invalid-jsonata-surround-syntax-no-open.json":             {reason: "JSONata expression syntax", jsonata: true},
	"invalid-jsonata-surround-syntax-no-spaces.json":           {reason: "JSONata expression syntax", jsonata: true},
	"invalid-jsonata-syntax-arithmetic.json":                   {reason: "JSONata expression syntax", jsonata: true},
	"invalid-jsonata-syntax-jsonpath-in-jsonata-surround.json": {reason: "JSONata expression syntax", jsonata: true},
	"invalid-jsonata-syntax-mismatched-parens.json":            {reason: "JSONata expression syntax", jsonata: true},
	"invalid-map-distributed.asl.json":                         {reason: "both X and XPath", want: "ReaderConfig.MaxItemsPath"},
	"invalid-map-dupe-state.json":                              {reason: "state name used twice", want: `state "Final State" is already defined`},
	"invalid-map-item-batcher-dupe-subfields.json":             {reason: "both X and XPath", want: "ItemBatcher.MaxItemsPerBatchPath"},
	"invalid-map-items.asl.json":                               {reason: "both Items and ItemsPath", want: "ItemsPath"},
	"invalid-map-missing-iterator.json":                        {reason: "Map without ItemProcessor", want: "ItemProcessor: missing"},
	"invalid-map-ob-link.json":                                 {reason: "transition out of a sub-machine", want: "Choices[1].Next: state \"Final State\" is in"},
	"invalid-map-tolerated-value.json":                         {reason: "number out of range", want: "ToleratedFailurePercentage: must be between 0 and 100"},
	"invalid-map-tolerated.json":                               {reason: "both X and XPath", want: "ToleratedFailureCountPath"},
	"invalid-math-add.json":                                    {reason: "intrinsic argument of the wrong type", want: "argument 2 of States.MathAdd must be a number"},
	"invalid-missing-terminal-map.json":                        {reason: "no terminal state (a state without Next or End)", want: `Iterator.States.Wait 20s.Next: a Wait state needs Next or "End": true`},
	"invalid-missing-terminal-parallel.json":                   {reason: "no terminal state (a state without Next or End)", want: `Branches[0].States.Wait 20s.Next: a Wait state needs Next or "End": true`},
	"invalid-missing-terminal.json":                            {reason: "no terminal state", want: "States: no reachable state ends"},
	"invalid-next-with-end.json":                               {reason: "both Next and End", want: "Next: a state has either Next or \"End\": true, not both"},
	"invalid-parallel-branch-type.json":                        {reason: "branch is not an object", want: "Branches[0]: a branch must be an object"},
	"invalid-parallel-missing-branches.json":                   {reason: "Parallel without Branches", want: "Branches: missing"},
	"invalid-parallel-ob-link.json":                            {reason: "transition out of a sub-machine", want: "Choices[1].Next: state \"Final State\" is in"},
	"invalid-payload-template.asl.json":                        {reason: ".$ value is not a path or an intrinsic", want: "lorem.$"},
	"invalid-state-name-too-long.json":                         {reason: "state name longer than 80", want: "the limit is 80"},
	"invalid-task-alias-function.json":                         {reason: "malformed Lambda ARN", want: "Resource: malformed Lambda alias"},
	"invalid-task-credentials-null.json":                       {reason: "Credentials is not an object", want: "Credentials: must be an object"},
	"invalid-task-credentials-object.json":                     {reason: ".$ value is not a path or an intrinsic", want: "expectPath.$"},
	"invalid-task-heartbeat.json":                              {reason: "both X and XPath", want: "HeartbeatSecondsPath"},
	"invalid-task-timout.json":                                 {reason: "both X and XPath", want: "TimeoutSecondsPath"},
	"invalid-unreachable-state.json":                           {reason: "unreachable state", want: `"Finished Choice" is unreachable`},
	"invalid-variable-result-path.json":                        {reason: "ResultPath is not a reference path", want: "ResultPath"},
	"invalid-wait-duration.json":                               {reason: "more than one of Seconds, SecondsPath, Timestamp, TimestampPath", want: "SecondsPath"},
	"aws-samples__step-functions-workflows-collection__sfn-iot-data-analytics-dataset__statemachine__statemachine.asl.json": {reason: "malformed JSON", want: "invalid character"},
	"aws-samples__step-functions-workflows-collection__shared-fallback-state-jsonata__statemachine__statemachine.asl.json":  {reason: "a state that is not an object", want: `state "QueryLanguage" must be an object`},
}

const validatorPrefix = "ChristopheBougere__asl-validator__src____tests____definitions__"

// TestCorpusInvalid checks that every file in invalid/ is rejected with a
// positioned diagnostic about the reason REASONS.md gives.
func TestCorpusInvalid(t *testing.T) {
	type row struct{ reason, file, outcome string }
	var rows []row
	for _, file := range corpusFiles(t, "invalid") {
		base := filepath.Base(file)
		key := strings.TrimPrefix(base, validatorPrefix)
		c, ok := invalidCases[key]
		if !ok {
			t.Errorf("%s: no entry in invalidCases", base)
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Load(base, src, Options{})
		var list diag.List
		if !errors.As(err, &list) || len(list) == 0 {
			t.Errorf("%s (%s): loaded, want an error", key, c.reason)
			rows = append(rows, row{c.reason, key, "LOADED"})
			continue
		}
		outcome := ""
		for _, e := range list {
			if !e.Pos.IsValid() || e.Pos.File != base {
				t.Errorf("%s: diagnostic without a position: %v", key, e)
			}
			if !isUnsupported(e.Msg) && c.want != "" && strings.Contains(e.Msg, c.want) {
				outcome = "rejected: " + e.Msg
			}
		}
		switch {
		case outcome != "":
		case c.jsonata && Unsupported(err):
			outcome = "unsupported (JSONata is not parsed): " + list[0].Msg
		default:
			t.Errorf("%s (%s): no diagnostic mentions %q:\n%s", key, c.reason, c.want, list.Lines())
			outcome = "WRONG: " + list[0].Msg
		}
		rows = append(rows, row{c.reason, key, outcome})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].reason != rows[j].reason {
			return rows[i].reason < rows[j].reason
		}
		return rows[i].file < rows[j].file
	})
	var b strings.Builder
	fmt.Fprintf(&b, "invalid/: %d files\n", len(rows))
	for _, r := range rows {
		fmt.Fprintf(&b, "%-45s %-55s %s\n", r.reason, strings.TrimSuffix(r.file, ".json"), r.outcome)
	}
	t.Log("\n" + b.String())
}

// exempt are the unsupported features that a Lambda-only JSONPath file may
// use and still not load: the ones unumc leaves out on purpose for now.
var exempt = []string{
	"Retry on a Parallel state", "Retry on a Map state", "workflow variable", "the task token",
	`catcher's "ResultPath": null`, "in the context object", "Credentials", "SecondsPath:",
	"MaxConcurrencyPath", "computed at run time", "InvocationType",
	// Not in the brief's list: JSONPath that the runtime's library cannot
	// read (script expressions, bare words in filters).
	"JSONPath library",
}

// TestCorpusValid checks that no file in valid/ is rejected as invalid:
// each loads, or fails only with "unsupported: ..." diagnostics, and the
// JSONPath files that call only Lambda functions and use no Distributed
// Map load unless they use a feature in exempt.
func TestCorpusValid(t *testing.T) {
	byReason := map[string][]string{}
	only := map[string]int{} // files that this reason alone keeps from loading
	loaded, unsupported := 0, 0
	for _, file := range corpusFiles(t, "valid") {
		base := filepath.Base(file)
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Load(base, src, Options{})
		must := mustLoad(t, src)
		if err == nil {
			loaded++
			byReason["(loads)"] = append(byReason["(loads)"], base)
			continue
		}
		if !Unsupported(err) {
			var list diag.List
			errors.As(err, &list)
			t.Errorf("%s: valid ASL rejected:\n%s", base, list.Lines())
			continue
		}
		unsupported++
		var list diag.List
		errors.As(err, &list)
		reasons := map[string]bool{}
		allExempt := true
		for _, e := range list {
			reasons[reasonOf(e.Msg)] = true
			ok := false
			for _, x := range exempt {
				ok = ok || strings.Contains(e.Msg, x)
			}
			allExempt = allExempt && ok
		}
		for r := range reasons {
			byReason[r] = append(byReason[r], base)
			if len(reasons) == 1 {
				only[r]++
			}
		}
		if must && !allExempt {
			t.Errorf("%s: a JSONPath file that calls only Lambda functions does not load:\n%s", base, list.Lines())
		}
	}
	var reasons []string
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if len(byReason[reasons[i]]) != len(byReason[reasons[j]]) {
			return len(byReason[reasons[i]]) > len(byReason[reasons[j]])
		}
		return reasons[i] < reasons[j]
	})
	var b strings.Builder
	fmt.Fprintf(&b, "valid/: %d load, %d unsupported; files by reason (a file may have several), and files with no other:\n", loaded, unsupported)
	for _, r := range reasons {
		fmt.Fprintf(&b, "%5d %5d  %s\n", len(byReason[r]), only[r], r)
	}
	t.Log("\n" + b.String())
	if testing.Verbose() {
		for _, r := range reasons {
			if r == "(loads)" {
				continue
			}
			t.Logf("%s:\n\t%s", r, strings.Join(byReason[r], "\n\t"))
		}
	}
}

var quoted = regexp.MustCompile(`"(\\.|[^"\\])*"|\([^)]*\)`)

// reasonOf reduces an unsupported diagnostic to its feature: the text after
// "unsupported: " up to a colon, without quoted names, and with service
// integrations in two groups.
func reasonOf(msg string) string {
	i := strings.Index(msg, unsupportedPrefix)
	r := msg[i+len(unsupportedPrefix):]
	if j := strings.Index(r, ": "); j >= 0 {
		r = r[:j]
	}
	switch {
	case strings.HasPrefix(r, `the "aws-sdk:`):
		return "aws-sdk service integrations"
	case strings.HasSuffix(r, "service integration"):
		return "other service integrations (sns, dynamodb, sqs, states, ...)"
	}
	return strings.TrimSpace(quoted.ReplaceAllString(r, "…"))
}

// mustLoad reports whether a definition uses JSONPath only, calls only
// Lambda functions (a function ARN, a ${...} placeholder, a CloudFormation
// reference or lambda:invoke without .sync or .waitForTaskToken) and has
// no Distributed Map.
func mustLoad(t *testing.T, src []byte) bool {
	var root map[string]any
	if err := json.Unmarshal(src, &root); err != nil {
		t.Fatal(err)
	}
	if root["QueryLanguage"] == "JSONata" {
		return false
	}
	lambda := regexp.MustCompile(`^(arn:[^:]*:lambda:[^:]*:[^:]*:function:.*|\$\{[^}]*\}|arn:[^:]*:states:[^:]*:[^:]*:lambda:invoke)$`)
	ok := true
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		states, _ := m["States"].(map[string]any)
		for _, sv := range states {
			s, _ := sv.(map[string]any)
			if s["QueryLanguage"] == "JSONata" {
				ok = false
			}
			switch s["Type"] {
			case "Task":
				if r, isString := s["Resource"].(string); isString && !lambda.MatchString(r) {
					ok = false
				}
			case "Parallel":
				branches, _ := s["Branches"].([]any)
				for _, b := range branches {
					bm, _ := b.(map[string]any)
					walk(bm)
				}
			case "Map":
				for _, k := range []string{"ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailurePercentage",
					"ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath"} {
					if _, has := s[k]; has {
						ok = false
					}
				}
				for _, k := range []string{"Iterator", "ItemProcessor"} {
					if it, has := s[k].(map[string]any); has {
						if pc, _ := it["ProcessorConfig"].(map[string]any); pc["Mode"] == "DISTRIBUTED" {
							ok = false
						}
						walk(it)
					}
				}
			}
		}
	}
	walk(root)
	return ok
}

// FuzzLoad checks that Load never panics and always returns a workflow or a
// non-empty diag.List whose diagnostics have positions.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txtar")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			for _, fl := range txtarFiles(data) {
				f.Add(fl)
			}
		}
	}
	for _, sub := range []string{"valid", "invalid"} {
		corpus, _ := filepath.Glob(filepath.Join(corpusDir, sub, "*.json"))
		for _, file := range corpus {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		w, err := Load("fuzz.json", src, Options{})
		if err == nil {
			if w == nil {
				t.Fatal("no workflow and no error")
			}
			return
		}
		var list diag.List
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error %v (%T) is not a non-empty diag.List", err, err)
		}
		for _, e := range list {
			if !e.Pos.IsValid() {
				t.Fatalf("diagnostic without a position: %v", e)
			}
		}
	})
}

// txtarFiles returns the input of a golden case.
func txtarFiles(data []byte) [][]byte {
	if in, ok := section(txtar.Parse(data), "in.asl.json"); ok {
		return [][]byte{in}
	}
	return nil
}
