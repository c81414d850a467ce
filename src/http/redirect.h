// Where the portal sends a browser back to after the language switcher (/ui) or a login: a
// target taken from the request, so never another site (an open redirect). Thread-safe.
#ifndef ATTEST_HTTP_REDIRECT_H_
#define ATTEST_HTTP_REDIRECT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace attest::http {

inline constexpr size_t kMaxRedirectTarget = 2000;

// `back` if it is a path on this site, else "/". A path on this site starts with one '/' that
// is not followed by another '/' or a '\' (which browsers read as "//", another host), holds
// no '\' at all, no control character (C0, DEL, C1), no white space (ASCII or Unicode, which
// browsers drop from a URL, so "/\t/evil.example" is "//evil.example"), is valid UTF-8 and at
// most kMaxRedirectTarget bytes long.
// `back` is taken as the server decoded it: a "%09" in the query is a TAB here and refused,
// while a literal "%09" left after decoding (sent as "%2509") stays a harmless path segment
// that browsers do not decode.
std::string SafeRedirectTarget(std::string_view back);

}  // namespace attest::http

#endif  // ATTEST_HTTP_REDIRECT_H_
