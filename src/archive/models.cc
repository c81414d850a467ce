#include "archive/models.h"

#include <cctype>

#include "archive/internal.h"

namespace attest::archive {
namespace {

constexpr char kTranslateKey[] = "speech.translate";

}  // namespace

Status Models::Register(meta::ModelFile* m) {
  ASSIGN_OR_RETURN(auto existing, in_->store->ListModels(m->kind));
  for (const auto& e : existing) {
    if (e.sha256 == m->sha256) m->added = e.added;
  }
  return in_->store->AddModel(*m);
}

Result<std::vector<meta::ModelFile>> Models::List(const std::string& kind) {
  return in_->store->ListModels(kind);
}

Result<bool> Models::Remove(const std::string& sha256) { return in_->store->RemoveModel(sha256); }

Result<meta::ModelFile> Models::Find(const std::string& prefix) {
  if (prefix.size() < 6 || prefix.size() > 64) {
    return Status::InvalidArgument("'" + prefix +
                                   "' is not a model's SHA-256 (6 to 64 hex digits; see "
                                   "`attest models list`)");
  }
  for (char c : prefix) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument("'" + prefix + "' is not a model's SHA-256 (hex digits)");
    }
  }
  ASSIGN_OR_RETURN(auto all, in_->store->ListModels(""));
  std::vector<meta::ModelFile> found;
  for (auto& m : all) {
    if (m.sha256.compare(0, prefix.size(), prefix) == 0) found.push_back(std::move(m));
  }
  if (found.empty()) return Status::NotFound("no registered model has SHA-256 " + prefix + "…");
  if (found.size() > 1) {
    return Status::InvalidArgument("several registered models start with " + prefix +
                                   ": give more of the SHA-256");
  }
  return found[0];
}

Result<std::optional<meta::ModelFile>> Models::Speech() {
  ASSIGN_OR_RETURN(auto models, in_->store->ListModels("whisper"));
  if (models.empty()) return std::optional<meta::ModelFile>();
  return std::optional<meta::ModelFile>(models.front());
}

Result<bool> Models::TranslateEnabled() {
  ASSIGN_OR_RETURN(auto v, in_->store->GetInfo(kTranslateKey));
  return v.has_value() && *v == "on";
}

Status Models::SetTranslate(bool on) {
  return in_->store->SetInfo(kTranslateKey, on ? "on" : "off");
}

}  // namespace attest::archive
