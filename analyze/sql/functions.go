package sql

import (
	"strings"
)

// funcName returns the lowercased schema ("" when unqualified) and name of
// the function a FuncCall body calls.
func (a *analyzer) funcName(b ref) (schema, base string) {
	parts := a.names(a.t.get(b, "funcname"))
	if len(parts) == 0 {
		return "", ""
	}
	base = strings.ToLower(parts[len(parts)-1])
	if len(parts) > 1 {
		schema = strings.ToLower(parts[len(parts)-2])
	}
	return schema, base
}

// funcCall records a function call and what it does. Only allow-listed
// built-ins named unqualified or in pg_catalog are side-effect free:
// anything else could be a user-defined function, and those can do anything.
func (a *analyzer) funcCall(b ref) {
	schema, base := a.funcName(b)
	shown := base
	if schema != "" && !(schema == "pg_catalog" && a.t.text(a.t.get(b, "funcformat")) == "COERCE_SQL_SYNTAX") {
		shown = schema + "." + base
	}
	a.st.funcs = append(a.st.funcs, shown)
	builtin := schema == "" || schema == "pg_catalog"
	// Extensions (dblink, adminpack) install their functions in any schema,
	// so a known effect counts whatever the schema.
	if e, known := effects[base]; known {
		a.effect(shown, base, e, b)
	}
	if !builtin || !pure[base] && effects[base].f == 0 {
		a.st.unknownFn = true
		a.st.flag(fSideEffect, "not read-only: calls "+shown+"(), which is not known to be free of side effects")
	}
	a.membersExcept(b, "funcname")
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
	f &^= fExport
	if f&notReadOnly == 0 {
		return
	}
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

// privilegeSettings are parameters whose change alters what the session may do.
var privilegeSettings = map[string]bool{
	"role": true, "session_authorization": true, "session_replication_role": true,
}

// parseSettings change how the server reads later statements.
var parseSettings = map[string]bool{
	"standard_conforming_strings": true, "backslash_quote": true,
}

// harmlessSettings may be SET in a read-only payload: they change neither
// data, privileges, nor how later names or strings are read.
var harmlessSettings = map[string]bool{
	"statement_timeout": true, "lock_timeout": true, "idle_in_transaction_session_timeout": true,
	"idle_session_timeout": true, "transaction_timeout": true, "application_name": true,
	"timezone": true, "datestyle": true, "intervalstyle": true, "client_encoding": true,
	"extra_float_digits": true, "client_min_messages": true, "bytea_output": true,
	"work_mem": true, "transaction": true, "session characteristics": true,
	"transaction snapshot": true, "transaction_isolation": true, "transaction_read_only": true,
	"default_transaction_isolation": true, "default_transaction_read_only": true,
	"jit": true, "enable_seqscan": true, "enable_indexscan": true, "enable_hashjoin": true,
	"enable_mergejoin": true, "enable_nestloop": true, "random_page_cost": true,
	"max_parallel_workers_per_gather": true, "lc_messages": true, "lc_monetary": true,
	"lc_numeric": true, "lc_time": true, "xmloption": true, "geqo": true,
}
