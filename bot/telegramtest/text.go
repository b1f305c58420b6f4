package telegramtest

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Entity is a message entity as the Bot API describes it. Offset and Length
// count UTF-16 code units, like the real API.
type Entity struct {
	Type     string `json:"type"`
	Offset   int    `json:"offset"`
	Length   int    `json:"length"`
	URL      string `json:"url,omitempty"`
	Language string `json:"language,omitempty"`
	// User is set for text_mention entities (<a href="tg://user?id=N">).
	User *EntityUser `json:"user,omitempty"`
	// CustomEmojiID is set for custom_emoji entities (<tg-emoji emoji-id="N">).
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

// EntityUser is the user a text_mention entity points at.
type EntityUser struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
}

const (
	maxTextRunes    = 4096
	maxCaptionRunes = 1024
)

// formatText turns the text, parse_mode and entities parameters of a request
// into the text the user sees and its entities, like the Bot API server and
// TDLib do: HTML is parsed (tdlib's parse_html), then the result is trimmed.
// Length limits are checked by the caller, after the chat is resolved.
func formatText(text, parseMode, entitiesJSON string) (string, []Entity, *apiError) {
	if !utf8.ValidString(text) {
		return "", nil, badRequest("text must be encoded in UTF-8")
	}
	var ents []Entity
	switch strings.ToLower(parseMode) {
	case "":
		if entitiesJSON != "" {
			if err := json.Unmarshal([]byte(entitiesJSON), &ents); err != nil {
				return "", nil, badRequest("can't parse entities JSON object")
			}
			n := utf16Len(text)
			for _, e := range ents {
				if e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > n {
					return "", nil, badRequest("entity beginning or end is out of the text")
				}
			}
		}
	case "html":
		out, parsed, err := parseHTML(text)
		if err != nil {
			return "", nil, badRequest("can't parse entities: " + err.Error())
		}
		text, ents = out, parsed
	case "markdown", "markdownv2":
		return "", nil, badRequest("telegramtest does not emulate parse_mode " + strconv.Quote(parseMode) + "; use HTML")
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	text, ents = trimText(text, ents)
	return text, ents, nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r > 0xffff {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func isTrimSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', 0:
		return true
	}
	return false
}

// trimText removes leading and trailing white space and moves the entities
// with the text, dropping those left empty.
func trimText(text string, ents []Entity) (string, []Entity) {
	trimmedLeft := strings.TrimLeftFunc(text, isTrimSpace)
	lead := utf16Len(text[:len(text)-len(trimmedLeft)])
	out := strings.TrimRightFunc(trimmedLeft, isTrimSpace)
	n := utf16Len(out)
	var kept []Entity
	for _, e := range ents {
		start := e.Offset - lead
		end := e.Offset + e.Length - lead
		if start < 0 {
			start = 0
		}
		if end > n {
			end = n
		}
		if end <= start {
			continue
		}
		e.Offset, e.Length = start, end-start
		kept = append(kept, e)
	}
	return out, kept
}

type htmlError string

func (e htmlError) Error() string { return string(e) }

// tdlib's is_space: note that it counts the NUL byte, which ends the C string.
func htmlIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 || c == '\v'
}

func isASCIIAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }
func isASCIIAlnum(c byte) bool { return isASCIIAlpha(c) || isASCIIDigit(c) }

func hexValue(c byte) (uint32, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint32(c - '0'), true
	case c >= 'a' && c <= 'f':
		return uint32(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return uint32(c-'A') + 10, true
	}
	return 0, false
}

// appendCodePoint encodes code like tdlib's append_utf8_character_unsafe,
// which (unlike utf8.AppendRune) keeps lone surrogates as they are so that
// they can be rejected afterwards.
func appendCodePoint(b []byte, code uint32) []byte {
	switch {
	case code <= 0x7f:
		return append(b, byte(code))
	case code <= 0x7ff:
		return append(b, byte(0xc0|code>>6), byte(0x80|code&0x3f))
	case code <= 0xffff:
		return append(b, byte(0xe0|code>>12), byte(0x80|(code>>6)&0x3f), byte(0x80|code&0x3f))
	default:
		return append(b, byte(0xf0|code>>18), byte(0x80|(code>>12)&0x3f), byte(0x80|(code>>6)&0x3f), byte(0x80|code&0x3f))
	}
}

// decodeHTMLEntity decodes the character reference starting at text[pos]
// ('&'). It returns 0 when there is none; unknown named entities such as
// &nbsp; are not references and stay in the text literally, like on the
// real server.
func decodeHTMLEntity(text string, pos int) (uint32, int) {
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	end := pos + 1
	var res uint32
	if at(pos+1) == '#' {
		end++
		if at(pos+2) == 'x' {
			end++
			for {
				v, ok := hexValue(at(end))
				if !ok {
					break
				}
				res = res*16 + v
				end++
			}
		} else {
			for isASCIIDigit(at(end)) {
				res = res*10 + uint32(at(end)-'0')
				end++
			}
		}
		if res == 0 || res >= 0x10ffff || end-pos >= 10 {
			return 0, pos
		}
	} else {
		for isASCIIAlpha(at(end)) {
			end++
		}
		switch text[pos+1 : end] {
		case "lt":
			res = '<'
		case "gt":
			res = '>'
		case "amp":
			res = '&'
		case "quot":
			res = '"'
		default:
			return 0, pos
		}
	}
	if at(end) == ';' {
		end++
	}
	return res, end
}

var htmlTags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true, "s": true, "strike": true, "del": true,
	"u": true, "ins": true, "tg-spoiler": true, "tg-emoji": true, "span": true, "pre": true, "code": true,
	"blockquote": true,
}

// parseHTML is a port of tdlib's parse_html (td/telegram/MessageEntity.cpp),
// the parser behind parse_mode=HTML on the real Bot API server, with its
// error messages and byte offsets.
func parseHTML(text string) (string, []Entity, error) {
	n := len(text)
	at := func(i int) byte {
		if i < n {
			return text[i]
		}
		return 0
	}
	type openTag struct {
		tag, arg string
		off16    int
		outPos   int
	}
	out := make([]byte, 0, n)
	var stack []openTag
	var ents []Entity
	utf16 := 0
	recheck := false
	for i := 0; i < n; i++ {
		c := text[i]
		if c == '&' {
			if code, next := decodeHTMLEntity(text, i); code != 0 {
				utf16++
				if code > 0xffff {
					utf16++
				}
				if code >= 0xd800 && code <= 0xdfff {
					recheck = true
				}
				out = appendCodePoint(out, code)
				i = next - 1
				continue
			}
		}
		if c != '<' {
			if c&0xc0 != 0x80 {
				utf16++
				if c >= 0xf0 {
					utf16++
				}
			}
			out = append(out, c)
			continue
		}
		begin := i
		i++
		if at(i) != '/' {
			for !htmlIsSpace(at(i)) && at(i) != '>' {
				i++
			}
			if at(i) == 0 {
				return "", nil, htmlError("Unclosed start tag at byte offset " + strconv.Itoa(begin))
			}
			tag := strings.ToLower(text[begin+1 : i])
			if !htmlTags[tag] {
				return "", nil, htmlError("Unsupported start tag \"" + tag + "\" at byte offset " + strconv.Itoa(begin))
			}
			arg := ""
			for at(i) != '>' {
				for at(i) != 0 && htmlIsSpace(at(i)) {
					i++
				}
				if at(i) == '>' {
					break
				}
				attrBegin := i
				for !htmlIsSpace(at(i)) && at(i) != '=' && at(i) != '>' && at(i) != '/' && at(i) != '"' && at(i) != '\'' {
					i++
				}
				attr := text[attrBegin:min(i, n)]
				if attr == "" {
					return "", nil, htmlError("Empty attribute name in the tag \"" + tag + "\" at byte offset " + strconv.Itoa(begin))
				}
				for at(i) != 0 && htmlIsSpace(at(i)) {
					i++
				}
				if at(i) != '=' {
					if at(i) == 0 {
						return "", nil, htmlError("Unclosed start tag \"" + tag + "\" at byte offset " + strconv.Itoa(begin))
					}
					if tag == "blockquote" && attr == "expandable" {
						arg = "1"
					}
					continue
				}
				i++
				for at(i) != 0 && htmlIsSpace(at(i)) {
					i++
				}
				if at(i) == 0 {
					return "", nil, htmlError("Unclosed start tag \"" + tag + "\" at byte offset " + strconv.Itoa(begin))
				}
				var value string
				if at(i) != '\'' && at(i) != '"' {
					tokenBegin := i
					for isASCIIAlnum(at(i)) || at(i) == '.' || at(i) == '-' {
						i++
					}
					value = strings.ToLower(text[tokenBegin:i])
					if !htmlIsSpace(at(i)) && at(i) != '>' {
						return "", nil, htmlError("Unexpected end of name token at byte offset " + strconv.Itoa(tokenBegin))
					}
				} else {
					quote := at(i)
					i++
					var v []byte
					for at(i) != quote && at(i) != 0 {
						if at(i) == '&' {
							if code, next := decodeHTMLEntity(text, i); code != 0 {
								v = appendCodePoint(v, code)
								i = next
								continue
							}
						}
						v = append(v, at(i))
						i++
					}
					if at(i) == quote {
						i++
					}
					value = string(v)
				}
				if at(i) == 0 {
					return "", nil, htmlError("Unclosed start tag at byte offset " + strconv.Itoa(begin))
				}
				switch {
				case tag == "a" && attr == "href":
					arg = value
				case tag == "code" && attr == "class" && strings.HasPrefix(value, "language-"):
					arg = value[len("language-"):]
				case tag == "span" && attr == "class" && strings.HasPrefix(value, "tg-"):
					arg = value[len("tg-"):]
				case tag == "tg-emoji" && attr == "emoji-id":
					arg = value
				case tag == "blockquote" && attr == "expandable":
					arg = "1"
				}
			}
			if tag == "span" && arg != "spoiler" {
				return "", nil, htmlError("Tag \"span\" must have class \"tg-spoiler\" at byte offset " + strconv.Itoa(begin))
			}
			stack = append(stack, openTag{tag: tag, arg: arg, off16: utf16, outPos: len(out)})
			continue
		}
		// An end tag.
		if len(stack) == 0 {
			return "", nil, htmlError("Unexpected end tag at byte offset " + strconv.Itoa(begin))
		}
		for !htmlIsSpace(at(i)) && at(i) != '>' {
			i++
		}
		endTag := strings.ToLower(text[begin+2 : min(i, n)])
		for htmlIsSpace(at(i)) && at(i) != 0 {
			i++
		}
		if at(i) != '>' {
			return "", nil, htmlError("Unclosed end tag at byte offset " + strconv.Itoa(begin))
		}
		top := stack[len(stack)-1]
		if endTag != "" && endTag != top.tag {
			return "", nil, htmlError("Unmatched end tag at byte offset " + strconv.Itoa(begin) +
				", expected \"</" + top.tag + ">\", found \"</" + endTag + ">\"")
		}
		if utf16 > top.off16 {
			e := Entity{Offset: top.off16, Length: utf16 - top.off16}
			add := true
			switch top.tag {
			case "i", "em":
				e.Type = "italic"
			case "b", "strong":
				e.Type = "bold"
			case "s", "strike", "del":
				e.Type = "strikethrough"
			case "u", "ins":
				e.Type = "underline"
			case "tg-spoiler", "span":
				e.Type = "spoiler"
			case "tg-emoji":
				id, err := strconv.ParseInt(top.arg, 10, 64)
				if err != nil || id == 0 {
					return "", nil, htmlError("Invalid custom emoji identifier specified")
				}
				e.Type, e.CustomEmojiID = "custom_emoji", strconv.FormatInt(id, 10)
			case "a":
				url := top.arg
				if url == "" {
					url = string(out[top.outPos:])
				}
				if id, ok := strings.CutPrefix(url, "tg://user?id="); ok {
					uid, err := strconv.ParseInt(id, 10, 64)
					if err == nil && uid > 0 {
						e.Type, e.User = "text_mention", &EntityUser{ID: uid}
						break
					}
				}
				if strings.TrimSpace(url) == "" {
					add = false
					break
				}
				e.Type, e.URL = "text_link", url
			case "pre":
				if k := len(ents) - 1; k >= 0 && ents[k].Type == "code" && ents[k].Offset == e.Offset &&
					ents[k].Length == e.Length && ents[k].Language != "" {
					ents[k].Type = "pre"
					add = false
				} else {
					e.Type = "pre"
				}
			case "code":
				if k := len(ents) - 1; k >= 0 && ents[k].Type == "pre" && ents[k].Offset == e.Offset &&
					ents[k].Length == e.Length && top.arg != "" {
					ents[k].Language = top.arg
					add = false
				} else {
					// Language is kept only until a surrounding <pre> claims it.
					e.Type, e.Language = "code", top.arg
				}
			case "blockquote":
				e.Type = "blockquote"
				if top.arg != "" {
					e.Type = "expandable_blockquote"
				}
			}
			if add {
				ents = append(ents, e)
			}
		}
		stack = stack[:len(stack)-1]
	}
	if len(stack) > 0 {
		return "", nil, htmlError("Can't find end tag corresponding to start tag \"" + stack[len(stack)-1].tag + "\"")
	}
	for k := range ents {
		if ents[k].Type == "code" {
			ents[k].Language = ""
		}
	}
	sort.SliceStable(ents, func(a, b int) bool {
		if ents[a].Offset != ents[b].Offset {
			return ents[a].Offset < ents[b].Offset
		}
		return ents[a].Length > ents[b].Length
	})
	if recheck && !utf8.Valid(out) {
		return "", nil, htmlError("Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units")
	}
	return string(out), ents, nil
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r)
}

func isCommandByte(c byte) bool { return isASCIIAlnum(c) || c == '_' }

// botCommandEntities finds bot commands the way the real server does
// (tdlib's match_bot_commands), so "/start abc" gets a bot_command entity
// at offset 0 and "/rank@partyquiz_bot" one covering the mention.
func botCommandEntities(text string) []Entity {
	var ents []Entity
	n := len(text)
	p := 0
	for {
		k := strings.IndexByte(text[p:], '/')
		if k < 0 {
			break
		}
		p += k
		if p > 0 {
			prev, _ := utf8.DecodeLastRuneInString(text[:p])
			if isWordRune(prev) || prev == '/' || prev == '<' || prev == '>' {
				p++
				continue
			}
		}
		start := p
		p++
		cmdBegin := p
		for p < n && isCommandByte(text[p]) {
			p++
		}
		cmdEnd := p
		if size := cmdEnd - cmdBegin; size < 1 || size > 64 {
			continue
		}
		if p < n && text[p] == '@' {
			p++
			mb := p
			for p < n && isCommandByte(text[p]) {
				p++
			}
			if size := p - mb; size < 3 || size > 32 {
				continue
			}
			cmdEnd = p
		}
		if p < n {
			next, _ := utf8.DecodeRuneInString(text[p:])
			if isWordRune(next) || next == '/' || next == '<' || next == '>' {
				continue
			}
		}
		ents = append(ents, Entity{Type: "bot_command", Offset: utf16Len(text[:start]), Length: utf16Len(text[start:cmdEnd])})
	}
	return ents
}
