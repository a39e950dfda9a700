package policy

import (
	"fmt"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"
	"gopkg.in/yaml.v3"
)

// Limits on rules' CEL.
const (
	// CostLimit bounds the work one rule's match may do per evaluation, in
	// CEL cost units; a match that exceeds it fails (and so fails closed).
	CostLimit = 100_000
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
		cel.CrossTypeNumericComparisons(true),
		cel.ParserExpressionSizeLimit(MaxMatchSize),
	)
})

// compile parses and type-checks a match expression and returns its program,
// or nil after recording errors against node n.
func (d *decoder) compile(n *yaml.Node, src string) cel.Program {
	if strings.TrimSpace(src) == "" {
		d.errorf(n, "match is empty; write \"match: true\" to match every action")
		return nil
	}
	e, err := env()
	if err != nil {
		d.errorf(n, "match: CEL environment: %v", err)
		return nil
	}
	checked, iss := e.Compile(src)
	if iss.Err() != nil {
		for _, ce := range iss.Errors() {
			d.errs = append(d.errs, &Error{
				File: d.file, Line: exprLine(n, ce.Location.Line()), Rule: d.rule,
				Message: fmt.Sprintf("match: %s (at column %d of the expression)", ce.Message, ce.Location.Column()+1),
			})
		}
		return nil
	}
	switch t := checked.OutputType(); t.Kind() {
	case types.BoolKind, types.DynKind:
	default:
		d.errorf(n, "match must be a true/false expression, but this one gives a %s", t)
		return nil
	}
	if bad := unknownActionFields(checked.NativeRep()); len(bad) > 0 {
		d.errorf(n, "match: action has no field %s (it has %s)", strings.Join(bad, ", "), strings.Join(actionFields, ", "))
		return nil
	}
	prg, err := e.Program(checked, cel.CostLimit(CostLimit), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		d.errorf(n, "match: %v", err)
		return nil
	}
	return prg
}

// exprLine maps a line of a match expression to a line of the file. For a
// block scalar ("match: |") the expression starts on the next line; a plain
// or quoted scalar is folded, so its own line is the best we can name.
func exprLine(n *yaml.Node, line int) int {
	if (n.Style == yaml.LiteralStyle || n.Style == yaml.FoldedStyle) && line > 0 {
		return n.Line + line
	}
	return n.Line
}

// unknownActionFields finds action.NAME and action["NAME"] with NAME not a
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
			if c.FunctionName() == operators.Index && len(c.Args()) == 2 && isAction(c.Args()[0]) &&
				c.Args()[1].Kind() == ast.LiteralKind {
				if s, ok := c.Args()[1].AsLiteral().Value().(string); ok {
					note(s)
				}
			}
		}
	}))
	return bad
}
