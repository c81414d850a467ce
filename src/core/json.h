// JSON helpers: RFC 8785 canonical serialisation (the form log leaves and manifests are
// hashed in), UTF-8 validation, and RFC 3339 timestamps.
#ifndef ATTEST_CORE_JSON_H_
#define ATTEST_CORE_JSON_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/status.h"

namespace attest {

using Json = nlohmann::json;

// RFC 8785 (JCS): object members sorted by the UTF-16 code units of their names, no
// insignificant white space, minimal string escapes. attest's canonical documents hold only
// strings, integers, booleans, null, arrays and objects: a floating-point number is
// rejected (kInvalidArgument), as is a string that is not valid UTF-8.
Result<std::string> CanonicalJson(const Json& value);

// Parses JSON text; the error names `what` and the parser's complaint.
Result<Json> ParseJson(std::string_view text, std::string_view what);

// Member `key` of `j` if `j` is an object and the member a string; else "". (nlohmann's
// value() throws when the member has another type: never use it on untrusted JSON.)
std::string StringMember(const Json& j, const char* key);
// Member `key` of `j` if it is an integer; else `fallback`.
int64_t IntMember(const Json& j, const char* key, int64_t fallback);

bool IsValidUtf8(std::string_view s);
// The number of code points in `s` (valid UTF-8): the bytes that do not continue one.
size_t CodePoints(std::string_view s);

// "2026-11-23T08:05:33Z" (UTC, whole seconds).
std::string FormatRfc3339(int64_t unix_micros);
// The inverse of FormatRfc3339 (that exact form): microseconds since 1970.
Result<int64_t> ParseRfc3339(std::string_view s);

}  // namespace attest

#endif  // ATTEST_CORE_JSON_H_
