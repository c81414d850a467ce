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
  // The record id. BuildLeaf commits to it; ParseLeaf sets it from a v1 leaf only (a v2 leaf
  // names no record).
  std::string record;
  int version = 0;
  std::string manifest_sha256;  // empty for withdraw
  std::string time;
  std::string consent;  // consent only: the new level
  std::string until;    // consent to sealed only: the day it opens (YYYY-MM-DD)
  // Consent of one segment only: its id. Committed to like `record`; set by ParseLeaf from a
  // v1 leaf only.
  int64_t segment = 0;
  // Set by ParseLeaf: 1 for attest.leaf.v1, 2 for attest.leaf.v2; for v2 the record's
  // commitment (rc, 64 hex) and, for one segment's consent, the segment's (sc).
  int format = 2;
  std::string record_commitment;
  std::string segment_commitment;
};

// The commitments a v2 leaf carries instead of ids (doc/format/leaf.md): HMAC-SHA-256 under
// the record's salt of a labelled id, hex.
std::string CommitRecord(const std::string& salt, std::string_view record_id);
std::string CommitSegment(const std::string& salt, int64_t segment_id);

// An attest.leaf.v2 leaf stating `f`: f.record and f.segment are committed to under `salt`
// (the record's), never written. REQUIRES: salt is the record's (not empty).
Result<std::string> BuildLeaf(const LeafFields& f, const std::string& salt);
// The attest.leaf.v1 leaf an older attest wrote, naming f.record and f.segment. attest no
// longer writes it; tests use it to stand for an older archive's log.
Result<std::string> BuildLeafV1(const LeafFields& f);
// Parses and checks a leaf: canonical, of attest.leaf.v1 or v2, with the members its kind
// needs.
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
