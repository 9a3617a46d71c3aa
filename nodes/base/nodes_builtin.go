// Package base holds the nodes every workflow is made of: inputs
// (nodetool.input.*), outputs (nodetool.output.Output), constants
// (nodetool.constant.*), Preview, Comment and Group
// (nodetool.workflows.base_node.*), and the default values of NodeTool's
// structured types.
package base

import (
	"fmt"
	"time"

	"nodetool/engine"
	"nodetool/lang/pyval"
	"nodetool/nodes/media"
)

// Register adds the nodes every workflow is made of: inputs, outputs,
// constants, Preview, Comment and Group. Media results stay inline.
func Register(r *engine.Registry) { RegisterKeeping(r, media.Outputs{}) }

// RegisterKeeping is Register with output nodes that keep media results
// over outs.InlineMax in outs.Store (see media.Outputs.Keep).
func RegisterKeeping(r *engine.Registry, outs media.Outputs) {
	registerBuiltin(r, outs)
	registerInputs(r)
	registerConstants(r)
}

// Default values of structured types, as NodeTool writes them.
const (
	DefImage    = `{"type": "image", "uri": "", "asset_id": null, "data": null, "metadata": null}`
	DefAudio    = `{"type": "audio", "uri": "", "asset_id": null, "data": null, "metadata": null}`
	defVideo    = `{"type": "video", "uri": "", "asset_id": null, "data": null, "metadata": null, "duration": null, "format": null}`
	defDocument = `{"type": "document", "uri": "", "asset_id": null, "data": null, "metadata": null}`
	defFolder   = `{"type": "folder", "uri": "", "asset_id": null, "data": null, "metadata": null}`
	DefDataFr   = `{"type": "dataframe", "uri": "", "asset_id": null, "data": null, "metadata": null, "columns": null}`
	defJSONRef  = `{"type": "json", "uri": "", "asset_id": null, "data": null, "metadata": null}`
	defModel3D  = `{"type": "model_3d", "uri": "", "asset_id": null, "data": null, "metadata": null, "format": null, "material_file": null, "texture_files": []}`
	DefLLM      = `{"type": "language_model", "provider": "empty", "id": "", "name": "", "path": null, "supported_tasks": []}`
	defImgModel = `{"type": "image_model", "provider": "empty", "id": "", "name": "", "path": null, "supported_tasks": []}`
	defVidModel = `{"type": "video_model", "provider": "empty", "id": "", "name": "", "path": null, "supported_tasks": []}`
	defTTSModel = `{"type": "tts_model", "provider": "empty", "id": "", "name": "", "path": null, "voices": [], "selected_voice": ""}`
	defASRModel = `{"type": "asr_model", "provider": "empty", "id": "", "name": "", "path": null}`
	defEmbModel = `{"type": "embedding_model", "provider": "empty", "id": "", "name": "", "dimensions": 0}`
	defHFModel  = `{"type": "hf.model", "repo_id": "", "path": null, "variant": null, "allow_patterns": null, "ignore_patterns": null}`
	defMessage  = `{"type": "message", "id": null, "workflow_id": null, "graph": null, "thread_id": null, "tools": null, "tool_call_id": null, "role": "", "name": null, "content": null, "tool_calls": null, "collections": null, "input_files": null, "created_at": null, "provider": null, "model": null, "agent_mode": null, "help_mode": null, "agent_execution_id": null, "execution_event_type": null, "workflow_target": null, "workflow_message_input_name": null, "workflow_messages_input_name": null}`
)

func registerBuiltin(r *engine.Registry, outs media.Outputs) {
	r.Add(&engine.NodeDef{
		Type:        "nodetool.workflows.base_node.Preview",
		Description: "Shows every value that reaches it in the editor, without affecting the result.",
		Props:       []engine.Prop{engine.P("value", "any", "null", "The value to preview."), engine.P("name", "str", `""`, "A label for the preview.")},
		Outputs:     []engine.Output{},
		BasicFields: []string{"value", "name"},
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			for {
				_, v, ok, err := inbox.Next(ctx)
				if err != nil || !ok {
					return err
				}
				ctx.Post(&engine.PreviewUpdate{Type: "preview_update", NodeID: ctx.NodeID(), Value: v, JobID: ctx.JobID(), WorkflowID: ctx.WorkflowID()})
			}
		},
	})
	nothing := func(*engine.Ctx, *engine.Inputs) (map[string]any, error) { return map[string]any{}, nil }
	r.Add(&engine.NodeDef{
		Type:        "nodetool.workflows.base_node.Comment",
		Description: "A note on the canvas. It does nothing when the workflow runs.",
		Props: []engine.Prop{
			engine.P("headline", "str", `""`, "The comment's headline."),
			engine.P("comment", "any", "{}", "The comment text (plain or rich text)."),
			engine.P("comment_color", "str", `"#f0f0f0"`, "The background color."),
		},
		Outputs: []engine.Output{},
		Process: nothing,
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.workflows.base_node.Group",
		Description: "A visual container for nodes. It does nothing when the workflow runs.",
		Outputs:     []engine.Output{},
		Process:     nothing,
	})
	r.Add(&engine.NodeDef{
		Type:            "nodetool.output.Output",
		Description:     "A workflow result: every value that reaches it is recorded under its name.",
		Props:           []engine.Prop{engine.P("name", "str", `""`, "The result name."), engine.P("value", "any", "null", "The value to record."), engine.P("description", "str", `""`, "What the result is.")},
		Outputs:         engine.Out("output", "any"),
		BasicFields:     []string{"name", "value"},
		StreamingOutput: true,
		Role:            engine.RoleOutput,
		Run: func(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit) error {
			return runOutput(ctx, in, inbox, emit, outs)
		},
	})
}

// runOutput records every value reaching an output node, posts an
// output_update for it and passes it on. An output that receives nothing
// reports its configured value once. What is recorded and posted has its
// large media content stored (outs.Keep); what is passed on keeps it.
func runOutput(ctx *engine.Ctx, in *engine.Inputs, inbox *engine.Inbox, emit engine.Emit, outs media.Outputs) error {
	name := in.Str("name")
	report := func(v any) error {
		v, err := outs.Keep(ctx, name, v)
		if err != nil {
			return err
		}
		if err := ctx.RecordResult(name, v); err != nil {
			return err
		}
		ctx.Post(&engine.OutputUpdate{Type: "output_update", NodeID: ctx.NodeID(), NodeName: name, OutputName: name,
			Value: v, OutputType: "", Metadata: map[string]any{}, JobID: ctx.JobID(), WorkflowID: ctx.WorkflowID()})
		return nil
	}
	got := false
	for {
		_, v, ok, err := inbox.Next(ctx)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		got = true
		if err := report(v); err != nil {
			return err
		}
		if err := emit("output", v); err != nil {
			return err
		}
	}
	if !got {
		return report(in.Get("value"))
	}
	return nil
}

// inputDef declares a workflow input node: a named parameter whose value
// goes out on its first output slot when the run starts.
func inputDef(class, title, valueType, valueDefault, desc string, outputs []engine.Output, extra ...engine.Prop) *engine.NodeDef {
	props := []engine.Prop{
		engine.P("name", "str", `""`, "The parameter name for the workflow."),
		engine.P("value", valueType, valueDefault, "The value used when the run does not set this parameter."),
		engine.P("description", "str", `""`, "What the parameter is for."),
	}
	props = append(props, extra...)
	return &engine.NodeDef{
		Type: "nodetool.input." + class, Title: title, Description: desc,
		Props: props, Outputs: outputs, BasicFields: []string{"name", "value"},
		Role: engine.RoleInput,
		// Input nodes are fed by the engine, never run.
		Process: func(*engine.Ctx, *engine.Inputs) (map[string]any, error) { return nil, nil },
	}
}

func registerInputs(r *engine.Registry) {
	one := func(t string) []engine.Output { return engine.Out("output", t) }
	for _, d := range []*engine.NodeDef{
		inputDef("StringInput", "String Input", "str", `""`, "A text parameter.", one("str"),
			engine.P("max_length", "int", "0", "Maximum number of characters (0: unlimited). A hint for the editor.").Range(0, 100000),
			withExtra(engine.P("line_mode", "str", `"single_line"`, "Whether the editor shows one line or several."), `{"type": "enum", "values": ["single_line", "multi_line"]}`)),
		inputDef("IntegerInput", "Integer Input", "int", "0", "An integer parameter.", one("int"),
			engine.P("min", "int", "0", "Smallest value the editor offers."), engine.P("max", "int", "99999", "Largest value the editor offers.")),
		inputDef("FloatInput", "Float Input", "float", "0.0", "A number parameter.", one("float"),
			engine.P("min", "float", "0", "Smallest value the editor offers."), engine.P("max", "float", "99999", "Largest value the editor offers.")),
		inputDef("BooleanInput", "Boolean Input", "bool", "false", "A true/false parameter.", one("bool")),
		inputDef("SelectInput", "Select Input", "str", `""`, "A parameter chosen from a list of options.", one("str"),
			engine.P("options", "list[str]", "[]", "The choices offered."), engine.P("enum_type_name", "str", `""`, "Enum type the options come from, for type matching in the editor.")),
		inputDef("StringListInput", "String List Input", "list[str]", "[]", "A list of strings parameter.", one("list[str]")),
		inputDef("TextListInput", "Text List Input", "list[str]", "[]", "A list of texts parameter.", one("list[str]")),
		inputDef("FilePathInput", "File Path Input", "str", `""`, "A local file path parameter.", one("str")),
		inputDef("FolderPathInput", "Folder Path Input", "str", `""`, "A local folder path parameter.", one("str")),
		inputDef("DocumentFileInput", "Document File Input", "str", `""`, "A document path parameter; the path goes out on the document output.", engine.Out("document", "document", "path", "str")),
		inputDef("ColorInput", "Color Input", "color", `{"type": "color", "value": null}`, "A color parameter.", one("color")),
		inputDef("ImageSizeInput", "Image Size Input", "image_size", "", "An image size parameter.", one("image_size")),
		inputDef("LanguageModelInput", "Language Model Input", "language_model", DefLLM, "A language model selection.", one("language_model")),
		inputDef("ImageModelInput", "Image Model Input", "image_model", defImgModel, "An image model selection.", one("image_model")),
		inputDef("VideoModelInput", "Video Model Input", "video_model", defVidModel, "A video model selection.", one("video_model")),
		inputDef("TTSModelInput", "TTSModel Input", "tts_model", defTTSModel, "A text-to-speech model selection.", one("tts_model")),
		inputDef("ASRModelInput", "ASRModel Input", "asr_model", defASRModel, "A speech recognition model selection.", one("asr_model")),
		inputDef("EmbeddingModelInput", "Embedding Model Input", "embedding_model", defEmbModel, "An embedding model selection.", one("embedding_model")),
		inputDef("HuggingFaceModelInput", "Hugging Face Model Input", "hf.model", defHFModel, "A Hugging Face model reference.", one("hf.model")),
		inputDef("MessageInput", "Message Input", "message", defMessage, "A chat message parameter.", one("message")),
		inputDef("MessageListInput", "Message List Input", "list[message]", "[]", "A list of chat messages.", one("list[message]")),
		inputDef("DataframeInput", "Dataframe Input", "dataframe", DefDataFr, "A table parameter.", one("dataframe")),
		inputDef("DocumentInput", "Document Input", "document", defDocument, "A document reference.", one("document")),
		inputDef("ImageInput", "Image Input", "image", DefImage, "An image reference.", one("image")),
		inputDef("ImageListInput", "Image List Input", "list[image]", "[]", "A list of image references.", one("list[image]")),
		inputDef("AudioInput", "Audio Input", "audio", DefAudio, "An audio reference.", one("audio")),
		inputDef("AudioListInput", "Audio List Input", "list[audio]", "[]", "A list of audio references.", one("list[audio]")),
		inputDef("VideoInput", "Video Input", "video", defVideo, "A video reference.", one("video")),
		inputDef("VideoListInput", "Video List Input", "list[video]", "[]", "A list of video references.", one("list[video]")),
		inputDef("Model3DInput", "Model 3D Input", "model_3d", defModel3D, "A 3D model reference.", one("model_3d")),
		inputDef("AssetFolderInput", "Asset Folder Input", "folder", defFolder, "An asset folder reference.", one("folder")),
	} {
		r.Add(d)
	}
	rt := inputDef("RealtimeAudioInput", "Realtime Audio Input", "audio", DefAudio, "Audio streamed into a running workflow, chunk by chunk.", engine.Out("chunk", "chunk"))
	rt.StreamingOutput = true
	r.Add(rt)

	r.Add(&engine.NodeDef{
		Type:        "nodetool.input.MessageDeconstructor",
		Description: "Splits a chat message into its id, thread, role, text, image, audio and model.",
		Props:       []engine.Prop{engine.P("value", "message", defMessage, "The message to split.")},
		Outputs: engine.Out("id", "str", "thread_id", "str", "role", "str", "text", "str",
			"image", "image", "audio", "audio", "model", "language_model"),
		Process: deconstructMessage,
	})
}

func withExtra(p engine.Prop, extraJSON string) engine.Prop {
	v, err := pyval.Decode([]byte(extraJSON))
	if err != nil {
		panic(err)
	}
	p.Extra = v
	return p
}

func deconstructMessage(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
	m := in.Dict("value")
	out := map[string]any{}
	for _, k := range []string{"id", "thread_id", "role"} {
		if v, ok := m.Get(k); ok && v != nil {
			out[k] = v
		}
	}
	content, _ := m.Get("content")
	switch c := content.(type) {
	case string:
		out["text"] = c
	case []any:
		for _, part := range c {
			pd, ok := part.(*pyval.Dict)
			if !ok {
				continue
			}
			switch pd.Str("type") {
			case "text":
				out["text"] = pd.Str("text")
			case "image_url":
				if img, ok := pd.Get("image"); ok && img != nil {
					out["image"] = img
				}
			case "audio":
				if a, ok := pd.Get("audio"); ok && a != nil {
					out["audio"] = a
				}
			}
		}
	}
	if p, model := m.Str("provider"), m.Str("model"); p != "" && model != "" {
		out["model"] = pyval.DictOf("type", "language_model", "provider", p, "id", model, "name", model)
	}
	return out, nil
}

// constDef declares a constant node that returns its value.
func constDef(class, title, valueType, valueDefault, desc string) *engine.NodeDef {
	return &engine.NodeDef{
		Type: "nodetool.constant." + class, Title: title, Description: desc,
		Props:   []engine.Prop{engine.P("value", valueType, valueDefault, "The constant value.")},
		Outputs: engine.Out("output", valueType), BasicFields: []string{"value"},
		Role: engine.RoleConstant,
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			return engine.Single(in.Get("value")), nil
		},
	}
}

func registerConstants(r *engine.Registry) {
	defs := []*engine.NodeDef{
		constDef("String", "String", "str", `""`, "A fixed text."),
		constDef("Integer", "Integer", "int", "0", "A fixed integer."),
		constDef("Float", "Float", "float", "0.0", "A fixed number."),
		constDef("Bool", "Bool", "bool", "false", "A fixed true/false value."),
		constDef("List", "List", "list[any]", "[]", "A fixed list."),
		constDef("TextList", "Text List", "list[str]", "", "A fixed list of texts."),
		constDef("Dict", "Dict", "dict[str, any]", "{}", "A fixed dictionary."),
		constDef("Image", "Image", "image", DefImage, "A fixed image reference."),
		constDef("ImageList", "Image List", "list[image]", "", "A fixed list of image references."),
		constDef("Audio", "Audio", "audio", DefAudio, "A fixed audio reference."),
		constDef("AudioList", "Audio List", "list[audio]", "", "A fixed list of audio references."),
		constDef("Video", "Video", "video", defVideo, "A fixed video reference."),
		constDef("VideoList", "Video List", "list[video]", "", "A fixed list of video references."),
		constDef("Document", "Document", "document", defDocument, "A fixed document reference."),
		constDef("DataFrame", "Data Frame", "dataframe", DefDataFr, "A fixed table."),
		constDef("JSON", "JSON", "json", defJSONRef, "A fixed JSON reference."),
		constDef("Model3D", "Model 3D", "model_3d", defModel3D, "A fixed 3D model reference."),
		constDef("LanguageModelConstant", "Language Model Constant", "language_model", "", "A fixed language model selection."),
		constDef("ImageModelConstant", "Image Model Constant", "image_model", "", "A fixed image model selection."),
		constDef("VideoModelConstant", "Video Model Constant", "video_model", "", "A fixed video model selection."),
		constDef("TTSModelConstant", "TTSModel Constant", "tts_model", "", "A fixed text-to-speech model selection."),
		constDef("ASRModelConstant", "ASRModel Constant", "asr_model", "", "A fixed speech recognition model selection."),
		constDef("EmbeddingModelConstant", "Embedding Model Constant", "embedding_model", "", "A fixed embedding model selection."),
	}
	for _, d := range defs {
		switch d.Type {
		case "nodetool.constant.Float", "nodetool.constant.Integer", "nodetool.constant.String", "nodetool.constant.List":
		default:
			d.ExposeAsTool = true
		}
		if d.Props[0].Default == nil {
			d.Props[0].Required = true
		}
		r.Add(d)
	}
	sel := constDef("Select", "Select", "str", `""`, "A fixed choice from a list of options.")
	sel.Props[0] = withExtra(sel.Props[0], `{"type": "select"}`)
	sel.Props = append(sel.Props, engine.P("options", "list[str]", "[]", "The choices offered."), engine.P("enum_type_name", "str", `""`, "Enum type the options come from."))
	r.Add(sel)
	// Constant is the original's base class of the constants, listed in
	// its catalog: no value, no output.
	r.Add(&engine.NodeDef{
		Type:        "nodetool.constant.Constant",
		Description: "The base of the fixed-value nodes: it holds no value and produces nothing.",
		BasicFields: []string{},
		Role:        engine.RoleConstant,
		Process: func(_ *engine.Ctx, _ *engine.Inputs) (map[string]any, error) {
			return map[string]any{}, nil
		},
	})
	r.Add(&engine.NodeDef{
		Type: "nodetool.constant.ImageSize", Title: "Image Size", ExposeAsTool: true,
		Description: "A fixed image size, also split into width and height.",
		Props:       []engine.Prop{{Name: "value", Type: engine.MustType("image_size"), Description: "The size.", Required: true}},
		Outputs:     engine.Out("image_size", "image_size", "width", "int", "height", "int"),
		BasicFields: []string{"value"},
		Role:        engine.RoleConstant,
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			v := in.Dict("value")
			w, _ := v.Get("width")
			h, _ := v.Get("height")
			return map[string]any{"image_size": in.Get("value"), "width": w, "height": h}, nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:        "nodetool.constant.Date",
		Description: "A fixed calendar date.",
		Props: []engine.Prop{
			engine.P("year", "int", "1900", "Year.").Range(1, 9999),
			engine.P("month", "int", "1", "Month (1-12).").Range(1, 12),
			engine.P("day", "int", "1", "Day of the month.").Range(1, 31),
		},
		Outputs: engine.Out("output", "date"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			y, m, d := in.Int("year"), in.Int("month"), in.Int("day")
			if err := checkDate(y, m, d); err != nil {
				return nil, err
			}
			return engine.Single(pyval.DictOf("type", "date", "year", y, "month", m, "day", d)), nil
		},
	})
	r.Add(&engine.NodeDef{
		Type:         "nodetool.constant.DateTime",
		Description:  "A fixed date and time with a time zone.",
		ExposeAsTool: true,
		Props: []engine.Prop{
			engine.P("year", "int", "1900", "Year.").Range(1, 9999),
			engine.P("month", "int", "1", "Month (1-12).").Range(1, 12),
			engine.P("day", "int", "1", "Day of the month.").Range(1, 31),
			engine.P("hour", "int", "0", "Hour (0-23).").Range(0, 23),
			engine.P("minute", "int", "0", "Minute.").Range(0, 59),
			engine.P("second", "int", "0", "Second.").Range(0, 59),
			engine.P("millisecond", "int", "0", "Millisecond.").Range(0, 999),
			engine.P("tzinfo", "str", `"UTC"`, "Time zone name."),
			engine.P("utc_offset", "int", "0", "Offset from UTC in minutes.").Range(-720, 840),
		},
		Outputs: engine.Out("output", "datetime"),
		Process: func(_ *engine.Ctx, in *engine.Inputs) (map[string]any, error) {
			y, m, d := in.Int("year"), in.Int("month"), in.Int("day")
			if err := checkDate(y, m, d); err != nil {
				return nil, err
			}
			checks := []struct {
				name   string
				hi     int64
				factor int64
			}{{"hour", 23, 1}, {"minute", 59, 1}, {"second", 59, 1}, {"millisecond", 999, 1}}
			for _, c := range checks {
				if v := in.Int(c.name); v < 0 || v > c.hi {
					return nil, fmt.Errorf("%s must be in 0..%d, got %d", c.name, c.hi, v)
				}
			}
			return engine.Single(pyval.DictOf("type", "datetime", "year", y, "month", m, "day", d,
				"hour", in.Int("hour"), "minute", in.Int("minute"), "second", in.Int("second"),
				"microsecond", in.Int("millisecond")*1000, "tzinfo", in.Str("tzinfo"),
				"utc_offset", in.Int("utc_offset")*60)), nil
		},
	})
}

func checkDate(y, m, d int64) error {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 {
		return fmt.Errorf("invalid date %04d-%02d-%02d", y, m, d)
	}
	t := time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC)
	if t.Day() != int(d) {
		return fmt.Errorf("invalid date %04d-%02d-%02d: day is out of range for month", y, m, d)
	}
	return nil
}
