// Events (the API's /events and /perspectives, the Perspectives page): a place and a time the
// archive holds accounts of, as a caller may see them. Found and counted by searches at the
// caller's role only, so nothing a caller may not read is shown or counted.
#ifndef ATTEST_SERVICE_EVENTS_H_
#define ATTEST_SERVICE_EVENTS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "search/lexical_index.h"
#include "service/scope.h"

namespace attest::service {

// The query of an event (the API's /events and the Perspectives page): segments annotated with
// `place` (any script) and a `date` overlapping the given one, and `words` if any.
// kInvalidArgument if neither place nor date is given, or one holds '"' or exceeds 200 bytes.
Result<std::string> EventQuery(const std::string& place, const std::string& date,
                               const std::string& words);

// A place or a time the archive holds accounts of, as a caller may see it: a starting point of
// the Perspectives page.
struct EventStart {
  std::string value;       // a place's name, or a date: "1948" or, alone in its year, "1948-05"
  uint64_t witnesses = 0;  // distinct witnesses (a record without one counts alone)
  bool more = false;       // more records than were counted for `witnesses`
  std::vector<std::string> langs;  // of the matching segments, sorted; "und" left out
};
struct EventStarts {
  std::vector<EventStart> places;  // most witnesses first
  std::vector<EventStart> dates;   // oldest first
};
// The places and times with accounts `subject` may read. Found and counted by searches at the
// subject's role only (the index's levels; doc/search.md, "Access"), so a place that only
// records the subject may not read mention is neither shown nor counted. Candidate places are
// the place facets of dated segments, then the archive's annotated places; at most
// kMaxEventStarts of each are searched.
inline constexpr size_t kMaxEventStarts = 40;
Result<EventStarts> PerspectiveStarts(const Scope& scope);

// The community each witness of `found` speaks from (`attest witness`), by witness id; ""
// where none is given.
Result<std::map<std::string, std::string>> WitnessCommunities(archive::Archive* a,
                                                              const search::Results& found);


// The accounts of an event, one rule for the API's /events and the Perspectives page: the
// segments of EventQuery(place, date, words) at the scope's role, at most kEventRecords records
// a page and kEventHitsPerRecord segments a record, with the community each witness speaks
// from. What is not public among them is audited as a view of `what` ("events",
// "perspectives"). kInvalidArgument (saying why) for a bad place, date, words or cursor.
inline constexpr size_t kEventRecords = 50;
inline constexpr size_t kEventHitsPerRecord = 5;
struct EventRequest {
  std::string place, date, words;
  std::string cursor;  // of the page before, "" for the first
};
struct EventAccounts {
  std::string query;                               // as the search ran it
  search::Results results;                         // best first
  std::map<std::string, std::string> communities;  // by witness id ("" where none is given)
};
Result<EventAccounts> FindEventAccounts(const Scope& scope, const EventRequest& request,
                                        std::string_view what);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_EVENTS_H_
