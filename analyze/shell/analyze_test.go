package shell

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestUnwrap checks the command each wrapper leads to and the wrappers
// recorded on the way.
func TestUnwrap(t *testing.T) {
	t.Parallel()
	type want struct {
		argv []string
		via  []string
		dyn  bool
	}
	tests := []struct {
		cmd  string
		want []want // the commands, in order
	}{
		{"sudo -u deploy -E -- rm -rf /srv/x", []want{{argv: []string{"rm", "-rf", "/srv/x"}, via: []string{"sudo"}}}},
		{"sudo bash -c 'rm -rf /'", []want{{argv: []string{"rm", "-rf", "/"}, via: []string{"sudo", "bash -c"}}}},
		{"doas -u www ls", []want{{argv: []string{"ls"}, via: []string{"doas"}}}},
		{"env -i -- A=1 B=2 printenv", []want{{argv: []string{"printenv"}, via: []string{"env"}}}},
		{"env -u HOME FOO=bar make", []want{{argv: []string{"make"}, via: []string{"env"}}}},
		{"timeout -s KILL 10s curl -s x", []want{{argv: []string{"curl", "-s", "x"}, via: []string{"timeout"}}}},
		{"nice -n 5 nohup ionice -c3 stdbuf -oL ls", []want{{argv: []string{"ls"}, via: []string{"nice", "nohup", "ionice", "stdbuf"}}}},
		{"nice -10 ls", []want{{argv: []string{"ls"}, via: []string{"nice"}}}},
		{"/usr/bin/time -f %e exec command ls", []want{{argv: []string{"ls"}, via: []string{"time", "exec", "command"}}}},
		{"command -v rm", []want{{argv: []string{"command", "-v", "rm"}}}},
		{"xargs -0 -n1 rm -f", []want{{argv: []string{"rm", "-f", "{}"}, via: []string{"xargs"}, dyn: true}}},
		{"xargs -I% cp % /backup/", []want{{argv: []string{"cp", "%", "/backup/"}, via: []string{"xargs"}, dyn: true}}},
		{"find . -name x -exec rm -rf {} + -exec echo done \\;", []want{
			{argv: []string{"find", ".", "-name", "x", "-exec", "rm", "-rf", "{}", "+", "-exec", "echo", "done", ";"}},
			{argv: []string{"rm", "-rf", "{}"}, via: []string{"find -exec"}, dyn: true},
			{argv: []string{"echo", "done"}, via: []string{"find -exec"}},
		}},
		{"ssh -p 22 -i key prod-db 'cd /srv && ls'", []want{
			{argv: []string{"cd", "/srv"}, via: []string{"ssh prod-db"}},
			{argv: []string{"ls"}, via: []string{"ssh prod-db"}},
		}},
		{"ssh prod sudo rm -rf /", []want{{argv: []string{"rm", "-rf", "/"}, via: []string{"ssh prod", "sudo"}}}},
		{`ssh "$H" ls`, []want{{argv: []string{"ls"}, via: []string{`ssh "$H"`}, dyn: true}}},
		{"kubectl exec -it -n prod web-0 -c app -- sh -c 'rm -rf /data'", []want{{argv: []string{"rm", "-rf", "/data"}, via: []string{"kubectl exec", "sh -c"}}}},
		{"kubectl exec web-0 ls /", []want{{argv: []string{"ls", "/"}, via: []string{"kubectl exec"}}}},
		{"docker exec -u root -e A=1 db psql", []want{{argv: []string{"psql"}, via: []string{"docker exec"}}}},
		{"docker run --rm -e A=1 -v /src:/src --entrypoint sh alpine -c 'ls'", []want{{argv: []string{"ls"}, via: []string{"docker run", "sh -c"}}}},
		{"watch -n 2 'ls | wc -l'", []want{
			{argv: []string{"ls"}, via: []string{"watch"}},
			{argv: []string{"wc", "-l"}, via: []string{"watch"}},
		}},
		{"su - app -c 'whoami'", []want{{argv: []string{"whoami"}, via: []string{"su -c"}}}},
		{"busybox sh -c 'ls'", []want{{argv: []string{"ls"}, via: []string{"busybox", "sh -c"}}}},
		{"bash -ec 'ls' arg0", []want{{argv: []string{"ls"}, via: []string{"bash -c"}}}},
		{"bash -o pipefail -c 'ls'", []want{{argv: []string{"ls"}, via: []string{"bash -c"}}}},
		{"eval 'ls -l'", []want{{argv: []string{"ls", "-l"}, via: []string{"eval"}}}},
		{"$'\\x6c\\x73' \"a b\" 'c d' e\\ f", []want{{argv: []string{"ls", "a b", "c d", "e f"}}}},
		{`echo "$HOME/x" '$HOME'`, []want{{argv: []string{"echo", `"$HOME/x"`, "$HOME"}, dyn: true}}},
		{"echo {a,b}.txt", []want{{argv: []string{"echo", "a.txt", "b.txt"}}}},
	}
	for _, tt := range tests {
		f := Analyze(tt.cmd)
		if f.ParseError {
			t.Errorf("%q: parse error %s", tt.cmd, f.Error)
			continue
		}
		var got []want
		for _, c := range f.Commands {
			got = append(got, want{argv: c.Argv, via: c.Via, dyn: c.Dynamic})
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got  %+v\n want %+v", tt.cmd, got, tt.want)
		}
	}
}

// TestProgramsAndPrivilege checks that wrappers count as programs and that
// sudo's reason names what runs as whom.
func TestProgramsAndPrivilege(t *testing.T) {
	t.Parallel()
	f := Analyze("sudo -u postgres psql -c 'select 1'")
	if want := []string{"sudo", "psql"}; !slices.Equal(f.Programs, want) {
		t.Errorf("programs = %q, want %q", f.Programs, want)
	}
	if !slices.Contains(f.Reasons, "privilege: sudo -u postgres psql -c select 1 runs psql as postgres") {
		t.Errorf("reasons = %q, want the sudo reason", f.Reasons)
	}
}

// TestMapKeys checks that Map always has every key with its documented type
// and never nil slices.
func TestMapKeys(t *testing.T) {
	t.Parallel()
	for _, f := range []Facts{
		{},
		Analyze(""),
		Analyze("ls"),
		Analyze("sudo rm -rf $X | curl -d @- x"),
		AnalyzeArgv(nil),
	} {
		checkMap(t, f)
	}
}

// checkMap fails unless m has every key with its documented type.
func checkMap(t testing.TB, f Facts) {
	t.Helper()
	m := f.Map()
	want := map[string]reflect.Type{
		"commands":       reflect.TypeFor[[]any](),
		"programs":       reflect.TypeFor[[]string](),
		"destructive":    reflect.TypeFor[bool](),
		"infra_change":   reflect.TypeFor[bool](),
		"privilege":      reflect.TypeFor[bool](),
		"network_egress": reflect.TypeFor[bool](),
		"reads_secrets":  reflect.TypeFor[bool](),
		"dynamic":        reflect.TypeFor[bool](),
		"opaque":         reflect.TypeFor[bool](),
		"parse_error":    reflect.TypeFor[bool](),
		"error":          reflect.TypeFor[string](),
		"reasons":        reflect.TypeFor[[]string](),
	}
	if len(m) != len(want) {
		t.Errorf("map has %d keys, want %d: %v", len(m), len(want), m)
	}
	for k, typ := range want {
		v, ok := m[k]
		if !ok {
			t.Errorf("map lacks %q", k)
			continue
		}
		if reflect.TypeOf(v) != typ {
			t.Errorf("map[%q] is %T, want %v", k, v, typ)
		}
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.IsNil() {
			t.Errorf("map[%q] is a nil slice", k)
		}
	}
	cmds, _ := m["commands"].([]any)
	if len(cmds) != len(f.Commands) {
		t.Errorf("map has %d commands, want %d", len(cmds), len(f.Commands))
	}
	for i, c := range cmds {
		cm, ok := c.(map[string]any)
		if !ok {
			t.Errorf("commands[%d] is %T, want map[string]any", i, c)
			continue
		}
		for k, typ := range map[string]reflect.Type{
			"argv": reflect.TypeFor[[]string](), "program": reflect.TypeFor[string](),
			"via": reflect.TypeFor[[]string](), "dynamic": reflect.TypeFor[bool](),
		} {
			if reflect.TypeOf(cm[k]) != typ {
				t.Errorf("commands[%d][%q] is %T, want %v", i, k, cm[k], typ)
			}
			if rv := reflect.ValueOf(cm[k]); rv.Kind() == reflect.Slice && rv.IsNil() {
				t.Errorf("commands[%d][%q] is a nil slice", i, k)
			}
		}
		if len(cm) != 4 {
			t.Errorf("commands[%d] has %d keys, want 4", i, len(cm))
		}
	}
}

// TestDepthLimit checks that strings nested up to maxDepth are followed and
// deeper ones fail closed.
func TestDepthLimit(t *testing.T) {
	t.Parallel()
	nest := func(n int) []string {
		argv := []string{"ls"}
		for range n {
			quoted := make([]string, len(argv))
			for i, a := range argv {
				quoted[i] = quote(a)
			}
			argv = []string{"bash", "-c", strings.Join(quoted, " ")}
		}
		return argv
	}
	ok := AnalyzeArgv(nest(maxDepth))
	if ok.Destructive || ok.Dynamic || ok.ParseError {
		t.Errorf("%d levels: facts %+v, want nothing risky", maxDepth, ok)
	}
	if n := len(ok.Commands); n != 1 || ok.Commands[0].Program != "ls" || len(ok.Commands[0].Via) != maxDepth {
		t.Errorf("%d levels: commands %+v, want ls via %d wrappers", maxDepth, ok.Commands, maxDepth)
	}
	deep := AnalyzeArgv(nest(maxDepth + 1))
	if !deep.Destructive || !deep.InfraChange || !deep.Privilege || !deep.NetworkEgress || !deep.ReadsSecrets || !deep.Dynamic {
		t.Errorf("%d levels: facts %+v, want every risk", maxDepth+1, deep)
	}
	if !slices.ContainsFunc(deep.Reasons, func(r string) bool { return strings.Contains(r, "levels deep") }) {
		t.Errorf("%d levels: reasons %q, want the depth", maxDepth+1, deep.Reasons)
	}
	outer := nest(maxDepth + 2)
	for i, a := range outer {
		outer[i] = quote(a)
	}
	shell := Analyze(strings.Join(outer, " "))
	if !shell.Destructive || shell.ParseError {
		t.Errorf("command line nested %d levels: facts %+v, want fail-closed without a parse error", maxDepth+2, shell)
	}
}

// TestFailClosed checks the inputs that cannot be analysed.
func TestFailClosed(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", " \n", "echo 'x", "a\x00b", strings.Repeat("x", maxInput+1)} {
		f := Analyze(in)
		if !f.ParseError || f.Error == "" || !allRisky(f) {
			t.Errorf("Analyze(%.20q): %+v, want a parse error and every risk", in, f)
		}
	}
	for _, argv := range [][]string{nil, {}, {"a\x00"}} {
		f := AnalyzeArgv(argv)
		if !f.ParseError || f.Error == "" || !allRisky(f) {
			t.Errorf("AnalyzeArgv(%q): %+v, want a parse error and every risk", argv, f)
		}
	}
}

func allRisky(f Facts) bool {
	return f.Destructive && f.InfraChange && f.Privilege && f.NetworkEgress && f.ReadsSecrets && f.Dynamic
}

// TestReasonsBounded checks that a long script cannot make a huge card.
func TestReasonsBounded(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 200 {
		b.WriteString("rm -rf /tmp/")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString("$X")
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString("\n")
	}
	f := Analyze(b.String())
	if len(f.Reasons) > maxReasons {
		t.Errorf("%d reasons, want at most %d", len(f.Reasons), maxReasons)
	}
	if len(f.Commands) != 200 {
		t.Errorf("%d commands, want 200", len(f.Commands))
	}
}

// TestNestedBudget checks that text parsed again and again (a here-document
// read by several shells, at every level) is bounded and fails closed.
func TestNestedBudget(t *testing.T) {
	t.Parallel()
	script := "ls"
	for i := range maxDepth {
		end := "E" + strings.Repeat("X", i)
		script = "{ bash; bash; bash; bash; } <<'" + end + "'\n" + script + "\n" + end + "\n"
	}
	start := time.Now()
	f := Analyze(script)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("analysis took %v", d)
	}
	if !allRisky(f) || f.ParseError {
		t.Errorf("facts %+v, want fail-closed without a parse error", f)
	}
}

// TestConcurrent checks that analyses running at once (they share pooled
// parsers) give what they give alone. Run it with -race.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	var cmds []string
	for _, c := range loadCorpus(t) {
		if c.Cmd != nil {
			cmds = append(cmds, *c.Cmd)
		}
	}
	want := make([]Facts, len(cmds))
	for i, c := range cmds {
		want[i] = Analyze(c)
	}
	const workers = 4
	errs := make(chan string, workers)
	for w := range workers {
		go func() {
			for i := range cmds {
				j := (i + w*len(cmds)/workers) % len(cmds)
				if got := Analyze(cmds[j]); !reflect.DeepEqual(got, want[j]) {
					errs <- cmds[j]
					return
				}
			}
			errs <- ""
		}()
	}
	for range workers {
		if c := <-errs; c != "" {
			t.Errorf("%q: concurrent analysis differs", c)
		}
	}
}
