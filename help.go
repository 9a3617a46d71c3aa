package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// errHelp is what a command returns after printing its help for -h or
// --help; run turns it into exit status 0.
var errHelp = errors.New("help requested")

// isHelp reports whether err is a -h request.
func isHelp(err error) bool { return errors.Is(err, errHelp) }

// help is a command's help text: printed on stdout for -h, with the flags
// of its flag set and the environment variables it reads.
type help struct {
	usage string   // what follows "Usage: nodetool "
	about string   // paragraphs between the usage line and the flags
	env   []string // names of envHelp entries, in the order printed
}

// newFlagSet returns a flag set that prints nothing itself: parseArgs
// prints the help on stdout and run reports errors on stderr.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("nodetool "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses args with fs, letting flags follow positional arguments
// ("run FILE --param x=1"), and returns the positional ones. -h or --help
// prints h on stdout and returns errHelp; a bad flag is a usage error that
// points at the help.
func parseArgs(fs *flag.FlagSet, h help, args []string, stdout io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printHelp(stdout, fs, h)
				return nil, errHelp
			}
			return nil, usageError("%v (see \"%s -h\")", err, fs.Name())
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// printHelp writes the help of a command: usage, about, flags (as
// --name, with their defaults) and environment variables.
func printHelp(w io.Writer, fs *flag.FlagSet, h help) {
	fmt.Fprintf(w, "Usage: nodetool %s\n\n%s\n\nFlags:\n", h.usage, strings.TrimSpace(h.about))
	fs.VisitAll(func(f *flag.Flag) {
		kind, use := flag.UnquoteUsage(f)
		if _, ok := f.Value.(*byteSize); ok && kind == "value" {
			kind = "size"
		}
		line := "  --" + f.Name
		if kind != "" {
			line += " " + kind
		}
		if def := defaultText(f); def != "" {
			use += " (default " + def + ")"
		}
		fmt.Fprintln(w, line)
		wrap(w, "      ", use)
	})
	if len(h.env) == 0 {
		return
	}
	fmt.Fprint(w, "\nEnvironment (a flag given beats its variable):\n")
	for _, name := range h.env {
		use, ok := envHelp[name]
		if !ok {
			panic("help: no text for environment variable " + name)
		}
		wrap(w, fmt.Sprintf("  %-25s ", name), use)
	}
}

// defaultText is a flag's default as help shows it: "" for a zero value,
// durations without their zero units ("10m", not "10m0s").
func defaultText(f *flag.Flag) string {
	switch f.DefValue {
	case "", "0", "false", "0s":
		return ""
	}
	if _, err := time.ParseDuration(f.DefValue); err == nil {
		d := f.DefValue
		if strings.HasSuffix(d, "m0s") {
			d = strings.TrimSuffix(d, "0s")
		}
		if strings.HasSuffix(d, "h0m") {
			d = strings.TrimSuffix(d, "0m")
		}
		return d
	}
	return f.DefValue
}

// wrap writes text in lines of at most about 100 columns: the first
// starts with first, the others with as many spaces.
func wrap(w io.Writer, first, text string) {
	line, indent := first, strings.Repeat(" ", len(first))
	for _, word := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(word) > 100 {
			fmt.Fprintln(w, line)
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += word
	}
	fmt.Fprintln(w, line)
}

// The environment variables each kind of command reads, for its help.
var (
	envProviders = []string{"NODETOOL_PROVIDER", "NODETOOL_DEFAULT_MODEL", "OLLAMA_API_URL", "OPENAI_BASE_URL",
		"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"}
	envBudgets = []string{"NODETOOL_RUN_TIMEOUT", "NODETOOL_NODE_TIMEOUT", "NODETOOL_MAX_VALUE", "NODETOOL_MAX_RESULTS"}
	envToken   = []string{"WORKER_AUTH_TOKEN", "WORKER_AUTH_TOKEN_FILE", "NODETOOL_CONFIG_DIR", "XDG_CONFIG_HOME", "HOME"}
	envAuth    = append([]string{"AUTH_PROVIDER"}, append(envToken, "SUPABASE_URL", "SUPABASE_KEY", "SUPABASE_JWT_SECRET",
		"AUTH_CACHE_TTL", "AUTH_CACHE_MAX", "AUTH_NEGATIVE_CACHE_TTL", "AUTH_VERIFY_RATE", "AUTH_VERIFY_IP_RATE")...)
	envData = []string{"NODETOOL_DATA_DIR", "XDG_DATA_HOME"}
	// envModelMap is read by the commands that run or check workflows.
	envModelMap = []string{"NODETOOL_MODEL_MAP"}
)

// envHelp describes every environment variable the commands read.
var envHelp = map[string]string{
	"PORT":          "port to listen on, as --port",
	"AUTH_PROVIDER": "none, local, static or supabase, as --auth-provider",
	"WORKER_AUTH_TOKEN": "the static bearer token (auth static; with supabase, the operator's token). Without it: " +
		"WORKER_AUTH_TOKEN_FILE, else worker_auth_token in deployment.yaml in the config dir, else a new token " +
		"generated there (nodetool token --show prints it)",
	"WORKER_AUTH_TOKEN_FILE": "a file holding the token (mode 0600 or 0400)",
	"NODETOOL_CONFIG_DIR": "the config dir, an absolute path (default $XDG_CONFIG_HOME/nodetool or ~/.config/nodetool): " +
		"deployment.yaml with the generated token; serve's settings.json and secrets.json",
	"XDG_CONFIG_HOME": "the config dir is $XDG_CONFIG_HOME/nodetool when NODETOOL_CONFIG_DIR is not set",
	"HOME":            "the default dirs are under ~ when neither NODETOOL_* nor XDG_* names them",
	"SUPABASE_URL":    "the Supabase project, for auth supabase: tokens are checked with GET SUPABASE_URL/auth/v1/user",
	"SUPABASE_KEY":    "the Supabase API key sent with those calls (or SUPABASE_KEY_FILE: a file holding it)",
	"SUPABASE_JWT_SECRET": "the project's JWT secret, at least 32 bytes: tokens are then checked locally (HS256), " +
		"without calling Supabase (or SUPABASE_JWT_SECRET_FILE: a file holding it)",
	"AUTH_CACHE_TTL":          "seconds a token Supabase accepted is trusted without a call (default 60; 0 disables the cache)",
	"AUTH_CACHE_MAX":          "entries of the accepted and refused token caches (default 2000; 0 disables both)",
	"AUTH_NEGATIVE_CACHE_TTL": "seconds a token Supabase refused is refused without a call (default 30; 0 disables)",
	"AUTH_VERIFY_RATE":        "calls to Supabase per second, all clients together (default 50, bursts of 100; 0: no limit)",
	"AUTH_VERIFY_IP_RATE":     "calls to Supabase per second for one client address (default 10, bursts of 20; 0: no limit)",
	"NODETOOL_DATA_DIR":       "the data dir, as --data-dir",
	"NODETOOL_STORAGE_URL":    "where storage lives, as --storage-url: file:///path or s3://BUCKET[/PREFIX]",
	"AWS_ENDPOINT_URL":        "the S3-compatible service of an s3:// storage URL (default AWS S3); its bucket is then addressed path-style (http://HOST/BUCKET/KEY) unless ?addressing=virtual",
	"AWS_ENDPOINT_URL_S3":     "the S3 service, before AWS_ENDPOINT_URL",
	"AWS_ACCESS_KEY_ID":       "the access key of an s3:// storage URL",
	"AWS_SECRET_ACCESS_KEY":   "its secret (never logged)",
	"AWS_SESSION_TOKEN":       "the session token of temporary credentials",
	"AWS_REGION":              "the region requests are signed for (default us-east-1)",
	"AWS_DEFAULT_REGION":      "the region, when AWS_REGION is not set",
	"XDG_DATA_HOME":           "the default data dir is under $XDG_DATA_HOME/nodetool (else ~/.local/share/nodetool)",
	"NODETOOL_PROVIDER":       "the default model provider, as --provider",
	"NODETOOL_DEFAULT_MODEL":  "the default model, as --default-model",
	"OLLAMA_API_URL":          "Ollama's address, as --ollama-url (setting it configures Ollama besides the default provider)",
	"OPENAI_BASE_URL":         "an OpenAI-compatible server, as --openai-base-url",
	"OPENAI_API_KEY":          "its API key (--openai-api-key-file reads it from a file instead)",
	"ANTHROPIC_API_KEY":       "the Anthropic API key (--anthropic-api-key-file reads it from a file instead)",
	"ANTHROPIC_BASE_URL":      "Anthropic's address, as --anthropic-base-url",
	"SERPAPI_API_KEY":         "the SerpAPI key of the search nodes (--serpapi-api-key-file reads it from a file instead; serve also uses each user's own SERPAPI_API_KEY secret)",
	"NODETOOL_FFMPEG":         "the ffmpeg program of the video and compressed-audio nodes, as --ffmpeg (default: ffmpeg and ffprobe on PATH)",
	"SERPAPI_BASE_URL":        "the SERP service of the search nodes, as --serpapi-base-url (default https://serpapi.com)",
	"KIE_API_KEY":             "the kie.ai key of the kie.* nodes (--kie-api-key-file reads it from a file instead; serve also uses each user's own KIE_API_KEY secret); without one they run where --model-map sends them",
	"NODETOOL_KIE_URL":        "kie.ai's API, as --kie-url (default https://api.kie.ai)",
	"NODETOOL_KIE_UPLOAD_URL": "kie.ai's file upload service, as --kie-upload-url",
	"FAL_API_KEY":             "the fal.ai key of the fal.* nodes (--fal-api-key-file reads it from a file instead; serve also uses each user's own FAL_API_KEY secret); without one they run where --model-map sends them",
	"NODETOOL_FAL_URL":        "fal.ai's queue API, as --fal-url (default https://queue.fal.run)",
	"NODETOOL_MODEL_MAP":      "model map rules FROM=TO, comma-separated, as --model-map (the flags, when given, replace them all)",
	"NODETOOL_WORKSPACE":      "the run's folder for files, as --workspace",
	"NODETOOL_OUTPUT_DIR":     "the folder run writes media results to, as --output-dir",
	"NODETOOL_RUN_TIMEOUT":    "as --run-timeout",
	"NODETOOL_NODE_TIMEOUT":   "as --node-timeout",
	"NODETOOL_MAX_VALUE":      "as --max-value",
	"NODETOOL_MAX_RESULTS":    "as --max-results",
	"NODETOOL_ENABLE_TERMINAL_WS": "1 enables the /terminal shell: never with ENV=production, refused at start with " +
		"AUTH_PROVIDER=supabase, and only on a loopback listener or with enforced auth",
	"NODETOOL_WORKER_UI": "true serves the worker's run-only web page at /ui/, as --ui",
	"ENV":                "production turns off the terminal and the settings routes",

	// What workflows may reach (flags_access.go).
	"NODETOOL_EGRESS":           "as --egress",
	"NODETOOL_ALLOW_NET":        "as --allow-net, comma-separated",
	"NODETOOL_WORKFLOW_SECRETS": "as --workflow-secrets, comma-separated",
	"NODETOOL_AGENT_SHELL":      "true gives agents the Bash tool, as --agent-shell",

	// Media results (flags_media.go).
	"NODETOOL_MEDIA_INLINE_MAX": "the largest media result sent inline (default 64KiB; 0: store every one), as --media-inline-max",
}
