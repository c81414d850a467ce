// The strict HTTP/1.1 request-head and Range parsers of `attest serve` (internal to src/http).
// The gate (gate.h) parses each request head with ParseRequestHead before any thread of the
// pool sees it, and hands cpp-httplib a head rewritten from the parse (CanonicalHead): so
// httplib only ever reads heads that are whole, bounded, and in one spelling, and a Range of
// many parts never reaches it. Pure functions of their input; thread-safe.
#ifndef ATTEST_HTTP_HEAD_H_
#define ATTEST_HTTP_HEAD_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attest::http {

struct HeadLimits {
  size_t max_bytes = 16 * 1024;  // the whole head, request line and blank line included
  size_t max_fields = 100;       // header lines
};

struct HeaderField {
  std::string_view name;   // as sent (compare with EqualsIgnoreCase)
  std::string_view value;  // without the whitespace around it
};

// A request head; its views point into the bytes parsed.
struct RequestHead {
  std::string_view method, target, version;
  std::vector<HeaderField> fields;
  size_t length = 0;  // bytes the head took, its blank line included

  // The first field of this name, or nullopt.
  std::optional<std::string_view> Find(std::string_view name) const;
  size_t Count(std::string_view name) const;
};

enum class HeadState {
  kComplete,    // `head` is filled
  kIncomplete,  // no blank line yet, and still within the limits: wait for more bytes
  kTooLarge,    // over HeadLimits (431)
  kMalformed,   // not an HTTP/1.x request head (400); `error` says why
};

struct HeadParse {
  HeadState state = HeadState::kIncomplete;
  RequestHead head;
  std::string error;  // for kTooLarge and kMalformed: what was wrong, in words for the client
};

// Parses the request head at the start of `in` (which may hold more: a body, a next request).
// Strict: method a token; target visible ASCII; version HTTP/1.0 or HTTP/1.1; one space
// between them; field names tokens with the colon right after; no control characters in values;
// no folded lines. Lines end in CRLF or a bare LF; a bare CR is malformed. Up to four empty
// lines before the request line are skipped (RFC 9112 2.2).
HeadParse ParseRequestHead(std::string_view in, const HeadLimits& limits);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// One byte range of a Range header, before it is resolved against a length:
// "first-last", "first-" (last unset) or "-suffix" (first unset).
struct ByteRange {
  std::optional<uint64_t> first, last;
  uint64_t suffix = 0;           // when !first: the last `suffix` bytes
  std::string ToHeader() const;  // "bytes=..."
};

// Parses a Range header value ("bytes=0-99", "bytes=-500", "bytes=9500-", or a list of these)
// into the one range it asks for: ranges that overlap or adjoin are joined; a list that remains
// more than one range (or mixes suffix and offset ranges) is nullopt, as is anything malformed
// or in another unit: the Range is then ignored and the whole representation served (RFC 9110
// 14.2 lets a server ignore it). So at most one range is ever served, never a multipart body.
std::optional<ByteRange> ParseRange(std::string_view value);

// Where a range falls in a representation of `size` bytes: false if it cannot be satisfied
// (416), else the offset and length to send (a range past the end ends at the last byte).
bool ResolveRange(const ByteRange& range, uint64_t size, uint64_t* offset, uint64_t* length);

}  // namespace attest::http

#endif  // ATTEST_HTTP_HEAD_H_
