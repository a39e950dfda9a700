package shell

import "strings"

func init() {
	wrap(wrapSSH, "ssh")
	wrap(wrapKubectl, "kubectl", "oc", "kubecolor", "k")
	wrap(wrapDocker, "docker", "podman", "nerdctl")
}

// sshSpec is ssh's options that take a value.
var sshSpec = optSpec{short: "BbcDEeFIiJLlmOoPpQRSWw"}

// wrapSSH follows ssh [opts] HOST CMD...: the remote command, its words
// joined with spaces, is parsed as shell. Without one, the remote shell reads
// its input. Input piped to a remote command is data sent out.
func wrapSSH(c *call) step {
	opts, i := sshSpec.scan(c.args)
	for _, o := range opts {
		if o.name != "-o" {
			continue
		}
		key, val, ok := strings.Cut(o.val.val, "=")
		if !ok {
			key, val, _ = strings.Cut(o.val.val, " ")
		}
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "proxycommand", "localcommand", "knownhostscommand":
			if !o.val.known {
				return c.fail("runs a local command known only at run time")
			}
			c.shell("ssh -o "+strings.TrimSpace(key), val, stdin{})
		}
	}
	if hasOpt(opts, "-R", "-D") {
		c.set(networkEgress, "opens a tunnel that carries data to another host")
	}
	if i >= len(c.args) {
		return c.self()
	}
	host := c.args[i]
	rest := c.args[i+1:]
	label := "ssh " + host.val
	if hasOpt(opts, "-n", "-f") {
		c.in = stdin{}
	}
	if len(rest) == 0 {
		if hasOpt(opts, "-N", "-W", "-O", "-G", "-V") {
			return c.self()
		}
		return c.stdinShell(label)
	}
	if c.piped() {
		c.set(networkEgress, "sends its input to "+host.val)
	}
	text, ok := joinKnown(rest)
	if !ok {
		return c.fail("runs a remote command known only at run time")
	}
	return c.shell(label, text, c.in)
}

// kubectlSpec is kubectl's options that take a value when written apart.
var kubectlSpec = optSpec{
	short: "nscflopLvf",
	long: []string{"--namespace", "--context", "--kubeconfig", "--cluster", "--user", "--server", "--token",
		"--as", "--as-group", "--as-uid", "--certificate-authority", "--client-certificate", "--client-key",
		"--request-timeout", "--cache-dir", "--container", "--filename", "--selector", "--output",
		"--pod-running-timeout", "--field-selector", "--template", "--type", "--patch", "--replicas",
		"--image", "--port", "--for", "--timeout", "--from-file", "--from-literal", "--from-env-file",
		"--role", "--clusterrole", "--serviceaccount", "--group", "--resource", "--verb", "--sort-by",
		"--label-columns", "--chunk-size", "--subresource", "--address", "--accept-hosts", "--port"},
}

// subcommand splits the arguments of a CLI such as kubectl or docker into
// its options and operands, skipping option values.
func subcommand(spec optSpec, args []word) (opts []opt, operands []word) {
	for i := 0; i < len(args); {
		o, n := spec.scan(args[i:])
		opts = append(opts, o...)
		i += n
		if n > 0 && args[i-1].known && args[i-1].val == "--" {
			return opts, append(operands, args[i:]...)
		}
		if i < len(args) {
			operands = append(operands, args[i])
			i++
		}
	}
	return opts, operands
}

// wrapKubectl follows kubectl exec [opts] POD -- CMD...; any other verb is
// judged by the kubectl rule.
func wrapKubectl(c *call) step {
	_, i := kubectlSpec.scan(c.args)
	if i >= len(c.args) || !c.args[i].known || c.args[i].val != "exec" {
		return c.self()
	}
	args := c.args[i+1:]
	dash := -1
	for j, w := range args {
		if w.known && w.val == "--" {
			dash = j
			break
		}
	}
	var cmd []word
	opts, _ := subcommand(kubectlSpec, args)
	if dash >= 0 {
		cmd = args[dash+1:]
	} else {
		_, operands := subcommand(kubectlSpec, args)
		if len(operands) > 1 {
			cmd = operands[1:]
		}
	}
	if len(cmd) == 0 {
		return c.self()
	}
	in := stdin{}
	if hasOpt(opts, "-i", "--stdin") {
		in = c.in
	}
	return c.run(c.name+" exec", cmd, in)
}

// dockerGlobal is docker's options before the subcommand.
var dockerGlobal = optSpec{short: "Hcl", long: []string{"--host", "--context", "--config", "--log-level", "--tlscacert", "--tlscert", "--tlskey"}}

// dockerExecSpec is docker exec's options.
var dockerExecSpec = optSpec{short: "euw", long: []string{"--env", "--env-file", "--user", "--workdir", "--detach-keys"}}

// dockerRunSpec is docker run's options that take a value.
var dockerRunSpec = optSpec{
	short: "acehlmpuvw",
	long: []string{"--add-host", "--annotation", "--attach", "--blkio-weight", "--cap-add", "--cap-drop",
		"--cgroup-parent", "--cgroupns", "--cidfile", "--cpu-period", "--cpu-quota", "--cpu-shares", "--cpus",
		"--cpuset-cpus", "--cpuset-mems", "--device", "--device-cgroup-rule", "--dns", "--dns-option",
		"--dns-search", "--domainname", "--entrypoint", "--env", "--env-file", "--expose", "--gpus",
		"--group-add", "--health-cmd", "--health-interval", "--health-retries", "--health-start-period",
		"--health-timeout", "--hostname", "--ip", "--ip6", "--ipc", "--isolation", "--label", "--label-file",
		"--link", "--log-driver", "--log-opt", "--mac-address", "--memory", "--memory-reservation",
		"--memory-swap", "--memory-swappiness", "--mount", "--name", "--network", "--net", "--network-alias",
		"--oom-score-adj", "--pid", "--pids-limit", "--platform", "--publish", "--pull", "--restart",
		"--runtime", "--security-opt", "--shm-size", "--stop-signal", "--stop-timeout", "--storage-opt",
		"--sysctl", "--tmpfs", "--ulimit", "--user", "--userns", "--uts", "--volume", "--volume-driver",
		"--volumes-from", "--workdir"},
}

// wrapDocker follows docker exec CONTAINER CMD... and docker run IMAGE
// CMD...; other subcommands are judged by the docker rule.
func wrapDocker(c *call) step {
	_, i := dockerGlobal.scan(c.args)
	if i >= len(c.args) || !c.args[i].known {
		return c.self()
	}
	verb := c.args[i].val
	args := c.args[i+1:]
	if verb == "container" && len(args) > 0 && args[0].known {
		verb, args = args[0].val, args[1:]
	}
	var spec optSpec
	switch verb {
	case "exec":
		spec = dockerExecSpec
	case "run":
		spec = dockerRunSpec
	default:
		return c.self()
	}
	opts, j := spec.scan(args)
	if hasOpt(opts, "--privileged") {
		c.set(privilege, "runs a privileged container")
	}
	if verb == "run" {
		c.dockerRunPrivilege(opts)
	}
	if j >= len(args) {
		return c.self()
	}
	cmd := args[j+1:]
	if e, ok := optVal(opts, "--entrypoint"); ok {
		cmd = append([]word{e}, cmd...)
	}
	if len(cmd) == 0 {
		return c.self()
	}
	in := stdin{}
	if hasOpt(opts, "-i", "--interactive") {
		in = c.in
	}
	return c.run(c.name+" "+verb, cmd, in)
}

// dockerRunPrivilege sets privilege for docker run options that give the
// container the host: host namespaces, capabilities, devices, the host's
// root or the Docker socket.
func (c *call) dockerRunPrivilege(opts []opt) {
	for _, o := range opts {
		v := o.val.val
		switch o.name {
		case "--pid", "--userns", "--uts", "--ipc":
			if v == "host" {
				c.set(privilege, "shares the host's "+strings.TrimPrefix(o.name, "--")+" namespace")
			}
		case "--cap-add":
			c.set(privilege, "adds the capability "+v)
		case "--device":
			c.set(privilege, "gives the container the device "+v)
		case "--security-opt":
			if strings.Contains(v, "unconfined") || strings.Contains(v, "no-new-privileges=false") {
				c.set(privilege, "turns confinement off ("+v+")")
			}
		case "-v", "--volume", "--mount":
			src := v
			if o.name == "--mount" {
				for _, kv := range strings.Split(v, ",") {
					if k, s, ok := strings.Cut(kv, "="); ok && (k == "source" || k == "src") {
						src = s
					}
				}
			} else {
				src, _, _ = strings.Cut(v, ":")
			}
			if src == "/" || strings.HasSuffix(src, "docker.sock") || systemPath(src) {
				c.set(privilege, "mounts the host's "+src)
			}
		}
	}
}
