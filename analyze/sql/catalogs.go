package sql

// credentialCatalogs are built-in catalogs and views that hold credentials,
// server configuration or raw data of other tables. Reading any of them is
// an export whatever Options say, and whatever the LIMIT: one row of
// pg_authid is one password hash. They are matched by table name in any
// schema (pg_authid, pg_catalog.pg_authid), since an unqualified name
// reaches pg_catalog first. doc.go lists them; keep the two in step.
var credentialCatalogs = nameSet(
	"pg_authid",              // password hashes of every role
	"pg_shadow",              // the same, as a view
	"pg_user_mapping",        // foreign-server options, passwords included
	"pg_user_mappings",       // the same, as a view
	"user_mapping_options",   // information_schema's view of them
	"pg_subscription",        // subconninfo: a connection string with a password
	"pg_file_settings",       // the server's configuration files
	"pg_hba_file_rules",      // pg_hba.conf
	"pg_ident_file_mappings", // pg_ident.conf
	"pg_largeobject",         // every large object's data
	"pg_statistic",           // sampled values of every column
	"pg_statistic_ext_data",  // the same, for extended statistics
)

// secretCheck marks a statement that reads a credential catalog as an
// export.
func (a *analyzer) secretCheck() {
	if a.st.secret != "" {
		a.st.flag(fExport, "is_export: reads "+a.st.secret+", a built-in catalog of credentials or server secrets")
	}
}
