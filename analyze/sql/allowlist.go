package sql

// The allow-list: built-in functions (named unqualified or in pg_catalog)
// that neither change anything nor read outside the query's own tables.
// A call to any other function makes a statement not read-only, since a
// user-defined function could do anything. Functions known to have effects
// are in effects.go.

// reducingAggregates reduce their input to one value; a query of only these, without GROUP BY, returns one row.
var reducingAggregates = nameSet(
	"any_value", "avg", "bit_and", "bit_or", "bit_xor", "bool_and", "bool_or", "corr", "count",
	"covar_pop", "covar_samp", "every", "max", "min", "mode", "percentile_cont",
	"percentile_disc", "range_intersect_agg", "regr_avgx", "regr_avgy", "regr_count",
	"regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy", "regr_syy", "stddev",
	"stddev_pop", "stddev_samp", "sum", "var_pop", "var_samp", "variance",
)

// collectingAggregates gather every input row into one value: one row, but all the data.
var collectingAggregates = nameSet(
	"array_agg", "json_agg", "json_agg_strict", "json_object_agg", "json_object_agg_strict",
	"json_object_agg_unique", "json_object_agg_unique_strict", "jsonb_agg", "jsonb_agg_strict",
	"jsonb_object_agg", "jsonb_object_agg_strict", "jsonb_object_agg_unique",
	"jsonb_object_agg_unique_strict", "range_agg", "string_agg", "xmlagg",
)

// rowMultiplying are set-returning functions: side-effect free, but they return many rows.
var rowMultiplying = nameSet(
	"aclexplode", "generate_series", "generate_subscripts", "json_array_elements",
	"json_array_elements_text", "json_each", "json_each_text", "json_object_keys",
	"json_populate_recordset", "json_to_recordset", "jsonb_array_elements",
	"jsonb_array_elements_text", "jsonb_each", "jsonb_each_text", "jsonb_object_keys",
	"jsonb_path_query", "jsonb_path_query_tz", "jsonb_populate_recordset", "jsonb_to_recordset",
	"pg_get_keywords", "pg_options_to_table", "pg_partition_ancestors", "pg_partition_tree",
	"regexp_matches", "regexp_split_to_table", "string_to_table", "ts_debug", "ts_parse",
	"ts_token_type", "unnest",
)

// scalarFunctions are the other side-effect-free built-ins.
var scalarFunctions = nameSet(
	"abbrev", "abs", "acos", "acosd", "acosh", "age", "area", "array_append", "array_cat",
	"array_dims", "array_fill", "array_length", "array_lower", "array_ndims", "array_position",
	"array_positions", "array_prepend", "array_remove", "array_replace", "array_reverse",
	"array_sample", "array_shuffle", "array_sort", "array_to_json", "array_to_string",
	"array_to_tsvector", "array_upper", "ascii", "asin", "asind", "asinh", "atan", "atan2",
	"atan2d", "atand", "atanh", "bit_count", "bit_length", "bool", "bound_box", "box", "bpchar",
	"broadcast", "btrim", "bytea", "cardinality", "casefold", "cbrt", "ceil", "ceiling", "center",
	"char_length", "character_length", "chr", "cidr", "circle", "clock_timestamp",
	"col_description", "concat", "concat_ws", "convert", "convert_from", "convert_to", "cos",
	"cosd", "cosh", "cot", "cotd", "crc32", "crc32c", "crypt", "cume_dist", "current_database",
	"current_schema", "current_schemas", "current_setting", "currval", "date", "date_add",
	"date_bin", "date_part", "date_subtract", "date_trunc", "datemultirange", "daterange",
	"decode", "degrees", "dense_rank", "diameter", "difference", "digest", "div", "dmetaphone",
	"encode", "enum_first", "enum_last", "enum_range", "erf", "erfc", "exp", "extract",
	"factorial", "family", "first_value", "float4", "float8", "floor", "format", "format_type",
	"gcd", "gen_random_bytes", "gen_random_uuid", "gen_salt", "get_bit", "get_byte",
	"get_current_ts_config", "getdatabaseencoding", "greatest", "has_any_column_privilege",
	"has_column_privilege", "has_database_privilege", "has_foreign_data_wrapper_privilege",
	"has_function_privilege", "has_language_privilege", "has_largeobject_privilege",
	"has_parameter_privilege", "has_schema_privilege", "has_sequence_privilege",
	"has_server_privilege", "has_table_privilege", "has_tablespace_privilege",
	"has_type_privilege", "hashtext", "hashtextextended", "height", "hmac", "host", "hostmask",
	"inet", "inet_client_addr", "inet_client_port", "inet_merge", "inet_same_family",
	"inet_server_addr", "inet_server_port", "initcap", "int2", "int4", "int4multirange",
	"int4range", "int8", "int8multirange", "int8range", "interval", "isclosed", "isempty",
	"isfinite", "isopen", "json", "json_array_length", "json_build_array", "json_build_object",
	"json_extract_path", "json_extract_path_text", "json_object", "json_populate_record",
	"json_scalar", "json_serialize", "json_strip_nulls", "json_to_record", "json_typeof", "jsonb",
	"jsonb_array_length", "jsonb_build_array", "jsonb_build_object", "jsonb_concat",
	"jsonb_contains", "jsonb_exists", "jsonb_extract_path", "jsonb_extract_path_text",
	"jsonb_insert", "jsonb_object", "jsonb_path_exists", "jsonb_path_exists_tz",
	"jsonb_path_match", "jsonb_path_match_tz", "jsonb_path_query_array",
	"jsonb_path_query_array_tz", "jsonb_path_query_first", "jsonb_path_query_first_tz",
	"jsonb_populate_record", "jsonb_pretty", "jsonb_set", "jsonb_set_lax", "jsonb_strip_nulls",
	"jsonb_to_record", "jsonb_typeof", "justify_days", "justify_hours", "justify_interval", "lag",
	"last_value", "lastval", "lcm", "lead", "least", "left", "length", "levenshtein",
	"like_escape", "line", "ln", "log", "log10", "lower", "lower_inc", "lower_inf",
	"lpad", "lseg", "ltrim", "macaddr", "macaddr8_set7bit", "make_date", "make_interval",
	"make_time", "make_timestamp", "make_timestamptz", "masklen", "md5", "metaphone", "min_scale",
	"mod", "money", "multirange", "name", "netmask", "network", "normalize", "now", "npoints",
	"nth_value", "ntile", "num_nonnulls", "num_nulls", "numeric", "nummultirange", "numnode",
	"numrange", "obj_description", "octet_length", "oid", "overlaps", "overlay", "parse_ident",
	"path", "pclose", "percent_rank", "pg_backend_pid", "pg_blocking_pids", "pg_char_to_encoding",
	"pg_client_encoding", "pg_collation_is_visible", "pg_column_compression", "pg_column_size",
	"pg_conf_load_time", "pg_control_checkpoint", "pg_control_system", "pg_conversion_is_visible",
	"pg_current_snapshot", "pg_current_wal_flush_lsn", "pg_current_wal_insert_lsn",
	"pg_current_wal_lsn", "pg_current_xact_id_if_assigned", "pg_database_size",
	"pg_describe_object", "pg_encoding_to_char", "pg_function_is_visible",
	"pg_get_backend_memory_contexts", "pg_get_constraintdef", "pg_get_expr",
	"pg_get_function_arguments", "pg_get_function_identity_arguments", "pg_get_function_result",
	"pg_get_functiondef", "pg_get_indexdef", "pg_get_object_address", "pg_get_partkeydef",
	"pg_get_ruledef", "pg_get_serial_sequence", "pg_get_statisticsobjdef", "pg_get_triggerdef",
	"pg_get_userbyid", "pg_get_viewdef", "pg_get_wal_replay_pause_state", "pg_has_role",
	"pg_identify_object", "pg_identify_object_as_address", "pg_index_column_has_property",
	"pg_index_has_property", "pg_indexam_has_property", "pg_indexes_size", "pg_input_error_info",
	"pg_input_is_valid", "pg_is_in_recovery", "pg_is_other_temp_schema",
	"pg_is_wal_replay_paused", "pg_jit_available", "pg_last_wal_receive_lsn",
	"pg_last_wal_replay_lsn", "pg_last_xact_replay_timestamp", "pg_listening_channels",
	"pg_my_temp_schema", "pg_notification_queue_usage", "pg_opclass_is_visible",
	"pg_operator_is_visible", "pg_partition_root", "pg_postmaster_start_time",
	"pg_relation_filenode", "pg_relation_filepath", "pg_relation_size",
	"pg_safe_snapshot_blocking_pids", "pg_sequence_last_value", "pg_size_bytes", "pg_size_pretty",
	"pg_snapshot_xmax", "pg_snapshot_xmin", "pg_stat_get_activity", "pg_stat_get_backend_pid",
	"pg_stat_get_dead_tuples", "pg_stat_get_live_tuples", "pg_stat_get_numscans",
	"pg_stat_get_tuples_returned", "pg_statistics_obj_is_visible", "pg_table_is_visible",
	"pg_table_size", "pg_tablespace_location", "pg_tablespace_size", "pg_total_relation_size",
	"pg_trigger_depth", "pg_ts_config_is_visible", "pg_type_is_visible", "pg_typeof",
	"pg_visible_in_snapshot", "pg_wal_lsn_diff", "pg_xact_status", "phraseto_tsquery", "pi",
	"plainto_tsquery", "point", "polygon", "popen", "position", "pow", "power", "querytree",
	"quote_ident", "quote_literal", "quote_nullable", "radians", "radius", "random",
	"random_normal", "range_merge", "rank", "regclass", "regexp_count", "regexp_instr",
	"regexp_like", "regexp_match", "regexp_replace", "regexp_split_to_array", "regexp_substr",
	"regproc", "regtype", "repeat", "replace", "reverse", "right", "round", "row_number",
	"row_security_active", "row_to_json", "rpad", "rtrim", "scale", "set_bit", "set_byte",
	"set_masklen", "setweight", "sha224", "sha256", "sha384", "sha512", "shobj_description",
	"show_trgm", "sign", "similar_to_escape", "similarity", "sin", "sind", "sinh", "soundex",
	"split_part", "sqrt", "starts_with", "statement_timestamp", "strict_word_similarity",
	"string_agg_finalfn", "string_to_array", "strip", "strpos", "substr", "substring", "tan",
	"tand", "tanh", "text", "textlen", "time", "timeofday", "timestamp", "timestamptz", "timetz",
	"timezone", "to_ascii", "to_bin", "to_char", "to_date", "to_hex", "to_json", "to_jsonb",
	"to_number", "to_oct", "to_regclass", "to_regcollation", "to_regnamespace", "to_regoper",
	"to_regoperator", "to_regproc", "to_regprocedure", "to_regrole", "to_regtype",
	"to_regtypemod", "to_timestamp", "to_tsquery", "to_tsvector", "transaction_timestamp",
	"translate", "trim", "trim_array", "trim_scale", "trunc", "ts_delete", "ts_filter",
	"ts_headline", "ts_lexize", "ts_rank", "ts_rank_cd", "tsmultirange", "tsrange",
	"tstzmultirange", "tstzrange", "tsvector_to_array", "txid_current_if_assigned",
	"txid_current_snapshot", "txid_snapshot_xmax", "txid_snapshot_xmin", "txid_status",
	"unaccent", "unistr", "upper", "upper_inc", "upper_inf", "uuid", "uuid_extract_timestamp",
	"uuid_extract_version", "uuid_generate_v1", "uuid_generate_v4", "uuidv4", "uuidv7", "varchar",
	"version", "websearch_to_tsquery", "width", "width_bucket", "word_similarity",
	"xml_is_well_formed", "xml_is_well_formed_content", "xml_is_well_formed_document",
	"xmlcomment", "xmlconcat", "xmlexists", "xmlforest", "xmlpi", "xmlroot", "xmltext", "xpath",
	"xpath_exists",
)

// pure is every allow-listed function.
var pure = union(reducingAggregates, collectingAggregates, rowMultiplying, scalarFunctions)

func nameSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func union(sets ...map[string]bool) map[string]bool {
	m := map[string]bool{}
	for _, s := range sets {
		for k := range s {
			m[k] = true
		}
	}
	return m
}
