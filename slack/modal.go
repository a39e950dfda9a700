package slack

import (
	"encoding/json"
	"strings"

	countersign "github.com/countersign/countersign"
	slackgo "github.com/slack-go/slack"
)

// The reason dialog's ids.
const (
	ModalCallback = "countersign_review"
	reasonBlock   = "reason"
	reasonInput   = "reason_input"
	// maxReason is the longest reason the gateway accepts, in bytes.
	maxReason = 4096
)

// modalMeta is what the reason dialog carries from the click to its
// submission (private_metadata).
type modalMeta struct {
	Request string              `json:"request"`
	Verdict countersign.Verdict `json:"verdict"`
	Channel string              `json:"channel"` // where to answer the reviewer
}

// reasonModal asks for the reason of a verdict on request id.
func reasonModal(meta modalMeta) slackgo.ModalViewRequest {
	md, _ := json.Marshal(meta)
	verb, submit := "approve", "Approve"
	if meta.Verdict == countersign.VerdictReject {
		verb, submit = "reject", "Reject"
	}
	input := slackgo.NewPlainTextInputBlockElement(plain("Why?"), reasonInput).
		WithMultiline(true).WithMaxLength(maxReason).WithMinLength(1)
	return slackgo.ModalViewRequest{
		Type:            slackgo.VTModal,
		CallbackID:      ModalCallback,
		Title:           plain(submit + " request"),
		Submit:          plain(submit),
		Close:           plain("Cancel"),
		PrivateMetadata: string(md),
		Blocks: slackgo.Blocks{BlockSet: []slackgo.Block{
			section("about", "You are about to *"+verb+"* Countersign request `"+escape(meta.Request)+
				"`. Your reason is recorded with your verdict in the signed evidence."),
			slackgo.NewInputBlock(reasonBlock, plain("Reason"), nil, input),
		}},
	}
}

// submission reads a submitted reason dialog: its metadata and the reason.
func submission(v slackgo.View) (modalMeta, string, bool) {
	var meta modalMeta
	if json.Unmarshal([]byte(v.PrivateMetadata), &meta) != nil || meta.Request == "" {
		return meta, "", false
	}
	if meta.Verdict != countersign.VerdictApprove && meta.Verdict != countersign.VerdictReject {
		return meta, "", false
	}
	var reason string
	if v.State != nil {
		reason = v.State.Values[reasonBlock][reasonInput].Value
	}
	return meta, strings.TrimSpace(reason), true
}
