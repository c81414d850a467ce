#include "service/record_files.h"

#include <algorithm>
#include <vector>

#include "service/auditor.h"

namespace attest::service {
namespace {

constexpr const char* kNoSuchVersion = "no such version";

// The record itself is not public: any answer about it shows material that is not.
bool RecordNotPublic(const RecordView& view) {
  return view.record.consent != meta::Consent::kPublic;
}

// What a version's hashes, manifest or proof show: whole readers are given the files' hashes
// (and so every word they hold), others a commitment that reveals nothing.
bool HashesNotPublic(const RecordView& view) {
  return view.whole ? view.files_not_public : RecordNotPublic(view);
}

}  // namespace

Result<Json> ViewVersion(const Scope& scope, const std::string& id, int n) {
  ASSIGN_OR_RETURN(RecordView view, ReadRecordView(scope, id));
  for (const auto& v : view.json["versions"]) {
    if (v["version"] != n) continue;
    Json out = v;
    // The manifest names every file by its hash: only for those who may read the version
    // whole (doc/privacy.md).
    for (const auto& mv : view.record.versions) {
      if (mv.version == n && view.whole) {
        out["manifest"] = Json::parse(mv.manifest, nullptr, false);
      }
    }
    if (HashesNotPublic(view) && !scope.actor.empty()) {
      RETURN_IF_ERROR(Auditor(scope).Viewed(view.record.id, "version", {{"version", n}}));
    }
    return out;
  }
  return Status::NotFound(kNoSuchVersion);
}

Result<RecordView> ViewMedia(const Scope& scope, const std::string& id,
                             const std::string& which) {
  ASSIGN_OR_RETURN(RecordView view, ReadRecordView(scope, id));
  if (!view.media.count(which)) {
    return Status::NotFound("this record has no " + which + " file you may fetch");
  }
  if (view.files_not_public && !scope.actor.empty()) {
    RETURN_IF_ERROR(Auditor(scope).Viewed(view.record.id, "media"));
  }
  return view;
}

Result<ProofAnswer> ViewProof(const Scope& scope, const std::string& id,
                              std::optional<int> version) {
  ASSIGN_OR_RETURN(RecordView view, ReadRecordView(scope, id));
  ProofAnswer out;
  if (!view.whole) {
    // A proof holds the manifest, and so every file's hash: a commitment and the statement
    // that the proof exists, for those who may not read the version whole.
    int n = version.value_or(view.record.versions.back().version);
    for (const auto& v : view.json["versions"]) {
      if (v["version"] != n) continue;
      out.statement = {{"record", view.record.id},
                       {"version", n},
                       {"leaf_index", v["leaf_index"]},
                       {"commitment", v["commitment"]},
                       {"proof", kProofWithheld}};
    }
    if (out.statement.is_null()) return Status::NotFound(kNoSuchVersion);
  } else {
    auto proof = scope.archive->verifier().Prove(view.record.id, version);
    if (!proof.ok()) {
      if (proof.status().IsNotFound()) return Status::NotFound(kNoSuchVersion);
      return proof.status();
    }
    out.proof = std::move(*proof);
  }
  if (HashesNotPublic(view) && !scope.actor.empty()) {
    RETURN_IF_ERROR(Auditor(scope).Viewed(view.record.id, "proof"));
  }
  return out;
}

Result<Json> VerifyBlob(const Scope& scope, const std::string& sha256) {
  archive::Archive* a = scope.archive;
  ASSIGN_OR_RETURN(auto uses, a->records().BlobUses(sha256));
  ASSIGN_OR_RETURN(auto cp, a->verifier().Checkpoint());
  Json matches = Json::array();
  std::vector<std::string> not_public;  // the records named that are not public
  for (const auto& u : uses) {
    auto view = ReadRecordView(scope, u.record_id);
    if (!view.ok()) {
      if (view.status().IsNotFound()) continue;
      return view.status();
    }
    // A file of a record part of which the caller may not see is not confirmed either: its
    // bytes hold that part.
    if (!view->whole) continue;
    for (const auto& v : view->record.versions) {
      if (v.version != u.version) continue;
      if (v.leaf_index >= cp.checkpoint.size) continue;  // not yet under a checkpoint
      matches.push_back({{"record", u.record_id},
                         {"version", u.version},
                         {"role", u.role},
                         {"leaf_index", v.leaf_index},
                         {"url", "/records/" + u.record_id},
                         {"proof", "/api/v1/records/" + u.record_id +
                                       "/proof?version=" + std::to_string(u.version)}});
      if (view->files_not_public &&
          std::find(not_public.begin(), not_public.end(), u.record_id) == not_public.end()) {
        not_public.push_back(u.record_id);
      }
    }
  }
  if (!not_public.empty() && !scope.actor.empty()) {
    RETURN_IF_ERROR(Auditor(scope).ViewedRecords("verify", not_public));
  }
  return Json{{"sha256", sha256},
              {"found", !matches.empty()},
              {"matches", matches},
              {"checkpoint", {{"size", cp.checkpoint.size}, {"note", cp.note}}}};
}

}  // namespace attest::service
