package shell

import (
	"path"
	"strings"
)

// maxHops bounds how many wrappers one command may pass through.
const maxHops = 32

// stepKind says what a wrapper does with the command it was given.
type stepKind uint8

const (
	stepSelf stepKind = iota // it is the command itself: judge it
	stepRun                  // it runs another argv: follow it
	stepDone                 // it was handled (parsed as shell, or failed closed)
)

// step is a wrapper's answer.
type step struct {
	kind  stepKind
	argv  []word
	label string
	in    stdin
}

// wrappers maps program names to the wrappers that take them off.
var wrappers = map[string]func(*call) step{}

// wrap adds a wrapper for each of names.
func wrap(w func(*call) step, names ...string) {
	for _, n := range names {
		if _, dup := wrappers[n]; dup {
			panic("shell: two wrappers for " + n)
		}
		wrappers[n] = w
	}
}

// exec follows argv through the wrappers that run another command and judges
// the command it reaches.
func (a *analyzer) exec(sc *scope, argv []word, via []string, in stdin) {
	dyn := false // a wrapper's own words are known only at run time
	for hops := 0; len(argv) > 0; hops++ {
		if hops > maxHops {
			a.judgeUnknown(sc, argv, via, "passes through too many wrappers")
			return
		}
		head := argv[0]
		if !head.known {
			a.judgeUnknown(sc, argv, via, "runs a program named only at run time")
			return
		}
		if head.glob {
			a.judgeUnknown(sc, argv, via, "names its program with a pattern the shell expands")
			return
		}
		name := programName(head.val)
		if name == "" {
			a.judgeUnknown(sc, argv, via, "has no program name")
			return
		}
		if why, ok := unknownExecutable(head.val); ok {
			a.judgeUnknown(sc, argv, via, why)
			return
		}
		a.f.addProgram(name)
		w := wrappers[name]
		if w == nil && isInterpreter(name) {
			w = wrapInterpreter
		}
		if w == nil {
			a.judge(sc, name, argv, via, in, dyn)
			return
		}
		c := &call{a: a, sc: sc, name: name, argv: argv, args: argv[1:], via: via, in: in, dyn: dyn}
		next := w(c)
		switch next.kind {
		case stepSelf:
			a.judge(sc, name, argv, via, in, dyn)
			return
		case stepDone:
			return
		}
		if consumedUnknown(argv, next.argv) {
			a.f.set(dynamic, brief(vals(argv))+" has words known only at run time")
			dyn = true
		}
		argv, via, in = next.argv, appendVia(via, next.label), next.in
	}
}

// consumedUnknown reports whether a wrapper took words known only at run
// time for itself (ssh "$host" CMD, sudo -u "$U" CMD) rather than passing
// them on.
func consumedUnknown(argv, next []word) bool {
	for _, w := range argv {
		if w.known {
			continue
		}
		passed := false
		for _, n := range next {
			if !n.known && n.val == w.val {
				passed = true
				break
			}
		}
		if !passed {
			return true
		}
	}
	return false
}

// programName is the base name of the program word.
func programName(s string) string {
	s = strings.TrimRight(s, "/")
	if s == "" {
		return ""
	}
	return path.Base(s)
}

// binDirs are the directories an absolute program path may name and still
// be the well-known program of that name.
var binDirs = []string{"/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/opt/homebrew/bin", "/snap/bin"}

// scriptExts are extensions of files run as programs whose contents the
// analyser does not read.
var scriptExts = []string{".sh", ".bash", ".zsh", ".ksh", ".py", ".pl", ".rb", ".js", ".mjs", ".cjs", ".ts", ".php", ".ps1", ".bat", ".cmd", ".command", ".run", ".bin", ".exe", ".jar", ".appimage"}

// unknownExecutable reports whether the program word names a file whose
// contents decide what runs: ./deploy.sh, bin/tool, /tmp/x.
func unknownExecutable(s string) (string, bool) {
	if strings.Contains(s, "/") {
		if s[0] == '/' && contains(binDirs, path.Dir(s)) {
			return "", false
		}
		return "runs the file " + s + ", whose contents the analyser does not read", true
	}
	if hasExt(strings.ToLower(s), scriptExts...) {
		return "runs the script " + s + ", whose contents the analyser does not read", true
	}
	return "", false
}

// self, run, done and unknown build a wrapper's answer.
func (c *call) self() step { return step{kind: stepSelf} }

func (c *call) run(label string, argv []word, in stdin) step {
	if len(argv) == 0 {
		return step{kind: stepSelf}
	}
	return step{kind: stepRun, argv: argv, label: label, in: in}
}

func (c *call) done() step { return step{kind: stepDone} }

// fail records the command as one whose effect cannot be known and fails
// closed.
func (c *call) fail(why string) step {
	c.a.judgeUnknown(c.sc, c.argv, c.via, why)
	return step{kind: stepDone}
}

// shell parses text as shell run by this command, with label as its wrapper.
func (c *call) shell(label, text string, in stdin) step {
	dyn := c.dyn || c.sc.dyn
	if c.anyUnknown() {
		c.set(dynamic, "has words known only at run time")
		dyn = true
	}
	c.a.script(&scope{src: c.sc.src, via: c.via, depth: c.sc.depth, dyn: dyn}, text, in, label)
	return step{kind: stepDone}
}

// opt is one option found by optSpec.scan.
type opt struct {
	name string // "-u", "--user"
	val  word   // its value, if it takes one
}

// optSpec describes a program's options well enough to skip them.
type optSpec struct {
	short string   // short options that take a value
	long  []string // long options that take a value when written without '='
}

// scan reads options from the front of args and returns them and the index
// of the first operand. It stops at "--" (skipping it), at the first word
// that is not an option and at a word known only at run time.
func (o optSpec) scan(args []word) ([]opt, int) {
	var out []opt
	i := 0
	for i < len(args) {
		w := args[i]
		if !w.known {
			return out, i
		}
		s := w.val
		if s == "--" {
			return out, i + 1
		}
		if len(s) < 2 || s[0] != '-' {
			return out, i
		}
		i++
		if strings.HasPrefix(s, "--") {
			name, val, eq := strings.Cut(s, "=")
			switch {
			case eq:
				out = append(out, opt{name: name, val: word{val: val, known: true}})
			case contains(o.long, name) && i < len(args):
				out = append(out, opt{name: name, val: args[i]})
				i++
			default:
				out = append(out, opt{name: name})
			}
			continue
		}
		for j := 1; j < len(s); j++ {
			name := shortName(s[j])
			if strings.IndexByte(o.short, s[j]) < 0 {
				out = append(out, opt{name: name})
				continue
			}
			switch {
			case j+1 < len(s):
				out = append(out, opt{name: name, val: word{val: s[j+1:], known: true}})
			case i < len(args):
				out = append(out, opt{name: name, val: args[i]})
				i++
			default:
				out = append(out, opt{name: name})
			}
			break
		}
	}
	return out, i
}

// shortNames holds "-a", "-b", ... so that scanning options does not
// allocate.
var shortNames = func() (t [128]string) {
	for c := range t {
		t[c] = "-" + string(rune(c))
	}
	return t
}()

func shortName(c byte) string {
	if c < 128 {
		return shortNames[c]
	}
	return "-" + string(rune(c))
}

// hasOpt reports whether one of names is among opts.
func hasOpt(opts []opt, names ...string) bool {
	for _, o := range opts {
		if contains(names, o.name) {
			return true
		}
	}
	return false
}

// optVal returns the value of the last of names among opts.
func optVal(opts []opt, names ...string) (word, bool) {
	var v word
	found := false
	for _, o := range opts {
		if contains(names, o.name) {
			v, found = o.val, true
		}
	}
	return v, found
}

// joinKnown joins words with spaces, as ssh and watch do, and reports false
// if any is known only at run time.
func joinKnown(ws []word) (string, bool) {
	var b strings.Builder
	for i, w := range ws {
		if !w.known {
			return "", false
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.val)
	}
	return b.String(), true
}
