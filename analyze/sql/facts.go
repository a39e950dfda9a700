package sql

// Statement is what one statement of the payload will do.
type Statement struct {
	Type                                                                                                             string // stable lowercase snake_case: "select", "insert", "update", "delete", "merge", "copy", "create_table", "drop", "truncate", "grant", "revoke", "create_role", "alter_role", "set", "set_role", "transaction", "explain", "do", "create_function", "call", "meta_command" (psql backslash), ... "other" for the rest
	ReadOnly, Writes, DDL, Destructive, IsExport, CopyProgram, Privilege, ServerSideFile, Remote, TransactionControl bool
	TablesRead, TablesWritten                                                                                        []string // lowercased, "schema.table" when qualified else "table"; CTE names are not tables; sorted, unique, never nil
	Functions                                                                                                        []string // functions called, lowercased, qualified when written qualified; sorted, unique, never nil
}

// Facts is what a whole payload will do: each statement and their union.
type Facts struct {
	Statements                                                                                             []Statement
	ReadOnly                                                                                               bool     // every statement read-only (false when there are none)
	Writes, DDL, Destructive, IsExport, CopyProgram, Privilege, ServerSideFile, Remote, TransactionControl bool     // any statement
	TablesRead, TablesWritten, Tables, Functions                                                           []string // unions; Tables = read ∪ written
	ParseError                                                                                             bool
	Error                                                                                                  string   // parser message when ParseError
	Reasons                                                                                                []string // one short human line per risky finding, e.g. "destructive: DELETE FROM orders has no WHERE", for approval cards
}

// fact is one boolean finding; a set of them is a bit mask.
type fact uint16

const (
	fWrites fact = 1 << iota
	fDDL
	fDestructive
	fExport
	fProgram
	fPrivilege
	fFile
	fRemote
	fTxn
	fSideEffect // not read-only, though none of the facts above
)

// risky is every fact a parse error or an opaque statement sets.
const risky = fWrites | fDDL | fDestructive | fExport | fProgram | fPrivilege | fFile | fRemote | fTxn

// notReadOnly is every fact that makes a statement not read-only; an export
// or a transaction statement alone still only reads.
const notReadOnly = fWrites | fDDL | fDestructive | fProgram | fPrivilege | fFile | fRemote | fSideEffect

// factNames names each fact as Map and the reasons do.
var factNames = [...]struct {
	f    fact
	name string
}{
	{fWrites, "writes"},
	{fDDL, "ddl"},
	{fDestructive, "destructive"},
	{fExport, "is_export"},
	{fProgram, "copy_program"},
	{fPrivilege, "privilege"},
	{fFile, "server_side_file"},
	{fRemote, "remote"},
	{fTxn, "transaction_control"},
	{fSideEffect, "not read-only"},
}

func (s *Statement) set(f fact) {
	s.Writes = f&fWrites != 0
	s.DDL = f&fDDL != 0
	s.Destructive = f&fDestructive != 0
	s.IsExport = f&fExport != 0
	s.CopyProgram = f&fProgram != 0
	s.Privilege = f&fPrivilege != 0
	s.ServerSideFile = f&fFile != 0
	s.Remote = f&fRemote != 0
	s.TransactionControl = f&fTxn != 0
	s.ReadOnly = f&notReadOnly == 0
}

func (s *Statement) facts() fact {
	var f fact
	for _, x := range [...]struct {
		on bool
		f  fact
	}{
		{s.Writes, fWrites}, {s.DDL, fDDL}, {s.Destructive, fDestructive}, {s.IsExport, fExport},
		{s.CopyProgram, fProgram}, {s.Privilege, fPrivilege}, {s.ServerSideFile, fFile},
		{s.Remote, fRemote}, {s.TransactionControl, fTxn},
	} {
		if x.on {
			f |= x.f
		}
	}
	if !s.ReadOnly {
		f |= fSideEffect
	}
	return f
}

func (f *Facts) set(x fact) {
	f.Writes = x&fWrites != 0
	f.DDL = x&fDDL != 0
	f.Destructive = x&fDestructive != 0
	f.IsExport = x&fExport != 0
	f.CopyProgram = x&fProgram != 0
	f.Privilege = x&fPrivilege != 0
	f.ServerSideFile = x&fFile != 0
	f.Remote = x&fRemote != 0
	f.TransactionControl = x&fTxn != 0
}

// Map returns the facts as policy (CEL) reads them. Every key is always present:
// statements (a []any of map[string]any with keys type, read_only, writes, ddl, destructive, is_export, copy_program, privilege, server_side_file, remote, transaction_control, tables_read, tables_written, functions),
// statement_count (int64), types ([]string, unique, in order), read_only, writes, ddl, destructive, is_export, copy_program, privilege, server_side_file, remote, transaction_control, parse_error (bools),
// tables, tables_read, tables_written, functions, reasons ([]string, never nil), error (string, "" when none).
func (f Facts) Map() map[string]any {
	stmts := make([]any, 0, len(f.Statements))
	types := []string{}
	for _, s := range f.Statements {
		stmts = append(stmts, map[string]any{
			"type":                s.Type,
			"read_only":           s.ReadOnly,
			"writes":              s.Writes,
			"ddl":                 s.DDL,
			"destructive":         s.Destructive,
			"is_export":           s.IsExport,
			"copy_program":        s.CopyProgram,
			"privilege":           s.Privilege,
			"server_side_file":    s.ServerSideFile,
			"remote":              s.Remote,
			"transaction_control": s.TransactionControl,
			"tables_read":         nonNil(s.TablesRead),
			"tables_written":      nonNil(s.TablesWritten),
			"functions":           nonNil(s.Functions),
		})
		seen := false
		for _, t := range types {
			if t == s.Type {
				seen = true
				break
			}
		}
		if !seen {
			types = append(types, s.Type)
		}
	}
	return map[string]any{
		"statements":          stmts,
		"statement_count":     int64(len(f.Statements)),
		"types":               types,
		"read_only":           f.ReadOnly,
		"writes":              f.Writes,
		"ddl":                 f.DDL,
		"destructive":         f.Destructive,
		"is_export":           f.IsExport,
		"copy_program":        f.CopyProgram,
		"privilege":           f.Privilege,
		"server_side_file":    f.ServerSideFile,
		"remote":              f.Remote,
		"transaction_control": f.TransactionControl,
		"parse_error":         f.ParseError,
		"tables":              nonNil(f.Tables),
		"tables_read":         nonNil(f.TablesRead),
		"tables_written":      nonNil(f.TablesWritten),
		"functions":           nonNil(f.Functions),
		"reasons":             nonNil(f.Reasons),
		"error":               f.Error,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
