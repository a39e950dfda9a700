package sql

import (
	"strconv"
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
	if w := a.t.get(b, "whereClause"); a.everyRow(w) {
		a.st.flag(fDestructive, "destructive: UPDATE "+name+" "+a.noWhere(w))
	}
	a.membersExcept(b, "withClause", "relation")
	a.scope = a.scope[:mark]
}

func (a *analyzer) deleteStmt(b ref) {
	mark := a.with(a.t.get(b, "withClause"))
	name := a.target(b, "relation")
	a.st.flag(fWrites, "writes: DELETE FROM "+name)
	if w := a.t.get(b, "whereClause"); a.everyRow(w) {
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
// WHEN MATCHED under a join condition that holds for every row.
func (a *analyzer) mergeStmt(b ref) {
	mark := a.with(a.t.get(b, "withClause"))
	name := a.target(b, "relation")
	a.st.flag(fWrites, "writes: MERGE INTO "+name)
	allMatch := a.everyRow(a.t.get(b, "joinCondition"))
	for c := a.t.first(a.t.get(b, "mergeWhenClauses")); c != none; c = a.t.next(c) {
		_, w := a.t.node(c)
		cmd := a.t.text(a.t.get(w, "commandType"))
		if cmd != "CMD_DELETE" && cmd != "CMD_UPDATE" {
			continue
		}
		match := a.t.text(a.t.get(w, "matchKind"))
		cond := a.everyRow(a.t.get(w, "condition"))
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

// returnsRows reports whether a top-level statement hands rows to the
// client, and whether their number is bounded by MaxRows.
func (a *analyzer) returnsRows(kind string, b ref) (rows, bounded bool) {
	switch kind {
	case "SelectStmt":
		if a.t.get(b, "intoClause") != none {
			return false, true
		}
		return true, a.limited(b) || a.oneRow(b)
	case "InsertStmt":
		if a.t.count(a.t.get(b, "returningList")) == 0 {
			return false, true
		}
		s := a.t.get(b, "selectStmt")
		if s == none {
			return true, true // DEFAULT VALUES
		}
		_, sb := a.t.node(s)
		return true, a.t.get(sb, "valuesLists") != none && a.t.get(sb, "fromClause") == none
	case "UpdateStmt", "DeleteStmt", "MergeStmt":
		return a.t.count(a.t.get(b, "returningList")) > 0, false
	}
	return false, true
}

// exportCheck marks a statement that returns unbounded rows from a
// sensitive table as an export.
func (a *analyzer) exportCheck(kind string, b ref) {
	if a.st.sensitive == "" {
		return
	}
	if rows, bounded := a.returnsRows(kind, b); rows && !bounded {
		a.st.flag(fExport, "is_export: returns rows of sensitive table "+a.st.sensitive+" without a LIMIT of at most "+strconv.FormatInt(a.cfg.maxRows, 10))
	}
}

// limited reports whether a SELECT has a constant LIMIT within MaxRows.
func (a *analyzer) limited(b ref) bool {
	if a.t.text(a.t.get(b, "limitOption")) == "LIMIT_OPTION_WITH_TIES" {
		return false
	}
	kind, c := a.t.node(a.t.get(b, "limitCount"))
	if kind != "A_Const" {
		return false
	}
	iv := a.t.get(c, "ival")
	if iv == none {
		return false // LIMIT ALL, LIMIT NULL, a non-integer
	}
	n := int64(0)
	if v := a.t.get(iv, "ival"); v != none {
		var err error
		if n, err = strconv.ParseInt(a.t.raw(v), 10, 64); err != nil {
			return false
		}
	}
	return n <= a.cfg.maxRows
}

// oneRow reports whether a SELECT provably returns one row of scalar
// values: no GROUP BY, no set operation, no FROM or an aggregate, and a
// target list that refers to columns only inside aggregates that reduce
// their input to one value, over constants, side-effect-free scalar
// functions and subqueries that are one row themselves.
func (a *analyzer) oneRow(b ref) bool {
	if op := a.t.text(a.t.get(b, "op")); op != "" && op != "SETOP_NONE" {
		return false
	}
	if a.t.get(b, "groupClause") != none || a.t.get(b, "valuesLists") != none {
		return false
	}
	// Without FROM a SELECT returns one row; with it, only an aggregate
	// makes it one.
	agg := a.t.get(b, "fromClause") == none
	tl := a.t.get(b, "targetList")
	for c := a.t.first(tl); c != none; c = a.t.next(c) {
		_, rt := a.t.node(c)
		ok, has := a.aggOnly(a.t.get(rt, "val"))
		if !ok {
			return false
		}
		agg = agg || has
	}
	return agg
}

// aggOnly reports whether expression r refers to columns only inside
// reducing aggregates (ok), and whether it holds one (has).
func (a *analyzer) aggOnly(r ref) (ok, has bool) {
	if r == none {
		return true, false
	}
	switch a.t.v[r].kind {
	case jArr:
		ok = true
		for c := a.t.first(r); c != none && ok; c = a.t.next(c) {
			var h bool
			ok, h = a.aggOnly(c)
			has = has || h
		}
		return ok, has
	case jObj:
	default:
		return true, false
	}
	kind, body := a.t.node(r)
	switch kind {
	case "A_Const", "String", "Integer", "Float", "Boolean", "SQLValueFunction", "ParamRef":
		return true, false
	case "FuncCall":
		if a.t.get(body, "over") != none {
			return false, false
		}
		schema, base := a.funcName(body)
		if schema != "" && schema != "pg_catalog" {
			return false, false
		}
		if reducingAggregates[base] {
			return true, true
		}
		if !pure[base] || rowMultiplying[base] || collectingAggregates[base] {
			return false, false
		}
		return a.aggOnly(a.t.get(body, "args"))
	case "SubLink":
		// EXISTS gives a boolean; a scalar subquery one value, which holds
		// no bulk data when the subquery provably returns one row itself.
		switch a.t.text(a.t.get(body, "subLinkType")) {
		case "EXISTS_SUBLINK":
			return true, false
		case "EXPR_SUBLINK":
			_, sub := a.t.node(a.t.get(body, "subselect"))
			return a.oneRow(sub), false
		}
		return false, false
	case "", "A_Expr", "BoolExpr", "TypeCast", "CoalesceExpr", "MinMaxExpr", "NullTest",
		"BooleanTest", "CaseExpr", "CaseWhen", "NullIfExpr", "TypeName", "List", "A_ArrayExpr":
		ok = true
		for c := a.t.first(body); c != none && ok; c = a.t.next(c) {
			if k := a.t.v[c].kind; k != jObj && k != jArr {
				continue
			}
			var h bool
			ok, h = a.aggOnly(c)
			has = has || h
		}
		return ok, has
	}
	return false, false
}

type truth uint8

const (
	unknown truth = iota
	isTrue
	isFalse
)

// everyRow reports whether a WHERE condition may hold for every row: it is
// missing, constant true, or does not depend on the row at all.
func (a *analyzer) everyRow(cond ref) bool {
	if cond == none {
		return true
	}
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
	case "NullTest":
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
