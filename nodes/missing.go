package nodes

import "nodetool/engine"

// missing lists NodeTool namespaces this library does not build in, with
// what they would need: validation names it when it refuses such a node,
// so a user knows which service or program a workflow depends on. A type
// a family registers is never refused, whatever this list says.
var missing = []struct{ prefix, why string }{
	{"apify.", "it needs the Apify scraping service (an Apify account), which this server has no client for"},
	{"gemini.", "it needs Google's Gemini API; map its model to a configured provider with --model-map where a node of this library does the same work"},
	{"mistral.", "it needs Mistral's API, which this server has no client for"},
	{"openai.agents.RealtimeAgent", "it needs OpenAI's Realtime API (a live audio session), which this server does not relay"},
	{"lib.browser.", "it needs a headless web browser, which this binary does not include (lib.http.FetchPage fetches pages without one)"},
	{"lib.mail.", "it needs a mail account (Gmail over IMAP/SMTP with its credentials), which this server has no client for"},
	{"lib.sqlite.", "it needs SQLite, which this static binary does not include"},
	{"lib.supabase.", "it needs a Supabase project's database API, which this server has no client for"},
	{"lib.markitdown.", "it needs Microsoft's MarkItDown converter, which this binary does not include"},
	{"lib.pandoc.", "it needs the pandoc program, which this server does not run"},
	{"lib.ocr.", "it needs an OCR engine, which this binary does not include"},
	{"lib.ytdlp.", "it needs the yt-dlp program and network access to video sites, which this server does not run"},
	{"lib.docx.", "it needs a Word document library, which this binary does not include"},
	{"lib.excel.", "it needs an Excel workbook library, which this binary does not include"},
	{"lib.numpy.", "it needs NumPy arrays, which this engine has no value type for"},
	{"lib.seaborn.", "it needs Python's seaborn plotting library"},
	{"lib.os.", "it reaches the server's own file system and processes, which workflows may not (their files live in the run's workspace)"},
	{"nodetool.code.", "it runs code a workflow brings, which this server never does"},
	{"nodetool.workspace.", "it reaches NodeTool's desktop workspace folders, which this server does not have (files live in the run's workspace)"},
	{"nodetool.triggers.", "it needs NodeTool's trigger service (a long-lived event source), which this server does not run"},
	{"nodetool.model3d.", "it needs 3D model generation and processing, which this server has no provider for"},
	{"messaging.", "it needs a chat bot account (Discord or Telegram) and its API, which this server has no client for"},
	{"vector.chroma.", "it needs a Chroma vector database, which this server has no client for"},
	{"vector.faiss.", "it needs the FAISS library, which this binary does not include"},
	{"huggingface.", "it needs a Hugging Face model runtime; map it with --model-map to a configured provider where this library has a node doing the same work"},
}

// explainMissing records the notes of missing in r.
func explainMissing(r *engine.Registry) {
	for _, m := range missing {
		r.Explain(m.prefix, m.why)
	}
}
