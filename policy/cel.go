package policy

import (
	"fmt"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"
	"gopkg.in/yaml.v3"
)

// Limits on rules' CEL.
const (
	// CostLimit bounds the work one rule's match may do per evaluation, in
	// CEL cost units (about one per operation, and 0.1 per byte a string
	// function reads); a match that exceeds it fails, and so fails closed.
	// It admits a regular expression over a 1 MiB payload.
	CostLimit = 1_000_000
	// maxInputSize is the size, in bytes or elements, assumed of every value
	// an action or its facts can hold when estimating a match's worst cost:
	// the API refuses bodies over 1 MiB.
	maxInputSize = 1 << 20
	// MaxMatchSize bounds a match expression's length in code points.
	MaxMatchSize = 16 << 10
)

// The CEL variables. Facts are keyed by analyser under these names too.
const (
	varAction = "action"
	varSQL    = "sql"
	varShell  = "shell"
	varMCP    = "mcp"
	varHTTP   = "http"
)

// actionFields are the keys of the action variable.
var actionFields = []string{
	"kind", "agent", "agent_owner", "on_behalf_of", "environment",
	"resource", "summary", "payload", "labels",
}

var env = sync.OnceValues(func() (*cel.Env, error) {
	dynMap := cel.MapType(cel.StringType, cel.DynType)
	return cel.NewEnv(
		cel.Variable(varAction, dynMap),
		cel.Variable(varSQL, dynMap),
		cel.Variable(varShell, dynMap),
		cel.Variable(varMCP, dynMap),
		cel.Variable(varHTTP, dynMap),
		ext.Strings(),
		cel.OptionalTypes(),
		cel.CrossTypeNumericComparisons(true),
		cel.ParserExpressionSizeLimit(MaxMatchSize),
	)
})

// compile parses and type-checks a match expression and returns its program,
// or nil after recording errors against node n. limited reports whether the
// program runs under CostLimit (see inputBound).
func (d *decoder) compile(n *yaml.Node, src string) (prg cel.Program, limited bool, gs []guard) {
	if strings.TrimSpace(src) == "" {
		d.errorf(n, "match is empty; write \"match: true\" to match every action")
		return nil, false, nil
	}
	e, err := env()
	if err != nil {
		d.errorf(n, "match: CEL environment: %v", err)
		return nil, false, nil
	}
	checked, iss := e.Compile(src)
	if iss.Err() != nil {
		for _, ce := range iss.Errors() {
			d.errs = append(d.errs, &Error{
				File: d.file, Line: exprLine(n, src, ce.Location.Line()), Rule: d.rule,
				Message: fmt.Sprintf("match: %s (at column %d of the expression)", ce.Message, ce.Location.Column()+1),
			})
		}
		return nil, false, nil
	}
	switch t := checked.OutputType(); t.Kind() {
	case types.BoolKind, types.DynKind:
	default:
		d.errorf(n, "match must be a true/false expression, but this one gives a %s", t)
		return nil, false, nil
	}
	if bad := unknownActionFields(checked.NativeRep()); len(bad) > 0 {
		d.errorf(n, "match: action has no field %s (it has %s)", strings.Join(bad, ", "), strings.Join(actionFields, ", "))
		return nil, false, nil
	}
	opts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
	if est, err := e.EstimateCost(checked, inputBound{}); err != nil || est.Max > CostLimit {
		opts = append(opts, cel.CostLimit(CostLimit))
		limited = true
	}
	prg, err = e.Program(checked, opts...)
	if err != nil {
		d.errorf(n, "match: %v", err)
		return nil, false, nil
	}
	return prg, limited, guards(checked.NativeRep())
}

// exprLine maps a line of a match expression to a line of the file. For a
// literal block scalar ("match: |") the expression starts on the next line,
// and an error at its end belongs to its last line; a plain, quoted or
// folded scalar is folded onto one line, so its own line is the best we can
// name.
func exprLine(n *yaml.Node, src string, line int) int {
	if n.Style != yaml.LiteralStyle || line < 1 {
		return n.Line
	}
	return n.Line + min(line, strings.Count(strings.TrimRight(src, "\n"), "\n")+1)
}

// unknownActionFields finds action.NAME, action.?NAME and action["NAME"] with NAME not a
// field of the action, so a typo is refused at parse time instead of failing
// every evaluation.
func unknownActionFields(a *ast.AST) []string {
	var bad []string
	note := func(f string) {
		if !contains(actionFields, f) && !contains(bad, f) {
			bad = append(bad, f)
		}
	}
	isAction := func(e ast.Expr) bool {
		return e.Kind() == ast.IdentKind && e.AsIdent() == varAction
	}
	ast.PreOrderVisit(a.Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		switch e.Kind() {
		case ast.SelectKind:
			if s := e.AsSelect(); isAction(s.Operand()) {
				note(s.FieldName())
			}
		case ast.CallKind:
			c := e.AsCall()
			if (c.FunctionName() == operators.Index || c.FunctionName() == operators.OptSelect) && len(c.Args()) == 2 && isAction(c.Args()[0]) &&
				c.Args()[1].Kind() == ast.LiteralKind {
				if s, ok := c.Args()[1].AsLiteral().Value().(string); ok {
					note(s)
				}
			}
		}
	}))
	return bad
}

// inputBound is a cost estimator that takes every input value to be at most
// maxInputSize. A match whose worst cost under it is within CostLimit cannot
// exceed the limit, and its program runs without a cost tracker, which
// would otherwise be much of the cost of evaluating it; any other match runs
// with cel.CostLimit.
type inputBound struct{}

// EstimateCallCost implements cost.Estimator; the standard model applies.
func (inputBound) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

// EstimateSize implements cost.Estimator. The action's own fields have the
// limits countersign.Action.Validate enforces; everything else, payload and
// facts, is bounded by the size of a request.
func (inputBound) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	if n.ComputedSize() != nil {
		return nil
	}
	max := uint64(maxInputSize)
	if p := n.Path(); len(p) >= 2 && p[0] == varAction {
		switch {
		case p[1] == "summary":
			max = 4096
		case p[1] == "labels" && len(p) == 2:
			max = 64
		case p[1] != "payload":
			max = 1024
		}
	}
	return &cost.SizeEstimate{Min: 0, Max: max}
}
