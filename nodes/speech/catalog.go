// Code generated from NodeTool's node metadata (names, types, defaults,
// titles); DO NOT EDIT.

package speech

import "nodetool/engine"

// catalog are the node types of this package as the catalog declares them,
// without their functions.
func catalog() []*engine.NodeDef {
	return []*engine.NodeDef{
		{
			Type: "huggingface.automatic_speech_recognition.ChunksToSRT", Title: "Chunks To SRT",
			Description: "Converts Whisper audio chunks to SubRip Subtitle (SRT) format for video captioning.",
			Props: []engine.Prop{
				engine.P("chunks", "list[audio_chunk]", "[]", "List of timestamped audio chunks from Whisper transcription output.").Titled("Audio Chunks"),
				engine.P("time_offset", "float", "0.0", "Offset in seconds to add to all timestamps (useful when audio is from a clip within a longer video).").Titled("Time Offset"),
			},
			Outputs:     engine.Out("output", "str"),
			BasicFields: []string{"chunks", "time_offset"},
		},
		{
			Type: "huggingface.automatic_speech_recognition.Whisper", Title: "Whisper",
			Description: "Converts speech to text using OpenAI's Whisper models with multilingual support.",
			Props: []engine.Prop{
				engine.P("model", "hf.automatic_speech_recognition", "{\"allow_patterns\": null, \"ignore_patterns\": null, \"path\": null, \"repo_id\": \"\", \"type\": \"hf.automatic_speech_recognition\", \"variant\": null}", "The Whisper model variant to use. Larger models (large-v3) offer better accuracy; smaller models (small, tiny) are faster. Turbo and Distil-Whisper variants balance speed and quality.").Titled("Model"),
				engine.P("audio", "audio", "{\"asset_id\": null, \"data\": null, \"metadata\": null, \"type\": \"audio\", \"uri\": \"\"}", "The audio file to transcribe. Supports WAV, MP3, FLAC and other common formats.").Titled("Audio Input"),
				engine.P("task", "enum(transcribe,translate)", "\"transcribe\"", "Choose 'transcribe' for speech-to-text in the original language, or 'translate' to convert any language to English.").Enum("nodetool.nodes.huggingface.automatic_speech_recognition.Task").Titled("Task"),
				engine.P("language", "enum(auto_detect,spanish,italian,korean,portuguese,english,japanese,german,russian,dutch,polish,catalan,french,indonesian,ukrainian,turkish,malay,swedish,mandarin,finnish,norwegian,romanian,thai,vietnamese,slovak,arabic,czech,croatian,greek,serbian,danish,bulgarian,hungarian,filipino,bosnian,galician,macedonian,hindi,estonian,slovenian,tamil,latvian,azerbaijani,urdu,lithuanian,hebrew,welsh,persian,icelandic,kazakh,afrikaans,kannada,marathi,swahili,telugu,maori,nepali,armenian,belarusian,gujarati,punjabi,bengali)", "\"auto_detect\"", "Specify the audio's language for better accuracy, or use 'auto_detect' to let the model identify it automatically.").Enum("nodetool.nodes.huggingface.automatic_speech_recognition.WhisperLanguage").Titled("Language"),
				engine.P("timestamps", "enum(none,word,sentence)", "\"none\"", "Choose 'word' for word-level timing, 'sentence' for phrase-level timing, or 'none' to disable timestamps.").Enum("nodetool.nodes.huggingface.automatic_speech_recognition.Timestamps").Titled("Timestamps"),
			},
			Outputs:     engine.Out("text", "str", "chunks", "list[audio_chunk]"),
			BasicFields: []string{"model", "audio", "task"},
		},
		{
			Type: "nodetool.text.AutomaticSpeechRecognition", Title: "Automatic Speech Recognition",
			Description: "Transcribe audio to text using automatic speech recognition models.",
			Props: []engine.Prop{
				engine.P("model", "asr_model", "{\"type\": \"asr_model\", \"provider\": \"fal_ai\", \"id\": \"openai/whisper-large-v3\", \"name\": \"\", \"path\": null}", "").Titled("Model"),
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio to transcribe").Titled("Audio"),
			},
			Outputs:      engine.Out("text", "str"),
			BasicFields:  []string{"model", "audio"},
			ExposeAsTool: true,
		},
		{
			Type: "openai.audio.TextToSpeech", Title: "Text To Speech",
			Description: "Converts text to speech using OpenAI TTS models.",
			Props: []engine.Prop{
				engine.P("model", "enum(tts-1,tts-1-hd,gpt-4o-mini-tts)", "\"tts-1\"", "").Enum("nodetool.nodes.openai.audio.TextToSpeech.TtsModel").Titled("Model"),
				engine.P("voice", "enum(alloy,ash,ballad,coral,echo,fable,onyx,nova,sage,shimmer,verse)", "\"alloy\"", "").Enum("nodetool.nodes.openai.audio.TextToSpeech.Voice").Titled("Voice"),
				engine.P("input", "str", "\"\"", "").Titled("Input"),
				engine.P("speed", "float", "1.0", "").Range(0.25, 4.0).Titled("Speed"),
			},
			Outputs:      engine.Out("output", "audio"),
			BasicFields:  []string{"input", "model", "voice"},
			ExposeAsTool: true,
		},
		{
			Type: "openai.audio.Transcribe", Title: "Transcribe",
			Description: "Converts speech to text using OpenAI's speech-to-text API.",
			Props: []engine.Prop{
				engine.P("model", "enum(whisper-1,gpt-4o-transcribe,gpt-4o-mini-transcribe)", "\"whisper-1\"", "The model to use for transcription.").Enum("nodetool.nodes.openai.audio.Transcribe.TranscriptionModel").Titled("Model"),
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio file to transcribe (max 25 MB).").Titled("Audio"),
				engine.P("language", "enum(auto_detect,af,ar,hy,az,be,bn,bs,bg,ca,hr,cs,da,nl,en,et,tl,fi,fr,gl,de,el,gu,he,hi,hu,is,id,it,ja,kn,kk,ko,lv,lt,mk,ms,zh,mi,mr,ne,no,fa,pl,pt,pa,ro,ru,sr,sk,sl,es,sw,sv,ta,te,th,tr,uk,ur,vi,cy)", "\"auto_detect\"", "The language of the input audio").Enum("nodetool.nodes.openai.audio.Transcribe.Language").Titled("Language"),
				engine.P("timestamps", "bool", "false", "Whether to return timestamps for the generated text.").Titled("Timestamps"),
				engine.P("prompt", "str", "\"\"", "Optional text to guide the model's style or continue a previous audio segment.").Titled("Prompt"),
				engine.P("temperature", "float", "0", "The sampling temperature between 0 and 1. Higher values like 0.8 will make the output more random, while lower values like 0.2 will make it more focused and deterministic.").Range(0.0, 1.0).Titled("Temperature"),
			},
			Outputs:      engine.Out("text", "str", "words", "list[audio_chunk]", "segments", "list[audio_chunk]"),
			BasicFields:  []string{"audio", "language", "timestamps"},
			ExposeAsTool: true,
		},
		{
			Type: "openai.audio.Translate", Title: "Translate",
			Description: "Translates speech in audio to English text.",
			Props: []engine.Prop{
				engine.P("audio", "audio", "{\"type\": \"audio\", \"uri\": \"\", \"asset_id\": null, \"data\": null, \"metadata\": null}", "The audio file to translate.").Titled("Audio"),
				engine.P("temperature", "float", "0.0", "The temperature to use for the translation.").Titled("Temperature"),
			},
			Outputs:      engine.Out("output", "str"),
			BasicFields:  []string{"audio", "temperature"},
			ExposeAsTool: true,
		},
	}
}
