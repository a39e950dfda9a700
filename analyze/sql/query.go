package sql

import (
	"strconv"
	"strings"
)

// selectStmt walks a SELECT (also VALUES and set operations).
func (a *analyzer) selectStmt(b ref) {
	mark := a.with(a.t.get(b, "withClause"))
	a.membersExcept(b, "withClause", "intoClause", "lockingClause", "larg", "rarg")
	if l := a.t.get(b, "larg"); l != none {
		a.selectStmt(l)
	}
	if r := a.t.get(b, "rarg"); r != none {
		a.selectStmt(r)
	}
	if into := a.t.get(b, "intoClause"); into != none {
		name := a.target(into, "rel")
		a.st.flag(fWrites|fDDL, "ddl: SELECT INTO creates table "+name)
		a.membersExcept(into, "rel")
	}
	if a.t.count(a.t.get(b, "lockingClause")) > 0 {
		a.st.flag(fSideEffect, "not read-only: SELECT ... FOR UPDATE/SHARE locks rows")
	}
	a.scope = a.scope[:mark]
}

func (a *analyzer) insertStmt(b ref) {
	mark := a.with(a.t.get(b, "withClause"))
	name := a.target(b, "relation")
	a.st.flag(fWrites, "writes: INSERT INTO "+name)
	a.membersExcept(b, "withClause", "relation")
	a.scope = a.scope[:mark]
}

func (a *analyzer) updateStmt(b ref) {
	mark := a.with(a.t.get(b, "withClause"))
	name := a.target(b, "relation")
	a.st.flag(fWrites, "writes: UPDATE "+name)
	if w := a.t.get(b, "whereClause"); a.everyRow(w, name) {
		a.st.flag(fDestructive, "destructive: UPDATE "+name+" "+a.noWhere(w))
	}
	a.membersExcept(b, "withClause", "relation")
	a.scope = a.scope[:mark]
}

func (a *analyzer) deleteStmt(b ref) {
	mark := a.with(a.t.get(b, "withClause"))
	name := a.target(b, "relation")
	a.st.flag(fWrites, "writes: DELETE FROM "+name)
	if w := a.t.get(b, "whereClause"); a.everyRow(w, name) {
		a.st.flag(fDestructive, "destructive: DELETE FROM "+name+" "+a.noWhere(w))
	}
	a.membersExcept(b, "withClause", "relation")
	a.scope = a.scope[:mark]
}

func (a *analyzer) noWhere(w ref) string {
	if w == none {
		return "has no WHERE"
	}
	return "has a WHERE that holds for every row"
}

// mergeStmt walks a MERGE. It is destructive when it can delete or update
// every target row: WHEN NOT MATCHED BY SOURCE without a row condition, or
// WHEN MATCHED under a join condition that holds for every row or with the
// target table itself as the source.
func (a *analyzer) mergeStmt(b ref) {
	mark := a.with(a.t.get(b, "withClause"))
	name := a.target(b, "relation")
	a.st.flag(fWrites, "writes: MERGE INTO "+name)
	allMatch := a.everyRow(a.t.get(b, "joinCondition"), name) || a.selfSource(a.t.get(b, "sourceRelation"), name)
	for c := a.t.first(a.t.get(b, "mergeWhenClauses")); c != none; c = a.t.next(c) {
		_, w := a.t.node(c)
		cmd := a.t.text(a.t.get(w, "commandType"))
		if cmd != "CMD_DELETE" && cmd != "CMD_UPDATE" {
			continue
		}
		match := a.t.text(a.t.get(w, "matchKind"))
		cond := a.everyRow(a.t.get(w, "condition"), name)
		if cond && (match == "MERGE_WHEN_NOT_MATCHED_BY_SOURCE" || (match == "MERGE_WHEN_MATCHED" && allMatch)) {
			verb := "update"
			if cmd == "CMD_DELETE" {
				verb = "delete"
			}
			a.st.flag(fDestructive, "destructive: MERGE INTO "+name+" can "+verb+" every row")
		}
	}
	a.membersExcept(b, "withClause", "relation")
	a.scope = a.scope[:mark]
}

type truth uint8

const (
	unknown truth = iota
	isTrue
	isFalse
)

// everyRow reports whether a WHERE condition may hold for every row: it is
// missing, constant true, or does not depend on the row at all. target
// names the table the statement changes.
func (a *analyzer) everyRow(cond ref, target string) bool {
	if cond == none {
		return true
	}
	a.self = target
	defer func() { a.self = "" }()
	switch a.eval(cond) {
	case isTrue:
		return true
	case isFalse:
		return false
	}
	return !a.dependsOnRow(cond)
}

// dependsOnRow reports whether the expression names a column or a cursor.
func (a *analyzer) dependsOnRow(r ref) bool {
	switch a.t.v[r].kind {
	case jArr:
		for c := a.t.first(r); c != none; c = a.t.next(c) {
			if a.dependsOnRow(c) {
				return true
			}
		}
	case jObj:
		for c := a.t.first(r); c != none; c = a.t.next(c) {
			if a.t.keyIs(c, "ColumnRef") || a.t.keyIs(c, "CurrentOfExpr") {
				return true
			}
			if k := a.t.v[c].kind; (k == jObj || k == jArr) && a.dependsOnRow(c) {
				return true
			}
		}
	}
	return false
}

// eval folds a boolean condition made of constants, and x = x on the same
// column, to true or false; anything else is unknown.
func (a *analyzer) eval(r ref) truth {
	kind, b := a.t.node(r)
	switch kind {
	case "A_Const":
		if a.t.flag(a.t.get(b, "isnull")) {
			return isFalse
		}
		if v := a.t.get(b, "boolval"); v != none {
			if a.t.flag(a.t.get(v, "boolval")) {
				return isTrue
			}
			return isFalse
		}
	case "TypeCast":
		if s, ok := a.constString(a.t.get(b, "arg")); ok {
			switch s {
			case "t", "true", "y", "yes", "on", "1":
				return isTrue
			case "f", "false", "n", "no", "off", "0":
				return isFalse
			}
		}
		return a.eval(a.t.get(b, "arg"))
	case "BoolExpr":
		return a.evalBool(b)
	case "A_Expr":
		return a.evalCompare(b)
	case "CoalesceExpr":
		// The first argument that is not a NULL constant decides.
		for c := a.t.first(a.t.get(b, "args")); c != none; c = a.t.next(c) {
			if k, cb := a.t.node(c); k == "A_Const" && a.t.flag(a.t.get(cb, "isnull")) {
				continue
			}
			return a.eval(c)
		}
		return isFalse
	case "SubLink":
		return a.evalSubLink(b)
	case "NullTest":
		if arg := a.t.get(b, "arg"); a.t.kind(arg) == "ColumnRef" {
			// A NOT NULL column (a primary key, ctid) is never null.
			if a.t.text(a.t.get(b, "nulltesttype")) == "IS_NOT_NULL" {
				return isTrue
			}
			return unknown
		}
		if arg := a.t.get(b, "arg"); a.t.kind(arg) == "A_Const" {
			_, cb := a.t.node(arg)
			null := a.t.flag(a.t.get(cb, "isnull"))
			want := a.t.text(a.t.get(b, "nulltesttype")) == "IS_NULL"
			if null == want {
				return isTrue
			}
			return isFalse
		}
	}
	return unknown
}

// evalSubLink folds x IN (SELECT x FROM target), where the subquery reads
// the very table the statement changes with no condition, to true.
func (a *analyzer) evalSubLink(b ref) truth {
	if a.self == "" || a.t.text(a.t.get(b, "subLinkType")) != "ANY_SUBLINK" || a.t.kind(a.t.get(b, "testexpr")) != "ColumnRef" {
		return unknown
	}
	_, sub := a.t.node(a.t.get(b, "subselect"))
	for _, k := range [...]string{"whereClause", "havingClause", "groupClause", "limitCount", "limitOffset", "withClause", "larg"} {
		if a.t.get(sub, k) != none {
			return unknown
		}
	}
	from := a.t.get(sub, "fromClause")
	if a.t.count(from) != 1 || !a.selfSource(a.t.first(from), a.self) {
		return unknown
	}
	return isTrue
}

// selfSource reports whether r is a plain reference to the table named
// target (as recorded: "schema.table" or "table").
func (a *analyzer) selfSource(r ref, target string) bool {
	kind, rv := a.t.node(r)
	if kind != "RangeVar" || target == "" {
		return false
	}
	name := strings.ToLower(a.t.text(a.t.get(rv, "relname")))
	if schema := a.t.text(a.t.get(rv, "schemaname")); schema != "" {
		name = strings.ToLower(schema) + "." + name
	}
	return name == target
}

func (a *analyzer) evalBool(b ref) truth {
	args := a.t.get(b, "args")
	switch a.t.text(a.t.get(b, "boolop")) {
	case "NOT_EXPR":
		switch a.eval(a.t.first(args)) {
		case isTrue:
			return isFalse
		case isFalse:
			return isTrue
		}
	case "AND_EXPR":
		all := true
		for c := a.t.first(args); c != none; c = a.t.next(c) {
			switch a.eval(c) {
			case isFalse:
				return isFalse
			case unknown:
				all = false
			}
		}
		if all {
			return isTrue
		}
	case "OR_EXPR":
		all := true
		for c := a.t.first(args); c != none; c = a.t.next(c) {
			switch a.eval(c) {
			case isTrue:
				return isTrue
			case unknown:
				all = false
			}
		}
		if all {
			return isFalse
		}
	}
	return unknown
}

// evalCompare folds comparisons of two constants, and of a column with
// itself.
func (a *analyzer) evalCompare(b ref) truth {
	if a.t.text(a.t.get(b, "kind")) != "AEXPR_OP" {
		return unknown
	}
	ops := a.names(a.t.get(b, "name"))
	if len(ops) != 1 {
		return unknown
	}
	op := ops[0]
	l, r := a.t.get(b, "lexpr"), a.t.get(b, "rexpr")
	if lk, rk := a.t.kind(l), a.t.kind(r); lk == "ColumnRef" && rk == "ColumnRef" {
		_, lb := a.t.node(l)
		_, rb := a.t.node(r)
		if same := a.sameColumn(lb, rb); same {
			switch op {
			case "=", "<=", ">=":
				return isTrue
			case "<>", "!=", "<", ">":
				return isFalse
			}
		}
		return unknown
	}
	lv, lok := a.constValue(l)
	rv, rok := a.constValue(r)
	if !lok || !rok {
		return unknown
	}
	var cmp int
	li, lerr := strconv.ParseFloat(lv, 64)
	ri, rerr := strconv.ParseFloat(rv, 64)
	switch {
	case lerr == nil && rerr == nil:
		switch {
		case li < ri:
			cmp = -1
		case li > ri:
			cmp = 1
		}
	case lv == rv:
		cmp = 0
	case op == "=":
		return isFalse
	case op == "<>" || op == "!=":
		return isTrue
	default:
		return unknown
	}
	res := map[string]bool{"=": cmp == 0, "<>": cmp != 0, "!=": cmp != 0, "<": cmp < 0, ">": cmp > 0, "<=": cmp <= 0, ">=": cmp >= 0}
	v, known := res[op]
	switch {
	case !known:
		return unknown
	case v:
		return isTrue
	}
	return isFalse
}

// constValue returns the text of a numeric or string constant.
func (a *analyzer) constValue(r ref) (string, bool) {
	kind, b := a.t.node(r)
	if kind == "TypeCast" {
		return a.constValue(a.t.get(b, "arg"))
	}
	if kind != "A_Const" {
		return "", false
	}
	for _, k := range [...]string{"ival", "fval", "sval"} {
		if v := a.t.get(b, k); v != none {
			x := a.t.get(v, k)
			switch {
			case x != none:
				return a.t.raw(x), true
			case k == "sval":
				return "", true
			}
			return "0", true
		}
	}
	return "", false
}

func (a *analyzer) sameColumn(l, r ref) bool {
	lf, rf := a.t.get(l, "fields"), a.t.get(r, "fields")
	lc, rc := a.t.first(lf), a.t.first(rf)
	for lc != none && rc != none {
		_, lb := a.t.node(lc)
		_, rb := a.t.node(rc)
		ls, rs := a.t.get(lb, "sval"), a.t.get(rb, "sval")
		if ls == none || rs == none || a.t.raw(ls) != a.t.raw(rs) {
			return false
		}
		lc, rc = a.t.next(lc), a.t.next(rc)
	}
	return lc == none && rc == none
}
