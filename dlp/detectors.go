package dlp

import "slices"

// Types reported by the built-in detectors.
const (
	AWSAccessKey     Type = "AWS_ACCESS_KEY"
	AWSSecretKey     Type = "AWS_SECRET_KEY"
	GitHubToken      Type = "GITHUB_TOKEN"
	GitLabToken      Type = "GITLAB_TOKEN"
	SlackToken       Type = "SLACK_TOKEN"
	SlackWebhook     Type = "SLACK_WEBHOOK"
	StripeKey        Type = "STRIPE_KEY"
	OpenAIKey        Type = "OPENAI_KEY"
	AnthropicKey     Type = "ANTHROPIC_KEY"
	NPMToken         Type = "NPM_TOKEN"
	PyPIToken        Type = "PYPI_TOKEN"
	SendGridKey      Type = "SENDGRID_KEY"
	TwilioKey        Type = "TWILIO_KEY"
	PrivateKey       Type = "PRIVATE_KEY"
	JWT              Type = "JWT"
	DatabasePassword Type = "DATABASE_PASSWORD"
	GenericSecret    Type = "GENERIC_SECRET"

	Email       Type = "EMAIL"
	PaymentCard Type = "PAYMENT_CARD"
	IBAN        Type = "IBAN"
	USSSN       Type = "US_SSN"
)

// SecretDetectors are the built-in credential detectors. Each comment gives
// the format the pattern follows and where it is documented.
var SecretDetectors = slices.Concat(coreSecretDetectors, moreSecretDetectors)

// PersonalDetectors are the built-in personal-data detectors.
var PersonalDetectors = slices.Concat(corePersonalDetectors, morePersonalDetectors)

var coreSecretDetectors = []Detector{
	// AWS access key id: 4-letter prefix (AKIA long-term, ASIA STS temporary,
	// ABIA/ACCA service-specific) + 16 characters of base32 [A-Z2-7].
	// IAM user guide, "Understanding unique ID prefixes".
	{Name: "aws-access-key-id", Anchored: true, Type: AWSAccessKey, Keywords: []string{"AKIA", "ASIA", "ABIA", "ACCA"},
		Pattern: `\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b`, Group: 1, Confidence: 0.95, Validate: secret(0.95)},
	// AWS secret access key: 40 base64 characters; only reported next to a
	// name that says it is one (aws_secret_access_key, AWS_SECRET, ...).
	{Name: "aws-secret-access-key", Type: AWSSecretKey, Keywords: []string{"aws_secret", "secret_access_key", "secretaccesskey", "aws-secret"},
		Pattern: `(?i)(?:aws_?secret\w*|secret_?access_?key|aws-secret[\w-]*)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)`,
		Group:   1, After: 128, Validate: validAWSSecret},
	// GitHub tokens: ghp_ (classic personal), gho_ (OAuth), ghu_ (user-to-
	// server), ghs_ (server-to-server), ghr_ (refresh) + 36 base62; and
	// fine-grained personal tokens github_pat_ + 22 + "_" + 59. GitHub docs,
	// "About authentication to GitHub: GitHub's token formats".
	{Name: "github-token", Anchored: true, Type: GitHubToken, Keywords: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"},
		Pattern: `\b(gh[pousr]_[A-Za-z0-9]{36})\b`, Group: 1, Confidence: 0.99, Validate: secret(0.99)},
	{Name: "github-fine-grained-pat", Anchored: true, Type: GitHubToken, Keywords: []string{"github_pat_"},
		Pattern: `\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b`, Group: 1, Confidence: 0.99, Validate: secret(0.99)},
	// GitLab personal access token: glpat- + 20 characters (older) or a
	// longer routable form with dots. GitLab docs, "Token prefixes".
	{Name: "gitlab-pat", Anchored: true, Type: GitLabToken, Keywords: []string{"glpat-"},
		Pattern: `\b(glpat-[A-Za-z0-9_\-]{20,80}(?:\.[A-Za-z0-9_\-]{2,})*)`, Group: 1, Confidence: 0.99, Validate: secret(0.99)},
	// Slack tokens: xoxb- (bot), xoxp- (user), xoxa-/xoxr-/xoxs- + numeric
	// team/user ids and a random part, dash-separated. api.slack.com,
	// "Token types".
	{Name: "slack-token", Anchored: true, Type: SlackToken, Keywords: []string{"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"},
		Pattern: `\b(xox[bpars]-[0-9]{6,}-[0-9A-Za-z-]{8,})`, Group: 1, Confidence: 0.97, Validate: secret(0.97)},
	// Slack app-level token: xapp-<n>-<app id>-<number>-<hex>.
	{Name: "slack-app-token", Anchored: true, Type: SlackToken, Keywords: []string{"xapp-"},
		Pattern: `\b(xapp-[0-9]-[A-Z0-9]{8,}-[0-9]{6,}-[a-f0-9]{32,})`, Group: 1, Confidence: 0.97, Validate: secret(0.97)},
	// Slack incoming webhook: https://hooks.slack.com/services/T…/B…/<24
	// base62>, or /workflows/… . api.slack.com, "Sending messages using
	// incoming webhooks".
	{Name: "slack-webhook", Type: SlackWebhook, Keywords: []string{"hooks.slack.com"}, Before: 16,
		Pattern: `(https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/]{20,})`, Group: 1, Confidence: 0.97, Validate: secret(0.97)},
	// Stripe live secret (sk_live_) and restricted (rk_live_) keys + 24 or
	// more base62. Stripe docs, "API keys". Test keys (sk_test_) grant no
	// money movement and are not reported.
	{Name: "stripe-live-key", Anchored: true, Type: StripeKey, Keywords: []string{"sk_live_", "rk_live_"},
		Pattern: `\b([sr]k_live_[0-9A-Za-z]{24,247})\b`, Group: 1, Confidence: 0.99, Validate: secret(0.99)},
	// Anthropic API key: sk-ant-<kind><version>- + base64url, e.g.
	// sk-ant-api03-… (about 95 characters after the kind).
	{Name: "anthropic-key", Anchored: true, Type: AnthropicKey, Keywords: []string{"sk-ant-"},
		Pattern: `\b(sk-ant-[a-z]+[0-9]{2}-[A-Za-z0-9_\-]{32,})`, Group: 1, Confidence: 0.99, Validate: secret(0.99)},
	// OpenAI project, service-account and admin keys: sk-proj-, sk-svcacct-,
	// sk-admin- + base64url (often with the marker T3BlbkFJ, "OpenAI" in
	// base64, in the middle).
	{Name: "openai-project-key", Anchored: true, Type: OpenAIKey, Keywords: []string{"sk-proj-", "sk-svcacct-", "sk-admin-"},
		Pattern: `\b(sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,})`, Group: 1, Confidence: 0.98, Validate: secret(0.98)},
	// OpenAI legacy user key: sk- + 20 base62 + T3BlbkFJ + 20 base62, or
	// sk- + 48 base62 without the marker (lower confidence).
	{Name: "openai-legacy-key", Anchored: true, Type: OpenAIKey, Keywords: []string{"sk-"},
		Pattern: `\b(sk-[A-Za-z0-9]{48})\b`, Group: 1, Validate: validOpenAILegacy},
	// npm access token: npm_ + 36 base62. npm docs, "About access tokens".
	{Name: "npm-token", Anchored: true, Type: NPMToken, Keywords: []string{"npm_"},
		Pattern: `\b(npm_[A-Za-z0-9]{36})\b`, Group: 1, Confidence: 0.97, Validate: secret(0.97)},
	// PyPI API token: a macaroon, pypi- + base64url that always starts
	// AgEIcHlwaS5vcmc ("pypi.org" in the serialised macaroon).
	{Name: "pypi-token", Anchored: true, Type: PyPIToken, Keywords: []string{"pypi-AgEIcHlwaS5vcmc"},
		Pattern: `(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})`, Group: 1, Confidence: 0.99, Validate: secret(0.99)},
	// SendGrid API key: SG. + 22 base64url + . + 43 base64url.
	{Name: "sendgrid-key", Anchored: true, Type: SendGridKey, Keywords: []string{"SG."},
		Pattern: `\b(SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})\b`, Group: 1, Confidence: 0.98, Validate: secret(0.98)},
	// Twilio API key SID (SK + 32 hex) and account SID (AC + 32 hex), only
	// near the word "twilio": bare 34-character hex ids are too common.
	{Name: "twilio-key", Type: TwilioKey, Keywords: []string{"twilio"}, Before: 256, After: 256, Multiline: true,
		Pattern: `\b((?:SK|AC)[0-9a-f]{32})\b`, Group: 1, Confidence: 0.85, Validate: secret(0.85)},
	// Private keys in PEM (RFC 7468: "-----BEGIN RSA PRIVATE KEY-----",
	// "EC", "ENCRYPTED", PKCS#8 with no algorithm) and OpenSSH form
	// ("-----BEGIN OPENSSH PRIVATE KEY-----", PROTOCOL.key). A block cut off
	// before its END line is still reported up to where the base64 stops.
	{Name: "private-key", Type: PrivateKey, Keywords: []string{"-----BEGIN"}, Anchored: true, After: 16384, Multiline: true,
		Pattern: privateKeyPattern, Match: matchPrivateKey, Confidence: 1.0},
	// JWT (RFC 7519, compact JWS): three base64url parts; the header must
	// decode to a JSON object with "alg".
	{Name: "jwt", Anchored: true, Type: JWT, Keywords: []string{"eyJ"}, Before: 1,
		Pattern: `\b(eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})`, Group: 1, Validate: validJWT},
	// Database URL with a password in the userinfo (RFC 3986):
	// scheme://user:password@host. Only the password is reported, so the
	// masked URL still says which database was meant.
	{Name: "database-url", Type: DatabasePassword,
		Keywords: []string{"postgres://", "postgresql://", "mysql://", "mariadb://", "mongodb://", "mongodb+srv://",
			"redis://", "rediss://", "amqp://", "amqps://", "sqlserver://", "mssql://"},
		Anchored: true, After: 300,
		Pattern: `(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|sqlserver|mssql)://[^\s:/@'"]*:([^\s/'"]+)@`,
		Group:   1, Validate: validDBPassword},
	// Generic assignment: a name containing password, passwd, pwd, secret,
	// token or api key, then = or :, then a value of 8 or more non-space
	// characters, gated on Shannon entropy (validGeneric).
	{Name: "generic-secret", Anchored: true, Type: GenericSecret,
		Keywords: []string{"password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "api-key", "access_key"},
		Before:   48, After: 200,
		Pattern: genericPattern, Match: matchGeneric, Group: 1, Validate: validGeneric},
}

var corePersonalDetectors = []Detector{
	// Email: RFC 5322 dot-atom local part and a domain with a 2-24 letter
	// TLD; addresses at RFC 2606 example domains get 0.5. The window is the
	// token around the "@", widened to spaces, quotes and brackets.
	{Name: "email", Type: Email, Keywords: []string{"@"}, Before: 1, After: 1,
		Pattern:  `[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b`,
		Validate: validEmail},
	// Payment card (ISO/IEC 7812): 13-19 digits, ungrouped or grouped as
	// printed (4-4-4-x, Amex/Diners 4-6-5/4-6-4) with spaces or dashes, with
	// a known brand prefix and a valid Luhn digit. Explicit groupings keep a
	// number that follows the card (a CVV, a timestamp) out of the match.
	{Name: "payment-card", Anchored: true, Type: PaymentCard, Digits: 13, Run: cardRun,

		Pattern:  `\b(?:[0-9]{13,19}|[0-9]{4}(?:[ \-][0-9]{4}){2}[ \-][0-9]{1,7}|[0-9]{4}[ \-][0-9]{6}[ \-][0-9]{4,5})\b`,
		Validate: validCard},
	// IBAN (ISO 13616): country, 2 check digits, up to 30 alphanumerics,
	// optionally in groups of four; length per country and mod-97 checked.
	{Name: "iban", Type: IBAN, Digits: 8, Run: ibanRun, Before: 34, After: 24, Precheck: hasCountryCheck,
		Pattern: `\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`, Validate: validIBAN},
	// US SSN: AAA-GG-SSSS with dashes or spaces (bare nine digits are too
	// often other numbers); SSA invalid ranges rejected (validSSN). 0.8;
	// "ssn" or "social security" near raises it to 0.95, order, invoice or
	// tracking words lower it to 0.5.
	{Name: "us-ssn", Anchored: true, Type: USSSN, Digits: 9, Run: ssnRun,

		Pattern: `\b[0-9]{3}([\- ])[0-9]{2}([\- ])[0-9]{4}\b`, Validate: validSSN,
		Context: &Context{Words: []string{"ssn", "ssns", "social security", "socsec", "ss#"}, Raise: 0.15,
			Negative: notPersonalIDWords, Lower: 0.3}},
}

// DefaultDetectors returns the built-in secret and personal-data detectors.
func DefaultDetectors() []Detector {
	return append(append([]Detector{}, SecretDetectors...), PersonalDetectors...)
}

// validOpenAILegacy gives keys with the T3BlbkFJ marker high confidence.
func validOpenAILegacy(value, _ []byte) (float64, bool) {
	if isExample(value) {
		return 0, false
	}
	if len(value) == 51 && string(value[23:31]) == "T3BlbkFJ" {
		return 0.97, true
	}
	if entropy(value) < 4.0 {
		return 0, false
	}
	return 0.7, true
}

// hasCountryCheck reports whether w holds two upper-case letters followed by
// two digits, the start of every IBAN.
func hasCountryCheck(w []byte) bool {
	for i := 0; i+4 <= len(w); i++ {
		if 'A' <= w[i] && w[i] <= 'Z' && 'A' <= w[i+1] && w[i+1] <= 'Z' &&
			'0' <= w[i+2] && w[i+2] <= '9' && '0' <= w[i+3] && w[i+3] <= '9' {
			return true
		}
	}
	return false
}
