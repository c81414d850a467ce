// The paging of the API's lists (doc/api.md, "The API"): `limit` and an opaque `cursor`.
#ifndef ATTEST_HTTP_PAGING_H_
#define ATTEST_HTTP_PAGING_H_

#include <httplib.h>

#include <cstddef>
#include <string>

#include "core/json.h"

namespace attest::http {

// The most items a page holds.
inline constexpr size_t kMaxPage = 100;

// A list's `limit` as given: 1 to kMaxPage. Answers with a problem and returns false
// otherwise.
bool PageLimit(const std::string& given, httplib::Response& res, size_t* limit);

// limit and cursor of a list: the cursor is an opaque offset, "o" and a number. Answers with a
// problem and returns false if either is not one this API takes.
bool Paging(const httplib::Request& req, httplib::Response& res, size_t* offset, size_t* limit);

// The page of `items` from `offset`, as {name: [...], "total": N, "next_cursor": "o…"}.
Json Page(const Json& items, const char* name, size_t offset, size_t limit);

}  // namespace attest::http

#endif  // ATTEST_HTTP_PAGING_H_
