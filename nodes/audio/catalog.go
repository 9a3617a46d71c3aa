// Code generated from NodeTool's node metadata (names, types, defaults,
// titles); DO NOT EDIT.

package audio

import "nodetool/engine"

// catalog are the node types of this package as the catalog declares them,
// without their functions.
func catalog() []*engine.NodeDef {
	return []*engine.NodeDef{
		{
			Type: "nodetool.audio.AudioMixer", Title: "Audio Mixer",
			Description: "Mix up to 5 audio tracks together with individual volume controls.",
			Props: []engine.Prop{
				engine.P("track1", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "First audio track to mix.").Titled("Track1"),
				engine.P("track2", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "Second audio track to mix.").Titled("Track2"),
				engine.P("track3", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "Third audio track to mix.").Titled("Track3"),
				engine.P("track4", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "Fourth audio track to mix.").Titled("Track4"),
				engine.P("track5", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "Fifth audio track to mix.").Titled("Track5"),
				engine.P("volume1", "float", "1.0", "Volume for track 1. 1.0 is original volume.").Range(0.0, 2.0).Titled("Volume1"),
				engine.P("volume2", "float", "1.0", "Volume for track 2. 1.0 is original volume.").Range(0.0, 2.0).Titled("Volume2"),
				engine.P("volume3", "float", "1.0", "Volume for track 3. 1.0 is original volume.").Range(0.0, 2.0).Titled("Volume3"),
				engine.P("volume4", "float", "1.0", "Volume for track 4. 1.0 is original volume.").Range(0.0, 2.0).Titled("Volume4"),
				engine.P("volume5", "float", "1.0", "Volume for track 5. 1.0 is original volume.").Range(0.0, 2.0).Titled("Volume5"),
			},
			Outputs:     engine.Out("output", "audio"),
			BasicFields: []string{"track1", "track2", "track3", "track4", "track5", "volume1", "volume2", "volume3", "volume4", "volume5"},
		},
		{
			Type: "nodetool.audio.AudioToNumpy", Title: "Audio To Numpy",
			Description: "Convert audio to numpy array for processing.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio to convert to numpy.").Titled("Audio"),
			},
			Outputs:     engine.Out("array", "np_array", "sample_rate", "int", "channels", "int"),
			BasicFields: []string{"audio"},
		},
		{
			Type: "nodetool.audio.ChunkToAudio", Title: "Chunk To Audio",
			Description: "Aggregates audio chunks from an input stream into AudioRef objects.",
			Props: []engine.Prop{
				engine.P("chunk", "chunk", "{\"type\": \"chunk\", \"node_id\": null, \"thread_id\": null, \"workflow_id\": null, \"content_type\": \"text\", \"content\": \"\", \"content_metadata\": {}, \"done\": false, \"thinking\": false}", "Stream of audio chunks").Titled("Chunk"),
				engine.P("batch_size", "int", "50", "Number of chunks to aggregate per output").Titled("Batch Size"),
			},
			Outputs:     engine.Out("audio", "audio"),
			BasicFields: []string{"chunk", "batch_size"},
		},
		{
			Type: "nodetool.audio.Concat", Title: "Concat",
			Description: "Concatenates two audio files together.",
			Props: []engine.Prop{
				engine.P("a", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The first audio file.").Titled("A"),
				engine.P("b", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The second audio file.").Titled("B"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"a", "b"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.ConcatList", Title: "Concat List",
			Description: "Concatenates multiple audio files together in sequence.",
			Props: []engine.Prop{
				engine.P("audio_files", "list[audio]", "[]", "List of audio files to concatenate in sequence.").Titled("Audio Files"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"audio_files"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.ConvertToArray", Title: "Convert To Array",
			Description: "Converts an audio file to a Array for further processing.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio file to convert to a tensor.").Titled("Audio"),
			},
			Outputs:     engine.Out("output", "np_array"),
			BasicFields: []string{"audio"},
		},
		{
			Type: "nodetool.audio.CreateSilence", Title: "Create Silence",
			Description: "Creates a silent audio file with a specified duration.",
			Props: []engine.Prop{
				engine.P("duration", "float", "1.0", "The duration of the silence in seconds.").Titled("Duration"),
			},
			Outputs:     engine.Out("output", "audio"),
			BasicFields: []string{"duration"},
		},
		{
			Type: "nodetool.audio.FadeIn", Title: "Fade In",
			Description: "Applies a fade-in effect to the beginning of an audio file.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio file to apply fade-in to.").Titled("Audio"),
				engine.P("duration", "float", "1.0", "Duration of the fade-in effect in seconds.").Titled("Duration"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"audio", "duration"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.FadeOut", Title: "Fade Out",
			Description: "Applies a fade-out effect to the end of an audio file.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio file to apply fade-out to.").Titled("Audio"),
				engine.P("duration", "float", "1.0", "Duration of the fade-out effect in seconds.").Titled("Duration"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"audio", "duration"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.LoadAudioAssets", Title: "Load Audio Assets",
			Description: "Load audio files from an asset folder.",
			Props: []engine.Prop{
				engine.P("folder", "folder", "{\"type\": \"folder\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The asset folder to load the audio files from.").Titled("Folder"),
			},
			Outputs:         engine.Out("audio", "audio", "name", "str"),
			BasicFields:     []string{"folder"},
			StreamingOutput: true,
		},
		{
			Type: "nodetool.audio.LoadAudioFile", Title: "Load Audio File",
			Description: "Read an audio file from disk.",
			Props: []engine.Prop{
				engine.P("path", "str", "\"\"", "Path to the audio file to read").Titled("Path"),
			},
			Outputs:     engine.Out("output", "audio"),
			BasicFields: []string{"path"},
		},
		{
			Type: "nodetool.audio.LoadAudioFolder", Title: "Load Audio Folder",
			Description: "Load all audio files from a folder, optionally including subfolders.",
			Props: []engine.Prop{
				engine.P("folder", "str", "\"\"", "Folder to scan for audio files").Titled("Folder"),
				engine.P("include_subdirectories", "bool", "false", "Include audio in subfolders").Titled("Include Subdirectories"),
				engine.P("extensions", "list[str]", "[\".mp3\", \".wav\", \".flac\", \".ogg\", \".m4a\", \".aac\"]", "Audio file extensions to include").Titled("Extensions"),
			},
			Outputs:         engine.Out("audio", "audio", "path", "str"),
			BasicFields:     []string{"folder", "include_subdirectories", "extensions"},
			StreamingOutput: true,
		},
		{
			Type: "nodetool.audio.MonoToStereo", Title: "Mono To Stereo",
			Description: "Converts a mono audio signal to stereo.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The mono audio file to convert.").Titled("Audio"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"audio"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.Normalize", Title: "Normalize",
			Description: "Normalizes the volume of an audio file.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio file to normalize.").Titled("Audio"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"audio"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.NumpyToAudio", Title: "Numpy To Audio",
			Description: "Convert numpy array to audio.",
			Props: []engine.Prop{
				engine.P("array", "np_array", "{\"type\": \"np_array\", \"value\": null, \"dtype\": \"<i8\", \"shape\": [1]}", "The numpy array to convert to audio.").Titled("Array"),
				engine.P("sample_rate", "int", "44100", "Sample rate in Hz.").Titled("Sample Rate"),
				engine.P("channels", "int", "1", "Number of audio channels (1 or 2).").Titled("Channels"),
			},
			Outputs:     engine.Out("output", "audio"),
			BasicFields: []string{"array", "sample_rate", "channels"},
		},
		{
			Type: "nodetool.audio.OverlayAudio", Title: "Overlay Audio",
			Description: "Overlays two audio files together.",
			Props: []engine.Prop{
				engine.P("a", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The first audio file.").Titled("A"),
				engine.P("b", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The second audio file.").Titled("B"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"a", "b"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.RemoveSilence", Title: "Remove Silence",
			Description: "Removes or shortens silence in an audio file with smooth transitions.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio file to process.").Titled("Audio"),
				engine.P("min_length", "int", "200", "Minimum length of silence to be processed (in milliseconds).").Range(0.0, 10000.0).Titled("Min Length"),
				engine.P("threshold", "int", "-40", "Silence threshold in dB (relative to full scale). Higher values detect more silence.").Range(-60.0, 0.0).Titled("Threshold"),
				engine.P("reduction_factor", "float", "1.0", "Factor to reduce silent parts (0.0 to 1.0). 0.0 keeps silence as is, 1.0 removes it completely.").Range(0.0, 1.0).Titled("Reduction Factor"),
				engine.P("crossfade", "int", "10", "Duration of crossfade in milliseconds to apply between segments for smooth transitions.").Range(0.0, 50.0).Titled("Crossfade"),
				engine.P("min_silence_between_parts", "int", "100", "Minimum silence duration in milliseconds to maintain between non-silent segments").Range(0.0, 500.0).Titled("Min Silence Between Parts"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"audio", "min_length", "threshold", "reduction_factor", "crossfade", "min_silence_between_parts"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.Repeat", Title: "Repeat",
			Description: "Loops an audio file a specified number of times.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio file to loop.").Titled("Audio"),
				engine.P("loops", "int", "2", "Number of times to loop the audio. Minimum 1 (plays once), maximum 100.").Range(1.0, 100.0).Titled("Loops"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"audio", "loops"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.Reverse", Title: "Reverse",
			Description: "Reverses an audio file.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio file to reverse.").Titled("Audio"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"audio"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.SaveAudio", Title: "Save Audio Asset",
			Description: "Save an audio file to a specified asset folder.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "").Titled("Audio"),
				engine.P("folder", "folder", "{\"type\": \"folder\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The asset folder to save the audio file to. ").Titled("Folder"),
				engine.P("name", "str", "\"%Y-%m-%d-%H-%M-%S.opus\"", "\n        The name of the audio file.\n        You can use time and date variables to create unique names:\n        %Y - Year\n        %m - Month\n        %d - Day\n        %H - Hour\n        %M - Minute\n        %S - Second\n        ").Titled("Name"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"audio", "folder", "name"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.SaveAudioFile", Title: "Save Audio File",
			Description: "Write an audio file to disk.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio to save").Titled("Audio"),
				engine.P("folder", "str", "\"\"", "Folder where the file will be saved").Titled("Folder"),
				engine.P("filename", "str", "\"\"", "\n        Name of the file to save.\n        You can use time and date variables to create unique names:\n        %Y - Year\n        %m - Month\n        %d - Day\n        %H - Hour\n        %M - Minute\n        %S - Second\n        ").Titled("Filename"),
				engine.P("FORMAT_MAP", "dict[str, str]", "{\".mp3\": \"mp3\", \".wav\": \"wav\", \".ogg\": \"ogg\", \".flac\": \"flac\", \".aac\": \"adts\", \".m4a\": \"ipod\"}", "").Titled("Format Map"),
			},
			Outputs:     engine.Out("output", "audio"),
			BasicFields: []string{"audio", "folder", "filename", "FORMAT_MAP"},
		},
		{
			Type: "nodetool.audio.SliceAudio", Title: "Slice Audio",
			Description: "Extracts a section of an audio file.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio file.").Titled("Audio"),
				engine.P("start", "float", "0.0", "The start time in seconds.").Titled("Start"),
				engine.P("end", "float", "1.0", "The end time in seconds.").Titled("End"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"audio", "start", "end"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.StereoToMono", Title: "Stereo To Mono",
			Description: "Converts a stereo audio signal to mono.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The stereo audio file to convert.").Titled("Audio"),
				engine.P("method", "str", "\"average\"", "Method to use for conversion: 'average', 'left', or 'right'.").Titled("Method"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"audio", "method"},
			ExposeAsTool: true,
		},
		{
			Type: "nodetool.audio.TextToSpeech", Title: "Text To Speech",
			Description: "Generate speech audio from text using any supported TTS provider. Automatically routes to the appropriate backend (OpenAI, HuggingFace, MLX).",
			Props: []engine.Prop{
				engine.P("model", "tts_model", "{\"type\": \"tts_model\", \"provider\": \"openai\", \"id\": \"tts-1\", \"name\": \"TTS 1\", \"path\": null, \"voices\": [\"alloy\", \"echo\", \"fable\", \"onyx\", \"nova\", \"shimmer\"], \"selected_voice\": \"\"}", "The text-to-speech model to use").Titled("Model"),
				engine.P("text", "str", "\"Hello! This is a text-to-speech demonstration.\"", "Text to convert to speech").Titled("Text"),
				engine.P("speed", "float", "1.0", "Speech speed multiplier (0.25 to 4.0)").Range(0.25, 4.0).Titled("Speed"),
			},
			Outputs:         engine.Out("audio", "audio", "chunk", "chunk"),
			BasicFields:     []string{"model", "text", "voice", "speed"},
			StreamingOutput: true,
			ExposeAsTool:    true,
		},
		{
			Type: "nodetool.audio.Trim", Title: "Trim",
			Description: "Trim an audio file to a specified duration.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio file to trim.").Titled("Audio"),
				engine.P("start", "float", "0.0", "The start time of the trimmed audio in seconds.").Titled("Start"),
				engine.P("end", "float", "0.0", "The end time of the trimmed audio in seconds.").Titled("End"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"audio", "start", "end"},
			ExposeAsTool: true,
		},
	}
}
