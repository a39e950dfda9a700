package ledger

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/countersign/countersign"
)

// Summary is what a verified bundle shows: its log range and period, the
// totals, and what happened to each request submitted in it.
type Summary struct {
	Origin              string
	FirstSize, LastSize uint64
	Since, Until        *time.Time // the manifest's period, informative
	FirstTime, LastTime time.Time  // times of the first and last event; zero when there are none
	AfterSize           *uint64    // the size of the earlier bundle's checkpoint it extends, when given
	Counts              Counts
	PolicyDigests       []string
	Requests            []RequestSummary // requests whose action.submitted is in the bundle, in order
	Earlier             int              // requests with events in the bundle but submitted before it
}

// RequestSummary is the life of one request within a bundle.
type RequestSummary struct {
	ID          string
	Agent       string // the submitting agent
	Owner       string // the agent's owner
	OnBehalfOf  string // the human the agent acts for, if any
	Kind        string
	Environment string
	Resource    string
	Summary     string // the agent's own description, untrusted text
	Digest      string
	Submitted   time.Time
	Effect      string   // policy's decision: allow, review or deny
	Rules       []string // the matched policy rules
	Reasons     []string
	Outcome     string          // allowed, approved, rejected, denied, expired, cancelled or pending
	Approvals   []ReviewSummary // approving reviews, in order
	Rejections  []ReviewSummary // rejecting reviews, in order
	Executed    bool
	ExecutedAt  time.Time
	ExecutedBy  string // the actor that consumed the grant
	granted     bool
}

// ReviewSummary is one human review.
type ReviewSummary struct {
	Reviewer    string
	Channel     string
	ChannelUser string
	Reason      string
	At          time.Time
}

// tally is the result of reading a bundle's events in order.
type tally struct {
	counts  Counts
	digests []string
	summary *Summary
	err     error // the first broken binding rule or malformed data, naming its line
}

// tallyLeaves counts parsed leaves (each a valid leaf, in index order),
// collects the policy digests, builds the summary and checks the binding
// rules of §4 and §5 for every request submitted among them.
func tallyLeaves(leaves []parsedLeaf) tally {
	t := tally{summary: &Summary{}}
	s := t.summary
	digests := map[string]bool{}
	reqs := map[string]*RequestSummary{} // submitted in the bundle
	var order []string
	earlier := map[string]int{} // id -> line of its first event, submitted before the bundle
	fail := func(line int, format string, args ...any) {
		if t.err == nil {
			t.err = fmt.Errorf("%s:%d: %s", pathEvents, line, fmt.Sprintf(format, args...))
		}
	}
	for i, p := range leaves {
		line := i + 1
		e, d := p.ev, p.data
		if p.dataErr != nil {
			fail(line, "request %s: %v", e.ActionID, p.dataErr)
		}
		t.counts.Events++
		if i == 0 {
			s.FirstTime = e.Time
		}
		s.LastTime = e.Time
		switch e.Type {
		case countersign.EventPolicyLoaded, countersign.EventDecided:
			if d.PolicyDigest != "" {
				digests[d.PolicyDigest] = true
			}
			if e.Type == countersign.EventDecided && d.Effect == "deny" {
				t.counts.Denied++
			}
		case countersign.EventApproved:
			t.counts.Approved++
		case countersign.EventRejected:
			t.counts.Rejected++
		case countersign.EventGrantIssued:
			if e.Actor == "policy" {
				t.counts.Approved++
			}
		case countersign.EventExecuted:
			t.counts.Executed++
		}
		if e.ActionID == "" {
			continue
		}
		r := reqs[e.ActionID]
		if e.Type == countersign.EventSubmitted {
			if r != nil {
				fail(line, "request %s: a second %s", e.ActionID, e.Type)
				continue
			}
			if l, ok := earlier[e.ActionID]; ok {
				fail(line, "request %s: %s comes after its event on line %d", e.ActionID, e.Type, l)
				continue
			}
			a := p.action
			r = &RequestSummary{
				ID: e.ActionID, Agent: a.Agent, Owner: d.AgentOwner, OnBehalfOf: a.OnBehalfOf, Kind: a.Kind,
				Environment: a.Environment, Resource: a.Resource, Summary: a.Summary,
				Digest: p.digest, Submitted: e.Time, Outcome: "pending",
			}
			reqs[e.ActionID] = r
			order = append(order, e.ActionID)
			t.counts.Actions++
			continue
		}
		if r == nil {
			if _, ok := earlier[e.ActionID]; !ok {
				earlier[e.ActionID] = line
			}
			continue
		}
		bind(r, p, func(format string, args ...any) {
			fail(line, "request %s: "+format, append([]any{e.ActionID}, args...)...)
		})
	}
	for d := range digests {
		t.digests = append(t.digests, d)
	}
	slices.Sort(t.digests)
	if t.digests == nil {
		t.digests = []string{}
	}
	s.Requests = make([]RequestSummary, len(order))
	for i, id := range order {
		s.Requests[i] = *reqs[id]
	}
	s.Earlier = len(earlier)
	s.Counts, s.PolicyDigests = t.counts, t.digests
	return t
}

// bind applies one event to its request's summary and checks the binding
// rules: grants and executions name the submitted digest; an execution
// follows a grant, once; reviews are by humans other than the agent, its
// owner and the human it acts for, once each; an approval lists the
// approving reviews; a grant follows an allow or an approval.
func bind(r *RequestSummary, p parsedLeaf, fail func(format string, args ...any)) {
	e, d := p.ev, p.data
	switch e.Type {
	case countersign.EventDecided:
		r.Effect, r.Rules, r.Reasons = d.Effect, d.Rules, d.Reasons
		switch d.Effect {
		case "deny":
			r.Outcome = "denied"
		case "allow", "review":
		default:
			fail("%s has effect %q", e.Type, d.Effect)
		}
	case countersign.EventReviewed:
		who := strings.ToLower(d.Reviewer)
		switch {
		case e.Actor != "human:"+who:
			fail("review by %q recorded by actor %q, not the human reviewer", d.Reviewer, e.Actor)
		case strings.EqualFold(who, r.Owner), r.OnBehalfOf != "" && strings.EqualFold(who, r.OnBehalfOf), strings.EqualFold(who, r.Agent):
			fail("%s reviewed a request of agent %s (owner %s, on behalf of %q): separation of duties broken", who, r.Agent, r.Owner, r.OnBehalfOf)
		case slices.ContainsFunc(append(slices.Clone(r.Approvals), r.Rejections...), func(v ReviewSummary) bool { return v.Reviewer == who }):
			fail("%s reviewed twice", who)
		}
		rv := ReviewSummary{Reviewer: who, Channel: d.Channel, ChannelUser: d.ChannelUser, Reason: d.Reason, At: e.Time}
		switch d.Verdict {
		case string(countersign.VerdictApprove):
			r.Approvals = append(r.Approvals, rv)
		case string(countersign.VerdictReject):
			r.Rejections = append(r.Rejections, rv)
		default:
			fail("review verdict %q", d.Verdict)
		}
	case countersign.EventApproved:
		var got []string
		for _, a := range r.Approvals {
			got = append(got, a.Reviewer)
		}
		switch {
		case r.Effect != "review" || r.Outcome != "pending":
			fail("%s of a request whose policy effect is %q and outcome %q", e.Type, r.Effect, r.Outcome)
		case len(got) == 0:
			fail("%s without an approving review", e.Type)
		case !slices.Equal(got, d.Approvals):
			fail("%s lists approvals %q, the recorded approving reviews are %q", e.Type, d.Approvals, got)
		case e.Actor != "human:"+got[len(got)-1]:
			fail("%s recorded by %q, not the last approver", e.Type, e.Actor)
		}
		r.Outcome = "approved"
	case countersign.EventRejected:
		r.Outcome = "rejected"
	case countersign.EventExpired:
		r.Outcome = "expired"
	case countersign.EventCancelled:
		r.Outcome = "cancelled"
	case countersign.EventGrantIssued:
		if d.Digest != r.Digest {
			fail("%s names digest %q, the submitted action's is %q", e.Type, d.Digest, r.Digest)
		}
		switch {
		case e.Actor == "policy" && r.Effect == "allow" && r.Outcome == "pending":
			r.Outcome = "allowed"
		case strings.HasPrefix(e.Actor, "human:") && r.Outcome == "approved":
		default:
			fail("%s by %q without an allow or an approval", e.Type, e.Actor)
		}
		r.granted = true
	case countersign.EventExecuted:
		switch {
		case d.Digest != r.Digest:
			fail("%s names digest %q, the submitted action's is %q", e.Type, d.Digest, r.Digest)
		case !r.granted:
			fail("%s without a grant", e.Type)
		case r.Executed:
			fail("%s twice: a grant is used once", e.Type)
		case e.Actor != "agent:"+r.Agent:
			fail("%s by %q, not the submitting agent %s", e.Type, e.Actor, r.Agent)
		}
		r.Executed, r.ExecutedAt, r.ExecutedBy = true, e.Time, e.Actor
	}
}
