#include "access/access.h"

#include <arpa/inet.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "core/hash.h"
#include "core/json.h"

namespace attest::access {
namespace {

constexpr std::string_view kTokenPrefix = "attest_";
constexpr std::string_view kWitnessPrefix = kWitnessLinkPrefix;
constexpr std::string_view kSessionPrefix = "attests_";

}  // namespace

const char* RoleName(Role r) {
  switch (r) {
    case Role::kAnonymous:
      return "anonymous";
    case Role::kVolunteer:
      return "volunteer";
    case Role::kResearcher:
      return "researcher";
    case Role::kArchivist:
      return "archivist";
    case Role::kAdmin:
      return "admin";
  }
  return "anonymous";
}

Result<Role> ParseRole(std::string_view s) {
  if (s == "volunteer") return Role::kVolunteer;
  if (s == "researcher") return Role::kResearcher;
  if (s == "archivist") return Role::kArchivist;
  if (s == "admin") return Role::kAdmin;
  return Status::InvalidArgument("unknown role '" + std::string(s) +
                                 "' (expected volunteer, researcher, archivist or admin)");
}

std::string Subject::Actor() const {
  if (!user.empty()) return "user:" + user;
  if (!token_id.empty()) return "token:" + token_id;
  return "";
}

namespace {

// Whether restricted material is open to a caller who is not staff: the account added it, or a
// grant names its record or its collection.
bool Opened(const Subject& subject, const Resource& resource) {
  if (subject.role == Role::kAnonymous || resource.held) return false;
  if (subject.role == Role::kVolunteer && !resource.added_by.empty() &&
      resource.added_by == subject.Actor()) {
    return true;
  }
  for (const Grant& g : subject.grants) {
    if (g.scope == "record" ? !resource.record_id.empty() && g.id == resource.record_id
                            : !resource.collection_id.empty() && g.id == resource.collection_id) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool Decide(const Subject& subject, Action action, const Resource& resource) {
  using Kind = Resource::Kind;
  const bool staff = subject.role == Role::kArchivist || subject.role == Role::kAdmin;
  const bool own = !subject.witness_id.empty() && subject.witness_id == resource.witness_id &&
                   resource.consent != meta::Consent::kWithdrawn;
  if (action == Action::kAdd) {
    return resource.kind == Kind::kMaterial && (staff || subject.role == Role::kVolunteer);
  }
  if (action != Action::kRead) {
    if (!staff || resource.kind == Kind::kAuditLog) return false;
    return resource.kind != Kind::kMaterial || RecordTakes(resource.consent, action);
  }
  switch (resource.kind) {
    case Kind::kAuditLog:
      return subject.role == Role::kAdmin;
    case Kind::kConsentForm:
      return staff || own;
    case Kind::kHiddenSpan:
      return (staff && resource.consent != meta::Consent::kSealed &&
              resource.consent != meta::Consent::kWithdrawn) ||
             own;
    case Kind::kMaterial:
      break;
  }
  if (own) return true;
  switch (resource.consent) {
    case meta::Consent::kPublic:
      return true;
    case meta::Consent::kResearch:
      return subject.role != Role::kAnonymous;
    case meta::Consent::kRestricted:
      return staff || Opened(subject, resource);
    case meta::Consent::kSealed:
    case meta::Consent::kWithdrawn:
      return false;
  }
  return false;
}

bool RecordTakes(meta::Consent level, Action action) {
  switch (level) {
    case meta::Consent::kSealed:
      return action == Action::kWithdraw || action == Action::kReseal;
    case meta::Consent::kWithdrawn:
      return action == Action::kWithdraw;
    default:
      return action != Action::kRead;
  }
}

std::vector<meta::Consent> ReadableLevels(const Subject& subject) {
  std::vector<meta::Consent> out;
  for (auto c : {meta::Consent::kPublic, meta::Consent::kResearch, meta::Consent::kRestricted}) {
    if (Decide(subject, Action::kRead, Resource::Material(c))) out.push_back(c);
  }
  return out;
}

namespace {

// A new secret: `prefix` and 52 base32 characters (256 random bits), with its public id
// (`id_letter` and 12 base32 characters) and the SHA-256 under which it is kept.
struct Minted {
  std::string secret, id, sha256;
};
Minted Mint(Env* env, std::string_view prefix, char id_letter) {
  uint8_t raw[32];
  env->RandomBytes(raw, sizeof(raw));
  uint8_t id_raw[8];
  env->RandomBytes(id_raw, sizeof(id_raw));
  Minted m;
  m.secret = std::string(prefix) + Base32Lower(raw, sizeof(raw), 52);
  m.id = id_letter + Base32Lower(id_raw, sizeof(id_raw), 12);
  m.sha256 = ToHex(Sha256(m.secret));
  return m;
}

// Whether `secret` has the form Mint gives with `prefix`.
bool HasMintedForm(std::string_view secret, std::string_view prefix) {
  return secret.size() == prefix.size() + 52 && secret.substr(0, prefix.size()) == prefix;
}

}  // namespace

Result<NewToken> CreateToken(Env* env, meta::Store* store, Role role, const std::string& label,
                             const std::string& expires) {
  if (role == Role::kAnonymous) {
    return Status::InvalidArgument("a token needs a role: volunteer, researcher, archivist or admin");
  }
  if (!expires.empty() && !ParseRfc3339(expires).ok()) {
    return Status::InvalidArgument("--expires '" + expires +
                                   "' is not a time like 2027-01-31T00:00:00Z");
  }
  Minted m = Mint(env, kTokenPrefix, 't');
  NewToken t;
  t.secret = std::move(m.secret);
  t.token.id = std::move(m.id);
  t.token.sha256 = std::move(m.sha256);
  t.token.role = RoleName(role);
  t.token.label = label;
  t.token.created = FormatRfc3339(env->NowMicros());
  t.token.expires = expires;
  RETURN_IF_ERROR(store->AddToken(t.token));
  return t;
}

Result<NewWitnessLink> CreateWitnessLink(Env* env, meta::Store* store,
                                         const std::string& witness_id) {
  if (witness_id.empty() || witness_id.size() > 200) {
    return Status::InvalidArgument("a witness link needs the witness's id");
  }
  Minted m = Mint(env, kWitnessPrefix, 'w');
  NewWitnessLink w;
  w.secret = std::move(m.secret);
  w.link.id = std::move(m.id);
  w.link.sha256 = std::move(m.sha256);
  w.link.witness_id = witness_id;
  w.link.created = FormatRfc3339(env->NowMicros());
  RETURN_IF_ERROR(store->AddWitnessLink(w.link));
  return w;
}

Result<Subject> Authenticate(Env* env, meta::Store* store, std::string_view secret) {
  const Status denied = Status::Unauthenticated("the token is not valid");
  bool link_form = HasMintedForm(secret, kWitnessPrefix);
  if (!link_form && !HasMintedForm(secret, kTokenPrefix)) return denied;
  // Looked up by its SHA-256: the database compares digests, never the secret itself, so the
  // time a lookup takes says nothing about how much of a secret was right.
  std::string digest = ToHex(Sha256(secret));
  if (link_form) {
    ASSIGN_OR_RETURN(auto link, store->FindWitnessLink(digest));
    if (!link || !ConstantTimeEquals(link->sha256, digest)) return denied;
    if (!link->revoked.empty()) return Status::Unauthenticated("the link was revoked");
    return Subject{Role::kAnonymous, link->id, link->witness_id};
  }
  ASSIGN_OR_RETURN(auto found, store->FindToken(digest));
  if (!found || !ConstantTimeEquals(found->sha256, digest)) return denied;
  if (!found->revoked.empty()) return Status::Unauthenticated("the token was revoked");
  if (!found->expires.empty()) {
    auto until = ParseRfc3339(found->expires);
    if (!until.ok() || *until <= env->NowMicros()) {
      return Status::Unauthenticated("the token has expired");
    }
  }
  ASSIGN_OR_RETURN(Role role, ParseRole(found->role));
  Subject subject{role, found->id, ""};
  RETURN_IF_ERROR(LoadGrants(env, store, &subject));
  return subject;
}

Status LoadGrants(Env* env, meta::Store* store, Subject* subject) {
  subject->grants.clear();
  if (subject->role != Role::kVolunteer && subject->role != Role::kResearcher) {
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(auto active,
                   store->ActiveGrants(subject->Actor(), FormatRfc3339(env->NowMicros())));
  for (auto& g : active) {
    subject->grants.push_back({std::move(g.scope), std::move(g.scope_id), std::move(g.until)});
  }
  return Status::Ok();
}

namespace {

Result<std::string> HashPassword(const std::string& password) {
  if (!SodiumReady()) return Status::Unavailable("libsodium could not start");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Unavailable("out of memory while hashing a password");
  }
  return std::string(out);
}

// Whether `password` matches the Argon2id string `hash`.
bool PasswordMatches(const std::string& hash, const std::string& password) {
  return SodiumReady() &&
         crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// An Argon2id string of no password anyone has: an unknown name is checked against it, so it
// costs the same work as a known one.
const std::string& DecoyHash() {
  static const std::string decoy = [] {
    uint8_t raw[32];
    randombytes_buf(raw, sizeof(raw));
    auto h = HashPassword(Base32Lower(raw, sizeof(raw), 52));
    return h.ok() ? *h : std::string();
  }();
  return decoy;
}

void AuditOrLog(meta::Store* store, meta::AuditEntry e) {
  // A login's outcome stands even if its entry cannot be written (the disk may be full); the
  // failure is the operator's to see in the server's log, never the caller's.
  auto st = store->Audit(std::move(e));
  if (!st.ok())
    fprintf(stderr, "attest: the audit log could not be written: %s\n",
            st.status().ToString().c_str());
}

}  // namespace

Status CheckUserName(std::string_view name) {
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") != std::string::npos) {
    return Status::InvalidArgument("the account name '" + std::string(name.substr(0, 64)) +
                                   "' is not 1 to 64 of a-z 0-9 . _ -");
  }
  return Status::Ok();
}

Status CheckPassword(std::string_view password) {
  if (password.size() < 12) {
    return Status::InvalidArgument("the password is shorter than 12 characters");
  }
  if (password.size() > 1024) return Status::InvalidArgument("the password is over 1024 bytes");
  if (!IsValidUtf8(password)) return Status::InvalidArgument("the password is not UTF-8 text");
  return Status::Ok();
}

Result<meta::User> CreateUser(Env* env, meta::Store* store, const std::string& name, Role role,
                              const std::string& password) {
  RETURN_IF_ERROR(CheckUserName(name));
  if (role == Role::kAnonymous) {
    return Status::InvalidArgument("an account needs a role: volunteer, researcher, archivist or admin");
  }
  RETURN_IF_ERROR(CheckPassword(password));
  ASSIGN_OR_RETURN(auto existing, store->FindUser(name));
  if (existing) return Status::Conflict("there is already an account named '" + name + "'");
  meta::User u;
  u.id = Mint(env, "", 'u').id;
  u.name = name;
  u.role = RoleName(role);
  ASSIGN_OR_RETURN(u.password, HashPassword(password));
  u.created = FormatRfc3339(env->NowMicros());
  RETURN_IF_ERROR(store->AddUser(u));
  return u;
}

Status ChangePassword(meta::Store* store, const std::string& name, const std::string& password) {
  RETURN_IF_ERROR(CheckPassword(password));
  ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  ASSIGN_OR_RETURN(bool changed, store->SetUserPassword(name, hash));
  if (!changed) return Status::NotFound("there is no account named '" + name + "'");
  return Status::Ok();
}

std::string LoginThrottle::AddressKey(std::string_view address) {
  std::string text(address.substr(0, std::min<size_t>(address.size(), 64)));
  if (size_t zone = text.find('%'); zone != std::string::npos) text.resize(zone);  // fe80::1%eth0
  in_addr v4;
  in6_addr v6;
  char buf[INET6_ADDRSTRLEN];
  if (address.size() <= 64 && inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return inet_ntop(AF_INET, &v4, buf, sizeof buf);
  }
  if (address.size() <= 64 && inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      std::memcpy(&v4, v6.s6_addr + 12, 4);
      return inet_ntop(AF_INET, &v4, buf, sizeof buf);
    }
    // One /64 is one subscriber's: the attacker holding it holds every address in it.
    std::memset(v6.s6_addr + 8, 0, 8);
    return std::string(inet_ntop(AF_INET6, &v6, buf, sizeof buf)) + "/64";
  }
  // Not an address (a proxy's header may say anything): counted by its digest, at a bounded size.
  return "?" + ToHex(Sha256(address)).substr(0, 32);
}

int64_t LoginThrottle::Wait(Times* t, int limit, int64_t now) const {
  auto fresh =
      std::find_if(t->begin(), t->end(), [&](int64_t at) { return at > now - limits_.window_us; });
  t->erase(t->begin(), fresh);
  if (static_cast<int>(t->size()) < limit) return 0;
  // Held back until the oldest attempt that counts leaves the window.
  int64_t until = (*t)[t->size() - limit] + limits_.window_us;
  return std::max<int64_t>(1, (until - now + 999999) / 1000000);
}

void LoginThrottle::PruneLocked(int64_t now) {
  if (prune_at_ == 0) prune_at_ = limits_.prune_at;
  if (accounts_.size() < prune_at_ && addresses_.size() < prune_at_) return;
  const int64_t oldest = now - limits_.window_us;
  // An empty list (its attempts released or expired) is forgotten as well as an old one.
  auto stale = [oldest](const Times& t) { return t.empty() || t.back() <= oldest; };
  std::erase_if(accounts_, [&](const auto& kv) { return stale(kv.second.times); });
  std::erase_if(addresses_, [&](const auto& kv) { return stale(kv.second); });
  // The next pruning waits until the maps have doubled, so its cost is spread over the
  // attempts that filled them.
  prune_at_ = std::max(limits_.prune_at, 2 * std::max(accounts_.size(), addresses_.size()));
}

int64_t LoginThrottle::TryReserve(const std::string& account, const std::string& credential,
                                  std::string_view address, Ticket* ticket) {
  std::string address_key = AddressKey(address);
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = env_->NowMicros();
  PruneLocked(now);
  Account& a = accounts_[account];
  if (a.credential != credential) a = Account{credential, {}};  // a new password starts anew
  Times& at_address = addresses_[address_key];
  int64_t wait = std::max(Wait(&a.times, limits_.per_account, now),
                          Wait(&at_address, limits_.per_address, now));
  if (wait > 0) return wait;
  a.times.push_back(now);
  at_address.push_back(now);
  *ticket = Ticket{account, std::move(address_key), now};
  return 0;
}

void LoginThrottle::Release(const Ticket& ticket) {
  std::lock_guard<std::mutex> lock(mu_);
  accounts_.erase(ticket.account);
  if (auto it = addresses_.find(ticket.address); it != addresses_.end()) {
    if (auto at = std::find(it->second.begin(), it->second.end(), ticket.at);
        at != it->second.end()) {
      it->second.erase(at);
    }
  }
}

int64_t LoginThrottle::WaitSeconds(const std::string& account, std::string_view address) {
  std::string address_key = AddressKey(address);
  std::lock_guard<std::mutex> lock(mu_);
  int64_t now = env_->NowMicros();
  int64_t wait = 0;
  if (auto it = accounts_.find(account); it != accounts_.end()) {
    wait = Wait(&it->second.times, limits_.per_account, now);
  }
  if (auto it = addresses_.find(address_key); it != addresses_.end()) {
    wait = std::max(wait, Wait(&it->second, limits_.per_address, now));
  }
  return wait;
}

Result<NewSession> LogIn(Env* env, meta::Store* store, LoginThrottle* throttle,
                         const std::string& name, const std::string& password,
                         const std::string& address, int64_t* retry_after_s) {
  // Refused before any work, and never kept: a name is a key of the throttle and the audit log.
  if (name.size() > 64) return Status::InvalidArgument("the account name is over 64 bytes");
  if (!CheckUserName(name).ok()) {
    return Status::InvalidArgument("an account name is 1 to 64 of a-z 0-9 . _ -");
  }
  const std::string now = FormatRfc3339(env->NowMicros());
  auto refuse = [&](const char* reason, Status st) -> Status {
    AuditOrLog(store, {0, now, "address:" + address, "login.refused", name,
                       *CanonicalJson({{"reason", reason}}), "", ""});
    return st;
  };
  ASSIGN_OR_RETURN(std::optional<meta::User> user, store->FindUser(name));
  // Reserved before the password is checked, and counted as refused unless released below.
  // Held back: answered without a check and without an entry, so a flood of guesses costs
  // neither the processor's Argon2id work nor the audit log's space.
  LoginThrottle::Ticket ticket;
  const std::string credential = user ? ToHex(Sha256(user->password)).substr(0, 32) : "";
  if (int64_t wait = throttle->TryReserve(name, credential, address, &ticket); wait > 0) {
    if (retry_after_s) *retry_after_s = wait;
    return Status::Exhausted("too many refused logins; try again in " + std::to_string(wait) +
                             " s");
  }
  const Status wrong = Status::Unauthenticated("the name or the password is wrong");
  if (!user) {
    PasswordMatches(DecoyHash(), password);  // the same work as a known name's check
    return refuse("unknown", wrong);
  }
  if (!PasswordMatches(user->password, password)) return refuse("password", wrong);
  if (!user->disabled.empty()) {
    return refuse("disabled", Status::Unauthenticated("this account is disabled"));
  }
  throttle->Release(ticket);
  Minted m = Mint(env, kSessionPrefix, 's');
  Minted csrf = Mint(env, "", 'c');
  NewSession s;
  s.secret = std::move(m.secret);
  s.session.sha256 = std::move(m.sha256);
  s.session.user_id = user->id;
  s.session.csrf = csrf.secret;
  s.session.created = now;
  s.session.expires = FormatRfc3339(env->NowMicros() + kSessionSeconds * 1000000);
  RETURN_IF_ERROR(store->AddSession(s.session));
  ASSIGN_OR_RETURN(Role role, ParseRole(user->role));
  s.subject = Subject{role, "", "", user->name, s.session.csrf};
  AuditOrLog(store, {0, now, s.subject.Actor(), "login", user->name, "", "", ""});
  return s;
}

Result<Subject> AuthenticateSession(Env* env, meta::Store* store, std::string_view secret) {
  const Status ended = Status::Unauthenticated("the session has ended; log in again");
  if (!HasMintedForm(secret, kSessionPrefix)) return ended;
  std::string digest = ToHex(Sha256(secret));
  ASSIGN_OR_RETURN(auto found, store->FindSession(digest));
  if (!found || !ConstantTimeEquals(found->first.sha256, digest)) return ended;
  const auto& [session, user] = *found;
  auto until = ParseRfc3339(session.expires);
  if (!until.ok() || *until <= env->NowMicros() || !user.disabled.empty()) return ended;
  ASSIGN_OR_RETURN(Role role, ParseRole(user.role));
  Subject subject{role, "", "", user.name, session.csrf};
  RETURN_IF_ERROR(LoadGrants(env, store, &subject));
  return subject;
}

Status LogOut(Env* env, meta::Store* store, std::string_view secret) {
  if (!HasMintedForm(secret, kSessionPrefix)) return Status::Ok();
  std::string digest = ToHex(Sha256(secret));
  ASSIGN_OR_RETURN(auto found, store->FindSession(digest));
  if (!found) return Status::Ok();
  RETURN_IF_ERROR(store->DeleteSession(digest));
  AuditOrLog(store, {0, FormatRfc3339(env->NowMicros()), "user:" + found->second.name, "logout",
                     found->second.name, "", "", ""});
  return Status::Ok();
}

}  // namespace attest::access
