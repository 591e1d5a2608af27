package asl

import (
	"strconv"
	"strings"

	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

// taskState lowers a Task state that calls a Lambda function to a node
// that calls the Go function Bind gives for it.
func (l *loader) taskState(s *state) {
	n := &ir.Node{Name: s.name, Pos: s.pos}
	f := &ir.Flow{}
	fn, params, lambdaInvoke := l.resource(s)
	if s.lang == jsonata {
		l.jsonataFields(s, "Arguments", "Output", "TimeoutSeconds", "HeartbeatSeconds")
	} else {
		f.InputPath = l.pathField(s, "InputPath")
		if lambdaInvoke {
			f.Parameters = params
		} else {
			f.Parameters = l.templateField(s, "Parameters")
		}
		f.ResultSelector = l.templateField(s, "ResultSelector")
		f.ResultPath = l.pathField(s, "ResultPath")
		f.OutputPath = l.pathField(s, "OutputPath")
	}
	if fn != nil {
		fn.node = n
	}
	n.Flow = flow(f)
	l.timeouts(s, n)
	if cm := s.v.get("Credentials"); cm != nil {
		loc := s.loc.field("Credentials")
		if l.kindOf(cm, loc, kObject) {
			if s.lang == jsonPath {
				l.template(cm.val, loc, "Credentials")
			}
			l.unsupported(cm.pos, loc, "Credentials: unumc calls functions with its own role")
		}
	}
	n.Retry = l.retry(s)
	n.Catch = l.catch(s)
	n.Next = l.next(s)
	s.nodes = append(s.nodes, n)
}

// timeouts lowers TimeoutSeconds and HeartbeatSeconds. A Lambda function
// sends no heartbeats, so a heartbeat timeout fires HeartbeatSeconds after
// the function starts unless it returns first: the node's timeout is the
// smaller of the two. (Step Functions names that failure
// States.HeartbeatTimeout, unumc States.Timeout; a retrier or catcher that
// names States.HeartbeatTimeout is unsupported.)
func (l *loader) timeouts(s *state, n *ir.Node) {
	tm := l.atMostOne(s.v, s.loc, "TimeoutSeconds", "TimeoutSecondsPath")
	hm := l.atMostOne(s.v, s.loc, "HeartbeatSeconds", "HeartbeatSecondsPath")
	var timeout, heartbeat int64
	for _, m := range []*member{tm, hm} {
		if m == nil {
			continue
		}
		loc := s.loc.field(m.key)
		switch {
		case s.lang == jsonata && m.val.kind == kString:
			l.jsonataValue(m.val, loc)
		case strings.HasSuffix(m.key, "Path"):
			if l.kindOf(m, loc, kString) && l.parsePath(m.val, loc, true) != nil {
				l.unsupported(m.pos, loc, "%s: the timeout must be a number", m.key)
			}
		default:
			if _, secs, ok := l.integer(s.v, s.loc, m.key, 1, 99999999); ok {
				if m == tm {
					timeout = secs
				} else {
					heartbeat = secs
				}
			}
		}
	}
	if timeout > 0 {
		n.Timeout, n.TimeoutPos = seconds(timeout), tm.val.pos
	}
	if heartbeat > 0 {
		if timeout > 0 && heartbeat >= timeout {
			l.errorf(hm.val.pos, s.loc.field("HeartbeatSeconds"), "must be smaller than TimeoutSeconds (%d), not %d", timeout, heartbeat)
		} else {
			n.Timeout, n.TimeoutPos = seconds(heartbeat), hm.val.pos
		}
	}
}

// resource reads a Task's Resource and binds the Lambda function it calls.
// For arn:aws:states:::lambda:invoke, params is the function's input, from
// Parameters.Payload, and lambdaInvoke is true.
func (l *loader) resource(s *state) (fn *binding, params ir.Expr, lambdaInvoke bool) {
	rm := s.v.get("Resource")
	loc := s.loc.field("Resource")
	if rm == nil {
		l.errorf(s.v.pos, loc, "missing required field in a Task state")
		return nil, nil, false
	}
	var name string
	switch rm.val.kind {
	case kObject:
		// A CloudFormation intrinsic in a template's DefinitionString:
		// {"Ref": "Fn"} or {"Fn::GetAtt": ["Fn", "Arn"]}.
		name = cloudFormationRef(rm.val)
		if name == "" {
			l.errorf(rm.val.pos, loc, "must be a string, or a CloudFormation {\"Ref\": ...} or {\"Fn::GetAtt\": [..., \"Arn\"]}")
			return nil, nil, false
		}
	case kString:
		r, problem := parseResource(rm.val.str)
		switch {
		case problem != "":
			l.errorf(rm.val.pos, loc, "%s", problem)
			return nil, nil, false
		case r.unsupported != "":
			l.unsupported(rm.val.pos, loc, "%s", r.unsupported)
			return nil, nil, false
		case r.invoke:
			if s.lang == jsonata {
				return nil, nil, false
			}
			var pos diag.Pos
			name, pos, params = l.lambdaInvoke(s)
			if name == "" {
				return nil, params, true
			}
			return l.bindFunc(s, name, pos, ir.ShapeLambdaInvoke), params, true
		}
		name = r.function
	default:
		l.kindOf(rm, loc, kString)
		return nil, nil, false
	}
	return l.bindFunc(s, name, rm.val.pos, ir.ShapePlain), nil, false
}

// bindFunc records that the node of s calls the Lambda function name. Bind
// is asked once the whole definition is known to be valid, so that a
// definition with errors, or one unumc cannot compile, is not bound.
func (l *loader) bindFunc(s *state, name string, pos diag.Pos, shape ir.FuncShape) *binding {
	if s.lang == jsonata {
		return nil
	}
	b := &binding{s: s, name: name, pos: pos, shape: shape}
	l.bindings = append(l.bindings, b)
	return b
}

// binding is a node's Lambda function, bound after validation.
type binding struct {
	s     *state
	node  *ir.Node
	name  string
	pos   diag.Pos
	shape ir.FuncShape
}

// bindAll asks Bind for the Go function of every Task.
func (l *loader) bindAll() {
	for _, b := range l.bindings {
		fn, err := l.bind(b.name, b.pos)
		if err != nil {
			l.errorf(b.pos, b.s.loc.field("Resource"), "%v", err)
			continue
		}
		if fn == nil {
			l.errorf(b.pos, b.s.loc.field("Resource"), "no Go function is bound to Lambda function %q", b.name)
			continue
		}
		f := *fn
		f.Shape = b.shape
		if !f.Pos.IsValid() {
			f.Pos = b.pos
		}
		b.node.Func = &f
	}
}

// cloudFormationRef returns the logical name of {"Ref": "X"} or
// {"Fn::GetAtt": ["X", "Arn"]}, or "".
func cloudFormationRef(v *value) string {
	if len(v.obj) != 1 {
		return ""
	}
	m := v.obj[0]
	switch {
	case m.key == "Ref" && m.val.kind == kString:
		return m.val.str
	case m.key == "Fn::GetAtt" && m.val.kind == kArray && len(m.val.arr) == 2 &&
		m.val.arr[0].kind == kString && m.val.arr[1].kind == kString && m.val.arr[1].str == "Arn":
		return m.val.arr[0].str
	case m.key == "Fn::GetAtt" && m.val.kind == kString && strings.HasSuffix(m.val.str, ".Arn"):
		return strings.TrimSuffix(m.val.str, ".Arn")
	}
	return ""
}

// lambdaResource is what a Resource names.
type lambdaResource struct {
	function    string // a Lambda function's name, or a placeholder's
	invoke      bool   // arn:aws:states:::lambda:invoke
	unsupported string // what unumc cannot call, for the diagnostic
}

// parseResource reads a Resource: a Lambda function ARN, a ${Placeholder}
// that infrastructure code substitutes, or a Step Functions integration
// arn:aws:states:::service:action[.sync|.waitForTaskToken].
func parseResource(r string) (lambdaResource, string) {
	if p := unclosedPlaceholder(r); p != "" {
		return lambdaResource{}, p
	}
	if name, ok := placeholder(r); ok {
		return lambdaResource{function: name}, ""
	}
	if !strings.HasPrefix(r, "arn:") {
		if strings.Contains(r, ":") {
			return lambdaResource{unsupported: "the resource " + quote(r)}, ""
		}
		return lambdaResource{}, quote(r) + " is not a resource: a Task calls an ARN (a Lambda function, an activity or a service integration) or a ${...} placeholder"
	}
	parts := splitARN(r)
	if len(parts) < 6 {
		return lambdaResource{}, quote(r) + " is not a well-formed ARN (arn:partition:service:region:account:resource)"
	}
	service := parts[2]
	switch service {
	case "lambda":
		if parts[5] != "function" || len(parts) < 7 || len(parts) > 8 {
			return lambdaResource{}, quote(r) + " is not a Lambda function ARN (arn:aws:lambda:region:account:function:name[:alias or version])"
		}
		name := parts[6]
		if !lambdaName(name) {
			return lambdaResource{}, "malformed Lambda function name " + quote(name) + " in " + quote(r)
		}
		if len(parts) == 8 && !lambdaQualifier(parts[7]) {
			return lambdaResource{}, "malformed Lambda alias or version " + quote(parts[7]) + " in " + quote(r) + ": an alias is letters, digits, - and _, a version is $LATEST or a number"
		}
		if p, ok := placeholder(name); ok {
			name = p
		}
		return lambdaResource{function: name}, ""
	case "states":
		what := strings.Join(parts[5:], ":")
		if parts[5] == "activity" {
			return lambdaResource{unsupported: "activities (" + quote(r) + ")"}, ""
		}
		base, pattern := what, ""
		for _, suffix := range []string{".waitForTaskToken", ".sync:2", ".sync"} {
			if b, ok := strings.CutSuffix(what, suffix); ok {
				base, pattern = b, suffix
				break
			}
		}
		switch {
		case base == "lambda:invoke" && pattern == "":
			return lambdaResource{invoke: true}, ""
		case base == "lambda:invoke":
			return lambdaResource{unsupported: "the " + quote(pattern) + " integration pattern of lambda:invoke"}, ""
		}
		return lambdaResource{unsupported: "the " + quote(base) + " service integration"}, ""
	}
	return lambdaResource{unsupported: "the resource " + quote(r)}, ""
}

// lambdaInvoke reads the Parameters of lambda:invoke: the function's name
// and its input, Payload. InvocationType RequestResponse and Qualifier
// change nothing unumc does.
func (l *loader) lambdaInvoke(s *state) (name string, pos diag.Pos, payload ir.Expr) {
	loc := s.loc.field("Parameters")
	pm := s.v.get("Parameters")
	if pm == nil {
		l.errorf(s.v.pos, loc.field("FunctionName"), "lambda:invoke needs Parameters with FunctionName")
		return "", pos, nil
	}
	if !l.kindOf(pm, loc, kObject) {
		return "", pos, nil
	}
	params := pm.val
	known := []string{"FunctionName", "Payload", "InvocationType", "Qualifier", "ClientContext", "LogType"}
	seen := map[string]*member{}
	for _, m := range params.obj {
		key, computed := strings.CutSuffix(m.key, ".$")
		mloc := loc.field(m.key)
		if prev := seen[key]; prev != nil {
			l.errorf(m.pos, mloc, "fields %q and %q of Parameters are both %q once \".$\" is removed", prev.key, m.key, key)
			continue
		}
		seen[key] = m
		switch {
		case key == "Payload" && computed:
			if l.kindOf(m, mloc, kString) {
				payload = l.dynamic(m.val, mloc)
			}
		case key == "Payload":
			payload = l.template(m.val, mloc, "Payload")
		case computed:
			if l.kindOf(m, mloc, kString) && l.dynamic(m.val, mloc) != nil {
				switch key {
				case "FunctionName":
					l.unsupported(m.pos, mloc, "a FunctionName computed at run time: unumc binds functions when it compiles")
				default:
					l.unsupported(m.pos, mloc, "a %s computed at run time", key)
				}
			}
		case key == "FunctionName":
			if !l.kindOf(m, mloc, kString) {
				continue
			}
			if p := unclosedPlaceholder(m.val.str); p != "" {
				l.errorf(m.val.pos, mloc, "%s", p)
				continue
			}
			name, pos = functionName(m.val.str), m.val.pos
			if name == "" {
				l.errorf(m.val.pos, mloc, "empty function name")
			}
		case key == "Qualifier":
			l.kindOf(m, mloc, kString)
		case key == "InvocationType":
			if l.kindOf(m, mloc, kString) {
				switch t := m.val.str; t {
				case "RequestResponse":
				case "Event", "DryRun":
					l.unsupported(m.val.pos, mloc, "InvocationType %q: unumc waits for the function's result", t)
				default:
					l.errorf(m.val.pos, mloc, "must be \"RequestResponse\", \"Event\" or \"DryRun\", not %q", t)
				}
			}
		case key == "LogType":
			if l.kindOf(m, mloc, kString) {
				switch t := m.val.str; t {
				case "None":
				case "Tail":
					l.unsupported(m.val.pos, mloc, "LogType \"Tail\": unumc returns no LogResult")
				default:
					l.errorf(m.val.pos, mloc, "must be \"None\" or \"Tail\", not %q", t)
				}
			}
		case key == "ClientContext":
			l.unsupported(m.pos, mloc, "ClientContext: unumc passes no client context to functions")
		default:
			l.errorf(m.pos, mloc, "unknown parameter of lambda:invoke%s", diag.Suggest(key, known))
		}
	}
	if seen["FunctionName"] == nil {
		l.errorf(pm.val.pos, loc.field("FunctionName"), "missing required parameter of lambda:invoke")
	}
	return name, pos, payload
}

// functionName reads a FunctionName: a name, name:qualifier, a function
// ARN, or a partial ARN account:function:name; any of them with ${...}
// placeholders, of which a lone one names the function.
func functionName(s string) string {
	parts := splitARN(s)
	var name string
	switch {
	case len(parts) >= 7 && parts[0] == "arn" && parts[5] == "function":
		name = parts[6]
	case len(parts) >= 3 && parts[1] == "function":
		name = parts[2]
	case len(parts) >= 2 && parts[0] == "function":
		name = parts[1]
	default:
		name = parts[0]
	}
	if p, ok := placeholder(name); ok {
		return p
	}
	return name
}

// splitARN splits at the colons that are not inside ${...}.
func splitARN(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == ':' && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// placeholder returns X when s is exactly ${X}.
func placeholder(s string) (string, bool) {
	if !strings.HasPrefix(s, "${") || !strings.HasSuffix(s, "}") || strings.Count(s, "${") != 1 || strings.Count(s, "}") != 1 {
		return "", false
	}
	name := s[2 : len(s)-1]
	return name, name != ""
}

// unclosedPlaceholder reports a "${" with no "}" after it.
func unclosedPlaceholder(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '{' {
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return "unterminated placeholder " + quote(s[i:]) + ": a ${...} placeholder needs its \"}\""
			}
			i += j
		}
	}
	return ""
}

// lambdaName reports whether s can be a Lambda function's name: letters,
// digits, '-' and '_', or text with ${...} placeholders.
func lambdaName(s string) bool {
	if s == "" || len(s) > 140 {
		return false
	}
	if strings.Contains(s, "${") {
		return true
	}
	for _, c := range s {
		if !(c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// lambdaQualifier reports whether s is an alias (letters, digits, '-'
// and '_'), a version ($LATEST or a number), or a placeholder.
func lambdaQualifier(s string) bool {
	if s == "$LATEST" {
		return true
	}
	return lambdaName(s)
}

func quote(s string) string { return strconv.Quote(s) }
