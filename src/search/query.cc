#include "search/query.h"

#include <algorithm>
#include <cctype>

#include "core/json.h"

namespace attest::search {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

Result<std::vector<Clause>> ParseQuery(std::string_view q, bool more_words) {
  if (q.size() > kMaxQueryBytes) {
    return Status::InvalidArgument("the query has " + std::to_string(q.size()) +
                                   " bytes; the limit is " + std::to_string(kMaxQueryBytes));
  }
  if (!IsValidUtf8(q)) return Status::InvalidArgument("the query is not valid UTF-8");
  std::vector<Clause> out;
  bool pending_or = false;
  size_t i = 0;
  while (i < q.size()) {
    while (i < q.size() && IsSpace(q[i])) ++i;
    if (i >= q.size()) break;
    Clause c;
    if (q[i] == '-' && i + 1 < q.size() && !IsSpace(q[i + 1])) {
      c.negated = true;
      ++i;
    }
    if (q[i] == '"') {
      size_t end = q.find('"', i + 1);
      if (end == std::string_view::npos) end = q.size();  // unbalanced: to the end
      c.kind = Clause::kPhrase;
      c.text = std::string(q.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      size_t end = i;
      while (end < q.size() && !IsSpace(q[end])) ++end;
      std::string word(q.substr(i, end - i));
      size_t colon = word.find(':');
      bool field_name = colon != std::string::npos && colon > 0;
      for (size_t k = 0; field_name && k < colon; ++k) {
        field_name = std::isalpha(static_cast<unsigned char>(word[k])) != 0;
      }
      // A field's value may be quoted to hold spaces: place:"Kfar Aza".
      if (field_name && colon + 1 < word.size() && word[colon + 1] == '"') {
        size_t close = q.find('"', i + colon + 2);
        if (close == std::string_view::npos) close = q.size();
        word = std::string(q.substr(i, colon + 1)) +
               std::string(q.substr(i + colon + 2, close - (i + colon + 2)));
        end = std::min(q.size(), close + 1);
      }
      i = end;
      if (!c.negated && word == "OR") {
        pending_or = !out.empty();
        continue;
      }
      if (field_name) {
        std::string name = word.substr(0, colon);
        if (name != "lang" && name != "witness" && name != "collection" && name != "record" &&
            name != "place" && name != "date") {
          return Status::InvalidArgument("unknown field '" + name +
                                         ":'; the fields are lang:, witness:, collection:, "
                                         "record:, place: and date:");
        }
        c.kind = Clause::kField;
        c.field = name;
        c.text = word.substr(colon + 1);
        if (c.text.empty()) {
          return Status::InvalidArgument("field '" + name + ":' has no value");
        }
      } else if (word.back() == '*') {
        c.kind = Clause::kPrefix;
        c.text = word.substr(0, word.size() - 1);
        if (CodePoints(c.text) < kMinPrefixCodePoints || c.text.find('*') != std::string::npos) {
          return Status::InvalidArgument("prefix '" + word + "' needs at least " +
                                         std::to_string(kMinPrefixCodePoints) +
                                         " letters before its '*'");
        }
      } else {
        c.kind = Clause::kWords;
        c.text = word;
      }
    }
    c.or_with_previous = pending_or;
    pending_or = false;
    if (!c.text.empty()) out.push_back(std::move(c));
  }
  if (out.empty()) return Status::InvalidArgument("the query is empty");
  bool positive = false;
  for (const Clause& c : out) positive |= !c.negated;
  if (!positive && !more_words) {
    return Status::InvalidArgument("the query only excludes; add a word to search for");
  }
  return out;
}

Result<std::vector<Clause>> ParseFilters(std::string_view filters) {
  ASSIGN_OR_RETURN(auto clauses, ParseQuery(filters, /*more_words=*/true));
  for (const auto& c : clauses) {
    if (c.kind != Clause::kField) {
      return Status::InvalidArgument("filters '" + std::string(filters.substr(0, 80)) +
                                     "' may hold only fields (lang:, place:, date:, collection:, "
                                     "witness:, record:), not '" +
                                     c.text + "'");
    }
  }
  return clauses;
}

}  // namespace attest::search
