package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"nodetool/chatsrv"
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
	c := newServerCmd(serverSpec{
		name: "chat-server", host: "127.0.0.1", port: 8080, auth: "local",
		about:   "Serves the OpenAI-compatible chat API (/v1/models, /v1/chat/completions) and /health.",
		bodyUse: "largest request body", waitFor: "running requests",
	}, getenv, stderr)
	s, err := c.parse(args, getenv, nil)
	if err != nil {
		if isHelp(err) {
			return nil
		}
		return err
	}
	handler := chatsrv.NewHandler(chatsrv.Deps{Providers: s.models, Auth: s.auth, Logger: s.log, MaxBody: int64(c.maxBody)})

	ln, err := s.listen()
	if err != nil {
		return err
	}
	printBanner(stdout, banner{what: "chat-server", addr: listenAddr(s.host, ln), auth: s.auth, token: s.token,
		lines: []string{providersLine(s.models)}})
	return s.serve(ctx, ln, handler, "use the model servers behind it")
}

// providersLine describes the model providers for a banner.
func providersLine(set *providers.Set) string {
	model := set.DefaultModel
	if model == "" {
		model = "none (requests must name a model)"
	}
	return "models:    " + set.Default + " by default (also " + strings.Join(set.Names(), ", ") + "), default model " + model
}
