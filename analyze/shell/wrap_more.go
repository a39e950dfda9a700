package shell

import "strings"

func init() {
	// Wrappers whose options (if any) take no value or are written with '='.
	wrap(wrapPlain, "ifne", "eatmydata", "fakeroot", "xvfb-run", "dbus-run-session", "toybox",
		"proxychains", "proxychains4", "torsocks", "catchsegv", "chronic", "tsp", "faketime")
	wrap(wrapWith(optSpec{short: "oeEpsSuaPIb", long: []string{"--output", "--trace", "--expr", "--signal"}}, "-p", "--attach"), "strace", "ltrace")
	wrap(wrapWith(optSpec{short: "CNmpiP", long: []string{"--cpunodebind", "--physcpubind", "--membind", "--preferred", "--interleave"}}), "numactl")
	wrap(wrapWith(optSpec{short: "gt", long: []string{"--sticky"}}), "cgexec")
	wrap(wrapWith(optSpec{short: "p", long: []string{"--pid"}}, "-p", "--pid"), "prlimit")
	wrap(wrapWith(optSpec{short: "cdaPt"}), "ssh-agent")
	wrap(wrapWith(optSpec{short: "pfdeP", long: []string{"--profile", "--private", "--net", "--name"}}), "firejail")
	wrap(wrapSkipOne(optSpec{}, "-p", "--pid", "-a", "--all-tasks"), "taskset")
	wrap(wrapSkipOne(optSpec{short: "T", long: []string{"--sched-runtime", "--sched-period", "--sched-deadline"}}, "-p", "--pid", "-m", "--max"), "chrt")
	wrap(wrapSshpass, "sshpass")
	wrap(wrapPrivileged(optSpec{short: "S", long: []string{"--reuid", "--regid", "--groups", "--inh-caps", "--ambient-caps", "--bounding-set", "--securebits", "--selinux-label", "--apparmor-profile", "--ruid", "--rgid", "--euid", "--egid"}}), "setpriv")
	wrap(wrapPrivileged(optSpec{short: "ugD", long: []string{"--user", "--group", "--chdir", "--setenv", "--property", "--unit", "--description", "--slice", "--nice"}}), "run0")
	wrap(wrapPrivileged(optSpec{long: []string{"--setuid", "--setgid", "--map-user", "--map-group", "--propagation", "--mount-proc", "--wd", "--root"}}), "unshare")
	wrap(wrapSg, "sg")
	wrap(wrapScreen, "screen")
	wrap(wrapParallel, "parallel")
	wrap(wrapPee, "pee")
	wrap(wrapK8sDistro, "k3s", "microk8s")
}

// wrapSkipOne takes off a wrapper whose first operand is its own (taskset
// MASK CMD, chrt PRIO CMD); any option in self means it runs nothing.
func wrapSkipOne(spec optSpec, self ...string) func(*call) step {
	return func(c *call) step {
		opts, i := spec.scan(c.args)
		if hasOpt(opts, self...) || i+1 >= len(c.args) {
			return c.self()
		}
		return c.run(c.name, c.args[i+1:], c.in)
	}
}

// wrapPrivileged takes off a wrapper that changes the user or capabilities
// the command runs with.
func wrapPrivileged(spec optSpec) func(*call) step {
	return func(c *call) step {
		_, i := spec.scan(c.args)
		rest := c.args[i:]
		c.set(privilege, "changes the user or privileges it runs with")
		if len(rest) == 0 {
			return c.stdinShell(c.name)
		}
		return c.run(c.name, rest, c.in)
	}
}

// wrapSshpass takes off sshpass -p PASS (and -f, -e, -d).
func wrapSshpass(c *call) step {
	_, i := optSpec{short: "pfdPe"}.scan(c.args)
	return c.run(c.name, c.args[i:], c.in)
}

// wrapSg follows sg GROUP -c CMD and sg GROUP CMD.
func wrapSg(c *call) step {
	c.set(privilege, "runs a command with another group")
	_, i := optSpec{}.scan(c.args)
	if i >= len(c.args) {
		return c.self()
	}
	rest := c.args[i+1:]
	if len(rest) >= 2 && rest[0].known && rest[0].val == "-c" {
		rest = rest[1:2]
	}
	text, ok := joinKnown(rest)
	if !ok {
		return c.fail("runs a command known only at run time")
	}
	if text == "" {
		return c.stdinShell("sg")
	}
	return c.shell("sg", text, c.in)
}

// wrapScreen follows screen [opts] CMD...; screen -X stuff TEXT types
// text into a window's shell.
func wrapScreen(c *call) step {
	opts, i := optSpec{short: "SpctehX", long: []string{"-Logfile"}}.scan(c.args)
	if x, ok := optVal(opts, "-X"); ok {
		if x.known && x.val == "stuff" && i < len(c.args) {
			text, ok := joinKnown(c.args[i:])
			if !ok {
				return c.fail("types text known only at run time into a shell")
			}
			return c.shell("screen stuff", strings.NewReplacer(`\n`, "\n", `\r`, "\n", "^M", "\n").Replace(text), stdin{})
		}
		return c.self()
	}
	if i >= len(c.args) {
		return c.self()
	}
	return c.run("screen", c.args[i:], stdin{})
}

// wrapParallel follows GNU parallel: the command runs once per argument
// after ::: (with {} replaced, or the argument added); arguments read from
// input or a file (::::) are known only at run time.
func wrapParallel(c *call) step {
	_, i := optSpec{short: "jSaIdEnNsLlX", long: []string{"--jobs", "--sshlogin", "--arg-file", "--delimiter", "--joblog", "--results", "--timeout", "--retries"}}.scan(c.args)
	rest := c.args[i:]
	sep := len(rest)
	for j, w := range rest {
		if w.known && (w.val == ":::" || w.val == "::::" || w.val == ":::+") {
			sep = j
			break
		}
	}
	cmd := rest[:sep]
	if len(cmd) == 1 && cmd[0].known && strings.ContainsAny(cmd[0].val, " ;|&") {
		if strings.Contains(cmd[0].val, "{") {
			return c.fail("runs a command string with arguments known only at run time")
		}
		cmd = []word{{val: "sh", known: true}, {val: "-c", known: true}, cmd[0]}
	}
	var args []word
	if sep < len(rest) && rest[sep].val != "::::" {
		args = rest[sep+1:]
	} else {
		args = []word{{val: "{}", known: false}}
	}
	if len(cmd) == 0 {
		return c.fail("runs the commands it is given as arguments")
	}
	for _, a := range args {
		argv := make([]word, 0, len(cmd)+1)
		replaced := false
		for _, w := range cmd {
			if strings.Contains(w.val, "{}") {
				replaced = true
				w = word{val: strings.ReplaceAll(w.val, "{}", a.val), known: w.known && a.known}
			}
			argv = append(argv, w)
		}
		if !replaced {
			argv = append(argv, a)
		}
		c.a.exec(c.sc, argv, appendVia(c.via, "parallel"), stdin{})
	}
	return c.done()
}

// wrapPee parses each argument of pee as a shell command fed its input.
func wrapPee(c *call) step {
	for _, w := range c.args {
		if !w.known {
			return c.fail("runs a command known only at run time")
		}
		c.shell("pee", w.val, c.in)
	}
	return c.done()
}

// wrapK8sDistro follows k3s kubectl ... and microk8s kubectl ... (and
// microk8s.kubectl-style names are programs of their own).
func wrapK8sDistro(c *call) step {
	if len(c.args) > 0 && c.args[0].known && (c.args[0].val == "kubectl" || c.args[0].val == "helm" || c.args[0].val == "helm3") {
		return c.run(c.name, c.args, c.in)
	}
	return c.self()
}
