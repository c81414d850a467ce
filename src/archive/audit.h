// The archive's audit log (doc/format/metadata.md, "The audit log"): who was shown or changed
// what, in a hash chain. The one place rows are appended, the archive's own (a withdrawal, a
// redaction, a consent form) and those the interfaces write, and listed. A part of an Archive
// (archive.h). Not thread-safe, like the Archive it belongs to.
#ifndef ATTEST_ARCHIVE_AUDIT_H_
#define ATTEST_ARCHIVE_AUDIT_H_

#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "meta/store.h"

namespace attest::archive {

struct Internal;

class AuditLog {
 public:
  explicit AuditLog(Internal* in) : in_(in) {}

  // Appends an entry: `actor` ("cli:USER", "token:ID", "seal") did `action` to `target` (a
  // record id, a token id, …; "" for none), with `detail` kept as canonical JSON (null: no
  // detail), at `at` (RFC 3339; "": now). Returns the entry as chained.
  Result<meta::AuditEntry> Append(const std::string& actor, const std::string& action,
                                  const std::string& target, const Json& detail = Json(),
                                  const std::string& at = "");
  // Writes that `actor` was shown `target` (a record or witness; "" for an answer listing
  // records in `detail`).
  Status View(const std::string& actor, const std::string& target, const Json& detail);

  // The log, oldest first: entries at or after `since` (RFC 3339 or a prefix such as a day;
  // empty: all) by `actor` (empty: anyone).
  Result<std::vector<meta::AuditEntry>> List(const std::string& since, const std::string& actor);
  // The `view` entries about record `record_id` (a view of it, or an answer whose detail lists
  // it in "records", such as a search): the `limit` newest, newest first, and how many in all.
  Result<meta::RecordViews> ViewsOf(const std::string& record_id, uint64_t limit);

 private:
  Internal* in_;
};

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_AUDIT_H_
