package webhook

import "time"

// SetTimeout shortens a Notifier's attempt timeout, so that a test of it
// need not wait Timeout.
func SetTimeout(n *Notifier, d time.Duration) { n.timeout = d }
