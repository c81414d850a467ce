#include "service/listing.h"

#include "archive/manifest.h"
#include "service/auditor.h"
#include "service/record_view.h"

namespace attest::service {
namespace {

const std::string& KeyOf(const meta::Record& r, GroupBy by) {
  return by == GroupBy::kCollection ? r.collection_id : r.witness_id;
}

Status NoSuch(GroupBy by) {
  return Status::NotFound(by == GroupBy::kCollection ? "no such collection" : "no such witness");
}

}  // namespace

std::vector<RecordGroup> CountGroups(const std::vector<meta::Record>& records, GroupBy by) {
  std::map<std::string, RecordGroup> groups;
  for (const auto& r : records) {
    const std::string& key = KeyOf(r, by);
    if (key.empty()) continue;
    RecordGroup& g = groups[key];
    g.id = key;
    g.records++;
    g.langs[r.versions.front().lang]++;
  }
  std::vector<RecordGroup> out;
  for (auto& [id, g] : groups) out.push_back(std::move(g));
  return out;
}

Result<std::vector<RecordGroup>> CountGroups(const Scope& scope, GroupBy by) {
  ASSIGN_OR_RETURN(auto records, ReadableRecords(scope));
  return CountGroups(records, by);
}

Result<GroupRecords> RecordsOf(const Scope& scope, GroupBy by, const std::string& id) {
  if (!archive::IsValidId(id)) return NoSuch(by);
  ASSIGN_OR_RETURN(auto records, ReadableRecords(scope));
  GroupRecords out;
  out.group.id = id;
  for (auto& r : records) {
    if (KeyOf(r, by) != id) continue;
    out.group.records++;
    out.group.langs[r.versions.front().lang]++;
    out.records.push_back(std::move(r));
  }
  if (out.records.empty()) return NoSuch(by);
  return out;
}

Status AuditListed(const Scope& scope, std::string_view what,
                   const std::vector<meta::Record>& records, size_t offset, size_t limit) {
  if (scope.actor.empty()) return Status::Ok();
  std::vector<std::string> not_public;
  for (size_t i = offset; i < records.size() && i - offset < limit; ++i) {
    if (records[i].consent != meta::Consent::kPublic) not_public.push_back(records[i].id);
  }
  if (not_public.empty()) return Status::Ok();
  return Auditor(scope).ViewedRecords(what, not_public);
}

}  // namespace attest::service
