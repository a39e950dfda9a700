package main

import (
	"context"
	"encoding/json"
	"github.com/countersign/countersign/internal/syncbuf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	countersign "github.com/countersign/countersign"
	"github.com/countersign/countersign/internal/npmtest"
	"github.com/countersign/countersign/internal/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The seed scenario's fixtures: made-up customers whose rows hold emails,
// card numbers (test numbers that pass the Luhn check) and GitHub tokens
// (ghp_ + 36 alphanumerics).
var mcpCustomers = []struct{ name, email, card, apiKey string }{
	{"Jane Doe", "jane.doe@acme-corp.io", "4111 1111 1111 1111", "ghp_R8x2Kq9mZt4Lw7Vb3Nc6Yh1Jd5Fg0Ps2Ue8A"},
	{"Raj Patel", "raj.patel@northwind-mail.com", "5555 5555 5555 4444", "ghp_Tq7Wn2Hc9Lx4Bv8Mk3Pz6Rf1Dj5Gs0Ya7Ne2"},
}

// mcpSeedPolicy: SQL through MCP that reads customers in bulk is held for
// two humans in production; other queries pass.
const mcpSeedPolicy = `version: 1
default: deny
analysis:
  sql: {sensitive_tables: [customers]}
rules:
  - name: harmless-queries
    match: action.kind == "mcp.tool" && mcp.tool == "query" && !sql.is_export
    effect: allow
  - name: customer-export
    match: action.kind == "mcp.tool" && action.environment == "production" && mcp.tool == "query" && sql.is_export
    effect: review
    review: {approvers: [any_human], min_approvals: 2, ttl: 30m, grant_ttl: 5m}
`

// mcpAllowPolicy lets every MCP tool call through.
const mcpAllowPolicy = `version: 1
default: deny
rules:
  - name: mcp
    match: action.kind == "mcp.tool"
    effect: allow
`

// buildCountersign builds the countersign binary into a temporary directory.
func buildCountersign(t *testing.T, ctx context.Context) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "countersign")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// mcpEnvWithPolicy starts the real server on SQLite with the policy text pol.
func mcpEnvWithPolicy(t *testing.T, pol string) *env {
	t.Helper()
	f := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(f, []byte(pol), 0o600); err != nil {
		t.Fatal(err)
	}
	return newEnvWith(t, "", f)
}

// seedCustomers creates and fills the customers table in the database at url.
func seedCustomers(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to the test database: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `CREATE TABLE customers (id serial PRIMARY KEY, name text, email text, card text, api_key text)`); err != nil {
		t.Fatal(err)
	}
	for _, c := range mcpCustomers {
		if len(c.apiKey) != len("ghp_")+36 {
			t.Fatalf("fixture key %q is not ghp_ + 36 characters", c.apiKey)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO customers (name, email, card, api_key) VALUES ($1, $2, $3, $4)`,
			c.name, c.email, c.card, c.apiKey); err != nil {
			t.Fatal(err)
		}
	}
}

// resultText joins the text content of a tool result.
func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// TestMCPSeedScenario: an agent (the Go SDK's MCP client) reaches a real
// PostgreSQL through @modelcontextprotocol/server-postgres behind
// `countersign mcp stdio`. A harmless query passes; reading the customers
// table in production is held until two humans other than the agent's owner
// approve; the rows come back masked; the evidence names the approvers.
func TestMCPSeedScenario(t *testing.T) {
	serverPostgres := npmtest.Bin(t, "mcp-server-postgres")
	npmtest.Node(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dbURL := pgtest.Start(t)
	seedCustomers(t, ctx, dbURL)
	bin := buildCountersign(t, ctx)

	e := mcpEnvWithPolicy(t, mcpSeedPolicy)
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "report-bot", Owner: "olive@example.com"})
	olive := e.key(countersign.KeyInput{Kind: "human", Name: "olive@example.com"})
	dana := e.key(countersign.KeyInput{Kind: "human", Name: "dana@example.com"})
	dave := e.key(countersign.KeyInput{Kind: "human", Name: "dave@example.com"})

	cmd := npmtest.Command(ctx, t, bin, "mcp", "stdio", "--name", "postgres", "--environment", "production",
		"--sql-arg", "query=sql", "--", serverPostgres, dbURL)
	cmd.Env = append(os.Environ(), "COUNTERSIGN_URL="+e.url, "COUNTERSIGN_KEY="+agent)
	var stderr syncbuf.Buffer
	cmd.Stderr = &stderr
	defer func() {
		if t.Failed() {
			t.Logf("gateway stderr:\n%s", stderr.String())
		}
	}()
	client := mcp.NewClient(&mcp.Implementation{Name: "seed-agent", Version: "1"}, nil)
	session, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 2 * time.Second}, nil)
	if err != nil {
		t.Fatalf("connect to the gateway: %v", err)
	}
	defer session.Close()

	tools, err := session.ListTools(ctx, nil)
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	if len(tools.Tools) == 0 || tools.Tools[0].Name != "query" {
		t.Fatalf("tools/list through the gateway: %+v, want server-postgres's query", tools.Tools)
	}

	// A harmless query passes at once.
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "query", Arguments: map[string]any{"sql": "SELECT 1 AS one"}})
	if err != nil {
		t.Fatalf("SELECT 1: %v", err)
	}
	if res.IsError || !strings.Contains(resultText(res), `"one": 1`) {
		t.Fatalf("SELECT 1: isError %v, %q; want the row", res.IsError, resultText(res))
	}

	// Reading the customers table is held.
	type outcome struct {
		res *mcp.CallToolResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		r, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "query", Arguments: map[string]any{"sql": "SELECT * FROM customers"}})
		done <- outcome{r, err}
	}()
	var held countersign.RequestView
	for deadline := time.Now().Add(15 * time.Second); ; {
		var l countersign.RequestList
		st, eb := e.call(dana, "GET", "/v1/actions?state=pending", nil, &l)
		e.want(200, "", st, eb, "list pending")
		if len(l.Requests) > 0 {
			held = l.Requests[0]
			break
		}
		select {
		case o := <-done:
			t.Fatalf("SELECT * FROM customers was not held: %v %q", o.err, resultText(o.res))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("SELECT * FROM customers never became a pending request")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if held.Action.Kind != countersign.ActionMCP || held.Action.Environment != "production" || held.Approvals.Want != 2 {
		t.Fatalf("held request: kind %s env %s approvals %+v, want mcp.tool in production needing 2",
			held.Action.Kind, held.Action.Environment, held.Approvals)
	}
	select {
	case o := <-done:
		t.Fatalf("the held call returned before any approval: %v %q", o.err, resultText(o.res))
	default:
	}

	// The agent's owner cannot approve; two other humans do, through the API.
	path := "/v1/actions/" + held.ID + "/reviews"
	approve := countersign.ReviewInput{Verdict: "approve", Reason: "support ticket 4711"}
	st, eb := e.call(olive, "POST", path, approve, nil)
	e.want(403, countersign.ESelfReview, st, eb, "the agent's owner approves")
	var r countersign.RequestView
	st, eb = e.call(dana, "POST", path, approve, &r)
	e.want(200, "", st, eb, "dana approves")
	if r.State != countersign.StatePending {
		t.Fatalf("after one approval: %s, want pending", r.State)
	}
	st, eb = e.call(dave, "POST", path, approve, &r)
	e.want(200, "", st, eb, "dave approves")
	if r.State != countersign.StateApproved {
		t.Fatalf("after two approvals: %s, want approved", r.State)
	}

	// The call completes, masked.
	var o outcome
	select {
	case o = <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("the held call did not complete after the approvals")
	}
	if o.err != nil {
		t.Fatalf("SELECT * FROM customers: %v", o.err)
	}
	text := resultText(o.res)
	if o.res.IsError {
		t.Fatalf("SELECT * FROM customers: error result %q", text)
	}
	for _, c := range mcpCustomers {
		if !strings.Contains(text, c.name) {
			t.Errorf("result lacks the (unmasked) name %q: %s", c.name, text)
		}
		for _, secret := range []string{c.email, c.card, strings.ReplaceAll(c.card, " ", ""), c.apiKey} {
			if strings.Contains(text, secret) {
				t.Errorf("result leaks %q: %s", secret, text)
			}
		}
	}
	if strings.Contains(text, "ghp_") {
		t.Errorf("result holds a ghp_ token: %s", text)
	}
	for _, label := range []string{"[EMAIL]", "[PAYMENT_CARD]", "[GITHUB_TOKEN]"} {
		if strings.Count(text, label) != len(mcpCustomers) {
			t.Errorf("result holds %d %s, want %d: %s", strings.Count(text, label), label, len(mcpCustomers), text)
		}
	}

	// The request ran through its grant, and the evidence shows who approved.
	waitState(t, e, agent, held.ID, countersign.StateExecuted)
	v := waitResult(t, e, dana, held.ID)
	approvers := map[string]bool{}
	for _, rv := range v.Reviews {
		if rv.Verdict == countersign.VerdictApprove {
			approvers[rv.Reviewer] = true
		}
	}
	if len(approvers) != 2 || !approvers["dana@example.com"] || !approvers["dave@example.com"] {
		t.Fatalf("approvers of %s: %v, want dana and dave", held.ID, approvers)
	}
	// The outcome records what was masked (counts, never the values).
	if res := string(v.Result); !strings.Contains(res, "masked") || strings.Contains(res, "acme-corp.io") {
		t.Errorf("recorded result of %s: %s, want the masked counts only", held.ID, res)
	}
	if t.Failed() {
		return
	}
	exportAndVerify(t, e, agent, held.ID)
}

// TestMCPInspectorThroughGateway drives the gateway with a second,
// independent client: @modelcontextprotocol/inspector in CLI mode lists
// server-everything's tools and calls echo through `countersign mcp stdio`.
func TestMCPInspectorThroughGateway(t *testing.T) {
	inspector := npmtest.Bin(t, "mcp-inspector")
	everything := npmtest.Bin(t, "mcp-server-everything")
	node := npmtest.Node(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	bin := buildCountersign(t, ctx)
	e := mcpEnvWithPolicy(t, mcpAllowPolicy)
	agent := e.key(countersign.KeyInput{Kind: "agent", Name: "inspector-bot", Owner: "olive@example.com"})

	// The inspector's two layers of argument parsing (cli.js, then
	// cli/build/index.js) each split at the first "--" and drop it, and
	// the second reads its own options (--method ...) only before its "--".
	// So the inspector's options go before the separators, and three "--"
	// leave one for `countersign mcp stdio`.
	inspect := func(method ...string) string {
		args := append([]string{"--cli", bin, "mcp", "stdio", "--name", "everything"}, method...)
		args = append(args, "--", "--", "--", node, everything)
		return runInspector(t, ctx, inspector, []string{"COUNTERSIGN_URL=" + e.url, "COUNTERSIGN_KEY=" + agent}, args)
	}
	inspectorEcho(t, e, agent, inspect, "hi")
}

// runInspector runs the inspector CLI with args and extra environment, and
// returns its standard output.
func runInspector(t *testing.T, ctx context.Context, inspector string, env, args []string) string {
	t.Helper()
	cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
	defer ccancel()
	cmd := npmtest.Command(cctx, t, inspector, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr syncbuf.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	t.Logf("inspector %s: %s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("inspector %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// inspectorEcho lists the tools and calls echo with message through a
// gateway, using inspect (the inspector run with the given method flags),
// and checks the call was judged: one executed mcp.tool request of agent.
func inspectorEcho(t *testing.T, e *env, agent string, inspect func(method ...string) string, message string) {
	t.Helper()
	out := inspect("--method", "tools/list")
	var list struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("tools/list output is not JSON: %v\n%s", err, out)
	}
	var names []string
	for _, tl := range list.Tools {
		names = append(names, tl.Name)
	}
	if !strings.Contains(","+strings.Join(names, ",")+",", ",echo,") {
		t.Fatalf("tools/list through the gateway: %v, want echo among them", names)
	}

	out = inspect("--method", "tools/call", "--tool-name", "echo", "--tool-arg", "message="+message)
	var call struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		IsError bool `json:"isError"`
	}
	if err := json.Unmarshal([]byte(out), &call); err != nil {
		t.Fatalf("tools/call output is not JSON: %v\n%s", err, out)
	}
	if call.IsError || len(call.Content) == 0 || !strings.Contains(call.Content[0].Text, message) {
		t.Fatalf("echo through the gateway: %s, want the message echoed", out)
	}

	// The call was judged: it is an executed mcp.tool request of the agent.
	var l countersign.RequestList
	st, eb := e.call(agent, "GET", "/v1/actions?state=executed", nil, &l)
	e.want(200, "", st, eb, "list executed")
	if len(l.Requests) != 1 || l.Requests[0].Action.Kind != countersign.ActionMCP {
		t.Fatalf("executed requests: %+v, want the one echo call", l.Requests)
	}
}

// waitResult waits for the result of request id, which the gateway records
// after answering the call, and returns the request.
func waitResult(t *testing.T, e *env, key, id string) countersign.RequestView {
	t.Helper()
	return waitView(t, e, key, id, "a recorded result", func(v *countersign.RequestView) bool { return len(v.Result) > 0 })
}
