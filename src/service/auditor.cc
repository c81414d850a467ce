#include "service/auditor.h"

namespace attest::service {

Status Auditor::Write(std::string_view action, const std::string& target, const Json& detail) {
  // A null detail is kept as none; the time is now.
  return scope_.archive->audit().Append(scope_.actor, std::string(action), target, detail).status();
}

Status Auditor::Viewed(const std::string& target, std::string_view what, const Json& extra) {
  Json detail = {{"what", std::string(what)}};
  if (extra.is_object()) detail.update(extra);
  return Write("view", target, detail);
}

Status Auditor::ViewedRecords(std::string_view what, const std::vector<std::string>& records) {
  return Write("view", "", Json{{"what", std::string(what)}, {"records", records}});
}

Status Auditor::Searched(const search::Results& found, std::string_view what) {
  if (scope_.actor.empty()) return Status::Ok();
  std::vector<std::string> records;
  for (const auto& g : found.records) {
    for (const auto& h : g.hits) {
      if (h.level != "public") {
        records.push_back(g.record_id);
        break;
      }
    }
  }
  if (records.empty()) return Status::Ok();
  return ViewedRecords(what, records);
}

Status Auditor::LinkCreated(const std::string& link_id, const std::string& witness_id) {
  return Write("link.create", link_id, Json{{"witness", witness_id}});
}

Status Auditor::LinkRevoked(const std::string& link_id) {
  return Write("link.revoke", link_id, nullptr);
}

Status Auditor::TokenCreated(const std::string& token_id, const std::string& role) {
  return Write("token.create", token_id, Json{{"role", role}});
}

Status Auditor::TokenRevoked(const std::string& token_id) {
  return Write("token.revoke", token_id, nullptr);
}

Status Auditor::UserChanged(std::string_view action, const std::string& name,
                            const Json& detail) {
  return Write(action, name, detail);
}

Status Auditor::WitnessRequested(const std::string& record, const std::string& kind,
                                 const std::string& level) {
  Json detail = {{"kind", kind}};
  if (!level.empty()) detail["consent"] = level;
  return Write("request", record, detail);
}

Status Auditor::AccessRequestChanged(std::string_view action, const meta::AccessRequest& r) {
  Json detail = {{"scope", r.scope}, {"id", r.scope_id}};
  if (!r.until.empty()) detail["until"] = r.until;
  return Write(action, std::to_string(r.id), detail);
}

Status Auditor::JobRetried(const std::string& record, int64_t job, const std::string& kind) {
  return Write("job.retry", record, {{"job", job}, {"kind", kind}});
}

}  // namespace attest::service
