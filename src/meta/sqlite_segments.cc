// The SQLite backend of meta::Store: segments of text, their annotations, and the archive's
// list of names.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "meta/backend.h"
#include "meta/sqlite_store.h"

namespace attest::meta {

Result<std::vector<SegmentState>> SqliteStore::ScanSegments(int64_t after_id, uint64_t limit) {
  return LoadSegments("g.id > ? ORDER BY g.id LIMIT ?", [&](Stmt& s) {
    s.Bind(1, after_id).Bind(2, static_cast<int64_t>(std::min<uint64_t>(limit, INT64_MAX)));
  });
}

Result<std::vector<SegmentState>> SqliteStore::RecordSegments(const std::string& record_id) {
  return LoadSegments("g.record_id = ? ORDER BY g.id", [&](Stmt& s) { s.Bind(1, record_id); });
}

Result<std::vector<SegmentState>> SqliteStore::LoadSegments(
    const std::string& where, const std::function<void(Stmt&)>& bind) {
  ASSIGN_OR_RETURN(Stmt s,
                   db_->Prepare("SELECT g.id, g.record_id, g.version, g.start_ms, g.end_ms, "
                                "g.page, g.char_start, g.char_end, COALESCE(g.lang, ''), "
                                "COALESCE(g.speaker, ''), g.consent, COALESCE(g.text, ''), "
                                "r.consent, COALESCE(r.witness_id, ''), "
                                "COALESCE(r.collection_id, ''), "
                                // A later original than the one this text was made from.
                                "EXISTS (SELECT 1 FROM versions v JOIN versions w ON "
                                "w.record_id = v.record_id WHERE v.record_id = g.record_id AND "
                                "v.version = g.version AND w.derived_from IS NULL AND "
                                "w.version > COALESCE(v.derived_from, v.version)), "
                                "COALESCE(r.added_by, '') "
                                "FROM segments g JOIN records r "
                                "ON r.id = g.record_id WHERE " +
                                where));
  bind(s);
  std::vector<SegmentState> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    SegmentState st;
    Segment& g = st.segment;
    g.id = s.Int(0);
    g.record_id = s.Text(1);
    g.version = static_cast<int>(s.Int(2));
    g.start_ms = s.IsNull(3) ? -1 : s.Int(3);
    g.end_ms = s.IsNull(4) ? -1 : s.Int(4);
    g.page = s.IsNull(5) ? -1 : static_cast<int>(s.Int(5));
    g.char_start = s.IsNull(6) ? -1 : s.Int(6);
    g.char_end = s.IsNull(7) ? -1 : s.Int(7);
    g.lang = s.Text(8);
    g.speaker = s.Text(9);
    if (!s.IsNull(10)) {
      ASSIGN_OR_RETURN(Consent c, ParseConsent(s.Text(10)));
      g.consent = c;
    }
    ASSIGN_OR_RETURN(g.text, OpenIfSealed(sealer_, g.record_id, s.Text(11)));
    ASSIGN_OR_RETURN(Consent record_consent, ParseConsent(s.Text(12)));
    st.effective = EffectiveConsent(record_consent, g.consent);
    st.witness_id = s.Text(13);
    st.collection_id = s.Text(14);
    st.superseded = s.Int(15) != 0;
    st.added_by = s.Text(16);
    out.push_back(std::move(st));
  }
  if (out.empty()) return out;
  // Their annotations, in one pass over the id range the batch spans.
  int64_t lo = out.front().segment.id, hi = lo;
  std::unordered_map<int64_t, size_t> at;
  for (size_t i = 0; i < out.size(); ++i) {
    lo = std::min(lo, out[i].segment.id);
    hi = std::max(hi, out[i].segment.id);
    at[out[i].segment.id] = i;
  }
  ASSIGN_OR_RETURN(Stmt a, db_->Prepare("SELECT segment_id, kind, value, source FROM annotations "
                                        "WHERE segment_id BETWEEN ? AND ? ORDER BY id"));
  a.Bind(1, lo).Bind(2, hi);
  while (true) {
    ASSIGN_OR_RETURN(bool row, a.Step());
    if (!row) break;
    auto it = at.find(a.Int(0));
    if (it == at.end()) continue;
    out[it->second].segment.annotations.push_back(Annotation{a.Text(1), a.Text(2), a.Text(3)});
  }
  return out;
}

Result<int64_t> SqliteStore::MaxSegmentId() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT COALESCE(MAX(id), 0) FROM segments"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  (void)row;
  return s.Int(0);
}

Status SqliteStore::AddName(const std::string& name, const std::string& kind,
                            const std::string& created) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO names(name, kind, created) VALUES (?, ?, ?)"
                                        " ON CONFLICT(name) DO UPDATE SET kind = excluded.kind"));
  return s.Bind(1, name).Bind(2, kind).Bind(3, created).Run();
}

Result<bool> SqliteStore::RemoveName(const std::string& name) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("DELETE FROM names WHERE name = ?"));
  RETURN_IF_ERROR(s.Bind(1, name).Run());
  return db_->Changes() > 0;
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::ListNames() {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT name, kind FROM names ORDER BY name"));
  std::vector<std::pair<std::string, std::string>> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.emplace_back(s.Text(0), s.Text(1));
  }
  return out;
}

Result<std::vector<std::string>> SqliteStore::AnnotationValues(const std::string& kind) {
  ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT DISTINCT value FROM annotations WHERE kind = ? "
                                        "ORDER BY value"));
  s.Bind(1, kind);
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(s.Text(0));
  }
  return out;
}

}  // namespace attest::meta
