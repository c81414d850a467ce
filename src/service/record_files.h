// What a caller is given of a record's versions, files and proofs, and which records hold a
// file (doc/api.md "Records", doc/privacy.md "What hashes, sizes, ids and lengths reveal"):
// hashes, manifests, files and proofs only to those who may read the record whole. Each answer
// is audited for what it gives, and only once it is given (a version, a file or a proof that
// is not there writes nothing). Not thread-safe: uses the scope's Archive.
#ifndef ATTEST_SERVICE_RECORD_FILES_H_
#define ATTEST_SERVICE_RECORD_FILES_H_

#include <optional>
#include <string>

#include "archive/verify.h"
#include "core/json.h"
#include "service/record_view.h"
#include "service/scope.h"

namespace attest::service {

// Version `n` of record `id` as its JSON in the record shows it, with its manifest for a caller
// who may read the record whole. kNotFound (kNoSuchRecord, or "no such version"). Audited as a
// view of the "version" (detail "version") when the record is not public, or when the manifest
// given names files that hold material that is not public.
Result<Json> ViewVersion(const Scope& scope, const std::string& id, int n);

// The record with its file `which` ("original", "access", "poster", "page-N") the caller may
// fetch (view.media[which]). kNotFound (kNoSuchRecord, or "this record has no WHICH file you may
// fetch"). Audited as a view of the "media" when the file holds material that is not public.
Result<RecordView> ViewMedia(const Scope& scope, const std::string& id, const std::string& which);

// A version's proof (the newest version's if none is given): the proof itself for a caller who
// may read the record whole, else `statement` ({"record", "version", "leaf_index",
// "commitment", "proof": kProofWithheld}). kNotFound ("no such version"). Audited as a view of
// the "proof" when the record is not public, or when the proof's manifest names files that
// hold material that is not public.
struct ProofAnswer {
  std::optional<archive::Proof> proof;
  Json statement;
};
Result<ProofAnswer> ViewProof(const Scope& scope, const std::string& id,
                              std::optional<int> version);

// Which records use a blob (by SHA-256), among those the subject may read whole, with the
// checkpoint that covers them. {"found": false} is also the answer for a file only hidden
// records hold. The records named that are not public are audited as a "verify" view.
Result<Json> VerifyBlob(const Scope& scope, const std::string& sha256);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_RECORD_FILES_H_
