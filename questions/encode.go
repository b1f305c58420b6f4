package questions

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// EncodeBank writes a bank as the TOML file an author would write: the
// bank's keys, then one [[question]] table per question, with only the
// keys that say something (a question's source or topic only when it is
// not the bank's default). comment, if not empty, is written first as
// comment lines. Reading the result with ParseFile gives the same bank.
func EncodeBank(b *Bank, comment string) []byte {
	var w bytes.Buffer
	for _, line := range strings.Split(comment, "\n") {
		if comment != "" {
			w.WriteString("# " + line + "\n")
		}
	}
	key := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&w, "%s = %s\n", k, tomlString(v))
		}
	}
	key("id", b.ID)
	key("title", b.Title)
	key("topic", b.Topic)
	key("source", b.Source)
	for _, q := range b.Questions {
		w.WriteString("\n[[question]]\n")
		key("id", q.ID)
		key("type", string(q.Type))
		key("text", q.Text)
		switch q.Type {
		case Single, Multiple:
			w.WriteString("options = " + tomlList(q.Options) + "\n")
			key("answer", q.AnswerText())
		case TrueFalse:
			key("answer", q.AnswerText())
		case Fill:
			w.WriteString("answer = " + fillAnswer(q.Accepted) + "\n")
		}
		key("explanation", q.Explanation)
		if q.Source != b.Source {
			key("source", q.Source)
		}
		if q.Topic != b.Topic {
			key("topic", q.Topic)
		}
		key("difficulty", q.Difficulty.String())
		if q.KeepOrder && (q.Type == Single || q.Type == Multiple) {
			w.WriteString("shuffle = false\n")
		}
	}
	return w.Bytes()
}

// fillAnswer writes a 填空's accepted answers: one string, a list, or for
// several blanks a list per blank when the answers are every combination
// of the blanks' answers.
func fillAnswer(accepted []string) string {
	if len(accepted) == 1 {
		return tomlString(accepted[0])
	}
	blanks := blanksOf(accepted)
	if len(blanks) > 1 && crossProduct(accepted, blanks) {
		parts := make([]string, len(blanks))
		for i, b := range blanks {
			parts[i] = tomlList(b)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return tomlList(accepted)
}

func tomlList(list []string) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = tomlString(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// tomlString quotes s as a TOML basic string: the quotation mark, the
// backslash and control characters escaped, everything else as it is.
func tomlString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case utf8.RuneError:
			b.WriteString(`\uFFFD`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
