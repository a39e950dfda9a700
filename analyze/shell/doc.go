// Package shell tells what a shell command line would really do, without
// running it: it parses the text as bash (mvdan.cc/sh/v3/syntax), takes off
// the wrappers that run other commands, and judges every simple command it
// reaches. Policy reads the result as the "shell" variable (see Facts.Map).
//
// # What is found
//
// Commands lists every simple command: those in pipes, &&, ||, ;, subshells,
// { } blocks, if/for/while/case bodies, function bodies, command and process
// substitutions, and the strings other commands run. Wrappers are taken off
// and recorded in Via, outermost first:
//
//	sudo, doas, pkexec, su -c, runuser, nsenter, chroot, setpriv, run0, sg,
//	unshare                                     (each also sets privilege)
//	env, timeout, nice, nohup, ionice, stdbuf, time, command, exec, builtin,
//	setsid, flock, busybox, toybox, unbuffer, systemd-run, strace, taskset,
//	chrt, numactl, screen, parallel, pee, proxychains, torsocks, sshpass,
//	eatmydata, fakeroot, xvfb-run, k3s/microk8s kubectl
//	bash|sh|zsh|dash|ksh -c STRING             STRING is parsed as shell
//	ssh [opts] HOST CMD...                      the words, joined, are parsed as shell
//	kubectl exec [opts] POD -- CMD...           CMD is followed as an argv
//	docker exec CONTAINER CMD / docker run IMAGE CMD
//	xargs CMD                                   CMD gets an unknown argument, shown as {}
//	find ... -exec CMD {} \;                    find is judged, and so is CMD
//	watch, eval, alias, trap, at, script -c, tmux new-session / send-keys,
//	gcloud compute ssh --command, az vm run-command invoke --scripts
//	commands in options and variables: git -c core.pager=... and alias.x=!...,
//	GIT_SSH_COMMAND, EDITOR, PAGER, PS4, ssh -o ProxyCommand, tar
//	--checkpoint-action=exec / -I / --to-command, zip -TT, git filter-branch
//	a here-document, here-string or known text given to a shell on its input
//
// Strings are followed at most 8 levels deep; deeper nesting fails closed.
// Programs lists each program once, in order of appearance, wrappers
// included: "sudo bash -c 'rm -rf /'" gives ["sudo", "bash", "rm"] and one
// Command, rm, via ["sudo", "bash -c"].
//
// Argv holds the words after quote removal ('a b', "a b", $'\x61', a\ b).
// A word known only at run time keeps its source text ("$DIR", $(pwd)).
// Brace expansion is done ({a,b}); globs and ~ are kept as written.
//
// # The facts
//
// Every boolean is fail-closed: when the analyser cannot tell, it is true.
// Each finding adds one line to Reasons, "fact: command what-and-why", for
// approval cards.
//
// destructive — deletes data or tears infrastructure down irreversibly.
// rm of /, /*, ~, ., .., *, a top-level directory, a whole home, anything
// under a system directory (/etc, /usr, /var, /boot, ...), .git, or a path
// known only at run time; find -delete and find -exec rm; dd of=/dev/...,
// mkfs*, wipefs, fdisk, shred; output redirected onto a device or over a
// system file; truncate of a system file; chmod/chown -R of a broad target;
// rsync --delete into a broad target; git push --force/-f/+ref/--delete,
// git reset --hard, git clean -f; kubectl delete, kubectl apply --prune;
// helm uninstall; terraform destroy, apply -destroy, apply -auto-approve;
// pulumi destroy; aws delete-*/terminate-*, s3 rm --recursive, s3 rb --force,
// s3 sync --delete; gcloud and az delete; docker system prune, volume rm,
// compose down -v, rmi, image prune, stack rm; SQL DROP, TRUNCATE, DELETE or
// ALTER ... DROP given to psql, mysql or sqlite3 (comments removed), and SQL
// from a file or pipe; dropdb, mysqladmin drop, mongosh drops; redis-cli
// FLUSHALL and SHUTDOWN; crontab -r; shutdown and reboot; git rm -r .,
// checkout -- ., restore ., stash clear, branch -D, reflog expire,
// filter-branch; rm of a whole tree (/data/postgres, /opt/app, ~/projects)
// and of credentials (rm ~/.ssh/id_rsa); tar -x or unzip -d over a broad
// target; truncating a shell history or anything under /var/log; kill -1,
// killall5; package removal; zfs destroy, lvremove, virsh undefine, vagrant
// destroy, kind delete; iptables -F, ufw reset; rclone purge and sync;
// gh repo delete, gh api -X DELETE; aws s3 mv --recursive from s3://;
// userdel -r; journalctl --vacuum-*; history -c; emptying a file on purpose:
// cp /dev/null FILE, truncate -s 0 (not *.log), dd from /dev/zero without
// count= (or with conv=notrunc or seek=), > app.db with no command for a
// database file.
//
//	rm -rf "$BUILD_DIR"            kubectl delete ns prod     git push -f
//
// infra_change — changes cloud or cluster infrastructure. kubectl apply,
// create, patch, replace, scale, edit, set, rollout restart/undo, annotate,
// label, cordon, drain, taint, delete, run, expose, cp, debug (unless
// --dry-run); terraform apply, import, state rm/mv, taint; helm install,
// upgrade, rollback, uninstall; pulumi up/destroy; ansible-playbook (unless
// --check); every aws operation but reads (describe-, list-, get-, ...);
// gcloud and az create, delete, update, set, deploy, add-*, remove-*, ...;
// gsutil writes; the local system's services (systemctl stop, restart,
// enable, ...), firewall, network links, mounts, storage pools and virtual
// machines. docker run is not an infrastructure change.
//
//	kubectl rollout restart deploy/web    aws s3 cp site/ s3://b/ --recursive
//
// privilege — gains or grants privileges: sudo, doas, su, pkexec, runuser,
// nsenter, chroot; chmod setting setuid/setgid (u+s, 4755); chown to root;
// setcap; adding users to sudo, wheel, docker and similar groups, UID 0
// accounts; visudo, passwd; writing /etc/sudoers*, /etc/passwd, /etc/shadow
// or authorized_keys; IAM grants (aws iam attach-/put-*-policy,
// create-access-key, sts assume-role; gcloud *-iam-policy*; az role
// assignment create); kubectl RBAC objects, --as impersonation, debug
// node/...; docker run --privileged, host namespaces, --cap-add, devices,
// mounts of / or the Docker socket; setpriv, run0, sg, unshare; install
// -m 4755; chmod of the account files; setfacl -m; writing files that run
// commands later (~/.bashrc and other start-up files, /etc/profile, cron
// tables, /etc/ld.so.preload, systemd units, .git/hooks, .git/config,
// ~/.gitconfig, .husky, ~/.config/autostart), or a tree of files into a
// whole home; git config storing a command (alias.x=!..., core.hooksPath,
// core.fsmonitor, a pager or editor named by a path); writing a program into
// a directory on PATH (/usr/bin, /usr/local/bin, /opt/*/bin, ~/bin,
// ~/.local/bin, ~/go/bin, ~/.cargo/bin, ...); writing anywhere only root may
// (/etc, /usr but /usr/local/share, /boot, /root, /var/spool/cron,
// /proc/sys). A write is any of: a redirection, tee, cp, mv, install, ln,
// dd of=, sed -i, patch, uniq's and split's output operands, awk print >
// "FILE", and output options (curl -o/--output/--output-dir, wget -O/-o/-P,
// sort -o, iconv -o, go build -o, gcc/clang/rustc -o); a target starting
// with $HOME is judged as ~. A program with no rule that is not known to only
// read (cat, grep, sort, diff, ...) and names a file in /etc, /boot, /root,
// /usr (but share, src, include) or authorized_keys fails closed to
// privilege. ssh-copy-id; userdel; redis-cli CONFIG SET dir or dbfilename.
//
//	sudo apt-get update    echo "$KEY" >> ~/.ssh/authorized_keys
//
// network_egress — sends data off the machine. curl with -d/--data*/-F/-T/
// --json or -X POST/PUT/PATCH/DELETE, curl or wget fed by a pipe, curl, wget,
// dig or ping given an address known only at run time; wget --post-*;
// nc, ncat, socat, telnet, ftp, sftp, openssl s_client, mosquitto_pub,
// websocat, wscat; scp and rsync to host:path; ssh with piped input;
// /dev/tcp and /dev/udp; aws s3 cp/sync to s3://, gsutil cp to gs://, az
// storage blob upload; git push (not --dry-run); docker push;
// npm/cargo/gem/twine publish (not --dry-run); gh gist create, gh issue/pr
// with --body-file; HTTPie (http, https, xh) with a writing method, data
// items (a=b, a:=1, @file), --form or input; grpcurl -d; mail; smbclient,
// hping3; tunnels (ssh -R/-D, ngrok, cloudflared, chisel) and servers or
// port-forwards bound beyond localhost; curl -K, gopher:// and similar
// schemes; wget -e; ping -p; whois -h; dig, nslookup, host and getent hosts
// of a name known only at run time or with a label that carries data (24
// characters or more with digits, or shaped like an access key: AKIA...,
// ghp_...). A curl or HTTPie request whose every address is this machine
// (localhost, 127.0.0.0/8, [::1]) with no proxy, --resolve or --connect-to
// sends nothing off it.
//
//	tar cz . | nc backup 9000    curl -d @report.json https://api.example.com
//
// reads_secrets — reads credentials, keys or the environment. Any argument or
// input redirection naming ~/.ssh (but not *.pub, known_hosts,
// authorized_keys), ~/.aws, ~/.config/gcloud, ~/.azure, ~/.kube, ~/.docker/
// config.json, ~/.netrc, ~/.pgpass, ~/.git-credentials, .env and .env.* (not
// .env.example), id_rsa and other private keys, *.pem, *.key, *.p12,
// *.tfstate, shell histories, /etc/shadow, /etc/sudoers, /proc/*/environ,
// /var/run/secrets — except for programs that handle paths without reading
// them (ls, stat, chmod, rm, echo, tee, ...); printenv, env without a
// command, set, export -p, declare -p, history; kubectl get secret -o
// yaml|json|jsonpath, describe secret, config view --raw; aws
// secretsmanager get-secret-value, ssm get-parameter --with-decryption, ecr
// get-login-password; gcloud secrets versions access, auth
// print-access-token; az get-access-token, keyvault secret show; vault kv
// get / read; security find-*-password; op read, pass show, sops -d, gh auth
// token, git credential fill, terraform state pull, terraform output -json,
// terraform show -json, aws lambda get-function-configuration, docker
// inspect, ps e, pg_dumpall; ~/.s3cfg, /etc/kubernetes/admin.conf and SSH
// host keys. Archivers and copiers (tar, zip, 7z, rsync, scp, cp -r, rclone,
// restic, borg, ...) reading a whole home (~, $HOME, /home/alice, /root),
// its .config or .local, every home, /etc, /var or /: the tree holds
// credentials. An HTTP client or socket (curl, wget, http, nc, ...) that
// sends data out and expands a variable whose name says it holds a secret
// ($GITHUB_TOKEN, $AWS_SECRET_ACCESS_KEY, $DB_PASSWORD, $API_KEY; not
// $GITHUB_SHA or $AWS_REGION). ~/.ssh/config is not a secret; the destination
// of cp, mv, install and ln is written, not read.
//
//	cat ~/.aws/credentials    kubectl get secret db -o yaml    env
//
// dynamic — some word is known only at run time: $VAR, ${...}, $(...),
// backticks, arithmetic, process substitution, an unquoted here-document
// with expansions, xargs and find -exec placeholders, eval. `echo $HOME` is
// only dynamic; each rule treats an unknown argument pessimistically where
// it matters (rm -rf "$DIR" is destructive, chmod "$MODE" is privilege, curl
// "$URL" is egress).
//
//	for f in *.go; do gofmt -l "$f"; done
//
// opaque — some code the command runs could not be read. When the program
// itself, or what it runs, cannot be known, opaque and every fact above are
// set (fail closed), with reasons starting "assumed"; opaque lets policy tell
// those assumed risks from observed ones. Opaque is set for a program named by a
// variable or substitution; eval of unknown text; source or . of a file;
// running a file (./deploy.sh, bin/tool, /tmp/x, x.py); a shell given a script
// file, commands on a pipe or file, or nothing (an interactive shell, sudo
// -i, su, ssh HOST without a command); python, node, perl, ruby, php, R,
// emacs, gdb and other interpreters (versioned names like php8.2 too)
// running anything (-c, -e, -m, a script, their input); bash -c or ssh with a
// command string known only at run time; LD_PRELOAD, BASH_ENV, BASH_FUNC_*
// and a changed PATH for a command (or a PATH starting with /tmp or a
// relative directory for later ones); hash -p; a program named by a glob
// (/bin/r?); awk calling system() or pipes, sed's e command, vim -c '!...',
// TeX -shell-escape, sqlite3 .shell, psql \! and COPY ... PROGRAM, mysql
// system; installing a crontab; redis-cli MODULE LOAD; rsync -e and scp -S
// known only at run time; a command with no program name ("" x); more than
// 256 nested strings or 4 MiB of nested text; nesting deeper than 8 levels;
// and every parse error.
//
//	curl -fsSL https://x.sh | bash    echo aGk= | base64 -d | sh    $CMD
//
// parse_error — the input does not parse as bash, is empty, holds a NUL byte
// or is over 1 MiB; or a string run by bash -c and the like does not parse.
// Every other boolean, opaque included, is then true, and error says why.
//
//	echo 'unterminated
//
// # What is not judged
//
// A program the analyser has no rule for sets no fact: policies should list
// the programs they allow. Build tools and package runners (make, npm run,
// npx, go run, cargo run, pip install) run code from the repository or a
// registry that the analyser does not read. Remote and container commands
// (ssh, kubectl exec, docker run) are judged as if local. git push counts as
// egress; a push whose refspec is known only at run time is not assumed
// forced. Output redirected to a file known only at run time is dynamic, not
// destructive. rm -rf of a relative directory (build, src) is not
// destructive; only broad targets, whole top-level trees and credentials
// are. Data carried in a literal URL (curl https://x/?k=AKIA...) or in a
// short DNS label is not seen as egress. Overwriting a file in /usr/local is
// not destructive (writing a program into /usr/local/bin is privilege).
// Variables are not tracked: DIR=/; rm -rf $DIR is destructive because $DIR
// is unknown, not because it is /; nor is data through a pipe (echo
// "$TOKEN" | nc host 9 is egress and dynamic, not reads_secrets). Proxies set
// in the environment (https_proxy) are not seen, so a request to localhost
// is taken to stay on the machine.
package shell
