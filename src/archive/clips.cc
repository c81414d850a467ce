#include "archive/clips.h"

#include "archive/internal.h"
#include "core/hash.h"

namespace attest::archive {

std::string Clips::NewId(char prefix) {
  uint8_t raw[8];
  in_->env->RandomBytes(raw, sizeof(raw));
  return std::string(1, prefix) + Base32Lower(raw, sizeof(raw), 12);
}

std::string Clips::NewClipId() { return NewId('c'); }
std::string Clips::NewSessionId() { return NewId('s'); }

Status Clips::AddClip(const meta::Clip& clip) { return in_->store->AddClip(clip); }

Result<std::optional<meta::Clip>> Clips::GetClip(const std::string& id) {
  return in_->store->GetClip(id);
}

Result<std::vector<meta::Clip>> Clips::ListClips(const std::string& owner, size_t limit) {
  return in_->store->ListClips(owner, limit);
}

Result<bool> Clips::DeleteClip(const std::string& id) { return in_->store->DeleteClip(id); }

Result<meta::ClipSession> Clips::SaveSession(const meta::ClipSession& s) {
  return in_->store->SaveClipSession(s);
}

Result<std::optional<meta::ClipSession>> Clips::GetSession(const std::string& id) {
  return in_->store->GetClipSession(id);
}

Result<std::vector<meta::ClipSession>> Clips::ListSessions(const std::string& owner,
                                                           const std::vector<std::string>& shared,
                                                           size_t limit) {
  return in_->store->ListClipSessions(owner, shared, limit);
}

Result<bool> Clips::DeleteSession(const std::string& id) {
  return in_->store->DeleteClipSession(id);
}

}  // namespace attest::archive
