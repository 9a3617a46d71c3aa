package editor

import (
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"nodetool/authn"
	"nodetool/lang/pyval"
)

// imageGraph makes a size x size image with the fake provider: result
// "image", and "album", a dict holding it.
const imageGraph = `{"nodes":[
 {"id":"size","type":"nodetool.input.IntegerInput","data":{"name":"size","value":64}},
 {"id":"t2i","type":"nodetool.image.TextToImage","data":{"model":{"type":"image_model","provider":"fake","id":"fake-model"},"prompt":"a red fox"}},
 {"id":"m","type":"nodetool.dictionary.MakeDictionary","data":{},"dynamic_properties":{"cover":null}},
 {"id":"out","type":"nodetool.output.Output","data":{"name":"image"}},
 {"id":"out2","type":"nodetool.output.Output","data":{"name":"album"}}],
 "edges":[{"id":"e1","source":"size","sourceHandle":"output","target":"t2i","targetHandle":"width"},
 {"id":"e2","source":"size","sourceHandle":"output","target":"t2i","targetHandle":"height"},
 {"id":"e3","source":"t2i","sourceHandle":"output","target":"out","targetHandle":"value"},
 {"id":"e4","source":"t2i","sourceHandle":"output","target":"m","targetHandle":"cover"},
 {"id":"e5","source":"m","sourceHandle":"output","target":"out2","targetHandle":"value"}]}`

var assetIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// outputValue returns the value of the output_update of output name.
func outputValue(t *testing.T, frames []*pyval.Dict, name string) any {
	t.Helper()
	for _, f := range frames {
		if f.Str("type") == "output_update" && f.Str("output_name") == name {
			v, _ := f.Get("value")
			return v
		}
	}
	t.Fatalf("no output_update of %q", name)
	return nil
}

// finalResult returns the last value of output name in the final job_update.
func finalResult(t *testing.T, frames []*pyval.Dict, name string) any {
	t.Helper()
	last := frames[len(frames)-1]
	res, _ := last.Get("result")
	d, ok := res.(*pyval.Dict)
	if last.Str("status") != "completed" || !ok {
		t.Fatalf("last frame %.300s", pyval.Repr(last))
	}
	l, _ := d.Get(name)
	vs, _ := l.([]any)
	if len(vs) == 0 {
		t.Fatalf("no result %q in %.300s", name, pyval.Repr(last))
	}
	return vs[len(vs)-1]
}

// storedRef checks that v is an image ref naming a stored asset by its id
// and URL, without inline content, and returns the id.
func storedRef(t *testing.T, base string, v any) string {
	t.Helper()
	d, ok := v.(*pyval.Dict)
	data, _ := d.Get("data")
	if !ok || d.Str("type") != "image" || !assetIDPattern.MatchString(d.Str("asset_id")) || data != nil ||
		d.Str("uri") != base+"/api/storage/"+d.Str("asset_id")+".png" {
		t.Fatalf("ref %.300s, want asset_id and uri %s/api/storage/ID.png, no data", pyval.Repr(v), base)
	}
	return d.Str("asset_id")
}

// getAs sends a GET with a bearer token ("" for none).
func getAs(t *testing.T, url, token string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// TestOutputAssets: over /predict and /ws, JSON and MessagePack, an image
// result over the bound becomes an asset of the job's user; output_update
// and the final job_update carry its id and URL, which serves the PNG; the
// asset is listed with its name, type, size and workflow.
func TestOutputAssets(t *testing.T) {
	env := newWSEnv(t, wsOptions{outputs: &OutputAssets{}, inlineMax: 1024})
	n := 0
	for _, path := range []string{"/predict", "/ws"} {
		for _, binary := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s binary=%v", path, binary), func(t *testing.T) {
				c := env.dial(t, path, binary)
				n++
				wf := fmt.Sprintf("wf%d", n)
				if path == "/ws" {
					c.send(runJobFrame(t, wf, fmt.Sprintf("job-%d", n), imageGraph))
				} else {
					c.send(map[string]any{"command": "run_job", "data": map[string]any{"workflow_id": wf, "graph": graphValue(t, imageGraph)}})
				}
				frames := c.until(jobEnd)
				id := storedRef(t, env.url, outputValue(t, frames, "image"))
				if fid := storedRef(t, env.url, finalResult(t, frames, "image")); fid != id {
					t.Errorf("job_update names asset %s, output_update %s", fid, id)
				}
				album, _ := outputValue(t, frames, "album").(*pyval.Dict)
				cover, _ := album.Get("cover")
				if cid := storedRef(t, env.url, cover); cid == id {
					t.Errorf("the album's cover is the image output's asset: each output node stores its own")
				}
				code, body, h := getAs(t, env.url+"/api/storage/"+id+".png", "")
				cfg, err := png.DecodeConfig(strings.NewReader(string(body)))
				if code != 200 || h.Get("Content-Type") != "image/png" || err != nil || cfg.Width != 64 {
					t.Fatalf("GET the asset's URL = %d %s %v", code, h.Get("Content-Type"), err)
				}
				code, raw, _ := getAs(t, env.url+"/api/assets/"+id, "")
				var a map[string]any
				json.Unmarshal(raw, &a)
				if code != 200 || a["name"] != "image_out.png" || a["content_type"] != "image/png" || a["size"] != float64(len(body)) ||
					a["parent_id"] != "1" || a["user_id"] != "1" || a["workflow_id"] != wf || a["get_url"] != env.url+"/api/storage/"+id+".png" {
					t.Errorf("GET /api/assets/%s = %d %s", id, code, raw)
				}
			})
		}
	}
}

// TestOutputAssetsInline: results up to the bound stay inline (bytes in
// MessagePack, a data: URI in JSON) and no asset is made.
func TestOutputAssetsInline(t *testing.T) {
	env := newWSEnv(t, wsOptions{outputs: &OutputAssets{}, inlineMax: 64 << 10})
	for _, binary := range []bool{true, false} {
		c := env.dial(t, "/predict", binary)
		runJob(t, c, imageGraph, map[string]any{"size": 16})
		frames := c.until(jobEnd)
		for _, v := range []any{outputValue(t, frames, "image"), finalResult(t, frames, "image")} {
			d := v.(*pyval.Dict)
			data, _ := d.Get("data")
			if binary {
				if b, ok := data.([]byte); !ok || len(b) == 0 || d.Str("uri") != "" {
					t.Errorf("binary: ref %.200s, want the PNG's bytes in data", pyval.Repr(d))
				}
			} else if !strings.HasPrefix(d.Str("uri"), "data:image/png;base64,") || data != nil {
				t.Errorf("JSON: ref %.200s, want a data: URI", pyval.Repr(d))
			}
			if d.Str("asset_id") != "" {
				t.Errorf("ref %.200s names an asset", pyval.Repr(d))
			}
		}
	}
	if recs := env.db.List(assetKind); len(recs) != 0 {
		t.Errorf("%d assets made, want none", len(recs))
	}
}

// TestOutputAssetsOwner: with multi-user auth the asset is the job's
// user's: another user can neither read its content nor see it, and a
// reconnect after the end gets the final job_update with the refs.
func TestOutputAssetsOwner(t *testing.T) {
	secret := strings.Repeat("o", 40)
	env := newWSEnv(t, wsOptions{auth: authn.Options{Provider: authn.Supabase, JWTSecret: secret}, outputs: &OutputAssets{}, inlineMax: 1})
	tok := func(sub string) string {
		return signJWT(secret, map[string]any{"sub": sub, "exp": time.Now().Add(time.Hour).Unix()})
	}
	alice := env.dial(t, "/ws", true, "Authorization", "Bearer "+tok("alice"))
	alice.send(runJobFrame(t, "wf-alice", "alice-image", imageGraph))
	frames := alice.until(jobEnd)
	id := storedRef(t, env.url, outputValue(t, frames, "image"))
	url := env.url + "/api/storage/" + id + ".png"
	if code, body, _ := getAs(t, url, tok("alice")); code != 200 || !strings.HasPrefix(string(body), "\x89PNG") {
		t.Fatalf("alice GET %s = %d", url, code)
	}
	for _, path := range []string{"/api/storage/" + id + ".png", "/api/assets/" + id} {
		if code, _, _ := getAs(t, env.url+path, tok("bob")); code != 404 {
			t.Errorf("bob GET %s = %d, want 404", path, code)
		}
	}
	if code, _, _ := getAs(t, url, ""); code != 401 {
		t.Errorf("GET without credentials = %d, want 401", code)
	}
	// The job's final update, as a reconnect gets it, holds the refs.
	again := env.dial(t, "/predict", false, "Authorization", "Bearer "+tok("alice"))
	again.send(map[string]any{"command": "reconnect_job", "data": map[string]any{"job_id": "alice-image"}})
	got := again.until(jobEnd)
	if fid := storedRef(t, env.url, finalResult(t, got, "image")); fid != id {
		t.Errorf("reconnect: the final job_update names %s, want %s", fid, id)
	}
}

// TestOutputAssetsFail: a result that cannot be stored (here: over the
// upload limit) fails the job naming the result; nothing is kept.
func TestOutputAssetsFail(t *testing.T) {
	env := newWSEnv(t, wsOptions{outputs: &OutputAssets{MaxUpload: 200}, inlineMax: 1})
	c := env.dial(t, "/predict", false)
	runJob(t, c, imageGraph, nil)
	frames := c.until(jobEnd)
	last := frames[len(frames)-1]
	if last.Str("status") != "failed" || !strings.Contains(last.Str("error"), `could not store the image of result "`) ||
		!strings.Contains(last.Str("error"), "over the upload limit of 200 B (--max-upload)") {
		t.Fatalf("final update %.400s, want failed naming the result and the limit", pyval.Repr(last))
	}
	if recs := env.db.List(assetKind); len(recs) != 0 {
		t.Errorf("%d assets left, want none", len(recs))
	}
	b, _ := env.db.Blobs("assets")
	if l, _ := b.List(""); len(l) != 0 {
		t.Errorf("asset blobs left: %v", l)
	}
}

// TestOutputAssetsREST: POST /api/workflows/{id}/run answers the stored
// refs too.
func TestOutputAssetsREST(t *testing.T) {
	env := newWSEnv(t, wsOptions{outputs: &OutputAssets{}, inlineMax: 1})
	body, _ := json.Marshal(map[string]any{"name": "img", "access": "private", "graph": graphValue(t, imageGraph)})
	resp, err := http.Post(env.url+"/api/workflows", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&wf)
	resp.Body.Close()
	resp, err = http.Post(env.url+"/api/workflows/"+wf.ID+"/run", "application/json", strings.NewReader(`{"params":{"size":32}}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	out, err := pyval.Decode(raw)
	d, ok := out.(*pyval.Dict)
	if err != nil || !ok || resp.StatusCode != 200 {
		t.Fatalf("run = %d %s", resp.StatusCode, raw)
	}
	img, _ := d.Get("image")
	id := storedRef(t, env.url, img)
	if code, _, _ := getAs(t, env.url+"/api/assets/"+id, ""); code != 200 {
		t.Errorf("the asset is not listed: %d", code)
	}
}

// TestOutputAssetsChat: a chat's workflow run keeps its image as an asset
// too, and the assistant's message holds the ref, not the bytes.
func TestOutputAssetsChat(t *testing.T) {
	env := newWSEnv(t, wsOptions{outputs: &OutputAssets{}, inlineMax: 1})
	var wf struct {
		ID string `json:"id"`
	}
	if code := env.api(t, "POST", "/api/workflows", "", map[string]any{"name": "img", "access": "private",
		"graph": json.RawMessage(imageGraph)}, &wf); code != 200 {
		t.Fatalf("creating the workflow = %d", code)
	}
	c := env.dial(t, "/ws/chat", true)
	c.send(userMessage("draw", "workflow_id", wf.ID))
	frames := c.until(isFinal)
	final := frames[len(frames)-1]
	parts, _ := mustGet(final, "content").([]any)
	if len(parts) == 0 {
		t.Fatalf("final %.300s", pyval.Repr(final))
	}
	first := parts[0].(*pyval.Dict)
	img, _ := first.Get("image")
	storedRef(t, env.url, img)
	msgs := env.messages(t, "", final.Str("thread_id"))
	if b, _ := json.Marshal(msgs); len(msgs) != 2 || strings.Contains(string(b), "base64") {
		t.Errorf("the thread's messages hold inline content: %.300s", b)
	}
}
