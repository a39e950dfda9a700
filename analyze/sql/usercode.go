package sql

import (
	"strings"
)

// User code reached through syntax other than a function call: an
// operator, a cast to a type (a domain's CHECK may call any function), a
// TABLESAMPLE method, and field selection, which PostgreSQL reads as a call
// when no column has the name (t.f is f(t)). Each makes its statement not
// read-only unless it is a built-in.

// builtinOperators are the operator names pg_catalog defines, and those of
// common extensions (pg_trgm, pgvector, hstore, ltree) that share them.
var builtinOperators = nameSet(
	"!=", "!~", "!~*", "!~~", "!~~*", "#", "##", "#-", "#<", "#<=", "#<>", "#=", "#>",
	"#>=", "#>>", "%", "%>", "%>>", "&", "&&", "&<", "&<|", "&>", "*", "*<", "*<=", "*<>",
	"*=", "*>", "*>=", "+", "-", "->", "->>", "-|-", "/", "<", "<#>", "<%", "<%>", "<+>",
	"<->", "<->>", "<->>>", "<<", "<<%", "<<->", "<<<->", "<<=", "<<|", "<=", "<=>", "<>",
	"<@", "<^", "<~>", "=", ">", ">=", ">>", ">>=", ">^", "?", "?#", "?&", "?-", "?-|",
	"?|", "?||", "@", "@-@", "@>", "@?", "@@", "@@@", "^", "|", "|&>", "|/", "|>>", "||",
	"||/", "~", "~*", "~<=~", "~<~", "~=", "~>=~", "~>~", "~~", "~~*",
)

// builtinTypes are the type names, as written unqualified, of pg_catalog's
// types and of common extensions' base types (whose input functions are C,
// installed by a superuser). The grammar qualifies the SQL-standard names
// (integer, varchar, timestamp, ...) with pg_catalog itself.
var builtinTypes = nameSet(
	"aclitem", "bit", "bool", "box", "bpchar", "bytea", "char", "cid", "cidr", "circle",
	"date", "datemultirange", "daterange", "float4", "float8", "gtsvector", "inet", "int2",
	"int2vector", "int4", "int4multirange", "int4range", "int8", "int8multirange",
	"int8range", "interval", "json", "jsonb", "jsonpath", "line", "lseg", "macaddr",
	"macaddr8", "money", "name", "numeric", "nummultirange", "numrange", "oid", "oidvector",
	"path", "pg_lsn", "pg_snapshot", "point", "polygon", "record", "refcursor", "regclass",
	"regcollation", "regconfig", "regdictionary", "regnamespace", "regoper", "regoperator",
	"regproc", "regprocedure", "regrole", "regtype", "text", "tid", "time", "timestamp",
	"timestamptz", "timetz", "tsmultirange", "tsquery", "tsrange", "tstzmultirange",
	"tstzrange", "tsvector", "txid_snapshot", "unknown", "uuid", "varbit", "varchar", "xid",
	"xid8", "xml",
	"citext", "hstore", "ltree", "lquery", "ltxtquery", "vector", "halfvec", "sparsevec",
	"geometry", "geography",
)

// builtinSamplers are the TABLESAMPLE methods PostgreSQL has built in.
var builtinSamplers = nameSet("bernoulli", "system")

// userCode flags the operator, type or sampling method a node names when
// it is not a built-in.
func (a *analyzer) userCode(kind string, b ref) {
	switch kind {
	case "A_Expr":
		switch a.t.text(a.t.get(b, "kind")) {
		case "AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN", "AEXPR_BETWEEN_SYM", "AEXPR_NOT_BETWEEN_SYM":
			return // the name is a keyword; the comparisons are built in
		}
		a.operator(a.t.get(b, "name"))
	case "SortBy":
		a.operator(a.t.get(b, "useOp"))
	case "TypeCast":
		names := a.names(a.t.get(a.t.get(b, "typeName"), "names"))
		if !builtinName(names, builtinTypes) {
			a.st.flag(fSideEffect, "not read-only: casts to type "+quoted(qualifier(names))+", which may be a domain whose CHECK calls user code")
		}
	case "RangeTableSample":
		if names := a.names(a.t.get(b, "method")); !builtinName(names, builtinSamplers) {
			a.st.unknownFn = true
			a.st.flag(fSideEffect, "not read-only: TABLESAMPLE "+quoted(qualifier(names))+" is not a built-in sampling method")
		}
	case "A_Indirection":
		a.fieldCall(a.t.get(b, "indirection"))
	}
}

// operator flags an operator name list that is not a built-in operator.
func (a *analyzer) operator(list ref) {
	names := a.names(list)
	if len(names) == 0 || builtinName(names, builtinOperators) {
		return
	}
	a.st.unknownFn = true
	a.st.flag(fSideEffect, "not read-only: operator "+strings.Join(names, ".")+" is not a built-in, so it may call user code")
}

// fieldCall flags field selection whose field is named like a function
// with effects: with no such column, t.f calls f(t). A user function of
// any other name is not seen (see doc.go).
func (a *analyzer) fieldCall(fields ref) {
	if a.t.count(fields) < 2 {
		return
	}
	var last ref
	for c := a.t.first(fields); c != none; c = a.t.next(c) {
		last = c
	}
	kind, b := a.t.node(last)
	if kind != "String" {
		return
	}
	name := strings.ToLower(a.t.text(a.t.get(b, "sval")))
	if _, known := effects[name]; known {
		a.st.unknownFn = true
		a.st.flag(fSideEffect, "not read-only: ."+name+" may call function "+name+"() on the row")
	}
}

// builtinName reports whether a qualified name is unqualified or in
// pg_catalog, and its last part is in set, spelled exactly.
func builtinName(names []string, set map[string]bool) bool {
	if len(names) == 0 {
		return true
	}
	if len(names) > 2 || len(names) == 2 && names[0] != "pg_catalog" {
		return false
	}
	return set[names[len(names)-1]]
}

// qualifier splits a name list into its schema ("" when none) and last part.
func qualifier(names []string) (schema, base string) {
	if len(names) == 0 {
		return "", ""
	}
	if len(names) > 1 {
		schema = strings.Join(names[:len(names)-1], ".")
	}
	return schema, names[len(names)-1]
}
