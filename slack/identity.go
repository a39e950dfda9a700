package slack

import (
	"context"
	"strings"

	countersign "github.com/countersign/countersign"
)

// refusal is why a Slack user cannot review, fit to show them.
type refusal string

// Refusals shown to Slack users who cannot review.
const (
	refuseUnmapped  refusal = "You are not a Countersign reviewer: neither your Slack account nor its email is in the gateway's list of people. Ask a Countersign admin to add you."
	refuseBot       refusal = "Bots and apps cannot review Countersign requests."
	refuseGuest     refusal = "Guests and people outside this workspace cannot review Countersign requests."
	refuseNoEmail   refusal = "Countersign cannot see a confirmed email on your Slack account, so it cannot tell who you are. Ask a Countersign admin to add your Slack id."
	refuseMismatch  refusal = "Your email is listed for another Slack account in the gateway's configuration."
	refuseLookupErr refusal = "Countersign could not look up your Slack account; please try again."
)

// principal maps a Slack user to the human who reviews as them: a person
// whose Slack id the configuration lists, else, by the user's confirmed
// email (users.info), a listed person, else, when unlisted users are
// allowed, a human named by that email with no groups. Bots, apps,
// deactivated users and people from other workspaces are refused, and
// guests too unless they are listed.
func (h *Interactions) principal(ctx context.Context, userID string) (countersign.Principal, refusal) {
	if p, ok := h.cfg.People.BySlackID(userID); ok {
		return valid(p.Principal())
	}
	u, err := h.cfg.API.GetUserInfoContext(ctx, userID)
	if err != nil {
		h.log().Warn("slack: users.info", "user", userID, "err", err)
		return countersign.Principal{}, refuseLookupErr
	}
	switch {
	case u.IsBot || u.IsAppUser || u.IsWorkflowBot || u.IsConnectorBot || u.Deleted:
		return countersign.Principal{}, refuseBot
	case u.IsStranger:
		return countersign.Principal{}, refuseGuest
	}
	// A member of another organisation in a shared (Slack Connect)
	// channel is no stranger, and their email is whatever their own
	// organisation gave them: only users of this workspace (or of its
	// Enterprise Grid organisation) are mapped by email.
	team, grid, err := h.workspace(ctx)
	if err != nil {
		h.log().Warn("slack: auth.test", "err", err)
		return countersign.Principal{}, refuseLookupErr
	}
	if u.TeamID != team && (grid == "" || u.Enterprise.EnterpriseID != grid) {
		return countersign.Principal{}, refuseGuest
	}
	email := strings.TrimSpace(u.Profile.Email)
	if email == "" || !u.IsEmailConfirmed {
		return countersign.Principal{}, refuseNoEmail
	}
	if p, ok := h.cfg.People.ByEmail(email); ok {
		if p.Slack != "" && p.Slack != userID {
			return countersign.Principal{}, refuseMismatch
		}
		return valid(p.Principal())
	}
	if !h.cfg.AllowUnlisted {
		return countersign.Principal{}, refuseUnmapped
	}
	if u.IsRestricted || u.IsUltraRestricted || u.IsInvitedUser {
		return countersign.Principal{}, refuseGuest
	}
	return valid(countersign.Principal{Kind: countersign.KindHuman, Name: email})
}

func valid(p countersign.Principal) (countersign.Principal, refusal) {
	p = p.Normalize()
	if p.Validate() != nil {
		return countersign.Principal{}, refuseUnmapped
	}
	return p, ""
}
