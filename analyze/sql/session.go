package sql

import (
	"strings"
)

// transaction handles BEGIN, COMMIT, ROLLBACK, SAVEPOINT and two-phase
// commit. Ending a prepared transaction commits or discards writes this
// payload does not show.
func (a *analyzer) transaction(b ref) string {
	kind := strings.TrimPrefix(a.t.text(a.t.get(b, "kind")), "TRANS_STMT_")
	what := strings.ReplaceAll(kind, "_", " ")
	switch kind {
	case "PREPARE":
		a.st.flag(fTxn|fSideEffect, "transaction_control: PREPARE TRANSACTION keeps the transaction after the session")
	case "COMMIT_PREPARED", "ROLLBACK_PREPARED":
		a.st.flag(fTxn|fWrites, "transaction_control: "+what+" ends a transaction prepared outside this payload")
	default:
		a.st.flag(fTxn, "transaction_control: "+what)
	}
	return "transaction"
}

// set handles SET and RESET.
func (a *analyzer) set(b ref) string {
	kind := a.t.text(a.t.get(b, "kind"))
	name := strings.ToLower(a.t.text(a.t.get(b, "name")))
	switch {
	case kind == "VAR_RESET_ALL":
		a.st.flag(fPrivilege|fSideEffect, "privilege: RESET ALL restores the session's role")
	case name == "role":
		a.st.flag(fPrivilege|fSideEffect, "privilege: SET ROLE changes the session's privileges")
		return "set_role"
	case name == "session_authorization":
		a.st.flag(fPrivilege|fSideEffect, "privilege: SET SESSION AUTHORIZATION changes the session's user")
		return "set_session_authorization"
	case privilegeSettings[name]:
		a.st.flag(fPrivilege|fSideEffect, "privilege: SET "+name+" changes what the session may do")
	case name == "client_encoding" && kind == "VAR_SET_VALUE" && a.t.count(a.t.get(b, "args")) == 1 && a.utf8Encoding(a.t.first(a.t.get(b, "args"))):
		// The payload is read as UTF-8 already.
	case parseSettings[name]:
		a.st.opaque("SET " + name + " changes how later statements are parsed")
	case a.setHarmless(name, b):
	case limitSettings[name]:
		a.st.flag(fSideEffect, "not read-only: SET "+name+" lifts or raises a safety limit (0, or above "+maxLimit.String()+")")
	default:
		a.st.flag(fSideEffect, "not read-only: SET "+name+" changes session state")
	}
	a.members(b)
	return "set"
}

// explain handles EXPLAIN. With ANALYZE the statement runs, so it does all
// its statement does; without, only the plan is made, so it reads — unless
// the statement calls a function outside the allow-list, which the planner
// may run while folding constants if it is declared immutable.
func (a *analyzer) explain(b ref) string {
	q := a.t.get(b, "query")
	if a.explainAnalyze(a.t.get(b, "options")) {
		a.walk(q)
		return "explain"
	}
	outer := a.st
	inner := &stmt{}
	a.st = inner
	a.walk(q)
	a.st = outer
	outer.read = append(append(outer.read, inner.read...), inner.written...)
	outer.funcs = append(outer.funcs, inner.funcs...)
	switch {
	case inner.unknown:
		outer.unknownFn = true
		outer.flag(fSideEffect, "not read-only: EXPLAIN plans a statement that cannot be analysed (such as EXECUTE of one prepared outside this payload), which planning may run")
	case inner.unknownFn:
		outer.unknownFn = true
		outer.flag(fSideEffect, "not read-only: EXPLAIN plans a call to a function outside the allow-list, which planning may run")
	}
	return "explain"
}

// explainAnalyze reports whether EXPLAIN's options turn ANALYZE on.
func (a *analyzer) explainAnalyze(opts ref) bool {
	on := false
	for c := a.t.first(opts); c != none; c = a.t.next(c) {
		_, d := a.t.node(c)
		if a.t.text(a.t.get(d, "defname")) != "analyze" {
			continue
		}
		on = true
		arg := a.t.get(d, "arg")
		kind, ab := a.t.node(arg)
		switch kind {
		case "String":
			switch strings.ToLower(a.t.text(a.t.get(ab, "sval"))) {
			case "false", "off", "no", "0", "f", "n":
				on = false
			}
		case "Boolean":
			on = a.t.flag(a.t.get(ab, "boolval"))
		case "Integer":
			on = a.t.get(ab, "ival") != none
		}
	}
	return on
}

// prepare handles PREPARE: the statement is there to be run, so PREPARE
// carries its facts, and EXECUTE later in the payload repeats them.
func (a *analyzer) prepare(b ref) string {
	q := a.t.get(b, "query")
	a.walk(q)
	qk, qb := a.t.node(q)
	a.exportCheck(qk, qb)
	name := a.t.text(a.t.get(b, "name"))
	p := *a.st
	p.reasons = append([]string(nil), a.st.reasons...)
	p.read = append([]string(nil), a.st.read...)
	p.written = append([]string(nil), a.st.written...)
	p.funcs = append([]string(nil), a.st.funcs...)
	if a.prepared == nil {
		a.prepared = map[string]*stmt{}
	}
	a.prepared[name] = &p
	return "prepare"
}

// execute handles EXECUTE of a statement prepared earlier in the payload;
// one prepared elsewhere could be anything.
func (a *analyzer) execute(b ref) string {
	name := a.t.text(a.t.get(b, "name"))
	if p, ok := a.prepared[name]; ok {
		a.st.merge(p)
	} else {
		a.st.opaque("EXECUTE " + name + " runs a statement prepared outside this payload")
	}
	a.members(b)
	return "execute"
}
