package shell

import "strings"

func init() {
	wrap(wrapEnv, "env")
	wrap(wrapTimeout, "timeout", "gtimeout")
	wrap(wrapNice, "nice")
	wrap(wrapPlain, "nohup", "builtin", "busybox", "unbuffer", "caffeinate")
	wrap(wrapWith(optSpec{short: "cnpP", long: []string{"--class", "--classdata", "--pid", "--pgid", "--uid"}}, "-p", "-P", "-u", "--pid", "--pgid", "--uid"), "ionice")
	wrap(wrapWith(optSpec{short: "ioe", long: []string{"--input", "--output", "--error"}}), "stdbuf")
	wrap(wrapWith(optSpec{short: "fo", long: []string{"--format", "--output"}}), "time")
	wrap(wrapWith(optSpec{}, "-v", "-V"), "command")
	wrap(wrapWith(optSpec{short: "a"}), "exec")
	wrap(wrapWith(optSpec{}), "setsid")
	wrap(wrapFlock, "flock")
	wrap(wrapXargs, "xargs")
	wrap(wrapFind, "find")
	wrap(wrapWatch, "watch")
}

// wrapPlain takes off a wrapper that has no options: nohup CMD.
func wrapPlain(c *call) step {
	return c.run(c.name, c.args, c.in)
}

// wrapWith returns a wrapper that skips the options of spec; any of the
// options in self means the program runs nothing (command -v, ionice -p).
func wrapWith(spec optSpec, self ...string) func(*call) step {
	return func(c *call) step {
		opts, i := spec.scan(c.args)
		if hasOpt(opts, self...) {
			return c.self()
		}
		return c.run(c.name, c.args[i:], c.in)
	}
}

// wrapEnv takes off env: its options, its NAME=VALUE words, -S strings. With
// no command, env prints the environment.
func wrapEnv(c *call) step {
	opts, i := optSpec{short: "uCSP", long: []string{"--unset", "--chdir", "--split-string"}}.scan(c.args)
	rest := c.args[i:]
	for _, w := range rest {
		if strings.HasPrefix(strings.TrimLeft(w.val, `"'`), "BASH_FUNC_") {
			return c.fail("exports a shell function, which replaces a command")
		}
	}
	for len(rest) > 0 && isAssignWord(rest[0]) {
		name, val, _ := strings.Cut(strings.TrimLeft(rest[0].val, `"'`), "=")
		v := word{val: val, known: rest[0].known}
		if why := c.a.envRisk(c.sc, name, v, true); why != "" {
			return c.fail(why)
		}
		rest = rest[1:]
	}
	if s, ok := optVal(opts, "-S", "--split-string"); ok {
		if !s.known {
			return c.fail("splits a string known only at run time into a command")
		}
		text := s.val
		for _, w := range rest {
			if !w.known {
				return c.fail("runs words known only at run time")
			}
			text += " " + quote(w.val)
		}
		return c.shell("env -S", text, c.in)
	}
	if len(rest) == 0 {
		if !hasOpt(opts, "-i", "--ignore-environment") {
			c.set(readsSecrets, "prints the environment")
		}
		return c.self()
	}
	return c.run("env", rest, c.in)
}

// isAssignWord reports whether w is a NAME=VALUE word; a word known only at
// run time counts when its text starts that way ("FOO=$BAR").
func isAssignWord(w word) bool {
	s := w.val
	if !w.known {
		s = strings.TrimLeft(s, `"'`)
	}
	name, _, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if !(ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || i > 0 && ch >= '0' && ch <= '9') {
			return false
		}
	}
	return true
}

// wrapTimeout takes off timeout [opts] DURATION.
func wrapTimeout(c *call) step {
	_, i := optSpec{short: "sk", long: []string{"--signal", "--kill-after"}}.scan(c.args)
	if i+1 >= len(c.args) {
		return c.self()
	}
	return c.run(c.name, c.args[i+1:], c.in)
}

// wrapNice takes off nice [-n N | -N | --adjustment=N].
func wrapNice(c *call) step {
	i := 0
	for i < len(c.args) && c.args[i].known {
		s := c.args[i].val
		switch {
		case s == "-n" || s == "--adjustment":
			i += 2
			continue
		case s == "--":
			i++
		case strings.HasPrefix(s, "-n") || strings.HasPrefix(s, "--adjustment=") || len(s) > 1 && s[0] == '-' && isNumber(strings.TrimPrefix(s[1:], "-")):
			i++
			continue
		}
		break
	}
	if i >= len(c.args) {
		return c.self()
	}
	return c.run("nice", c.args[i:], c.in)
}

// wrapFlock takes off flock [opts] FILE CMD... and flock FILE -c STRING.
func wrapFlock(c *call) step {
	opts, i := optSpec{short: "wEc", long: []string{"--timeout", "--wait", "--conflict-exit-code", "--command"}}.scan(c.args)
	if i >= len(c.args) {
		return c.self()
	}
	rest := c.args[i+1:]
	if len(rest) > 0 && rest[0].known && (rest[0].val == "-c" || rest[0].val == "--command") {
		if len(rest) < 2 {
			return c.self()
		}
		opts = append(opts, opt{name: "-c", val: rest[1]})
		rest = nil
	}
	if s, ok := optVal(opts, "-c", "--command"); ok {
		if !s.known {
			return c.fail("runs a command string known only at run time")
		}
		return c.shell("flock -c", s.val, c.in)
	}
	return c.run("flock", rest, c.in)
}

// wrapXargs takes off xargs: the command it runs (echo by default) gets
// arguments read from its input, known only at run time.
func wrapXargs(c *call) step {
	opts, i := optSpec{
		short: "ILnPsdEa",
		long:  []string{"--replace", "--max-lines", "--max-args", "--max-procs", "--max-chars", "--delimiter", "--eof", "--arg-file", "--process-slot-var"},
	}.scan(c.args)
	rest := append([]word(nil), c.args[i:]...)
	if len(rest) == 0 {
		rest = []word{{val: "echo", known: true}}
	}
	repl := ""
	for _, o := range opts {
		switch {
		case o.name == "-I" || o.name == "--replace":
			repl = o.val.val
			if repl == "" {
				repl = "{}"
			}
		case o.name == "-i":
			repl = "{}"
		}
	}
	if repl != "" {
		for j := 1; j < len(rest); j++ {
			if strings.Contains(rest[j].val, repl) {
				rest[j].known = false
			}
		}
		if strings.Contains(rest[0].val, repl) {
			rest[0].known = false
		}
	} else {
		rest = append(rest, word{val: "{}", known: false})
	}
	return c.run("xargs", rest, stdin{})
}

// wrapFind judges find itself and follows the commands its -exec, -execdir,
// -ok and -okdir actions run, with {} known only at run time.
func wrapFind(c *call) step {
	c.a.judge(c.sc, c.name, c.argv, c.via, c.in, c.dyn)
	via := appendVia(c.via, "find -exec")
	for i := 0; i < len(c.args); i++ {
		w := c.args[i]
		if !w.known || !(w.val == "-exec" || w.val == "-execdir" || w.val == "-ok" || w.val == "-okdir") {
			continue
		}
		var inner []word
		for i++; i < len(c.args); i++ {
			v := c.args[i]
			if v.known && (v.val == ";" || v.val == "+") {
				break
			}
			if strings.Contains(v.val, "{}") {
				v.known = false
			}
			inner = append(inner, v)
		}
		c.a.exec(c.sc, inner, via, stdin{})
	}
	return c.done()
}

// wrapWatch takes off watch: it runs its words joined, through sh -c, unless
// -x (--exec) gives them as an argv.
func wrapWatch(c *call) step {
	opts, i := optSpec{short: "nq", long: []string{"--interval", "--equexit"}}.scan(c.args)
	rest := c.args[i:]
	if len(rest) == 0 {
		return c.self()
	}
	if hasOpt(opts, "-x", "--exec") {
		return c.run("watch", rest, stdin{})
	}
	text, ok := joinKnown(rest)
	if !ok {
		return c.fail("runs a command known only at run time")
	}
	return c.shell("watch", text, stdin{})
}

// quote quotes s for bash if it needs it.
func quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@%+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
