package shell

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// commandVars are environment variables whose value is a command some
// program runs: git, ssh, editors, pagers, bash -x's PS4, the prompt.
var commandVars = map[string]bool{
	"GIT_SSH_COMMAND": true, "GIT_SSH": true, "GIT_EXTERNAL_DIFF": true, "GIT_PAGER": true,
	"GIT_EDITOR": true, "GIT_SEQUENCE_EDITOR": true, "GIT_ASKPASS": true, "SSH_ASKPASS": true,
	"GIT_PROXY_COMMAND": true, "PAGER": true, "MANPAGER": true, "EDITOR": true, "VISUAL": true,
	"BROWSER": true, "LESSOPEN": true, "LESSCLOSE": true, "PS1": true, "PS2": true, "PS4": true,
	"PROMPT_COMMAND": true, "SUDO_ASKPASS": true, "SYSTEMD_PAGER": true, "KUBE_EDITOR": true,
	"TAR_OPTIONS": true, "RSYNC_RSH": true, "CVS_RSH": true,
}

// envRisk judges one NAME=VALUE given to a command (prefix assignment, env)
// or set for later ones (export, plain assignment). It returns why the
// command must fail closed, or "".
func (a *analyzer) envRisk(sc *scope, name string, val word, forCommand bool) string {
	switch {
	case loadsCode(name) || strings.HasPrefix(name, "BASH_FUNC_"):
		return "sets " + name + ", which makes programs load code the analyser cannot see"
	case name == "PATH" && (forCommand && !systemPATH(val) || scratchPath(val)):
		return "sets PATH, which changes which programs run"
	case commandVars[name]:
		if !val.known {
			return "sets " + name + " to a command known only at run time"
		}
		text := val.val
		if name == "PS1" || name == "PS2" || name == "PS4" {
			text = `echo "` + strings.ReplaceAll(text, `"`, `\"`) + `"`
		}
		a.script(sc, text, stdin{}, "$"+name)
	}
	return ""
}

// scratchPath reports whether a PATH value puts a world-writable, relative
// or unknown directory first.
func scratchPath(val word) bool {
	if !val.known {
		first, _, _ := strings.Cut(val.val, ":")
		return !strings.Contains(first, "$")
	}
	first, _, _ := strings.Cut(val.val, ":")
	return first == "" || first[0] != '/' && first[0] != '~' ||
		under(first, "/tmp") || under(first, "/var/tmp") || under(first, "/dev/shm")
}

// systemPATH reports whether a PATH value names only the system's program
// directories.
func systemPATH(val word) bool {
	if !val.known {
		return false
	}
	for _, d := range strings.Split(val.val, ":") {
		if !contains(binDirs, strings.TrimRight(d, "/")) {
			return false
		}
	}
	return true
}

// assignRisk applies envRisk to a syntax assignment.
func (a *analyzer) assignRisk(sc *scope, as *syntax.Assign, forCommand bool) string {
	if as.Name == nil || as.Array != nil || as.Index != nil {
		return ""
	}
	val := word{known: true}
	if as.Value != nil {
		val = wordOf(sc.src, as.Value)
	}
	return a.envRisk(sc, as.Name.Value, val, forCommand)
}
