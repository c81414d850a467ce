// The wire JSON of records, consent changes and search results, shared by the CLI's `--json`
// and the API (doc/api.md, doc/search.md). Pure functions; thread-safe.
#ifndef ATTEST_ARCHIVE_WIRE_JSON_H_
#define ATTEST_ARCHIVE_WIRE_JSON_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/json.h"
#include "meta/store.h"
#include "search/lexical_index.h"

namespace attest::archive {

// The JSON form of search results, shared by `attest search --json` and the API
// (doc/search.md): records with their best segments, facets, cursor.
// With `segment_ref` (the HTTP API's and pages' form, Archive::SegmentRef), segments are
// named by their refs and hits carry no offsets into the stored text (doc/privacy.md).
Json SearchResultsToJson(const search::Results& r,
                         const std::function<std::string(int64_t)>& segment_ref = nullptr);

// The JSON form of a record, shared by `attest show --json`, `attest list --json` and the API:
// ids, consent, versions with their log positions and blob addresses. Private metadata is
// never part of it.
Json RecordToJson(const meta::Record& r);
// A record's consent changes as JSON: from, to, at and the log leaf; with `with_private` (for
// archivists) also why and who.
// With `segment_ref`, a passage is named by its ref, or (where the function answers "") only
// said to be a passage: {"passage": true}.
Json ConsentChangesToJson(const std::vector<meta::ConsentChange>& changes, bool with_private,
                          const std::function<std::string(int64_t)>& segment_ref = nullptr);

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_WIRE_JSON_H_
