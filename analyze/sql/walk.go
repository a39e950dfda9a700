package sql

import (
	"strings"
)

// stmt gathers what one statement does while its tree is walked.
type stmt struct {
	typ       string
	f         fact
	read      []string
	written   []string
	funcs     []string
	reasons   []string
	sensitive string // first sensitive table touched, "" when none
	secret    string // first credential catalog read, "" when none
	collects  string // first construct that gathers many rows into one value, "" when none
	unknownFn bool   // calls a function outside the allow-list
	unknown   bool   // holds something opaque
}

func (s *stmt) flag(f fact, reason string) {
	s.f |= f
	if reason != "" {
		s.reasons = append(s.reasons, reason)
	}
}

// merge adds what o found to s (its type aside).
func (s *stmt) merge(o *stmt) {
	s.f |= o.f
	s.read = append(s.read, o.read...)
	s.written = append(s.written, o.written...)
	s.funcs = append(s.funcs, o.funcs...)
	s.reasons = append(s.reasons, o.reasons...)
	if s.sensitive == "" {
		s.sensitive = o.sensitive
	}
	if s.secret == "" {
		s.secret = o.secret
	}
	if s.collects == "" {
		s.collects = o.collects
	}
	s.unknownFn = s.unknownFn || o.unknownFn
	s.unknown = s.unknown || o.unknown
}

// opaque marks s as able to do anything.
func (s *stmt) opaque(what string) {
	s.unknown = true
	s.flag(risky, "opaque: "+what+"; every risk is assumed")
}

// maxWalkDepth bounds recursion over the tree; deeper trees fail closed.
const maxWalkDepth = 3000

// walk visits any value of the tree: a parse node, a message printed without
// its node wrapper, a list, or a scalar (ignored).
func (a *analyzer) walk(r ref) {
	if r == none {
		return
	}
	switch a.t.v[r].kind {
	case jArr:
		for c := a.t.first(r); c != none; c = a.t.next(c) {
			a.walk(c)
		}
	case jObj:
		a.depth++
		if a.depth > maxWalkDepth {
			a.st.opaque("the statement nests too deeply to analyse")
		} else if kind, body := a.t.node(r); kind != "" {
			a.visit(kind, body)
		} else if a.t.get(r, "relname") != none {
			a.rangeVar(r, false)
		} else {
			a.members(r)
		}
		a.depth--
	}
}

// members walks every member of the object at r.
func (a *analyzer) members(r ref) {
	for c := a.t.first(r); c != none; c = a.t.next(c) {
		if k := a.t.v[c].kind; k == jObj || k == jArr {
			a.walk(c)
		}
	}
}

// membersExcept walks every member of the object at r but the named ones.
func (a *analyzer) membersExcept(r ref, skip ...string) {
next:
	for c := a.t.first(r); c != none; c = a.t.next(c) {
		if k := a.t.v[c].kind; k != jObj && k != jArr {
			continue
		}
		for _, s := range skip {
			if a.t.keyIs(c, s) {
				continue next
			}
		}
		a.walk(c)
	}
}

// visit handles one parse node of the given kind.
func (a *analyzer) visit(kind string, body ref) {
	switch kind {
	case "A_Const", "String", "Integer", "Float", "Boolean", "BitString",
		"ParamRef", "A_Star", "SQLValueFunction", "CurrentOfExpr", "RoleSpec", "Alias",
		"SetToDefault":
		return
	case "RangeVar":
		a.rangeVar(body, false)
	case "FuncCall":
		a.funcCall(body)
	case "SelectStmt":
		a.selectStmt(body)
	case "InsertStmt":
		a.insertStmt(body)
	case "UpdateStmt":
		a.updateStmt(body)
	case "DeleteStmt":
		a.deleteStmt(body)
	case "MergeStmt":
		a.mergeStmt(body)
	case "SubLink", "JsonArrayAgg", "JsonObjectAgg", "JsonArrayQueryConstructor":
		a.gathers(kind, body)
		a.members(body)
	case "A_Expr", "SortBy", "TypeCast", "RangeTableSample", "A_Indirection":
		a.userCode(kind, body)
		a.members(body)
	case "ColumnRef":
		a.fieldCall(a.t.get(body, "fields"))
	default:
		if strings.HasSuffix(kind, "Stmt") {
			a.utility(kind, body)
			return
		}
		a.members(body)
	}
}

// rangeVar records the relation at r (a RangeVar body) as read or written.
// An unqualified name that a WITH in scope defines is not a table.
func (a *analyzer) rangeVar(r ref, write bool) {
	for _, s := range a.skip {
		if s == r {
			return
		}
	}
	rel := a.t.text(a.t.get(r, "relname"))
	schema := a.t.text(a.t.get(r, "schemaname"))
	if !write && schema == "" {
		for i := len(a.scope) - 1; i >= 0; i-- {
			if a.scope[i] == rel {
				return
			}
		}
	}
	rel, schema = strings.ToLower(rel), strings.ToLower(schema)
	name := rel
	if schema != "" {
		name = schema + "." + rel
	}
	if write {
		a.st.written = append(a.st.written, name)
		a.skip = append(a.skip, r)
	} else {
		a.st.read = append(a.st.read, name)
	}
	if a.st.sensitive == "" && a.cfg.sensitive(schema, rel) {
		a.st.sensitive = name
	}
	if !write && a.st.secret == "" && credentialCatalogs[rel] {
		a.st.secret = name
	}
}

// target records the relations found under member key of object o as
// written: a RangeVar with or without its wrapper, or a list of them.
// It returns the first one's name for reasons.
func (a *analyzer) target(o ref, key string) string {
	r := a.t.get(o, key)
	if r == none {
		return ""
	}
	var first string
	one := func(x ref) {
		if k, body := a.t.node(x); k == "RangeVar" || (k == "" && a.t.get(body, "relname") != none) {
			a.rangeVar(body, true)
			if first == "" {
				first = a.st.written[len(a.st.written)-1]
			}
		}
	}
	if a.t.v[r].kind == jArr {
		for c := a.t.first(r); c != none; c = a.t.next(c) {
			one(c)
		}
	} else {
		one(r)
	}
	return first
}

// with brings the names a WITH clause defines into scope and walks its
// queries; the caller drops the names again with a.scope = a.scope[:mark].
func (a *analyzer) with(w ref) (mark int) {
	mark = len(a.scope)
	if w == none {
		return mark
	}
	ctes := a.t.get(w, "ctes")
	recursive := a.t.flag(a.t.get(w, "recursive"))
	if recursive {
		a.st.collect("WITH RECURSIVE")
		for c := a.t.first(ctes); c != none; c = a.t.next(c) {
			_, body := a.t.node(c)
			a.scope = append(a.scope, a.t.text(a.t.get(body, "ctename")))
		}
	}
	for c := a.t.first(ctes); c != none; c = a.t.next(c) {
		_, body := a.t.node(c)
		a.walk(a.t.get(body, "ctequery"))
		if !recursive {
			a.scope = append(a.scope, a.t.text(a.t.get(body, "ctename")))
		}
	}
	return mark
}

// names joins a list of String nodes (a qualified name) with dots.
func (a *analyzer) names(list ref) []string {
	var out []string
	for c := a.t.first(list); c != none; c = a.t.next(c) {
		_, body := a.t.node(c)
		out = append(out, a.t.text(a.t.get(body, "sval")))
	}
	return out
}

// constString returns the value of a string constant node (through casts).
func (a *analyzer) constString(r ref) (string, bool) {
	kind, body := a.t.node(r)
	switch kind {
	case "A_Const":
		if s := a.t.get(body, "sval"); s != none {
			return a.t.text(a.t.get(s, "sval")), true
		}
	case "TypeCast":
		return a.constString(a.t.get(body, "arg"))
	case "String":
		return a.t.text(a.t.get(body, "sval")), true
	}
	return "", false
}
