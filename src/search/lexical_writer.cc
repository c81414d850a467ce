// The lexical index's writer: the lanes that analyse and write segments, and the calls that
// add, remove and commit them (doc/format/search_index.md: what a segment's document holds).
#include <sys/stat.h>
#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "core/json.h"  // IsValidUtf8
#include "search/lexical_index.h"
#include "search/lexical_internal.h"
#include "text/names.h"

namespace attest::search {
namespace lexical {
namespace {

constexpr size_t kLaneQueue = 256;  // segments waiting per lane

}  // namespace

Lane::~Lane() {
  if (thread.joinable()) {
    {
      std::lock_guard<std::mutex> l(mu);
      stop = true;
    }
    cv.notify_all();
    thread.join();
  }
}

void Lane::Run() {
  std::unique_lock<std::mutex> l(mu);
  while (true) {
    cv.wait(l, [&] { return stop || !queue.empty(); });
    if (queue.empty()) return;
    SegmentDoc d = std::move(queue.front());
    queue.pop_front();
    busy = true;
    cv.notify_all();  // room in the queue
    l.unlock();
    Status st;
    try {
      st = Index(d);
    } catch (const Xapian::Error& e) {
      st = Status::IOError("search index: " + e.get_msg());
    }
    l.lock();
    busy = false;
    if (!st.ok() && error.ok()) error = st;
    cv.notify_all();
  }
}

Status Lane::Drain() {
  std::unique_lock<std::mutex> l(mu);
  cv.wait(l, [&] { return queue.empty() && !busy; });
  return error;
}

void Lane::DeleteDoc(Xapian::docid docid, int except) {
  for (int i = 0; i < 3; ++i) {
    if (i == except || w[i]->get_lastdocid() < docid) continue;
    try {
      w[i]->delete_document(docid);
    } catch (const Xapian::DocNotFoundError&) {
    }
  }
}

Status Lane::Index(const SegmentDoc& s) {
  {
    int level = -1;
    for (size_t i = 0; i < kLevels.size(); ++i) {
      if (kLevels[i] == s.consent) level = static_cast<int>(i);
    }
    // The segment's id is its document id in every level's database (checked by Put).
    Xapian::docid docid = static_cast<Xapian::docid>(s.segment_id);
    if (level < 0) {  // sealed or withdrawn: not searchable
      DeleteDoc(docid);
      return Status::Ok();
    }
    an.TrimCache();  // between segments: keys of this one are referred to below
    text::Analyzer* analyzer = an.For(text::LangFromTag(s.lang));
    Xapian::Document doc;
    Xapian::termpos last = 0;
    // Words: their spellings with positions (for phrases), stems without. Where consecutive
    // words spell a known name (SetNames; a place is one), their name keys too, so the name
    // is found in any script.
    std::vector<text::Term> text_terms;  // of s.text, kept for the document's data
    auto add_text = [&](const std::string& text, Xapian::termpos base, bool all_names,
                        std::vector<text::Term>* kept) -> Status {
      ASSIGN_OR_RETURN(auto terms, analyzer->Analyze(text));
      std::vector<std::vector<const std::string*>> keys;  // by word: its spellings' keys
      for (const text::Term& t : terms) {
        Xapian::termpos pos = base + t.position + 1;
        last = std::max(last, pos);
        if (t.kind == text::TermKind::kStem) {
          if (t.text.size() < kMaxTermBytes) doc.add_term(kStem + t.text);
          continue;
        }
        if (t.text.size() <= kMaxTermBytes) doc.add_posting(t.text, pos);
        if (an.tag_names.empty() && !all_names) continue;
        if (keys.size() <= t.position) keys.resize(t.position + 1);
        const std::string& key = an.KeyOf(t.text);
        auto& at = keys[t.position];
        if (!key.empty() && std::find_if(at.begin(), at.end(), [&](const std::string* k) {
                              return *k == key;
                            }) == at.end()) {
          at.push_back(&key);
        }
      }
      auto add_keys = [&](size_t i) {
        for (const std::string* k : keys[i]) {
          if (k->size() < kMaxTermBytes) doc.add_posting(kNameKey + *k, base + i + 1);
        }
      };
      if (all_names) {
        for (size_t i = 0; i < keys.size(); ++i) add_keys(i);
        return Status::Ok();
      }
      std::vector<bool> tagged(keys.size());
      for (size_t i = 0; i < keys.size(); ++i) {
        for (const auto& seq : an.tag_names) {
          bool spelled = SpellsAt(seq, i, keys.size(), [&](size_t p, const std::string& key) {
            return std::any_of(keys[p].begin(), keys[p].end(),
                               [&](const std::string* x) { return *x == key; });
          });
          if (!spelled) continue;
          for (size_t k = 0; k < seq.size(); ++k) tagged[i + k] = true;
        }
      }
      for (size_t i = 0; i < keys.size(); ++i) {
        if (tagged[i]) add_keys(i);
      }
      if (kept) *kept = std::move(terms);
      return Status::Ok();
    };
    RETURN_IF_ERROR(add_text(s.text, 0, false, &text_terms));
    for (const auto& place : s.places) {  // metadata words: searchable, never in a phrase
      RETURN_IF_ERROR(add_text(place, last + kFieldGap, true, nullptr));
      std::string key = PlaceKey(place);
      if (!key.empty() && key.size() < kMaxTermBytes) doc.add_boolean_term(kPlace + key);
    }
    doc.add_boolean_term(kLang + s.lang);
    doc.add_boolean_term(kRecord + s.record_id);
    if (!s.witness_id.empty()) doc.add_boolean_term(kWitness + s.witness_id);
    if (!s.collection_id.empty()) doc.add_boolean_term(kCollection + s.collection_id);
    doc.add_boolean_term(kLevel + std::string(meta::ConsentName(s.consent)));
    if (s.held) doc.add_boolean_term(kHeld);
    if (!s.added_by.empty() && s.added_by.size() < kMaxTermBytes) {
      doc.add_boolean_term(kAddedBy + s.added_by);
    }
    for (int k = 1; k <= SampleBits(static_cast<uint64_t>(s.segment_id)); ++k) {
      doc.add_boolean_term(kSample + std::to_string(k));
    }
    doc.add_value(kSlotFacets, FacetFields::Pack(s));
    doc.add_value(kSlotRecord, s.record_id);
    doc.add_value(kSlotVersion, Xapian::sortable_serialise(s.version));
    if (!s.date_from.empty()) {
      doc.add_value(kSlotDateFrom, s.date_from);
      doc.add_value(kSlotDateTo, s.date_to.empty() ? s.date_from : s.date_to);
    }
    doc.set_data(SegmentData::Encode(s, text_terms));
    w[level]->replace_document(docid, doc);
    DeleteDoc(docid, level);  // it may have changed level
  }
  return Status::Ok();
}

}  // namespace lexical

using lexical::kLanes;
using lexical::kLevels;
using lexical::kRecord;
using lexical::kSlotVersion;
using lexical::Lane;
using lexical::LevelDir;

Result<std::unique_ptr<LexicalIndex>> LexicalIndex::Open(const std::string& dir, bool one_thread) {
  std::unique_ptr<LexicalIndex> idx(new LexicalIndex);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::IOError("cannot create the search index directory " + dir + ": " +
                           std::strerror(errno));
  }
  try {
    for (size_t k = 0; k < kLanes; ++k) {
      auto lane = std::make_unique<Lane>();
      for (size_t i = 0; i < kLevels.size(); ++i) {
        lane->w[i] = std::make_unique<Xapian::WritableDatabase>(LevelDir(dir, i, k),
                                                                Xapian::DB_CREATE_OR_OPEN);
      }
      idx->rep_->lanes.push_back(std::move(lane));
    }
  } catch (const Xapian::DatabaseLockError& e) {
    return Status::Unavailable("search index " + dir + " is being written by another process");
  } catch (const Xapian::Error& e) {
    return Status::Corruption("search index " + dir + " cannot be opened (" + e.get_msg() +
                              "); it can be rebuilt from the database");
  }
  PrepareForThreads();  // before the lanes analyse from two threads at a time
  idx->rep_->one_thread = one_thread;
  for (auto& lane : idx->rep_->lanes) {
    Lane* l = lane.get();
    if (!one_thread) l->thread = std::thread([l] { l->Run(); });
  }
  return idx;
}

void LexicalIndex::PrepareForThreads() {
  // ICU sets up its data lazily on first use: here, once.
  (void)text::Tokenize("é a");
  (void)text::NameKey("a");
}

void LexicalIndex::SetNames(const std::vector<std::string>& names) {
  (void)rep_->Drain();
  for (auto& lane : rep_->lanes) lane->an.tag_names = lane->an.NameKeySeqs(names);
}

Status LexicalIndex::CompactInto(const std::string& from, const std::string& to) {
  if (::mkdir(to.c_str(), 0700) != 0) {
    return Status::IOError("cannot create " + to + ": " + std::strerror(errno));
  }
  try {
    for (size_t i = 0; i < kLevels.size(); ++i) {
      for (size_t k = 0; k < kLanes; ++k) {
        // Document ids stay segment ids.
        Xapian::Database(LevelDir(from, i, k))
            .compact(LevelDir(to, i, k), Xapian::DBCOMPACT_NO_RENUMBER);
      }
    }
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index " + from + " cannot be compacted (" + e.get_msg() + ")");
  }
  return Status::Ok();
}

Status LexicalIndex::Put(const SegmentDoc& s) {
  if (!rep_->writable()) return Status::PermissionDenied("the search index was opened read-only");
  ++rep_->writes;
  if (s.segment_id < 1 || s.segment_id > static_cast<int64_t>(UINT32_MAX)) {
    return Status::InvalidArgument("segment id " + std::to_string(s.segment_id) +
                                   " is outside 1..2^32-1");
  }
  if (!IsValidUtf8(s.text)) {
    return Status::InvalidArgument("segment " + std::to_string(s.segment_id) + " of record " +
                                   s.record_id + " is not valid UTF-8");
  }
  Lane& lane = *rep_->lanes[static_cast<size_t>(s.segment_id) % rep_->lanes.size()];
  if (rep_->one_thread) {
    try {
      return lane.Index(s);
    } catch (const Xapian::Error& e) {
      return Status::IOError("search index: " + e.get_msg());
    }
  }
  std::unique_lock<std::mutex> l(lane.mu);
  lane.cv.wait(l, [&] { return lane.queue.size() < lexical::kLaneQueue; });
  if (!lane.error.ok()) return lane.error;
  lane.queue.push_back(s);
  lane.cv.notify_all();
  return Status::Ok();
}

Status LexicalIndex::RemoveRecord(const std::string& record_id) {
  if (!rep_->writable()) return Status::PermissionDenied("the search index was opened read-only");
  ++rep_->writes;
  RETURN_IF_ERROR(rep_->Drain());
  try {
    rep_->DeleteEverywhere(kRecord + record_id);
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  return Status::Ok();
}

Status LexicalIndex::RemoveVersionsBefore(const std::string& record_id, int version) {
  if (!rep_->writable()) return Status::PermissionDenied("the search index was opened read-only");
  ++rep_->writes;
  RETURN_IF_ERROR(rep_->Drain());
  try {
    for (auto* w : rep_->Writers()) {
      std::vector<Xapian::docid> older;
      for (auto it = w->postlist_begin(kRecord + record_id);
           it != w->postlist_end(kRecord + record_id); ++it) {
        std::string v = w->get_document(*it).get_value(kSlotVersion);
        if (v.empty() || Xapian::sortable_unserialise(v) < version) older.push_back(*it);
      }
      for (Xapian::docid d : older) w->delete_document(d);
    }
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  return Status::Ok();
}

Status LexicalIndex::Commit() {
  if (!rep_->writable()) return Status::PermissionDenied("the search index was opened read-only");
  RETURN_IF_ERROR(rep_->Drain());
  try {
    for (auto* w : rep_->Writers()) w->commit();
  } catch (const Xapian::Error& e) {
    return Status::IOError("search index: " + e.get_msg());
  }
  return Status::Ok();
}

}  // namespace attest::search
