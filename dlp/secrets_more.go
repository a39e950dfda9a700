package dlp

import (
	"bytes"
	"regexp"
)

// Types reported by the detectors in this file. Vendors the core set already
// covers (GitLab, Slack, Stripe, Twilio) keep their core type, so a policy
// written for GITLAB_TOKEN also covers runner and deploy tokens.
const (
	GCPServiceAccount Type = "GCP_SERVICE_ACCOUNT"
	GCPAPIKey         Type = "GCP_API_KEY"
	AzureStorageKey   Type = "AZURE_STORAGE_KEY"
	AzureSASToken     Type = "AZURE_SAS_TOKEN"
	DiscordWebhook    Type = "DISCORD_WEBHOOK"
	TelegramBotToken  Type = "TELEGRAM_BOT_TOKEN"
	MailgunKey        Type = "MAILGUN_KEY"
	MailchimpKey      Type = "MAILCHIMP_KEY"
	ShopifyToken      Type = "SHOPIFY_TOKEN"
	DigitalOceanToken Type = "DIGITALOCEAN_TOKEN"
	VaultToken        Type = "VAULT_TOKEN"
	TerraformToken    Type = "TERRAFORM_TOKEN"
	DopplerToken      Type = "DOPPLER_TOKEN"
	DatabricksToken   Type = "DATABRICKS_TOKEN"
	HuggingFaceToken  Type = "HUGGINGFACE_TOKEN"
	DockerHubToken    Type = "DOCKERHUB_TOKEN"
	GrafanaToken      Type = "GRAFANA_TOKEN"
	AtlassianToken    Type = "ATLASSIAN_TOKEN"
	LinearKey         Type = "LINEAR_KEY"
	PostmanKey        Type = "POSTMAN_KEY"
	SentryToken       Type = "SENTRY_TOKEN"
	NewRelicKey       Type = "NEWRELIC_KEY"
	PulumiToken       Type = "PULUMI_TOKEN"
	AgeSecretKey      Type = "AGE_SECRET_KEY"
	SquareToken       Type = "SQUARE_TOKEN"
	AlibabaAccessKey  Type = "ALIBABA_ACCESS_KEY"
	HerokuKey         Type = "HEROKU_KEY"
)

// moreSecretDetectors are credential formats beyond the core set in
// detectors.go: cloud providers and SaaS platforms.
//
// Most are Anchored on a vendor prefix, so the pattern is tried once where
// the prefix occurs. Formats without a prefix (Twilio auth token, Mailgun,
// Azure keys, GCP key files) are anchored on a context word instead and
// keep their windows small. Where a format's character set is loose, an
// entropy floor (secretEntropy) rejects placeholders such as
// "glrt-xxxxxxxxxxxxxxxxxxxx"; every one rejects EXAMPLE samples.
var moreSecretDetectors = []Detector{
	// --- Google Cloud ---

	// GCP service-account key file: a JSON object with "type":
	// "service_account" and a "private_key_id" of 40 hex; the private_key_id
	// is reported (the PEM in "private_key" is reported by private-key).
	// Google Cloud IAM docs, "Create and delete service account keys" (key
	// file format); gitleaks rule gcp-service-account-key.
	{Name: "gcp-service-account", Type: GCPServiceAccount, Keywords: []string{"private_key_id"},
		Before: 1024, After: 4096, Multiline: true, Precheck: hasServiceAccountType,
		Pattern: `\\?"private_key_id\\?"\s*:\s*\\?"([0-9a-f]{40})\\?"`, Group: 1, Confidence: 0.95, Validate: secret(0.95)},
	// GCP / Google API key: AIza + 35 characters of [0-9A-Za-z_-] (39 in
	// all). Google Cloud docs, "Manage API keys"; gitleaks rule gcp-api-key.
	{Name: "gcp-api-key", Anchored: true, Type: GCPAPIKey, Keywords: []string{"AIza"},
		Pattern: `\b(AIza[0-9A-Za-z_\-]{35})(?:[^0-9A-Za-z_\-]|$)`, Group: 1, Confidence: 0.95, Validate: secretEntropy(0.95, 3.5)},

	// --- Microsoft Azure ---

	// Azure Storage account key: a 512-bit key, 88 base64 characters ending
	// "==", after AccountKey= in a connection string
	// (DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;) or in an
	// AZURE_STORAGE_KEY / AZURE_STORAGE_ACCOUNT_KEY setting. Azure Storage
	// docs, "Configure a connection string" and "Manage storage account
	// access keys".
	{Name: "azure-storage-account-key", Anchored: true, Type: AzureStorageKey,
		Keywords: []string{"AccountKey=", "AZURE_STORAGE_KEY", "AZURE_STORAGE_ACCOUNT_KEY"}, After: 128,
		Pattern: `(?i:AccountKey=|AZURE_STORAGE(?:_ACCOUNT)?_KEY["']?\s*[:=]\s*["']?)([A-Za-z0-9+/]{86}==)`,
		Group:   1, Confidence: 0.95, Validate: secretEntropy(0.95, 4.0)},
	// Azure Storage shared access signature: the sig= value (base64 HMAC-
	// SHA256, usually URL-encoded) ending a run of lower-case SAS parameters
	// that includes sv= (service version) and se= (expiry) or sp=
	// (permissions), before or after it, in any order (the portal puts sp=
	// first, the SDKs sv=); only the signature is reported, so the masked
	// URL still names the resource. Azure Storage REST docs, "Create a
	// service SAS" / "Create an account SAS".
	{Name: "azure-sas-token", Type: AzureSASToken, Keywords: []string{"sig="}, Before: 512, After: 512,
		Precheck: hasSASParams,
		Pattern:  `(?:^|[?&\s"'])sig=([A-Za-z0-9%/+=]{43,200})`,
		Group:    1, Validate: validAzureSAS},

	// --- Stripe, Twilio ---

	// Stripe webhook endpoint signing secret: whsec_ + 32 or more base62.
	// Stripe docs, "Webhooks: verify webhook signatures" (the endpoint's
	// signing secret starts with whsec_).
	{Name: "stripe-webhook-secret", Anchored: true, Type: StripeKey, Keywords: []string{"whsec_"},
		Pattern: `\b(whsec_[A-Za-z0-9]{32,128})\b`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.5)},
	// Twilio auth token: 32 hex after auth_token / authToken, only within
	// 256 bytes of the word "twilio" (a bare 32-hex value is any MD5). Twilio
	// docs, "Auth Tokens and how to change them".
	{Name: "twilio-auth-token", Type: TwilioKey, Keywords: []string{"twilio"}, Before: 256, After: 256, Multiline: true,
		Pattern: `(?i:auth[_\-]?token)["']?\s*[:=]\s*["']?([0-9a-f]{32})\b`, Group: 1, Confidence: 0.9, Validate: secretEntropy(0.9, 3.0)},

	// --- GitLab (GitLab docs, "GitLab token overview: token prefixes";
	// gitleaks rules gitlab-*) ---

	// Runner authentication token glrt- (or glrtr-) + 20 or more
	// [0-9A-Za-z_-], optionally routable with a ".<9>" suffix; legacy runner
	// registration token GR1348941 + 20.
	{Name: "gitlab-runner-token", Anchored: true, Type: GitLabToken, Keywords: []string{"glrt-", "glrtr-", "GR1348941"},
		Pattern: `\b(glrtr?-[0-9A-Za-z_\-]{20,300}(?:\.[0-9a-z]{9})?|GR1348941[0-9A-Za-z_\-]{20})`,
		Group:   1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.0)},
	// Deploy token: gldt- + 20 or more [0-9A-Za-z_-].
	{Name: "gitlab-deploy-token", Anchored: true, Type: GitLabToken, Keywords: []string{"gldt-"},
		Pattern: `\b(gldt-[0-9A-Za-z_\-]{20,300}(?:\.[0-9a-z]{9})?)`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.0)},
	// Pipeline trigger token: glptt- + 40 hex.
	{Name: "gitlab-pipeline-trigger-token", Anchored: true, Type: GitLabToken, Keywords: []string{"glptt-"},
		Pattern: `\b(glptt-[0-9a-f]{40})\b`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.0)},
	// OAuth application secret: gloas- + 64 [0-9A-Za-z_-].
	{Name: "gitlab-oauth-app-secret", Anchored: true, Type: GitLabToken, Keywords: []string{"gloas-"},
		Pattern: `\b(gloas-[0-9A-Za-z_\-]{64})(?:[^0-9A-Za-z_\-]|$)`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.0)},
	// Feed token: glft- + 20 or more [0-9A-Za-z_-].
	{Name: "gitlab-feed-token", Anchored: true, Type: GitLabToken, Keywords: []string{"glft-"},
		Pattern: `\b(glft-[0-9A-Za-z_\-]{20,300}(?:\.[0-9a-z]{9})?)`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.0)},
	// CI/CD job token: glcbt- + 1-5 alphanumerics (partition) + _ + 20 or
	// more [0-9A-Za-z_-].
	{Name: "gitlab-ci-job-token", Anchored: true, Type: GitLabToken, Keywords: []string{"glcbt-"},
		Pattern: `\b(glcbt-[0-9A-Za-z]{1,5}_[0-9A-Za-z_\-]{20,300}(?:\.[0-9a-z]{9})?)`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.0)},
	// Other GitLab secrets: incoming mail token glimt- + 25, Kubernetes agent
	// token glagent- + 50 or more, SCIM token glsoat- + 20 or more, feature
	// flag client token glffct- + 20 or more.
	{Name: "gitlab-service-token", Anchored: true, Type: GitLabToken, Keywords: []string{"glimt-", "glagent-", "glsoat-", "glffct-"},
		Pattern: `\b(glimt-[0-9A-Za-z_\-]{25}|glagent-[0-9A-Za-z_\-]{50,300}|glsoat-[0-9A-Za-z_\-]{20,300}|glffct-[0-9A-Za-z_\-]{20,300})`,
		Group:   1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.0)},

	// --- Slack, Discord, Telegram ---

	// Slack app configuration tokens: access token xoxe.xoxp-/xoxe.xoxb- +
	// digit + about 165 alphanumerics, refresh token xoxe- + digit + about
	// 146. api.slack.com, "Configuration tokens"; gitleaks rules
	// slack-config-access-token, slack-config-refresh-token.
	{Name: "slack-config-token", Anchored: true, Type: SlackToken, Keywords: []string{"xoxe.xoxp-", "xoxe.xoxb-", "xoxe-"},
		Pattern: `\b(xoxe\.xox[bp]-[0-9]-[A-Za-z0-9]{150,180}|xoxe-[0-9]-[A-Za-z0-9]{140,160})\b`,
		Group:   1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.5)},
	// Slack legacy tokens the core slack-token pattern does not take: xoxo-
	// (legacy user token, dash-separated numbers and hex) and workspace
	// tokens xoxa-N- / xoxr-N-. api.slack.com, "Token types: legacy
	// tokens"; gitleaks rules slack-legacy-token,
	// slack-legacy-workspace-token.
	{Name: "slack-legacy-token", Anchored: true, Type: SlackToken, Keywords: []string{"xoxo-", "xoxa-", "xoxr-"},
		Pattern: `\b(xoxo-[0-9]+-[0-9]+-[0-9]+-[0-9a-fA-F]{10,}|xox[ar]-[0-9]-[0-9A-Za-z\-]{16,})`,
		Group:   1, Confidence: 0.9, Validate: secretEntropy(0.9, 3.0)},
	// Discord webhook URL: https://discord.com/api[/vN]/webhooks/<snowflake
	// id>/<token of about 68 [A-Za-z0-9_-]> (also discordapp.com, canary.,
	// ptb.); the whole URL is the credential. Discord developer docs,
	// "Webhook resource: Execute Webhook" (POST
	// /webhooks/{webhook.id}/{webhook.token}).
	{Name: "discord-webhook", Type: DiscordWebhook, Keywords: []string{"discord.com/api/", "discordapp.com/api/"}, Before: 24, After: 200,
		Pattern: `(https?://(?:(?:canary|ptb)\.)?discord(?:app)?\.com/api(?:/v[0-9]{1,2})?/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,80})`,
		Group:   1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.5)},
	// Telegram bot token: <bot id, 5-16 digits>:A + 34 [A-Za-z0-9_-], near
	// the word "telegram" (a setting name or api.telegram.org/bot<token>).
	// Telegram Bot API docs, "Authorizing your bot"; gitleaks rule
	// telegram-bot-api-token.
	{Name: "telegram-bot-token", Type: TelegramBotToken, Keywords: []string{"telegram"}, Before: 64, After: 160,
		Pattern: `(?:^|[^0-9A-Za-z_]|/bot)([0-9]{5,16}:A[0-9A-Za-z_\-]{34})(?:[^0-9A-Za-z_\-]|$)`,
		Group:   1, Confidence: 0.9, Validate: secretEntropy(0.9, 3.5)},

	// --- E-mail and commerce ---

	// Mailgun private API key: key- + 32 hex (older) or 32 hex-8 hex-8 hex,
	// on a line that names Mailgun. Mailgun docs, "API keys"; gitleaks rules
	// mailgun-private-api-token, mailgun-signing-key.
	{Name: "mailgun-api-key", Type: MailgunKey, Keywords: []string{"mailgun"}, Before: 64, After: 256,
		Pattern: `\b(key-[0-9a-f]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})\b`, Group: 1, Confidence: 0.9, Validate: secretEntropy(0.9, 3.0)},
	// Mailchimp Marketing API key: 32 hex + -us<data center number>. The
	// keywords are the data-center suffix ("-us1" … "-us9" also start
	// -us10 … -us99). Mailchimp Marketing API docs, "Quick start: the
	// server prefix is the part of the key after -us"; gitleaks rule
	// mailchimp-api-key.
	{Name: "mailchimp-api-key", Type: MailchimpKey,
		Keywords: []string{"-us1", "-us2", "-us3", "-us4", "-us5", "-us6", "-us7", "-us8", "-us9"}, Before: 32, After: 3,
		Pattern: `\b([0-9a-f]{32}-us[0-9]{1,2})\b`, Group: 1, Confidence: 0.9, Validate: secretEntropy(0.9, 3.0)},
	// Shopify app tokens: shpat_ (Admin API access token), shpca_ (custom
	// app), shppa_ (private app), shpss_ (shared secret) + 32 hex. Shopify
	// docs, "About Shopify API access tokens"; gitleaks rules shopify-*.
	{Name: "shopify-token", Anchored: true, Type: ShopifyToken, Keywords: []string{"shpat_", "shpss_", "shpca_", "shppa_"},
		Pattern: `\b(shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32})\b`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.0)},
	// Square: OAuth / personal access token EAAA + 60 (64 bytes), legacy
	// access token sq0atp- + 22, application secret sq0csp- + 43, all
	// [0-9A-Za-z_-]. Square developer docs, "Access tokens and other Square
	// credentials"; gitleaks rules square-access-token, square-secret.
	{Name: "square-token", Anchored: true, Type: SquareToken, Keywords: []string{"sq0atp-", "sq0csp-", "EAAA"},
		Pattern: `\b(sq0atp-[0-9A-Za-z_\-]{22}|sq0csp-[0-9A-Za-z_\-]{43}|EAAA[0-9A-Za-z_\-]{60})(?:[^0-9A-Za-z_\-]|$)`,
		Group:   1, Confidence: 0.95, Validate: secretEntropy(0.95, 3.5)},

	// --- Cloud and infrastructure ---

	// DigitalOcean tokens: dop_v1_ (personal access), doo_v1_ (OAuth
	// access), dor_v1_ (OAuth refresh) + 64 hex. DigitalOcean docs, "How to
	// create a personal access token"; gitleaks rules digitalocean-*.
	{Name: "digitalocean-token", Anchored: true, Type: DigitalOceanToken, Keywords: []string{"dop_v1_", "doo_v1_", "dor_v1_"},
		Pattern: `\b(do[por]_v1_[a-f0-9]{64})\b`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.0)},
	// HashiCorp Vault tokens (Vault 1.10+): hvs. (service) and hvr.
	// (recovery) + 90-120 [A-Za-z0-9_-], hvb. (batch) + 138 or more. Vault
	// docs, "Tokens: token prefixes"; gitleaks rules vault-service-token,
	// vault-batch-token. Pre-1.10 "s." tokens are too short and common to
	// match on their own and are not reported.
	{Name: "vault-token", Anchored: true, Type: VaultToken, Keywords: []string{"hvs.", "hvb.", "hvr."},
		Pattern: `\b(hv[sr]\.[A-Za-z0-9_\-]{90,120}|hvb\.[A-Za-z0-9_\-]{138,300})(?:[^A-Za-z0-9_\-]|$)`,
		Group:   1, Confidence: 0.95, Validate: secretEntropy(0.95, 3.5)},
	// Terraform Cloud / Enterprise API token: 14 alphanumerics + .atlasv1. +
	// 60-70 [A-Za-z0-9_=-]. Terraform Cloud docs, "API tokens"; gitleaks rule
	// hashicorp-tf-api-token.
	{Name: "terraform-cloud-token", Type: TerraformToken, Keywords: []string{".atlasv1."}, Before: 16, After: 80,
		Pattern: `\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,70})(?:[^A-Za-z0-9_=\-]|$)`,
		Group:   1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.5)},
	// Doppler tokens: dp.st.[<config>.] (service), dp.pt. (personal), dp.ct.
	// (CLI), dp.sa. (service account), dp.said. (service account identity),
	// dp.scim., dp.audit. + 40-44 alphanumerics. Doppler docs, "Auth token
	// formats".
	{Name: "doppler-token", Anchored: true, Type: DopplerToken,
		Keywords: []string{"dp.st.", "dp.pt.", "dp.ct.", "dp.sa.", "dp.said.", "dp.scim.", "dp.audit."},
		Pattern:  `\b(dp\.(?:st\.(?:[a-z0-9_\-]{2,35}\.)?|pt\.|ct\.|sa\.|said\.|scim\.|audit\.)[A-Za-z0-9]{40,44})\b`,
		Group:    1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.5)},
	// Databricks personal access token: dapi + 32 hex, optionally -<digit>.
	// Databricks docs, "Databricks personal access token authentication";
	// gitleaks rule databricks-api-token.
	{Name: "databricks-token", Anchored: true, Type: DatabricksToken, Keywords: []string{"dapi"},
		Pattern: `\b(dapi[0-9a-f]{32}(?:-[0-9])?)\b`, Group: 1, Confidence: 0.95, Validate: secretEntropy(0.95, 3.0)},
	// Alibaba Cloud AccessKey ID: LTAI + 20 alphanumerics. Alibaba Cloud
	// docs, "Create an AccessKey pair"; gitleaks rule alibaba-access-key-id.
	{Name: "alibaba-access-key-id", Anchored: true, Type: AlibabaAccessKey, Keywords: []string{"LTAI"},
		Pattern: `\b(LTAI[A-Za-z0-9]{20})\b`, Group: 1, Confidence: 0.9, Validate: secretEntropy(0.9, 3.5)},
	// Heroku platform API key (new format): HRKU-AA + 58 [0-9A-Za-z_-].
	// Heroku Dev Center, "Heroku API keys: key format"; gitleaks rule
	// heroku-api-key-v2.
	{Name: "heroku-api-key", Anchored: true, Type: HerokuKey, Keywords: []string{"HRKU-AA"},
		Pattern: `\b(HRKU-AA[0-9A-Za-z_\-]{58})(?:[^0-9A-Za-z_\-]|$)`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.5)},
	// Pulumi access token: pul- + 40 hex. Pulumi docs, "Access tokens";
	// gitleaks rule pulumi-api-token.
	{Name: "pulumi-token", Anchored: true, Type: PulumiToken, Keywords: []string{"pul-"},
		Pattern: `\b(pul-[a-f0-9]{40})\b`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.0)},
	// age secret key: AGE-SECRET-KEY-1 + 58 upper-case Bech32 characters.
	// age format specification (C2SP age.md, "Native X25519 recipient type");
	// gitleaks rule age-secret-key.
	{Name: "age-secret-key", Anchored: true, Type: AgeSecretKey, Keywords: []string{"AGE-SECRET-KEY-1"},
		Pattern: `\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b`, Group: 1, Confidence: 0.99, Validate: secretEntropy(0.99, 3.5)},

	// --- Developer platforms ---

	// Hugging Face user access token: hf_ + 34 letters; deprecated
	// organization token api_org_ + 34 letters. Hugging Face Hub docs, "User
	// access tokens"; gitleaks rules huggingface-access-token,
	// huggingface-organization-api-token.
	{Name: "huggingface-token", Anchored: true, Type: HuggingFaceToken, Keywords: []string{"hf_", "api_org_"},
		Pattern: `\b((?:hf_|api_org_)[A-Za-z]{34})\b`, Group: 1, Confidence: 0.95, Validate: secretEntropy(0.95, 3.5)},
	// Docker Hub personal access token: dckr_pat_ + 27 or more
	// [A-Za-z0-9_-]. Docker docs, "Personal access tokens" and Hub API
	// reference (dckr_pat_ prefix).
	{Name: "dockerhub-pat", Anchored: true, Type: DockerHubToken, Keywords: []string{"dckr_pat_"},
		Pattern: `\b(dckr_pat_[A-Za-z0-9_\-]{27,64})(?:[^A-Za-z0-9_\-]|$)`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.5)},
	// Grafana: service account token glsa_ + 32 alphanumerics + _ + 8 hex;
	// Grafana Cloud token glc_ + base64 (32-400); legacy API key eyJrIjoi
	// (base64 of {"k":") + 70-400. Grafana docs, "Service accounts" and
	// "Grafana Cloud access policies"; gitleaks rules grafana-*.
	{Name: "grafana-token", Anchored: true, Type: GrafanaToken, Keywords: []string{"glsa_", "glc_", "eyJrIjoi"},
		Pattern: `\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,3}|eyJrIjoi[A-Za-z0-9]{70,400}={0,3})(?:[^A-Za-z0-9_+/=]|$)`,
		Group:   1, Confidence: 0.95, Validate: secretEntropy(0.95, 3.5)},
	// Atlassian API token (Jira, Confluence, Bitbucket Cloud): ATATT3 + 186
	// [A-Za-z0-9_=-] (192 in all). Atlassian docs, "Manage API tokens for
	// your Atlassian account"; gitleaks rule atlassian-api-token.
	{Name: "atlassian-api-token", Anchored: true, Type: AtlassianToken, Keywords: []string{"ATATT3"},
		Pattern: `\b(ATATT3[A-Za-z0-9_\-=]{186})(?:[^A-Za-z0-9_\-=]|$)`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.5)},
	// Linear personal API key: lin_api_ + 40 alphanumerics. Linear developer
	// docs, "API and webhooks: personal API keys"; gitleaks rule
	// linear-api-key.
	{Name: "linear-api-key", Anchored: true, Type: LinearKey, Keywords: []string{"lin_api_"},
		Pattern: `\b(lin_api_[A-Za-z0-9]{40})\b`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.5)},
	// Postman API key: PMAK- + 24 hex + - + 34 hex. Postman docs, "Generate
	// and use Postman API keys"; gitleaks rule postman-api-token.
	{Name: "postman-api-key", Anchored: true, Type: PostmanKey, Keywords: []string{"PMAK-"},
		Pattern: `\b(PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34})\b`, Group: 1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.0)},
	// Sentry auth tokens: user token sntryu_ + 64 hex; organization token
	// sntrys_ + base64 JSON claims (eyJ…) + _ + 43 base64. Sentry docs, "Auth
	// tokens"; gitleaks rules sentry-user-token, sentry-org-token.
	{Name: "sentry-token", Anchored: true, Type: SentryToken, Keywords: []string{"sntryu_", "sntrys_"},
		Pattern: `\b(sntryu_[a-f0-9]{64}|sntrys_eyJ[A-Za-z0-9+/]{30,400}={0,2}_[A-Za-z0-9+/]{43})(?:[^A-Za-z0-9_+/=]|$)`,
		Group:   1, Confidence: 0.97, Validate: secretEntropy(0.97, 3.5)},
	// New Relic: user API key NRAK- + 27 alphanumerics; Insights insert key
	// NRII- + 32 [A-Za-z0-9-]. New Relic docs, "New Relic API keys";
	// gitleaks rules new-relic-user-api-key, new-relic-insert-key.
	{Name: "newrelic-key", Anchored: true, Type: NewRelicKey, Keywords: []string{"NRAK-", "NRII-"},
		Pattern: `\b(NRAK-[A-Za-z0-9]{27}|NRII-[A-Za-z0-9\-]{32})\b`, Group: 1, Confidence: 0.95, Validate: secretEntropy(0.95, 3.5)},
}

// secretEntropy wraps a fixed confidence with the example check and a floor
// on the Shannon entropy of the value, which rejects placeholders that fit a
// loose character set ("glrt-xxxxxxxxxxxxxxxxxxxx").
func secretEntropy(conf, minBits float64) func(value, match []byte) (float64, bool) {
	return func(value, _ []byte) (float64, bool) {
		return conf, !isExample(value) && entropy(value) >= minBits
	}
}

// validAzureSAS accepts a SAS signature when the parameters before it
// include the service version (sv=) and an expiry (se=) or permissions
// (sp=), and the signature looks random.
func validAzureSAS(value, _ []byte) (float64, bool) {
	if isExample(value) || entropy(value) < 3.5 {
		return 0, false
	}
	return 0.9, true
}

// hasSASParams reports whether a window holds the other parameters of a
// SAS query: sv= and se= or sp=, each starting a parameter (after ?, &, or
// the = of a connection string's SharedAccessSignature=).
func hasSASParams(w []byte) bool {
	param := func(name string) bool {
		for _, sep := range "?&=;" {
			if bytes.Contains(w, []byte(string(sep)+name)) {
				return true
			}
		}
		return false
	}
	return param("sv=") && (param("se=") || param("sp="))
}

// serviceAccountType matches "type": "service_account" in JSON, also with
// the quotes escaped when the key file is embedded in another string.
var serviceAccountType = regexp.MustCompile(`\\?"type\\?"\s*:\s*\\?"service_account\\?"`)

// hasServiceAccountType reports whether a window holds a GCP service-account
// key file's type member.
func hasServiceAccountType(w []byte) bool {
	return bytes.Contains(w, []byte("service_account")) && serviceAccountType.Match(w)
}
