package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"

	"nodetool/metrics"
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
		ollamaURL:        fs.String("ollama-url", "http://127.0.0.1:11434", "Ollama's address (env OLLAMA_API_URL); setting it configures Ollama besides another default provider"),
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

// build configures the providers asked for, and no other: each when it is
// the default, and besides it Ollama when its URL is set, an
// OpenAI-compatible server when its URL or key is set, Anthropic when its
// key is set. The fake is only ever the default.
//
// With m, each provider's HTTP client counts its requests (m.Transport).
func (pf *providerFlags) build(st *settings, getenv func(string) string, m *metrics.Server) (*providers.Set, error) {
	client := func(provider string) *http.Client {
		if m == nil {
			return nil // the provider's own
		}
		c := providers.NewHTTPClient()
		c.Transport = m.Transport(provider, c.Transport)
		return c
	}
	def := st.str("provider", "NODETOOL_PROVIDER")
	model := st.str("default-model", "NODETOOL_DEFAULT_MODEL")
	switch def {
	case "ollama", "openai", "anthropic", "fake":
	default:
		return nil, fmt.Errorf("--provider: %q is not one of ollama, openai, anthropic, fake", def)
	}
	var ps []providers.Provider
	if def == "ollama" || st.set["ollama-url"] || strings.TrimSpace(getenv("OLLAMA_API_URL")) != "" {
		ps = append(ps, providers.NewOllama(providers.OllamaConfig{BaseURL: st.str("ollama-url", "OLLAMA_API_URL"), Client: client("ollama")}))
	}
	openaiURL := st.str("openai-base-url", "OPENAI_BASE_URL")
	openaiKey, err := secret(*pf.openaiKeyFile, "OPENAI_API_KEY", getenv)
	if err != nil {
		return nil, fmt.Errorf("--openai-api-key-file: %v", err)
	}
	if openaiURL != "" || openaiKey != "" || def == "openai" {
		ps = append(ps, providers.NewOpenAI(providers.OpenAIConfig{BaseURL: openaiURL, APIKey: openaiKey, Client: client("openai")}))
	}
	anthropicKey, err := secret(*pf.anthropicKeyFile, "ANTHROPIC_API_KEY", getenv)
	if err != nil {
		return nil, fmt.Errorf("--anthropic-api-key-file: %v", err)
	}
	if anthropicKey != "" || def == "anthropic" {
		if anthropicKey == "" {
			return nil, fmt.Errorf("--provider anthropic needs ANTHROPIC_API_KEY (or --anthropic-api-key-file)")
		}
		ps = append(ps, providers.NewAnthropic(providers.AnthropicConfig{BaseURL: st.str("anthropic-base-url", "ANTHROPIC_BASE_URL"), APIKey: anthropicKey, Client: client("anthropic")}))
	}
	if def == "fake" {
		ps = append(ps, providers.NewFake())
		if model == "" {
			model = "fake-model"
		}
	}
	return providers.NewSet(def, model, ps...)
}
