package sql

import (
	"strconv"
)

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

// exportCheck marks a statement that returns rows from a sensitive table
// as an export: rows without a LIMIT within MaxRows, or any rows at all when
// the statement also gathers many rows into one value (string_agg,
// ARRAY(subquery), ...), since then one row can hold the whole table.
func (a *analyzer) exportCheck(kind string, b ref) {
	if a.st.sensitive == "" {
		return
	}
	rows, bounded := a.returnsRows(kind, b)
	switch {
	case !rows:
	case a.st.collects != "":
		a.st.flag(fExport, "is_export: "+a.st.collects+" gathers rows of sensitive table "+a.st.sensitive+" into one value, which no LIMIT bounds")
	case !bounded:
		a.st.flag(fExport, "is_export: returns rows of sensitive table "+a.st.sensitive+" without a LIMIT of at most "+strconv.FormatInt(a.cfg.maxRows, 10))
	}
}

// collect notes that the statement gathers many rows into one value.
func (s *stmt) collect(what string) {
	if s.collects == "" {
		s.collects = what
	}
}

// gathers notes the constructs that gather every row of a subquery, or
// every input row, into one value.
func (a *analyzer) gathers(kind string, b ref) {
	switch kind {
	case "SubLink":
		if a.t.text(a.t.get(b, "subLinkType")) == "ARRAY_SUBLINK" {
			a.st.collect("ARRAY(subquery)")
		}
	case "JsonArrayAgg":
		a.st.collect("JSON_ARRAYAGG")
	case "JsonObjectAgg":
		a.st.collect("JSON_OBJECTAGG")
	case "JsonArrayQueryConstructor":
		a.st.collect("JSON_ARRAY(subquery)")
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
