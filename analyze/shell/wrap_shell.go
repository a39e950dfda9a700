package shell

import "strings"

func init() {
	wrap(wrapShell, "sh", "bash", "rbash", "zsh", "dash", "ksh", "ksh93", "mksh", "ash", "yash", "posh", "fish", "csh", "tcsh", "oksh", "loksh")
	wrap(wrapEval, "eval")
	wrap(wrapSource, "source", ".")
	wrap(wrapHash, "hash", "enable")
}

// wrapHash fails closed for hash -p PATH NAME and enable -f, which make a
// command name run another file.
func wrapHash(c *call) step {
	if c.hasPrefix("-p") && c.name == "hash" || c.hasPrefix("-f") && c.name == "enable" {
		return c.fail("makes a command name run another file")
	}
	return c.self()
}

// interpreters run programs in languages other than shell. A program given
// to them inline, in a file or on their input is not analysed: they fail
// closed. python3.12 and the like count by prefix.
var interpreters = map[string]bool{
	"python": true, "python2": true, "python3": true, "pypy": true, "pypy3": true, "ipython": true,
	"perl": true, "ruby": true, "irb": true, "node": true, "nodejs": true, "deno": true, "bun": true,
	"php": true, "lua": true, "luajit": true, "tclsh": true, "wish": true, "Rscript": true,
	"pwsh": true, "powershell": true, "osascript": true, "groovy": true, "jshell": true,
	"R": true, "julia": true, "expect": true, "gnuplot": true, "nu": true, "xonsh": true, "osh": true,
	"elvish": true, "ion": true, "rc": true, "es": true, "scala": true, "kotlin": true, "swift": true,
	"emacs": true, "gdb": true, "lldb": true, "dc": true, "m4": true,
}

// isInterpreter reports whether name runs programs in another language:
// python3.12, php8.2, perl5.36 and node20 count as their base names.
func isInterpreter(name string) bool {
	if interpreters[name] {
		return true
	}
	base := strings.TrimRight(name, "0123456789.-")
	return base != name && base != "" && interpreters[base]
}

// wrapShell follows sh, bash and the other shells: -c STRING is parsed, a
// script file fails closed, and commands read from the input are parsed when
// they are a known here-document, and fail closed otherwise.
func wrapShell(c *call) step {
	cmode, smode := false, false
	i := 0
	for i < len(c.args) {
		w := c.args[i]
		if !w.known {
			break
		}
		s := w.val
		if s == "--" || s == "-" {
			i++
			break
		}
		if len(s) < 2 || s[0] != '-' && s[0] != '+' {
			break
		}
		i++
		if strings.HasPrefix(s, "--") {
			switch s {
			case "--version", "--help":
				return c.self()
			case "--rcfile", "--init-file":
				i++
			}
			continue
		}
		for _, ch := range s[1:] {
			switch ch {
			case 'c':
				cmode = true
			case 's':
				smode = true
			case 'o', 'O':
				i++
			}
		}
	}
	rest := c.args[min(i, len(c.args)):]
	if cmode {
		if len(rest) == 0 {
			return c.self()
		}
		if !rest[0].known {
			return c.fail("runs a command string known only at run time")
		}
		return c.shell(c.name+" -c", rest[0].val, c.in)
	}
	if len(rest) > 0 && !smode {
		return c.fail("runs the script " + rest[0].val + ", whose contents the analyser does not read")
	}
	return c.stdinShell(c.name)
}

// stdinShell judges a shell (local or remote) that reads its commands from
// its input: a known here-document is parsed, anything else fails closed.
func (c *call) stdinShell(label string) step {
	switch c.in.kind {
	case stdinText:
		return c.shell(label, c.in.text, stdin{})
	case stdinPipe:
		return c.fail("runs commands piped into it")
	case stdinFile:
		return c.fail("runs commands read from " + c.in.text)
	case stdinUnknown:
		return c.fail("runs a here-document known only at run time")
	}
	return c.fail("runs the commands typed into it")
}

// wrapInterpreter judges python, node and the like: only asking for the
// version or help is known; any program they run fails closed.
func wrapInterpreter(c *call) step {
	if len(c.args) > 0 {
		all := true
		for _, w := range c.args {
			if !w.known || !contains([]string{"--version", "-V", "-v", "-VV", "--help", "-h"}, w.val) {
				all = false
				break
			}
		}
		if all {
			return c.self()
		}
	}
	for i, w := range c.args {
		if !w.known {
			return c.fail("runs a program known only at run time")
		}
		switch {
		case w.val == "-c" || w.val == "-e" || w.val == "-E" || w.val == "-r" || w.val == "--eval" || w.val == "-p" && c.name != "perl":
			return c.fail("runs inline " + c.name + " code, which the analyser does not read")
		case w.val == "-m" && i+1 < len(c.args):
			return c.fail("runs the module " + c.args[i+1].val + ", which the analyser does not read")
		case w.val == "-" || strings.HasPrefix(w.val, "-"):
			continue
		default:
			return c.fail("runs the program " + w.val + ", which the analyser does not read")
		}
	}
	switch c.in.kind {
	case stdinPipe:
		return c.fail("runs a program piped into it")
	case stdinFile:
		return c.fail("runs the program in " + c.in.text)
	case stdinText, stdinUnknown:
		return c.fail("runs a here-document as " + c.name + " code, which the analyser does not read")
	}
	return c.fail("runs the code typed into it")
}

// wrapEval parses eval's words, joined, as shell when they are all known;
// eval of anything known only at run time fails closed.
func wrapEval(c *call) step {
	text, ok := joinKnown(c.args)
	if !ok {
		return c.fail("evaluates text known only at run time")
	}
	if len(c.args) == 0 {
		return c.self()
	}
	c.set(dynamic, "builds a command from text")
	return c.shell("eval", text, c.in)
}

// wrapSource fails closed: source and . run a file in this shell.
func wrapSource(c *call) step {
	if len(c.args) == 0 {
		return c.self()
	}
	return c.fail("runs the file " + c.args[0].val + " in this shell, whose contents the analyser does not read")
}
