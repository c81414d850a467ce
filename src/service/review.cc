#include "service/review.h"

#include <algorithm>
#include <set>
#include <utility>

#include "ingest/transcripts.h"
#include "service/accounts.h"
#include "service/cite.h"
#include "service/record_view.h"
#include "service/writes.h"

namespace attest::service {
namespace {

// The record's newest transcript or OCR version, if a machine made it.
std::optional<ReviewItem> Waiting(const meta::Record& r) {
  const meta::Version* newest = nullptr;
  Json derived;
  for (const meta::Version& v : r.versions) {
    Json d = DerivedOf(v);
    if (!d.is_object()) continue;
    const std::string artifact = d.value("artifact", "");
    if (artifact == "transcript" || artifact == "ocr") newest = &v, derived = d;
  }
  if (!newest || derived.value("tool", "") == "human") return std::nullopt;
  ReviewItem item;
  item.version = newest->version;
  item.artifact = derived.value("artifact", "");
  item.tool = derived.value("tool", "");
  if (derived.contains("models") && derived["models"].is_array() && !derived["models"].empty() &&
      derived["models"][0].is_object()) {
    item.model = derived["models"][0].value("name", "");
  }
  item.lang = newest->lang;
  item.created = newest->created;
  // OCR says its mean word confidence (0-100) in what it detected.
  if (item.artifact == "ocr" && derived.contains("detected") && derived["detected"].is_object() &&
      derived["detected"].contains("confidence") &&
      derived["detected"]["confidence"].is_number_integer()) {
    item.confidence = static_cast<int>(derived["detected"]["confidence"].get<int64_t>() * 10);
  }
  return item;
}

// A transcript's confidence: its lines' mean token probability, weighted by their length in time.
int TranscriptConfidence(archive::Archive* a, const ReviewItem& item) {
  auto doc = ingest::LoadTranscript(a, item.record.id, item.version);
  if (!doc.ok()) return -1;
  int64_t weighted = 0, ms = 0;
  for (const ingest::Cue& c : doc->cues) {
    if (c.confidence < 0) continue;
    int64_t len = std::max<int64_t>(c.end_ms - c.start_ms, 1);
    weighted += c.confidence * len;
    ms += len;
  }
  return ms == 0 ? -1 : static_cast<int>(weighted / ms);
}

}  // namespace

Result<ReviewQueue> ListReviewQueue(const Scope& scope, const std::string& collection,
                                    const std::string& lang, size_t offset, size_t limit) {
  if (!MayWrite(scope)) return Status::PermissionDenied(kNeedsWriter);
  ASSIGN_OR_RETURN(std::vector<meta::Record> records, ReadableRecords(scope));
  ReviewQueue q;
  std::set<std::string> collections, languages;
  std::vector<ReviewItem> waiting;
  for (meta::Record& r : records) {
    if (r.consent == meta::Consent::kSealed) continue;
    std::optional<ReviewItem> item = Waiting(r);
    if (!item) continue;
    if (!r.collection_id.empty()) collections.insert(r.collection_id);
    languages.insert(item->lang);
    if (!collection.empty() && r.collection_id != collection) continue;
    if (!lang.empty() && item->lang != lang) continue;
    item->record = std::move(r);
    waiting.push_back(std::move(*item));
  }
  std::sort(waiting.begin(), waiting.end(), [](const ReviewItem& x, const ReviewItem& y) {
    return std::tie(x.created, x.record.id) < std::tie(y.created, y.record.id);
  });
  q.total = waiting.size();
  q.collections.assign(collections.begin(), collections.end());
  q.languages.assign(languages.begin(), languages.end());
  for (size_t i = offset; i < waiting.size() && q.items.size() < limit; ++i) {
    ReviewItem& item = waiting[i];
    if (item.artifact == "transcript") item.confidence = TranscriptConfidence(scope.archive, item);
    q.items.push_back(std::move(item));
  }
  return q;
}

}  // namespace attest::service
