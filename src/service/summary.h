// Ask's optional machine-written summary (doc/ask.md, "The optional summary"): the numbered
// passages shown are sent to the operator's OpenAI-compatible endpoint, which must be on this
// machine unless config.json allows remote endpoints (allow_remote). The rule, the request
// and the reading of the reply live here; only the transport talks to the network, so tests
// give a fake one. A summary's failures are the summary's, never the answer's.
#ifndef ATTEST_SERVICE_SUMMARY_H_
#define ATTEST_SERVICE_SUMMARY_H_

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/json.h"

namespace attest::service {

// The label every machine-written summary carries.
inline constexpr char kSummaryLabel[] = "machine-written summary";

// Posts a JSON body to an endpoint and returns the HTTP status and body; nullopt if no answer
// came (refused, timed out).
class SummaryTransport {
 public:
  virtual ~SummaryTransport() = default;
  struct Reply {
    int status = 0;
    std::string body;
  };
  virtual std::optional<Reply> Post(const std::string& origin, const std::string& path,
                                    const std::string& body, int timeout_seconds) = 0;
};

// The real transport (cpp-httplib): 5 seconds to connect, `timeout_seconds` to read.
class HttpSummaryTransport : public SummaryTransport {
 public:
  std::optional<Reply> Post(const std::string& origin, const std::string& path,
                            const std::string& body, int timeout_seconds) override;
};

// An endpoint URL cut into its origin (scheme://host[:port]), path and host; nullopt if it is
// not an http(s) URL.
struct Endpoint {
  std::string origin, path, host;
  bool loopback = false;  // 127.0.0.1, localhost or [::1]
};
std::optional<Endpoint> ParseEndpoint(const std::string& url);

// A machine-written summary: its text and the passages it cites, or why there is none.
struct Summary {
  std::string text;
  std::set<int> cites;  // numbers of passages that exist
  std::string model;
  std::string error;  // set when there is no text: what went wrong
};
// A numbered passage as it is sent to the endpoint.
struct SummaryPassage {
  size_t n = 0;
  std::string witness, lang, text;
};

// The summary of `passages` for `question`, by the endpoint `settings` (config.json's
// ask.summary: endpoint, model, allow_remote, timeout_seconds) names; or, in `error`, what went
// wrong (nothing is sent to a remote endpoint that is not allowed).
Summary Summarise(const Json& settings, const std::string& question,
                  const std::vector<SummaryPassage>& passages, SummaryTransport* transport);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_SUMMARY_H_
