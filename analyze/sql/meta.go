package sql

import (
	"errors"
	"fmt"
	"strings"
)

// A payload may be a psql script. psql treats a backslash outside quotes and
// comments as the start of a meta-command that runs to the end of the line.
// \copy is understood; any other meta-command fails closed.

// segment is SQL text, or one meta-command line from its backslash.
type segment struct {
	sql, meta string
}

// split cuts src into SQL text and meta-command lines. It refuses a string
// literal whose end depends on standard_conforming_strings, since the
// server could then see other statements than the parser does.
func split(src string) ([]segment, error) {
	var segs []segment
	start, i := 0, 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			i = lineEnd(src, i)
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			i = blockCommentEnd(src, i)
		case c == '\'':
			esc := i > 0 && (src[i-1] == 'e' || src[i-1] == 'E') && (i < 2 || !identByte(src[i-2]))
			end := stringEnd(src, i, esc)
			if !esc && stringClose(src, i, true) != stringClose(src, i, false) {
				return nil, fmt.Errorf("the string literal at position %d ends elsewhere when standard_conforming_strings is off", i+1)
			}
			i = end
		case c == '"':
			i = stringEnd(src, i, false)
		case c == '$':
			i = dollarEnd(src, i)
		case c == '\\':
			segs = append(segs, segment{sql: src[start:i]})
			end := lineEnd(src, i)
			segs = append(segs, segment{meta: src[i:end]})
			start, i = end, end
		case identByte(c):
			for i < len(src) && identByte(src[i]) {
				i++
			}
		default:
			i++
		}
	}
	return append(segs, segment{sql: src[start:]}), nil
}

func identByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func lineEnd(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(s)
}

// blockCommentEnd returns the index after the (nested) comment at i.
func blockCommentEnd(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(s[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(s)
}

// stringEnd returns the index after the quoted token at i (its quote
// doubled inside), or len(s) when it is not closed; esc lets a backslash
// escape the next byte.
func stringEnd(s string, i int, esc bool) int {
	if end := stringClose(s, i, esc); end >= 0 {
		return end
	}
	return len(s)
}

// stringClose is stringEnd, but -1 when the token is not closed.
func stringClose(s string, i int, esc bool) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case esc && s[j] == '\\':
			j++
		case s[j] == q && j+1 < len(s) && s[j+1] == q:
			j++
		case s[j] == q:
			return j + 1
		}
	}
	return -1
}

// dollarEnd returns the index after a dollar-quoted string at i, or after
// the lone $ when none starts there.
func dollarEnd(s string, i int) int {
	j := i + 1
	if j < len(s) && (s[j] < '0' || s[j] > '9') {
		for j < len(s) && identByte(s[j]) && s[j] != '$' {
			j++
		}
	}
	if j >= len(s) || s[j] != '$' {
		return i + 1
	}
	tag := s[i : j+1]
	if k := strings.Index(s[j+1:], tag); k >= 0 {
		return j + 1 + k + len(tag)
	}
	return len(s)
}

// meta handles one meta-command line.
func (a *analyzer) meta(line string) error {
	cmd, args := line, ""
	if i := strings.IndexAny(line, " \t\r"); i >= 0 {
		cmd, args = line[:i], line[i:]
	}
	if cmd == `\copy` {
		return a.clientCopy(strings.TrimSpace(args))
	}
	if len(cmd) > 24 {
		cmd = cmd[:24] + "..."
	}
	a.st = &stmt{typ: "meta_command"}
	a.st.opaque("psql meta-command " + cmd + " cannot be analysed")
	a.out = append(a.out, a.st.done())
	a.reasons = append(a.reasons, a.st.reasons...)
	return fmt.Errorf("psql meta-command %s is not understood", cmd)
}

var errCopy = errors.New(`\copy: cannot find FROM or TO`)

// clientCopy handles psql's \copy. psql sends "COPY <before> FROM STDIN" or
// "... TO STDOUT" followed by whatever follows the file name, verbatim; that
// text is parsed and analysed as the server would receive it.
func (a *analyzer) clientCopy(args string) error {
	kw, end := copyDirection(args)
	if kw < 0 {
		return errCopy
	}
	before := args[:kw]
	from := strings.EqualFold(args[kw:end], "from")
	rest := strings.TrimLeft(args[end:], " \t\r")
	target, rest := copyToken(rest)
	program := strings.EqualFold(target, "program")
	if program {
		_, rest = copyToken(strings.TrimLeft(rest, " \t\r"))
	}
	q := "COPY " + before + " TO STDOUT " + rest
	if from {
		q = "COPY " + before + " FROM STDIN " + rest
	}
	return a.runClientCopy(q, program)
}

// copyDirection finds the FROM or TO keyword outside quotes and parentheses.
func copyDirection(s string) (start, end int) {
	depth := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			i = stringEnd(s, i, false)
		case c == '(':
			depth++
			i++
		case c == ')':
			depth--
			i++
		case identByte(c):
			j := i
			for j < len(s) && identByte(s[j]) {
				j++
			}
			if w := s[i:j]; depth == 0 && i > 0 && (strings.EqualFold(w, "from") || strings.EqualFold(w, "to")) {
				return i, j
			}
			i = j
		default:
			i++
		}
	}
	return -1, -1
}

// copyToken splits off the first token: a quoted string or a bare word.
func copyToken(s string) (tok, rest string) {
	if s == "" {
		return "", ""
	}
	if s[0] == '\'' || s[0] == '"' {
		end := stringEnd(s, 0, false)
		return s[:end], s[end:]
	}
	if i := strings.IndexAny(s, " \t\r"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// runClientCopy analyses the COPY psql sends; the first statement must be
// that COPY, and any that follow are analysed as they are.
func (a *analyzer) runClientCopy(q string, program bool) error {
	js, err := parserJSON(q)
	if err != nil {
		return fmt.Errorf(`\copy: %w`, err)
	}
	root, err := a.t.decode(js)
	if err != nil {
		return err
	}
	for i, c := 0, a.t.first(a.t.get(root, "stmts")); c != none; i, c = i+1, a.t.next(c) {
		kind, body := a.t.node(a.t.get(c, "stmt"))
		if i > 0 {
			a.statement(kind, body)
			continue
		}
		if kind != "CopyStmt" {
			return errCopy
		}
		a.st = &stmt{typ: "copy"}
		a.scope, a.skip, a.depth = a.scope[:0], a.skip[:0], 0
		a.copyStmt(body, true, program)
		a.out = append(a.out, a.st.done())
		a.reasons = append(a.reasons, a.st.reasons...)
	}
	return nil
}
