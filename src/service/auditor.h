// The one writer of the audit log's rows for what people ask (doc/format/metadata.md, "The
// audit log"): who was shown what that is not public, and who changed accounts, tokens, links
// and requests. Each entry is a typed call; the row's action, target and canonical detail are
// made here only. (The archive's own changes — withdraw, redact, form.add — write their rows
// inside their transactions, through archive/'s audit part.)
#ifndef ATTEST_SERVICE_AUDITOR_H_
#define ATTEST_SERVICE_AUDITOR_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "search/lexical_index.h"
#include "service/scope.h"

namespace attest::service {

class Auditor {
 public:
  explicit Auditor(const Scope& scope) : scope_(scope) {}

  // "view": the scope's actor was shown `target` (a record or a witness) as `what` ("record",
  // "media", "transcript", "proof", "segment", "consent-form", …); `extra` members are added
  // to the detail beside "what".
  Status Viewed(const std::string& target, std::string_view what, const Json& extra = nullptr);
  // "view" of an answer listing records ("ask", "search", "audit", …): {"what", "records"}.
  Status ViewedRecords(std::string_view what, const std::vector<std::string>& records);
  // "view" of the records among search results that hold material that is not public; nothing
  // for an anonymous scope or public hits only.
  Status Searched(const search::Results& found, std::string_view what);

  Status LinkCreated(const std::string& link_id, const std::string& witness_id);
  Status LinkRevoked(const std::string& link_id);
  Status TokenCreated(const std::string& token_id, const std::string& role);
  Status TokenRevoked(const std::string& token_id);
  // An account change: "user.add", "user.password", "user.disable", … of account `name`.
  Status UserChanged(std::string_view action, const std::string& name, const Json& detail);
  // "job.retry": job `job` (of `kind`) of `record` queued again: {"job", "kind"}.
  Status JobRetried(const std::string& record, int64_t job, const std::string& kind);
  // A witness's request about `record`, through their own link: {"kind", "consent"?}.
  Status WitnessRequested(const std::string& record, const std::string& kind,
                          const std::string& level);
  // An access request's step: "access.ask", "access.grant", "access.refuse", "access.cancel"
  // of request `r` (target its id): {"scope", "id", "until"?}; never its purpose, terms or
  // reason.
  Status AccessRequestChanged(std::string_view action, const meta::AccessRequest& r);

 private:
  Status Write(std::string_view action, const std::string& target, const Json& detail);
  const Scope& scope_;
};

}  // namespace attest::service

#endif  // ATTEST_SERVICE_AUDITOR_H_
