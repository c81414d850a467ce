#include "http/paging.h"

#include <string>

#include "http/site.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;

bool Paging(const Request& req, Response& res, size_t* offset, size_t* limit) {
  *offset = 0;
  *limit = 50;
  std::string l = Param(req, "limit");
  if (!l.empty()) {
    if (l.size() > 3 || l.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(l) < 1 || std::stoul(l) > kMaxPage) {
      Problem(res, 400, "bad-request", "Bad Request", "limit must be a number from 1 to 100");
      return false;
    }
    *limit = std::stoul(l);
  }
  std::string c = Param(req, "cursor");
  if (!c.empty()) {
    if (c.size() < 2 || c.size() > 10 || c[0] != 'o' ||
        c.find_first_not_of("0123456789", 1) != std::string::npos) {
      Problem(res, 400, "bad-request", "Bad Request",
              "cursor '" + c + "' is not one this API gave");
      return false;
    }
    *offset = std::stoul(c.substr(1));
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
