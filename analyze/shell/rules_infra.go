package shell

import "strings"

func init() {
	register(ruleKubectl, "kubectl", "oc", "kubecolor", "k")
	register(ruleTerraform, "terraform", "tofu", "terragrunt")
	register(ruleHelm, "helm")
	register(rulePulumi, "pulumi")
	register(ruleAnsible, "ansible-playbook", "ansible")
	register(ruleDeployTools, "eksctl", "cdk", "sam", "serverless", "sls", "doctl", "flyctl", "fly", "heroku")
	register(ruleDocker, "docker", "podman", "nerdctl")
	register(ruleCompose, "docker-compose", "podman-compose")
}

// kubectlChanges are the kubectl verbs that change a cluster.
var kubectlChanges = map[string]bool{
	"apply": true, "create": true, "patch": true, "replace": true, "scale": true, "edit": true,
	"set": true, "annotate": true, "label": true, "cordon": true, "uncordon": true, "drain": true,
	"taint": true, "delete": true, "autoscale": true, "expose": true, "run": true, "cp": true,
	"debug": true,
}

// ruleKubectl: verbs that change the cluster; delete is destructive; RBAC
// objects and impersonation are privilege; secrets printed with data are
// secret reads. A verb known only at run time is assumed to change and
// delete.
func ruleKubectl(c *call) {
	opts, ops := subcommand(kubectlSpec, c.args)
	for _, o := range opts {
		if o.name == "--as" || o.name == "--as-group" || o.name == "--as-uid" {
			c.set(privilege, "impersonates "+o.val.val)
		}
		if o.name == "--token" {
			c.set(readsSecrets, "passes a bearer token on the command line")
		}
	}
	if len(ops) == 0 {
		return
	}
	verb := ops[0]
	if !verb.known {
		c.set(infraChange|destructive, "runs a verb known only at run time")
		return
	}
	rest := ops[1:]
	if dry, ok := optVal(opts, "--dry-run"); ok && dry.val != "none" {
		return
	}
	v := verb.val
	if v == "rollout" {
		if len(rest) > 0 && contains([]string{"restart", "undo", "pause", "resume"}, rest[0].val) {
			c.set(infraChange, "changes a rollout ("+rest[0].val+")")
		}
		return
	}
	if v == "auth" {
		if len(rest) > 0 && rest[0].val == "reconcile" {
			c.set(infraChange|privilege, "applies RBAC rules")
		}
		return
	}
	if v == "config" {
		if len(rest) > 0 && rest[0].val == "view" && c.has("--raw") {
			c.set(readsSecrets, "prints the kubeconfig with its credentials")
		}
		return
	}
	if kubectlChanges[v] {
		c.set(infraChange, "changes the cluster ("+v+")")
	}
	if v == "delete" {
		c.set(destructive, "deletes cluster resources")
	}
	if v == "apply" && c.hasPrefix("--prune") {
		c.set(destructive, "deletes resources missing from the files (--prune)")
	}
	if v == "port-forward" || v == "proxy" {
		if addr, ok := optVal(opts, "--address"); ok && addr.val != "localhost" && addr.val != "127.0.0.1" && addr.val != "::1" {
			c.set(networkEgress, "exposes the cluster to the network ("+addr.val+")")
		}
	}
	if v == "debug" && len(rest) > 0 && strings.HasPrefix(rest[0].val, "node/") {
		c.set(privilege, "gets a shell on a node's host")
	}
	kind := ""
	if len(rest) > 0 {
		kind = strings.ToLower(rest[0].val)
	}
	if v == "create" && kind == "token" {
		c.set(readsSecrets, "prints a service-account token")
	}
	if (v == "create" || v == "apply" || v == "patch" || v == "edit" || v == "replace") &&
		strings.Contains(kind, "role") {
		c.set(privilege, "grants cluster permissions ("+kind+")")
	}
	if isSecretKind(kind) {
		switch {
		case v == "describe":
			c.set(readsSecrets, "describes secrets")
		case v == "get" || v == "edit":
			out, _ := optVal(opts, "-o", "--output")
			if v == "edit" || c.has("--template") || out.val != "" && out.val != "name" && out.val != "wide" {
				c.set(readsSecrets, "prints secret data")
			}
		}
	}
}

// isSecretKind reports whether a kubectl resource argument names secrets.
func isSecretKind(k string) bool {
	for _, part := range strings.Split(k, ",") {
		base, _, _ := strings.Cut(part, "/")
		base, _, _ = strings.Cut(base, ".")
		if base == "secret" || base == "secrets" || base == "sealedsecrets" {
			return true
		}
	}
	return false
}

// ruleTerraform: apply, import and state changes change infrastructure;
// destroy, apply -destroy and apply -auto-approve are destructive.
func ruleTerraform(c *call) {
	ops := c.operands()
	if len(ops) == 0 {
		return
	}
	verb := ops[0]
	if !c.anyKnown(verb) {
		c.set(infraChange|destructive, "runs a command known only at run time")
		return
	}
	sub := ""
	if len(ops) > 1 {
		sub = ops[1]
	}
	switch verb {
	case "apply", "run-all":
		c.set(infraChange, "changes infrastructure")
		if c.has("-destroy", "--destroy") {
			c.set(destructive, "destroys infrastructure")
		} else if c.has("-auto-approve", "--auto-approve") {
			c.set(destructive, "changes infrastructure without a review of the plan")
		}
	case "destroy":
		c.set(infraChange|destructive, "destroys infrastructure")
	case "output":
		if c.has("-json", "--json", "-raw", "--raw") {
			c.set(readsSecrets, "prints outputs, sensitive ones included")
		}
	case "show":
		if c.has("-json", "--json") {
			c.set(readsSecrets, "prints the state, secrets included")
		}
	case "import", "taint", "untaint", "force-unlock", "refresh":
		c.set(infraChange, "changes the state ("+verb+")")
	case "state":
		switch sub {
		case "rm", "mv", "push", "replace-provider":
			c.set(infraChange, "changes the state (state "+sub+")")
		case "pull":
			c.set(readsSecrets, "prints the state, secrets included")
		}
	case "workspace":
		if sub == "delete" {
			c.set(infraChange|destructive, "deletes a workspace")
		}
	}
}

// ruleHelm: install, upgrade, rollback and uninstall change a cluster;
// uninstall is destructive.
func ruleHelm(c *call) {
	ops := c.operands()
	if len(ops) == 0 {
		return
	}
	switch ops[0] {
	case "install", "upgrade", "rollback":
		if !c.has("--dry-run") {
			c.set(infraChange, "changes a release ("+ops[0]+")")
		}
	case "uninstall", "delete", "del", "un":
		c.set(infraChange|destructive, "uninstalls a release")
	case "push":
		c.set(networkEgress, "uploads a chart")
	}
}

// rulePulumi: up, destroy, import, refresh and state changes.
func rulePulumi(c *call) {
	ops := c.operands()
	if len(ops) == 0 {
		return
	}
	switch ops[0] {
	case "up", "update", "import", "refresh", "cancel":
		c.set(infraChange, "changes a stack ("+ops[0]+")")
	case "destroy":
		c.set(infraChange|destructive, "destroys a stack")
	case "state":
		c.set(infraChange, "changes a stack's state")
	case "stack":
		if len(ops) > 1 && ops[1] == "rm" {
			c.set(infraChange|destructive, "removes a stack")
		}
	}
}

// ruleAnsible: a playbook (or an ad-hoc module other than ping and setup)
// changes hosts, unless --check.
func ruleAnsible(c *call) {
	if c.has("--check", "-C") {
		return
	}
	if c.name == "ansible" {
		m, ok := c.value("-m", "--module-name")
		if ok && m.known && (m.val == "ping" || m.val == "setup") || c.has("--list-hosts") {
			return
		}
	}
	c.set(infraChange, "changes the hosts it targets")
}

// ruleDeployTools: deploy and delete verbs of other infrastructure CLIs.
func ruleDeployTools(c *call) {
	for _, v := range c.operands() {
		switch v {
		case "deploy", "create", "update", "scale", "upgrade", "apply":
			c.set(infraChange, "changes infrastructure ("+v+")")
			return
		case "delete", "destroy", "remove", "rm":
			c.set(infraChange|destructive, "deletes infrastructure ("+v+")")
			return
		}
	}
}

// ruleDocker: pruning and removing volumes lose data; push uploads an image.
func ruleDocker(c *call) {
	_, i := dockerGlobal.scan(c.args)
	_, ops := subcommand(optSpec{}, c.args[i:])
	if len(ops) == 0 {
		return
	}
	verb := ops[0].val
	sub := ""
	if len(ops) > 1 {
		sub = ops[1].val
	}
	switch {
	case verb == "push", verb == "image" && sub == "push":
		c.set(networkEgress, "uploads an image")
	case verb == "system" && sub == "prune", verb == "volume" && (sub == "rm" || sub == "prune"):
		c.set(destructive, "deletes volumes or data")
	case verb == "rmi", verb == "image" && (sub == "rm" || sub == "prune"), verb == "container" && sub == "prune",
		verb == "builder" && sub == "prune":
		c.set(destructive, "deletes images or containers")
	case (verb == "stack" || verb == "service" || verb == "secret" || verb == "config" || verb == "network" || verb == "node") && (sub == "rm" || sub == "remove"):
		c.set(destructive|infraChange, "removes a "+verb)
	case (verb == "stack" && sub == "deploy") || (verb == "service" && (sub == "create" || sub == "update" || sub == "scale")):
		c.set(infraChange, "changes a swarm "+verb)
	case verb == "inspect", verb == "container" && sub == "inspect":
		c.set(readsSecrets, "prints containers' configuration, environment included")
	case verb == "compose":
		if sub == "down" && c.has("-v", "--volumes") {
			c.set(destructive, "deletes the project's volumes")
		}
	}
}

// ruleCompose: docker-compose down -v deletes volumes.
func ruleCompose(c *call) {
	if c.hasWord("down") && c.has("-v", "--volumes") {
		c.set(destructive, "deletes the project's volumes")
	}
}
