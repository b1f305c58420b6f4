package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"partyquiz/quiz"
)

// ErrNotFound is returned by getters when the record does not exist. It
// is quiz.ErrNotFound.
var ErrNotFound = quiz.ErrNotFound

// errReadOnly is returned by a write method of a View's Tx.
var errReadOnly = errors.New("store: write in a read-only transaction")

// chunk is how many records ForEachUser and NodeItems decode at a time.
const chunk = 256

// tx implements quiz.Tx over one bbolt transaction. Every value it
// returns is decoded from the transaction's bytes, so nothing points into
// bbolt's memory map once the transaction ends.
type tx struct {
	db      *DB
	tx      *bolt.Tx
	wrote   bool              // a write method was called
	emitted map[string]uint64 // events emitted, by ref: their seq
}

var _ quiz.Tx = (*tx)(nil)

func (t *tx) bucket(name []byte) *bolt.Bucket { return t.tx.Bucket(name) }

func (t *tx) writable() error {
	if !t.tx.Writable() {
		return errReadOnly
	}
	t.wrote = true
	return nil
}

func notFound(what string, args ...any) error {
	return fmt.Errorf("store: %s: %w", fmt.Sprintf(what, args...), ErrNotFound)
}

// Salt returns the installation's secret for draws, made when the file was
// created.
func (t *tx) Salt() (string, error) {
	v := t.bucket(bucketMeta).Get(metaSalt)
	if v == nil {
		return "", notFound("salt")
	}
	return string(v), nil
}

// --- users --------------------------------------------------------------

// User returns a user, or ErrNotFound.
func (t *tx) User(id int64) (*quiz.User, error) {
	v := t.bucket(bucketUsers).Get(idKey(id))
	if v == nil {
		return nil, notFound("user %d", id)
	}
	return decodeUser(id, v)
}

// PutUser stores a user and keeps the index of branch members.
func (t *tx) PutUser(u *quiz.User) error {
	if err := t.writable(); err != nil {
		return err
	}
	if u.Branch != "" {
		if err := checkPart("branch", u.Branch); err != nil {
			return err
		}
	}
	users, members := t.bucket(bucketUsers), t.bucket(bucketBranchMembers)
	key := idKey(u.ID)
	oldBranch := ""
	if old := users.Get(key); old != nil {
		o, err := decodeUser(u.ID, old)
		if err != nil {
			return err
		}
		oldBranch = o.Branch
	}
	if oldBranch != u.Branch {
		if oldBranch != "" {
			if err := members.Delete(pairKey(oldBranch, string(key))); err != nil {
				return err
			}
		}
		if u.Branch != "" {
			if err := members.Put(pairKey(u.Branch, string(key)), nil); err != nil {
				return err
			}
		}
	}
	v, err := encodeUser(u)
	if err != nil {
		return err
	}
	return users.Put(key, v)
}

// Members returns the members of a branch, by id.
func (t *tx) Members(branch string) ([]*quiz.User, error) {
	users := t.bucket(bucketUsers)
	prefix := pairKey(branch, "")
	var out []*quiz.User
	err := scan(t.bucket(bucketBranchMembers), prefix, func(k, _ []byte) error {
		id := k[len(prefix):]
		v := users.Get(id)
		if v == nil {
			return fmt.Errorf("store: branch %s lists user %x, who is not there", branch, id)
		}
		u, err := decodeUser(int64(binary.BigEndian.Uint64(id)), v)
		if err != nil {
			return err
		}
		out = append(out, u)
		return nil
	})
	return out, err
}

// ForEachUser visits every user by id until fn returns an error, which it
// returns. fn may write through the same Tx.
func (t *tx) ForEachUser(fn func(*quiz.User) error) error {
	return scanChunks(t.bucket(bucketUsers), nil, chunk, func(k, v []byte) (*quiz.User, error) {
		return decodeUser(int64(binary.BigEndian.Uint64(k)), v)
	}, fn)
}

// MemberCount returns the number of members of a node's subtree: 0 (not
// ErrNotFound) for a node without any.
func (t *tx) MemberCount(node string) (int64, error) {
	v := t.bucket(bucketMemberCounts).Get([]byte(node))
	if v == nil {
		return 0, nil
	}
	return decodeInt(v)
}

// AddMemberCount adds delta to a node's member count.
func (t *tx) AddMemberCount(node string, delta int64) error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := checkPart("node", node); err != nil {
		return err
	}
	b := t.bucket(bucketMemberCounts)
	n, err := t.MemberCount(node)
	if err != nil {
		return err
	}
	n += delta
	if n == 0 {
		return b.Delete([]byte(node))
	}
	return b.Put([]byte(node), encodeInt(n))
}

// MemberCounts returns the member count of every node that has one.
func (t *tx) MemberCounts() (map[string]int64, error) {
	out := make(map[string]int64, t.db.countsHint.Load())
	err := t.bucket(bucketMemberCounts).ForEach(func(k, v []byte) error {
		n, err := decodeInt(v)
		out[string(k)] = n
		return err
	})
	t.db.countsHint.Store(int64(len(out)))
	return out, err
}

// --- invites ------------------------------------------------------------

// Invite returns an invite, or ErrNotFound.
func (t *tx) Invite(code string) (*quiz.Invite, error) {
	if code == "" {
		return nil, notFound("invite %q", code)
	}
	v := t.bucket(bucketInvites).Get([]byte(code))
	if v == nil {
		return nil, notFound("invite %q", code)
	}
	return decodeInvite(code, v)
}

// PutInvite stores an invite.
func (t *tx) PutInvite(inv *quiz.Invite) error {
	if err := t.writable(); err != nil {
		return err
	}
	if inv.Code == "" {
		return errors.New("store: invite without a code")
	}
	v, err := encodeInvite(inv)
	if err != nil {
		return err
	}
	return t.bucket(bucketInvites).Put([]byte(inv.Code), v)
}

// ClearMemberCounts forgets every member count.
func (t *tx) ClearMemberCounts() error {
	if err := t.writable(); err != nil {
		return err
	}
	if err := t.tx.DeleteBucket(bucketMemberCounts); err != nil {
		return err
	}
	_, err := t.tx.CreateBucket(bucketMemberCounts)
	return err
}
