// Command countersign is the Countersign gateway and every client-side command.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	countersign "github.com/countersign/countersign"
	"github.com/spf13/cobra"
)

// exitError carries a process exit code through cobra.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// run executes the CLI and returns the exit code: 0 success, 1 failure or a
// refused action, 2 usage error.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "countersign: "+ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "countersign: "+countersign.Describe(err))
	if h := hint(err); h != "" {
		fmt.Fprintln(stderr, "hint: "+h)
	}
	if isUsage(err) {
		return 2
	}
	return 1
}

func hint(err error) string {
	switch countersign.ErrorCode(err) {
	case countersign.EUnauthenticated:
		return "set COUNTERSIGN_KEY to a key from `countersign keys create` (or the bootstrap key)"
	case countersign.EForbidden:
		return "this key's principal may not do that; admins manage keys and agents, humans review, agents submit"
	}
	if strings.Contains(err.Error(), "connection refused") {
		return "is the server running? start it with `countersign serve`, or set COUNTERSIGN_URL"
	}
	return ""
}

type usageError struct{ error }

func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u) || strings.HasPrefix(err.Error(), "unknown command") ||
		strings.HasPrefix(err.Error(), "unknown flag") || strings.Contains(err.Error(), "flag needs an argument") ||
		strings.HasPrefix(err.Error(), "accepts ") || strings.HasPrefix(err.Error(), "required flag")
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "countersign",
		Short:         "Put human judgment in front of AI agents' sensitive actions",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newServeCmd(), newCheckCmd(), newRequestsCmd(), newApproveCmd(), newRejectCmd(),
		newKeysCmd(), newAgentsCmd(), newPolicyCmd(), newEvidenceCmd(), newDLPCmd(), newMCPCmd(), newHookCmd(), newExecCmd(), newVersionCmd())
	return root
}
