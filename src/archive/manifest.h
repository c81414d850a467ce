// Building and reading version manifests and log leaves (doc/format/manifest.md, leaf.md).
// Pure functions; thread-safe.
#ifndef ATTEST_ARCHIVE_MANIFEST_H_
#define ATTEST_ARCHIVE_MANIFEST_H_

#include <string>
#include <vector>

#include "core/env.h"
#include "core/json.h"
#include "core/status.h"
#include "meta/store.h"

namespace attest::archive {

struct ManifestFields {
  std::string record;
  int version = 0;
  std::string collection;
  std::string witness;
  meta::Consent consent = meta::Consent::kRestricted;
  std::string lang;
  std::string created;
  std::vector<meta::BlobRef> blobs;
  std::string private_hmac;  // hex
  Json derived;              // null, or the `derived` object of a derived version
};

Result<std::string> BuildManifest(const ManifestFields& f);
// HMAC-SHA-256(salt, canonical JSON of the private object), hex.
Result<std::string> CommitPrivate(const std::string& salt, const Json& private_object);

// What is shown of a version to a caller who may not read it whole, instead of its manifest's
// hash (doc/format/manifest.md, "Commitments shown"): HMAC-SHA-256(salt,
// "attest.version.v1" 0x00 manifest_sha256), hex. Reveals nothing without the record's salt;
// "" once the salt is gone (a withdrawal).
std::string CommitVersion(const std::string& salt, const std::string& manifest_sha256);

struct LeafFields {
  std::string kind;  // add, revise, derive, withdraw, consent
  std::string record;
  int version = 0;
  std::string manifest_sha256;  // empty for withdraw
  std::string time;
  std::string consent;  // consent only: the new level
  std::string until;    // consent to sealed only: the day it opens (YYYY-MM-DD)
  int64_t segment = 0;  // consent of one segment only: its id
};

Result<std::string> BuildLeaf(const LeafFields& f);
// Parses and checks a leaf: canonical, of attest.leaf.v1, with the members its kind needs.
Result<LeafFields> ParseLeaf(std::string_view leaf);

// "r" + 20 base32 characters from 100 random bits.
std::string NewRecordId(Env* env);
// Identifiers chosen by people (witness, collection): 1-64 of [A-Za-z0-9._-], not starting
// with '.' or '-'.
bool IsValidId(std::string_view id);
// A BCP 47 language tag of the simple kind attest uses: 2-3 lowercase letters ("und" for
// unknown), optionally followed by -subtags of 2-8 letters or digits.
bool IsValidLang(std::string_view lang);

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_MANIFEST_H_
