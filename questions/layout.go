package questions

import "strings"

// layout records on which line each key of a TOML document was written, so
// that problems found after decoding can name the line. BurntSushi/toml
// reports positions only for syntax errors; layout is a small scanner that
// is run only on documents the parser has accepted, so it can afford to be
// simple: it tracks strings, comments and brackets well enough to find the
// start of every key and table header.
type layout struct {
	top    map[string]int        // top-level key → line
	tables map[string][]*section // [[name]] and [name] tables, in file order
}

// section is one table of the document: the line of its header and the
// lines of its keys.
type section struct {
	line int
	keys map[string]int
}

// keyLine returns the line of key in s, or the header line when the key was
// not written (a missing field is reported where its question starts).
func (s *section) keyLine(key string) int {
	if s == nil {
		return 0
	}
	if l, ok := s.keys[key]; ok {
		return l
	}
	return s.line
}

// sectionAt returns the i-th [[name]] table. Tables the scanner did not
// see as headers (an inline array of tables) are placed at the key.
func (l *layout) sectionAt(name string, i int) *section {
	if i < len(l.tables[name]) {
		return l.tables[name][i]
	}
	return &section{line: l.topLine(name, 1), keys: map[string]int{}}
}

// lazyLayout scans a document only when a line is first asked for: a
// file without problems never needs one, and validating the city's 150
// banks should not pay for it.
type lazyLayout struct {
	doc string
	l   *layout
}

func (z *lazyLayout) get() *layout {
	if z.l == nil {
		z.l = scanLayout(z.doc)
	}
	return z.l
}

// topLine returns the line of a top-level key, or fallback.
func (z *lazyLayout) topLine(key string, fallback int) int { return z.get().topLine(key, fallback) }

// keyLine returns the line of key in the i-th [[name]] table.
func (z *lazyLayout) keyLine(name string, i int, key string) int {
	return z.get().sectionAt(name, i).keyLine(key)
}

// headerLine returns the line of the i-th [[name]] table's header.
func (z *lazyLayout) headerLine(name string, i int) int { return z.get().sectionAt(name, i).line }

// topLine returns the line of a top-level key, or fallback.
func (l *layout) topLine(key string, fallback int) int {
	if n, ok := l.top[key]; ok {
		return n
	}
	return fallback
}

func scanLayout(doc string) *layout {
	l := &layout{top: map[string]int{}, tables: map[string][]*section{}}
	var cur *section // nil: top level
	line := 1
	depth := 0
	lineStart := true
	i := 0
	n := len(doc)
	// skipString advances i past a string starting at doc[i] and counts
	// the newlines inside it.
	skipString := func() {
		q := doc[i]
		delim := `"""`
		if q == '\'' {
			delim = "'''"
		}
		if strings.HasPrefix(doc[i:], delim) {
			i += 3
			for i < n {
				if q == '"' && doc[i] == '\\' {
					if i+1 < n && doc[i+1] == '\n' {
						line++
					}
					i += 2
					continue
				}
				if doc[i] == '\n' {
					line++
				}
				if strings.HasPrefix(doc[i:], delim) {
					i += 3
					for i < n && doc[i] == q { // up to two extra quotes belong to the string
						i++
					}
					return
				}
				i++
			}
			return
		}
		i++
		for i < n && doc[i] != '\n' {
			if q == '"' && doc[i] == '\\' {
				i += 2
				continue
			}
			if doc[i] == q {
				i++
				return
			}
			i++
		}
	}
	skipComment := func() {
		for i < n && doc[i] != '\n' {
			i++
		}
	}
	for i < n {
		c := doc[i]
		if lineStart {
			switch c {
			case ' ', '\t', '\r':
				i++
				continue
			case '\n':
				line++
				i++
				continue
			case '#':
				skipComment()
				continue
			case '[':
				end := strings.IndexByte(doc[i:], '\n')
				if end < 0 {
					end = n - i
				}
				header := doc[i : i+end]
				if c := strings.IndexByte(header, '#'); c >= 0 {
					header = header[:c]
				}
				header = strings.TrimSpace(header)
				name := strings.Trim(header, "[] \t")
				name = unquoteKey(name)
				cur = &section{line: line, keys: map[string]int{}}
				l.tables[name] = append(l.tables[name], cur)
				i += end
				continue
			default:
				eq := strings.IndexByte(doc[i:], '=')
				nl := strings.IndexByte(doc[i:], '\n')
				if eq < 0 || (nl >= 0 && nl < eq) {
					skipComment() // not a key line; the parser would have said so
					continue
				}
				key := strings.TrimSpace(doc[i : i+eq])
				if dot := strings.IndexByte(key, '.'); dot >= 0 && !strings.HasPrefix(key, `"`) {
					key = strings.TrimSpace(key[:dot])
				}
				key = unquoteKey(key)
				if cur == nil {
					if _, seen := l.top[key]; !seen {
						l.top[key] = line
					}
				} else if _, seen := cur.keys[key]; !seen {
					cur.keys[key] = line
				}
				i += eq + 1
				lineStart = false
				continue
			}
		}
		switch c {
		case '"', '\'':
			skipString()
		case '#':
			skipComment()
		case '[', '{':
			depth++
			i++
		case ']', '}':
			if depth > 0 {
				depth--
			}
			i++
		case '\n':
			line++
			i++
			if depth == 0 {
				lineStart = true
			}
		default:
			i++
		}
	}
	return l
}

func unquoteKey(k string) string {
	if len(k) >= 2 && (k[0] == '"' || k[0] == '\'') && k[len(k)-1] == k[0] {
		return k[1 : len(k)-1]
	}
	return k
}
