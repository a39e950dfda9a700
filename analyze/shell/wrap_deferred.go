package shell

import "strings"

func init() {
	wrap(wrapAlias, "alias")
	wrap(wrapTrap, "trap")
	wrap(wrapAt, "at", "batch")
	wrap(wrapScript, "script")
	wrap(wrapTmux, "tmux")
	wrap(wrapSystemdRun, "systemd-run")
	wrap(wrapGcloud, "gcloud")
	wrap(wrapAz, "az")
}

// wrapAlias parses the value of each alias defined: it runs when the alias
// is used.
func wrapAlias(c *call) step {
	var defs []word
	for _, w := range c.args {
		if strings.Contains(w.val, "=") && !strings.HasPrefix(w.val, "-") {
			if !w.known {
				return c.fail("defines an alias known only at run time")
			}
			defs = append(defs, w)
		}
	}
	if len(defs) == 0 {
		return c.self()
	}
	c.a.record(c.sc, c.argv, c.name, c.via, c.dyn)
	for _, w := range defs {
		name, val, _ := strings.Cut(w.val, "=")
		c.shell("alias "+name, val, stdin{})
	}
	return c.done()
}

// wrapTrap parses the command a trap runs when its signal arrives.
func wrapTrap(c *call) step {
	_, i := optSpec{}.scan(c.args)
	if i >= len(c.args) || i+1 >= len(c.args) {
		return c.self()
	}
	cmd := c.args[i]
	if !cmd.known {
		return c.fail("sets a trap known only at run time")
	}
	c.a.record(c.sc, c.argv, c.name, c.via, c.dyn)
	return c.shell("trap", cmd.val, stdin{})
}

// wrapAt parses the commands at and batch read to run later.
func wrapAt(c *call) step {
	opts, _ := optSpec{short: "qfmMtuv"}.scan(c.args)
	if hasOpt(opts, "-l", "-r", "-d", "-c") {
		return c.self()
	}
	if f, ok := optVal(opts, "-f"); ok {
		return c.fail("runs the file " + f.val + " later, whose contents the analyser does not read")
	}
	return c.stdinShell(c.name)
}

// wrapScript parses script -c COMMAND, which runs through a shell.
func wrapScript(c *call) step {
	opts, _ := optSpec{short: "cEIOBTm", long: []string{"--command", "--echo", "--log-in", "--log-out", "--log-io", "--log-timing", "--logging-format"}}.scan(c.args)
	s, ok := optVal(opts, "-c", "--command")
	if !ok {
		return c.stdinShell(c.name)
	}
	if !s.known {
		return c.fail("runs a command string known only at run time")
	}
	return c.shell("script -c", s.val, c.in)
}

// wrapTmux parses the shell command given to tmux new-session, new-window,
// split-window and respawn-pane, and the keys send-keys types into a shell.
func wrapTmux(c *call) step {
	_, i := optSpec{short: "LSfcT"}.scan(c.args)
	if i >= len(c.args) || !c.args[i].known {
		return c.self()
	}
	verb := c.args[i].val
	switch verb {
	case "new", "new-session", "new-window", "neww", "split-window", "splitw", "respawn-pane", "respawnp", "send-keys", "send":
	default:
		return c.self()
	}
	opts, j := optSpec{short: "tscnxyFelpPXNT"}.scan(c.args[i+1:])
	_ = opts
	rest := c.args[i+1+j:]
	var keep []word
	for _, w := range rest {
		if verb == "send-keys" || verb == "send" {
			if w.known && (w.val == "Enter" || w.val == "C-m" || w.val == "KPEnter") {
				continue
			}
		}
		keep = append(keep, w)
	}
	if len(keep) == 0 {
		return c.self()
	}
	text, ok := joinKnown(keep)
	if !ok {
		return c.fail("runs a command known only at run time")
	}
	c.a.record(c.sc, c.argv, c.name, c.via, c.dyn)
	return c.shell("tmux "+verb, text, stdin{})
}

// wrapSystemdRun takes off systemd-run and its options.
func wrapSystemdRun(c *call) step {
	_, i := optSpec{short: "pEMHu", long: []string{"--unit", "--property", "--uid", "--gid", "--setenv", "--machine", "--host",
		"--description", "--slice", "--service-type", "--working-directory", "--on-calendar", "--on-active",
		"--on-boot", "--on-startup", "--on-unit-active", "--on-unit-inactive", "--nice", "--timer-property", "--path-property", "--socket-property"}}.scan(c.args)
	return c.run("systemd-run", c.args[i:], c.in)
}

// wrapGcloud parses the command of gcloud compute ssh --command; other gcloud
// commands are judged by the gcloud rule.
func wrapGcloud(c *call) step {
	opts, ops := subcommand(gcloudSpec, c.args)
	if len(ops) < 3 || !ops[0].known || !ops[1].known || ops[1].val != "ssh" {
		return c.self()
	}
	cmd, ok := optVal(opts, "--command")
	if !ok {
		return c.stdinShell("gcloud " + ops[0].val + " ssh")
	}
	if !cmd.known {
		return c.fail("runs a remote command known only at run time")
	}
	return c.shell("gcloud "+ops[0].val+" ssh "+ops[2].val, cmd.val, c.in)
}

// wrapAz parses the scripts of az vm run-command invoke --scripts; other az
// commands are judged by the az rule.
func wrapAz(c *call) step {
	line := " " + strings.Join(vals(c.args), " ") + " "
	if !strings.Contains(line, " run-command invoke ") {
		return c.self()
	}
	c.set(infraChange, "runs commands on a virtual machine")
	for i, w := range c.args {
		if !w.known || w.val != "--scripts" {
			continue
		}
		var parts []word
		for _, s := range c.args[i+1:] {
			if s.known && strings.HasPrefix(s.val, "--") {
				break
			}
			parts = append(parts, s)
		}
		text, ok := joinKnown(parts)
		if !ok {
			return c.fail("runs scripts known only at run time")
		}
		return c.shell("az vm run-command", strings.Join(strings.Fields(text), " "), stdin{})
	}
	return c.self()
}
