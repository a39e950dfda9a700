// Package slack is Countersign's Slack approval channel.
//
// A Notifier posts a Block Kit message for each request held for review to
// the channels and people its review rules name ("slack:#ops",
// "slack:C0123", "slack:@U0123"), and updates that message in place after
// every review, on resolution and on expiry; it tells the agent's owner the
// outcome by direct message. Interactions receives the Approve and Reject
// clicks and the reason dialogs (over HTTP, signed with the app's signing
// secret, or over Socket Mode), maps the Slack user to a human principal and
// records the verdict through the gateway, whose separation-of-duty rules
// apply as for every other channel.
//
// Everything an agent wrote (the payload, summary, resource, facts) passes
// the DLP masker before it is shown. docs/slack.md describes the Slack app
// and the configuration.
package slack
