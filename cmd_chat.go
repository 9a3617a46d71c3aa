package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"nodetool/authn"
	"nodetool/chatsrv"
	"nodetool/httpapi"
	"nodetool/providers"
)

// providerFlags are the model-provider settings shared by every command
// that talks to a model server.
type providerFlags struct {
	provider, defaultModel *string
	ollamaURL, openaiURL   *string
	anthropicURL           *string
	openaiKeyFile          *string
	anthropicKeyFile       *string
}

func addProviderFlags(fs *flag.FlagSet) *providerFlags {
	return &providerFlags{
		provider:         fs.String("provider", "ollama", "default model provider: ollama, openai, anthropic or fake (env NODETOOL_PROVIDER)"),
		defaultModel:     fs.String("default-model", "", "model used when a request or node names none (env NODETOOL_DEFAULT_MODEL)"),
		ollamaURL:        fs.String("ollama-url", "http://127.0.0.1:11434", "Ollama's address (env OLLAMA_API_URL)"),
		openaiURL:        fs.String("openai-base-url", "", "an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 for llama.cpp or vLLM (env OPENAI_BASE_URL)"),
		anthropicURL:     fs.String("anthropic-base-url", "", "Anthropic's API address (env ANTHROPIC_BASE_URL; default https://api.anthropic.com)"),
		openaiKeyFile:    fs.String("openai-api-key-file", "", "read the OpenAI-compatible server's key from this file (env OPENAI_API_KEY holds it directly)"),
		anthropicKeyFile: fs.String("anthropic-api-key-file", "", "read the Anthropic key from this file (env ANTHROPIC_API_KEY holds it directly)"),
	}
}

// secret reads a key from a file flag if given, else from env.
func secret(file, env string, getenv func(string) string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("key file: %v", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return strings.TrimSpace(getenv(env)), nil
}

// build configures the providers: Ollama always, an OpenAI-compatible server
// when its URL or key is set (or it is the default), Anthropic when its key
// is set (or it is the default), and the fake only when it is the default.
func (pf *providerFlags) build(st *settings, getenv func(string) string) (*providers.Set, error) {
	def := st.str("provider", "NODETOOL_PROVIDER")
	model := st.str("default-model", "NODETOOL_DEFAULT_MODEL")
	switch def {
	case "ollama", "openai", "anthropic", "fake":
	default:
		return nil, fmt.Errorf("--provider: %q is not one of ollama, openai, anthropic, fake", def)
	}
	ps := []providers.Provider{providers.NewOllama(providers.OllamaConfig{BaseURL: st.str("ollama-url", "OLLAMA_API_URL")})}
	openaiURL := st.str("openai-base-url", "OPENAI_BASE_URL")
	openaiKey, err := secret(*pf.openaiKeyFile, "OPENAI_API_KEY", getenv)
	if err != nil {
		return nil, fmt.Errorf("--openai-api-key-file: %v", err)
	}
	if openaiURL != "" || openaiKey != "" || def == "openai" {
		ps = append(ps, providers.NewOpenAI(providers.OpenAIConfig{BaseURL: openaiURL, APIKey: openaiKey}))
	}
	anthropicKey, err := secret(*pf.anthropicKeyFile, "ANTHROPIC_API_KEY", getenv)
	if err != nil {
		return nil, fmt.Errorf("--anthropic-api-key-file: %v", err)
	}
	if anthropicKey != "" || def == "anthropic" {
		if anthropicKey == "" {
			return nil, fmt.Errorf("--provider anthropic needs ANTHROPIC_API_KEY (or --anthropic-api-key-file)")
		}
		ps = append(ps, providers.NewAnthropic(providers.AnthropicConfig{BaseURL: st.str("anthropic-base-url", "ANTHROPIC_BASE_URL"), APIKey: anthropicKey}))
	}
	if def == "fake" {
		ps = append(ps, providers.NewFake())
		if model == "" {
			model = "fake-model"
		}
	}
	return providers.NewSet(def, model, ps...)
}

func cmdChatServer(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("nodetool chat-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String("host", "127.0.0.1", "address to listen on")
	fs.Int("port", 8080, "port to listen on")
	fs.String("auth-provider", "local", "none, local, static or supabase (env AUTH_PROVIDER)")
	pf := addProviderFlags(fs)
	maxBody := byteSize(httpapi.DefaultMaxBody)
	fs.Var(&maxBody, "max-body", "largest request body (e.g. 16MiB)")
	grace := fs.Duration("shutdown-grace", 10*time.Second, "on SIGINT/SIGTERM, how long running requests may finish")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	insecure := fs.Bool("insecure", false, "allow listening beyond loopback without enforced auth")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: nodetool chat-server [flags]\n\nServes the OpenAI-compatible chat API (/v1/models, /v1/chat/completions) and /health.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	st := newSettings(fs, getenv)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("chat-server takes no arguments, got %q", strings.Join(fs.Args(), " "))
	}
	st.parsed()
	log, err := newLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return usageError("%v", err)
	}
	if err := positive("shutdown-grace", *grace); err != nil {
		return usageError("%v", err)
	}
	host := st.str("host")
	port, err := st.port("")
	if err != nil {
		return usageError("%v", err)
	}
	auth, tok, err := serverAuth(getenv, st.str("auth-provider", "AUTH_PROVIDER"), host, *insecure, log)
	if err != nil {
		return usageError("%v", err)
	}
	set, err := pf.build(st, getenv)
	if err != nil {
		return usageError("%v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", chatsrv.Health)
	chatsrv.Register(mux, chatsrv.Deps{Providers: set, Logger: log, MaxBody: int64(maxBody)})
	handler := serverHandler(auth, mux, log, func(r *http.Request) bool { return r.URL.Path == "/health" })

	ln, err := listen(host, port)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	printBanner(stdout, banner{what: "chat-server", addr: listenAddr(host, ln), auth: auth, token: tok,
		lines: []string{providersLine(set)}})
	if *insecure && !auth.Enforced() && !authn.IsLoopbackHost(host) {
		log.Warn("listening beyond loopback without authentication (--insecure)", "host", host)
	}
	t := httpapi.DefaultTimeouts
	t.ShutdownGrace = *grace
	return httpapi.Serve(ctx, ln, handler, t, log)
}

// providersLine describes the model providers for a banner.
func providersLine(set *providers.Set) string {
	model := set.DefaultModel
	if model == "" {
		model = "none (requests must name a model)"
	}
	return "models:    " + set.Default + " by default (also " + strings.Join(set.Names(), ", ") + "), default model " + model
}

// serverHandler wraps a server's mux with the shared middleware: logging
// and recovery, security headers, trailing-slash tolerance, JSON 404/405,
// and authentication of every route but the public ones.
func serverHandler(auth *authn.Auth, mux *http.ServeMux, log *slog.Logger, public func(*http.Request) bool) http.Handler {
	var h http.Handler = httpapi.JSONErrors(mux)
	h = httpapi.Protect(auth, public, h)
	h = httpapi.TrimSlash(h)
	h = httpapi.SecurityHeaders(h)
	return httpapi.LogAndRecover(log, h)
}
