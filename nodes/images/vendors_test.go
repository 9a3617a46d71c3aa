package images_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes"
	"nodetool/nodes/nodetest"
	"nodetool/providers"
	"nodetool/providers/vendors"
)

const vendorKey = "kie-secret-key-0123456789"

// kieFake speaks kie.ai's API (the answers recorded in
// providers/vendors/testdata): tasks succeed at once with the file at
// /files/out.png unless hold keeps them generating; uploads answer
// /up/1, /up/2... in turn.
type kieFake struct {
	srv     *httptest.Server
	mu      sync.Mutex
	tasks   []kieTask
	uploads []kieUpload
	polls   int
	file    []byte
	hold    bool
	polled  chan struct{}
}

type kieTask struct {
	Model string         `json:"model"`
	Input map[string]any `json:"input"`
}

type kieUpload struct {
	path, name string
	data       []byte
}

func newKieFake(t *testing.T) *kieFake {
	k := &kieFake{file: pngBytes(t, 6, 4, color.NRGBA{0, 128, 0, 255}), polled: make(chan struct{}, 1000)}
	k.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/files/out.png" {
			if r.Header.Get("Authorization") != "" {
				t.Errorf("the result download sent Authorization")
			}
			k.mu.Lock()
			file := k.file
			k.mu.Unlock()
			w.Write(file)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+vendorKey {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"code":401,"msg":"You do not have access permissions"}`))
			return
		}
		k.mu.Lock()
		defer k.mu.Unlock()
		switch r.URL.Path {
		case "/api/v1/jobs/createTask":
			var task kieTask
			if err := json.NewDecoder(r.Body).Decode(&task); err != nil {
				t.Errorf("createTask: %v", err)
			}
			k.tasks = append(k.tasks, task)
			fmt.Fprintf(w, `{"code":200,"msg":"success","data":{"taskId":"task_%d"}}`, len(k.tasks))
		case "/api/v1/jobs/recordInfo":
			k.polls++
			select {
			case k.polled <- struct{}{}:
			default:
			}
			id := r.URL.Query().Get("taskId")
			if k.hold {
				fmt.Fprintf(w, `{"code":200,"msg":"success","data":{"taskId":%q,"state":"generating","resultJson":"","failCode":"","failMsg":""}}`, id)
				return
			}
			rj, _ := json.Marshal(`{"resultUrls":["` + k.srv.URL + `/files/out.png"]}`)
			fmt.Fprintf(w, `{"code":200,"msg":"success","data":{"taskId":%q,"state":"success","resultJson":%s,"failCode":"","failMsg":""}}`, id, rj)
		case "/api/file-stream-upload":
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				t.Errorf("upload: %v", err)
				return
			}
			f, hdr, err := r.FormFile("file")
			if err != nil {
				t.Errorf("upload: %v", err)
				return
			}
			data, _ := io.ReadAll(f)
			if hdr.Filename != r.FormValue("fileName") {
				t.Errorf("upload file name %q, fileName %q", hdr.Filename, r.FormValue("fileName"))
			}
			k.uploads = append(k.uploads, kieUpload{r.FormValue("uploadPath"), r.FormValue("fileName"), data})
			fmt.Fprintf(w, `{"success":true,"code":200,"msg":"File uploaded successfully","data":{"downloadUrl":"https://tempfile.example/up/%d"}}`, len(k.uploads))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(k.srv.Close)
	return k
}

func (k *kieFake) client(t *testing.T, key string, userKey func(context.Context, string) (string, error)) *vendors.Kie {
	t.Helper()
	c, err := vendors.NewKie(vendors.KieConfig{BaseURL: k.srv.URL, Key: key, UserKey: userKey, Poll: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (k *kieFake) taken() ([]kieTask, []kieUpload) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]kieTask(nil), k.tasks...), append([]kieUpload(nil), k.uploads...)
}

// vendorRegistry is the library with the kie.ai and fal.ai clients given
// and the fake provider behind the map rules given (none: no provider).
func vendorRegistry(t *testing.T, kie *vendors.Kie, fal *vendors.Fal, rules ...string) *engine.Registry {
	t.Helper()
	d := nodes.Deps{Kie: kie, Fal: fal}
	if rules != nil {
		set, err := providers.NewSet("fake", "fake-model", providers.NewFake())
		if err != nil {
			t.Fatal(err)
		}
		m, err := providers.ParseModelMap(rules)
		if err != nil {
			t.Fatal(err)
		}
		d.Models = &providers.Mapped{Set: set, Map: m}
	}
	return nodes.NewRegistry(d)
}

// runUser runs a one-node graph for user.
func runUser(t *testing.T, reg *engine.Registry, typ, data, user string, lim engine.Limits) *engine.Result {
	t.Helper()
	return nodetest.Compile(t, reg, nodetest.OneNode(typ, data)).Run(context.Background(), engine.RunOptions{JobID: "j", UserID: user, Limits: lim})
}

// TestKieImagePayloads: every kie.image node sends kie.ai its model and
// the input the original builds, its images uploaded (a public URL passed
// as it is, unset ones skipped), and returns the task's image with the
// task id in its metadata.
func TestKieImagePayloads(t *testing.T) {
	img := `{"type":"image","uri":"data:image/png;base64,` + base64.StdEncoding.EncodeToString(pngBytes(t, 4, 4, color.NRGBA{255, 0, 0, 255})) + `"}`
	unset := `{"type":"image","uri":"","asset_id":null,"data":null}`
	pub := `{"type":"image","uri":"https://example.com/cat.png"}`
	r := strings.NewReplacer("IMG", img, "UNSET", unset, "PUB", pub)
	cases := []struct {
		typ, data, model, want string
	}{
		{"Flux2ProTextToImage", `{"prompt":"p","aspect_ratio":"16:9","resolution":"2K"}`, "flux-2/pro-text-to-image", `{"prompt":"p","aspect_ratio":"16:9","resolution":"2K"}`},
		{"Flux2ProImageToImage", `{"prompt":"p","images":[IMG,UNSET,PUB]}`, "flux-2/pro-image-to-image", `{"prompt":"p","input_urls":["UP1","https://example.com/cat.png"],"aspect_ratio":"1:1","resolution":"1K"}`},
		{"Flux2FlexTextToImage", `{"prompt":"p"}`, "flux-2/flex-text-to-image", `{"prompt":"p","aspect_ratio":"1:1","resolution":"1K"}`},
		{"Flux2FlexImageToImage", `{"prompt":"p","images":[IMG]}`, "flux-2/flex-image-to-image", `{"prompt":"p","input_urls":["UP1"],"aspect_ratio":"1:1","resolution":"1K"}`},
		{"Seedream45TextToImage", `{"prompt":"p","quality":"high"}`, "seedream/4.5-text-to-image", `{"prompt":"p","aspect_ratio":"1:1","quality":"high"}`},
		{"Seedream45Edit", `{"prompt":"p","image_input":[IMG,IMG]}`, "seedream/4.5-edit", `{"prompt":"p","image_urls":["UP1","UP2"],"aspect_ratio":"1:1","quality":"basic"}`},
		{"Seedream40TextToImage", `{"prompt":"p"}`, "seedream/4.0-text-to-image", `{"prompt":"p","aspect_ratio":"1:1","quality":"basic"}`},
		{"Seedream40ImageToImage", `{"prompt":"p","image":IMG}`, "seedream/4.0-edit", `{"prompt":"p","image_url":"UP1","aspect_ratio":"1:1","quality":"basic"}`},
		{"ZImage", `{"prompt":"p","aspect_ratio":"9:16"}`, "z-image", `{"prompt":"p","aspect_ratio":"9:16"}`},
		{"FluxKontext", `{"prompt":"p","mode":"max"}`, "flux-kontext", `{"prompt":"p","aspect_ratio":"1:1","mode":"max"}`},
		{"GrokImagineTextToImage", `{"prompt":"p"}`, "grok-imagine/text-to-image", `{"prompt":"p","aspect_ratio":"1:1"}`},
		{"QwenTextToImage", `{"prompt":"p","aspect_ratio":"4:3"}`, "qwen/text-to-image", `{"prompt":"p","aspect_ratio":"4:3"}`},
		{"QwenImageToImage", `{"prompt":"p","image":IMG}`, "qwen/image-to-image", `{"prompt":"p","image_url":"UP1","aspect_ratio":"1:1"}`},
		{"GPTImage15TextToImage", `{"prompt":"p","quality":"high","aspect_ratio":"3:2"}`, "gpt-image/1.5-text-to-image", `{"prompt":"p","aspect_ratio":"3:2","quality":"high"}`},
		{"GPTImage15ImageToImage", `{"prompt":"p","images":[IMG]}`, "gpt-image/1.5-image-to-image", `{"prompt":"p","input_urls":["UP1"],"aspect_ratio":"1:1","quality":"medium"}`},
		{"TopazImageUpscale", `{"image":IMG,"upscale_factor":"4"}`, "topaz/image-upscale", `{"image_url":"UP1","upscale_factor":"4"}`},
		{"RecraftRemoveBackground", `{"image":IMG}`, "recraft/remove-background", `{"image":"UP1"}`},
		{"RecraftCrispUpscale", `{"image":PUB}`, "recraft/crisp-upscale", `{"image":"https://example.com/cat.png"}`},
		{"NanoBanana", `{"prompt":"p","image_size":"16:9"}`, "google/nano-banana", `{"prompt":"p","output_format":"png","image_size":"16:9"}`},
		{"NanoBananaEdit", `{"prompt":"p"}`, "google/nano-banana-edit", `{"prompt":"p","image_urls":[],"output_format":"png","image_size":"1:1"}`},
		{"NanoBananaPro", `{"prompt":"p","image_input":[IMG],"resolution":"4K"}`, "nano-banana-pro", `{"prompt":"p","image_input":["UP1"],"aspect_ratio":"1:1","resolution":"4K","output_format":"png"}`},
		{"GrokImagineUpscale", `{"image":{"type":"image","uri":"https://example.com/x.png","metadata":{"task_id":"task_abc"}}}`, "grok-imagine/upscale", `{"task_id":"task_abc"}`},
		{"Imagen4Fast", `{"prompt":"p","negative_prompt":"blur"}`, "google/imagen4-fast", `{"prompt":"p","negative_prompt":"blur","aspect_ratio":"1:1","num_images":"1"}`},
		{"Imagen4Ultra", `{"prompt":"p","seed":7}`, "google/imagen4-ultra", `{"prompt":"p","negative_prompt":"","aspect_ratio":"1:1","seed":7}`},
		{"Imagen4", `{"prompt":"p"}`, "google/imagen4", `{"prompt":"p","negative_prompt":"","aspect_ratio":"1:1","num_images":"1","seed":0}`},
		{"GPTImage4oTextToImage", `{"prompt":"p","n_variants":2,"is_enhance":true}`, "4o-image-api", `{"prompt":"p","size":"1:1","nVariants":2,"isEnhance":true}`},
		{"GPTImage4oImageToImage", `{"prompt":"p","images":[IMG],"size":"3:2"}`, "4o-image-api", `{"prompt":"p","filesUrl":["UP1"],"size":"3:2","nVariants":1}`},
		{"IdeogramCharacter", `{"prompt":"p","reference_images":[IMG]}`, "ideogram/character",
			`{"prompt":"p","reference_image_urls":["UP1"],"rendering_speed":"BALANCED","style":"AUTO","expand_prompt":true,"image_size":"square_hd","negative_prompt":"","num_images":"1","seed":null}`},
		{"IdeogramCharacterEdit", `{"prompt":"p","image":IMG,"mask":IMG,"reference_images":[IMG],"seed":5}`, "ideogram/character-edit",
			`{"prompt":"p","image_url":"UP1","mask_url":"UP2","reference_image_urls":["UP3"],"rendering_speed":"BALANCED","style":"AUTO","expand_prompt":true,"num_images":"1","seed":5}`},
		{"IdeogramCharacterRemix", `{"prompt":"p","image":IMG,"additional_images":[IMG],"reference_mask_urls":"https://example.com/m.png"}`, "ideogram/character-remix",
			`{"prompt":"p","image_url":"UP1","reference_image_urls":[],"rendering_speed":"BALANCED","style":"AUTO","expand_prompt":true,"image_size":"square_hd","num_images":"1","strength":0.8,"negative_prompt":"","image_urls":["UP2"],"reference_mask_urls":"https://example.com/m.png"}`},
		{"IdeogramV3Reframe", `{"image":IMG,"image_size":"landscape_16_9"}`, "ideogram/v3-reframe", `{"image_url":"UP1","image_size":"landscape_16_9","rendering_speed":"BALANCED","style":"AUTO","num_images":"1","seed":0}`},
		{"IdeogramV3TextToImage", `{"prompt":"p","negative_prompt":"n"}`, "ideogram/v3-text-to-image", `{"prompt":"p","rendering_speed":"BALANCED","style":"AUTO","image_size":"square","expand_prompt":true,"negative_prompt":"n"}`},
		{"IdeogramV3ImageToImage", `{"prompt":"p","image":IMG,"seed":3}`, "ideogram/v3-image-to-image", `{"prompt":"p","image_url":"UP1","rendering_speed":"BALANCED","style":"AUTO","image_size":"square","strength":0.5,"expand_prompt":true,"seed":3}`},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			seen[c.typ] = true
			k := newKieFake(t)
			reg := vendorRegistry(t, k.client(t, vendorKey, nil), nil)
			res := run(t, reg, "kie.image."+c.typ, r.Replace(c.data), limits)
			nodetest.WantCompleted(t, res)
			tasks, uploads := k.taken()
			if len(tasks) != 1 || tasks[0].Model != c.model {
				t.Fatalf("tasks %+v, want one of %s", tasks, c.model)
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(strings.NewReplacer("UP1", "https://tempfile.example/up/1", "UP2", "https://tempfile.example/up/2", "UP3", "https://tempfile.example/up/3").Replace(c.want)), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tasks[0].Input, want) {
				got, _ := json.Marshal(tasks[0].Input)
				w, _ := json.Marshal(want)
				t.Errorf("input\n%s\nwant\n%s", got, w)
			}
			for _, u := range uploads {
				if u.path != "images/user-uploads" || !strings.HasPrefix(u.name, "nodetool-") || !strings.HasSuffix(u.name, ".png") || len(u.data) == 0 {
					t.Errorf("upload %s %s of %d bytes", u.path, u.name, len(u.data))
				}
			}
			ref := res.Outputs["r"][0].(*pyval.Dict)
			if data, _ := ref.Get("data"); string(data.([]byte)) != string(k.file) {
				t.Error("the result is not the task's file")
			}
			if md, _ := ref.Get("metadata"); pyval.Repr(md) != `{'task_id': 'task_1'}` {
				t.Errorf("metadata %s", pyval.Repr(md))
			}
		})
	}
	for _, typ := range vendorRegistry(t, nil, nil).Types() {
		if c, ok := strings.CutPrefix(typ, "kie.image."); ok && !seen[c] {
			t.Errorf("%s has no payload case", typ)
		}
	}
}

// TestKieImageInputErrors: a node missing what the original requires
// fails before any task is made, saying what is missing.
func TestKieImageInputErrors(t *testing.T) {
	unset := `{"type":"image","uri":"","asset_id":null,"data":null}`
	img := `{"type":"image","uri":"https://example.com/x.png"}`
	k := newKieFake(t)
	reg := vendorRegistry(t, k.client(t, vendorKey, nil), nil)
	for _, c := range []struct{ typ, data, want string }{
		{"NanoBanana", `{}`, "prompt cannot be empty"},
		{"Flux2ProImageToImage", `{"prompt":"p"}`, "at least one image is required"},
		{"Flux2ProImageToImage", `{"prompt":"p","images":[` + unset + `]}`, "at least one valid image is required"},
		{"TopazImageUpscale", `{}`, "image is required"},
		{"GrokImagineUpscale", `{"image":` + img + `}`, "holds no task_id"},
		{"IdeogramCharacter", `{"prompt":"p"}`, "at least one reference image is required"},
		{"IdeogramCharacterEdit", `{"prompt":"p","image":` + img + `,"reference_images":[` + img + `]}`, "mask image is required"},
		{"IdeogramCharacterRemix", `{"prompt":"p"}`, "base image is required"},
	} {
		res := run(t, reg, "kie.image."+c.typ, c.data, limits)
		if res.Status != engine.StatusFailed || !strings.Contains(res.Error, c.want) {
			t.Errorf("%s(%s): %s %q, want an error with %q", c.typ, c.data, res.Status, res.Error, c.want)
		}
	}
	if tasks, uploads := k.taken(); len(tasks)+len(uploads) != 0 {
		t.Errorf("tasks %v uploads %v made for invalid nodes", tasks, uploads)
	}
}

// TestVendorRouting: where a vendor node runs. A model map rule naming
// the vendor wins even with a key; else a key (the user's own first)
// calls the service; else the map's other rules and the providers take
// it; with none of them the workflow is refused naming the key.
func TestVendorRouting(t *testing.T) {
	const node = `{"prompt":"a pokemon","image_size":"16:9"}`
	k := newKieFake(t)
	tasks := func() int { n, _ := k.taken(); return len(n) }
	fake := func(res *engine.Result) bool {
		nodetest.WantCompleted(t, res)
		b := decoded(t, res).Bounds()
		return b.Dx() == 1024 && b.Dy() == 576 // the fake's image of the stand-in request
	}
	withKey := k.client(t, vendorKey, nil)
	// A key and no rule naming kie: kie.ai, even with a catch-all rule.
	for _, rules := range [][]string{nil, {"*=fake/fake-model"}, {"*/*=fake/fake-model"}} {
		before := tasks()
		res := run(t, vendorRegistry(t, withKey, nil, rules...), "kie.image.NanoBanana", node, limits)
		if nodetest.WantCompleted(t, res); tasks() != before+1 {
			t.Errorf("rules %q with a key: not run on kie.ai", rules)
		}
	}
	// A rule naming kie wins over the key.
	for _, rule := range []string{"kie/*=fake/fake-model", "kie/google/nano-banana=fake/*"} {
		before := tasks()
		res := run(t, vendorRegistry(t, withKey, nil, rule), "kie.image.NanoBanana", node, limits)
		if !fake(res) || tasks() != before {
			t.Errorf("rule %q: not run where the map sends it", rule)
		}
	}
	// No key: the map.
	before := tasks()
	if res := run(t, vendorRegistry(t, k.client(t, "", nil), nil, "*=fake/fake-model"), "kie.image.NanoBanana", node, limits); !fake(res) {
		t.Error("no key: not run on the map's provider")
	}
	if res := run(t, vendorRegistry(t, nil, nil, "*=fake/fake-model"), "kie.image.NanoBanana", node, limits); !fake(res) {
		t.Error("no client: not run on the map's provider")
	}
	if tasks() != before {
		t.Error("a task was made without a key")
	}
	// Users' own keys (serve): Alice has one, Bob none.
	users := func(_ context.Context, user string) (string, error) {
		if user == "alice" {
			return vendorKey, nil
		}
		return "", nil
	}
	reg := vendorRegistry(t, k.client(t, "", users), nil, "*=fake/fake-model")
	if res := runUser(t, reg, "kie.image.NanoBanana", node, "bob", limits); !fake(res) || tasks() != before {
		t.Error("bob, no key: not run on the map's provider")
	}
	if res := runUser(t, reg, "kie.image.NanoBanana", node, "alice", limits); res.Status != engine.StatusCompleted || tasks() != before+1 {
		t.Errorf("alice's key: %s %s, %d tasks", res.Status, res.Error, tasks()-before)
	}
	// Nothing configured: refused when compiled, naming the key.
	for _, reg := range []*engine.Registry{vendorRegistry(t, nil, nil), vendorRegistry(t, k.client(t, "", nil), nil), vendorRegistry(t, nil, nil, "openai/*=fake/fake-model")} {
		for typ, key := range map[string]string{"kie.image.NanoBanana": "KIE_API_KEY", "kie.image.Flux2ProImageToImage": "KIE_API_KEY", "fal.text_to_image.NanoBanana2": "FAL_API_KEY"} {
			w, err := engine.ParseWorkflow([]byte(nodetest.OneNode(typ, `{}`)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := reg.Compile(&w.Graph); err == nil || !strings.Contains(err.Error(), key) {
				t.Errorf("%s: Compile = %v, want the error to name %s", typ, err, key)
			}
		}
	}
	// A rule naming kie that leads nowhere is the map's error, without
	// the key hint (the key would not be used).
	w, _ := engine.ParseWorkflow([]byte(nodetest.OneNode("kie.image.NanoBanana", `{}`)))
	if _, err := vendorRegistry(t, withKey, nil, "kie/*=openai/gpt-image-1").Compile(&w.Graph); err == nil || strings.Contains(err.Error(), "KIE_API_KEY") {
		t.Errorf("kie rule to an unconfigured provider: %v", err)
	}
	// A user key store (serve) passes validation: the key is the run's.
	if _, err := vendorRegistry(t, k.client(t, "", users), nil).Compile(&w.Graph); err != nil {
		t.Errorf("user keys: %v", err)
	}
}

// TestKieStandInSizes: mapped to a provider, a kie node asks for the size
// its options describe, or its input image's (times upscale_factor).
func TestKieStandInSizes(t *testing.T) {
	reg := vendorRegistry(t, nil, nil, "*=fake/fake-model")
	img := `{"type":"image","uri":"data:image/png;base64,` + base64.StdEncoding.EncodeToString(pngBytes(t, 40, 30, color.NRGBA{1, 2, 3, 255})) + `"}`
	for _, c := range []struct {
		typ, data string
		w, h      int
	}{
		{"Flux2ProTextToImage", `{"prompt":"p","aspect_ratio":"16:9","resolution":"2K"}`, 2048, 1152},
		{"IdeogramV3TextToImage", `{"prompt":"p","image_size":"portrait_16_9"}`, 576, 1024},
		{"GPTImage4oTextToImage", `{"prompt":"p","size":"2:3"}`, 680, 1024},
		{"Flux2ProImageToImage", `{"prompt":"p","images":[` + img + `],"aspect_ratio":"auto"}`, 1024, 768},
		{"TopazImageUpscale", `{"image":` + img + `,"upscale_factor":"4"}`, 160, 120},
		{"RecraftRemoveBackground", `{"image":` + img + `}`, 40, 30},
	} {
		res := run(t, reg, "kie.image."+c.typ, c.data, limits)
		if b := decoded(t, res).Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("%s: %dx%d, want %dx%d", c.typ, b.Dx(), b.Dy(), c.w, c.h)
		}
	}
}

// TestKieResultBudget: a result file over max-value is refused with the
// budget's error; a file that is no image fails naming the model.
func TestKieResultBudget(t *testing.T) {
	k := newKieFake(t)
	reg := vendorRegistry(t, k.client(t, vendorKey, nil), nil)
	k.mu.Lock()
	k.file = make([]byte, 100<<10)
	k.mu.Unlock()
	nodetest.WantValueLimit(t, run(t, reg, "kie.image.NanoBanana", `{"prompt":"p"}`, nodetest.SmallLimits), "n")
	k.mu.Lock()
	k.file = []byte("<html>not an image</html>")
	k.mu.Unlock()
	res := run(t, reg, "kie.image.NanoBanana", `{"prompt":"p"}`, limits)
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "google/nano-banana is not an image") {
		t.Errorf("%s %q", res.Status, res.Error)
	}
	// A decompression bomb: a small PNG declaring many pixels.
	k.mu.Lock()
	k.file = pngBytes(t, 200, 200, color.NRGBA{})
	k.mu.Unlock()
	nodetest.WantValueLimit(t, run(t, reg, "kie.image.NanoBanana", `{"prompt":"p"}`, nodetest.SmallLimits), "n")
}

// TestKieTimeout: timeout_seconds bounds the task; a task still running
// then fails saying so.
func TestKieTimeout(t *testing.T) {
	k := newKieFake(t)
	k.hold = true
	reg := vendorRegistry(t, k.client(t, vendorKey, nil), nil)
	res := run(t, reg, "kie.image.NanoBanana", `{"prompt":"p","timeout_seconds":1}`, limits)
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "no result within 1s") || !strings.Contains(res.Error, "task task_1 was not finished (state generating)") {
		t.Errorf("%s %q", res.Status, res.Error)
	}
}

// TestKieCancel: cancelling the run stops the polling and ends the run.
func TestKieCancel(t *testing.T) {
	k := newKieFake(t)
	k.hold = true
	reg := vendorRegistry(t, k.client(t, vendorKey, nil), nil)
	plan := nodetest.Compile(t, reg, nodetest.OneNode("kie.image.NanoBanana", `{"prompt":"p"}`))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *engine.Result, 1)
	go func() { done <- plan.Run(ctx, engine.RunOptions{JobID: "j", Limits: limits}) }()
	<-k.polled
	cancel()
	select {
	case res := <-done:
		if res.Status != engine.StatusCancelled {
			t.Errorf("status %s %q, want cancelled", res.Status, res.Error)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not end after it was cancelled")
	}
}

// TestVendorKeyNeverShown: a refused key, a user's secret that cannot be
// read, a service echoing the key: no error or event holds it.
func TestVendorKeyNeverShown(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"code":400,"msg":"bad header ` + r.Header.Get("Authorization") + `","detail":"bad header ` + r.Header.Get("Authorization") + `"}`))
	}))
	defer echo.Close()
	kie, _ := vendors.NewKie(vendors.KieConfig{BaseURL: echo.URL, Key: vendorKey})
	fal, _ := vendors.NewFal(vendors.FalConfig{BaseURL: echo.URL, Key: vendorKey})
	broken, _ := vendors.NewKie(vendors.KieConfig{BaseURL: echo.URL, UserKey: func(context.Context, string) (string, error) {
		return vendorKey, fmt.Errorf("cannot read %s", vendorKey)
	}})
	for _, c := range []struct {
		reg       *engine.Registry
		typ, user string
	}{
		{vendorRegistry(t, kie, fal), "kie.image.NanoBanana", ""},
		{vendorRegistry(t, kie, fal), "fal.text_to_image.NanoBanana2", ""},
		{vendorRegistry(t, broken, nil), "kie.image.NanoBanana", "alice"},
	} {
		p := nodetest.Compile(t, c.reg, nodetest.OneNode(c.typ, `{"prompt":"p"}`))
		var mu sync.Mutex
		var events []string
		res := p.Run(context.Background(), engine.RunOptions{JobID: "j", UserID: c.user, Limits: limits, OnEvent: func(e engine.Event) {
			b, _ := json.Marshal(e)
			mu.Lock()
			events = append(events, string(b))
			mu.Unlock()
		}})
		if res.Status != engine.StatusFailed {
			t.Errorf("%s: %s", c.typ, res.Status)
		}
		mu.Lock()
		all := res.Error + strings.Join(events, "\n")
		mu.Unlock()
		if strings.Contains(all, vendorKey) {
			t.Errorf("%s: the key shows: %s", c.typ, all)
		}
		if !strings.Contains(res.Error, "[redacted]") {
			t.Errorf("%s: error %q", c.typ, res.Error)
		}
	}
}

// TestGrokUpscaleChain: a kie image's task id flows in its metadata to
// Grok Imagine Upscale, which sends it.
func TestGrokUpscaleChain(t *testing.T) {
	k := newKieFake(t)
	reg := vendorRegistry(t, k.client(t, vendorKey, nil), nil)
	g := (&nodetest.Graph{}).Node("a", "kie.image.NanoBanana", `{"prompt":"p"}`).Node("b", "kie.image.GrokImagineUpscale", `{}`).
		Edge("a", "output", "b", "image").Output("b", "r")
	res := g.Run(t, reg, limits)
	nodetest.WantCompleted(t, res)
	tasks, _ := k.taken()
	if len(tasks) != 2 || tasks[1].Model != "grok-imagine/upscale" || tasks[1].Input["task_id"] != "task_1" {
		t.Errorf("tasks %+v", tasks)
	}
}

// falFake speaks fal.ai's queue API for Nano Banana 2.
type falFake struct {
	srv    *httptest.Server
	mu     sync.Mutex
	inputs []map[string]any
	result string // the output JSON ("" for an image at /files/out.png)
	file   []byte
}

func newFalFake(t *testing.T) *falFake {
	f := &falFake{file: pngBytes(t, 3, 5, color.NRGBA{9, 9, 9, 255})}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/files/out.png" {
			w.Write(f.file)
			return
		}
		if r.Header.Get("Authorization") != "Key "+vendorKey {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"detail":"Unauthorized"}`))
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/fal-ai/nano-banana-2":
			var in map[string]any
			json.NewDecoder(r.Body).Decode(&in)
			f.inputs = append(f.inputs, in)
			w.Write([]byte(`{"request_id":"req-1"}`))
		case r.URL.Path == "/fal-ai/nano-banana-2/requests/req-1/status":
			w.Write([]byte(`{"status":"COMPLETED","logs":[],"metrics":{"inference_time":1.5}}`))
		case r.URL.Path == "/fal-ai/nano-banana-2/requests/req-1":
			if f.result != "" {
				w.Write([]byte(f.result))
				return
			}
			fmt.Fprintf(w, `{"images":[{"url":"%s/files/out.png","content_type":"image/png","file_name":"out.png","file_size":%d,"width":3,"height":5}],"description":""}`, f.srv.URL, len(f.file))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// TestFalNanoBanana2: with a FAL_API_KEY the node sends fal.ai the
// original's arguments and returns the first image (downloaded, or
// decoded from a data: URI in sync mode).
func TestFalNanoBanana2(t *testing.T) {
	f := newFalFake(t)
	fal, err := vendors.NewFal(vendors.FalConfig{BaseURL: f.srv.URL, Key: vendorKey, Poll: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	reg := vendorRegistry(t, nil, fal, "*=fake/fake-model")
	res := run(t, reg, "fal.text_to_image.NanoBanana2", `{"prompt":"Lisbon","resolution":"2K","aspect_ratio":"16:9","seed":42}`, limits)
	if b := decoded(t, res).Bounds(); b.Dx() != 3 || b.Dy() != 5 {
		t.Errorf("size %v", b)
	}
	res = run(t, reg, "fal.text_to_image.NanoBanana2", `{"prompt":"Porto","sync_mode":true,"num_images":2}`, limits)
	f.mu.Lock()
	want := []string{
		`{"aspect_ratio":"16:9","enable_google_search":false,"enable_web_search":false,"limit_generations":true,"num_images":1,"output_format":"png","prompt":"Lisbon","resolution":"2K","safety_tolerance":"4","seed":42,"sync_mode":false}`,
		`{"aspect_ratio":"auto","enable_google_search":false,"enable_web_search":false,"limit_generations":true,"num_images":2,"output_format":"png","prompt":"Porto","resolution":"1K","safety_tolerance":"4","sync_mode":true}`,
	}
	for i, in := range f.inputs {
		if got, _ := json.Marshal(in); i >= len(want) || string(got) != want[i] {
			t.Errorf("input %d: %s", i, got)
		}
	}
	f.result = `{"images":[{"url":"data:image/png;base64,` + base64.StdEncoding.EncodeToString(pngBytes(t, 7, 2, color.NRGBA{})) + `"}]}`
	f.mu.Unlock()
	nodetest.WantCompleted(t, res)
	res = run(t, reg, "fal.text_to_image.NanoBanana2", `{"prompt":"Faro","sync_mode":true}`, limits)
	if b := decoded(t, res).Bounds(); b.Dx() != 7 || b.Dy() != 2 {
		t.Errorf("data URI size %v", b)
	}
	f.mu.Lock()
	f.result = `{"images":[]}`
	f.mu.Unlock()
	res = run(t, reg, "fal.text_to_image.NanoBanana2", `{"prompt":"x"}`, limits)
	if res.Status != engine.StatusFailed || !strings.Contains(res.Error, "fal.ai model fal-ai/nano-banana-2, request req-1: the output holds no images") {
		t.Errorf("%s %q", res.Status, res.Error)
	}
	// Oversized results are refused with the budget's error.
	f.mu.Lock()
	f.result = ""
	f.file = make([]byte, 100<<10)
	f.mu.Unlock()
	nodetest.WantValueLimit(t, run(t, reg, "fal.text_to_image.NanoBanana2", `{"prompt":"x"}`, nodetest.SmallLimits), "n")
	f.mu.Lock()
	f.result = `{"images":[{"url":"data:image/png;base64,` + base64.StdEncoding.EncodeToString(make([]byte, 100<<10)) + `"}]}`
	f.mu.Unlock()
	nodetest.WantValueLimit(t, run(t, reg, "fal.text_to_image.NanoBanana2", `{"prompt":"x"}`, nodetest.SmallLimits), "n")
}
