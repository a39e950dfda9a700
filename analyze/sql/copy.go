package sql

// copyStmt handles COPY. FROM writes the table; TO exports. A file name is
// a file on the database server; PROGRAM runs a shell command there, which
// could do anything to the server's files. When client is set the COPY is
// psql's \copy, whose file or program is on the client instead, and
// clientProgram says whether it is a program.
func (a *analyzer) copyStmt(b ref, client, clientProgram bool) string {
	from := a.t.flag(a.t.get(b, "is_from"))
	program := a.t.flag(a.t.get(b, "is_program"))
	file := a.t.text(a.t.get(b, "filename"))
	name := "(query)"
	if from {
		name = a.target(b, "relation")
		a.st.flag(fWrites, "writes: COPY "+name+" FROM")
	} else {
		if rv := a.t.get(b, "relation"); rv != none {
			a.rangeVar(rv, false)
			name = a.st.read[len(a.st.read)-1]
		}
		a.st.flag(fExport, "is_export: COPY "+name+" TO sends the data out")
	}
	a.membersExcept(b, "relation")
	dir := "TO"
	if from {
		dir = "FROM"
	}
	switch {
	case client && clientProgram:
		a.st.flag(fProgram|fWrites, "copy_program: \\copy "+name+" "+dir+" PROGRAM runs a shell command on the client")
	case client:
	case program:
		a.st.flag(fProgram|fFile|fWrites, "copy_program: COPY "+name+" "+dir+" PROGRAM runs a shell command on the database server")
	case file != "":
		a.st.flag(fFile, "server_side_file: COPY "+name+" "+dir+" a file on the database server")
	}
	return "copy"
}
