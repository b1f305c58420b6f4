package webapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// InitData is what validated initData says: who opened the app and when
// Telegram signed it.
type InitData struct {
	UserID    int64
	FirstName string
	AuthDate  time.Time
	QueryID   string
}

// Errors of Validate. Every one of them is a 401 to the page.
var (
	ErrMalformed = errors.New("initData: malformed")
	ErrDuplicate = errors.New("initData: a key is given twice")
	ErrNoHash    = errors.New("initData: no hash")
	ErrBadHash   = errors.New("initData: hash does not match")
	ErrExpired   = errors.New("initData: auth_date too old or in the future")
	ErrNoUser    = errors.New("initData: no user")
)

// futureSlack is how far in the future an auth_date may be (clocks differ).
const futureSlack = time.Minute

// secretKey is HMAC-SHA256 with key "WebAppData" over the bot token.
func secretKey(token string) []byte {
	m := hmac.New(sha256.New, []byte("WebAppData"))
	m.Write([]byte(token))
	return m.Sum(nil)
}

// parseFields splits a query string into its fields, decoded, refusing a
// key given twice (url.ParseQuery would keep both and a check string
// could then be read two ways).
func parseFields(raw string) (map[string]string, error) {
	if raw == "" || len(raw) > 8192 {
		return nil, ErrMalformed
	}
	out := map[string]string{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			return nil, ErrMalformed
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil || key == "" {
			return nil, ErrMalformed
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, ErrMalformed
		}
		if _, dup := out[key]; dup {
			return nil, ErrDuplicate
		}
		out[key] = val
	}
	return out, nil
}

// checkString is the data-check string: every field but hash as
// key=value, sorted by key, joined by "\n".
func checkString(fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		if k != "hash" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k + "=" + fields[k]
	}
	return strings.Join(lines, "\n")
}

func sign(token string, fields map[string]string) string {
	m := hmac.New(sha256.New, secretKey(token))
	m.Write([]byte(checkString(fields)))
	return hex.EncodeToString(m.Sum(nil))
}

// Validate checks initData as Telegram specifies (see the package doc)
// against the bot's token, with auth_date no older than maxAge at now,
// and returns who it names. It returns ErrMalformed, ErrDuplicate,
// ErrNoHash, ErrBadHash, ErrExpired or ErrNoUser.
func Validate(raw, token string, now time.Time, maxAge time.Duration) (*InitData, error) {
	fields, err := parseFields(raw)
	if err != nil {
		return nil, err
	}
	got, ok := fields["hash"]
	if !ok || got == "" {
		return nil, ErrNoHash
	}
	gotBytes, err := hex.DecodeString(got)
	if err != nil || !hmac.Equal(gotBytes, mustHex(sign(token, fields))) {
		return nil, ErrBadHash
	}
	sec, err := strconv.ParseInt(fields["auth_date"], 10, 64)
	if err != nil || sec <= 0 {
		return nil, ErrMalformed
	}
	at := time.Unix(sec, 0)
	if now.Sub(at) > maxAge || at.Sub(now) > futureSlack {
		return nil, ErrExpired
	}
	var user struct {
		ID        int64  `json:"id"`
		FirstName string `json:"first_name"`
	}
	if u, ok := fields["user"]; !ok || json.Unmarshal([]byte(u), &user) != nil || user.ID <= 0 {
		return nil, ErrNoUser
	}
	return &InitData{UserID: user.ID, FirstName: user.FirstName, AuthDate: at, QueryID: fields["query_id"]}, nil
}

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
}

// Sign returns initData for a user signed with the bot's token as
// Telegram would sign it, with auth_date at and any extra fields: for
// tests and for the offline demo (partyquiz chat), which have no Telegram
// to sign it.
func Sign(token string, userID int64, firstName string, at time.Time, extra map[string]string) string {
	user, _ := json.Marshal(struct {
		ID        int64  `json:"id"`
		FirstName string `json:"first_name"`
	}{userID, firstName})
	fields := map[string]string{"user": string(user), "auth_date": strconv.FormatInt(at.Unix(), 10)}
	for k, v := range extra {
		fields[k] = v
	}
	fields["hash"] = sign(token, fields)
	return Encode(fields)
}

// Encode writes fields as a query string in key order (hash last is not
// required: Telegram's order does not matter to Validate).
func Encode(fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = url.QueryEscape(k) + "=" + url.QueryEscape(fields[k])
	}
	return strings.Join(parts, "&")
}
