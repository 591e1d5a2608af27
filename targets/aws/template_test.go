package aws

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/unumc/unumc/internal/build"
	"github.com/unumc/unumc/targets/aws/ddb"
)

func TestSuccessors(t *testing.T) {
	for _, tc := range []struct {
		wf   string
		want map[string][]string
	}{
		{"../../examples/textproc/textproc.unum", map[string][]string{
			"receive":      {"createpost", "findmentions", "shortenurls"},
			"findmentions": {"createpost", "resolveusers"},
			"resolveusers": {"createpost"},
			"shortenurls":  {"createpost"},
			"createpost":   {"publish"},
			"publish":      {},
		}},
		{"../../golden/testdata/mapping/mapping.unum", map[string][]string{
			"load":    {"collect", "square"},
			"square":  {"collect", "plus", "square"}, // the bounded map's next element
			"plus":    {"collect", "square"},
			"collect": {"halve", "total"},
			"halve":   {"total"},
			"total":   {},
		}},
		{"../../examples/excamera/excamera.unum", map[string][]string{
			"split":   {"encode", "plan"},
			"encode":  {"plan", "rebase"},
			"rebase":  {"plan", "rebase"}, // ending element i, it may start Rebase of element i+1
			"plan":    {"publish", "stitch"},
			"stitch":  {"publish", "stitch"}, // the fold's next element
			"publish": {},
		}},
	} {
		w, err := build.Load(tc.wf, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := Successors(w); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: successors\n got %v\nwant %v", tc.wf, got, tc.want)
		}
	}
}

// TestTemplate checks the template of every example and golden case: the
// table on demand with TTL, and for each node a provided.al2023 function
// whose environment names exactly its successors' functions and whose
// policy allows the item operations on the table and invoking exactly
// those functions, with no wildcard and no managed *FullAccess policy.
func TestTemplate(t *testing.T) {
	var wfs []string
	for _, pat := range []string{"../../examples/*/*.unum", "../../golden/testdata/*/*.unum", "../../golden/testdata/*/*.asl.json"} {
		m, _ := filepath.Glob(pat)
		wfs = append(wfs, m...)
	}
	for _, wf := range wfs {
		w, err := build.Load(wf, "")
		if err != nil {
			t.Fatal(err)
		}
		tmpl, err := Template(w, "x86_64")
		if err != nil {
			t.Fatal(err)
		}
		yaml := string(tmpl.YAML())
		if strings.Contains(yaml, "FullAccess") || strings.Contains(yaml, `"*"`) || strings.Contains(yaml, ":*") {
			t.Errorf("%s: the template grants a wildcard or a managed full-access policy", wf)
		}
		res := tmpl.Get("Resources").(M)
		table := res.Get("Table").(M).Get("Properties").(M)
		if table.Get("BillingMode") != "PAY_PER_REQUEST" || str(table.Get("TimeToLiveSpecification")) != str(M{{"AttributeName", ddb.AttrExpires}, {"Enabled", true}}) {
			t.Errorf("%s: table %v", wf, table)
		}
		succ := Successors(w)
		if len(res) != len(w.Nodes)+1 {
			t.Errorf("%s: %d resources for %d nodes", wf, len(res), len(w.Nodes))
		}
		for _, n := range w.Nodes {
			fn, _ := res.Get(LogicalID(n.Ident)).(M)
			if fn == nil {
				t.Fatalf("%s: no function for %s", wf, n.Ident)
			}
			p := fn.Get("Properties").(M)
			if p.Get("Runtime") != "provided.al2023" || p.Get("Handler") != "bootstrap" || str(p.Get("Architectures")) != `[x86_64]` || p.Get("CodeUri") != "zip/"+n.Ident+".zip" {
				t.Errorf("%s: function %s: %v", wf, n.Ident, p)
			}
			var wantEnv, wantARNs []string
			for _, s := range succ[n.Ident] {
				wantEnv = append(wantEnv, fmt.Sprintf(`"%s":"${AWS::StackName}-%s"`, s, s))
				wantARNs = append(wantARNs, str(M{{"Fn::Sub", "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-" + s}}))
			}
			vars := p.Get("Environment").(M).Get("Variables").(M)
			if got := str(vars.Get("UNUMC_FUNCTIONS")); got != str(M{{"Fn::Sub", "{" + strings.Join(wantEnv, ",") + "}"}}) {
				t.Errorf("%s: %s's UNUMC_FUNCTIONS %s, want %v", wf, n.Ident, got, wantEnv)
			}
			if str(vars.Get("UNUMC_TABLE")) != str(M{{"Ref", "Table"}}) {
				t.Errorf("%s: %s's UNUMC_TABLE %v", wf, n.Ident, vars.Get("UNUMC_TABLE"))
			}
			pols := p.Get("Policies").([]any)
			if len(pols) != 1 {
				t.Fatalf("%s: %s has %d policies, want one inline policy", wf, n.Ident, len(pols))
			}
			stmts := pols[0].(M).Get("Statement").([]any)
			store := stmts[0].(M)
			if str(store.Get("Resource")) != str(M{{"Fn::GetAtt", []any{"Table", "Arn"}}}) || str(store.Get("Action")) != str(anys(StoreActions)) {
				t.Errorf("%s: %s's table statement %v", wf, n.Ident, store)
			}
			var gotARNs []string
			if len(stmts) > 1 {
				inv := stmts[1].(M)
				if inv.Get("Action") != "lambda:InvokeFunction" {
					t.Errorf("%s: %s's second statement %v", wf, n.Ident, inv)
				}
				for _, r := range inv.Get("Resource").([]any) {
					gotARNs = append(gotARNs, str(r))
				}
			}
			sort.Strings(gotARNs)
			sort.Strings(wantARNs)
			if strings.Join(gotARNs, " ") != strings.Join(wantARNs, " ") {
				t.Errorf("%s: %s may invoke %v, want %v", wf, n.Ident, gotARNs, wantARNs)
			}
		}
	}
}

func TestYAML(t *testing.T) {
	got := string(M{
		{"A", "x"}, {"Fn::Sub", `say "hi"`}, {"N", 3}, {"L", []any{"a", M{{"K", true}, {"E", []any{}}}}}, {"O", M{}},
	}.YAML())
	want := `# Generated by unumc build -t aws. DO NOT EDIT.
A: "x"
"Fn::Sub": "say \"hi\""
N: 3
L:
  - "a"
  -
    K: true
    E: []
O: {}
`
	if got != want {
		t.Errorf("YAML:\n%s\nwant:\n%s", got, want)
	}
}

func TestLogicalID(t *testing.T) {
	for in, want := range map[string]string{"find_mentions": "FindMentionsFunction", "a1_b": "A1BFunction", "x": "XFunction"} {
		if got := LogicalID(in); got != want {
			t.Errorf("LogicalID(%q) = %q, want %q", in, got, want)
		}
	}
}

func str(v any) string { return fmt.Sprint(v) }
