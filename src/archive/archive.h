// Archive: one attest archive directory (doc/format/archive.md), a handle over its parts:
// records (adding and deriving versions, files, jobs), consent (withdrawal, changes of level,
// seals, redactions, forms), the indexer and the semantic sync that keep the indexes in step,
// the finder that queries them, the verifier of the log, the audit log, accounts and models.
// Every decision about records lives in a part or below, so the CLI and HTTP layers only parse
// and format; the stores and the log are the parts' own (archive/internal.h).
// Not thread-safe: open one Archive per thread. Several processes may open one archive.
#ifndef ATTEST_ARCHIVE_ARCHIVE_H_
#define ATTEST_ARCHIVE_ARCHIVE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "archive/accounts.h"
#include "archive/audit.h"
#include "archive/clips.h"
#include "archive/consent.h"
#include "archive/finder.h"
#include "archive/indexer.h"
#include "archive/models.h"
#include "archive/records.h"
#include "archive/redaction.h"
#include "archive/semantic_sync.h"
#include "archive/verify.h"
#include "archive/wire_json.h"
#include "core/env.h"
#include "core/json.h"
#include "core/status.h"

namespace attest::archive {

struct Internal;

class Archive {
 public:
  // Creates an archive in `dir` (absent or empty). `origin` names the log; empty: a default.
  static Status Init(Env* env, const std::string& dir, const std::string& origin);
  // Opens an archive and brings its log up to date with what the database has sequenced
  // (finishing the work of a command that was interrupted), then its indexes, and opens the
  // seals whose day has come.
  static Result<std::unique_ptr<Archive>> Open(Env* env, const std::string& dir);
  ~Archive();

  Records& records() { return *records_; }
  Consents& consent() { return *consent_; }
  Indexer& indexer() { return *indexer_; }
  SemanticSync& semantic() { return *semantic_; }
  Finder& finder() { return *finder_; }
  Verifier& verifier() { return *verifier_; }
  AuditLog& audit() { return *audit_; }
  Accounts& accounts() { return *accounts_; }
  Models& models() { return *models_; }
  Clips& clips() { return *clips_; }

  // How a segment is named outside the archive (doc/api.md "Segment ids"): "s" and 32 hex
  // digits, the segment's id enciphered under the archive's key `keys/ids.key`, so ids reveal
  // neither order nor count. SegmentOfRef reverses it (nullopt for anything else).
  std::string SegmentRef(int64_t segment_id) const;
  std::optional<int64_t> SegmentOfRef(std::string_view ref) const;
  // The import id of a manifest row that has none (doc/import.md): its file's path relative
  // to the base directory, as "path:" and an HMAC keyed with keys/ids.key, so the imports
  // table (which a withdrawal keeps, to skip the row next time) holds no file name.
  std::string PathImportId(std::string_view relative_path) const;

  // The operator's settings, ARCHIVE/config.json (doc/format/archive.md): {} when there is
  // none; kInvalidArgument naming the file and what is wrong with it.
  Result<Json> Config();
  // A notice shown on every page of the portal (the demo archive says what it is); nullopt if
  // there is none.
  Result<std::optional<std::string>> Notice();
  Status SetNotice(const std::string& text);

  const std::string& dir() const;
  Env* env() const;

 private:
  Archive();
  void MakeParts();              // once the stores and the log are open
  friend struct ArchiveTesting;  // archive/testing.h

  std::unique_ptr<Internal> in_;  // destroyed after the parts
  std::unique_ptr<Records> records_;
  std::unique_ptr<Consents> consent_;
  std::unique_ptr<Indexer> indexer_;
  std::unique_ptr<SemanticSync> semantic_;
  std::unique_ptr<Finder> finder_;
  std::unique_ptr<Verifier> verifier_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<Models> models_;
  std::unique_ptr<Clips> clips_;
};

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_ARCHIVE_H_
