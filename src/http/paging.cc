#include "http/paging.h"

#include <string>

#include "http/numbers.h"
#include "http/site.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;

bool PageLimit(const std::string& given, Response& res, size_t* limit) {
  std::optional<uint64_t> n = ParseDigits(given, 3);
  if (!n || *n < 1 || *n > kMaxPage) {
    Problem(res, 400, "bad-request", "Bad Request", "limit must be a number from 1 to 100");
    return false;
  }
  *limit = *n;
  return true;
}

bool Paging(const Request& req, Response& res, size_t* offset, size_t* limit) {
  *offset = 0;
  *limit = 50;
  std::string l = Param(req, "limit");
  if (!l.empty() && !PageLimit(l, res, limit)) return false;
  std::string c = Param(req, "cursor");
  if (!c.empty()) {
    std::optional<uint64_t> at = c[0] == 'o' ? ParseDigits(c.substr(1), 9) : std::nullopt;
    if (!at) {
      Problem(res, 400, "bad-request", "Bad Request",
              "cursor '" + c + "' is not one this API gave");
      return false;
    }
    *offset = *at;
  }
  return true;
}

Json Page(const Json& items, const char* name, size_t offset, size_t limit) {
  Json out = Json::object();
  Json page = Json::array();
  for (size_t i = offset; i < items.size() && i < offset + limit; ++i) page.push_back(items[i]);
  out[name] = page;
  out["total"] = items.size();
  if (offset + limit < items.size()) out["next_cursor"] = "o" + std::to_string(offset + limit);
  return out;
}

}  // namespace attest::http
