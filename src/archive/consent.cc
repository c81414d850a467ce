#include "archive/consent.h"

#include <algorithm>

#include "archive/audit.h"
#include "archive/indexer.h"
#include "archive/internal.h"
#include "archive/manifest.h"
#include "archive/verify.h"
#include "core/text_safety.h"
#include "search/dates.h"

namespace attest::archive {

Result<meta::Record> Consents::Writable(const std::string& id, access::Action action,
                                        const std::string& seal_until) {
  ASSIGN_OR_RETURN(meta::Record r, in_->store->GetRecord(id));
  meta::Consent level = r.consent;
  const bool due = r.consent == meta::Consent::kSealed && !r.sealed_until.empty() &&
                   r.sealed_until <= in_->Now().substr(0, 10);
  if (r.withdrawn_at) {
    level = meta::Consent::kWithdrawn;
  } else if (due) {
    // Its day has come: the next OpenDueSeals opens it (that opening is a change of it too).
    level = meta::Consent::kRestricted;
  }
  bool takes = access::RecordTakes(level, action);
  if (takes && level == meta::Consent::kSealed && action == access::Action::kReseal) {
    // Only to a later day: a record sealed with no day has none later.
    takes = !r.sealed_until.empty() && seal_until > r.sealed_until;
  }
  if (takes) return r;
  if (level == meta::Consent::kWithdrawn) return meta::NoRecord(id);
  return SealedRefusal(r);
}

Status Consents::SealedRefusal(const meta::Record& r) {
  if (r.sealed_until.empty()) {
    return Status::Conflict("record '" + r.id +
                            "' is sealed with no day to open on: it takes only a withdrawal");
  }
  return Status::Conflict("record '" + r.id + "' is sealed until " + r.sealed_until +
                          ": before then it takes only a withdrawal or a later seal");
}

Result<meta::Withdrawal> Consents::Withdraw(const std::string& id, const std::string& reason,
                                            const std::string& by) {
  if (reason.empty()) return Status::InvalidArgument("a withdrawal needs a reason (--reason)");
  if (!IsValidUtf8(reason)) return Status::InvalidArgument("--reason is not valid UTF-8");
  std::string now = in_->Now();
  // The withdraw leaf commits to the record under its salt, which the store erases in the
  // transaction that sequences the leaf (doc/format/leaf.md): read it first. Once withdrawn,
  // the salt is gone and no leaf is built.
  ASSIGN_OR_RETURN(meta::Record record, Writable(id, access::Action::kWithdraw));
  ASSIGN_OR_RETURN(
      meta::Withdrawal w,
      in_->store->Withdraw(id, CleanText(reason, TextLayout::kLines), now,
                           [&](int last) -> Result<std::string> {
                             return BuildLeaf({"withdraw", id, last, "", now}, record.salt);
                           }));
  RETURN_IF_ERROR(in_->verifier->Integrate());
  if (!w.already_withdrawn) {
    RETURN_IF_ERROR(in_->audit->Append(by, "withdraw", id, Json(), now).status());
  }
  for (const auto& sha : w.blobs_to_erase) RETURN_IF_ERROR(in_->blobs->Remove(sha));
  // Removes its segments and compacts the index without them.
  RETURN_IF_ERROR(in_->indexer->SyncIndex());
  RETURN_IF_ERROR(in_->store->ScrubDeleted());
  // Its rows are cleared; the key that encrypted them goes too, so copies of the database made
  // before (backups) hold its words only as noise.
  RETURN_IF_ERROR(in_->record_keys->Destroy(id));
  return w;
}

Result<std::optional<meta::ConsentChange>> Consents::ChangeConsent(
    const std::string& id, meta::Consent to, const std::string& reason, const std::string& by,
    const Seal* seal, int64_t segment_id) {
  if (to == meta::Consent::kWithdrawn) {
    return Status::InvalidArgument(
        "withdrawal is not a change of level: it erases the record (attest withdraw)");
  }
  if (reason.empty()) return Status::InvalidArgument("a change of consent needs a reason");
  if (!IsValidUtf8(reason) || reason.size() > 4096) {
    return Status::InvalidArgument("the reason must be at most 4,096 bytes of UTF-8");
  }
  std::string now = in_->Now();
  meta::ConsentChange change;
  change.record_id = id;
  change.to = to;
  change.reason = CleanText(reason, TextLayout::kLines);
  change.by = by;
  change.segment_id = segment_id;
  if (segment_id < 0) return Status::InvalidArgument("a segment id is a positive number");
  if (segment_id > 0 && (seal || to == meta::Consent::kSealed)) {
    return Status::InvalidArgument("a seal applies to a whole record, not to one segment");
  }
  if (to == meta::Consent::kSealed) {
    if (!seal) {
      return Status::InvalidArgument(
          "a seal needs the day it opens and the level it opens to (--until, --then)");
    }
    auto day = search::ParseDateRange(seal->until, "--until");
    if (!day.ok() || day->from != day->to || day->from != seal->until) {
      return Status::InvalidArgument("--until '" + seal->until +
                                     "' must be one day, YYYY-MM-DD (UTC)");
    }
    if (seal->until <= now.substr(0, 10)) {
      return Status::InvalidArgument("--until " + seal->until +
                                     " is not in the future: a seal opens on a later day");
    }
    if (seal->then != meta::Consent::kPublic && seal->then != meta::Consent::kResearch &&
        seal->then != meta::Consent::kRestricted) {
      return Status::InvalidArgument("--then must be public, research or restricted");
    }
    change.until = seal->until;
    change.then = seal->then;
  } else if (seal) {
    return Status::InvalidArgument("--until and --then belong to a seal only");
  }
  // Sealed before its day: only a seal to a later day (doc/privacy.md). Withdrawn: as unknown.
  // The leaf commits to the record and segment under the record's salt (doc/format/leaf.md).
  const bool reseal = to == meta::Consent::kSealed && seal;
  ASSIGN_OR_RETURN(meta::Record record,
                   Writable(id, reseal ? access::Action::kReseal : access::Action::kWrite,
                            reseal ? seal->until : ""));
  ASSIGN_OR_RETURN(
      auto done,
      in_->store->ChangeConsent(change, now, [&](int version, const std::string& manifest) {
        return BuildLeaf({"consent", id, version, manifest, now, meta::ConsentName(to),
                          change.until, segment_id},
                         record.salt);
      }));
  // Narrowed to restricted or sealed: the record's files are encrypted in place (also when the
  // level was already this, so a change interrupted after its commit is finished by its repeat).
  if (segment_id == 0 && EncryptsFiles(to)) RETURN_IF_ERROR(EncryptAtRest(id));
  if (!done) return done;
  RETURN_IF_ERROR(in_->verifier->Integrate());
  RETURN_IF_ERROR(in_->indexer->SyncIndex());
  return done;
}

Status Consents::EncryptAtRest(const std::string& id) {
  RETURN_IF_ERROR(in_->store->SealRecordText(id));
  ASSIGN_OR_RETURN(meta::Record r, in_->store->GetRecord(id));
  for (const meta::Version& v : r.versions) {
    for (const meta::BlobRef& b : v.blobs) {
      // A file another live record also holds keeps that record's terms.
      ASSIGN_OR_RETURN(auto uses, in_->store->FindBlob(b.sha256));
      bool own = std::all_of(uses.begin(), uses.end(),
                             [&](const meta::BlobUse& u) { return u.record_id == id; });
      if (own) RETURN_IF_ERROR(in_->blobs->Encrypt(b.sha256));
    }
  }
  return Status::Ok();
}

Status Consents::OpenDueSeals() {
  // A seal is always set to open on a later day than the one it is set on, so once a day has
  // been found with nothing due, nothing can come due until the next day: the server asks
  // before every request, and this keeps that to one query a day.
  std::string today = in_->Now().substr(0, 10);
  if (today == no_seals_due_on_) return Status::Ok();
  ASSIGN_OR_RETURN(auto due, in_->store->DueSeals(today));
  if (due.empty()) no_seals_due_on_ = today;
  for (const auto& s : due) {
    // A record whose witness has asked for its withdrawal opens no wider than restricted (the
    // archivists': doc/api.md "Witnesses") until an archivist acts on the request.
    ASSIGN_OR_RETURN(meta::Record r, in_->store->GetRecord(s.record_id));
    const meta::Consent then =
        r.withdrawal_asked ? meta::Strictest(s.then, meta::Consent::kRestricted) : s.then;
    // Another process may open it at the same moment: the second change finds the level set
    // and does nothing.
    RETURN_IF_ERROR(ChangeConsent(s.record_id, then,
                                  "sealed until " + s.until + ": opened on its day", "seal")
                        .status());
  }
  return Status::Ok();
}

Result<std::vector<meta::ConsentChange>> Consents::ConsentHistory(const std::string& id) {
  return in_->store->ConsentChanges(id, -1);
}

Result<meta::Redaction> Consents::Redact(const std::string& record_id, int64_t segment_id,
                                         std::optional<std::pair<int64_t, int64_t>> chars,
                                         std::optional<std::pair<int64_t, int64_t>> ms,
                                         const std::string& reason, const std::string& by) {
  if (reason.empty()) return Status::InvalidArgument("a redaction needs a reason");
  if (reason.size() > 4096 || !IsValidUtf8(reason)) {
    return Status::InvalidArgument("the reason must be at most 4,096 bytes of UTF-8");
  }
  RETURN_IF_ERROR(Writable(record_id, access::Action::kWrite).status());
  ASSIGN_OR_RETURN(auto segments, in_->store->RecordSegments(record_id));
  const meta::Segment* seg = nullptr;
  for (const auto& st : segments) {
    if (st.segment.id == segment_id) seg = &st.segment;
  }
  if (!seg) {
    return Status::NotFound("record '" + record_id + "' has no segment " +
                            std::to_string(segment_id));
  }
  int64_t length = 0;
  for (unsigned char c : seg->text) length += (c & 0xC0) != 0x80;
  meta::Redaction r;
  r.record_id = record_id;
  r.segment_id = segment_id;
  if (chars) {
    if (chars->first < 0 || chars->second <= chars->first || chars->second > length) {
      return Status::InvalidArgument("--chars " + std::to_string(chars->first) + ":" +
                                     std::to_string(chars->second) + " is not a span of segment " +
                                     std::to_string(segment_id) + " (its text has " +
                                     std::to_string(length) + " characters)");
    }
    r.char_from = chars->first;
    r.char_to = chars->second;
  }
  if (seg->char_start >= 0) {
    r.doc_from = seg->char_start + (chars ? chars->first : 0);
    r.doc_to = seg->char_start + (chars ? chars->second : length);
  }
  if (ms) {
    if (ms->first < 0 || ms->second <= ms->first) {
      return Status::InvalidArgument("--ms " + std::to_string(ms->first) + ":" +
                                     std::to_string(ms->second) + " is not a time range");
    }
    r.start_ms = ms->first;
    r.end_ms = ms->second;
  } else if (seg->start_ms >= 0) {
    r.start_ms = seg->start_ms;
    r.end_ms = seg->end_ms;
  }
  r.reason = CleanText(reason, TextLayout::kLines);  // printed to terminals later
  r.by = by;
  r.at = in_->Now();
  ASSIGN_OR_RETURN(r.id, in_->store->AddRedaction(r));
  Json detail = {{"segment", segment_id}};
  if (chars) detail["chars"] = {chars->first, chars->second};
  if (r.start_ms >= 0) detail["ms"] = {r.start_ms, r.end_ms};
  RETURN_IF_ERROR(in_->audit->Append(by, "redact", record_id, detail, r.at).status());
  // Spoken: a copy of the recording silenced over every redacted range (the worker's
  // `redact-access` job, doc/speech.md "Access copies").
  if (r.start_ms >= 0) {
    RETURN_IF_ERROR(in_->store->RequeueJob(record_id, seg->version, "redact-access", r.at));
  }
  RETURN_IF_ERROR(in_->indexer->SyncIndex());
  return r;
}

Result<std::vector<int64_t>> Consents::ConfirmRedactions(const std::string& record_id, int version,
                                                         const std::string& reason,
                                                         const std::string& by) {
  if (reason.empty()) return Status::InvalidArgument("a confirmation needs a reason");
  if (reason.size() > 4096 || !IsValidUtf8(reason)) {
    return Status::InvalidArgument("the reason must be at most 4,096 bytes of UTF-8");
  }
  ASSIGN_OR_RETURN(meta::Record rec, Writable(record_id, access::Action::kWrite));
  ASSIGN_OR_RETURN(auto redactions, in_->store->ListRedactions(record_id));
  ASSIGN_OR_RETURN(auto segments, in_->store->RecordSegments(record_id));
  RedactionPlan plan = PlanRedactions(segments, redactions);
  bool exists = false;
  for (const auto& v : rec.versions) exists |= v.version == version;
  if (!exists) {
    return Status::NotFound("record '" + record_id + "' has no version " + std::to_string(version));
  }
  auto held = plan.held.find(version);
  if (held == plan.held.end()) {
    return Status::Conflict("version " + std::to_string(version) + " of record '" + record_id +
                            "' is not held by a redaction: nothing to confirm");
  }
  std::string at = in_->Now();
  for (int64_t id : held->second) {
    meta::Redaction c;
    c.segment_id = id < 0 ? -id : 0;  // a passage's level, or a redaction's segment
    for (const auto& r : redactions) {
      if (r.id == id) c.segment_id = r.segment_id;
    }
    c.record_id = record_id;
    c.reason = CleanText(reason, TextLayout::kLines);
    c.by = by;
    c.at = at;
    c.confirms = id;
    c.confirms_version = version;
    RETURN_IF_ERROR(in_->store->AddRedaction(c).status());
  }
  Json detail = {{"version", version}, {"redactions", held->second}};
  RETURN_IF_ERROR(in_->audit->Append(by, "redact.confirm", record_id, detail, at).status());
  RETURN_IF_ERROR(in_->indexer->SyncIndex());
  return held->second;
}

Result<std::vector<meta::Redaction>> Consents::ListRedactions(const std::string& record_id) {
  return in_->store->ListRedactions(record_id);
}

Result<RedactionPlan> Consents::PlanOf(const std::string& record_id) {
  ASSIGN_OR_RETURN(auto redactions, in_->store->ListRedactions(record_id));
  ASSIGN_OR_RETURN(auto segments, in_->store->RecordSegments(record_id));
  return PlanRedactions(segments, redactions);
}

Result<std::set<std::string>> Consents::RecordsWithPassageLevels() {
  ASSIGN_OR_RETURN(auto changes, in_->store->ConsentChanges("", -1));
  std::set<std::string> out;
  for (const auto& c : changes) {
    if (c.segment_id > 0) out.insert(c.record_id);
  }
  return out;
}

namespace {

// What a consent form is, from its first bytes: the types a browser shows, or bytes.
std::string FormMime(std::string_view head) {
  if (head.rfind("%PDF-", 0) == 0) return "application/pdf";
  if (head.rfind("\x89PNG\r\n\x1a\n", 0) == 0) return "image/png";
  if (head.rfind("\xFF\xD8\xFF", 0) == 0) return "image/jpeg";
  if (head.rfind("II*\0", 0) == 0 || head.rfind("MM\0*", 0) == 0) return "image/tiff";
  if (IsValidUtf8(head.substr(0, head.size() > 3 ? head.size() - 3 : head.size()))) {
    return "text/plain; charset=utf-8";
  }
  return "application/octet-stream";
}

}  // namespace

Result<meta::WitnessForm> Consents::AttachConsentForm(const std::string& witness_id,
                                                      const std::string& path,
                                                      const std::string& by) {
  if (!IsValidId(witness_id)) {
    return Status::InvalidArgument("witness '" + witness_id +
                                   "' must be 1-64 letters, digits, '.', '_' or '-'");
  }
  RETURN_IF_ERROR(CheckFile(in_->env, path));
  ASSIGN_OR_RETURN(blob::BlobInfo info, in_->blobs->PutFile(path, /*encrypt=*/true));
  // The same bytes stored before in the clear (another record's file) are encrypted now: a
  // consent form is restricted wherever else its bytes appear.
  RETURN_IF_ERROR(in_->blobs->Encrypt(info.sha256));
  std::string head(512, '\0');
  {
    ASSIGN_OR_RETURN(auto f, in_->blobs->Open(info.sha256));
    ASSIGN_OR_RETURN(size_t n, f->Read(head.size(), head.data()));
    head.resize(n);
  }
  meta::WitnessForm form;
  form.witness_id = witness_id;
  form.sha256 = info.sha256;
  form.size = info.size;
  form.mime = FormMime(head);
  form.file_name = CleanText(BaseName(path), TextLayout::kOneLine);
  form.added = in_->Now();
  form.added_by = by;
  ASSIGN_OR_RETURN(form.id, in_->store->AddWitnessForm(form));
  RETURN_IF_ERROR(in_->audit
                      ->Append(by, "form.add", witness_id,
                               {{"form", form.id}, {"sha256", form.sha256}}, form.added)
                      .status());
  return form;
}

Result<std::vector<meta::WitnessForm>> Consents::ListWitnessForms(const std::string& witness_id) {
  return in_->store->ListWitnessForms(witness_id);
}

Result<std::vector<meta::WitnessRequest>> Consents::ListWitnessRequests() {
  return in_->store->ListWitnessRequests();
}

Result<int64_t> Consents::AddWitnessRequest(const meta::WitnessRequest& request) {
  return in_->store->AddWitnessRequest(request);
}

}  // namespace attest::archive
