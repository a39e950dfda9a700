// Package sql judges what a SQL payload for PostgreSQL will really do.
//
// Analyze parses the payload with PostgreSQL's own parser (pg_query) and
// walks every statement, including CTE bodies, subqueries and the statement
// under EXPLAIN ANALYZE, PREPARE or CREATE TABLE AS, so comments, quoting,
// dollar quotes and nesting cannot hide what runs. It fails closed: input
// that does not parse, is empty, holds a NUL byte or invalid UTF-8, or uses
// a psql meta-command other than \copy sets parse_error and every risky
// fact; a statement whose effect cannot be known (DO, CALL, LOAD, EXECUTE of
// a statement prepared elsewhere, dblink with SQL that is not a constant)
// sets every risky fact for itself.
//
// # Facts
//
// Each statement has the facts below; the payload's are their union, except
// read_only, which holds when every statement is read-only (and there is at
// least one). Facts.Map gives them under these names, for policy (CEL).
//
//   - read_only: running it changes nothing and holds no lock: no fact below
//     but is_export and transaction_control, no SELECT ... FOR UPDATE/SHARE,
//     no SET of a setting outside a short harmless list (settings.go:
//     application_name, TimeZone, DateStyle, isolation level, ...; a
//     timeout only to a positive value of at most 5 minutes or back to its
//     default; transaction_read_only and default_transaction_read_only
//     only on; not work_mem, not search_path, which picks where unqualified
//     functions and operators come from), and no call to a function outside
//     the allow-list of side-effect-free built-ins (allowlist.go). A
//     user-defined function, or any function named in a schema other than
//     pg_catalog or spelled other than in lowercase ("Lower" is not lower),
//     could do anything; so could user code reached without a call: an
//     operator that is not a built-in one or is named in a schema other than
//     pg_catalog (OPERATOR(public.+)), a cast to a type that is not a
//     built-in (a domain's CHECK may call any function), a TABLESAMPLE
//     method other than BERNOULLI and SYSTEM, and field selection t.f when
//     f is a function with effects (PostgreSQL reads t.f as f(t)). EXPLAIN
//     without ANALYZE is read-only unless the plan calls such a function
//     (the planner may run one declared immutable) or is of a statement
//     that cannot be analysed (EXPLAIN EXECUTE of one prepared elsewhere).
//   - writes: it may change persistent state: rows (INSERT, UPDATE, DELETE,
//     MERGE, COPY FROM, SELECT INTO, CREATE TABLE AS, data-modifying CTEs),
//     schema (every ddl statement), privileges (GRANT, REVOKE, roles, ALTER
//     SYSTEM), sequences (nextval, setval), large objects, the server
//     (pg_terminate_backend, pg_reload_conf, ...), tables' storage (VACUUM,
//     ANALYZE, CLUSTER, REINDEX, REFRESH MATERIALIZED VIEW), or another
//     transaction (COMMIT/ROLLBACK PREPARED). ddl and destructive imply it.
//   - ddl: CREATE, ALTER, DROP, COMMENT ON, SECURITY LABEL, RENAME, of any
//     object, roles included. TRUNCATE is not ddl (it is writes and
//     destructive); GRANT and REVOKE are not ddl (they are privilege).
//   - destructive: DROP of anything (roles and DROP OWNED included),
//     TRUNCATE, DELETE or UPDATE without WHERE or with a WHERE that may hold
//     for every row (constant true such as 1=1, x = x, coalesce(true, x),
//     column IS NOT NULL, id IN (SELECT id FROM the same table), or not
//     depending on the row at all), a MERGE that can delete or update every
//     target row (its source the target table itself included),
//     ALTER TABLE ... DROP COLUMN or DROP CONSTRAINT, lo_unlink,
//     pg_terminate_backend, pg_drop_replication_slot, pg_file_unlink.
//   - is_export: data leaves the database: COPY ... TO (STDOUT, a file or a
//     program), psql \copy ... to, a statement that touches a sensitive
//     table (Options) anywhere, even in a subquery, and returns rows without
//     a constant LIMIT within MaxRows (SELECT, DECLARE CURSOR, PREPARE, and
//     UPDATE/DELETE/MERGE/INSERT ... SELECT with RETURNING) unless it
//     provably returns one row of scalars (aggregates such as count, sum or
//     max of a column without GROUP BY), or that returns any rows at all
//     while gathering many rows into one value anywhere in the statement,
//     where neither LIMIT nor one row bounds what leaves: a collecting
//     aggregate (array_agg, string_agg, json_agg, jsonb_agg,
//     json_object_agg, xmlagg, JSON_ARRAYAGG, ...), even over a subquery or
//     as a window function, ARRAY(subquery), JSON_ARRAY(subquery), WITH
//     RECURSIVE, or a function outside the allow-list (it could be an
//     aggregate); reading a credential catalog (below) in any statement,
//     whatever the LIMIT and Options; lo_export, lo_get, table_to_xml and
//     its siblings, reading a logical replication slot, CREATE/ALTER
//     PUBLICATION; and SQL run by query_to_xml, ts_stat or dblink that is an
//     export itself (every fact of that SQL counts for the call).
//
// The credential catalogs, matched by name in any schema (pg_authid and
// pg_catalog.pg_authid alike; catalogs.go): pg_authid, pg_shadow (password
// hashes), pg_user_mapping, pg_user_mappings,
// information_schema.user_mapping_options (foreign-server passwords),
// pg_subscription (subconninfo), pg_file_settings, pg_hba_file_rules,
// pg_ident_file_mappings (the server's configuration; their functions
// pg_show_all_file_settings, pg_hba_file_rules and pg_ident_file_mappings
// are server_side_file too), pg_largeobject (every large object), and
// pg_statistic, pg_statistic_ext_data (sampled column values). Not
// counted: pg_stat_activity (other sessions' query text) and pg_stats (the
// per-column samples of tables the role may read).
//   - copy_program: a shell command runs: COPY ... FROM/TO PROGRAM (on the
//     server), \copy ... program (on the client), a file_fdw foreign table
//     with a program option.
//   - privilege: who may do what changes: GRANT, REVOKE, CREATE/ALTER/DROP
//     ROLE, USER or GROUP, SET ROLE, SET SESSION AUTHORIZATION, RESET ROLE,
//     RESET ALL, DISCARD ALL, SET session_replication_role, set_config of
//     role or session_authorization (or of a name that is not a constant),
//     ALTER DEFAULT PRIVILEGES, CREATE FUNCTION/PROCEDURE ... SECURITY
//     DEFINER and ALTER FUNCTION ... SECURITY DEFINER, ALTER ... OWNER TO,
//     REASSIGN OWNED, DROP OWNED, CREATE/ALTER/DROP POLICY, ALTER TABLE ...
//     DISABLE ROW LEVEL SECURITY, SECURITY LABEL, ALTER SYSTEM, ALTER
//     DATABASE/ROLE ... SET role.
//   - server_side_file: the database server's files are read or written:
//     pg_read_file, pg_read_binary_file, pg_ls_dir, pg_stat_file and the
//     other pg_ls_* functions, lo_import, lo_export, adminpack's pg_file_*,
//     COPY to or from a file name, COPY PROGRAM, CREATE EXTENSION file_fdw,
//     adminpack or an untrusted language, CREATE FUNCTION in language C or
//     an untrusted language, CREATE TABLESPACE, ALTER SYSTEM, a foreign
//     table with a filename option.
//   - remote: another server is reached: dblink* and postgres_fdw_*
//     functions (the SQL a constant dblink argument runs is analysed too),
//     CREATE EXTENSION dblink, postgres_fdw or another *_fdw, CREATE/ALTER
//     SERVER, USER MAPPING, FOREIGN DATA WRAPPER, FOREIGN TABLE, IMPORT
//     FOREIGN SCHEMA, CREATE/ALTER SUBSCRIPTION.
//   - transaction_control: BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK,
//     ABORT, SAVEPOINT, RELEASE, ROLLBACK TO, PREPARE TRANSACTION, COMMIT
//     PREPARED, ROLLBACK PREPARED. On its own it is read-only.
//   - parse_error (payload only): the payload could not be analysed; error
//     says why, and every fact above but read_only is true.
//
// Lists: tables_read and tables_written are lowercased, "schema.table" when
// the query qualifies the name and "table" otherwise; names a WITH defines
// are not tables. Targets of INSERT, UPDATE, DELETE, MERGE, TRUNCATE, COPY
// FROM, DROP, ALTER, CREATE, GRANT/REVOKE ON a table, VACUUM and the like
// are written; every other relation is read (views and tables alike; the
// tables of a statement under EXPLAIN without ANALYZE are read). functions
// lists every function called, lowercased, qualified when the query
// qualifies it. reasons holds one line per finding, "fact: what", for
// approval cards.
//
// # Statement types
//
// select, select_into, insert, update, delete, merge, copy (COPY and psql
// \copy), explain, transaction, set (SET, RESET, SET CONSTRAINTS),
// set_role, set_session_authorization, show, discard, listen, unlisten,
// notify, prepare, execute, deallocate, declare_cursor, fetch (and MOVE),
// close, lock, checkpoint, load, do, call, vacuum, analyze, cluster,
// reindex, refresh_materialized_view, truncate, drop (every DROP but
// roles and DROP OWNED), drop_role, drop_owned, grant, revoke, create_role,
// alter_role, alter_default_privileges, alter_owner, reassign_owned,
// alter_system, create_policy, alter_policy, security_label, create_table,
// create_table_as, create_materialized_view, create_view, create_index,
// create_schema, create_sequence, alter_sequence, create_function (and
// procedures), alter_function, create_trigger, create_event_trigger,
// alter_event_trigger, create_rule, create_extension, alter_extension,
// create_language, create_database, alter_database, create_tablespace,
// alter_tablespace, create_type, alter_type, create_domain, alter_domain,
// create_aggregate, create_operator, create_collation, create_cast,
// create_statistics, comment, rename, set_schema, alter_table, alter_index,
// alter_view, alter_materialized_view, create_foreign_data_wrapper,
// alter_foreign_data_wrapper, create_server, alter_server,
// create_user_mapping, alter_user_mapping, create_foreign_table,
// import_foreign_schema, create_publication, alter_publication,
// create_subscription, alter_subscription, meta_command (a psql
// meta-command other than \copy, with parse_error), and other.
//
// # Assumptions
//
// The server reads strings with standard_conforming_strings on (the default
// since PostgreSQL 9.1): a payload with a string literal whose end would
// move with it off fails closed, and SET standard_conforming_strings makes
// its statement opaque. The payload is read as UTF-8: SET client_encoding
// (SET NAMES, RESET, set_config) to anything but UTF-8 makes its statement
// opaque, since under SJIS, BIG5 or GBK a backslash or quote can be part of
// a multibyte character and a string ends elsewhere. Sensitive tables are
// matched by name, so a view over one, or a function reading one, is not
// seen; neither is a foreign table's server. Functions and operators are
// judged by name, not by the types of their arguments: a user function
// that overloads an allow-listed name for a user type (lower(t)), an
// operator on a user type, or field selection t.f calling a user function
// f(t) of another name is not seen.
package sql
