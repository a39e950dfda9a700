package shell

import (
	"fmt"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// maxDepth bounds how deep strings run by other commands (bash -c, ssh, su
// -c, watch, here-documents into a shell, eval) are followed. Deeper nesting
// fails closed.
const maxDepth = 8

// maxInput bounds the command text analysed; longer input fails closed.
const maxInput = 1 << 20

// maxNested and maxNestedBytes bound the strings one analysis parses beyond
// the input: a here-document read by many shells in a list would otherwise be
// parsed again by each, at each level. Past them, the analysis fails closed.
const (
	maxNested      = 256
	maxNestedBytes = 4 << 20
)

// parsers holds bash parsers for reuse; a parser's trees stay valid after it
// parses again, so one parser serves the nested parses of one analysis too.
var parsers = sync.Pool{New: func() any {
	return syntax.NewParser(syntax.Variant(syntax.LangBash))
}}

// Analyze tells what a shell command line or script would do. It never
// panics; input that does not parse, or is empty, fails closed: ParseError and
// every other boolean fact are true.
func Analyze(command string) (f Facts) {
	defer func() {
		if r := recover(); r != nil {
			f = Facts{}
			f.failParse(fmt.Sprintf("internal error: %v", r))
		}
	}()
	switch {
	case strings.TrimSpace(command) == "":
		f.failParse("empty command")
		return f
	case len(command) > maxInput:
		f.failParse("command longer than 1 MiB")
		return f
	case strings.IndexByte(command, 0) >= 0:
		f.failParse("command holds a NUL byte")
		return f
	}
	a := newAnalyzer(&f)
	defer a.release()
	a.script(&scope{}, command, stdin{}, "")
	return f
}

// AnalyzeArgv tells what an exec-style argv would do. The words are not
// parsed as shell, but wrappers are still taken off and the strings given to
// bash -c, ssh and the like are parsed. An empty argv fails closed.
func AnalyzeArgv(argv []string) (f Facts) {
	defer func() {
		if r := recover(); r != nil {
			f = Facts{}
			f.failParse(fmt.Sprintf("internal error: %v", r))
		}
	}()
	size := 0
	for _, s := range argv {
		size += len(s) + 1
		if strings.IndexByte(s, 0) >= 0 {
			f.failParse("argument holds a NUL byte")
			return f
		}
	}
	switch {
	case len(argv) == 0:
		f.failParse("empty argv")
		return f
	case size > maxInput:
		f.failParse("argv longer than 1 MiB")
		return f
	}
	a := newAnalyzer(&f)
	defer a.release()
	a.exec(&scope{}, lits(argv), nil, stdin{})
	return f
}

// analyzer holds the state of one analysis.
type analyzer struct {
	f *Facts
	p *syntax.Parser

	nested      int // strings parsed beyond the input
	nestedBytes int // their total size
}

func newAnalyzer(f *Facts) *analyzer {
	return &analyzer{f: f, p: parsers.Get().(*syntax.Parser)}
}

func (a *analyzer) release() {
	parsers.Put(a.p)
	a.p = nil
}

// scope is where words come from: the text they were parsed from, the
// wrappers that run it and how deeply it is nested.
type scope struct {
	src   string
	via   []string
	depth int
	dyn   bool // a wrapper that runs this text has words known only at run time
}

// stdinKind is what a command reads on its standard input.
type stdinKind uint8

const (
	stdinNone    stdinKind = iota // inherited: the caller's, unseen
	stdinPipe                     // the output of another command
	stdinFile                     // a file redirected in
	stdinText                     // a here-document or here-string known in full
	stdinUnknown                  // a here-document with expansions
)

type stdin struct {
	kind stdinKind
	text string // the text for stdinText, the path for stdinFile
}

// script parses text as shell and judges it. label names the wrapper that
// runs the text ("bash -c", "ssh host"); "" for the top level.
func (a *analyzer) script(sc *scope, text string, in stdin, label string) {
	inner := sc
	if label != "" {
		if sc.depth+1 > maxDepth {
			a.unknown(label, fmt.Sprintf("nests commands more than %d levels deep", maxDepth))
			return
		}
		a.nested++
		a.nestedBytes += len(text)
		if a.nested > maxNested || a.nestedBytes > maxNestedBytes {
			a.unknown(label, "runs more nested command text than the analyser follows")
			return
		}
		inner = &scope{src: text, via: appendVia(sc.via, label), depth: sc.depth + 1, dyn: sc.dyn}
	} else {
		inner.src = text
	}
	file, err := a.p.Parse(strings.NewReader(text), "")
	if err != nil {
		msg := err.Error()
		if label != "" {
			msg = label + ": " + msg
		}
		a.f.failParse(msg)
		return
	}
	a.stmts(inner, file.Stmts, in)
}

// unknown fails closed for a command whose program or input is not known:
// every risky fact is set, and opaque.
func (a *analyzer) unknown(what, why string) {
	a.f.set(assumed, fmt.Sprintf("assumed, %s %s", what, why))
}

// appendVia returns via with label added, never sharing via's array.
func appendVia(via []string, label string) []string {
	out := make([]string, len(via), len(via)+1)
	copy(out, via)
	return append(out, label)
}
