// Resumable uploads (doc/api.md, "Resumable uploads"): a file sent in pieces, each written and
// synced before it is acknowledged, kept under ARCHIVE/blobs/tmp/uploads/ID/ until it is added
// (`attest add`'s path: Records::Add) or removed (by its maker, or 24 hours after its last
// piece). Layout of an upload's directory (doc/format/archive.md):
//   info.json  {"owner", "length", "file_name", "mime", "created"}: written once, atomically
//   data       the bytes so far; anything past `offset` is a piece never acknowledged
//   offset     "OFFSET LAST": the acknowledged length and the time (µs since the epoch) of the
//              last piece, decimal: written atomically after `data` is synced
//   .lock      held (flock, non-blocking) while a piece is written
// A crash at any moment keeps every acknowledged byte: `offset` only grows after the bytes
// below it are on disk, and the next piece starts by cutting `data` back to `offset`.
// Thread-safe and process-safe per upload (the lock); uploads are independent.
#ifndef ATTEST_INGEST_UPLOADS_H_
#define ATTEST_INGEST_UPLOADS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/env.h"
#include "core/status.h"

namespace attest::ingest {

// An upload as its maker sees it.
struct UploadState {
  std::string id;
  std::string owner;      // who made it (an audit actor: "token:…", "user:…")
  uint64_t length = 0;    // the whole file's size, declared at creation
  uint64_t offset = 0;    // bytes kept so far
  std::string file_name;  // its last part only, clean UTF-8 ("upload" otherwise)
  std::string mime;       // as the client declared it (informative only: the sniffer decides)
  int64_t expires_micros = 0;  // when it is removed if not finished
  bool finished() const { return offset == length; }
};

// The checksum a piece carries (tus `Upload-Checksum`): an algorithm and the raw digest.
struct PieceChecksum {
  std::string algorithm;  // "sha1" or "sha256"
  std::string digest;     // raw bytes
};
// Parses "ALGORITHM BASE64". kInvalidArgument naming what is wrong (an unknown algorithm, bad
// base64, a digest of the wrong length).
Result<PieceChecksum> ParseUploadChecksum(std::string_view header);

// Reads the next bytes of a piece's body into `sink`; false if the body was cut short.
using PieceReader = std::function<bool(const std::function<bool(const char*, size_t)>& sink)>;

// Why a piece or a new upload was refused, beyond its Status (the API's answer depends on it).
enum class Refusal {
  kNone,
  kTooLarge,          // over the file or piece limit, or past the length (HTTP 413)
  kWrongOffset,       // not at the upload's offset (409)
  kBusy,              // another piece of the upload is being written (409)
  kChecksumMismatch,  // the piece's bytes do not match its checksum (460)
  kCutShort,          // the body ended before `n` bytes (the connection dropped)
};

class Uploads {
 public:
  // Limits: the largest file and the largest piece; an upload lives `ttl_micros` after its
  // last piece.
  static constexpr uint64_t kDefaultMaxPiece = 64ull << 20;
  static constexpr int64_t kDefaultTtlMicros = 24ll * 3600 * 1000000;

  // `dir`: ARCHIVE/blobs/tmp/uploads (made when needed).
  Uploads(Env* env, std::string dir, uint64_t max_length, uint64_t max_piece = kDefaultMaxPiece,
          int64_t ttl_micros = kDefaultTtlMicros);

  uint64_t max_length() const { return max_length_; }
  uint64_t max_piece() const { return max_piece_; }

  // A new, empty upload of `length` bytes. kInvalidArgument for 0, and over the limit (with
  // `why` kTooLarge). Nothing is kept on failure.
  Result<UploadState> Create(const std::string& owner, uint64_t length, std::string_view file_name,
                             std::string_view mime, Refusal* why = nullptr);

  // The upload `id` if `owner` made it and it has not expired; kNotFound otherwise (the same
  // for an upload of someone else as for one that does not exist).
  Result<UploadState> Get(const std::string& id, const std::string& owner);

  // Writes one piece of `n` bytes at `offset`, read by `read`, then syncs it and moves the
  // offset; the state after it. Refused (the Status says why, in words; `why` which):
  // kConflict if `offset` is not the upload's (a piece out of order or sent twice) or another
  // piece of it is being written; kInvalidArgument if the piece is over the piece limit or
  // would pass the length, or its bytes do not match `checksum` (nothing of it kept), or the
  // body was cut short (without a checksum the bytes that arrived are kept; with one, none).
  Result<UploadState> Append(const std::string& id, const std::string& owner, uint64_t offset,
                             uint64_t n, const std::optional<PieceChecksum>& checksum,
                             const PieceReader& read, Refusal* why = nullptr);

  // Removes the upload (its maker's only: kNotFound otherwise).
  Status Remove(const std::string& id, const std::string& owner);

  // The finished upload's file, renamed to its file name in the upload's directory, for
  // Records::Add; kInvalidArgument naming the id and offset if it is not finished. `Restore`
  // puts it back (after a refused add), `Remove` ends it (after an add).
  Result<std::string> Take(const std::string& id, const std::string& owner);
  void Restore(const std::string& id, const std::string& path);

  // Removes uploads whose time is past; how many.
  int RemoveExpired();

 private:
  std::string DirOf(const std::string& id) const;
  Result<UploadState> Load(const std::string& id);
  Status WriteOffset(const std::string& dir, uint64_t offset);

  Env* env_;
  std::string dir_;
  uint64_t max_length_, max_piece_;
  int64_t ttl_micros_;
};

// A file name as attest keeps it: its last part, without a path; a name that is empty, not
// clean UTF-8, holds control characters or is over 200 bytes becomes "upload".
std::string CleanFileName(std::string_view name);

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_UPLOADS_H_
