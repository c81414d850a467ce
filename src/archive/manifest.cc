#include "archive/manifest.h"

#include "core/env.h"
#include "core/hash.h"

namespace attest::archive {

std::string CommitVersion(const std::string& salt, const std::string& manifest_sha256) {
  if (salt.empty()) return "";
  return ToHex(HmacSha256(salt, std::string("attest.version.v1") + '\0' + manifest_sha256));
}

Result<std::string> BuildManifest(const ManifestFields& f) {
  Json blobs = Json::array();
  for (const auto& b : f.blobs) {
    blobs.push_back({{"role", b.role}, {"sha256", b.sha256}, {"size", b.size}});
  }
  Json m = {{"type", "attest.manifest.v1"},
            {"record", f.record},
            {"version", f.version},
            {"collection", f.collection},
            {"witness", f.witness},
            {"consent", meta::ConsentName(f.consent)},
            {"lang", f.lang},
            {"created", f.created},
            {"blobs", blobs},
            {"private", f.private_hmac}};
  if (!f.derived.is_null()) m["derived"] = f.derived;
  return CanonicalJson(m);
}

Result<std::string> CommitPrivate(const std::string& salt, const Json& private_object) {
  ASSIGN_OR_RETURN(std::string canon, CanonicalJson(private_object));
  return ToHex(HmacSha256(salt, canon));
}

namespace {

constexpr char kLeafV1[] = "attest.leaf.v1";
constexpr char kLeafV2[] = "attest.leaf.v2";

// What the HMAC of a commitment covers: a label, a NUL, then the id.
std::string Labelled(std::string_view label, std::string_view id) {
  std::string m(label);
  m.push_back('\0');
  m.append(id);
  return m;
}

// The members both formats share.
Json LeafBody(const LeafFields& f, const char* type) {
  Json j = {{"type", type}, {"kind", f.kind}, {"version", f.version}, {"time", f.time}};
  if (!f.manifest_sha256.empty()) j["manifest"] = f.manifest_sha256;
  if (!f.consent.empty()) j["consent"] = f.consent;
  if (!f.until.empty()) j["until"] = f.until;
  return j;
}

}  // namespace

std::string CommitRecord(const std::string& salt, std::string_view record_id) {
  return ToHex(HmacSha256(salt, Labelled("attest.leaf.record", record_id)));
}

std::string CommitSegment(const std::string& salt, int64_t segment_id) {
  return ToHex(HmacSha256(salt, Labelled("attest.leaf.segment", std::to_string(segment_id))));
}

Result<std::string> BuildLeaf(const LeafFields& f, const std::string& salt) {
  if (f.record.empty()) return Status::InvalidArgument("a log leaf needs the record it states");
  if (salt.empty()) {
    return Status::InvalidArgument("record '" + f.record +
                                   "' has no salt (withdrawn?): its leaf cannot commit to it");
  }
  Json j = LeafBody(f, kLeafV2);
  j["rc"] = CommitRecord(salt, f.record);
  if (f.segment > 0) j["sc"] = CommitSegment(salt, f.segment);
  return CanonicalJson(j);
}

Result<std::string> BuildLeafV1(const LeafFields& f) {
  Json j = LeafBody(f, kLeafV1);
  j["record"] = f.record;
  if (f.segment > 0) j["segment"] = f.segment;
  return CanonicalJson(j);
}

Result<LeafFields> ParseLeaf(std::string_view leaf) {
  ASSIGN_OR_RETURN(Json j, ParseJson(leaf, "log leaf"));
  auto canon = CanonicalJson(j);
  if (!canon.ok() || *canon != leaf) {
    return Status::Corruption("log leaf is not in canonical JSON form");
  }
  std::string type = j.is_object() ? StringMember(j, "type") : "";
  LeafFields f;
  if (type == kLeafV1) {
    f.format = 1;
  } else if (type != kLeafV2) {
    return Status::Corruption("log leaf is neither an attest.leaf.v1 nor a v2 statement");
  }
  // v1 names the record and a segment; v2 commits to them (rc, sc). Never both.
  const char* record_member = f.format == 1 ? "record" : "rc";
  const char* segment_member = f.format == 1 ? "segment" : "sc";
  for (const char* other : {f.format == 1 ? "rc" : "record", f.format == 1 ? "sc" : "segment"}) {
    if (j.contains(other)) {
      return Status::Corruption("a " + type + " leaf has no member '" + other + "'");
    }
  }
  if (!j.contains("kind") || !j["kind"].is_string() || !j.contains(record_member) ||
      !j[record_member].is_string() || !j.contains("version") ||
      !j["version"].is_number_integer() || !j.contains("time") || !j["time"].is_string()) {
    return Status::Corruption(std::string("log leaf lacks kind, ") + record_member +
                              ", version or time");
  }
  f.kind = j["kind"];
  f.version = j["version"];
  f.time = j["time"];
  if (f.format == 1) {
    f.record = j["record"];
  } else {
    f.record_commitment = j["rc"];
    if (!IsSha256Hex(f.record_commitment)) {
      return Status::Corruption("log leaf's rc is not an HMAC-SHA-256 in hex");
    }
  }
  if (j.contains("manifest")) {
    if (!j["manifest"].is_string() || !IsSha256Hex(j["manifest"].get<std::string>())) {
      return Status::Corruption("log leaf's manifest is not a SHA-256 in hex");
    }
    f.manifest_sha256 = j["manifest"];
  }
  bool needs_manifest =
      f.kind == "add" || f.kind == "revise" || f.kind == "derive" || f.kind == "consent";
  if (!needs_manifest && f.kind != "withdraw") {
    return Status::Corruption("log leaf has unknown kind '" + f.kind + "'");
  }
  if (needs_manifest && f.manifest_sha256.empty()) {
    return Status::Corruption("log leaf of kind " + f.kind + " lacks its manifest hash");
  }
  if (f.kind == "consent") {
    std::string level = StringMember(j, "consent");
    if (level != "public" && level != "research" && level != "restricted" && level != "sealed") {
      return Status::Corruption(
          "consent leaf lacks a level (public, research, restricted or sealed)");
    }
    f.consent = level;
    f.until = StringMember(j, "until");
    bool day = f.until.size() == 10 && f.until[4] == '-' && f.until[7] == '-';
    if ((level == "sealed") != day || (j.contains("until") && !day)) {
      return Status::Corruption(
          "a consent leaf has an opening day (until, YYYY-MM-DD) if and "
          "only if it seals");
    }
    if (j.contains(segment_member)) {
      const Json& g = j[segment_member];
      bool valid = f.format == 1 ? g.is_number_integer() && g.get<int64_t>() >= 1
                                 : g.is_string() && IsSha256Hex(g.get<std::string>());
      if (!valid || level == "sealed") {
        return Status::Corruption(
            "a consent leaf's segment is a positive id (v1) or an HMAC in hex (v2), and a "
            "segment is never sealed alone");
      }
      if (f.format == 1) {
        f.segment = g.get<int64_t>();
      } else {
        f.segment_commitment = g.get<std::string>();
      }
    }
  } else if (j.contains("consent") || j.contains("until") || j.contains(segment_member)) {
    return Status::Corruption("log leaf of kind " + f.kind + " has a consent level");
  }
  return f;
}

std::string NewRecordId(Env* env) {
  uint8_t raw[13];
  env->RandomBytes(raw, sizeof(raw));
  return "r" + Base32Lower(raw, sizeof(raw), 20);
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64 || id[0] == '.' || id[0] == '-') return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsValidLang(std::string_view lang) {
  size_t i = 0;
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  while (i < lang.size() && lower(lang[i])) ++i;
  if (i < 2 || i > 3) return false;
  while (i < lang.size()) {
    if (lang[i] != '-') return false;
    size_t start = ++i;
    while (i < lang.size() && std::isalnum(static_cast<unsigned char>(lang[i]))) ++i;
    if (i - start < 2 || i - start > 8) return false;
  }
  return true;
}

}  // namespace attest::archive
