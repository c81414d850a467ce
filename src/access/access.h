// Who may do what (DESIGN.md "Consent"): the one place where attest decides whether a caller
// may see, search or change a record or segment. Every interface (CLI, API, pages) asks
// Decide and checks nothing on its own. Also API tokens (`attest token`), stored hashed.
// Thread-safe: Decide is pure; the token functions use the Store they are given.
#ifndef ATTEST_ACCESS_ACCESS_H_
#define ATTEST_ACCESS_ACCESS_H_

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "meta/store.h"

namespace attest::access {

// A volunteer takes in testimonies: it reads what a researcher reads, and what it added itself,
// and may add records but change nothing else (doc/privacy.md, "Roles").
enum class Role { kAnonymous, kVolunteer, kResearcher, kArchivist, kAdmin };
const char* RoleName(Role r);
// Accepts volunteer, researcher, archivist, admin (anonymous is not a role a token can carry).
Result<Role> ParseRole(std::string_view s);

// How a witness's link begins ("attestw_" and 52 base32 characters).
inline constexpr std::string_view kWitnessLinkPrefix = "attestw_";

// An access request an archivist granted (doc/api.md, "Access requests"): the restricted
// material of a collection or a record, open to its requester until a moment.
struct Grant {
  std::string scope;  // "collection" or "record"
  std::string id;
  std::string until;  // RFC 3339
};

struct Subject {
  Role role = Role::kAnonymous;
  std::string token_id;  // the token (or a witness's link: "w…") that authenticated the caller
  // A witness's own link (`attest witness link`): the caller is that witness. Everywhere else
  // the caller is anonymous; through /api/v1/me they see their own records.
  std::string witness_id;
  // A logged-in account (a session cookie): its name, and the session's form token that every
  // change it asks for must carry.
  std::string user;
  std::string csrf;
  // The caller's grants in force when it was authenticated (LoadGrants).
  std::vector<Grant> grants;

  // Who the caller is in the audit log: "user:NAME", "token:ID", or "" for an anonymous caller.
  std::string Actor() const;
};

enum class Action {
  kRead,   // see it: a record, its segments, media, transcripts and proofs; a form; the audit log
  kAdd,    // take in a new record (intake, uploads, `attest add`)
  kWrite,  // change metadata, consent, a transcript or a redaction; add a version
  kWithdraw,  // withdraw a record (or finish a withdrawal an interruption left undone)
  kReseal,    // seal a sealed record again, to a later day than its own
};

// What an action is on: the one thing every decision is about.
struct Resource {
  enum class Kind {
    kMaterial,     // a record or a segment: its text, files, transcripts and proofs
    kHiddenSpan,   // the words under a redaction (doc/api.md, "Redaction")
    kConsentForm,  // a witness's consent form
    kAuditLog,     // who saw and changed what
  };
  Kind kind = Kind::kMaterial;
  // Material: its effective consent, the strictest of the record's and the segment's. Hidden
  // spans: their record's.
  meta::Consent consent = meta::Consent::kRestricted;
  std::string witness_id;  // whose testimony (or form) it is; "" if nobody's in particular
  // Material: its record, the record's collection and who added it (grants and a volunteer's
  // own additions open restricted material by these).
  std::string record_id, collection_id, added_by;
  // Its witness asked for a withdrawal not yet acted on: no grant or addition opens it.
  bool held = false;

  static Resource Material(meta::Consent c, std::string witness = "") {
    return {Kind::kMaterial, c, std::move(witness)};
  }
  // Record `r`'s material at level `c` (the record's, or a segment's effective level).
  static Resource Of(const meta::Record& r, meta::Consent c) {
    return {Kind::kMaterial, c, r.witness_id, r.id, r.collection_id, r.added_by,
            r.withdrawal_asked};
  }
  static Resource HiddenSpan(meta::Consent record, std::string witness) {
    return {Kind::kHiddenSpan, record, std::move(witness)};
  }
  static Resource ConsentForm(std::string witness) {
    return {Kind::kConsentForm, meta::Consent::kRestricted, std::move(witness)};
  }
  static Resource AuditLog() { return {Kind::kAuditLog, meta::Consent::kRestricted, ""}; }
};

// May `subject` do `action` on `resource`? The one decision every interface asks (CLI, API,
// pages, search through ReadableLevels); none decides on its own.
//  - Material: public for all, research for every role, restricted for archivists and admins,
//    for the account that added it (a volunteer's own intake) and for a caller with a grant
//    on its record or collection; sealed and withdrawn for nobody. A witness's own link also
//    reads their own material at every level but withdrawn (a seal keeps a testimony from
//    others, not from the one who gave it).
//  - Hidden spans and consent forms: archivists and admins, and the witness's own link.
//  - The audit log: admins.
//  - Adding a record: volunteers, archivists and admins.
//  - Writing anything else: archivists and admins (the audit log is written by no interface),
//    and only what the material's level takes (RecordTakes).
bool Decide(const Subject& subject, Action action, const Resource& resource);

// Whether a record at `level` takes the write `action` at all, whoever asks (doc/privacy.md):
// a sealed record, before its day, only a withdrawal or a seal to a later day (nobody reads it
// sooner for either); a withdrawn one only the withdrawal that finishes its erasure; a record at
// any other level every write. (A seal whose day has come takes writes like the level it opens
// to: its opening is one.) REQUIRES: `action` is not kRead.
bool RecordTakes(meta::Consent level, Action action);

// The consent levels whose material `subject` may read, least strict first.
std::vector<meta::Consent> ReadableLevels(const Subject& subject);

struct NewToken {
  meta::Token token;   // as stored
  std::string secret;  // "attest_" + 52 base32 characters: shown once, never stored
};

// Creates a token for `role` (not anonymous); `expires` RFC 3339 or empty for never.
Result<NewToken> CreateToken(Env* env, meta::Store* store, Role role, const std::string& label,
                             const std::string& expires);

struct NewWitnessLink {
  meta::WitnessLink link;  // as stored
  std::string secret;      // "attestw_" + 52 base32 characters: shown once, never stored
};
// Makes a private link for witness `witness_id` (doc/api.md, "Witnesses").
Result<NewWitnessLink> CreateWitnessLink(Env* env, meta::Store* store,
                                         const std::string& witness_id);

// Fills `subject->grants` with the grants in force now for a volunteer or a researcher (others
// have no use for them).
Status LoadGrants(Env* env, meta::Store* store, Subject* subject);

// The subject a bearer token (or a witness's link) stands for. kPermissionDenied for an unknown,
// malformed, revoked or expired token (the message says which of the last two, never which tokens
// exist).
Result<Subject> Authenticate(Env* env, meta::Store* store, std::string_view secret);

// Accounts (`attest user`, doc/api.md "Accounts"). A name is 1 to 64 of a-z 0-9 . _ -; a
// password at least 12 and at most 1024 bytes. Passwords are kept as Argon2id strings.
Status CheckUserName(std::string_view name);
Status CheckPassword(std::string_view password);
Result<meta::User> CreateUser(Env* env, meta::Store* store, const std::string& name, Role role,
                              const std::string& password);
Status ChangePassword(meta::Store* store, const std::string& name, const std::string& password);

// Logins tried within a window, per account and per address (doc/api.md "Accounts"), kept in
// memory. An attempt is reserved before its password is checked and counts as refused unless a
// success releases it, so guesses sent at once cannot pass the check together. An address is
// counted per IPv4 address and per IPv6 /64 (AddressKey). An account's count is kept with the
// identity of its password (its Argon2id string's digest): a new password (`attest user
// password`) starts the count anew, even in a server that did not see the change. Thread-safe.
class LoginThrottle {
 public:
  struct Limits {
    int per_account = 5;
    int per_address = 20;
    int64_t window_us = 15 * 60 * int64_t{1000000};
    // Addresses and accounts remembered before those with nothing in the window are forgotten.
    size_t prune_at = 10000;
  };
  // An attempt reserved by TryReserve.
  struct Ticket {
    std::string account, address;
    int64_t at = 0;
  };
  explicit LoginThrottle(Env* env) : LoginThrottle(env, Limits{}) {}
  LoginThrottle(Env* env, Limits limits) : env_(env), limits_(limits) {}

  // Reserves an attempt at `account` from `address`: 0, and *ticket filled, if it may be tried
  // now; else the seconds until it may, and nothing reserved. `credential` identifies the
  // account's password ("" for a name without an account); a count kept under another is
  // dropped. REQUIRES: `account` passes CheckUserName (names are kept as keys; nothing else is).
  int64_t TryReserve(const std::string& account, const std::string& credential,
                     std::string_view address, Ticket* ticket);
  // The reserved attempt succeeded: its account's count is cleared and it no longer counts
  // against its address.
  void Release(const Ticket& ticket);
  // 0 if `account` may be tried from `address` now, else the seconds until it may. Reserves
  // nothing.
  int64_t WaitSeconds(const std::string& account, std::string_view address);

  // The key an address is counted under: an IPv4 address itself (also written as ::ffff:a.b.c.d),
  // an IPv6 address's /64 ("2001:db8:1:2::/64"), anything else by its digest.
  static std::string AddressKey(std::string_view address);

 private:
  using Times = std::vector<int64_t>;  // attempts within the window, oldest first
  struct Account {
    std::string credential;
    Times times;
  };
  // Drops the attempts older than the window; the seconds to wait if `t` holds `limit`.
  int64_t Wait(Times* t, int limit, int64_t now) const;
  // Forgets the accounts and addresses with nothing in the window once there are many.
  void PruneLocked(int64_t now);
  Env* env_;
  Limits limits_;
  std::mutex mu_;
  std::unordered_map<std::string, Account> accounts_;
  std::unordered_map<std::string, Times> addresses_;
  size_t prune_at_ = 0;  // the size that prunes next; 0: limits_.prune_at
};

struct NewSession {
  std::string secret;  // the cookie's value: "attests_" + 52 base32 characters
  meta::Session session;
  Subject subject;
};

inline constexpr int64_t kSessionSeconds = 12 * 3600;

// Checks a login and makes a new session. kInvalidArgument, before any other work and without
// an audit entry, for a name that cannot be an account's (CheckUserName: over 64 bytes, or
// other characters). kExhausted while `throttle` holds the name or the address back (the
// password is not checked, nothing is audited; *retry_after_s, if given, gets the seconds to
// wait). Otherwise every outcome is audited (`login`, `login.refused` with the address):
// kUnauthenticated for a wrong name or password (one message for both, and the same Argon2id
// work), or a disabled account.
Result<NewSession> LogIn(Env* env, meta::Store* store, LoginThrottle* throttle,
                         const std::string& name, const std::string& password,
                         const std::string& address, int64_t* retry_after_s = nullptr);

// The subject a session cookie stands for; kUnauthenticated if the session is unknown, ended or
// its account disabled.
Result<Subject> AuthenticateSession(Env* env, meta::Store* store, std::string_view secret);

// Ends a session (audited as `logout`); an unknown session is not an error.
Status LogOut(Env* env, meta::Store* store, std::string_view secret);

}  // namespace attest::access

#endif  // ATTEST_ACCESS_ACCESS_H_
