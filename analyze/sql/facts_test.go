package sql

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// mapKinds is the documented shape of Facts.Map.
var mapKinds = map[string]reflect.Type{
	"statements":          reflect.TypeOf([]any{}),
	"statement_count":     reflect.TypeOf(int64(0)),
	"types":               reflect.TypeOf([]string{}),
	"read_only":           reflect.TypeOf(false),
	"writes":              reflect.TypeOf(false),
	"ddl":                 reflect.TypeOf(false),
	"destructive":         reflect.TypeOf(false),
	"is_export":           reflect.TypeOf(false),
	"copy_program":        reflect.TypeOf(false),
	"privilege":           reflect.TypeOf(false),
	"server_side_file":    reflect.TypeOf(false),
	"remote":              reflect.TypeOf(false),
	"transaction_control": reflect.TypeOf(false),
	"parse_error":         reflect.TypeOf(false),
	"tables":              reflect.TypeOf([]string{}),
	"tables_read":         reflect.TypeOf([]string{}),
	"tables_written":      reflect.TypeOf([]string{}),
	"functions":           reflect.TypeOf([]string{}),
	"reasons":             reflect.TypeOf([]string{}),
	"error":               reflect.TypeOf(""),
}

// statementKinds is the documented shape of each entry of "statements".
var statementKinds = map[string]reflect.Type{
	"type":                reflect.TypeOf(""),
	"read_only":           reflect.TypeOf(false),
	"writes":              reflect.TypeOf(false),
	"ddl":                 reflect.TypeOf(false),
	"destructive":         reflect.TypeOf(false),
	"is_export":           reflect.TypeOf(false),
	"copy_program":        reflect.TypeOf(false),
	"privilege":           reflect.TypeOf(false),
	"server_side_file":    reflect.TypeOf(false),
	"remote":              reflect.TypeOf(false),
	"transaction_control": reflect.TypeOf(false),
	"tables_read":         reflect.TypeOf([]string{}),
	"tables_written":      reflect.TypeOf([]string{}),
	"functions":           reflect.TypeOf([]string{}),
}

// checkMap reports how m differs from the documented shape.
func checkMap(m map[string]any) []string {
	var bad []string
	check := func(where string, m map[string]any, kinds map[string]reflect.Type) {
		for k, typ := range kinds {
			v, ok := m[k]
			switch {
			case !ok:
				bad = append(bad, where+k+" missing")
			case reflect.TypeOf(v) != typ:
				bad = append(bad, where+k+" is "+reflect.TypeOf(v).String()+", want "+typ.String())
			case typ.Kind() == reflect.Slice && reflect.ValueOf(v).IsNil():
				bad = append(bad, where+k+" is nil")
			}
		}
		for k := range m {
			if _, ok := kinds[k]; !ok {
				bad = append(bad, where+k+" is not documented")
			}
		}
	}
	check("", m, mapKinds)
	stmts, _ := m["statements"].([]any)
	for _, s := range stmts {
		sm, ok := s.(map[string]any)
		if !ok {
			bad = append(bad, "statements holds "+reflect.TypeOf(s).String())
			continue
		}
		check("statements[].", sm, statementKinds)
	}
	return bad
}

func TestMapKeys(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"SELECT 1",
		"",
		"SELEC 1",
		`\! ls`,
		"BEGIN; INSERT INTO t VALUES (1); SELECT * FROM u; COMMIT",
		"DO $$ BEGIN END $$",
	} {
		f := Analyze(src, Options{})
		m := f.Map()
		if bad := checkMap(m); len(bad) > 0 {
			t.Errorf("Analyze(%q).Map(): %s", src, strings.Join(bad, "; "))
		}
		if got, want := m["statement_count"].(int64), int64(len(f.Statements)); got != want {
			t.Errorf("Analyze(%q): statement_count %d, want %d", src, got, want)
		}
	}
}

func TestMapValues(t *testing.T) {
	t.Parallel()
	m := Analyze("BEGIN; INSERT INTO a SELECT * FROM b; UPDATE c SET x = lower(y) WHERE id = 1; INSERT INTO a VALUES (1); COMMIT", Options{}).Map()
	if got, want := m["types"], []string{"transaction", "insert", "update"}; !reflect.DeepEqual(got, want) {
		t.Errorf("types = %q, want %q", got, want)
	}
	if got := m["statement_count"]; got != int64(5) {
		t.Errorf("statement_count = %v, want 5", got)
	}
	if got, want := m["tables"], []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tables = %q, want %q", got, want)
	}
	if got, want := m["tables_read"], []string{"b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tables_read = %q, want %q", got, want)
	}
	if got, want := m["tables_written"], []string{"a", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tables_written = %q, want %q", got, want)
	}
	if got, want := m["functions"], []string{"lower"}; !reflect.DeepEqual(got, want) {
		t.Errorf("functions = %q, want %q", got, want)
	}
	if m["writes"] != true || m["transaction_control"] != true || m["read_only"] != false || m["error"] != "" {
		t.Errorf("writes %v transaction_control %v read_only %v error %q, want true true false \"\"",
			m["writes"], m["transaction_control"], m["read_only"], m["error"])
	}
	second := m["statements"].([]any)[1].(map[string]any)
	if second["type"] != "insert" || second["writes"] != true || !reflect.DeepEqual(second["tables_read"], []string{"b"}) {
		t.Errorf("statements[1] = %v, want an insert reading b", second)
	}
}

func TestParseErrorFailsClosed(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"", "  ", "-- nothing", "SELEC 1", "SELECT 1; DELETE FROM", "SELECT 1\x00", "SELECT '\xff'", `\i x.sql`} {
		f := Analyze(src, Options{})
		if !f.ParseError || f.Error == "" {
			t.Errorf("Analyze(%q): ParseError %v Error %q, want true and a message", src, f.ParseError, f.Error)
		}
		if f.ReadOnly || !f.Writes || !f.DDL || !f.Destructive || !f.IsExport || !f.CopyProgram ||
			!f.Privilege || !f.ServerSideFile || !f.Remote || !f.TransactionControl {
			t.Errorf("Analyze(%q): not every risk assumed: %+v", src, f)
		}
		if len(f.Reasons) == 0 || !slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.HasPrefix(r, "parse_error: ") }) {
			t.Errorf("Analyze(%q): reasons %q, want a parse_error line", src, f.Reasons)
		}
	}
}

func TestReasons(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]string{
		"DELETE FROM orders":                "destructive: DELETE FROM orders has no WHERE",
		"UPDATE orders SET x = 1 WHERE 1=1": "destructive: UPDATE orders has a WHERE that holds for every row",
		"TRUNCATE orders":                   "destructive: TRUNCATE orders",
		"DROP TABLE a.b, c":                 "destructive: DROP TABLE a.b, c",
		"COPY t TO PROGRAM 'x'":             "copy_program: COPY t TO PROGRAM runs a shell command on the database server",
		"SELECT pg_read_file('x')":          "server_side_file: pg_read_file() reads a server file",
		"SELECT f()":                        "not read-only: calls f(), which is not known to be free of side effects",
		"GRANT SELECT ON t TO u":            "privilege: GRANT on t changes who may do what",
	} {
		if got := Analyze(src, Options{}).Reasons; !slices.Contains(got, want) {
			t.Errorf("Analyze(%q).Reasons = %q, want it to hold %q", src, got, want)
		}
	}
	if got := Analyze("SELECT 1", Options{}).Reasons; got == nil || len(got) != 0 {
		t.Errorf("SELECT 1: Reasons = %#v, want empty and not nil", got)
	}
}

func TestStatementListsNeverNil(t *testing.T) {
	t.Parallel()
	f := Analyze("SELECT 1; BEGIN", Options{})
	for _, s := range f.Statements {
		if s.TablesRead == nil || s.TablesWritten == nil || s.Functions == nil {
			t.Errorf("%s: nil list in %+v", s.Type, s)
		}
	}
	if f.TablesRead == nil || f.TablesWritten == nil || f.Tables == nil || f.Functions == nil || f.Reasons == nil {
		t.Errorf("nil list in %+v", f)
	}
}

// TestTypesDocumented keeps doc.go's list of statement types complete: every
// type the analyser can give, and every type the corpus sees, is in it.
func TestTypesDocumented(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start, end := strings.Index(doc, "# Statement types"), strings.Index(doc, "# Assumptions")
	if start < 0 || end < start {
		t.Fatal("doc.go has no Statement types section")
	}
	listed := map[string]bool{}
	for _, w := range strings.FieldsFunc(doc[start:end], func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z')
	}) {
		listed[w] = true
	}
	types := map[string]bool{"select": true, "select_into": true, "insert": true, "update": true,
		"delete": true, "merge": true, "meta_command": true, "other": true}
	for _, p := range plainStatements {
		types[p.typ] = true
	}
	for _, typ := range alterTableTypes {
		types[typ] = true
	}
	c := loadCorpus(t)
	for _, cs := range c.Cases {
		for _, s := range Analyze(cs.SQL, c.options()).Statements {
			types[s.Type] = true
		}
	}
	for typ := range types {
		if !listed[typ] {
			t.Errorf("type %q is not listed in doc.go", typ)
		}
	}
}
