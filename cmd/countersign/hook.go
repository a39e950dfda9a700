package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/client"
	"github.com/countersign/countersign/hooks"
	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"
)

// maxHookInput bounds what a hook reads on stdin.
const maxHookInput = 4 << 20

// hookGrace is how long past --wait a hook may take in all before it
// denies: less than the 30 s install adds for the tool's timeout, which
// runs the call when it fires.
var hookGrace = 20 * time.Second

// hookFlags are the flags every judging hook takes.
type hookFlags struct {
	hc          hooks.Context
	wait        time.Duration
	verifierKey string
}

func (f *hookFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.hc.Environment, "env", os.Getenv("COUNTERSIGN_ENV"), "environment of the actions (default $COUNTERSIGN_ENV)")
	fl.StringVar(&f.hc.OnBehalfOf, "on-behalf-of", os.Getenv("COUNTERSIGN_ON_BEHALF_OF"), "the human the agent acts for (default $COUNTERSIGN_ON_BEHALF_OF)")
	fl.DurationVar(&f.wait, "wait", hooks.DefaultWait, "how long a call held for review waits before it is denied with the pending request's id")
	fl.StringVar(&f.verifierKey, "verifier-key", os.Getenv("COUNTERSIGN_VERIFIER_KEY"),
		"the server's evidence verifier key, which signs the policy's offline_allow; without it nothing is allowed offline (default $COUNTERSIGN_VERIFIER_KEY)")
}

func newHookCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "hook", Short: "Judge coding agents' tool calls (Claude Code and Cursor hooks)"}
	for _, tool := range []struct {
		name, short string
		parse       func([]byte, hooks.Context) (countersign.SubmitInput, error)
		output      func(hooks.Verdict) []byte
	}{
		{"claude-code", "A Claude Code PreToolUse hook: reads the hook's JSON on stdin, answers allow or deny on stdout",
			func(raw []byte, hc hooks.Context) (countersign.SubmitInput, error) {
				in, err := hooks.ParseClaude(raw)
				if err != nil {
					return countersign.SubmitInput{}, err
				}
				hc.ProjectDir = os.Getenv("CLAUDE_PROJECT_DIR") // file paths are relative to it, not to the cwd
				hc.ResolvePath = hooks.ResolveExisting          // on the machine that runs the tool: see through links
				return in.Action(hc)
			}, hooks.ClaudeOutput},
		{"cursor", "A Cursor beforeShellExecution / beforeMCPExecution hook: reads the hook's JSON on stdin, answers allow or deny",
			func(raw []byte, hc hooks.Context) (countersign.SubmitInput, error) {
				in, err := hooks.ParseCursor(raw)
				if err != nil {
					return countersign.SubmitInput{}, err
				}
				return in.Action(hc)
			}, hooks.CursorOutput},
	} {
		var f hookFlags
		c := &cobra.Command{
			Use:   tool.name,
			Short: tool.short,
			Long: tool.short + `.

The agent key is COUNTERSIGN_KEY, the server COUNTERSIGN_URL. An allowed call is
allowed at once; a call held for review waits up to --wait, then is denied with a
message naming the pending request, and the same call made again once approved is
allowed. The hook never answers "ask", and anything that goes wrong denies, except
that while the server cannot be reached the kinds the policy's offline_allow lists
(as the hook last heard it, within 24 h) are allowed.`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				v := judgeHook(cmd.Context(), cmd.InOrStdin(), tool.parse, f)
				if _, err := cmd.OutOrStdout().Write(tool.output(v)); err != nil {
					return hookFailed(err)
				}
				return nil
			},
		}
		// Both tools run the call when a hook exits 1 (a "non-blocking
		// error"); exit 2 blocks it. So a hook that cannot answer, a bad
		// flag in its config among the causes, exits 2.
		c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return hookFailed(err) })
		f.add(c)
		cmd.AddCommand(c)
	}
	cmd.AddCommand(newHookInstallCmd())
	return cmd
}

// judgeHook reads a hook input and judges it; every failure is a denial.
func judgeHook(ctx context.Context, stdin io.Reader, parse func([]byte, hooks.Context) (countersign.SubmitInput, error),
	f hookFlags) hooks.Verdict {
	hc, wait := f.hc, f.wait
	raw, err := io.ReadAll(io.LimitReader(stdin, maxHookInput+1))
	if err != nil || len(raw) > maxHookInput {
		return hooks.Verdict{Reason: fmt.Sprintf("Countersign could not read the hook input (%v); the call was not run.", errOrSize(err))}
	}
	in, err := parse(raw, hc)
	if err != nil {
		return hooks.Verdict{Reason: fmt.Sprintf("Countersign could not read this call (%v), so it was not run.", err)}
	}
	c, err := newClient()
	if err != nil {
		return hooks.Verdict{Reason: fmt.Sprintf("Countersign is not configured for this agent (%v), so the call was not run.", firstLine(err.Error()))}
	}
	ctx, cancel := context.WithTimeout(ctx, wait+hookGrace) // a server that never answers must not outlast the tool's timeout
	defer cancel()
	cache := hooks.OfflineCache{Path: hooks.DefaultOfflinePath()}
	if f.verifierKey != "" {
		v, err := note.NewVerifier(f.verifierKey)
		if err != nil {
			return hooks.Verdict{Reason: fmt.Sprintf("Countersign's hook is misconfigured (--verifier-key: %v), so the call was not run.", err)}
		}
		cache.Verifier = v
	}
	now := time.Now()
	// The state file may serve several agents' keys: each has its own
	// generations (named by a hash, not the key).
	who := sha256.Sum256([]byte(os.Getenv("COUNTERSIGN_URL") + "\x00" + os.Getenv("COUNTERSIGN_KEY")))
	gens := client.Scoped(hooks.FileGenerations{Path: hooks.DefaultGenerationsPath()}, hex.EncodeToString(who[:8]))
	offline, stale := cache.Load(now) // one read and one signature check
	v := hooks.Judge(ctx, c, gens, in, hooks.Options{Wait: wait, OfflineAllow: offline})
	if stale {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if v, err := c.OfflineAllow(rctx); err == nil && v.Note != "" {
			_ = cache.Store(v.Note) // unremembered (or not verified), the next hook asks again
		}
	}
	return v
}

// hookFailed is the error of a hook that could not answer: exit 2, which
// Claude Code and Cursor take as a denial.
func hookFailed(err error) error {
	return &exitError{code: 2, msg: "the hook could not answer, so the call is denied: " + err.Error()}
}

func errOrSize(err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("more than %d bytes", maxHookInput)
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func newHookInstallCmd() *cobra.Command {
	var (
		write   bool
		dir     string
		httpURL string
		f       hookFlags
	)
	cmd := &cobra.Command{
		Use:   "install claude-code|cursor [--write] [--dir DIR] [--http URL]",
		Short: "Print, or merge into the project's config, the hook configuration",
		Long: `Print the hook configuration for Claude Code (.claude/settings.json) or Cursor
(.cursor/hooks.json), or with --write merge it into that file under --dir, keeping
everything else in it and replacing an earlier Countersign entry. The tool's
timeout is set 30 s above --wait, since both tools run a call whose hook timed out.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"claude-code", "cursor"},
		RunE: func(cmd *cobra.Command, args []string) error {
			command := "countersign hook " + args[0]
			if f.hc.Environment != "" {
				command += " --env " + shellQuote(f.hc.Environment)
			}
			if f.hc.OnBehalfOf != "" {
				command += " --on-behalf-of " + shellQuote(f.hc.OnBehalfOf)
			}
			if f.wait != hooks.DefaultWait {
				command += " --wait " + f.wait.String()
			}
			if httpURL != "" {
				// An HTTP hook is judged on the server: nothing to pin.
			} else if vkey := installVerifierKey(cmd, f.verifierKey); vkey != "" {
				command += " --verifier-key " + shellQuote(vkey)
			}
			o := hooks.InstallOptions{Command: command, Timeout: int((f.wait + 30*time.Second).Seconds())}
			var (
				path  string
				merge func([]byte, hooks.InstallOptions) ([]byte, error)
			)
			switch args[0] {
			case "claude-code":
				path, merge, o.HTTPURL = filepath.Join(dir, ".claude", "settings.json"), hooks.ClaudeSettings, httpURL
				if httpURL != "" {
					u, err := url.Parse(httpURL)
					if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
						return usageError{fmt.Errorf("--http wants the server's hook URL, e.g. https://countersign.example.com/v1/hooks/claude-code")}
					}
					u.RawQuery = hookQuery(f, u.Query())
					o.HTTPURL = u.String()
				}
			case "cursor":
				if httpURL != "" {
					return usageError{fmt.Errorf("--http: Cursor has no HTTP hooks")}
				}
				path, merge = filepath.Join(dir, ".cursor", "hooks.json"), hooks.CursorHooks
			default:
				return usageError{fmt.Errorf("install claude-code or cursor, not %q", args[0])}
			}
			if !write {
				out, err := merge(nil, o)
				if err != nil {
					return err
				}
				_, err = cmd.OutOrStdout().Write(out)
				return err
			}
			existing, err := os.ReadFile(path)
			if err != nil && !os.IsNotExist(err) {
				return err
			}
			out, err := merge(existing, o)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := hooks.WriteFileAtomic(path, out, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", path)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&write, "write", false, "merge into the config file instead of printing")
	fl.StringVar(&dir, "dir", ".", "the project directory")
	fl.StringVar(&httpURL, "http", "", "Claude Code: an HTTP hook posting to this URL (the server's /v1/hooks/claude-code) instead of a command")
	f.add(cmd)
	return cmd
}

// installVerifierKey returns the verifier key to pin in an installed hook:
// the one given, else the server's (COUNTERSIGN_URL, COUNTERSIGN_KEY), else
// "" with a warning that nothing will be allowed offline.
func installVerifierKey(cmd *cobra.Command, given string) string {
	if given != "" {
		if _, err := note.NewVerifier(given); err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "warning: --verifier-key: %v; the hook will allow nothing offline\n", err)
			return ""
		}
		return given
	}
	c, err := newClient()
	if err == nil {
		ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
		defer cancel()
		var vkey string
		if vkey, err = c.VerifierKey(ctx); err == nil {
			return vkey
		}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "warning: the server's verifier key is unknown (%s); the hook will allow nothing offline.\n"+
		"hint: set COUNTERSIGN_URL and COUNTERSIGN_KEY, or pass --verifier-key (countersign evidence key)\n", firstLine(err.Error()))
	return ""
}

// hookQuery adds the flags to an HTTP hook URL's query.
func hookQuery(f hookFlags, q url.Values) string {
	q.Set("wait", f.wait.String())
	if f.hc.Environment != "" {
		q.Set("env", f.hc.Environment)
	}
	if f.hc.OnBehalfOf != "" {
		q.Set("on_behalf_of", f.hc.OnBehalfOf)
	}
	return q.Encode()
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._-+=:/") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
