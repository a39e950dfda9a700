package shell

import "strings"

func init() {
	register(ruleAWS, "aws")
	register(ruleGcloud, "gcloud")
	register(ruleGsutil, "gsutil")
	register(ruleAz, "az")
}

// awsSpec is the AWS CLI's options that take a value.
var awsSpec = optSpec{long: []string{"--profile", "--region", "--output", "--endpoint-url", "--query", "--color",
	"--cli-read-timeout", "--cli-connect-timeout", "--ca-bundle", "--cli-binary-format", "--bucket", "--key",
	"--body", "--secret-id", "--name", "--names", "--path", "--policy-arn", "--user-name", "--role-name",
	"--instance-ids", "--exclude", "--include", "--acl", "--storage-class", "--sse", "--cli-input-json"}}

// awsReadOnly are operation prefixes of the AWS CLI that change nothing.
var awsReadOnly = []string{"describe-", "list-", "get-", "head-", "lookup-", "search-", "batch-get-",
	"select-", "estimate-", "preview-", "validate-", "test-", "filter-", "simulate-", "check-", "detect-",
	"download-", "scan", "query", "wait", "help", "tail", "ls", "presign", "generate-", "decode-"}

// ruleAWS: operations other than reads change infrastructure; deletes and
// terminations are destructive; IAM grants and policies are privilege;
// uploads to S3 send data out; secret and token reads read secrets.
func ruleAWS(c *call) {
	_, ops := subcommand(awsSpec, c.args)
	if len(ops) < 2 {
		if len(ops) == 1 && !ops[0].known {
			c.set(infraChange|destructive, "runs a command known only at run time")
		}
		return
	}
	svc, op := ops[0], ops[1]
	if !svc.known || !op.known {
		c.set(infraChange|destructive, "runs an operation known only at run time")
		return
	}
	s, o := svc.val, op.val
	if s == "s3" {
		awsS3(c, o, ops[2:])
		return
	}
	if s == "configure" {
		if o == "get" || o == "export-credentials" {
			c.set(readsSecrets, "prints configured credentials")
		}
		return
	}
	switch {
	case s == "secretsmanager" && strings.Contains(o, "get-secret-value"),
		s == "ssm" && strings.HasPrefix(o, "get-parameter") && c.has("--with-decryption"),
		s == "ecr" && (o == "get-login-password" || o == "get-authorization-token"),
		s == "sts" && (o == "get-session-token" || o == "get-federation-token"),
		s == "kms" && o == "decrypt",
		s == "lambda" && (o == "get-function-configuration" || o == "get-function"),
		s == "ecs" && o == "describe-task-definition":
		c.set(readsSecrets, "reads a secret or token ("+s+" "+o+")")
		return
	case s == "sts" && strings.HasPrefix(o, "assume-role"):
		c.set(privilege|readsSecrets, "assumes a role and prints its credentials")
		return
	}
	for _, p := range awsReadOnly {
		if strings.HasPrefix(o, p) {
			return
		}
	}
	c.set(infraChange, "changes AWS resources ("+s+" "+o+")")
	if strings.HasPrefix(o, "delete-") || strings.HasPrefix(o, "terminate-") || strings.HasPrefix(o, "purge-") {
		c.set(destructive, "deletes AWS resources ("+s+" "+o+")")
	}
	if s == "iam" && (strings.HasPrefix(o, "attach-") || strings.HasPrefix(o, "put-") ||
		contains([]string{"create-access-key", "create-login-profile", "update-login-profile", "update-assume-role-policy",
			"add-user-to-group", "create-policy-version", "set-default-policy-version", "create-service-specific-credential"}, o)) ||
		grantsAccess(o) {
		c.set(privilege, "grants AWS permissions ("+s+" "+o+")")
	}
	if s == "iam" && o == "create-access-key" {
		c.set(readsSecrets, "prints a new secret access key")
	}
	if s == "s3api" && (o == "put-object" || o == "upload-part") {
		c.set(networkEgress, "uploads an object")
	}
}

// grantsAccess reports whether a CLI operation name changes a policy, an
// ACL or a permission.
func grantsAccess(op string) bool {
	if !(strings.HasPrefix(op, "put-") || strings.HasPrefix(op, "set-") || strings.HasPrefix(op, "add-") ||
		strings.HasPrefix(op, "attach-") || strings.HasPrefix(op, "create-") || strings.HasPrefix(op, "update-") ||
		strings.HasPrefix(op, "grant-") || strings.HasPrefix(op, "authorize-")) {
		return false
	}
	return strings.Contains(op, "polic") || strings.Contains(op, "acl") || strings.Contains(op, "permission") ||
		strings.Contains(op, "grant") || strings.Contains(op, "ingress")
}

// awsS3: the high-level S3 commands.
func awsS3(c *call, op string, ops []word) {
	dst := ""
	src := ""
	if len(ops) > 0 {
		src = ops[0].val
		dst = ops[len(ops)-1].val
	}
	switch op {
	case "cp", "mv", "sync":
		if strings.HasPrefix(dst, "s3://") || op == "mv" {
			c.set(infraChange, "writes to S3 ("+op+")")
		}
		if strings.HasPrefix(dst, "s3://") && !strings.HasPrefix(src, "s3://") {
			c.set(networkEgress, "uploads "+src+" to S3")
		}
		if op == "sync" && c.has("--delete") && strings.HasPrefix(dst, "s3://") {
			c.set(destructive, "deletes objects missing locally")
		}
		if op == "mv" && strings.HasPrefix(src, "s3://") && c.has("--recursive") {
			c.set(destructive, "deletes the S3 objects it moves, recursively")
		}
	case "rm":
		c.set(infraChange, "deletes S3 objects")
		if c.has("--recursive") {
			c.set(destructive, "deletes S3 objects recursively")
		}
	case "rb":
		c.set(infraChange, "removes a bucket")
		if c.has("--force") {
			c.set(destructive, "removes a bucket and everything in it")
		}
	case "mb", "website":
		c.set(infraChange, "changes a bucket ("+op+")")
	}
}

// gcloudSpec is gcloud's options that take a value when written apart.
var gcloudSpec = optSpec{long: []string{"--project", "--account", "--configuration", "--format", "--verbosity",
	"--impersonate-service-account", "--billing-project", "--region", "--zone", "--flatten", "--filter",
	"--limit", "--page-size", "--sort-by", "--member", "--role", "--image", "--source", "--command"}}

// ruleGcloud: create, delete, update, set, deploy and the like change
// infrastructure; delete is destructive; IAM policy changes are privilege;
// token and secret access reads secrets.
func ruleGcloud(c *call) {
	opts, ops := subcommand(gcloudSpec, c.args)
	if hasOpt(opts, "--impersonate-service-account") {
		c.set(privilege, "impersonates a service account")
	}
	words := make([]string, 0, len(ops))
	for _, w := range ops {
		if !w.known {
			if len(words) < 2 {
				c.set(infraChange|destructive, "runs a command known only at run time")
				return
			}
			break
		}
		words = append(words, w.val)
	}
	line := " " + strings.Join(words, " ") + " "
	switch {
	case strings.Contains(line, " secrets versions access "),
		strings.Contains(line, " print-access-token "), strings.Contains(line, " print-identity-token "),
		strings.Contains(line, " config config-helper "), strings.Contains(line, " generate-login-token "):
		c.set(readsSecrets, "prints a secret or token")
		return
	}
	if len(words) > 0 && (words[0] == "config" || words[0] == "auth" || words[0] == "components" || words[0] == "help") {
		return
	}
	if len(words) > 1 && words[0] == "storage" {
		gcloudStorage(c, words[1], ops[2:])
		return
	}
	for _, v := range words {
		if strings.Contains(v, "iam-policy") {
			c.set(infraChange|privilege, "changes IAM policy ("+v+")")
			return
		}
		if gcloudChanges(v) {
			c.set(infraChange, "changes cloud resources ("+v+")")
			if v == "delete" || v == "purge" {
				c.set(destructive, "deletes cloud resources")
			}
			return
		}
	}
}

// gcloudChanges reports whether a gcloud or az verb changes resources.
func gcloudChanges(v string) bool {
	switch v {
	case "create", "delete", "update", "set", "patch", "deploy", "resize", "start", "stop", "reset",
		"restart", "import", "rollback", "apply", "enable", "disable", "move", "migrate", "promote",
		"failover", "restore", "replace", "undelete", "purge", "assign", "upload", "scale", "swap",
		"add", "remove", "attach", "detach", "regenerate", "renew", "revoke", "grant":
		return true
	}
	for _, p := range []string{"add-", "remove-", "set-", "attach-", "detach-", "update-", "create-", "delete-"} {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}

// gcloudStorage: gcloud storage cp/mv/rsync/rm.
func gcloudStorage(c *call, op string, ops []word) {
	if len(ops) == 0 {
		return
	}
	src, dst := ops[0].val, ops[len(ops)-1].val
	switch op {
	case "cp", "mv", "rsync":
		if strings.HasPrefix(dst, "gs://") {
			c.set(infraChange, "writes to Cloud Storage")
			if !strings.HasPrefix(src, "gs://") {
				c.set(networkEgress, "uploads "+src+" to Cloud Storage")
			}
		}
	case "rm":
		c.set(infraChange|destructive, "deletes Cloud Storage objects")
	case "buckets":
		if gcloudChanges(src) {
			c.set(infraChange, "changes a bucket")
			if src == "delete" {
				c.set(destructive, "deletes a bucket")
			}
		}
	}
}

// ruleGsutil: uploads, deletions and ACL changes.
func ruleGsutil(c *call) {
	_, ops := subcommand(optSpec{short: "ohu"}, c.args)
	if len(ops) == 0 {
		return
	}
	op := ops[0].val
	rest := ops[1:]
	switch op {
	case "cp", "mv", "rsync":
		gcloudStorage(c, op, rest)
		if c.has("-d") && op == "rsync" {
			c.set(destructive, "deletes objects missing at the source")
		}
	case "rm":
		c.set(infraChange, "deletes Cloud Storage objects")
		if c.has("-r", "-R", "-a") || c.hasClusterFlag('r') {
			c.set(destructive, "deletes Cloud Storage objects recursively")
		}
	case "rb":
		c.set(infraChange|destructive, "removes a bucket")
	case "mb", "setmeta", "lifecycle", "versioning", "cors", "label":
		c.set(infraChange, "changes a bucket ("+op+")")
	case "iam", "acl", "defacl":
		if len(rest) > 0 && (rest[0].val == "ch" || rest[0].val == "set") {
			c.set(infraChange|privilege, "changes bucket permissions")
		}
	}
}

// ruleAz: the Azure CLI's verbs, as gcloud's.
func ruleAz(c *call) {
	_, ops := subcommand(optSpec{long: []string{"--resource-group", "-g", "--name", "-n", "--subscription", "--output", "-o", "--query", "--assignee", "--role", "--scope", "--vault-name", "--file", "--source"}, short: "gno"}, c.args)
	words := make([]string, 0, len(ops))
	for _, w := range ops {
		if !w.known {
			if len(words) < 2 {
				c.set(infraChange|destructive, "runs a command known only at run time")
				return
			}
			break
		}
		words = append(words, w.val)
	}
	line := " " + strings.Join(words, " ") + " "
	switch {
	case strings.Contains(line, " get-access-token "), strings.Contains(line, " keyvault secret show "),
		strings.Contains(line, " keyvault secret download "), strings.Contains(line, " storage account keys list "):
		c.set(readsSecrets, "prints a secret or token")
		return
	case strings.Contains(line, " role assignment create "), strings.Contains(line, " credential reset "),
		strings.Contains(line, " create-for-rbac "), strings.Contains(line, " keyvault set-policy "):
		c.set(infraChange|privilege, "grants Azure permissions")
		if !strings.Contains(line, " role assignment ") && !strings.Contains(line, " set-policy ") {
			c.set(readsSecrets, "prints new credentials")
		}
		return
	case strings.Contains(line, " storage blob upload"), strings.Contains(line, " storage file upload"):
		c.set(infraChange|networkEgress, "uploads files to Azure Storage")
		return
	}
	if len(words) > 0 && (words[0] == "login" || words[0] == "logout" || words[0] == "account" || words[0] == "config" || words[0] == "extension") {
		return
	}
	for _, v := range words {
		if gcloudChanges(v) {
			c.set(infraChange, "changes Azure resources ("+v+")")
			if v == "delete" || v == "purge" {
				c.set(destructive, "deletes Azure resources")
			}
			return
		}
	}
}
