package main

import (
	"fmt"
	"io"

	"nodetool/authn"
	"nodetool/providers"
)

// banner is what a server prints on stdout once it listens: one line per
// fact, each true of the server as it runs.
type banner struct {
	what, addr string
	auth       *authn.Auth
	token      authn.TokenInfo
	data       dataDir // zero for chat-server, which keeps none
	lines      []string
}

// printBanner tells the operator where the server listens and how to reach
// it. The token is shown in full only when it was just generated; later it
// is masked, with where it comes from (nodetool token --show prints it).
func printBanner(w io.Writer, b banner) {
	fmt.Fprintf(w, "nodetool %s listening on http://%s\n", b.what, b.addr)
	fmt.Fprintf(w, "  auth:      %s", b.auth.Provider())
	if !b.auth.Enforced() {
		fmt.Fprint(w, " (no token needed)")
	}
	fmt.Fprintln(w)
	if b.token.Token != "" {
		if b.token.Generated {
			fmt.Fprintf(w, "  token:     %s\n             (new; saved to %s)\n", b.token.Token, b.token.Path)
		} else {
			fmt.Fprintf(w, "  token:     %s (from %s; nodetool token --show prints it)\n", authn.Mask(b.token.Token), tokenSource(b.token))
		}
	}
	if b.data.path != "" {
		fmt.Fprintf(w, "  data dir:  %s\n", b.data.path)
		if b.data.note != "" {
			fmt.Fprintf(w, "             (%s)\n", b.data.note)
		}
	}
	for _, l := range b.lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

// providersLine describes the configured model providers for a banner:
// the default first, then the others, then the default model.
func providersLine(set *providers.Set) string {
	line := "models:    " + set.Default + " (default)"
	for _, name := range set.Names() {
		if name != set.Default {
			line += ", " + name
		}
	}
	if set.DefaultModel == "" {
		return line + "; no default model (requests and nodes must name one; see --default-model)"
	}
	return line + "; default model " + set.DefaultModel
}
