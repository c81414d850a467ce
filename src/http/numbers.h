// Integers from the strings of a request (a query parameter, a path part, a header) and of the
// server's own settings: the one parser src/http uses, so every number is read alike.
#ifndef ATTEST_HTTP_NUMBERS_H_
#define ATTEST_HTTP_NUMBERS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace attest::http {

// The value of `s` if it is 1 to `max_digits` ASCII digits (no sign, no space, leading zeros
// allowed) and fits in 64 bits; nullopt otherwise.
std::optional<uint64_t> ParseDigits(std::string_view s, size_t max_digits = SIZE_MAX);

}  // namespace attest::http

#endif  // ATTEST_HTTP_NUMBERS_H_
