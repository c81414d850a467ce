// The archive's records grouped by collection or by witness, counted over what a scope may
// read (the API's /collections and /witnesses, the home page): one counting for all of them.
#ifndef ATTEST_SERVICE_LISTING_H_
#define ATTEST_SERVICE_LISTING_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "meta/store.h"
#include "service/scope.h"

namespace attest::service {

enum class GroupBy { kCollection, kWitness };

struct RecordGroup {
  std::string id;        // the collection's or the witness's
  uint64_t records = 0;  // readable records in it
  std::map<std::string, uint64_t> langs;  // records by the language of their first version
};
// Every collection (or witness) of which the scope may read a record, by id; records without
// one are not counted.
Result<std::vector<RecordGroup>> CountGroups(const Scope& scope, GroupBy by);
// The same over `records` (the scope's readable records, already read).
std::vector<RecordGroup> CountGroups(const std::vector<meta::Record>& records, GroupBy by);

// The readable records of one collection (or witness), oldest first, with its count.
// kNotFound ("no such collection", "no such witness") when the scope may read none of them: a
// group of which the caller may read nothing is not there for them.
struct GroupRecords {
  RecordGroup group;
  std::vector<meta::Record> records;
};
Result<GroupRecords> RecordsOf(const Scope& scope, GroupBy by, const std::string& id);

// Writes to the audit log that the scope was shown records[offset, offset + limit) in a list
// (their ids, witnesses, collections, titles): one view of `what` ("records") naming those that
// are not public, for a scope with an actor; nothing if all are public.
Status AuditListed(const Scope& scope, std::string_view what,
                   const std::vector<meta::Record>& records, size_t offset = 0,
                   size_t limit = SIZE_MAX);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_LISTING_H_
