package quiz

import (
	"errors"
	"fmt"
)

// Error codes. The bot maps each to a reply; only Internal is logged as a
// fault of the program.
const (
	Invalid     = "invalid"     // the input is wrong: a bad answer, an unknown code
	NotFound    = "not_found"   // no such thing (for this user)
	Conflict    = "conflict"    // the state changed: already answered, closed, expired
	Forbidden   = "forbidden"   // this user may not do that
	Unavailable = "unavailable" // cannot be done now: outside a window, storage full
	Internal    = "internal"    // a fault of the program or the machine
)

// Error is the application error: a code and a reason safe to show in
// logs and to map to a user-facing message. Reason is a short stable key
// (e.g. "test_closed") the bot turns into Chinese words; it never carries
// a Go value meant for users.
type Error struct {
	Code   string
	Reason string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("quiz %s: %s", e.Code, e.Reason) }

// Errorf returns an application error with a code and a reason key.
func Errorf(code, reason string) *Error { return &Error{Code: code, Reason: reason} }

// ErrorCode returns the code of an application error, Internal for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorReason returns the reason key of an application error, or "".
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// Reasons the engine gives; the bot has words for each.
const (
	ReasonNotMember      = "not_member"      // the user has not joined
	ReasonNoQuestions    = "no_questions"    // no bank to draw from
	ReasonOutsideWindow  = "outside_window"  // the test window is not open
	ReasonNoAttemptsLeft = "no_attempts"     // all test attempts used
	ReasonClosed         = "closed"          // the attempt is closed (finished, expired, period over)
	ReasonAnswered       = "answered"        // this question was answered already
	ReasonNotCurrent     = "not_current"     // the question is not the one being asked
	ReasonNotYours       = "not_yours"       // the attempt belongs to someone else
	ReasonBadChoice      = "bad_choice"      // an option that does not exist
	ReasonEmptyAnswer    = "empty_answer"    // nothing typed or chosen
	ReasonReviewLater    = "review_later"    // answers shown only after the window closes
	ReasonInviteUnknown  = "invite_unknown"  // no such invite code
	ReasonInviteExpired  = "invite_expired"  // revoked or expired
	ReasonInviteUsed     = "invite_used"     // a secretary invite someone else used
	ReasonInviteRevoked  = "invite_revoked"  // revoking an invite revoked already
	ReasonMoveAsk        = "move_ask"        // a member of another branch: ask before moving them
	ReasonBadName        = "bad_name"        // a real name that is empty or too long
	ReasonNodeUnknown    = "node_unknown"    // no such node in the tree
	ReasonNotInScope     = "not_in_scope"    // a node outside the user's subtree
	ReasonAlreadyDone    = "already_done"    // the period is already complete
	ReasonStorageFull    = "storage_full"    // the disk is full: nothing was recorded
	ReasonBadAmount      = "bad_amount"      // a point correction of zero or out of range
	ReasonNotLeaf        = "not_leaf"        // members join branches (leaves) only
	ReasonNoMistakes     = "no_mistakes"     // the mistake book is empty
	ReasonNothingToGrant = "nothing_to_give" // a make-up for something already done
	ReasonBadMakeup      = "bad_makeup"      // a make-up of a kind, period or length that cannot be granted
	ReasonMakeupOpen     = "makeup_open"     // a make-up of that month or test is open already
	ReasonTooMany        = "too_many"        // too much for one answer (an export of a whole province)
	ReasonBadFile        = "bad_file"        // an upload with problems
	ReasonContentChanged = "content_changed" // something was published since the draft was made
	ReasonNoVersion      = "no_version"      // no such published version (a roll back, a file sent back)
	ReasonBadPeriod      = "bad_period"      // a period key that does not parse, or of the wrong kind
	ReasonBadRole        = "bad_role"        // an invite for a role that cannot be invited
	ReasonNoReason       = "no_reason"       // a point correction without its reason
	ReasonBadTree        = "bad_tree"        // an organisation tree that is not one tree
)
