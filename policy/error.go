package policy

import (
	"fmt"

	"github.com/countersign/countersign"
)

// Error is a policy error naming the file, the line and the rule it is about.
// Rule is "" for errors outside any rule, and "#N" (1-based position) for a
// rule without a name. Line is 0 when no line can be named.
//
// Every *Error unwraps to a *countersign.Error with code
// countersign.EPolicyInvalid, so countersign.ErrorCode of anything Parse
// returns — one *Error, or several joined with errors.Join — is
// EPolicyInvalid without the caller wrapping it.
type Error struct {
	File    string
	Line    int
	Rule    string
	Message string
}

// Error returns "file:line: rule NAME: message", leaving out the parts that
// are unknown.
func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	if e.Rule != "" {
		s += ": rule " + e.Rule
	}
	return s + ": " + e.Message
}

// Unwrap returns the domain error this policy error stands for: code
// countersign.EPolicyInvalid, with the whole "file:line: rule: message" text
// as its message.
func (e *Error) Unwrap() error {
	return &countersign.Error{Code: countersign.EPolicyInvalid, Message: e.Error()}
}
