package policy

import (
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// guard is a conjunct `action.FIELD == "LITERAL"` of a match's top-level &&
// chain, for a string field of the action. When the action's field differs,
// the whole match is false whatever the other conjuncts give — CEL's && is
// false as soon as one side is false, even when another side errors — so
// Evaluate can skip running the rule without changing its result. Most rules
// start with action.kind == "...", so most rules are skipped for any action.
type guard struct {
	field string
	value string
}

// guardFields are the action fields a guard may test.
var guardFields = map[string]bool{
	"kind": true, "agent": true, "agent_owner": true, "on_behalf_of": true,
	"environment": true, "resource": true, "summary": true,
}

// guards returns the guards of a checked match expression.
func guards(a *ast.AST) []guard {
	var out []guard
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		if e.Kind() != ast.CallKind {
			return
		}
		c := e.AsCall()
		args := c.Args()
		switch c.FunctionName() {
		case operators.LogicalAnd:
			for _, arg := range args {
				walk(arg)
			}
		case operators.Equals:
			if len(args) != 2 {
				return
			}
			for i := range 2 {
				if f, ok := actionStringField(args[i]); ok {
					if lit := args[1-i]; lit.Kind() == ast.LiteralKind {
						if s, ok := lit.AsLiteral().(types.String); ok {
							out = append(out, guard{field: f, value: string(s)})
							return
						}
					}
				}
			}
		}
	}
	walk(a.Expr())
	return out
}

// actionStringField reports whether e is action.FIELD for a string field.
func actionStringField(e ast.Expr) (string, bool) {
	if e.Kind() != ast.SelectKind {
		return "", false
	}
	s := e.AsSelect()
	if s.IsTestOnly() || s.Operand().Kind() != ast.IdentKind || s.Operand().AsIdent() != varAction || !guardFields[s.FieldName()] {
		return "", false
	}
	return s.FieldName(), true
}

// field returns the action's value of a guard field.
func (in *Input) field(name string) string {
	switch name {
	case "kind":
		return string(in.Action.Kind)
	case "agent":
		return in.Action.Agent
	case "agent_owner":
		return in.AgentOwner
	case "on_behalf_of":
		return in.Action.OnBehalfOf
	case "environment":
		return in.Action.Environment
	case "resource":
		return in.Action.Resource
	case "summary":
		return in.Action.Summary
	}
	return ""
}

// skip reports whether a guard of r rules out a match for in.
func (r *rule) skip(in *Input) bool {
	for _, g := range r.guards {
		if in.field(g.field) != g.value {
			return true
		}
	}
	return false
}
