// Package analyze finds out what an action will really do, from its payload,
// so that policy judges the effect and not the text: the SQL analyser
// (analyze/sql) parses statements with PostgreSQL's own parser, the shell
// analyser (analyze/shell) parses command lines and unwraps sudo, bash -c,
// ssh and the like, and this package reads MCP tool calls and HTTP calls.
//
// Facts are keyed by analyser, "sql", "shell", "mcp" or "http", which are
// also the names policy reads them by. docs/policy.md lists every fact.
// Analysis fails closed: input an analyser cannot understand yields facts
// that say every risk is present, and a panic is an error, which the
// gateway turns into a denial.
package analyze

import (
	"context"
	"fmt"

	"github.com/countersign/countersign"
	"github.com/countersign/countersign/analyze/shell"
	sqlan "github.com/countersign/countersign/analyze/sql"
	"github.com/countersign/countersign/policy"
)

// Facts are an action's facts keyed by analyser.
type Facts = map[string]map[string]any

// Action returns the facts of an action whose payload Action.Check decoded
// (nil: Action decodes it). Actions of kind custom have no facts.
func Action(ctx context.Context, a countersign.Action, payload map[string]any, opt policy.Analysis) (f Facts, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("the %s analyser failed: %v", a.Kind, r)
		}
	}()
	if payload == nil {
		if payload, err = a.Check(); err != nil {
			return nil, err
		}
	}
	switch a.Kind {
	case countersign.ActionSQL:
		src, _ := payload["sql"].(string)
		return Facts{"sql": sqlan.Analyze(src, sqlan.Options{SensitiveTables: opt.SensitiveTables, MaxRows: opt.MaxRows}).Map()}, nil
	case countersign.ActionShell:
		if argv, ok := payload["argv"].([]any); ok {
			words := make([]string, len(argv))
			for i, w := range argv {
				words[i], _ = w.(string)
			}
			return Facts{"shell": shell.AnalyzeArgv(words).Map()}, nil
		}
		cmd, _ := payload["command"].(string)
		return Facts{"shell": shell.Analyze(cmd).Map()}, nil
	case countersign.ActionMCP:
		f := Facts{"mcp": MCP(ctx, payload, opt.TrustedServers)}
		// A tool whose argument is SQL or a shell command (the gateway's
		// per-tool config says which) is judged by what that does too.
		if src, ok := payload["sql"].(string); ok {
			f["sql"] = sqlan.Analyze(src, sqlan.Options{SensitiveTables: opt.SensitiveTables, MaxRows: opt.MaxRows}).Map()
		}
		if cmd, ok := payload["command"].(string); ok {
			f["shell"] = shell.Analyze(cmd).Map()
		}
		return f, nil
	case countersign.ActionHTTP:
		return Facts{"http": HTTP(payload)}, nil
	case countersign.ActionCustom:
		return nil, nil
	}
	return nil, fmt.Errorf("no analyser for actions of kind %q", a.Kind)
}
