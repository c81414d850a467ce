// Dates of testimony metadata and of the `date:` filter: a day, a month or a year, or a range
// of them joined by "..": 2023-10-07, 2023-10, 2023, 2023-10-07..2023-10-08. Thread-safe.
#ifndef ATTEST_SEARCH_DATES_H_
#define ATTEST_SEARCH_DATES_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace attest::search {

// A closed range of days, each "YYYY-MM-DD" (so that strings compare as dates).
struct DateRange {
  std::string from;
  std::string to;
};

// A month or a year stands for all its days. kInvalidArgument naming `what` and the expected
// form for anything else: an impossible day (2023-02-30), a range that ends before it starts,
// a year outside 1000-9999.
Result<DateRange> ParseDateRange(std::string_view text, std::string_view what);

}  // namespace attest::search

#endif  // ATTEST_SEARCH_DATES_H_
