package main

import (
	"context"
	"io"

	"nodetool/chatsrv"
)

// cmdChatServer serves the OpenAI-compatible chat API alone.
func cmdChatServer(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := newServerCmd(serverSpec{
		name: "chat-server", host: "127.0.0.1", port: 8080, auth: "local",
		about: `Serves the OpenAI-compatible chat API (/v1/models, /v1/chat/completions) and /health, in front
of the model providers. --provider fake answers offline (it echoes), for a first try and for tests.`,
		bodyUse: "largest request body", waitFor: "running requests",
	}, getenv, stdout, stderr)
	s, err := c.parse(args, getenv, nil)
	if err != nil {
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
