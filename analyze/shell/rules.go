package shell

import "strings"

// call is a command reached after the wrappers, as the rules see it.
type call struct {
	a    *analyzer
	sc   *scope
	name string // program base name
	argv []word
	args []word // argv[1:]
	via  []string
	in   stdin
	dyn  bool // a wrapper on the way had words known only at run time

	egress bool // a rule found this command sends data out
}

// rules maps program names to what they check. Every judged command is also
// checked for arguments naming credentials and network devices.
var rules = map[string]func(*call){}

// register adds a rule for each of names.
func register(rule func(*call), names ...string) {
	for _, n := range names {
		if _, dup := rules[n]; dup {
			panic("shell: two rules for " + n)
		}
		rules[n] = rule
	}
}

// judge records a command the wrappers led to and applies the rules.
func (a *analyzer) judge(sc *scope, name string, argv []word, via []string, in stdin, dyn bool) {
	c := &call{a: a, sc: sc, name: name, argv: argv, args: argv[1:], via: via, in: in, dyn: dyn}
	own := false
	for _, w := range argv {
		if !w.known {
			own = true
			break
		}
	}
	a.record(sc, argv, name, via, dyn || own)
	if own {
		c.set(dynamic, "has words known only at run time")
	}
	c.secretArgs()
	c.wholesaleReads()
	c.outputs()
	c.systemOperands()
	for _, w := range c.args {
		if w.known && isNetDevice(w.val) {
			c.set(networkEgress, "opens "+w.val)
			break
		}
	}
	if rule := rules[name]; rule != nil {
		rule(c)
	} else if strings.HasPrefix(name, "mkfs") {
		ruleDisk(c)
	}
	if c.egress && sendsArgs[name] {
		c.secretVars()
	}
}

// judgeUnknown records a command whose program, or what it runs, cannot be
// known, and fails closed.
func (a *analyzer) judgeUnknown(sc *scope, argv []word, via []string, why string) {
	name := ""
	if len(argv) > 0 && argv[0].known {
		name = programName(argv[0].val)
	}
	a.f.addProgram(name)
	a.record(sc, argv, name, via, true)
	a.unknown(brief(vals(argv)), why)
}

// record appends a command to the facts.
func (a *analyzer) record(sc *scope, argv []word, name string, via []string, dyn bool) {
	if name == "" || sc.dyn {
		dyn = true
	}
	a.f.Commands = append(a.f.Commands, Command{Argv: vals(argv), Program: name, Via: cloneVia(via), Dynamic: dyn})
}

func cloneVia(via []string) []string {
	if len(via) == 0 {
		return nil
	}
	return append([]string(nil), via...)
}

// set turns facts on with a reason naming the command.
func (c *call) set(fs fact, why string) {
	if fs&networkEgress != 0 {
		c.egress = true
	}
	c.a.f.set(fs, brief(vals(c.argv))+" "+why)
}

// operands returns the arguments that are not options: those not starting
// with '-', and all after "--". Unknown words count as operands.
func (c *call) operands() []string {
	var out []string
	end := false
	for _, w := range c.args {
		switch {
		case end || !w.known:
			out = append(out, w.val)
		case w.val == "--":
			end = true
		case len(w.val) > 1 && w.val[0] == '-':
		default:
			out = append(out, w.val)
		}
	}
	return out
}

// has reports whether an argument is one of names, or a long name given a
// value with '='.
func (c *call) has(names ...string) bool {
	for _, w := range c.args {
		if !w.known {
			continue
		}
		for _, n := range names {
			if w.val == n || strings.HasPrefix(n, "--") && strings.HasPrefix(w.val, n+"=") {
				return true
			}
		}
	}
	return false
}

// value returns the value given to one of the options names: --name=v,
// --name v, -n v or -nv.
func (c *call) value(names ...string) (word, bool) {
	for i, w := range c.args {
		if !w.known {
			continue
		}
		for _, n := range names {
			switch {
			case w.val == n:
				if i+1 < len(c.args) {
					return c.args[i+1], true
				}
			case strings.HasPrefix(n, "--") && strings.HasPrefix(w.val, n+"="):
				return word{val: w.val[len(n)+1:], known: true}, true
			case len(n) == 2 && n[0] == '-' && n[1] != '-' && len(w.val) > 2 && strings.HasPrefix(w.val, n):
				return word{val: w.val[2:], known: true}, true
			}
		}
	}
	return word{}, false
}

// anyUnknown reports whether an argument is known only at run time.
func (c *call) anyUnknown() bool {
	for _, w := range c.args {
		if !w.known {
			return true
		}
	}
	return false
}

// piped reports whether the command reads another command's output or a
// file.
func (c *call) piped() bool {
	return c.in.kind == stdinPipe || c.in.kind == stdinFile || c.in.kind == stdinUnknown
}
