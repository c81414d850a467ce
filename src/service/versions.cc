#include "service/versions.h"

#include <utility>

#include "service/auditor.h"
#include "service/record_view.h"

namespace attest::service {
namespace {

struct Side {
  std::vector<std::string> lines;
  std::string artifact;
  bool not_public = false;
};

Result<Side> ReadSide(const Scope& scope, const std::string& id, int version) {
  ASSIGN_OR_RETURN(RecordText text, ReadRecordText(scope, id, false, version));
  bool exists = false;
  for (const auto& v : text.record.versions) exists = exists || v.version == version;
  const std::string named = "version " + std::to_string(version) + " of this record";
  if (!exists) return Status::NotFound(named + " does not exist");
  Side side;
  auto artifact = text.artifacts.find(version);
  side.artifact = artifact == text.artifacts.end() ? "original" : artifact->second;
  for (const auto& s : text.segments) {
    side.lines.push_back(s.segment.text);
    if (s.effective != meta::Consent::kPublic) side.not_public = true;
  }
  if (side.lines.empty()) {
    // Words of the version there may be, none the scope may read; or a file without words.
    bool has_words = false;
    for (const auto& s : text.all_segments) has_words = has_words || s.segment.version == version;
    return Status::NotFound(named + (has_words ? " has no words you may read"
                                               : " has no text (it is a " + side.artifact +
                                                     " file): choose a text version"));
  }
  if (text.record.consent != meta::Consent::kPublic ||
      (text.sees_redacted && !text.redactions.empty())) {
    side.not_public = true;
  }
  return side;
}

}  // namespace

Result<VersionDiff> DiffVersions(const Scope& scope, const std::string& id, int from, int to) {
  ASSIGN_OR_RETURN(Side before, ReadSide(scope, id, from));
  ASSIGN_OR_RETURN(Side after, ReadSide(scope, id, to));
  VersionDiff d;
  d.record = id;
  d.from = from;
  d.to = to;
  d.from_artifact = before.artifact;
  d.to_artifact = after.artifact;
  d.parts = DiffWords(before.lines, after.lines);
  for (const DiffPart& p : d.parts) {
    if (p.op == DiffPart::kSame) continue;
    size_t words = 1;
    for (char c : p.text) words += c == ' ';
    (p.op == DiffPart::kRemoved ? d.removed : d.added) += words;
  }
  if ((before.not_public || after.not_public) && !scope.actor.empty()) {
    RETURN_IF_ERROR(Auditor(scope).Viewed(id, "diff", Json{{"from", from}, {"to", to}}));
  }
  return d;
}

}  // namespace attest::service
