// Clips and the sessions composed of them, as the archive keeps them (meta::Store's, doc/
// sessions.md): ids made here, rows kept in the archive's database. What a clip may hold and
// who may read it is the service's to decide (service/clips.h). A part of an Archive
// (archive.h). Not thread-safe, like the Archive it belongs to.
#ifndef ATTEST_ARCHIVE_CLIPS_H_
#define ATTEST_ARCHIVE_CLIPS_H_

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "meta/store.h"

namespace attest::archive {

struct Internal;

class Clips {
 public:
  explicit Clips(Internal* in) : in_(in) {}

  // A new clip's id ("c" + 12 base32 characters, 60 random bits) and a new session's ("s" + 12).
  std::string NewClipId();
  std::string NewSessionId();

  Status AddClip(const meta::Clip& clip);
  Result<std::optional<meta::Clip>> GetClip(const std::string& id);
  Result<std::vector<meta::Clip>> ListClips(const std::string& owner, size_t limit);
  Result<bool> DeleteClip(const std::string& id);

  Result<meta::ClipSession> SaveSession(const meta::ClipSession& s);
  Result<std::optional<meta::ClipSession>> GetSession(const std::string& id);
  Result<std::vector<meta::ClipSession>> ListSessions(const std::string& owner,
                                                      const std::vector<std::string>& shared,
                                                      size_t limit);
  Result<bool> DeleteSession(const std::string& id);

 private:
  std::string NewId(char prefix);
  Internal* in_;
};

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_CLIPS_H_
