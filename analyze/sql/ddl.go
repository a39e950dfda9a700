package sql

import (
	"strings"
)

// createTableAs handles CREATE TABLE AS and CREATE MATERIALIZED VIEW.
func (a *analyzer) createTableAs(b ref) string {
	typ, what := "create_table_as", "CREATE TABLE AS"
	if a.t.text(a.t.get(b, "objtype")) == "OBJECT_MATVIEW" {
		typ, what = "create_materialized_view", "CREATE MATERIALIZED VIEW"
	}
	into := a.t.get(b, "into")
	name := a.target(into, "rel")
	a.st.flag(ddl, "ddl: "+what+" "+name)
	a.membersExcept(into, "rel")
	a.walk(a.t.get(b, "query"))
	return typ
}

// alterTableTypes names ALTER TABLE's forms by the kind of relation.
var alterTableTypes = map[string]string{
	"OBJECT_TABLE": "alter_table", "OBJECT_FOREIGN_TABLE": "alter_table",
	"OBJECT_INDEX": "alter_index", "OBJECT_VIEW": "alter_view",
	"OBJECT_MATVIEW": "alter_materialized_view", "OBJECT_SEQUENCE": "alter_sequence",
	"OBJECT_TYPE": "alter_type",
}

// alterTable handles ALTER TABLE and its siblings. Dropping a column or a
// constraint loses data or checks; changing the owner or turning row
// security off changes who may see what.
func (a *analyzer) alterTable(b ref) string {
	name := a.target(b, "relation")
	a.st.flag(ddl, "ddl: ALTER TABLE "+name)
	for c := a.t.first(a.t.get(b, "cmds")); c != none; c = a.t.next(c) {
		_, cmd := a.t.node(c)
		switch a.t.text(a.t.get(cmd, "subtype")) {
		case "AT_DropColumn":
			a.st.flag(fDestructive, "destructive: ALTER TABLE "+name+" DROP COLUMN "+a.t.text(a.t.get(cmd, "name")))
		case "AT_DropConstraint":
			a.st.flag(fDestructive, "destructive: ALTER TABLE "+name+" DROP CONSTRAINT "+a.t.text(a.t.get(cmd, "name")))
		case "AT_ChangeOwner":
			a.st.flag(fPrivilege, "privilege: ALTER TABLE "+name+" OWNER TO changes its owner")
		case "AT_DisableRowSecurity", "AT_NoForceRowSecurity":
			a.st.flag(fPrivilege, "privilege: ALTER TABLE "+name+" turns row-level security off")
		case "AT_GenericOptions":
			a.fdwOptions(a.t.get(cmd, "def"))
		}
	}
	a.members(b)
	typ := alterTableTypes[a.t.text(a.t.get(b, "objtype"))]
	if typ == "" {
		typ = "alter_table"
	}
	return typ
}

// relationKinds are the DROP forms whose objects are tables to the facts.
var relationKinds = map[string]bool{
	"OBJECT_TABLE": true, "OBJECT_VIEW": true, "OBJECT_MATVIEW": true,
	"OBJECT_FOREIGN_TABLE": true, "OBJECT_SEQUENCE": true,
}

// drop handles DROP of any object but roles, databases and the few with
// statements of their own.
func (a *analyzer) drop(b ref) string {
	kind := a.t.text(a.t.get(b, "removeType"))
	what := "DROP " + strings.ReplaceAll(strings.TrimPrefix(kind, "OBJECT_"), "_", " ")
	var names []string
	if relationKinds[kind] {
		for c := a.t.first(a.t.get(b, "objects")); c != none; c = a.t.next(c) {
			_, l := a.t.node(c)
			parts := a.names(a.t.get(l, "items"))
			if len(parts) == 0 {
				continue
			}
			name := strings.ToLower(parts[len(parts)-1])
			if len(parts) > 1 {
				name = strings.ToLower(parts[len(parts)-2]) + "." + name
			}
			a.st.written = append(a.st.written, name)
			names = append(names, name)
		}
	}
	f := ddl | fDestructive
	if kind == "OBJECT_POLICY" {
		f |= fPrivilege
	}
	if len(names) > 0 {
		what += " " + strings.Join(names, ", ")
	}
	a.st.flag(f, "destructive: "+what)
	return "drop"
}

// grant handles GRANT and REVOKE, of privileges or of roles.
func (a *analyzer) grant(kind string, b ref) string {
	typ, what := "revoke", "REVOKE"
	if a.t.flag(a.t.get(b, "is_grant")) {
		typ, what = "grant", "GRANT"
	}
	var names []string
	if kind == "GrantStmt" && a.t.text(a.t.get(b, "targtype")) == "ACL_TARGET_OBJECT" &&
		relationKinds[a.t.text(a.t.get(b, "objtype"))] {
		for c := a.t.first(a.t.get(b, "objects")); c != none; c = a.t.next(c) {
			if k, rv := a.t.node(c); k == "RangeVar" {
				a.rangeVar(rv, true)
				names = append(names, a.st.written[len(a.st.written)-1])
			}
		}
	}
	if len(names) > 0 {
		what += " on " + strings.Join(names, ", ")
	} else if kind == "GrantRoleStmt" {
		what += " role"
	}
	a.st.flag(fWrites|fPrivilege, "privilege: "+what+" changes who may do what")
	return typ
}

// createFunction handles CREATE FUNCTION and CREATE PROCEDURE. The body
// does not run now and is not read. SECURITY DEFINER lends the owner's
// rights to every caller; C functions load a server file, and untrusted
// languages reach the server's files and programs.
func (a *analyzer) createFunction(b ref) string {
	what := "CREATE FUNCTION"
	if a.t.flag(a.t.get(b, "is_procedure")) {
		what = "CREATE PROCEDURE"
	}
	a.st.flag(ddl, "ddl: "+what)
	opts := a.t.get(b, "options")
	if a.securityDefiner(opts) {
		a.st.flag(fPrivilege, "privilege: "+what+" ... SECURITY DEFINER runs it with its owner's rights")
	}
	for c := a.t.first(opts); c != none; c = a.t.next(c) {
		_, d := a.t.node(c)
		if a.t.text(a.t.get(d, "defname")) != "language" {
			continue
		}
		lang, _ := a.constString(a.t.get(d, "arg"))
		lang = strings.ToLower(lang)
		switch {
		case lang == "c" || lang == "internal":
			a.st.flag(fFile, "server_side_file: "+what+" in language "+lang+" loads server code")
		case lang != "sql" && lang != "plpgsql" && strings.HasSuffix(lang, "u"):
			a.st.flag(fFile, "server_side_file: "+what+" in untrusted language "+lang+" reaches the server's files")
		}
	}
	return "create_function"
}

// securityDefiner reports whether a function's options include SECURITY
// DEFINER.
func (a *analyzer) securityDefiner(opts ref) bool {
	for c := a.t.first(opts); c != none; c = a.t.next(c) {
		_, d := a.t.node(c)
		if a.t.text(a.t.get(d, "defname")) != "security" {
			continue
		}
		kind, v := a.t.node(a.t.get(d, "arg"))
		if kind != "Boolean" || a.t.flag(a.t.get(v, "boolval")) {
			return true
		}
	}
	return false
}

// remoteExtensions reach other servers; fileExtensions the server's files.
var (
	remoteExtensions = nameSet("dblink", "postgres_fdw", "mysql_fdw", "oracle_fdw", "tds_fdw",
		"mongo_fdw", "redis_fdw", "sqlite_fdw", "odbc_fdw", "jdbc_fdw", "multicorn", "pgsql_http", "http")
	fileExtensions = nameSet("file_fdw", "adminpack", "plpython3u", "plpythonu", "plperlu",
		"pltclu", "plsh", "pg_read_server_files")
)

func (a *analyzer) createExtension(b ref) string {
	name := strings.ToLower(a.t.text(a.t.get(b, "extname")))
	a.st.flag(ddl, "ddl: CREATE EXTENSION "+name)
	switch {
	case remoteExtensions[name] || strings.HasSuffix(name, "_fdw") && name != "file_fdw":
		a.st.flag(fRemote, "remote: CREATE EXTENSION "+name+" reaches other servers")
	case fileExtensions[name]:
		a.st.flag(fFile, "server_side_file: CREATE EXTENSION "+name+" reaches the server's files")
	}
	a.members(b)
	return "create_extension"
}

// fdwOptions looks at foreign-table options: file_fdw reads a server file
// (filename) or runs a program (program).
func (a *analyzer) fdwOptions(opts ref) {
	var scan func(r ref)
	scan = func(r ref) {
		for c := a.t.first(r); c != none; c = a.t.next(c) {
			kind, d := a.t.node(c)
			if kind == "List" {
				scan(a.t.get(d, "items"))
				continue
			}
			if kind != "DefElem" {
				continue
			}
			switch strings.ToLower(a.t.text(a.t.get(d, "defname"))) {
			case "filename":
				a.st.flag(fFile, "server_side_file: foreign table reads a server file")
			case "program":
				a.st.flag(fProgram|fFile|fWrites, "copy_program: foreign table runs a shell program on the server")
			}
		}
	}
	if kind, l := a.t.node(opts); kind == "List" {
		opts = a.t.get(l, "items")
	}
	scan(opts)
}
