package main

import (
	"fmt"
	"io"
	"strings"

	"nodetool/authn"
	"nodetool/providers"
)

// banner is what a server prints on stdout once it listens.
type banner struct {
	what, addr, dataDir string
	auth                *authn.Auth
	token               authn.TokenInfo
	lines               []string
}

// printBanner tells the operator where the server listens and how to reach
// it. The token is shown in full only when it was just generated (there is
// no other way to learn it); otherwise masked, with its file.
func printBanner(w io.Writer, b banner) {
	fmt.Fprintf(w, "nodetool %s listening on http://%s\n", b.what, b.addr)
	fmt.Fprintf(w, "  auth:      %s", b.auth.Provider())
	if !b.auth.Enforced() {
		fmt.Fprint(w, " (no token needed)")
	}
	fmt.Fprintln(w)
	if b.token.Token != "" {
		switch {
		case b.token.Generated:
			fmt.Fprintf(w, "  token:     %s\n             (new; saved to %s; shown only now)\n", b.token.Token, b.token.Path)
		case b.token.Path != "":
			fmt.Fprintf(w, "  token:     %s (from %s)\n", authn.Mask(b.token.Token), b.token.Path)
		default:
			fmt.Fprintf(w, "  token:     %s (from WORKER_AUTH_TOKEN)\n", authn.Mask(b.token.Token))
		}
	}
	if b.dataDir != "" {
		fmt.Fprintf(w, "  data dir:  %s\n", b.dataDir)
	}
	for _, l := range b.lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

// providersLine describes the model providers for a banner.
func providersLine(set *providers.Set) string {
	model := set.DefaultModel
	if model == "" {
		model = "none (requests must name a model)"
	}
	return "models:    " + set.Default + " by default (also " + strings.Join(set.Names(), ", ") + "), default model " + model
}
