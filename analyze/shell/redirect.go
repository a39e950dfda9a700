package shell

import (
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// redirect judges one redirection and returns the statement's input after it.
func (a *analyzer) redirect(sc *scope, r *syntax.Redirect, in stdin) stdin {
	a.subst(sc, r.Word)
	switch r.Op {
	case syntax.Hdoc, syntax.DashHdoc:
		a.subst(sc, r.Hdoc)
		text, ok := heredoc(r)
		if !ok {
			a.f.set(dynamic, "a here-document expands text known only at run time")
			return stdin{kind: stdinUnknown}
		}
		return stdin{kind: stdinText, text: text}
	case syntax.WordHdoc:
		w := wordOf(sc.src, r.Word)
		if !w.known {
			a.f.set(dynamic, "a here-string "+brief([]string{w.val})+" is known only at run time")
			return stdin{kind: stdinUnknown}
		}
		return stdin{kind: stdinText, text: w.val + "\n"}
	}
	target := wordOf(sc.src, r.Word)
	op := r.Op.String()
	shown := brief([]string{op + target.val})
	if !target.known {
		a.f.set(dynamic, "redirection "+shown+" names a file known only at run time")
	}
	if isNetDevice(target.val) {
		a.f.set(networkEgress, "redirection "+shown+" opens a network connection")
	}
	switch r.Op {
	case syntax.RdrIn, syntax.RdrInOut:
		if what, ok := secretPath(target.val); ok {
			a.f.set(readsSecrets, "redirection "+shown+" reads "+what)
		}
		if r.Op == syntax.RdrIn {
			return stdin{kind: stdinFile, text: target.val}
		}
	case syntax.DplIn:
		return in
	case syntax.DplOut:
		if isFD(target.val) {
			return in
		}
	}
	a.writeTarget(shown, target, r.Op == syntax.RdrInOut || r.Op == syntax.AppOut || r.Op == syntax.AppAll || r.Op == syntax.AppClob || r.Op == syntax.AppAllClob)
	return in
}

// writeTarget judges output written to a file, by a redirection or a
// program that writes (tee, cp, dd of=, curl -o). A file known only at run
// time is judged when it starts with $HOME.
func (a *analyzer) writeTarget(shown string, target word, appends bool) {
	p := target.val
	if !target.known {
		h, ok := homeWord(target)
		if !ok {
			return
		}
		p = h
	}
	if what, ok := privilegeFile(p); ok {
		a.f.set(privilege, shown+" writes "+what)
	}
	if what, ok := persistenceFile(p); ok {
		a.f.set(privilege, shown+" writes "+what+", which runs commands later")
	}
	if dir, ok := pathDir(p); ok {
		a.f.set(privilege, shown+" writes a program into "+dir+", a directory on PATH, which adds or replaces a command")
	} else if systemConfig(p) && !isHarmlessDevice(p) {
		a.f.set(privilege, shown+" changes "+p+", where only root may write")
	}
	if !appends && (strings.HasSuffix(path.Base(p), "_history") || under(path.Clean(p), "/var/log")) {
		a.f.set(destructive, shown+" erases the logs in "+p)
	}
	switch {
	case isBlockDevice(p):
		a.f.set(destructive, shown+" overwrites the device "+p)
	case !appends && systemPath(p) && !isHarmlessDevice(p) && !userLocal(p):
		a.f.set(destructive, shown+" overwrites the system file "+p)
	}
}

// userLocal reports whether p is in /usr/local, where installing is routine:
// overwriting there is not destructive (writing a program into
// /usr/local/bin is still privilege).
func userLocal(p string) bool {
	return under(path.Clean(p), "/usr/local")
}

// writesNothing reports whether a statement's command writes no output, so
// that its output redirections only empty files: > app.db, : > app.db.
func writesNothing(cmd syntax.Command) bool {
	switch c := cmd.(type) {
	case nil:
		return true
	case *syntax.CallExpr:
		if len(c.Args) == 0 {
			return true
		}
		if len(c.Args) == 1 {
			l := c.Args[0].Lit()
			return l == ":" || l == "true"
		}
	}
	return false
}

// dataExts are extensions of database files.
var dataExts = []string{".db", ".sqlite", ".sqlite3", ".db3", ".mdb", ".accdb", ".duckdb", ".realm"}

// emptied sets destructive for redirections that truncate a database file
// with nothing.
func (a *analyzer) emptied(sc *scope, rs []*syntax.Redirect) {
	for _, r := range rs {
		if r.Op != syntax.RdrOut && r.Op != syntax.RdrClob && r.Op != syntax.RdrAll {
			continue
		}
		t := wordOf(sc.src, r.Word)
		if t.known && hasExt(strings.ToLower(t.val), dataExts...) {
			a.f.set(destructive, "redirection "+brief([]string{r.Op.String() + t.val})+" empties the database file "+t.val)
		}
	}
}

// heredoc returns the text a here-document gives, and false when it holds
// expansions known only at run time.
func heredoc(r *syntax.Redirect) (string, bool) {
	if r.Hdoc == nil {
		return "", true
	}
	quoted := false
	for _, p := range r.Word.Parts {
		if l, ok := p.(*syntax.Lit); !ok || strings.IndexByte(l.Value, '\\') >= 0 {
			quoted = true
		}
	}
	var b strings.Builder
	for _, p := range r.Hdoc.Parts {
		l, ok := p.(*syntax.Lit)
		if !ok {
			return "", false
		}
		b.WriteString(l.Value)
	}
	if quoted {
		return b.String(), true
	}
	return unescapeHeredoc(b.String()), true
}

// isFD reports whether s names a file descriptor, as in >&2 or <&-.
func isFD(s string) bool {
	if s == "-" {
		return true
	}
	s = strings.TrimSuffix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
