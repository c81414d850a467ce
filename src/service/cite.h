// How the archive cites what it shows: citation lines, links to a segment, clock times, and the
// parts of a record's metadata that are shown. Pure functions of what they are given.
#ifndef ATTEST_SERVICE_CITE_H_
#define ATTEST_SERVICE_CITE_H_

#include <cstdint>
#include <string>

#include "core/json.h"
#include "meta/store.h"

namespace attest::service {

// "12:34" or "1:02:03" for milliseconds; Western digits, which every interface language here
// uses for times.
std::string FormatClock(int64_t ms);

// A version's manifest's "derived" member (what it was made from and by which tool); null for
// an original.
Json DerivedOf(const meta::Version& v);

// The newest version of a record that is an original (added or revised, not derived by a
// tool or a person from another); null if none.
const meta::Version* NewestOriginal(const meta::Record& record);
// What of a version's free metadata is shown: its `title`, `description` and `note`.
// Everything else given with `--meta` stays private to the archive.
Json ShownMeta(const meta::Version* original);

// A citation line for `version` of `record`: "TITLE. Witness W, record R, version V, WHERE.
// attest archive ORIGIN, log entry N." — `where` (", at 12:34", ", page 3") follows the number.
std::string Citation(const meta::Record& record, const meta::Version& version,
                     const std::string& origin, const std::string& where);

// The portal's link to a segment of a record: played from its second when it has one.
std::string SegmentLink(const std::string& record_id, const std::string& segment_ref,
                        int64_t start_ms);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_CITE_H_
