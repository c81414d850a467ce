#include "service/cite.h"

#include <cstdio>

namespace attest::service {
namespace {

// The members of a record's free metadata that are shown with it (ShownMeta).
constexpr const char* kShownMeta[] = {"title", "description", "note"};

}  // namespace

Json DerivedOf(const meta::Version& v) {
  Json m = Json::parse(v.manifest, nullptr, false);
  if (m.is_discarded() || !m.contains("derived")) return nullptr;
  return m["derived"];
}

const meta::Version* NewestOriginal(const meta::Record& record) {
  const meta::Version* original = nullptr;
  for (const auto& v : record.versions) {
    if (!DerivedOf(v).is_object()) original = &v;
  }
  return original;
}

Json ShownMeta(const meta::Version* original) {
  Json shown = Json::object();
  if (!original || original->private_json.empty()) return shown;
  Json p = Json::parse(original->private_json, nullptr, false);
  if (!p.is_object() || !p.contains("meta") || !p["meta"].is_object()) return shown;
  for (const char* key : kShownMeta) {
    if (p["meta"].contains(key) && p["meta"][key].is_string()) shown[key] = p["meta"][key];
  }
  return shown;
}

std::string Citation(const meta::Record& r, const meta::Version& v, const std::string& origin,
                     const std::string& where) {
  std::string s;
  Json shown = ShownMeta(NewestOriginal(r));
  if (shown.contains("title")) s += shown["title"].get<std::string>() + ". ";
  if (!r.witness_id.empty()) s += "Witness " + r.witness_id + ", ";
  s += "record " + r.id + ", version " + std::to_string(v.version) + where;
  s += ". attest archive " + origin + ", log entry " + std::to_string(v.leaf_index) + ".";
  return s;
}

std::string SegmentLink(const std::string& record_id, const std::string& segment_ref,
                        int64_t start_ms) {
  return "/records/" + record_id + (start_ms >= 0 ? "?t=" + std::to_string(start_ms / 1000) : "") +
         "#" + segment_ref;
}

std::string FormatClock(int64_t ms) {
  if (ms < 0) ms = 0;
  int64_t s = ms / 1000;
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  }
  return buf;
}

}  // namespace attest::service
