#include "access/access.h"

#include "core/hash.h"
#include "core/json.h"

namespace attest::access {
namespace {

constexpr std::string_view kTokenPrefix = "attest_";
constexpr std::string_view kWitnessPrefix = "attestw_";

}  // namespace

const char* RoleName(Role r) {
  switch (r) {
    case Role::kAnonymous:
      return "anonymous";
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
  if (s == "researcher") return Role::kResearcher;
  if (s == "archivist") return Role::kArchivist;
  if (s == "admin") return Role::kAdmin;
  return Status::InvalidArgument("unknown role '" + std::string(s) +
                                 "' (expected researcher, archivist or admin)");
}

bool Decide(const Subject& subject, Action action, meta::Consent consent,
            std::string_view witness_id) {
  if (action == Action::kRead && !subject.witness_id.empty() && subject.witness_id == witness_id &&
      consent != meta::Consent::kWithdrawn) {
    return true;
  }
  return Decide(subject, action, consent);
}

bool Decide(const Subject& subject, Action action, meta::Consent consent) {
  if (action == Action::kWrite) {
    return subject.role == Role::kArchivist || subject.role == Role::kAdmin;
  }
  switch (consent) {
    case meta::Consent::kPublic:
      return true;
    case meta::Consent::kResearch:
      return subject.role != Role::kAnonymous;
    case meta::Consent::kRestricted:
      return subject.role == Role::kArchivist || subject.role == Role::kAdmin;
    case meta::Consent::kSealed:
    case meta::Consent::kWithdrawn:
      return false;
  }
  return false;
}

std::vector<meta::Consent> ReadableLevels(const Subject& subject) {
  std::vector<meta::Consent> out;
  for (auto c : {meta::Consent::kPublic, meta::Consent::kResearch, meta::Consent::kRestricted}) {
    if (Decide(subject, Action::kRead, c)) out.push_back(c);
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
    return Status::InvalidArgument("a token needs a role: researcher, archivist or admin");
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
  const Status denied = Status::PermissionDenied("the token is not valid");
  bool link_form = HasMintedForm(secret, kWitnessPrefix);
  if (!link_form && !HasMintedForm(secret, kTokenPrefix)) return denied;
  // Looked up by its SHA-256: the database compares digests, never the secret itself, so the
  // time a lookup takes says nothing about how much of a secret was right.
  std::string digest = ToHex(Sha256(secret));
  if (link_form) {
    ASSIGN_OR_RETURN(auto link, store->FindWitnessLink(digest));
    if (!link || !ConstantTimeEquals(link->sha256, digest)) return denied;
    if (!link->revoked.empty()) return Status::PermissionDenied("the link was revoked");
    return Subject{Role::kAnonymous, link->id, link->witness_id};
  }
  ASSIGN_OR_RETURN(auto found, store->FindToken(digest));
  if (!found || !ConstantTimeEquals(found->sha256, digest)) return denied;
  if (!found->revoked.empty()) return Status::PermissionDenied("the token was revoked");
  if (!found->expires.empty()) {
    auto until = ParseRfc3339(found->expires);
    if (!until.ok() || *until <= env->NowMicros()) {
      return Status::PermissionDenied("the token has expired");
    }
  }
  ASSIGN_OR_RETURN(Role role, ParseRole(found->role));
  return Subject{role, found->id, ""};
}

}  // namespace attest::access
