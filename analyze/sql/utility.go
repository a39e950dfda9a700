package sql

import (
	"strings"
)

// plain describes a statement whose facts do not depend on its details:
// its type, its facts, the member naming its target relation(s) (written),
// and what the reason line says.
type plain struct {
	typ    string
	f      fact
	target string
	what   string
}

const ddl = fDDL | fWrites

var plainStatements = map[string]plain{
	"CreateStmt":                   {"create_table", ddl, "relation", "CREATE TABLE"},
	"ViewStmt":                     {"create_view", ddl, "view", "CREATE VIEW"},
	"IndexStmt":                    {"create_index", ddl, "relation", "CREATE INDEX on"},
	"CreateSeqStmt":                {"create_sequence", ddl, "sequence", "CREATE SEQUENCE"},
	"AlterSeqStmt":                 {"alter_sequence", ddl, "sequence", "ALTER SEQUENCE"},
	"CreateSchemaStmt":             {"create_schema", ddl, "", "CREATE SCHEMA"},
	"CreateTrigStmt":               {"create_trigger", ddl, "relation", "CREATE TRIGGER on"},
	"CreateEventTrigStmt":          {"create_event_trigger", ddl, "", "CREATE EVENT TRIGGER"},
	"AlterEventTrigStmt":           {"alter_event_trigger", ddl, "", "ALTER EVENT TRIGGER"},
	"RuleStmt":                     {"create_rule", ddl, "relation", "CREATE RULE on"},
	"CreatePLangStmt":              {"create_language", ddl, "", "CREATE LANGUAGE"},
	"CreatedbStmt":                 {"create_database", ddl, "", "CREATE DATABASE"},
	"AlterDatabaseStmt":            {"alter_database", ddl, "", "ALTER DATABASE"},
	"AlterDatabaseSetStmt":         {"alter_database", ddl, "", "ALTER DATABASE"},
	"AlterDatabaseRefreshCollStmt": {"alter_database", ddl, "", "ALTER DATABASE"},
	"CreateTableSpaceStmt":         {"create_tablespace", ddl | fFile, "", "CREATE TABLESPACE uses a server directory"},
	"AlterTableSpaceOptionsStmt":   {"alter_tablespace", ddl, "", "ALTER TABLESPACE"},
	"AlterTableMoveAllStmt":        {"alter_tablespace", ddl, "", "ALTER TABLE ALL IN TABLESPACE"},
	"CompositeTypeStmt":            {"create_type", ddl, "", "CREATE TYPE"},
	"CreateEnumStmt":               {"create_type", ddl, "", "CREATE TYPE"},
	"CreateRangeStmt":              {"create_type", ddl, "", "CREATE TYPE"},
	"AlterEnumStmt":                {"alter_type", ddl, "", "ALTER TYPE"},
	"AlterTypeStmt":                {"alter_type", ddl, "", "ALTER TYPE"},
	"CreateDomainStmt":             {"create_domain", ddl, "", "CREATE DOMAIN"},
	"AlterDomainStmt":              {"alter_domain", ddl, "", "ALTER DOMAIN"},
	"CommentStmt":                  {"comment", ddl, "", "COMMENT ON"},
	"RenameStmt":                   {"rename", ddl, "relation", "RENAME"},
	"AlterObjectSchemaStmt":        {"set_schema", ddl, "relation", "ALTER ... SET SCHEMA"},
	"AlterObjectDependsStmt":       {"other", ddl, "relation", "ALTER ... DEPENDS ON EXTENSION"},
	"AlterExtensionStmt":           {"alter_extension", ddl, "", "ALTER EXTENSION"},
	"AlterExtensionContentsStmt":   {"alter_extension", ddl, "", "ALTER EXTENSION"},
	"CreateFdwStmt":                {"create_foreign_data_wrapper", ddl | fRemote, "", "CREATE FOREIGN DATA WRAPPER"},
	"AlterFdwStmt":                 {"alter_foreign_data_wrapper", ddl | fRemote, "", "ALTER FOREIGN DATA WRAPPER"},
	"CreateForeignServerStmt":      {"create_server", ddl | fRemote, "", "CREATE SERVER names another server"},
	"AlterForeignServerStmt":       {"alter_server", ddl | fRemote, "", "ALTER SERVER"},
	"CreateUserMappingStmt":        {"create_user_mapping", ddl | fRemote, "", "CREATE USER MAPPING stores credentials for another server"},
	"AlterUserMappingStmt":         {"alter_user_mapping", ddl | fRemote, "", "ALTER USER MAPPING"},
	"ImportForeignSchemaStmt":      {"import_foreign_schema", ddl | fRemote, "", "IMPORT FOREIGN SCHEMA"},
	"CreateSubscriptionStmt":       {"create_subscription", ddl | fRemote, "", "CREATE SUBSCRIPTION replicates from another server"},
	"AlterSubscriptionStmt":        {"alter_subscription", ddl | fRemote, "", "ALTER SUBSCRIPTION"},
	"CreatePublicationStmt":        {"create_publication", ddl | fExport, "", "CREATE PUBLICATION lets other servers copy tables"},
	"AlterPublicationStmt":         {"alter_publication", ddl | fExport, "", "ALTER PUBLICATION"},
	"CreatePolicyStmt":             {"create_policy", ddl | fPrivilege, "table", "CREATE POLICY changes row access on"},
	"AlterPolicyStmt":              {"alter_policy", ddl | fPrivilege, "table", "ALTER POLICY changes row access on"},
	"SecLabelStmt":                 {"security_label", ddl | fPrivilege, "", "SECURITY LABEL"},
	"AlterOwnerStmt":               {"alter_owner", ddl | fPrivilege, "relation", "ALTER ... OWNER TO"},
	"CreateRoleStmt":               {"create_role", ddl | fPrivilege, "", "CREATE ROLE"},
	"AlterRoleStmt":                {"alter_role", ddl | fPrivilege, "", "ALTER ROLE"},
	"AlterRoleSetStmt":             {"alter_role", ddl | fPrivilege, "", "ALTER ROLE ... SET"},
	"DropRoleStmt":                 {"drop_role", ddl | fPrivilege | fDestructive, "", "DROP ROLE"},
	"DropOwnedStmt":                {"drop_owned", ddl | fPrivilege | fDestructive, "", "DROP OWNED drops every object of a role"},
	"ReassignOwnedStmt":            {"reassign_owned", fWrites | fPrivilege, "", "REASSIGN OWNED"},
	"AlterDefaultPrivilegesStmt":   {"alter_default_privileges", fWrites | fPrivilege, "", "ALTER DEFAULT PRIVILEGES"},
	"AlterSystemStmt":              {"alter_system", fWrites | fPrivilege | fFile, "", "ALTER SYSTEM rewrites the server configuration file"},
	"DropdbStmt":                   {"drop", ddl | fDestructive, "", "DROP DATABASE"},
	"DropTableSpaceStmt":           {"drop", ddl | fDestructive, "", "DROP TABLESPACE"},
	"DropSubscriptionStmt":         {"drop", ddl | fDestructive, "", "DROP SUBSCRIPTION"},
	"DropUserMappingStmt":          {"drop", ddl | fDestructive, "", "DROP USER MAPPING"},
	"TruncateStmt":                 {"truncate", fWrites | fDestructive, "relations", "TRUNCATE"},
	"ClusterStmt":                  {"cluster", fWrites, "relation", "CLUSTER rewrites"},
	"ReindexStmt":                  {"reindex", fWrites, "relation", "REINDEX"},
	"RefreshMatViewStmt":           {"refresh_materialized_view", fWrites, "relation", "REFRESH MATERIALIZED VIEW"},
	"CheckPointStmt":               {"checkpoint", fSideEffect, "", "CHECKPOINT"},
	"LockStmt":                     {"lock", fSideEffect, "", "LOCK holds table locks"},
	"NotifyStmt":                   {"notify", fSideEffect, "", "NOTIFY sends a notification"},
	"ConstraintsSetStmt":           {"set", fSideEffect, "", "SET CONSTRAINTS"},
	"ListenStmt":                   {"listen", 0, "", ""},
	"UnlistenStmt":                 {"unlisten", 0, "", ""},
	"VariableShowStmt":             {"show", 0, "", ""},
	"FetchStmt":                    {"fetch", 0, "", ""},
	"ClosePortalStmt":              {"close", 0, "", ""},
	"DeallocateStmt":               {"deallocate", 0, "", ""},
	"CreateCastStmt":               {"create_cast", ddl, "", "CREATE CAST"},
	"CreateStatsStmt":              {"create_statistics", ddl, "", "CREATE STATISTICS"},
	"AlterStatsStmt":               {"other", ddl, "", "ALTER STATISTICS"},
	"CreateConversionStmt":         {"other", ddl, "", "CREATE CONVERSION"},
	"CreateTransformStmt":          {"other", ddl, "", "CREATE TRANSFORM"},
	"CreateOpClassStmt":            {"other", ddl, "", "CREATE OPERATOR CLASS"},
	"CreateOpFamilyStmt":           {"other", ddl, "", "CREATE OPERATOR FAMILY"},
	"AlterOpFamilyStmt":            {"other", ddl, "", "ALTER OPERATOR FAMILY"},
	"AlterOperatorStmt":            {"other", ddl, "", "ALTER OPERATOR"},
	"AlterCollationStmt":           {"other", ddl, "", "ALTER COLLATION"},
	"AlterTSDictionaryStmt":        {"other", ddl, "", "ALTER TEXT SEARCH DICTIONARY"},
	"AlterTSConfigurationStmt":     {"other", ddl, "", "ALTER TEXT SEARCH CONFIGURATION"},
	"CreateAmStmt":                 {"other", ddl, "", "CREATE ACCESS METHOD"},
	"ReplicaIdentityStmt":          {"other", ddl, "", "REPLICA IDENTITY"},
}

// utility handles every statement but SELECT, INSERT, UPDATE, DELETE and
// MERGE, and returns its type.
func (a *analyzer) utility(kind string, b ref) string {
	switch kind {
	case "TransactionStmt":
		return a.transaction(b)
	case "VariableSetStmt":
		return a.set(b)
	case "ExplainStmt":
		return a.explain(b)
	case "CopyStmt":
		return a.copyStmt(b, false, false)
	case "CreateTableAsStmt":
		return a.createTableAs(b)
	case "AlterTableStmt":
		return a.alterTable(b)
	case "DropStmt":
		return a.drop(b)
	case "GrantStmt", "GrantRoleStmt":
		return a.grant(kind, b)
	case "CreateFunctionStmt":
		return a.createFunction(b)
	case "AlterFunctionStmt":
		a.st.flag(ddl, "ddl: ALTER FUNCTION")
		if a.securityDefiner(a.t.get(b, "actions")) {
			a.st.flag(fPrivilege, "privilege: ALTER FUNCTION ... SECURITY DEFINER runs it with its owner's rights")
		}
		return "alter_function"
	case "CreateExtensionStmt":
		return a.createExtension(b)
	case "CreateForeignTableStmt":
		name := a.target(a.t.get(b, "base"), "relation")
		a.st.flag(ddl|fRemote, "remote: CREATE FOREIGN TABLE "+name)
		a.fdwOptions(a.t.get(b, "options"))
		a.members(b)
		return "create_foreign_table"
	case "VacuumStmt":
		typ, what := "analyze", "ANALYZE"
		if a.t.flag(a.t.get(b, "is_vacuumcmd")) {
			typ, what = "vacuum", "VACUUM"
		}
		for c := a.t.first(a.t.get(b, "rels")); c != none; c = a.t.next(c) {
			_, vr := a.t.node(c)
			a.target(vr, "relation")
		}
		a.st.flag(fWrites, "writes: "+what)
		a.members(b)
		return typ
	case "DiscardStmt":
		if a.t.text(a.t.get(b, "target")) == "DISCARD_ALL" {
			a.st.flag(fPrivilege|fSideEffect, "privilege: DISCARD ALL resets the session's role")
		} else {
			a.st.flag(fSideEffect, "not read-only: DISCARD")
		}
		return "discard"
	case "PrepareStmt":
		return a.prepare(b)
	case "ExecuteStmt":
		return a.execute(b)
	case "DeclareCursorStmt":
		q := a.t.get(b, "query")
		a.walk(q)
		qk, qb := a.t.node(q)
		a.exportCheck(qk, qb)
		return "declare_cursor"
	case "DoStmt":
		a.st.opaque("DO runs a code block that cannot be analysed")
		return "do"
	case "CallStmt":
		fc := a.t.get(b, "funccall")
		schema, base := a.funcName(fc)
		name := strings.ToLower(base)
		if schema != "" {
			name = strings.ToLower(schema) + "." + name
		}
		a.st.funcs = append(a.st.funcs, name)
		a.st.unknownFn = true
		a.st.opaque("CALL runs procedure " + name + ", which cannot be analysed")
		a.membersExcept(fc, "funcname")
		return "call"
	case "AlterDatabaseSetStmt", "AlterRoleSetStmt":
		typ, what := "alter_database", "ALTER DATABASE ... SET"
		f := ddl
		if kind == "AlterRoleSetStmt" {
			typ, what, f = "alter_role", "ALTER ROLE ... SET", ddl|fPrivilege
		}
		_, set := a.t.node(a.t.get(b, "setstmt"))
		if name := strings.ToLower(a.t.text(a.t.get(set, "name"))); privilegeSettings[name] {
			f |= fPrivilege
			what += " " + name
		}
		a.st.flag(f, factName(f)+": "+what)
		a.members(b)
		return typ
	case "LoadStmt":
		a.st.opaque("LOAD loads a server library, whose code cannot be analysed")
		return "load"
	case "DefineStmt":
		typ := map[string]string{"OBJECT_TYPE": "create_type", "OBJECT_AGGREGATE": "create_aggregate",
			"OBJECT_OPERATOR": "create_operator", "OBJECT_COLLATION": "create_collation"}[a.t.text(a.t.get(b, "kind"))]
		if typ == "" {
			typ = "other"
		}
		a.st.flag(ddl, "ddl: "+strings.ToUpper(strings.ReplaceAll(typ, "_", " ")))
		return typ
	}
	p, ok := plainStatements[kind]
	if !ok {
		a.st.opaque("statement " + kind + " is not understood")
		return "other"
	}
	name := ""
	if p.target != "" {
		name = a.target(b, p.target)
	}
	switch kind {
	case "RuleStmt", "CompositeTypeStmt":
		// Rule actions run later, if ever; a composite type names no table.
	case "RenameStmt":
		if a.t.text(a.t.get(b, "renameType")) == "OBJECT_ROLE" {
			p.f |= fPrivilege
		}
		a.members(b)
	default:
		a.members(b)
	}
	if p.f != 0 {
		if name != "" {
			name = " " + name
		}
		a.st.flag(p.f, factName(p.f)+": "+p.what+name)
	}
	return p.typ
}
