package dlp

import (
	"strings"
	"testing"
)

// All credentials in this file are made-up fixtures with the shape of real
// tokens; none grants anything. Bodies are built from the keyboard walks
// below so that no whole token appears literally in the source.

const (
	fxKB   = "Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm9"
	fxKB2  = "Zx9Cv8Bn7Mq6Wf5Rg4Tk3Yp2Hs1Jd0LuAeOi"
	fxHexA = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	fxHexB = "f9e8d7c6b5a4039281706f5e4d3c2b1a"
	fxLet  = "QwErTyUiOpAsDfGhJkLzXcVbNmPlOkIjUh"
	fxB32  = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" // the Bech32 alphabet, upper case
)

// fx repeats s to exactly n bytes.
func fx(s string, n int) string {
	return strings.Repeat(s, n/len(s)+1)[:n]
}

// moreSecretCase is one detector of secrets_more.go: a text holding a
// credential (value), and a near miss the detector must not report.
type moreSecretCase struct {
	det   string
	in    string
	value string
	miss  string
}

func moreSecretCases() []moreSecretCase {
	pkid := fxHexA + fxHexB[:8]
	azKey := fx(fxKB+"+/", 86) + "=="
	sasSig := fx(fxKB2, 43) + "%3D"
	sasURL := "https://acmefixture.blob.core.windows.net/backups/db.bak?sv=2022-11-02&sr=b"
	gcpKey := "AIza" + fx("Sy"+fxKB+"_-", 35)
	whsec := "whsec_" + fx(fxKB, 32)
	glrt := "glrt-" + fx(fxKB, 20)
	glrtRoutable := "glrt-t1_" + fx(fxKB2, 27) + ".01a2b3c4d"
	gr := "GR1348941" + fx(fxKB2, 20)
	gldt := "gldt-" + fx(fxKB2, 20)
	glptt := "glptt-" + fx(fxHexB, 40)
	gloas := "gloas-" + fx(fxKB, 64)
	glft := "glft-" + fx(fxKB2, 20)
	glcbt := "glcbt-64_" + fx(fxKB, 20)
	glimt := "glimt-" + fx(fxKB2, 25)
	glagent := "glagent-" + fx(fxKB, 50)
	xoxeCfg := "xoxe.xoxb-1-" + fx(fxKB, 163)
	xoxeRefresh := "xoxe-1-" + fx(fxKB2, 146)
	xoxo := "xoxo-2481632641-1357924680-1122334455-" + fxHexA[:16]
	xoxa := "xoxa-2-2481632641-1357924680-" + fx(fxKB2, 18)
	discord := "https://discord.com/api/webhooks/1187654321098765432/" + fx(fxKB+"_-", 68)
	tg := "7012345678:AA" + fx(fxKB+"_-", 33)
	mgKey := "key-" + fxHexA
	mgNew := fxHexB + "-0a1b2c3d-4e5f6071"
	mc := fxHexA + "-us6"
	shpat := "shpat_" + fxHexB
	eaaa := "EAAA" + fx("l"+fxKB2+"_-", 60)
	sq0csp := "sq0csp-" + fx(fxKB+"_-", 43)
	dop := "dop_v1_" + fxHexA + fxHexB
	hvs := "hvs." + fx("CAESI"+fxKB+"_-", 95)
	hvb := "hvb." + fx("AAAAAQ"+fxKB2+"_-", 140)
	atlas := fx(fxKB2, 14) + ".atlasv1." + fx(fxKB+"_-", 66)
	dpst := "dp.st.dev." + fx(fxKB, 43)
	dppt := "dp.pt." + fx(fxKB2, 43)
	dapi := "dapi" + fxHexB
	ltai := "LTAI" + fx(fxKB2, 20)
	hrku := "HRKU-AA" + fx(fxKB+"_-", 58)
	pul := "pul-" + fx(fxHexB, 40)
	age := "AGE-SECRET-KEY-1" + fx(fxB32, 58)
	hf := "hf_" + fx(fxLet, 34)
	hfOrg := "api_org_" + fx(fxLet[1:], 34)
	dckr := "dckr_pat_" + fx(fxKB+"_-", 27)
	glsa := "glsa_" + fx(fxKB, 32) + "_" + fxHexA[:8]
	glc := "glc_" + fx(fxKB2+"+/", 60) + "=="
	grafanaOld := "eyJrIjoi" + fx(fxKB, 72) + "="
	atatt := "ATATT3" + fx("xFfGF0"+fxKB+"_-=", 186)
	lin := "lin_api_" + fx(fxKB2, 40)
	pmak := "PMAK-" + fxHexA[:24] + "-" + fx(fxHexB, 34)
	sntryu := "sntryu_" + fxHexA + fxHexB
	sntrys := "sntrys_eyJpYXQiOjE3NjQwMDAwMDAuMCwidXJsIjoiaHR0cHM6Ly9zZW50cnkuaW8iLCJvcmciOiJhY21lIn0_" + fx(fxKB+"+/", 43)
	nrak := "NRAK-" + "Q8E7T6U5O4A3D2G1K0ZXCVBNM9W"
	nrii := "NRII-" + fx(fxKB2+"-", 32)

	return []moreSecretCase{
		{"gcp-service-account",
			`{"type": "service_account", "project_id": "acme-fixture-123", "private_key_id": "` + pkid + `", "client_id": "104512345678901234567"}`, pkid,
			`{"type": "authorized_user", "private_key_id": "` + pkid + `"}`},
		{"gcp-service-account", // type after the key id, quotes escaped inside a string
			`{"key": "{\"private_key_id\": \"` + pkid + `\", \"type\": \"service_account\"}"}`, pkid,
			`{"type": "external_account", "service_account_impersonation_url": "https://iam.example/sa", "private_key_id": "` + pkid + `"}`},
		{"gcp-api-key", "GOOGLE_MAPS_KEY=" + gcpKey + "\n", gcpKey,
			"GOOGLE_MAPS_KEY=" + gcpKey[:38]},
		{"azure-storage-account-key", "DefaultEndpointsProtocol=https;AccountName=acmefixture;AccountKey=" + azKey + ";EndpointSuffix=core.windows.net", azKey,
			"AccountName=acmefixture;AccountKey=" + azKey[:84] + "==;"},
		{"azure-storage-account-key", `AZURE_STORAGE_KEY = "` + azKey + `"`, azKey,
			"AccountKey=YOUR_ACCOUNT_KEY"},
		{"azure-sas-token", sasURL + "&sp=r&se=2026-12-31T23:59:59Z&sig=" + sasSig + " ok", sasSig,
			sasURL + "&sig=" + sasSig}, // no se= or sp=
		{"azure-sas-token", // the portal's order: sp first, sv late
			`{"url":"https://acmefixture.blob.core.windows.net/c/b?sp=r&st=2026-11-25T10:00:00Z&se=2026-11-26T10:00:00Z&spr=https&sv=2022-11-02&sr=b&sig=` + sasSig + `"}`, sasSig,
			"https://img.cdn-fixture.net/p.jpg?w=640&exp=1764000000&sig=" + sasSig}, // a CDN signature, no sv=
		{"azure-sas-token", "BlobEndpoint=https://acmefixture.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-12-01T00:00:00Z&sig=" + sasSig, sasSig,
			"sv=2022-11-02&sp=r&se=2026-12-31&sig=EXAMPLEsignatureEXAMPLEsignatureEXAMPLEsig%3D"},
		{"stripe-webhook-secret", "endpoint_secret = '" + whsec + "'", whsec,
			"whsec_" + fx(fxKB, 20)},
		{"twilio-auth-token", "TWILIO_ACCOUNT_SID=AC" + fxHexA + "\nTWILIO_AUTH_TOKEN=" + fxHexB, fxHexB,
			"twilio auth_token: " + fxHexB[:31]},
		{"twilio-auth-token", "twilio:\n  authToken: '" + fxHexB + "'", fxHexB,
			"authToken: '" + fxHexB + "' (no vendor named)"},
		{"gitlab-runner-token", `token = "` + glrt + `"`, glrt, "glrt-" + fx(fxKB, 19)},
		{"gitlab-runner-token", "--token " + glrtRoutable + " ok", glrtRoutable, "GITLAB_RUNNER_TOKEN=glrt-xxxxxxxxxxxxxxxxxxxx"},
		{"gitlab-runner-token", "--registration-token " + gr, gr, "GR1348941" + fx(fxKB2, 19)},
		{"gitlab-deploy-token", "docker login -p " + gldt + " registry", gldt, "-p gldt-" + fx(fxKB2, 19)},
		{"gitlab-pipeline-trigger-token", "-F token=" + glptt + " -F ref=main", glptt, "-F token=glptt-" + strings.ToUpper(fx(fxHexB, 40))},
		{"gitlab-oauth-app-secret", "secret: " + gloas, gloas, "gloas-" + fx(fxKB, 63)},
		{"gitlab-feed-token", "issues.atom?feed_token=" + glft + "&state=opened", glft, "feed_token=glft-xxxxxxxxxxxxxxxxxxxx"},
		{"gitlab-ci-job-token", "CI_JOB_TOKEN=" + glcbt, glcbt, "glcbt-" + fx(fxKB, 20)},
		{"gitlab-service-token", "incoming_email_token: " + glimt, glimt, "glimt-" + fx(fxKB2, 24)},
		{"gitlab-service-token", "agent " + glagent, glagent, "agent glagent-" + fx(fxKB, 49)},
		{"slack-config-token", "SLACK_CONFIG_TOKEN=" + xoxeCfg, xoxeCfg, "xoxe.xoxb-1-" + fx(fxKB, 100)},
		{"slack-config-token", "refresh " + xoxeRefresh + " now", xoxeRefresh, "xoxe-1-" + fx(fxKB2, 100)},
		{"slack-legacy-token", "legacy " + xoxo, xoxo, "xoxo-12-34-56-abc"},
		{"slack-legacy-token", "workspace " + xoxa, xoxa, "xoxa-2-short"},
		{"discord-webhook", "url: " + discord, discord, "url: https://discord.com/api/webhooks/1187654321098765432/" + fx(fxKB, 40)},
		{"telegram-bot-token", "TELEGRAM_TOKEN=" + tg, tg, "telegram 7012345678:BB" + fx(fxKB+"_-", 33)},
		{"telegram-bot-token", "https://api.telegram.org/bot" + tg + "/getMe", tg, "telegram bot id 7012345678"},
		{"mailgun-api-key", "MAILGUN_API_KEY=" + mgKey, mgKey, "mailgun key-" + fxHexA[:31]},
		{"mailgun-api-key", `mailgun.client({ key: "` + mgNew + `" })`, mgNew, "api key " + mgNew + " (no vendor named)"},
		{"mailchimp-api-key", "MAILCHIMP_KEY=" + mc, mc, "MAILCHIMP_KEY=" + fxHexA[:31] + "-us6"},
		{"shopify-token", "X-Shopify-Access-Token: " + shpat, shpat, "shpat_" + fxHexB[:31]},
		{"square-token", "SQUARE_ACCESS_TOKEN=" + eaaa, eaaa, "sq0atp-" + fx(fxKB2, 21)},
		{"square-token", "app_secret: " + sq0csp, sq0csp, "EAAA" + fx(fxKB2, 40)},
		{"digitalocean-token", "doctl auth init --access-token " + dop, dop, "dop_v1_" + fxHexA + fxHexB[:31]},
		{"vault-token", "export VAULT_TOKEN=" + hvs, hvs, "vault token hvs." + fx(fxKB, 40)},
		{"vault-token", "batch " + hvb, hvb, "batch hvb." + fx(fxKB, 100)},
		{"terraform-cloud-token", `token = "` + atlas + `"`, atlas, "t " + atlas[1:]},
		{"doppler-token", "DOPPLER_TOKEN=" + dpst, dpst, "echo 'dp.st.prd.xxxx' | doppler configure set token"},
		{"doppler-token", "api-key: " + dppt, dppt, "dp.pt." + fx(fxKB2, 30)},
		{"databricks-token", "token = " + dapi, dapi, "token = " + dapi[:35]},
		{"alibaba-access-key-id", "ALIBABA_CLOUD_ACCESS_KEY_ID=" + ltai, ltai, "id LTAI" + fx(fxKB2, 19)},
		{"heroku-api-key", "HEROKU_API_KEY=" + hrku, hrku, "key " + hrku[:len(hrku)-1]},
		{"pulumi-token", "PULUMI_ACCESS_TOKEN=" + pul, pul, "pul-" + fx(fxKB, 40)},
		{"age-secret-key", "# public key: age1qpzry9x8\n" + age, age, "AGE-SECRET-KEY-1B" + fx(fxB32, 57)},
		{"huggingface-token", "huggingface-cli login --token " + hf, hf, "--token " + hf[:len(hf)-1]},
		{"huggingface-token", "token='" + hfOrg + "'", hfOrg, "api_org_controller = require('orgs')"},
		{"dockerhub-pat", "echo " + dckr + " | docker login --password-stdin", dckr, "sample dckr_pat_124509ugsdjga93"},
		{"grafana-token", "Bearer " + glsa, glsa, "Bearer glsa_" + fx(fxKB, 32) + "_" + fxHexA[:7]},
		{"grafana-token", "loki_key: " + glc, glc, "static void GLC_CreateLightmapTextureArray(void);"},
		{"grafana-token", "GF_API_KEY=" + grafanaOld, grafanaOld, "eyJrIjoi" + fx(fxKB, 40)},
		{"atlassian-api-token", "JIRA_API_TOKEN=" + atatt, atatt, "tokens start with " + atatt[:150]},
		{"linear-api-key", "LINEAR_API_KEY=" + lin, lin, "lin_api_" + fx(fxKB2, 39)},
		{"postman-api-key", `-H "X-Api-Key: ` + pmak + `"`, pmak, "PMAK-" + fxHexA[:24] + "-" + fx(fxHexB, 33)},
		{"sentry-token", "SENTRY_AUTH_TOKEN=" + sntryu, sntryu, "sntryu_" + fxHexA + fxHexB[:31]},
		{"sentry-token", "org token " + sntrys, sntrys, "sntrys_eyJpYXQiOjE3NjQ_short"},
		{"newrelic-key", "NEW_RELIC_API_KEY=" + nrak, nrak, "NRAK-" + "Q8E7T6U5O4A3D2G1K0ZXCVBNM9"},
		{"newrelic-key", "insert key " + nrii, nrii, "browser key NRJS-0a1b2c3d4e5f6071829"},
	}
}

// moreSecretTruePositives returns the positive cases in the form of
// TestDetectorsTruePositives, which requires a true positive of every
// built-in detector.
func moreSecretTruePositives() []struct {
	in    string
	typ   Type
	value string
} {
	types := map[string]Type{}
	for _, d := range moreSecretDetectors {
		types[d.Name] = d.Type
	}
	var out []struct {
		in    string
		typ   Type
		value string
	}
	for _, c := range moreSecretCases() {
		out = append(out, struct {
			in    string
			typ   Type
			value string
		}{c.in, types[c.det], c.value})
	}
	return out
}

// TestMoreSecretDetectors checks every detector of secrets_more.go through
// the default scanner: the positive is found with the detector's type and
// exact value, and the near miss is not reported by that detector.
func TestMoreSecretDetectors(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	types := map[string]Type{}
	for _, d := range moreSecretDetectors {
		types[d.Name] = d.Type
	}
	tested := map[string]bool{}
	for _, c := range moreSecretCases() {
		typ, ok := types[c.det]
		if !ok {
			t.Errorf("case for unknown detector %q", c.det)
			continue
		}
		tested[c.det] = true
		found := false
		got := s.Scan([]byte(c.in))
		for _, f := range got {
			if f.Detector == c.det && f.Type == typ && c.in[f.Start:f.End] == c.value {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: Scan(%q) = %s, want %s %q", c.det, c.in, describe(c.in, got), typ, c.value)
		}
		for _, f := range s.Scan([]byte(c.miss)) {
			if f.Detector == c.det {
				t.Errorf("%s: near miss %q reported as %s %q", c.det, c.miss, f.Type, c.miss[f.Start:f.End])
			}
		}
	}
	for _, d := range moreSecretDetectors {
		if !tested[d.Name] {
			t.Errorf("detector %s has no case", d.Name)
		}
	}
}

// TestMoreSecretDetectorsCount pins the size of the built-in secret set.
func TestMoreSecretDetectorsCount(t *testing.T) {
	if n := len(SecretDetectors); n < 42 {
		t.Errorf("%d built-in secret detectors, want at least 42", n)
	}
	names := map[string]bool{}
	for _, d := range DefaultDetectors() {
		if names[d.Name] {
			t.Errorf("detector name %s used twice", d.Name)
		}
		names[d.Name] = true
	}
}

// TestMoreSecretDetectorsInText finds every positive in the middle of long
// clean text, on its own line and inside a line: windows and line clipping
// must not lose it.
func TestMoreSecretDetectorsInText(t *testing.T) {
	t.Parallel()
	s := newDefault(t)
	clean := string(mixedText(8<<10, 0))
	for _, c := range moreSecretCases() {
		for _, sep := range []string{"\n", " "} {
			in := clean[:4096] + sep + c.in + sep + clean[4096:]
			found := false
			for _, f := range s.Scan([]byte(in)) {
				if f.Detector == c.det && in[f.Start:f.End] == c.value {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: %q inside clean text (sep %q): not found", c.det, c.value, sep)
			}
		}
	}
}
