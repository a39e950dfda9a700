package shell

import "strings"

// Command is one simple command the analyser found, after the wrappers that
// run it (sudo, env, bash -c, ssh, xargs, ...) were taken off.
type Command struct {
	// Argv is the command's words after quote removal. A word that cannot be
	// known before running (it holds $VAR, $(...), `...` or arithmetic) keeps
	// its source text; globs and ~ are kept as literal text.
	Argv []string
	// Program is the base name of Argv[0], or "" when it is not known.
	Program string
	// Via lists the wrappers taken off to reach the command, outermost
	// first, e.g. ["sudo", "bash -c"], ["ssh prod-db"], ["xargs"].
	Via []string
	// Dynamic is true when some word of the command, or what it runs, cannot
	// be known before running.
	Dynamic bool
}

// Facts is what the analyser tells about a command line. Every boolean is
// fail-closed: when the analyser cannot tell, it is true.
type Facts struct {
	// Commands lists every simple command found, in source order, including
	// those in pipes, lists, subshells, blocks, loops, functions, command and
	// process substitutions and the strings given to bash -c, ssh, watch,
	// kubectl exec, docker exec and find -exec.
	Commands []Command
	// Programs lists the unique program names in order of appearance,
	// wrappers (sudo, bash, ssh, xargs, ...) included.
	Programs []string

	// Destructive: deletes data or tears infrastructure down irreversibly.
	Destructive bool
	// InfraChange: changes cloud or cluster infrastructure.
	InfraChange bool
	// Privilege: gains or grants privileges.
	Privilege bool
	// NetworkEgress: sends data off the machine.
	NetworkEgress bool
	// ReadsSecrets: reads credentials, keys or the environment.
	ReadsSecrets bool
	// Dynamic: some word is known only when the command runs.
	Dynamic bool
	// Opaque: some code the command runs could not be read (an unknown
	// program, a script file, eval of unknown text, a pipe into a shell or
	// an interpreter, awk system(), a parse error, ...). The risky facts
	// above are then assumed true; Opaque tells assumed from observed.
	Opaque bool

	// ParseError is true when the input does not parse (or is empty); every
	// other boolean, Opaque included, is then true too.
	ParseError bool
	// Error is the parse error, or "".
	Error string
	// Reasons has one short human line per finding, "fact: what and why".
	Reasons []string
}

// fact is one of the boolean facts, as a bit.
type fact uint8

const (
	destructive fact = 1 << iota
	infraChange
	privilege
	networkEgress
	readsSecrets
	dynamic
	opaque

	// risky is every fact fail-closed analysis assumes.
	risky = destructive | infraChange | privilege | networkEgress | readsSecrets | dynamic
	// assumed is what failing closed sets: every risk, and opaque.
	assumed = risky | opaque
)

// factNames are the policy names of the facts, in bit order.
var factNames = [...]string{"destructive", "infra_change", "privilege", "network_egress", "reads_secrets", "dynamic", "opaque"}

// maxReasons bounds Reasons so a long script cannot make a huge approval card.
const maxReasons = 48

// set turns the facts in fs on and records why, once per fact and reason.
func (f *Facts) set(fs fact, why string) {
	for i, name := range factNames {
		bit := fact(1) << i
		if fs&bit == 0 {
			continue
		}
		switch bit {
		case destructive:
			f.Destructive = true
		case infraChange:
			f.InfraChange = true
		case privilege:
			f.Privilege = true
		case networkEgress:
			f.NetworkEgress = true
		case readsSecrets:
			f.ReadsSecrets = true
		case dynamic:
			f.Dynamic = true
		case opaque:
			f.Opaque = true
		}
		f.reason(name + ": " + why)
	}
}

// reason appends r unless it is already there or the list is full.
func (f *Facts) reason(r string) {
	if len(f.Reasons) >= maxReasons {
		return
	}
	for _, have := range f.Reasons {
		if have == r {
			return
		}
	}
	f.Reasons = append(f.Reasons, r)
}

// failParse marks the facts as those of input that does not parse.
func (f *Facts) failParse(msg string) {
	f.ParseError = true
	if f.Error == "" {
		f.Error = msg
	}
	f.set(assumed, "the command cannot be analysed: "+msg)
}

// addProgram records name in Programs once.
func (f *Facts) addProgram(name string) {
	if name == "" {
		return
	}
	for _, p := range f.Programs {
		if p == name {
			return
		}
	}
	f.Programs = append(f.Programs, name)
}

// Map returns the facts as policy (CEL) reads them. Every key is always
// present: commands ([]any of map[string]any with argv []string, program
// string, via []string, dynamic bool), programs ([]string), destructive,
// infra_change, privilege, network_egress, reads_secrets, dynamic, opaque,
// parse_error (bool), error (string) and reasons ([]string). Slices are never
// nil.
func (f Facts) Map() map[string]any {
	cmds := make([]any, 0, len(f.Commands))
	for _, c := range f.Commands {
		cmds = append(cmds, map[string]any{
			"argv":    nonNil(c.Argv),
			"program": c.Program,
			"via":     nonNil(c.Via),
			"dynamic": c.Dynamic,
		})
	}
	return map[string]any{
		"commands":       cmds,
		"programs":       nonNil(f.Programs),
		"destructive":    f.Destructive,
		"infra_change":   f.InfraChange,
		"privilege":      f.Privilege,
		"network_egress": f.NetworkEgress,
		"reads_secrets":  f.ReadsSecrets,
		"dynamic":        f.Dynamic,
		"opaque":         f.Opaque,
		"parse_error":    f.ParseError,
		"error":          f.Error,
		"reasons":        nonNil(f.Reasons),
	}
}

// nonNil returns a copy of s that is never nil, so policy sees [] not null.
func nonNil(s []string) []string {
	out := make([]string, len(s))
	copy(out, s)
	return out
}

// brief shortens a command for a reason line. It keeps whole arguments
// only: an argument cut short could hide a secret from the masking applied
// to what reviewers and webhooks see (a token's prefix no detector knows),
// so an argument that does not fit is left out, except the program itself.
func brief(argv []string) string {
	const max = 60
	var b strings.Builder
	for i, a := range argv {
		a = strings.Map(func(r rune) rune {
			if r == '\n' || r == '\t' || r == '\r' {
				return ' '
			}
			return r
		}, a)
		if i > 0 && b.Len()+1+len(a) > max {
			b.WriteString(" …")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a)
	}
	return b.String()
}
