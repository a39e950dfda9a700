package shell

import (
	"mvdan.cc/sh/v3/syntax"
)

// stmts judges a list of statements, each reading in.
func (a *analyzer) stmts(sc *scope, list []*syntax.Stmt, in stdin) {
	for _, s := range list {
		a.stmt(sc, s, in)
	}
}

// stmt judges one statement: its redirections first (they decide its input),
// then its command.
func (a *analyzer) stmt(sc *scope, s *syntax.Stmt, in stdin) {
	if s == nil {
		return
	}
	for _, r := range s.Redirs {
		in = a.redirect(sc, r, in)
	}
	if len(s.Redirs) > 0 && writesNothing(s.Cmd) {
		a.emptied(sc, s.Redirs)
	}
	if s.Cmd != nil {
		a.command(sc, s.Cmd, in)
	}
}

// command judges a simple or compound command.
func (a *analyzer) command(sc *scope, cmd syntax.Command, in stdin) {
	switch c := cmd.(type) {
	case *syntax.CallExpr:
		a.call(sc, c, in)
	case *syntax.BinaryCmd:
		a.stmt(sc, c.X, in)
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			in = stdin{kind: stdinPipe}
		}
		a.stmt(sc, c.Y, in)
	case *syntax.Subshell:
		a.stmts(sc, c.Stmts, in)
	case *syntax.Block:
		a.stmts(sc, c.Stmts, in)
	case *syntax.IfClause:
		for ; c != nil; c = c.Else {
			a.stmts(sc, c.Cond, in)
			a.stmts(sc, c.Then, in)
		}
	case *syntax.WhileClause:
		a.stmts(sc, c.Cond, in)
		a.stmts(sc, c.Do, in)
	case *syntax.ForClause:
		switch l := c.Loop.(type) {
		case *syntax.WordIter:
			for _, w := range l.Items {
				a.word(sc, w)
			}
		case *syntax.CStyleLoop:
			a.arith(sc, l.Init)
			a.arith(sc, l.Cond)
			a.arith(sc, l.Post)
		}
		a.stmts(sc, c.Do, in)
	case *syntax.CaseClause:
		a.word(sc, c.Word)
		for _, it := range c.Items {
			for _, p := range it.Patterns {
				a.word(sc, p)
			}
			a.stmts(sc, it.Stmts, in)
		}
	case *syntax.FuncDecl:
		a.stmt(sc, c.Body, stdin{})
	case *syntax.ArithmCmd:
		a.arith(sc, c.X)
	case *syntax.LetClause:
		for _, x := range c.Exprs {
			a.arith(sc, x)
		}
	case *syntax.TestClause:
		a.expr(sc, c.X)
	case *syntax.DeclClause:
		a.decl(sc, c)
	case *syntax.TimeClause:
		a.stmt(sc, c.Stmt, in)
	case *syntax.CoprocClause:
		a.stmt(sc, c.Stmt, in)
	case *syntax.TestDecl:
		a.stmt(sc, c.Body, in)
	default:
		a.unknown("a shell construct", "is not understood by the analyser")
	}
}

// call judges a simple command: its assignments, then the command its words
// name.
func (a *analyzer) call(sc *scope, c *syntax.CallExpr, in stdin) {
	why := ""
	for _, as := range c.Assigns {
		a.assign(sc, as)
		if w := a.assignRisk(sc, as, len(c.Args) > 0); w != "" && why == "" {
			why = w
		}
	}
	if len(c.Args) == 0 {
		if why != "" {
			a.unknown(brief([]string{sourceText(sc.src, c)}), why)
		}
		return
	}
	ws := make([]word, 0, len(c.Args))
	for _, w := range c.Args {
		a.subst(sc, w)
		ws = words(sc.src, w, ws)
	}
	if why != "" {
		a.judgeUnknown(sc, ws, sc.via, why)
		return
	}
	a.exec(sc, ws, sc.via, in)
}

// loadsCode reports whether setting the environment variable name makes a
// program run code other than its own.
func loadsCode(name string) bool {
	switch name {
	case "LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES", "DYLD_LIBRARY_PATH", "BASH_ENV", "ENV":
		return true
	}
	return false
}

// assign judges the words of a variable assignment.
func (a *analyzer) assign(sc *scope, as *syntax.Assign) {
	if as.Value != nil {
		a.word(sc, as.Value)
	}
	if as.Index != nil {
		a.expr(sc, as.Index)
	}
	if as.Array != nil {
		for _, e := range as.Array.Elems {
			if e.Index != nil {
				a.expr(sc, e.Index)
			}
			if e.Value != nil {
				a.word(sc, e.Value)
			}
		}
	}
}

// decl judges declare, export, local, readonly and typeset, recorded as a
// command. Without assignments (or with only -p) they print variables, the
// environment included.
func (a *analyzer) decl(sc *scope, d *syntax.DeclClause) {
	variant := ""
	if d.Variant != nil {
		variant = d.Variant.Value
	}
	a.f.addProgram(variant)
	prints := true
	argv := []word{{val: variant, known: true}}
	for _, as := range d.Args {
		a.assign(sc, as)
		if why := a.assignRisk(sc, as, false); why != "" {
			a.unknown(variant+" "+as.Name.Value, why)
		}
		switch {
		case as.Naked && as.Name == nil && as.Value != nil:
			w := wordOf(sc.src, as.Value)
			argv = append(argv, w)
			if !w.known || len(w.val) < 2 || w.val[0] != '-' || !isPrintFlags(w.val) {
				prints = false
			}
		case as.Name != nil && as.Value == nil && as.Array == nil:
			prints = false
			argv = append(argv, word{val: as.Name.Value, known: true})
		default:
			prints = false
			w := word{val: sourceText(sc.src, as), known: false}
			if as.Name != nil && as.Array == nil && as.Index == nil {
				v := word{known: true}
				if as.Value != nil {
					v = wordOf(sc.src, as.Value)
				}
				if v.known {
					w = word{val: as.Name.Value + "=" + v.val, known: true}
				}
			}
			argv = append(argv, w)
		}
	}
	dyn := false
	for _, w := range argv {
		dyn = dyn || !w.known
	}
	a.record(sc, argv, variant, sc.via, dyn)
	if prints && variant != "local" {
		a.f.set(readsSecrets, brief(vals(argv))+" prints variables, the environment included")
	}
}

// isPrintFlags reports whether a declare-style flag word only selects what
// to print (-p, -x, -px).
func isPrintFlags(s string) bool {
	for _, c := range s[1:] {
		if c != 'p' && c != 'x' && c != 'g' {
			return false
		}
	}
	return true
}

// word judges a word that is not a command argument: an assignment value, a
// loop item, a case subject. Its substitutions run; its expansions make the
// line dynamic.
func (a *analyzer) word(sc *scope, w *syntax.Word) {
	if w == nil {
		return
	}
	a.subst(sc, w)
	if !wordOf(sc.src, w).known {
		a.f.set(dynamic, brief([]string{sourceText(sc.src, w)})+" is known only at run time")
	}
}

// arith judges an arithmetic expression: its value is known only at run
// time, and its command substitutions run.
func (a *analyzer) arith(sc *scope, x syntax.ArithmExpr) {
	if x == nil {
		return
	}
	a.f.set(dynamic, "arithmetic "+brief([]string{sourceText(sc.src, x)})+" is evaluated at run time")
	a.expr(sc, x)
}

// expr judges the words of a test or arithmetic expression.
func (a *analyzer) expr(sc *scope, x syntax.Node) {
	if x == nil {
		return
	}
	syntax.Walk(x, func(n syntax.Node) bool {
		if w, ok := n.(*syntax.Word); ok {
			a.word(sc, w)
			return false
		}
		return true
	})
}

// subst judges the commands run by the command and process substitutions
// inside a word.
func (a *analyzer) subst(sc *scope, w *syntax.Word) {
	if w == nil || !hasSubst(w.Parts) {
		return
	}
	syntax.Walk(w, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CmdSubst:
			a.stmts(sc, n.Stmts, stdin{})
			return false
		case *syntax.ProcSubst:
			in := stdin{}
			if n.Op == syntax.CmdOut {
				in = stdin{kind: stdinPipe}
			}
			a.stmts(sc, n.Stmts, in)
			return false
		}
		return true
	})
}

// hasSubst reports whether parts may hold a command or process substitution.
func hasSubst(parts []syntax.WordPart) bool {
	for _, p := range parts {
		switch p := p.(type) {
		case *syntax.Lit, *syntax.SglQuoted:
		case *syntax.DblQuoted:
			if hasSubst(p.Parts) {
				return true
			}
		default:
			return true
		}
	}
	return false
}
