// The files of web/ (templates, translations, CSS, script), embedded at build time.
// Thread-safe: read-only.
#ifndef ATTEST_HTTP_ASSETS_H_
#define ATTEST_HTTP_ASSETS_H_

#include <string>
#include <string_view>
#include <vector>

namespace attest::http {

struct Asset {
  std::string path;  // relative to web/, e.g. "templates/record.mustache"
  std::string_view bytes;
};

const std::vector<Asset>& Assets();

}  // namespace attest::http

#endif  // ATTEST_HTTP_ASSETS_H_
