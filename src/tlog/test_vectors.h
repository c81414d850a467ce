// Loads tests/testdata/tlog-vectors.json (known answers computed by an independent
// implementation, Go's golang.org/x/mod/sumdb/tlog and note; see tests/testdata/README.md).
#ifndef ATTEST_TLOG_TEST_VECTORS_H_
#define ATTEST_TLOG_TEST_VECTORS_H_

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/json.h"

namespace attest::tlog {

inline Json LoadVectors() {
  std::ifstream in(std::string(ATTEST_TESTDATA_DIR) + "/tlog-vectors.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return Json::parse(ss.str());
}

inline Digest D(const std::string& b64) {
  std::string raw = *Base64Decode(b64);
  Digest d;
  std::copy(raw.begin(), raw.end(), d.begin());
  return d;
}

inline std::vector<Digest> Ds(const Json& arr) {
  std::vector<Digest> out;
  for (const auto& s : arr) out.push_back(D(s.get<std::string>()));
  return out;
}

}  // namespace attest::tlog

#endif  // ATTEST_TLOG_TEST_VECTORS_H_
