package sql

import (
	"strings"
)

// funcName returns the schema ("" when unqualified) and name of the
// function a FuncCall body calls, as the server sees them: unquoted names
// arrive lowercased, and a quoted "Lower" is another function than lower.
func (a *analyzer) funcName(b ref) (schema, base string) {
	parts := a.names(a.t.get(b, "funcname"))
	if len(parts) == 0 {
		return "", ""
	}
	base = parts[len(parts)-1]
	if len(parts) > 1 {
		schema = parts[len(parts)-2]
	}
	return schema, base
}

// funcCall records a function call and what it does. Only allow-listed
// built-ins named unqualified or in pg_catalog, spelled in lowercase, are
// side-effect free: anything else could be a user-defined function, and
// those can do anything.
func (a *analyzer) funcCall(b ref) {
	schema, base := a.funcName(b)
	lower := strings.ToLower(base)
	shown := lower
	if schema != "" && !(schema == "pg_catalog" && a.t.text(a.t.get(b, "funcformat")) == "COERCE_SQL_SYNTAX") {
		shown = strings.ToLower(schema) + "." + lower
	}
	a.st.funcs = append(a.st.funcs, shown)
	builtin := schema == "" || schema == "pg_catalog"
	// Extensions (dblink, adminpack) install their functions in any schema,
	// so a known effect counts whatever the schema (or case).
	if e, known := effects[lower]; known {
		a.effect(shown, lower, e, b)
	}
	switch {
	case !builtin || !pure[base] && effects[base].f == 0:
		if base != lower {
			shown = quoted(schema, base)
		}
		a.st.unknownFn = true
		a.st.flag(fSideEffect, "not read-only: calls "+shown+"(), which is not known to be free of side effects")
		a.st.collect(shown + "(), which could be an aggregate,")
	case collectingAggregates[base]:
		a.st.collect(shown + "()")
	}
	a.membersExcept(b, "funcname")
}

// quoted shows a name the way it must be written, quoted when it is not
// all lowercase.
func quoted(schema, base string) string {
	q := func(s string) string {
		if s == strings.ToLower(s) {
			return s
		}
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	if schema == "" {
		return q(base)
	}
	return q(schema) + "." + q(base)
}

// effect is what a built-in with side effects does.
type effect struct {
	f    fact
	what string // reason line, after "fact: name()"
	sql  bool   // runs SQL given as an argument
}

func (a *analyzer) effect(name, base string, e effect, b ref) {
	args := a.t.get(b, "args")
	if base == "set_config" {
		a.setConfig(args)
		return
	}
	a.st.flag(e.f, factName(e.f)+": "+name+"() "+e.what)
	if e.sql {
		a.runsSQL(name, base, args)
	}
}

// factName names the most telling fact of f for a reason line.
func factName(f fact) string {
	for _, x := range [...]fact{fProgram, fPrivilege, fRemote, fFile, fDestructive, fExport, fDDL, fWrites, fTxn, fSideEffect} {
		if f&x != 0 {
			for _, n := range factNames {
				if n.f == x {
					return n.name
				}
			}
		}
	}
	return "not read-only"
}

// setConfig handles set_config(name, value, is_local): a role change is a
// privilege change, and a name not given as a constant could be one.
func (a *analyzer) setConfig(args ref) {
	name, ok := a.constString(a.t.first(args))
	name = strings.ToLower(name)
	switch {
	case !ok:
		a.st.flag(fPrivilege|fSideEffect, "privilege: set_config() with a computed name could change the role")
	case privilegeSettings[name]:
		a.st.flag(fPrivilege|fSideEffect, "privilege: set_config('"+name+"') changes the session's privileges")
	case name == "client_encoding" && a.utf8Encoding(a.t.next(a.t.first(args))):
		a.st.flag(fSideEffect, "not read-only: set_config() changes session state")
	case parseSettings[name]:
		a.st.opaque("set_config('" + name + "') changes how later statements are parsed")
	default:
		a.st.flag(fSideEffect, "not read-only: set_config() changes session state")
	}
}

// runsSQL analyses the SQL string a function runs (dblink, query_to_xml).
// When it is not a constant, or nests too deeply, it could do anything.
func (a *analyzer) runsSQL(name, base string, args ref) {
	src, ok := a.constString(a.sqlArg(base, args))
	if !ok || a.nest >= 2 {
		a.st.opaque(name + "() runs SQL that cannot be read from the statement")
		return
	}
	inner := analyze(src, a.cfg, a.nest+1)
	var f fact
	for _, s := range inner.Statements {
		f |= s.facts()
	}
	if inner.ParseError {
		f |= risky
	}
	if effects[base].f&fRemote == 0 { // another server's tables are not this one's
		a.st.read = append(a.st.read, inner.TablesRead...)
		a.st.written = append(a.st.written, inner.TablesWritten...)
	}
	if f&(notReadOnly|fExport|fTxn) == 0 {
		return
	}
	// Whatever the SQL does, the call does: its rows come back as the
	// call's value, so an export in it is one here.
	a.st.f |= f
	a.st.unknownFn = a.st.unknownFn || f&fSideEffect != 0
	for _, r := range inner.Reasons {
		a.st.reasons = append(a.st.reasons, r+" (in SQL run by "+name+"())")
	}
}

// sqlArg returns the argument holding the SQL a function runs.
func (a *analyzer) sqlArg(base string, args ref) ref {
	n := a.t.count(args)
	arg := func(i int) ref {
		c := a.t.first(args)
		for ; i > 0 && c != none; i-- {
			c = a.t.next(c)
		}
		return c
	}
	switch base {
	case "dblink", "dblink_exec": // (sql), (sql, fail), (conn, sql), (conn, sql, fail)
		if n >= 2 && !a.isBool(arg(1)) {
			return arg(1)
		}
		return arg(0)
	case "dblink_open": // (cursor, sql[, fail]), (conn, cursor, sql[, fail])
		if n >= 3 && !a.isBool(arg(2)) {
			return arg(2)
		}
		return arg(1)
	case "dblink_send_query": // (conn, sql)
		return arg(1)
	}
	return arg(0)
}

func (a *analyzer) isBool(r ref) bool {
	kind, b := a.t.node(r)
	if kind == "TypeCast" {
		return a.isBool(a.t.get(b, "arg"))
	}
	return kind == "A_Const" && a.t.get(b, "boolval") != none
}
