// The keys that encrypt restricted and sealed records' words at rest in the database
// (doc/format/metadata.md, "Sealed text"): one per record under ARCHIVE/keys/records/, made
// when first needed, destroyed when the record is withdrawn. Thread-safe; several processes
// may make a record's key at once (the first one's is kept).
#ifndef ATTEST_ARCHIVE_RECORD_KEYS_H_
#define ATTEST_ARCHIVE_RECORD_KEYS_H_

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/env.h"
#include "core/status.h"
#include "meta/store.h"

namespace attest::archive {

class RecordKeys : public meta::TextSealer {
 public:
  RecordKeys(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}
  ~RecordKeys() override;

  Result<std::string> Seal(const std::string& record_id, std::string_view plain) override;
  Result<std::string> Open(const std::string& record_id, std::string_view sealed) override;
  // Deletes record `record_id`'s key (ok if it has none): every encrypted copy of its words, in
  // backups too, is then noise.
  Status Destroy(const std::string& record_id);
  std::string PathFor(const std::string& record_id) const { return dir_ + "/" + record_id; }

 private:
  // The record's key: from memory, its file, or (with `make`) a new one. "" if none.
  Result<std::string> Key(const std::string& record_id, bool make);
  Env* env_;
  std::string dir_;
  std::mutex mu_;
  std::map<std::string, std::string> cache_;
};

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_RECORD_KEYS_H_
