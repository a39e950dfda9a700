package sql

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pganalyze/pg_query_go/v6/parser"
)

// analyzer holds the state of one analysis; it is pooled for its buffers.
type analyzer struct {
	cfg      *config
	t        tree
	st       *stmt
	scope    []string // names WITH clauses in scope define
	skip     []ref    // relations already recorded as written
	depth    int
	nest     int    // depth of SQL run by functions (dblink) being analysed
	self     string // table an UPDATE, DELETE or MERGE changes, while its conditions are judged
	prepared map[string]*stmt
	out      []Statement
	reasons  []string
}

var pool = sync.Pool{New: func() any { return new(analyzer) }}

// maxPooledValues bounds the tree buffer a pooled analyser keeps.
const maxPooledValues = 1 << 16

// Analyze never panics and never errors: unparsable input fails closed.
func Analyze(src string, opt Options) Facts {
	return analyze(src, compile(opt), 0)
}

func analyze(src string, cfg *config, nest int) (f Facts) {
	a := pool.Get().(*analyzer)
	clear(a.out)
	a.cfg, a.nest, a.prepared, a.out, a.reasons = cfg, nest, nil, a.out[:0], a.reasons[:0]
	defer func() {
		if p := recover(); p != nil {
			f = failed(nil, fmt.Sprintf("internal error: %v", p))
		}
		a.t.src, a.st, a.prepared = "", nil, nil
		a.t.v, a.t.esc = a.t.v[:0], a.t.esc[:0]
		if cap(a.t.v) > maxPooledValues {
			a.t.v = nil // a huge payload's buffer is not kept
		}
		pool.Put(a)
	}()
	if err := a.run(src); err != nil {
		var metas []Statement
		for _, s := range a.out {
			if s.Type == "meta_command" {
				metas = append(metas, s)
			}
		}
		f = failed(metas, err.Error())
		if len(metas) > 0 {
			f.Reasons = append(unique(a.reasons), f.Reasons...)
		}
		return f
	}
	if len(a.out) == 0 {
		return failed(nil, "no statement")
	}
	f = collect(slices.Clone(a.out))
	f.Reasons = unique(a.reasons)
	return f
}

// run analyses every statement of src into a.out.
func (a *analyzer) run(src string) error {
	if strings.IndexByte(src, 0) >= 0 {
		return errors.New("the payload holds a NUL byte, which ends the statement early for the server")
	}
	if !utf8.ValidString(src) {
		return errors.New("the payload is not valid UTF-8")
	}
	if strings.IndexByte(src, '\\') < 0 {
		return a.runSQL(src)
	}
	segs, err := split(src)
	if err != nil {
		return err
	}
	for _, s := range segs {
		if s.meta == "" {
			if err := a.runSQL(s.sql); err != nil {
				return err
			}
			continue
		}
		if err := a.meta(s.meta); err != nil {
			return err
		}
	}
	return nil
}

// runSQL parses SQL text and analyses each statement.
func (a *analyzer) runSQL(src string) error {
	if strings.TrimSpace(src) == "" {
		return nil
	}
	js, err := parserJSON(src)
	if err != nil {
		return err
	}
	root, err := a.t.decode(js)
	if err != nil {
		return err
	}
	for c := a.t.first(a.t.get(root, "stmts")); c != none; c = a.t.next(c) {
		kind, body := a.t.node(a.t.get(c, "stmt"))
		a.statement(kind, body)
	}
	return nil
}

// parserJSON runs PostgreSQL's parser; its errors say where.
func parserJSON(src string) (string, error) {
	js, err := parser.ParseToJSON(src)
	if err != nil {
		var pe *parser.Error
		if errors.As(err, &pe) && pe.Cursorpos > 0 {
			return "", fmt.Errorf("%s at position %d", pe.Message, pe.Cursorpos)
		}
		return "", err
	}
	return js, nil
}

// statement analyses one top-level statement and appends its facts.
func (a *analyzer) statement(kind string, body ref) {
	a.st = &stmt{}
	a.scope, a.skip, a.depth = a.scope[:0], a.skip[:0], 0
	switch kind {
	case "SelectStmt":
		a.st.typ = "select"
		if a.t.get(body, "intoClause") != none {
			a.st.typ = "select_into"
		}
		a.selectStmt(body)
	case "InsertStmt":
		a.st.typ = "insert"
		a.insertStmt(body)
	case "UpdateStmt":
		a.st.typ = "update"
		a.updateStmt(body)
	case "DeleteStmt":
		a.st.typ = "delete"
		a.deleteStmt(body)
	case "MergeStmt":
		a.st.typ = "merge"
		a.mergeStmt(body)
	default:
		a.st.typ = a.utility(kind, body)
	}
	a.exportCheck(kind, body)
	a.secretCheck()
	a.out = append(a.out, a.st.done())
	a.reasons = append(a.reasons, a.st.reasons...)
}

// done turns what was gathered into a Statement.
func (s *stmt) done() Statement {
	if s.f&(fDDL|fDestructive) != 0 {
		s.f |= fWrites
	}
	out := Statement{
		Type:          s.typ,
		TablesRead:    sorted(s.read),
		TablesWritten: sorted(s.written),
		Functions:     sorted(s.funcs),
	}
	out.set(s.f)
	return out
}

// collect builds the payload's facts from its statements.
func collect(stmts []Statement) Facts {
	f := Facts{Statements: stmts, ReadOnly: true}
	var all fact
	var read, written, funcs []string
	for _, s := range stmts {
		all |= s.facts()
		f.ReadOnly = f.ReadOnly && s.ReadOnly
		read = append(read, s.TablesRead...)
		written = append(written, s.TablesWritten...)
		funcs = append(funcs, s.Functions...)
	}
	f.set(all)
	f.TablesRead, f.TablesWritten, f.Functions = sorted(read), sorted(written), sorted(funcs)
	f.Tables = sorted(append(slices.Clone(f.TablesRead), f.TablesWritten...))
	return f
}

// failed is the fail-closed answer: every risk assumed.
func failed(metas []Statement, msg string) Facts {
	f := collect(metas)
	f.Statements = nonNilStatements(metas)
	f.ReadOnly = false
	f.set(risky)
	f.ParseError = true
	f.Error = msg
	f.Reasons = append(f.Reasons, "parse_error: "+msg+"; every risk is assumed")
	return f
}

func nonNilStatements(s []Statement) []Statement {
	if s == nil {
		return []Statement{}
	}
	return s
}

// sorted returns s sorted without duplicates, never nil.
func sorted(s []string) []string {
	out := make([]string, len(s))
	copy(out, s)
	slices.Sort(out)
	return slices.Compact(out)
}

// unique returns s without repeated lines, keeping the first of each;
// never nil.
func unique(s []string) []string {
	out := make([]string, 0, len(s))
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
