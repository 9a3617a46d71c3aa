package editor

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"nodetool/httpapi"
	"nodetool/lang/pyval"
)

// The not-found errors of the editor's objects, with their client messages.
var (
	errParentNotFound   = httpapi.Errorf(httpapi.NotFound, "Parent folder not found")
	errWorkflowNotFound = httpapi.Errorf(httpapi.NotFound, "Workflow not found")
	errThreadNotFound   = httpapi.Errorf(httpapi.NotFound, "Thread not found")
)

// invalid is a well-formed request that breaks a rule (httpapi.Invalid,
// 422). Its message must be safe to show.
func invalid(format string, args ...any) error {
	return httpapi.Errorf(httpapi.Invalid, format, args...)
}

// malformed is a request that cannot be parsed (httpapi.Malformed, 400).
// Its message must be safe to show.
func malformed(format string, args ...any) error {
	return httpapi.Errorf(httpapi.Malformed, format, args...)
}

// fail answers a handler's error through the one error table
// (httpapi.WriteError): its kind's status and safe message; the cause of
// an internal error goes to the log only.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	httpapi.WriteError(w, r, s.log, err)
}

// decodeJSON decodes one JSON value from data into v. Malformed JSON and
// trailing data are 400s; a value of the wrong type is a 422 naming the
// field. Unknown fields are ignored, as NodeTool's pydantic models ignore
// them (its clients send whole objects where a request needs a few fields).
//
// The body is first checked against the decoding limits (depth, and values
// for its size: httpapi.CheckJSON), which bound what encoding/json builds.
func decodeJSON(data []byte, v any) error {
	if err := httpapi.CheckJSON(data); err != nil {
		var lim *pyval.LimitError
		if errors.As(err, &lim) {
			return lim
		}
		if len(bytes.TrimSpace(data)) == 0 {
			return malformed("the request body is empty: send a JSON object")
		}
		return malformed("malformed JSON: %s", strings.TrimPrefix(err.Error(), "invalid JSON: "))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			if te.Field != "" {
				return invalid("field %q must be %s", te.Field, jsonKind(te.Type.Kind().String()))
			}
			return invalid("the body must be a JSON object")
		}
		if err == io.EOF {
			return malformed("the request body is empty: send a JSON object")
		}
		return malformed("malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return malformed("malformed JSON: unexpected data after the JSON value")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "a list"
	case "map", "struct":
		return "an object"
	case "ptr":
		return "of another type"
	}
	return "a number"
}

// readJSON reads a bounded request body and decodes it into v, answering
// the request itself on failure (TooLarge, Malformed or Invalid).
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := httpapi.ReadBody(w, r, s.d.MaxBody)
	if !ok {
		return false
	}
	if err := decodeJSON(body, v); err != nil {
		s.fail(w, r, err)
		return false
	}
	return true
}

// isObjectOrNull reports whether raw, a valid JSON value or nothing, is an
// object or null.
func isObjectOrNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || t[0] == '{' || string(t) == "null"
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// isEmptyObject reports whether raw is null, absent or {}: the values
// NodeTool's "only truthy values are applied" rule skips.
func isEmptyObject(raw json.RawMessage) bool {
	if isNull(raw) {
		return true
	}
	var m map[string]json.RawMessage
	return json.Unmarshal(raw, &m) == nil && len(m) == 0
}

// keyset returns one page of items, which are sorted by id ascending:
// those after cursor in id order, or, with reverse, those before cursor in
// descending order (so paging backwards works, unlike NodeTool's, which
// always filtered with id > cursor). next is the cursor of the following
// page: the id of the page's last item, or "" when no items follow.
func keyset[T any](items []T, id func(T) string, cursor string, limit int, reverse bool) (page []T, next string) {
	page = []T{}
	if !reverse {
		for _, it := range items {
			if cursor != "" && id(it) <= cursor {
				continue
			}
			if len(page) == limit {
				return page, id(page[len(page)-1])
			}
			page = append(page, it)
		}
		return page, ""
	}
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		if cursor != "" && id(it) >= cursor {
			continue
		}
		if len(page) == limit {
			return page, id(page[len(page)-1])
		}
		page = append(page, it)
	}
	return page, ""
}

// pageSize reads a page size parameter: a positive integer, def when
// absent, capped at most.
func (s *Server) pageSize(w http.ResponseWriter, r *http.Request, name string, def, most int) (int, bool) {
	n, ok := s.limitParam(w, r, name, def)
	return min(n, most), ok
}

// boolParam reads an optional boolean query parameter the way FastAPI does
// (true/false, 1/0, yes/no, on/off).
func (s *Server) boolParam(w http.ResponseWriter, r *http.Request, name string) (bool, bool) {
	switch strings.ToLower(r.URL.Query().Get(name)) {
	case "", "false", "0", "no", "off":
		return false, true
	case "true", "1", "yes", "on":
		return true, true
	}
	s.fail(w, r, invalid("%s must be true or false", name))
	return false, false
}
