package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// maxRequestBytes is what a bot may upload in one request (50 MB of file
// plus room for the other fields); more gives 413 like the real server.
const maxRequestBytes = 50<<20 + 1<<20

// params are the parameters of one API call, whatever way they came:
// the query string, a form, a multipart form or a JSON object. JSON values
// that are not strings are kept as their JSON text, so "reply_markup" reads
// the same whether it was sent as an object or as a JSON-encoded string.
type params struct {
	vals  map[string]string
	files map[string]*upload
}

type upload struct {
	name string
	data []byte
}

func (p *params) get(key string) (string, bool) {
	v, ok := p.vals[key]
	return v, ok
}

func (p *params) str(key string) string { return p.vals[key] }

func (p *params) int64(key string) (int64, bool) {
	v, ok := p.vals[key]
	if !ok || v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

func (p *params) int(key string) (int, bool) {
	n, ok := p.int64(key)
	return int(n), ok
}

func (p *params) bool(key string) bool {
	switch strings.ToLower(strings.TrimSpace(p.vals[key])) {
	case "true", "1":
		return true
	}
	return false
}

func parseParams(w http.ResponseWriter, r *http.Request) (*params, *apiError) {
	p := &params{vals: map[string]string{}, files: map[string]*upload{}}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			p.vals[k] = v[0]
		}
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return p, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	tooLarge := func(err error) *apiError {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &apiError{code: http.StatusRequestEntityTooLarge, desc: "Request Entity Too Large"}
		}
		return nil
	}
	switch ct {
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			if e := tooLarge(err); e != nil {
				return nil, e
			}
			return nil, badRequest("can't read request body")
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return p, nil
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, badRequest("can't parse JSON object")
		}
		for k, raw := range obj {
			raw = bytes.TrimSpace(raw)
			if string(raw) == "null" {
				continue
			}
			var s string
			if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
				p.vals[k] = s
			} else {
				p.vals[k] = string(raw)
			}
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			if e := tooLarge(err); e != nil {
				return nil, e
			}
			return nil, badRequest("can't parse form")
		}
		for k, v := range r.PostForm {
			if len(v) > 0 {
				p.vals[k] = v[0]
			}
		}
	case "multipart/form-data":
		if ctParams["boundary"] == "" {
			return nil, badRequest("can't parse multipart form")
		}
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, badRequest("can't parse multipart form")
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				if e := tooLarge(err); e != nil {
					return nil, e
				}
				return nil, badRequest("can't parse multipart form")
			}
			data, err := io.ReadAll(part)
			if err != nil {
				if e := tooLarge(err); e != nil {
					return nil, e
				}
				return nil, badRequest("can't parse multipart form")
			}
			name := part.FormName()
			if fn := part.FileName(); fn != "" {
				// tgbotapi's FilePath sends the whole local path.
				p.files[name] = &upload{name: path.Base(strings.ReplaceAll(fn, "\\", "/")), data: data}
				continue
			}
			p.vals[name] = string(data)
		}
	default:
		// Like the real server, a body of another type carries no parameters.
		_, _ = io.Copy(io.Discard, r.Body)
	}
	return p, nil
}
