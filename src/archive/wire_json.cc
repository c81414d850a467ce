#include "archive/wire_json.h"

namespace attest::archive {
namespace {

Json VersionJson(const meta::Version& v) {
  Json blobs = Json::array();
  for (const auto& b : v.blobs) {
    blobs.push_back({{"role", b.role}, {"sha256", b.sha256}, {"size", b.size}});
  }
  return {{"version", v.version},
          {"lang", v.lang},
          {"created", v.created},
          {"leaf_index", v.leaf_index},
          {"manifest_sha256", v.manifest_sha256},
          {"blobs", blobs}};
}

}  // namespace

Json ConsentChangesToJson(const std::vector<meta::ConsentChange>& changes, bool with_private,
                          const std::function<std::string(int64_t)>& segment_ref) {
  Json out = Json::array();
  for (const auto& c : changes) {
    Json j = {{"from", meta::ConsentName(c.from)},
              {"to", meta::ConsentName(c.to)},
              {"at", c.at},
              {"leaf_index", c.leaf_index}};
    if (c.segment_id > 0) {  // one passage's own level
      if (!segment_ref) {
        j["segment"] = c.segment_id;
      } else if (std::string ref = segment_ref(c.segment_id); !ref.empty()) {
        j["segment"] = ref;
      } else {
        j["passage"] = true;  // a passage the caller may not read: not named
      }
    }
    if (with_private) {
      j["reason"] = c.reason;
      j["by"] = c.by;
    }
    out.push_back(std::move(j));
  }
  return out;
}

Json RecordToJson(const meta::Record& r) {
  Json versions = Json::array();
  for (const auto& v : r.versions) versions.push_back(VersionJson(v));
  Json j = {{"id", r.id},
            {"collection", r.collection_id},
            {"witness", r.witness_id},
            {"consent", meta::ConsentName(r.consent)},
            {"created", r.created},
            {"versions", versions}};
  if (r.withdrawn_at) {
    j["withdrawn_at"] = *r.withdrawn_at;
    if (r.withdraw_leaf_index) j["withdraw_leaf_index"] = *r.withdraw_leaf_index;
  }
  return j;
}

Json SearchResultsToJson(const search::Results& r,
                         const std::function<std::string(int64_t)>& segment_ref) {
  // Built by moving each part into place: a search page is built for every request.
  Json records = Json::array();
  for (const auto& g : r.records) {
    Json hits = Json::array();
    for (const auto& h : g.hits) {
      Json marks = Json::array(), chars = Json::array();
      for (const auto& [s, e] : h.highlights) marks.push_back(Json::array({s, e}));
      for (const auto& [s, e] : h.char_ranges) chars.push_back(Json::array({s, e}));
      Json j = Json::object();
      if (segment_ref) {
        j["segment"] = segment_ref(h.segment_id);
      } else {
        j["segment"] = h.segment_id;
      }
      j["version"] = h.version;
      j["lang"] = h.lang;
      j["snippet"] = h.snippet;
      j["highlights"] = std::move(marks);
      if (!segment_ref) j["chars"] = std::move(chars);
      if (h.start_ms >= 0) {
        j["start_ms"] = h.start_ms;
        j["end_ms"] = h.end_ms;
      }
      if (h.page >= 0) j["page"] = h.page;
      hits.push_back(std::move(j));
    }
    Json group = Json::object();
    group["record"] = g.record_id;
    group["witness"] = g.witness_id;
    group["collection"] = g.collection_id;
    group["matching_segments"] = g.matching_segments;
    group["segments"] = std::move(hits);
    records.push_back(std::move(group));
  }
  Json facets = Json::object();
  facets["lang"] = r.lang_facets;
  facets["collection"] = r.collection_facets;
  facets["place"] = r.place_facets;
  facets["month"] = r.month_facets;
  Json out = Json::object();
  out["total_estimate"] = r.total_estimate;
  out["records_estimate"] = r.records_estimate;
  out["counts_exact"] = r.counts_exact;
  out["facet_sample"] = r.facet_sample;
  out["records"] = std::move(records);
  out["facets"] = std::move(facets);
  if (!r.next_cursor.empty()) out["next_cursor"] = r.next_cursor;
  return out;
}

}  // namespace attest::archive
