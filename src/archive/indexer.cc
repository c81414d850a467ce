#include "archive/indexer.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "archive/consent.h"
#include "archive/internal.h"
#include "archive/redaction.h"
#include "archive/semantic_sync.h"
#include "core/hash.h"
#include "search/dates.h"
#include "text/names.h"

namespace attest::archive {
namespace {

// Whether version `version` of a record is a translation (doc/format/manifest.md): its text is
// indexed beside the transcript it translates, never instead of it.
Result<bool> IsTranslation(meta::Store* store, const std::string& record_id, int version) {
  ASSIGN_OR_RETURN(meta::Record r, store->GetRecord(record_id));
  for (const meta::Version& v : r.versions) {
    if (v.version != version) continue;
    ASSIGN_OR_RETURN(Json m, ParseJson(v.manifest, "manifest"));
    return m.contains("derived") && StringMember(m["derived"], "artifact") == "translation";
  }
  return false;
}

// The layout of ARCHIVE/index/lexical (doc/search.md); an index of another is rebuilt.
constexpr const char* kIndexFormat = search::LexicalIndex::kLayout;

// What the index holds of a segment: its text, where it is, and the level it may be seen at.
// The indexed form of a segment: its text with its record's redactions applied, for everyone.
// A version held by a redaction that could not be placed in it is searched by those who may
// read restricted material only (doc/api.md "Redaction").
search::SegmentDoc SegmentDocOf(const meta::SegmentState& st, const RedactionPlan& plan) {
  const meta::Segment& g = st.segment;
  search::SegmentDoc d;
  d.segment_id = g.id;
  d.record_id = g.record_id;
  d.version = g.version;
  d.witness_id = st.witness_id;
  d.collection_id = st.collection_id;
  d.added_by = st.added_by;
  d.lang = g.lang.empty() ? "und" : g.lang;
  d.held = plan.Held(g.version);
  d.consent = d.held ? meta::Strictest(plan.Level(st), meta::Consent::kRestricted)
                     : plan.Level(st);
  d.start_ms = g.start_ms;
  d.end_ms = g.end_ms;
  d.page = g.page;
  d.char_start = g.char_start;
  d.text = plan.empty() ? g.text : ApplyRedactions(st, plan).text;
  for (const meta::Annotation& an : g.annotations) {
    if (an.kind == "place") d.places.push_back(an.value);
    if (an.kind == "date" && d.date_from.empty()) {
      if (auto range = search::ParseDateRange(an.value, "date"); range.ok()) {
        d.date_from = range->from;
        d.date_to = range->to;
      }
    }
  }
  return d;
}

}  // namespace

Status ValidateName(const std::string& name, const std::string& kind) {
  if (kind != "place" && kind != "person") {
    return Status::InvalidArgument("kind '" + kind + "' must be place or person");
  }
  if (!IsValidUtf8(name)) return Status::InvalidArgument("the name is not valid UTF-8");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      char code[8];
      std::snprintf(code, sizeof code, "U+%04X", c);
      return Status::InvalidArgument("the name '" + name.substr(0, 40) +
                                     "' holds a control character (" + code + ")");
    }
  }
  if (name.size() > 200) {
    return Status::InvalidArgument("the name '" + name.substr(0, 40) +
                                   "…' is longer than 200 bytes");
  }
  if (text::NameKeys(name).empty()) {
    return Status::InvalidArgument("the name '" + name + "' has no letters to match");
  }
  return Status::Ok();
}

Status Indexer::SyncIndex() {
  RETURN_IF_ERROR(SyncLexical());
  // The semantic index is optional: its failure (a registered model file moved away, say)
  // never stops the archive's work. SyncSemantic keeps it (archive_info semantic.error) and it
  // is tried again next time.
  (void)in_->semantic->SyncSemantic();
  return Status::Ok();
}

Status Indexer::SyncLexical() {
  std::string dir = JoinPath(in_->dir, "index");
  RETURN_IF_ERROR(in_->env->CreateDirs(dir));
  ASSIGN_OR_RETURN(auto lock, in_->env->LockFile(JoinPath(dir, ".lock")));
  // A copy a crash left behind (a rebuild or a compaction) may hold withdrawn words.
  RETURN_IF_ERROR(RemoveIndexTree(in_->env, JoinPath(dir, "lexical.new")));
  RETURN_IF_ERROR(RemoveIndexTree(in_->env, JoinPath(dir, "lexical.old")));
  ASSIGN_OR_RETURN(auto seg_info, in_->store->GetInfo("index.segment"));
  ASSIGN_OR_RETURN(auto wd_info, in_->store->GetInfo("index.withdrawal_leaf"));
  ASSIGN_OR_RETURN(auto consent_info, in_->store->GetInfo("index.consent_leaf"));
  // Unreadable bookkeeping means "start over": indexing is idempotent.
  int64_t indexed = InfoInt(seg_info, 0);
  int64_t withdrawn_upto = InfoInt(wd_info, -1);
  int64_t consent_upto = InfoInt(consent_info, -1);
  ASSIGN_OR_RETURN(auto format, in_->store->GetInfo("index.format"));
  ASSIGN_OR_RETURN(auto names_tag, in_->store->GetInfo("index.names"));
  ASSIGN_OR_RETURN(auto names, ListedNames(in_->store.get()));
  if (!in_->env->FileExists(JoinPath(dir, "lexical")) || format != kIndexFormat) {
    // Lost, never built, or built by an earlier attest: from the start.
    RETURN_IF_ERROR(RemoveIndexTree(in_->env, JoinPath(dir, "lexical")));
    RETURN_IF_ERROR(in_->store->SetInfo("index.format", kIndexFormat));
    RETURN_IF_ERROR(in_->store->SetInfo("index.names", NamesTag(names)));
    indexed = 0;
    withdrawn_upto = -1;
    consent_upto = -1;
  } else if (names_tag != NamesTag(names)) {
    // The name list changed: the text is indexed anew beside the live index, then swapped.
    lock.reset();
    return Reindex();
  }
  ASSIGN_OR_RETURN(int64_t max_segment, in_->store->MaxSegmentId());
  ASSIGN_OR_RETURN(auto withdrawals, in_->store->ListWithdrawals());
  std::vector<std::pair<std::string, uint64_t>> pending;
  for (const auto& w : withdrawals) {
    if (static_cast<int64_t>(w.second) > withdrawn_upto) pending.push_back(w);
  }
  ASSIGN_OR_RETURN(auto consent_changes, in_->store->ConsentChanges("", consent_upto));
  ASSIGN_OR_RETURN(auto redaction_info, in_->store->GetInfo("index.redaction"));
  int64_t redacted_upto = InfoInt(redaction_info, 0);
  ASSIGN_OR_RETURN(auto all_redactions, in_->store->ListRedactions(""));
  std::set<std::string> to_redact;
  int64_t max_redaction = redacted_upto;
  for (const auto& r : all_redactions) {
    if (r.id > redacted_upto) to_redact.insert(r.record_id);
    max_redaction = std::max(max_redaction, r.id);
  }
  if (max_segment <= indexed && pending.empty() && consent_changes.empty() && to_redact.empty()) {
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(auto index, search::LexicalIndex::Open(JoinPath(dir, "lexical")));
  index->SetNames(names);
  int64_t last = indexed;
  RETURN_IF_ERROR(IndexSegments(index.get(), indexed, &last, all_redactions));
  // A changed consent moves the record's segments to their new level (or out of the index).
  std::set<std::string> moved;
  for (const auto& c : consent_changes) {
    if (moved.insert(c.record_id).second) RETURN_IF_ERROR(IndexRecord(index.get(), c.record_id));
    consent_upto = std::max<int64_t>(consent_upto, static_cast<int64_t>(c.leaf_index));
  }
  // A redacted record's segments are indexed again without the hidden words.
  for (const auto& id : to_redact) {
    if (moved.insert(id).second) RETURN_IF_ERROR(IndexRecord(index.get(), id));
  }
  for (const auto& w : pending) {
    RETURN_IF_ERROR(index->RemoveRecord(w.first));
    withdrawn_upto = std::max<int64_t>(withdrawn_upto, static_cast<int64_t>(w.second));
  }
  RETURN_IF_ERROR(index->Commit());
  if (!pending.empty() || !to_redact.empty()) {
    // The removed segments' words (withdrawn, or redacted) stay in the blocks Xapian freed: the
    // index is copied without them and swapped in. Progress is recorded after, so a crash before
    // the swap removes and compacts again.
    index.reset();
    std::string fresh = JoinPath(dir, "lexical.new");
    RETURN_IF_ERROR(RemoveIndexTree(in_->env, fresh));
    RETURN_IF_ERROR(search::LexicalIndex::CompactInto(JoinPath(dir, "lexical"), fresh));
    RETURN_IF_ERROR(SwapInIndex(fresh));
  }
  RETURN_IF_ERROR(RecordIndexProgress(last, withdrawn_upto, consent_upto));
  if (max_redaction > redacted_upto) {
    RETURN_IF_ERROR(in_->store->SetInfo("index.redaction", std::to_string(max_redaction)));
  }
  return Status::Ok();
}

Status Indexer::SwapInIndex(const std::string& fresh) {
  std::string dir = JoinPath(in_->dir, "index");
  std::string live = JoinPath(dir, "lexical"), old = JoinPath(dir, "lexical.old");
  RETURN_IF_ERROR(RemoveIndexTree(in_->env, old));
  if (in_->env->FileExists(live)) RETURN_IF_ERROR(in_->env->RenameFile(live, old));
  RETURN_IF_ERROR(in_->env->RenameFile(fresh, live));
  RETURN_IF_ERROR(in_->env->SyncDir(dir));
  return RemoveIndexTree(in_->env, old);
}

Status Indexer::RecordIndexProgress(int64_t segment, int64_t withdrawal_leaf,
                                    int64_t consent_leaf) {
  RETURN_IF_ERROR(in_->store->SetInfo("index.segment", std::to_string(segment)));
  RETURN_IF_ERROR(in_->store->SetInfo("index.consent_leaf", std::to_string(consent_leaf)));
  return in_->store->SetInfo("index.withdrawal_leaf", std::to_string(withdrawal_leaf));
}

Status Indexer::Reindex() {
  std::string dir = JoinPath(in_->dir, "index");
  RETURN_IF_ERROR(in_->env->CreateDirs(dir));
  ASSIGN_OR_RETURN(auto lock, in_->env->LockFile(JoinPath(dir, ".lock")));
  std::string fresh = JoinPath(dir, "lexical.new"), live = JoinPath(dir, "lexical"),
              old = JoinPath(dir, "lexical.old");
  RETURN_IF_ERROR(RemoveIndexTree(in_->env, fresh));
  RETURN_IF_ERROR(RemoveIndexTree(in_->env, old));
  ASSIGN_OR_RETURN(auto withdrawals, in_->store->ListWithdrawals());
  ASSIGN_OR_RETURN(auto consent_changes, in_->store->ConsentChanges("", -1));  // before: see below
  ASSIGN_OR_RETURN(auto names, ListedNames(in_->store.get()));
  int64_t last = 0;
  {
    ASSIGN_OR_RETURN(auto index, search::LexicalIndex::Open(fresh));
    index->SetNames(names);
    ASSIGN_OR_RETURN(auto redactions, in_->store->ListRedactions(""));
    RETURN_IF_ERROR(IndexSegments(index.get(), 0, &last, redactions));
    RETURN_IF_ERROR(index->Commit());
  }
  RETURN_IF_ERROR(SwapInIndex(fresh));
  int64_t withdrawn_upto = -1;
  for (const auto& w : withdrawals) {
    withdrawn_upto = std::max<int64_t>(withdrawn_upto, static_cast<int64_t>(w.second));
  }
  RETURN_IF_ERROR(in_->store->SetInfo("index.format", kIndexFormat));
  RETURN_IF_ERROR(in_->store->SetInfo("index.names", NamesTag(names)));
  // Changes listed before the segments were read are in the rebuilt index; any later one is
  // beyond this mark, so the next SyncIndex applies it.
  int64_t consent_upto =
      consent_changes.empty() ? -1 : static_cast<int64_t>(consent_changes.back().leaf_index);
  return RecordIndexProgress(last, withdrawn_upto, consent_upto);
}

Status Indexer::IndexSegments(search::LexicalIndex* index, int64_t after_id, int64_t* last_id,
                              const std::vector<meta::Redaction>& all_redactions) {
  *last_id = after_id;
  std::map<std::string, std::vector<meta::Redaction>> redactions;
  for (const auto& r : all_redactions) redactions[r.record_id].push_back(r);
  std::map<std::string, RedactionPlan> plans;  // of the records met that have redactions
  const RedactionPlan none;
  ASSIGN_OR_RETURN(auto passages, in_->consent->RecordsWithPassageLevels());
  for (const auto& id : passages) redactions[id];  // planned as well
  std::string revised;  // the last record@version whose earlier versions were dropped
  while (true) {
    ASSIGN_OR_RETURN(auto batch, in_->store->ScanSegments(*last_id, 10000));
    if (batch.empty()) return Status::Ok();
    for (const meta::SegmentState& st : batch) {
      const meta::Segment& g = st.segment;
      *last_id = g.id;
      if (st.superseded) continue;
      // A revision's text replaces its record's earlier versions in the index.
      std::string rv = g.record_id + "@" + std::to_string(g.version);
      if (g.version > 1 && rv != revised) {
        ASSIGN_OR_RETURN(bool translation, IsTranslation(in_->store.get(), g.record_id, g.version));
        if (!translation) RETURN_IF_ERROR(index->RemoveVersionsBefore(g.record_id, g.version));
        revised = rv;
      }
      auto r = redactions.find(g.record_id);
      if (r == redactions.end()) {
        RETURN_IF_ERROR(index->Put(SegmentDocOf(st, none)));
        continue;
      }
      auto plan = plans.find(g.record_id);
      if (plan == plans.end()) {
        ASSIGN_OR_RETURN(auto record_segments, in_->store->RecordSegments(g.record_id));
        plan = plans.emplace(g.record_id, PlanRedactions(record_segments, r->second)).first;
      }
      RETURN_IF_ERROR(index->Put(SegmentDocOf(st, plan->second)));
    }
  }
}

Status Indexer::IndexRecord(search::LexicalIndex* index, const std::string& record_id) {
  ASSIGN_OR_RETURN(auto segments, in_->store->RecordSegments(record_id));
  ASSIGN_OR_RETURN(auto redactions, in_->store->ListRedactions(record_id));
  const RedactionPlan plan = PlanRedactions(segments, redactions);
  for (const meta::SegmentState& st : segments) {
    if (!st.superseded) RETURN_IF_ERROR(index->Put(SegmentDocOf(st, plan)));
  }
  return Status::Ok();
}

Status Indexer::AddName(const std::string& name, const std::string& kind) {
  RETURN_IF_ERROR(ValidateName(name, kind));
  RETURN_IF_ERROR(in_->store->AddName(name, kind, in_->Now()));
  return SyncIndex();  // the text is indexed anew with the name marked where it is spelled
}

Result<bool> Indexer::RemoveName(const std::string& name) {
  ASSIGN_OR_RETURN(bool removed, in_->store->RemoveName(name));
  if (removed) RETURN_IF_ERROR(SyncIndex());
  return removed;
}

Result<std::vector<std::pair<std::string, std::string>>> Indexer::ListNames() {
  return in_->store->ListNames();
}

std::string Indexer::NamesTag(const std::vector<std::string>& names) {
  std::string all;
  for (const auto& n : names) all += n + '\n';  // ListNames is sorted
  return ToHex(Sha256(all));
}

}  // namespace attest::archive
