// Code generated from NodeTool's node metadata (names, types, defaults,
// titles); DO NOT EDIT.

package video

import "nodetool/engine"

// catalog are the node types of this package as the catalog declares them,
// without their functions.
func catalog() []*engine.NodeDef {
	return []*engine.NodeDef{
		{
			Type: "nodetool.video.AddAudio", Title: "Add Audio",
			Description: "Add an audio track to a video, replacing or mixing with existing audio.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to add audio to.").Titled("Video"),
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio file to add to the video.").Titled("Audio"),
				engine.P("volume", "float", "1.0", "Volume adjustment for the added audio. 1.0 is original volume.").Range(0.0, 2.0).Titled("Volume"),
				engine.P("mix", "bool", "false", "If True, mix new audio with existing. If False, replace existing audio.").Titled("Mix"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "audio", "volume", "mix"},
		},
		{
			Type: "nodetool.video.AddSubtitles", Title: "Add Subtitles",
			Description: "Add subtitles to a video.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to add subtitles to.").Titled("Video"),
				engine.P("chunks", "list[audio_chunk]", "[]", "Audio chunks to add as subtitles.").Titled("Chunks"),
				engine.P("font", "font", "{\"type\": \"font\", \"name\": \"\", \"source\": \"system\", \"url\": \"\", \"weight\": \"regular\"}", "The font to use.").Titled("Font"),
				engine.P("align", "enum(top,center,bottom)", "\"bottom\"", "Vertical alignment of subtitles.").Enum("nodetool.nodes.nodetool.video.AddSubtitles.SubtitleTextAlignment").Titled("Align"),
				engine.P("font_size", "int", "24", "The font size.").Range(1.0, 72.0).Titled("Font Size"),
				engine.P("font_color", "color", "{\"type\": \"color\", \"value\": \"#FFFFFF\"}", "The font color.").Titled("Font Color"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "chunks", "font", "align", "font_size", "font_color"},
		},
		{
			Type: "nodetool.video.Blur", Title: "Blur",
			Description: "Apply a blur effect to a video.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to apply blur effect.").Titled("Video"),
				engine.P("strength", "float", "5.0", "The strength of the blur effect. Higher values create a stronger blur.").Range(0.0, 20.0).Titled("Strength"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "strength"},
		},
		{
			Type: "nodetool.video.ChromaKey", Title: "Chroma Key",
			Description: "Apply chroma key (green screen) effect to a video.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to apply chroma key effect.").Titled("Video"),
				engine.P("key_color", "color", "{\"type\": \"color\", \"value\": \"#00FF00\"}", "The color to key out (e.g., '#00FF00' for green).").Titled("Key Color"),
				engine.P("similarity", "float", "0.3", "Similarity threshold for the key color.").Range(0.0, 1.0).Titled("Similarity"),
				engine.P("blend", "float", "0.1", "Blending of the keyed area edges.").Range(0.0, 1.0).Titled("Blend"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "key_color", "similarity", "blend"},
		},
		{
			Type: "nodetool.video.ColorBalance", Title: "Color Balance",
			Description: "Adjust the color balance of a video.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to adjust color balance.").Titled("Video"),
				engine.P("red_adjust", "float", "1.0", "Red channel adjustment factor.").Range(0.0, 2.0).Titled("Red Adjust"),
				engine.P("green_adjust", "float", "1.0", "Green channel adjustment factor.").Range(0.0, 2.0).Titled("Green Adjust"),
				engine.P("blue_adjust", "float", "1.0", "Blue channel adjustment factor.").Range(0.0, 2.0).Titled("Blue Adjust"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "red_adjust", "green_adjust", "blue_adjust"},
		},
		{
			Type: "nodetool.video.Concat", Title: "Concat",
			Description: "Concatenate multiple video files into a single video, including audio when available.",
			Props: []engine.Prop{
				engine.P("video_a", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The first video to concatenate.").Titled("Video A"),
				engine.P("video_b", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The second video to concatenate.").Titled("Video B"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video_a", "video_b"},
		},
		{
			Type: "nodetool.video.Denoise", Title: "Denoise",
			Description: "Apply noise reduction to a video.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to denoise.").Titled("Video"),
				engine.P("strength", "float", "5.0", "Strength of the denoising effect. Higher values mean more denoising.").Range(0.0, 20.0).Titled("Strength"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "strength"},
		},
		{
			Type: "nodetool.video.ExtractAudio", Title: "Extract Audio",
			Description: "Separate and extract audio track from a video file.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to separate.").Titled("Video"),
			},
			Outputs:     engine.Out("output", "audio"),
			BasicFields: []string{"video"},
		},
		{
			Type: "nodetool.video.ExtractFrame", Title: "Extract Frame",
			Description: "Extract a single frame from a video at a specific time position.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to extract a frame from.").Titled("Video"),
				engine.P("time", "float", "0.0", "Time position in seconds to extract the frame from.").Titled("Time"),
			},
			Outputs:     engine.Out("output", "image"),
			BasicFields: []string{"video", "time"},
		},
		{
			Type: "nodetool.video.Fps", Title: "Fps",
			Description: "Get the frames per second (FPS) of a video file.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to analyze for FPS.").Titled("Video"),
			},
			Outputs:     engine.Out("output", "float"),
			BasicFields: []string{"video"},
		},
		{
			Type: "nodetool.video.FrameIterator", Title: "Frame Iterator",
			Description: "Extract frames from a video file using OpenCV.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to extract frames from.").Titled("Video"),
				engine.P("start", "int", "0", "The frame to start extracting from.").Titled("Start"),
				engine.P("end", "int", "-1", "The frame to stop extracting from.").Titled("End"),
			},
			Outputs:         engine.Out("frame", "image", "index", "int", "fps", "float"),
			BasicFields:     []string{"video", "start", "end"},
			StreamingOutput: true,
		},
		{
			Type: "nodetool.video.FrameToVideo", Title: "Frame To Video",
			Description: "Combine a sequence of frames into a single video file.",
			Props: []engine.Prop{
				engine.P("frame", "image", "{\"type\": \"image\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "Collect input frames").Titled("Frame"),
				engine.P("fps", "float", "30", "The FPS of the output video.").Titled("Fps"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"frame", "fps"},
		},
		{
			Type: "nodetool.video.GetVideoInfo", Title: "Get Video Info",
			Description: "Get metadata information about a video file.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to analyze.").Titled("Video"),
			},
			Outputs:     engine.Out("duration", "float", "width", "int", "height", "int", "fps", "float", "frame_count", "int", "codec", "str", "has_audio", "bool"),
			BasicFields: []string{"video"},
		},
		{
			Type: "nodetool.video.ImageToVideo", Title: "Image To Video",
			Description: "Generate videos from input images using any supported video provider.",
			Props: []engine.Prop{
				engine.P("image", "image", "{\"type\": \"image\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The input image to animate into a video").Titled("Image"),
				engine.P("model", "video_model", "{\"type\": \"video_model\", \"provider\": \"gemini\", \"id\": \"veo-3.1-generate-preview\", \"name\": \"Veo 3.1 Preview\", \"path\": null, \"supported_tasks\": []}", "The video generation model to use").Titled("Model"),
				engine.P("prompt", "str", "\"\"", "Optional text prompt to guide the video animation").Titled("Prompt"),
				engine.P("negative_prompt", "str", "\"\"", "Text prompt describing what to avoid in the video").Titled("Negative Prompt"),
				engine.P("aspect_ratio", "enum(16:9,9:16,1:1,4:3,3:4)", "\"16:9\"", "Aspect ratio for the video").Enum("nodetool.nodes.nodetool.video.ImageToVideo.AspectRatio").Titled("Aspect Ratio"),
				engine.P("resolution", "enum(480p,720p,1080p)", "\"720p\"", "Video resolution").Enum("nodetool.nodes.nodetool.video.ImageToVideo.Resolution").Titled("Resolution"),
				engine.P("num_frames", "int", "60", "Number of frames to generate (provider-specific)").Range(1.0, 300.0).Titled("Num Frames"),
				engine.P("guidance_scale", "float", "7.5", "Classifier-free guidance scale (higher = closer to prompt)").Range(0.0, 30.0).Titled("Guidance Scale"),
				engine.P("num_inference_steps", "int", "30", "Number of denoising steps").Range(1.0, 100.0).Titled("Num Inference Steps"),
				engine.P("seed", "int", "-1", "Random seed for reproducibility (-1 for random)").Titled("Seed"),
				engine.P("timeout_seconds", "int", "0", "Timeout in seconds for API calls (0 = use provider default)").Range(0.0, 7200.0).Titled("Timeout Seconds"),
			},
			Outputs:      engine.Out("output", "video"),
			BasicFields:  []string{"image", "model", "prompt", "aspect_ratio", "resolution", "seed"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.video.LoadVideoAssets", Title: "Load Video Folder",
			Description: "Load video files from an asset folder.",
			Props: []engine.Prop{
				engine.P("folder", "folder", "{\"type\": \"folder\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The asset folder to load the video files from.").Titled("Folder"),
			},
			Outputs:         engine.Out("video", "video", "name", "str"),
			BasicFields:     []string{"folder"},
			StreamingOutput: true,
		},
		{
			Type: "nodetool.video.LoadVideoFile", Title: "Load Video File",
			Description: "Read a video file from disk.",
			Props: []engine.Prop{
				engine.P("path", "str", "\"\"", "Path to the video file to read").Titled("Path"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"path"},
		},
		{
			Type: "nodetool.video.Overlay", Title: "Overlay",
			Description: "Overlay one video on top of another, including audio overlay when available.",
			Props: []engine.Prop{
				engine.P("main_video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The main (background) video.").Titled("Main Video"),
				engine.P("overlay_video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The video to overlay on top.").Titled("Overlay Video"),
				engine.P("x", "int", "0", "X-coordinate for overlay placement.").Titled("X"),
				engine.P("y", "int", "0", "Y-coordinate for overlay placement.").Titled("Y"),
				engine.P("scale", "float", "1.0", "Scale factor for the overlay video.").Titled("Scale"),
				engine.P("overlay_audio_volume", "float", "0.5", "Volume of the overlay audio relative to the main audio.").Range(0.0, 1.0).Titled("Overlay Audio Volume"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"main_video", "overlay_video", "x", "y", "scale", "overlay_audio_volume"},
		},
		{
			Type: "nodetool.video.Resize", Title: "Resize",
			Description: "Resize a video to a specific width and height.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to resize.").Titled("Video"),
				engine.P("width", "int", "-1", "The target width. Use -1 to maintain aspect ratio.").Titled("Width"),
				engine.P("height", "int", "-1", "The target height. Use -1 to maintain aspect ratio.").Titled("Height"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "width", "height"},
		},
		{
			Type: "nodetool.video.Reverse", Title: "Reverse",
			Description: "Reverse the playback of a video.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to reverse.").Titled("Video"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video"},
		},
		{
			Type: "nodetool.video.Rotate", Title: "Rotate",
			Description: "Rotate a video by a specified angle.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to rotate.").Titled("Video"),
				engine.P("angle", "float", "0.0", "The angle of rotation in degrees.").Range(-360.0, 360.0).Titled("Angle"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "angle"},
		},
		{
			Type: "nodetool.video.Saturation", Title: "Saturation",
			Description: "Adjust the color saturation of a video.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to adjust saturation.").Titled("Video"),
				engine.P("saturation", "float", "1.0", "Saturation level. 1.0 is original, <1 decreases saturation, >1 increases saturation.").Range(0.0, 3.0).Titled("Saturation"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "saturation"},
		},
		{
			Type: "nodetool.video.SaveVideo", Title: "Save Video Asset",
			Description: "Save a video to an asset folder.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The video to save.").Titled("Video"),
				engine.P("folder", "folder", "{\"type\": \"folder\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The asset folder to save the video in.").Titled("Folder"),
				engine.P("name", "str", "\"%Y-%m-%d-%H-%M-%S.mp4\"", "\n        Name of the output video.\n        You can use time and date variables to create unique names:\n        %Y - Year\n        %m - Month\n        %d - Day\n        %H - Hour\n        %M - Minute\n        %S - Second\n        ").Titled("Name"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "folder", "name"},
		},
		{
			Type: "nodetool.video.SaveVideoFile", Title: "Save Video File",
			Description: "Write a video file to disk.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The video to save").Titled("Video"),
				engine.P("folder", "str", "\"\"", "Folder where the file will be saved").Titled("Folder"),
				engine.P("filename", "str", "\"\"", "\n        Name of the file to save.\n        You can use time and date variables to create unique names:\n        %Y - Year\n        %m - Month\n        %d - Day\n        %H - Hour\n        %M - Minute\n        %S - Second\n        ").Titled("Filename"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "folder", "filename"},
		},
		{
			Type: "nodetool.video.SetSpeed", Title: "Set Speed",
			Description: "Adjust the playback speed of a video.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to adjust speed.").Titled("Video"),
				engine.P("speed_factor", "float", "1.0", "The speed adjustment factor. Values > 1 speed up, < 1 slow down.").Titled("Speed Factor"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "speed_factor"},
		},
		{
			Type: "nodetool.video.Sharpness", Title: "Sharpness",
			Description: "Adjust the sharpness of a video.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to sharpen.").Titled("Video"),
				engine.P("luma_amount", "float", "1.0", "Amount of sharpening to apply to luma (brightness) channel.").Range(0.0, 3.0).Titled("Luma Amount"),
				engine.P("chroma_amount", "float", "0.5", "Amount of sharpening to apply to chroma (color) channels.").Range(0.0, 3.0).Titled("Chroma Amount"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "luma_amount", "chroma_amount"},
		},
		{
			Type: "nodetool.video.Stabilize", Title: "Stabilize",
			Description: "Apply video stabilization to reduce camera shake and jitter.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to stabilize.").Titled("Video"),
				engine.P("smoothing", "float", "10.0", "Smoothing strength. Higher values result in smoother but potentially more cropped video.").Range(1.0, 100.0).Titled("Smoothing"),
				engine.P("crop_black", "bool", "true", "Whether to crop black borders that may appear after stabilization.").Titled("Crop Black"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "smoothing", "crop_black"},
		},
		{
			Type: "nodetool.video.TextToVideo", Title: "Text To Video",
			Description: "Generate videos from text prompts using any supported video provider. Automatically routes to the appropriate backend (Gemini Veo, HuggingFace).",
			Props: []engine.Prop{
				engine.P("model", "video_model", "{\"type\": \"video_model\", \"provider\": \"gemini\", \"id\": \"veo-3.1-generate-preview\", \"name\": \"Veo 3.1 Preview\", \"path\": null, \"supported_tasks\": []}", "The video generation model to use").Titled("Model"),
				engine.P("prompt", "str", "\"A cat playing with a ball of yarn\"", "Text prompt describing the desired video").Titled("Prompt"),
				engine.P("negative_prompt", "str", "\"\"", "Text prompt describing what to avoid in the video").Titled("Negative Prompt"),
				engine.P("aspect_ratio", "enum(16:9,9:16,1:1,4:3,3:4)", "\"16:9\"", "Aspect ratio for the video").Enum("nodetool.nodes.nodetool.video.TextToVideo.AspectRatio").Titled("Aspect Ratio"),
				engine.P("resolution", "enum(480p,720p,1080p)", "\"720p\"", "Video resolution").Enum("nodetool.nodes.nodetool.video.TextToVideo.Resolution").Titled("Resolution"),
				engine.P("num_frames", "int", "60", "Number of frames to generate (provider-specific)").Range(1.0, 300.0).Titled("Num Frames"),
				engine.P("guidance_scale", "float", "7.5", "Classifier-free guidance scale (higher = closer to prompt)").Range(0.0, 30.0).Titled("Guidance Scale"),
				engine.P("num_inference_steps", "int", "30", "Number of denoising steps").Range(1.0, 100.0).Titled("Num Inference Steps"),
				engine.P("seed", "int", "-1", "Random seed for reproducibility (-1 for random)").Titled("Seed"),
				engine.P("timeout_seconds", "int", "0", "Timeout in seconds for API calls (0 = use provider default)").Range(0.0, 7200.0).Titled("Timeout Seconds"),
			},
			Outputs:      engine.Out("output", "video"),
			BasicFields:  []string{"model", "prompt", "aspect_ratio", "resolution", "seed"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.video.Transition", Title: "Transition",
			Description: "Create a transition effect between two videos, including audio transition when available.",
			Props: []engine.Prop{
				engine.P("video_a", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The first video in the transition.").Titled("Video A"),
				engine.P("video_b", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The second video in the transition.").Titled("Video B"),
				engine.P("transition_type", "enum(fade,wipeleft,wiperight,wipeup,wipedown,slideleft,slideright,slideup,slidedown,circlecrop,rectcrop,distance,fadeblack,fadewhite,radial,smoothleft,smoothright,smoothup,smoothdown,circleopen,circleclose,vertopen,vertclose,horzopen,horzclose,dissolve,pixelize,diagtl,diagtr,diagbl,diagbr,hlslice,hrslice,vuslice,vdslice,hblur,fadegrays,wipetl,wipetr,wipebl,wipebr,squeezeh,squeezev,zoomin,fadefast,fadeslow,hlwind,hrwind,vuwind,vdwind,coverleft,coverright,coverup,coverdown,revealleft,revealright,revealup,revealdown)", "\"fade\"", "Type of transition effect").Enum("nodetool.nodes.nodetool.video.Transition.TransitionType").Titled("Transition Type"),
				engine.P("duration", "float", "1.0", "Duration of the transition effect in seconds.").Range(0.1, 5.0).Titled("Duration"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video_a", "video_b", "transition_type", "duration"},
		},
		{
			Type: "nodetool.video.Trim", Title: "Trim",
			Description: "Trim a video to a specific start and end time.",
			Props: []engine.Prop{
				engine.P("video", "video", "{\"type\": \"video\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null, \"duration\": null, \"format\": null}", "The input video to trim.").Titled("Video"),
				engine.P("start_time", "float", "0.0", "The start time in seconds for the trimmed video.").Titled("Start Time"),
				engine.P("end_time", "float", "-1.0", "The end time in seconds for the trimmed video. Use -1 for the end of the video.").Titled("End Time"),
			},
			Outputs:     engine.Out("output", "video"),
			BasicFields: []string{"video", "start_time", "end_time"},
		},
	}
}
