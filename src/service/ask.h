// Ask (doc/ask.md): a question answered with many witnesses' own words, one group per witness,
// each a whole thought, cited, under the log's current checkpoint. The same answer for the
// command line, the API and the Ask page. Not thread-safe: uses the scope's Archive.
#ifndef ATTEST_SERVICE_ASK_H_
#define ATTEST_SERVICE_ASK_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "service/scope.h"
#include "service/summary.h"
#include "tlog/log.h"

namespace attest::service {

struct AskRequest {
  std::string question;
  std::string lang;  // the question's language, or "" (from its letters)
  // Filters: the passages' language, a place (any script), a date (day, month, year or
  // range), a collection; "" for none.
  std::string filter_lang, place, date, collection;
  bool differ = false;  // "show accounts that differ"
  size_t limit = 10;    // witnesses, 1 to kMaxAskLimit
  // A machine-written summary of the passages, when the operator configured an endpoint
  // (doc/ask.md, "The optional summary"); otherwise the answer's summary is null.
  bool summary = false;
};
inline constexpr size_t kMaxAskLimit = 50;

// A passage: whole sentences around the segment that matched, as the caller may read them.
struct AskPassage {
  std::string text;                   // the segments' texts joined by a space, marks for hidden
  std::vector<std::string> segments;  // their refs
  std::string hit;                    // the ref of the segment that matched
  int64_t start_ms = -1, end_ms = -1;  // when spoken (-1: not speech)
  int64_t page = -1;
  // Code points of the stored text, only for those who may read the record whole.
  std::optional<std::pair<int64_t, int64_t>> chars;
  std::vector<std::pair<size_t, size_t>> redacted;  // byte ranges of the marks in `text`
};
// Another passage of the same witness among the results, nearly as relevant.
struct AskMore {
  std::string segment, record, snippet, lang, href;
  int64_t start_ms = -1, page = -1;
  bool not_public = false;  // audited as a view of `record` (not shown)
};
// One witness's group.
struct AskGroup {
  size_t n = 0;  // from 1, the number a summary cites
  std::string witness, community, record, collection;
  int version = 0;
  int64_t leaf_index = 0;
  std::string lang;
  meta::Consent level = meta::Consent::kPublic;  // the strictest of what the passage shows
  std::vector<std::string> found_by;             // words, dictionary, meaning
  AskPassage passage;
  std::string citation, play, proof;
  std::optional<std::string> title;
  std::vector<AskMore> more;
};
struct AskTranslation {
  std::string lang, words;
  double weight = 0;
};
struct AskAnswer {
  std::string question;
  std::vector<std::string> question_langs;
  bool by_dictionary = false, by_meaning = false;  // the paths taken (words always)
  std::vector<AskTranslation> translations;
  std::vector<std::string> notices;
  tlog::SignedCheckpoint checkpoint;  // every citation is under it
  std::vector<AskGroup> groups;
  // How the groups spread: "lang", "community", "place" → value → groups.
  std::map<std::string, std::map<std::string, uint64_t>> spread;
  std::optional<Summary> summary;  // asked for and configured
};

// The answer as doc/ask.md describes it (its JSON: service/wire.h, AskJson). kInvalidArgument,
// saying why, for a bad question, filter or limit. What is not public and shown to a scope
// with an actor is audited (`ask`). The summary, if asked for and configured, goes through
// `transport` (nullptr: the network).
Result<AskAnswer> Answer(const Scope& scope, const AskRequest& request,
                         SummaryTransport* transport = nullptr);
// Answer's JSON (doc/ask.md): what the API and `attest ask --json` send.
Result<Json> Ask(const Scope& scope, const AskRequest& request,
                 SummaryTransport* transport = nullptr);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_ASK_H_
