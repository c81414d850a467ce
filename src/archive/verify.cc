#include "archive/verify.h"

#include <algorithm>
#include <map>

#include "archive/internal.h"
#include "archive/manifest.h"

namespace attest::archive {

Status Verifier::Integrate() {
  ASSIGN_OR_RETURN(auto lock, in_->log->LockForWrite());
  ASSIGN_OR_RETURN(tlog::SignedCheckpoint cp, in_->log->Latest());
  ASSIGN_OR_RETURN(uint64_t sequenced, in_->store->LeafCount());
  if (cp.checkpoint.size > sequenced) {
    return Status::Corruption("the log holds " + std::to_string(cp.checkpoint.size) +
                              " leaves but the database only " + std::to_string(sequenced) +
                              ": the database is older than the log (restored from an old "
                              "backup?); nothing was changed");
  }
  uint64_t size = cp.checkpoint.size;
  while (size < sequenced) {
    ASSIGN_OR_RETURN(auto leaves, in_->store->Leaves(size, std::min(kLeafBatch, sequenced - size)));
    if (leaves.empty())
      return Status::Corruption("database log sequence has a gap at " + std::to_string(size));
    ASSIGN_OR_RETURN(cp, in_->log->Append(size, leaves));
    size = cp.checkpoint.size;
  }
  return Status::Ok();
}

Result<tlog::SignedCheckpoint> Verifier::Checkpoint() { return in_->log->Latest(); }

std::string Verifier::VerifierKey() const { return in_->log->verifier().Vkey(); }

// What the passes of one Verify share: the report they add to, the database's leaves read in
// windows (the passes walk them in order), and what the versions pass learnt of records and
// files.
struct Verifier::Run {
  meta::Store* store;
  VerifyReport rep;
  tlog::SignedCheckpoint cp;
  std::vector<std::string> window;
  uint64_t window_start = 0;
  std::map<std::string, bool> blob_ok;  // sha256 -> verified intact
  // What ties a record's leaves to it (doc/format/leaf.md): a v1 leaf names it; a v2 leaf's
  // rc is recomputed with the record's salt, or, once the salt is gone (withdrawn), must be the
  // one rc its other v2 leaves carry (the first seen fixes it: a version leaf, which its
  // manifest ties to the record, unless all its versions were logged as v1).
  struct RecordLeaves {
    std::string salt;  // empty once withdrawn
    std::string rc;
    int last_version = 0;
  };
  std::map<std::string, RecordLeaves> of_records;
  uint64_t claimed = 0;  // leaves the database accounts for

  void Problem(std::string kind, std::string record, int version, std::string blob,
               std::string detail) {
    rep.problems.push_back(
        {std::move(kind), std::move(record), version, std::move(blob), std::move(detail)});
  }
  Result<const std::string*> LeafAt(uint64_t i) {
    if (i < window_start || i >= window_start + window.size()) {
      ASSIGN_OR_RETURN(window, store->Leaves(i, kLeafBatch));
      window_start = i;
      if (window.empty()) return Status::Corruption("leaf " + std::to_string(i) + " is missing");
    }
    return &window[i - window_start];
  }
  // The leaf at `i`, parsed.
  Result<LeafFields> ParsedLeafAt(uint64_t i) {
    auto bytes = LeafAt(i);
    return bytes.ok() ? ParseLeaf(**bytes) : Result<LeafFields>(bytes.status());
  }
  bool IsOfRecord(const LeafFields& leaf, const std::string& record) {
    if (leaf.format == 1) return leaf.record == record;
    RecordLeaves& r = of_records[record];
    if (r.rc.empty()) r.rc = r.salt.empty() ? leaf.record_commitment : CommitRecord(r.salt, record);
    return leaf.record_commitment == r.rc;
  }
  bool IsOfSegment(const LeafFields& leaf, const std::string& record, int64_t segment) {
    if (leaf.format == 1) return leaf.segment == segment;
    if (segment == 0) return leaf.segment_commitment.empty();
    const std::string& salt = of_records[record].salt;
    return salt.empty() ? !leaf.segment_commitment.empty()
                        : leaf.segment_commitment == CommitSegment(salt, segment);
  }
};

Result<VerifyReport> Verifier::Verify() {
  Run run;
  run.store = in_->store.get();
  ASSIGN_OR_RETURN(bool has_checkpoint, CheckpointPass(&run));
  if (!has_checkpoint) return run.rep;
  LeavesPass(&run);
  RETURN_IF_ERROR(AuditChainPass(&run));
  RETURN_IF_ERROR(VersionsPass(&run));
  RETURN_IF_ERROR(StatementsPass(&run));
  UnreferencedBlobsPass(&run);
  std::sort(run.rep.withdrawn.begin(), run.rep.withdrawn.end());
  run.rep.ok = run.rep.problems.empty();
  return run.rep;
}

Result<bool> Verifier::CheckpointPass(Run* run) {
  VerifyReport& rep = run->rep;
  if (Status st = in_->store->CheckIntegrity(); !st.ok()) {
    run->Problem("database", "", 0, "", st.message());
  }
  auto cp = in_->log->Latest();
  if (!cp.ok()) {
    run->Problem("checkpoint", "", 0, "", cp.status().message());
    return false;
  }
  run->cp = *cp;
  rep.log_size = cp->checkpoint.size;
  rep.root = Base64Encode(cp->checkpoint.root);
  ASSIGN_OR_RETURN(uint64_t sequenced, in_->store->LeafCount());
  if (sequenced != rep.log_size) {
    run->Problem("log", "", 0, "",
                 "the database has sequenced " + std::to_string(sequenced) +
                     " leaves but the signed checkpoint covers " + std::to_string(rep.log_size));
  }
  return true;
}

void Verifier::LeavesPass(Run* run) {
  uint64_t leaf_mismatches = 0;
  Status audit = in_->log->Audit(
      run->rep.log_size, run->cp.checkpoint.root, [&](uint64_t i, const std::string& leaf) {
        auto db_leaf = run->LeafAt(i);
        if (!db_leaf.ok() || **db_leaf != leaf) {
          if (++leaf_mismatches <= 20) {
            run->Problem(
                "leaf", "", 0, "",
                "log leaf " + std::to_string(i) + " differs from the database's statement");
          }
        }
      });
  if (!audit.ok()) run->Problem("log", "", 0, "", audit.message());
  if (leaf_mismatches > 20) {
    run->Problem("leaf", "", 0, "", std::to_string(leaf_mismatches - 20) + " more leaves differ");
  }
}

Status Verifier::AuditChainPass(Run* run) {
  // doc/format/metadata.md, "The audit log".
  ASSIGN_OR_RETURN(auto audit, in_->store->ListAudit("", ""));
  if (auto at = meta::FirstAuditBreak(audit)) {
    run->Problem("audit", "", 0, "",
                 "audit entry " + std::to_string(at->id) +
                     " was altered, inserted or an entry before it removed: " + at->why);
  }
  return Status::Ok();
}

Status Verifier::VersionsPass(Run* run) {
  // Leaves come from the database: the leaves pass showed they are the tiles' leaves.
  ASSIGN_OR_RETURN(run->rep.records, in_->store->RecordCount());
  for (uint64_t from = 0;;) {
    ASSIGN_OR_RETURN(auto batch, in_->store->ScanVersions(from, 10000));
    if (batch.empty()) break;
    from = batch.back().version.leaf_index + 1;
    for (const meta::VersionState& vs : batch) CheckVersion(run, vs);
  }
  return Status::Ok();
}

void Verifier::CheckVersion(Run* run, const meta::VersionState& vs) {
  VerifyReport& rep = run->rep;
  const meta::Version& v = vs.version;
  ++rep.versions;
  ++run->claimed;
  auto bad = [&](std::string kind, std::string detail, std::string blob = "") {
    run->Problem(std::move(kind), v.record_id, v.version, std::move(blob), std::move(detail));
  };
  if (ToHex(Sha256(v.manifest)) != v.manifest_sha256) {
    bad("manifest", "the stored manifest does not hash to its recorded SHA-256");
  }
  Run::RecordLeaves& of_record = run->of_records[v.record_id];
  of_record.salt = vs.salt;
  of_record.last_version = std::max(of_record.last_version, v.version);
  if (v.leaf_index >= rep.log_size) {
    bad("leaf", "its leaf " + std::to_string(v.leaf_index) + " is not in the signed log");
    return;
  }
  auto leaf_bytes = run->LeafAt(v.leaf_index);
  if (!leaf_bytes.ok()) {
    bad("log", leaf_bytes.status().message());
    return;
  }
  auto leaf = ParseLeaf(**leaf_bytes);
  if (!leaf.ok()) {
    bad("leaf", leaf.status().message());
  } else if (!run->IsOfRecord(*leaf, v.record_id)) {
    bad("leaf", "log leaf " + std::to_string(v.leaf_index) +
                    (leaf->format == 1 ? " names another record"
                                       : " commits to another record (its rc differs)"));
  } else if (leaf->version != v.version || leaf->manifest_sha256 != ToHex(Sha256(v.manifest))) {
    bad("leaf",
        "log leaf " + std::to_string(v.leaf_index) + " does not commit to this version's manifest");
  }
  auto manifest = ParseJson(v.manifest, "manifest");
  if (!manifest.ok() || !manifest->is_object() ||
      StringMember(*manifest, "record") != v.record_id ||
      IntMember(*manifest, "version", -1) != v.version || !manifest->contains("blobs") ||
      !(*manifest)["blobs"].is_array()) {
    bad("manifest", "the manifest does not describe this record version");
    return;
  }
  std::vector<meta::BlobRef> blobs;
  for (const auto& b : (*manifest)["blobs"]) {
    if (!b.is_object() || !b.contains("sha256") || !b["sha256"].is_string() ||
        !IsSha256Hex(b["sha256"].get<std::string>()) || !b.contains("size") ||
        !b["size"].is_number_unsigned()) {
      bad("manifest", "the manifest lists a blob without a valid sha256 and size");
      continue;
    }
    blobs.push_back({StringMember(b, "role"), b["sha256"], b["size"].get<uint64_t>()});
  }
  if (vs.withdrawn) {
    if (std::find(rep.withdrawn.begin(), rep.withdrawn.end(), v.record_id) == rep.withdrawn.end()) {
      rep.withdrawn.push_back(v.record_id);
    }
    for (const meta::BlobRef& b : blobs) {
      auto live = in_->store->BlobIsLive(b.sha256);
      if (live.ok() && !*live && in_->blobs->Stat(b.sha256).ok()) {
        bad("withdrawal",
            "the withdrawn record's blob is still stored; run attest withdraw " + v.record_id +
                " again to finish erasing it",
            b.sha256);
      }
    }
    return;  // content erased on purpose; the commitment was checked above
  }
  // The private metadata is stored in the canonical form that was committed to.
  if (ToHex(HmacSha256(vs.salt, v.private_json)) != StringMember(*manifest, "private")) {
    bad("metadata", "the private metadata differs from what the manifest committed to");
  }
  BlobsOf(run, v, blobs);
}

void Verifier::BlobsOf(Run* run, const meta::Version& v, const std::vector<meta::BlobRef>& blobs) {
  VerifyReport& rep = run->rep;
  auto bad = [&](std::string detail, std::string blob) {
    run->Problem("blob", v.record_id, v.version, std::move(blob), std::move(detail));
  };
  for (const meta::BlobRef& b : blobs) {
    auto it = run->blob_ok.find(b.sha256);
    if (it == run->blob_ok.end()) {
      auto res = in_->blobs->Verify(b.sha256);
      ++rep.blobs_checked;
      if (res.ok()) {
        rep.bytes_hashed += res->size;
        if (res->size != b.size) {
          res = Status::Corruption("blob " + b.sha256 + " has " + std::to_string(res->size) +
                                   " bytes, not " + std::to_string(b.size));
        }
      }
      it = run->blob_ok.emplace(b.sha256, res.ok()).first;
      if (!res.ok()) {
        bad((res.status().IsNotFound() ? "missing: " : "damaged: ") + res.status().message(),
            b.sha256);
      }
    } else if (!it->second) {
      bad("blob " + b.sha256 + " is damaged or missing (shared with another record)", b.sha256);
    }
  }
}

Status Verifier::StatementsPass(Run* run) {
  ASSIGN_OR_RETURN(auto withdrawals, in_->store->ListWithdrawals());
  for (const auto& [record, idx] : withdrawals) {
    ++run->claimed;
    auto leaf = run->ParsedLeafAt(idx);
    if (!leaf.ok() || leaf->kind != "withdraw" || !run->IsOfRecord(*leaf, record) ||
        leaf->version != run->of_records[record].last_version) {
      run->Problem(
          "leaf", record, 0, "",
          "the withdrawal's log leaf " + std::to_string(idx) + " does not state this withdrawal");
    }
  }
  ASSIGN_OR_RETURN(auto consent_changes, in_->store->ConsentChanges("", -1));
  for (const auto& c : consent_changes) {
    ++run->claimed;
    auto leaf = run->ParsedLeafAt(c.leaf_index);
    if (!leaf.ok() || leaf->kind != "consent" || !run->IsOfRecord(*leaf, c.record_id) ||
        leaf->consent != meta::ConsentName(c.to) ||
        !run->IsOfSegment(*leaf, c.record_id, c.segment_id)) {
      run->Problem("leaf", c.record_id, 0, "",
                   "the consent change's log leaf " + std::to_string(c.leaf_index) +
                       " does not state this change");
    }
  }
  const uint64_t log_size = run->rep.log_size;
  if (run->claimed != log_size) {
    run->Problem("log", "", 0, "",
                 std::to_string(log_size) + " leaves are logged but the database accounts for " +
                     std::to_string(run->claimed));
  }
  return Status::Ok();
}

void Verifier::UnreferencedBlobsPass(Run* run) {
  // Blobs of withdrawn records must be gone (VersionsPass); stored blobs nobody names are
  // counted.
  auto stored = in_->blobs->List();
  if (!stored.ok()) return;
  for (const auto& sha : *stored) {
    if (run->blob_ok.count(sha)) continue;
    auto live = in_->store->BlobIsLive(sha);
    if (live.ok() && !*live) ++run->rep.unreferenced_blobs;
  }
}

Json VerifyReport::ToJson() const {
  Json problems_json = Json::array();
  for (const auto& p : problems) {
    Json j = {{"kind", p.kind}, {"detail", p.detail}};
    if (!p.record.empty()) j["record"] = p.record;
    if (p.version) j["version"] = p.version;
    if (!p.blob.empty()) j["blob"] = p.blob;
    problems_json.push_back(j);
  }
  return {{"ok", ok},
          {"log_size", log_size},
          {"root", root},
          {"records", records},
          {"versions", versions},
          {"blobs_checked", blobs_checked},
          {"bytes_hashed", bytes_hashed},
          {"withdrawn", withdrawn},
          {"unreferenced_blobs", unreferenced_blobs},
          {"problems", problems_json}};
}

}  // namespace attest::archive
