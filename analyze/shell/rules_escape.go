package shell

import (
	"regexp"
	"strings"
)

// Programs that can run other commands through their options or input
// ("escapes"): the command they would run is parsed when it is known, and
// the analysis fails closed when it is not.

func init() {
	register(ruleAwk, "awk", "gawk", "mawk", "nawk")
	register(ruleSed, "sed", "gsed")
	register(ruleTar, "tar", "gtar", "bsdtar")
	register(ruleZip, "zip")
	register(ruleVim, "vim", "vi", "nvim", "ex", "view", "vimdiff")
	register(ruleTeX, "pdflatex", "latex", "xelatex", "lualatex", "tex", "pdftex", "latexmk")
	register(ruleSQLite, "sqlite3")
	register(ruleEd, "ed")
	register(ruleLess, "less", "more", "man")
}

// ruleAwk: awk programs that call system(), pipe to or from commands, or
// come from a file.
func ruleAwk(c *call) {
	_, ops := subcommand(optSpec{short: "FvfW"}, c.args)
	if c.has("-f") || c.hasPrefix("--file") {
		c.escape("runs an awk program from a file")
		return
	}
	if len(ops) == 0 {
		return
	}
	prog := ops[0]
	if !prog.known {
		c.escape("runs an awk program known only at run time")
		return
	}
	if strings.Contains(prog.val, "system") || strings.Contains(prog.val, "|") {
		c.escape("runs commands from its awk program")
		return
	}
	for _, m := range awkOutput.FindAllStringSubmatch(prog.val, -1) {
		c.a.writeTarget(brief(vals(c.argv)), word{val: m[2], known: true}, m[1] == ">>")
	}
	if v, ok := c.value("-i", "--include"); ok && v.val == "inplace" {
		for _, f := range ops[1:] {
			c.a.writeTarget(brief(vals(c.argv)), f, true)
		}
	}
}

// awkOutput matches print and printf redirected to a file named by a string:
// print > "/etc/passwd".
var awkOutput = regexp.MustCompile(`\bprintf?\b[^;{}\n]*?(>>?)\s*"([^"]*)"`)

// sedExecCmd matches GNU sed's e command, after a line-number address.
var sedExecCmd = regexp.MustCompile(`(^|[;\n{}])\s*([0-9]+|\$)?(,([0-9]+|\$))?\s*!?\s*e(\s|;|$)`)

// sedExec reports whether a sed script runs commands: the e command, or an
// s command with the e flag.
func sedExec(script string) bool {
	if sedExecCmd.MatchString(script) {
		return true
	}
	for i := 0; i+1 < len(script); i++ {
		if script[i] != 's' || i > 0 && isWordByte(script[i-1]) {
			continue
		}
		d := script[i+1]
		if d == '\\' || d == '\n' || d == ' ' {
			continue
		}
		j, seen := i+2, 0
		for ; j < len(script) && seen < 2; j++ {
			switch script[j] {
			case '\\':
				j++
			case d:
				seen++
			}
		}
		if seen < 2 {
			continue
		}
		for ; j < len(script) && isWordByte(script[j]); j++ {
			if script[j] == 'e' {
				return true
			}
		}
		i = j - 1
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// ruleSed: sed scripts that run commands (the e command and flag) or come
// from a file.
func ruleSed(c *call) {
	if c.has("-f", "--file") || c.hasPrefix("--file=") {
		c.escape("runs a sed script from a file")
		return
	}
	for _, w := range c.args {
		if !w.known || strings.HasPrefix(w.val, "-") && len(w.val) > 1 {
			continue
		}
		if sedExec(w.val) {
			c.escape("runs commands from its sed script")
		}
		break
	}
	ruleWriters(c)
}

// ruleTar: --checkpoint-action=exec, --use-compress-program, --to-command,
// --info-script and --rsh-command run commands; extracting into a broad
// target is destructive.
func ruleTar(c *call) {
	for i, w := range c.args {
		if !w.known {
			continue
		}
		name, val, eq := strings.Cut(w.val, "=")
		if !eq && i+1 < len(c.args) {
			val = c.args[i+1].val
		}
		switch name {
		case "--checkpoint-action":
			if cmd, ok := strings.CutPrefix(val, "exec="); ok {
				c.runString("tar --checkpoint-action", cmd)
			}
		case "-I", "--use-compress-program", "--to-command", "-F", "--info-script", "--new-volume-script", "--rsh-command":
			c.runString("tar "+name, val)
		}
	}
	mode := ""
	if len(c.args) > 0 && c.args[0].known && !strings.HasPrefix(c.args[0].val, "-") {
		mode = c.args[0].val
	}
	extract := strings.Contains(mode, "x") || c.has("-x", "--extract", "--get") || c.hasClusterFlag('x')
	if dir, ok := c.value("-C", "--directory"); ok && extract {
		if !dir.known {
			c.set(destructive, "extracts into a directory known only at run time")
		} else if what, ok := broadTarget(dir.val); ok {
			c.set(destructive, "extracts over "+what)
		}
	}
}

// runString parses a command string a program runs, or fails closed.
func (c *call) runString(label, text string) {
	if text == "" {
		return
	}
	c.a.script(&scope{src: c.sc.src, via: c.via, depth: c.sc.depth, dyn: c.sc.dyn}, text, stdin{}, label)
}

// escape fails closed: the program runs commands the analyser cannot see.
func (c *call) escape(why string) {
	c.a.unknown(brief(vals(c.argv)), why)
}

// ruleZip: zip -TT (--unzip-command) runs a command.
func ruleZip(c *call) {
	if v, ok := c.value("-TT", "--unzip-command"); ok {
		if !v.known {
			c.escape("runs a test command known only at run time")
			return
		}
		c.runString("zip -TT", v.val)
	}
}

// ruleVim: editors given commands (-c, +cmd, --cmd) that reach a shell, or a
// script (-S, -s).
func ruleVim(c *call) {
	for i, w := range c.args {
		if !w.known {
			continue
		}
		cmd := ""
		switch {
		case (w.val == "-c" || w.val == "--cmd") && i+1 < len(c.args):
			cmd = c.args[i+1].val
			if !c.args[i+1].known {
				c.escape("runs editor commands known only at run time")
				return
			}
		case strings.HasPrefix(w.val, "+"):
			cmd = w.val[1:]
		case w.val == "-S" || w.val == "-s":
			c.escape("runs editor commands from a file")
			return
		}
		if strings.Contains(cmd, "!") || strings.Contains(cmd, "system(") || strings.Contains(cmd, "terminal") ||
			strings.HasPrefix(strings.TrimLeft(cmd, ": "), "py") || strings.HasPrefix(strings.TrimLeft(cmd, ": "), "lua") {
			c.escape("runs shell commands from the editor")
			return
		}
	}
	if c.piped() && c.has("-s", "-e", "-es", "-Es") {
		c.escape("runs editor commands piped into it")
	}
	ruleWriters(c)
}

// ruleTeX: TeX with shell escape runs \write18 commands.
func ruleTeX(c *call) {
	if c.has("-shell-escape", "--shell-escape", "-enable-write18", "--enable-write18") {
		c.escape("runs shell commands from the document (shell escape)")
	}
}

// ruleSQLite: the .shell and .system dot-commands, and dot-commands piped in.
func ruleSQLite(c *call) {
	for _, w := range c.args {
		if strings.Contains(w.val, ".shell") || strings.Contains(w.val, ".system") || strings.Contains(w.val, ".once") ||
			strings.Contains(w.val, ".output |") || strings.Contains(w.val, "edit(") {
			c.escape("runs shell commands from sqlite3")
			return
		}
	}
	ruleSQL(c)
}

// ruleEd: ed runs !commands read from its input.
func ruleEd(c *call) {
	if c.in.kind == stdinText && strings.Contains(c.in.text, "!") || c.in.kind == stdinPipe || c.in.kind == stdinUnknown {
		c.escape("runs shell commands from the editor")
	}
	ruleWriters(c)
}

// ruleLess: pagers run !commands typed into them and LESSOPEN filters; here
// only their input is seen, so a pager fed commands fails closed.
func ruleLess(c *call) {
	if c.in.kind == stdinText && strings.Contains(c.in.text, "!") {
		c.escape("runs shell commands from the pager")
	}
}
