package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"nodetool/agent"
	"nodetool/editor"
	"nodetool/egress"
)

// accessFlags are what the commands that run workflows (run, worker,
// serve) let workflows reach beyond the engine: the network, under the
// egress policy, and the secrets lib.secret.GetSecret reads.
type accessFlags struct {
	egress  *string
	allow   stringsFlag
	secrets stringsFlag
	shell   *bool
}

// envAccess are the environment variables of the access flags.
var envAccess = []string{"NODETOOL_EGRESS", "NODETOOL_ALLOW_NET", "NODETOOL_WORKFLOW_SECRETS", "NODETOOL_AGENT_SHELL"}

func addAccessFlags(fs *flag.FlagSet) *accessFlags {
	f := &accessFlags{}
	f.egress = fs.String("egress", string(egress.Public), "what the URLs workflows fetch may reach: public (the internet, not loopback, private, link-local or other special addresses), none, or all (env NODETOOL_EGRESS)")
	fs.Var(&f.allow, "allow-net", "let workflows reach `HOST[:PORT]|CIDR` too (a host name, an IP address or a CIDR range, with an optional port), whatever --egress says (repeatable or comma-separated; env NODETOOL_ALLOW_NET)")
	fs.Var(&f.secrets, "workflow-secrets", "let workflows read the environment variables named (`NAME[,NAME...]`, repeatable; env NODETOOL_WORKFLOW_SECRETS) with lib.secret.GetSecret; serve also gives each user their own saved secrets")
	f.shell = fs.Bool("agent-shell", false, "give agents that name it the Bash tool: commands a model writes run with this server's rights, starting in the run's workspace folder but not confined to it (env NODETOOL_AGENT_SHELL)")
	return f
}

// access is what the flags resolve to.
type access struct {
	http    *egress.Client
	secrets *workflowSecrets
	// shell is the agents' Bash (--agent-shell), nil when not allowed.
	shell *agent.Shell
}

// resolve reads the flags (given ones beat the environment). secretsFile
// is serve's per-user secrets file ("" for run and worker).
func (f *accessFlags) resolve(st *settings, secretsFile string) (access, error) {
	mode, err := egress.ParseMode(st.str("egress", "NODETOOL_EGRESS"))
	if err != nil {
		source := "--egress"
		if !st.set["egress"] {
			source = "NODETOOL_EGRESS"
		}
		return access{}, fmt.Errorf("%s: %v", source, err)
	}
	allow, source := strings.Join(f.allow, ","), "--allow-net"
	if !st.set["allow-net"] {
		allow, source = st.getenv("NODETOOL_ALLOW_NET"), "NODETOOL_ALLOW_NET"
	}
	rules, err := egress.ParseRules(allow)
	if err != nil {
		return access{}, fmt.Errorf("%s: %v", source, err)
	}
	names := strings.Join(f.secrets, ",")
	if !st.set["workflow-secrets"] {
		names = st.getenv("NODETOOL_WORKFLOW_SECRETS")
	}
	ws := &workflowSecrets{env: map[string]string{}, file: secretsFile}
	for _, name := range strings.Split(names, ",") {
		if name = strings.TrimSpace(name); name != "" {
			ws.env[name] = st.getenv(name)
		}
	}
	a := access{http: egress.New(egress.Policy{Mode: mode, Allow: rules}, egress.Options{}), secrets: ws}
	on := *f.shell
	if raw := strings.TrimSpace(st.getenv("NODETOOL_AGENT_SHELL")); !st.set["agent-shell"] && raw != "" {
		if on, err = strconv.ParseBool(raw); err != nil {
			return access{}, fmt.Errorf("NODETOOL_AGENT_SHELL: %q is not a boolean (true or false)", raw)
		}
	}
	if on {
		a.shell = agentShell(st.getenv)
	}
	return a, nil
}

// agentShell is the agents' Bash: /bin/sh with an environment of PATH,
// LANG and TZ only (none of the server's keys), each command at most
// agent.DefaultShellTimeout.
func agentShell(getenv func(string) string) *agent.Shell {
	path := getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	env := []string{"PATH=" + path}
	lang := getenv("LANG")
	if lang == "" {
		lang = "C.UTF-8"
	}
	env = append(env, "LANG="+lang)
	if tz := getenv("TZ"); tz != "" {
		env = append(env, "TZ="+tz)
	}
	return &agent.Shell{Path: "/bin/sh", Env: env}
}

// line is the banner's line about what workflows may reach.
func (a access) line() string {
	s := "egress:    " + a.http.Policy().String()
	if n := len(a.secrets.env); n > 0 {
		s += fmt.Sprintf("; workflows may read %d environment secret(s)", n)
	}
	if a.shell != nil {
		s += "; AGENT SHELL ON: agents' Bash runs commands as this server's user"
	}
	return s
}

// workflowSecrets are the secrets a workflow may read (nodes.Deps.Secrets):
// the user's own, saved through serve's settings, then the environment
// variables the operator named, read once at start. Nothing else of the
// environment is reachable, so a workflow cannot read the server's own
// keys unless the operator says so.
type workflowSecrets struct {
	env  map[string]string
	file string // serve's secrets file, or ""
}

func (s *workflowSecrets) Secret(_ context.Context, user, name string) (string, bool, error) {
	if s.file != "" && user != "" {
		v, ok, err := editor.UserSecret(s.file, user, name)
		if err != nil || ok {
			return v, ok, err
		}
	}
	v, ok := s.env[name]
	return v, ok && v != "", nil
}
