package sql

import (
	"strconv"
	"strings"
	"time"
)

// privilegeSettings are parameters whose change alters what the session may do.
var privilegeSettings = nameSet("role", "session_authorization", "session_replication_role")

// parseSettings change how the server reads later statements: the escapes
// of string literals, or the encoding the bytes of a statement are read in
// (under SJIS a multibyte character can swallow the backslash before a
// quote, so a string ends elsewhere and hides a statement).
var parseSettings = nameSet("standard_conforming_strings", "backslash_quote", "client_encoding")

// harmlessSettings may be SET to any value in a read-only payload: they
// change neither data, privileges, resource or safety limits, nor how later
// names or strings are read. search_path is not among them: it decides
// which schema an unqualified function or operator comes from.
var harmlessSettings = nameSet(
	"application_name", "timezone", "datestyle", "intervalstyle", "extra_float_digits",
	"client_min_messages", "bytea_output", "transaction snapshot", "transaction_isolation",
	"default_transaction_isolation", "jit", "enable_seqscan", "enable_indexscan",
	"enable_hashjoin", "enable_mergejoin", "enable_nestloop", "random_page_cost",
	"lc_messages", "lc_monetary", "lc_numeric", "lc_time", "xmloption", "geqo",
)

// utf8Encoding reports whether r is a constant naming UTF-8, the encoding
// the analyser reads the payload in, as the server would match it: case and
// punctuation aside ("UTF-8", "utf8"), or its alias "unicode".
func (a *analyzer) utf8Encoding(r ref) bool {
	v, ok := a.constString(r)
	if !ok {
		return false
	}
	clean := strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			return c
		case c >= 'A' && c <= 'Z':
			return c + 'a' - 'A'
		}
		return -1
	}, v)
	return clean == "utf8" || clean == "unicode"
}

// limitSettings are safety limits: harmless when reset to their configured
// value or set to a positive value of at most maxLimit; 0 turns them off.
var limitSettings = nameSet(
	"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout",
	"idle_session_timeout", "transaction_timeout",
)

// maxLimit is the longest timeout a read-only payload may set.
const maxLimit = 5 * time.Minute

// readOnlySettings are harmless when turned on, and make later statements
// able to write when turned off.
var readOnlySettings = nameSet("transaction_read_only", "default_transaction_read_only")

// setHarmless reports whether SET or RESET of setting name (lowercased)
// with the VariableSetStmt body b leaves a read-only payload read-only.
func (a *analyzer) setHarmless(name string, b ref) bool {
	kind := a.t.text(a.t.get(b, "kind"))
	args := a.t.get(b, "args")
	switch {
	case harmlessSettings[name]:
		return true
	case limitSettings[name]:
		if kind == "VAR_RESET" || kind == "VAR_SET_DEFAULT" {
			return true
		}
		d, ok := a.duration(a.t.first(args))
		return ok && d > 0 && d <= maxLimit && a.t.count(args) == 1
	case readOnlySettings[name]:
		on, ok := a.onOff(a.t.first(args))
		return kind == "VAR_RESET" || kind == "VAR_SET_DEFAULT" || ok && on
	case name == "transaction" || name == "session characteristics":
		// SET TRANSACTION ISOLATION LEVEL ..., READ ONLY, DEFERRABLE;
		// READ WRITE turns a read-only transaction into one that writes.
		for c := a.t.first(args); c != none; c = a.t.next(c) {
			_, d := a.t.node(c)
			if a.t.text(a.t.get(d, "defname")) == "transaction_read_only" {
				if on, ok := a.onOff(a.t.get(d, "arg")); !ok || !on {
					return false
				}
			}
		}
		return true
	}
	return false
}

// duration reads a timeout given as a constant: milliseconds, or a number
// with a unit (us, ms, s, min, h, d).
func (a *analyzer) duration(r ref) (time.Duration, bool) {
	v, ok := a.constValue(r)
	if !ok {
		return 0, false
	}
	v = strings.TrimSpace(v)
	i := strings.IndexFunc(v, func(c rune) bool { return (c < '0' || c > '9') && c != '.' })
	num, unit := v, "ms"
	if i >= 0 {
		num, unit = v[:i], strings.TrimSpace(v[i:])
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, false
	}
	units := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second,
		"min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	u, ok := units[unit]
	if !ok || n > float64(1<<62)/float64(u) {
		return 0, false
	}
	return time.Duration(n * float64(u)), true
}

// onOff reads a boolean setting's constant value.
func (a *analyzer) onOff(r ref) (on, ok bool) {
	kind, b := a.t.node(r)
	if kind == "A_Const" {
		if v := a.t.get(b, "boolval"); v != none {
			return a.t.flag(a.t.get(v, "boolval")), true
		}
	}
	v, ok := a.constValue(r)
	if !ok {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "yes", "1", "t", "y":
		return true, true
	case "off", "false", "no", "0", "f", "n":
		return false, true
	}
	return false, false
}
