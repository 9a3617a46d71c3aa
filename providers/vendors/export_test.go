package vendors

// The answer parsers, for the fuzz targets.

// ParseKieRecord reads a recordInfo answer of status and body.
func ParseKieRecord(status int, body []byte, key string) (target, state string, err error) {
	k := &Kie{service: &service{name: "kie.ai"}}
	return k.record(&answer{status: status, body: body}, "m", "task_1", apiKey(key))
}

// ParseFalStatus reads a status answer of status and body.
func ParseFalStatus(status int, body []byte, key string) (bool, string, error) {
	f := &Fal{service: &service{name: "fal.ai"}}
	return f.status(&answer{status: status, body: body}, "m", "r1", apiKey(key))
}

// DecodeDataURI decodes a data: URI within limit.
func DecodeDataURI(uri string, limit int64) ([]byte, error) {
	return dataURI(uri, limit, func(status int, msg string, err error) error {
		return &Error{Service: "x", Status: status, Message: msg, Err: err}
	})
}
