#include "archive/semantic_sync.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>

#include "archive/consent.h"
#include "archive/internal.h"
#include "archive/redaction.h"

namespace attest::archive {

namespace {
// The llama.cpp the embeddings are computed with (third_party/npm-pins.txt), for provenance.
constexpr char kEmbeddingTool[] = "llama.cpp de3ff815ea7d (node-llama-cpp 3.22.1)";
constexpr size_t kEmbedBatch = 32;   // texts embedded at once
constexpr size_t kSaveEvery = 2048;  // segments embedded between saves of the index
}  // namespace

attest::Status SemanticSync::RebuildSemantic() {
  std::string dir = JoinPath(in_->dir, "index");
  {
    ASSIGN_OR_RETURN(auto lock, in_->env->LockFile(JoinPath(dir, ".semantic.lock")));
    RETURN_IF_ERROR(RemoveIndexTree(in_->env, JoinPath(dir, "semantic")));
  }
  return SyncSemantic();
}

Result<std::optional<meta::ModelFile>> SemanticSync::EmbeddingModel() {
  ASSIGN_OR_RETURN(auto models, in_->store->ListModels("embedding"));
  if (models.empty()) return std::optional<meta::ModelFile>();
  return std::optional<meta::ModelFile>(models.front());
}

attest::Status SemanticSync::EmbedSegments(search::SemanticIndex* index,
                                           const meta::ModelFile& model,
                                           const std::vector<meta::SegmentState>& segments,
                                           const std::vector<meta::Redaction>& redactions) {
  std::map<std::string, std::vector<meta::Redaction>> by_record;
  for (const auto& r : redactions) by_record[r.record_id].push_back(r);
  ASSIGN_OR_RETURN(auto passages, in_->consent->RecordsWithPassageLevels());
  for (const auto& id : passages) by_record[id];  // planned as well
  std::map<std::string, RedactionPlan> plans;     // of the records met that have redactions
  for (size_t at = 0; at < segments.size(); at += kEmbedBatch) {
    std::vector<std::string> texts;
    std::vector<const meta::SegmentState*> batch;
    std::vector<meta::Consent> levels;
    for (size_t i = at; i < segments.size() && i < at + kEmbedBatch; ++i) {
      const meta::SegmentState& st = segments[i];
      if (st.superseded || st.effective == meta::Consent::kSealed ||
          st.effective == meta::Consent::kWithdrawn) {
        RETURN_IF_ERROR(index->Remove(st.segment.id));
        continue;
      }
      // A redacted segment is embedded without its hidden words; a held version's at the
      // restricted level (SegmentDocOf).
      auto own = by_record.find(st.segment.record_id);
      meta::Consent level = st.effective;
      if (own == by_record.end()) {
        texts.push_back(st.segment.text);
      } else {
        auto plan = plans.find(st.segment.record_id);
        if (plan == plans.end()) {
          ASSIGN_OR_RETURN(auto record_segments, in_->store->RecordSegments(st.segment.record_id));
          plan = plans.emplace(st.segment.record_id, PlanRedactions(record_segments, own->second))
                     .first;
        }
        texts.push_back(ApplyRedactions(st, plan->second).text);
        level = plan->second.Level(st);
        if (plan->second.Held(st.segment.version)) {
          level = meta::Strictest(level, meta::Consent::kRestricted);
        }
      }
      batch.push_back(&st);
      levels.push_back(level);
    }
    if (texts.empty()) continue;
    ASSIGN_OR_RETURN(auto vectors, in_->ask->EmbedPassages(model, texts));
    for (size_t i = 0; i < batch.size(); ++i) {
      RETURN_IF_ERROR(index->Put(batch[i]->segment.id, levels[i], vectors[i]));
    }
  }
  return attest::Status::Ok();
}

attest::Status SemanticSync::SyncSemantic() {
  attest::Status st = FollowSemantic();
  std::string error = st.ok() ? "" : st.ToString();
  ASSIGN_OR_RETURN(auto kept, in_->store->GetInfo("semantic.error"));
  if (kept.value_or("") != error) RETURN_IF_ERROR(in_->store->SetInfo("semantic.error", error));
  return st;
}

attest::Status SemanticSync::FollowSemantic() {
  ASSIGN_OR_RETURN(auto model, EmbeddingModel());
  if (!model) return attest::Status::Ok();
  std::string dir = JoinPath(in_->dir, "index");
  RETURN_IF_ERROR(in_->env->CreateDirs(dir));
  ASSIGN_OR_RETURN(auto lock, in_->env->LockFile(JoinPath(dir, ".semantic.lock")));
  std::string sdir = JoinPath(dir, "semantic");
  ASSIGN_OR_RETURN(auto withdrawal_info, in_->store->GetInfo("semantic.withdrawal_leaf"));
  ASSIGN_OR_RETURN(auto consent_info, in_->store->GetInfo("semantic.consent_leaf"));
  ASSIGN_OR_RETURN(auto redaction_info, in_->store->GetInfo("semantic.redaction"));
  ASSIGN_OR_RETURN(auto redactions, in_->store->ListRedactions(""));
  ASSIGN_OR_RETURN(auto withdrawals, in_->store->ListWithdrawals());
  {
    // Nothing new since the index was saved: it is left as it is, and the model not loaded.
    auto meta = search::SemanticIndex::ReadMeta(sdir);
    ASSIGN_OR_RETURN(int64_t max_segment, in_->store->MaxSegmentId());
    ASSIGN_OR_RETURN(auto changes, in_->store->ConsentChanges("", InfoInt(consent_info, -1)));
    bool pending = !meta.ok() || (*meta)["provenance"].value("model_sha256", "") != model->sha256 ||
                   meta->value("last_segment", int64_t{0}) < max_segment || !changes.empty();
    for (const auto& r : redactions) pending |= r.id > InfoInt(redaction_info, 0);
    for (const auto& w : withdrawals) {
      pending |= static_cast<int64_t>(w.second) > InfoInt(withdrawal_info, -1);
    }
    if (!pending) return attest::Status::Ok();
  }
  ASSIGN_OR_RETURN(size_t dims, in_->ask->Dims(*model));
  auto opened = search::SemanticIndex::Open(sdir, dims);
  if (!opened.ok() || (*opened)->provenance().value("model_sha256", "") != model->sha256) {
    // Another model (or width), or damage: built anew.
    opened = attest::Status::NotFound("");
    RETURN_IF_ERROR(RemoveIndexTree(in_->env, sdir));
    for (auto* info : {&withdrawal_info, &consent_info, &redaction_info}) info->reset();
    for (const char* key :
         {"semantic.withdrawal_leaf", "semantic.consent_leaf", "semantic.redaction"}) {
      RETURN_IF_ERROR(in_->store->SetInfo(key, ""));
    }
    ASSIGN_OR_RETURN(opened, search::SemanticIndex::Open(sdir, dims));
    Json info = Json::parse(model->info, nullptr, false);
    (*opened)->SetProvenance(
        {{"model_sha256", model->sha256},
         {"model_file", model->name},
         {"model_name", info.is_object() ? info.value("name", "") : ""},
         {"dims", dims},
         {"query_prefix", info.is_object() ? info.value("query_prefix", "") : ""},
         {"passage_prefix", info.is_object() ? info.value("passage_prefix", "") : ""},
         {"pooling", "the model's, then unit length"},
         {"tool", kEmbeddingTool},
         {"built", FormatRfc3339(in_->env->NowMicros())}});
  }
  search::SemanticIndex* index = opened->get();
  int64_t withdrawn_upto = InfoInt(withdrawal_info, -1);
  int64_t consent_upto = InfoInt(consent_info, -1);
  int64_t redacted_upto = InfoInt(redaction_info, 0);

  // New segments, in id order, saved now and then so a crash loses little.
  int64_t last = index->last_segment();
  size_t since_save = 0;
  while (true) {
    ASSIGN_OR_RETURN(auto batch, in_->store->ScanSegments(last, 256));
    if (batch.empty()) break;
    RETURN_IF_ERROR(EmbedSegments(index, *model, batch, redactions));
    last = batch.back().segment.id;
    index->SetLastSegment(last);
    since_save += batch.size();
    if (since_save >= kSaveEvery) {
      RETURN_IF_ERROR(index->Save());
      since_save = 0;
    }
  }
  // Records whose consent changed or that were redacted: embedded again, at their level now.
  std::set<std::string> again;
  ASSIGN_OR_RETURN(auto consent_changes, in_->store->ConsentChanges("", consent_upto));
  for (const auto& c : consent_changes) {
    again.insert(c.record_id);
    consent_upto = std::max<int64_t>(consent_upto, static_cast<int64_t>(c.leaf_index));
  }
  int64_t max_redaction = redacted_upto;
  for (const auto& r : redactions) {
    if (r.id > redacted_upto) again.insert(r.record_id);
    max_redaction = std::max(max_redaction, r.id);
  }
  for (const auto& id : again) {
    ASSIGN_OR_RETURN(auto segments, in_->store->RecordSegments(id));
    RETURN_IF_ERROR(EmbedSegments(index, *model, segments, redactions));
  }
  // Withdrawn records: out.
  for (const auto& w : withdrawals) {
    if (static_cast<int64_t>(w.second) <= withdrawn_upto) continue;
    ASSIGN_OR_RETURN(auto segments, in_->store->RecordSegments(w.first));
    for (const auto& st : segments) RETURN_IF_ERROR(index->Remove(st.segment.id));
    withdrawn_upto = std::max<int64_t>(withdrawn_upto, static_cast<int64_t>(w.second));
  }
  RETURN_IF_ERROR(index->Save());
  RETURN_IF_ERROR(in_->store->SetInfo("semantic.withdrawal_leaf", std::to_string(withdrawn_upto)));
  RETURN_IF_ERROR(in_->store->SetInfo("semantic.consent_leaf", std::to_string(consent_upto)));
  return in_->store->SetInfo("semantic.redaction", std::to_string(max_redaction));
}

Result<SemanticStatus> SemanticSync::Status() {
  ASSIGN_OR_RETURN(auto error, in_->store->GetInfo("semantic.error"));
  SemanticStatus s;
  s.error = error.value_or("");
  return s;
}

}  // namespace attest::archive
