#include "cli/consent.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "archive/archive.h"
#include "cli/output.h"
#include "service/writes.h"

namespace attest::cli {
namespace {

struct WithdrawArgs {
  std::string id, reason;
  bool json = false;
};

int Withdraw(Common& c, const WithdrawArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  auto w = service::Withdraw(CliScope(a->get()), o.id, o.reason);
  if (!w.ok()) return Fail(w.status());
  if (o.json) {
    PrintJson({{"id", o.id},
               {"leaf_index", w->leaf_index},
               {"already_withdrawn", w->already_withdrawn},
               {"blobs_erased", w->blobs_to_erase.size()}});
  } else {
    std::cout << "Withdrew " << o.id << ": " << w->blobs_to_erase.size()
              << " blob(s) erased; the log keeps its commitment (leaf " << w->leaf_index << ")\n";
  }
  return kExitOk;
}

struct RedactArgs {
  std::string id, chars, ms, reason;
  int64_t segment = 0;
  bool json = false;
  int confirm = 0;
};

int Redact(Common& c, const RedactArgs& o) {
  // "A:B" as two non-negative numbers.
  auto span = [](const std::string& flag, const std::string& v,
                 std::optional<std::pair<int64_t, int64_t>>* out) -> std::string {
    if (v.empty()) return "";
    size_t colon = v.find(':');
    auto number = [](const std::string& x) {
      return !x.empty() && x.size() <= 12 && x.find_first_not_of("0123456789") == std::string::npos;
    };
    if (colon == std::string::npos || !number(v.substr(0, colon)) || !number(v.substr(colon + 1))) {
      return flag + " '" + v + "' is not FROM:TO";
    }
    *out = std::make_pair(std::stoll(v.substr(0, colon)), std::stoll(v.substr(colon + 1)));
    return "";
  };
  std::optional<std::pair<int64_t, int64_t>> chars, ms;
  if (auto e = span("--chars", o.chars, &chars); !e.empty()) return Usage(e);
  if (auto e = span("--ms", o.ms, &ms); !e.empty()) return Usage(e);
  if ((o.segment > 0) == (o.confirm > 0)) {
    return Usage("give --segment N (a span to hide) or --confirm N (a held version), one");
  }
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  if (o.confirm > 0) {
    auto done = service::ConfirmRedactions(CliScope(a->get()), o.id, o.confirm, o.reason);
    if (!done.ok()) return UsageOrFail(done.status());
    if (o.json) {
      PrintJson({{"record", o.id}, {"version", o.confirm}, {"confirmed", *done}});
    } else {
      std::cout << "Version " << o.confirm << " of " << o.id
                << " confirmed: shown again with the marks that could be placed in it\n";
    }
    return kExitOk;
  }
  auto r = service::Redact(CliScope(a->get()), o.id, o.segment, chars, ms, o.reason);
  if (!r.ok()) return UsageOrFail(r.status());
  if (o.json) {
    PrintJson({{"id", r->id}, {"record", r->record_id}, {"segment", r->segment_id}});
  } else {
    std::cout << "Redacted segment " << r->segment_id << " of " << r->record_id
              << ": hidden from search for everyone, and shown as a gap to all but "
              << "archivists\n";
  }
  return kExitOk;
}

struct ConsentArgs {
  std::string id, level, reason;
  bool json = false;
  std::string until, then;
  int64_t segment = 0;
};

int Consent(Common& c, const ConsentArgs& o) {
  auto level = meta::ParseConsent(o.level);
  if (!level.ok()) return Usage(level.status().message());
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  std::optional<archive::Consents::Seal> seal;
  if (*level == meta::Consent::kSealed || !o.until.empty() || !o.then.empty()) {
    auto then = meta::ParseConsent(o.then);
    if (!then.ok()) return Usage("a seal needs --until YYYY-MM-DD and --then LEVEL");
    seal = archive::Consents::Seal{o.until, *then};
  }
  auto changed = service::ChangeConsent(CliScope(a->get()), o.id, *level, o.reason,
                                        seal ? &*seal : nullptr, o.segment);
  if (!changed.ok()) return Fail(changed.status());
  const auto& ch = *changed;
  if (o.json) {
    Json out = {{"id", o.id}, {"consent", o.level}, {"changed", ch.has_value()}};
    if (o.segment > 0) out["segment"] = o.segment;
    if (ch) {
      out["from"] = meta::ConsentName(ch->from);
      out["leaf_index"] = ch->leaf_index;
    }
    PrintJson(out);
  } else if (ch) {
    std::cout << "Changed " << o.id
              << (o.segment > 0 ? " segment " + std::to_string(o.segment) : "") << " from "
              << meta::ConsentName(ch->from) << " to " << o.level << " (log leaf " << ch->leaf_index
              << ")\n";
  } else {
    std::cout << o.id << (o.segment > 0 ? " segment " + std::to_string(o.segment) : "") << " is "
              << o.level << " already; nothing changed\n";
  }
  return kExitOk;
}

}  // namespace

void AddWithdraw(CLI::App& app, Common& c) {
  auto* withdraw = app.add_subcommand(
      "withdraw", "Withdraw a record: erase its content, keep its log commitment");
  auto o = std::make_shared<WithdrawArgs>();
  withdraw->add_option("ID", o->id, "Record id")->required();
  withdraw->add_option("--reason", o->reason, "Why (kept in the archive, never in the log)")
      ->required();
  withdraw->add_flag("--json", o->json, "Print JSON");
  c.OnRun(withdraw, [&c, o] { return Withdraw(c, *o); });
}

void AddRedact(CLI::App& app, Common& c) {
  auto* redact = app.add_subcommand(
      "redact", "Hide a span of a segment's text from all but archivists, and from search");
  auto o = std::make_shared<RedactArgs>();
  redact->add_option("ID", o->id, "Record id")->required();
  redact->add_option("--segment", o->segment, "The segment's id");
  redact->add_option("--confirm", o->confirm,
                     "Confirm version N, held because a redaction's words could not be found "
                     "in it (doc/api.md \"Redaction\"), instead of redacting");
  redact->add_option("--chars", o->chars,
                     "A:B, code points of the segment's text (default: all of it)");
  redact->add_option("--ms", o->ms,
                     "S:E, where the span is spoken, in milliseconds (default: the segment's)");
  redact->add_option("--reason", o->reason, "Why (kept in the archive, never shown)")->required();
  redact->add_flag("--json", o->json, "Print JSON");
  c.OnRun(redact, [&c, o] { return Redact(c, *o); });
}

void AddConsent(CLI::App& app, Common& c) {
  auto* consent = app.add_subcommand(
      "consent", "Change a record's consent level (public, research, restricted, sealed); logged");
  auto o = std::make_shared<ConsentArgs>();
  consent->add_option("ID", o->id, "Record id")->required();
  consent->add_option("LEVEL", o->level, "public, research, restricted or sealed")->required();
  consent->add_option("--reason", o->reason, "Why (kept in the archive, never in the log)")
      ->required();
  consent->add_flag("--json", o->json, "Print JSON");
  consent->add_option("--until", o->until,
                      "For sealed: the day it opens, YYYY-MM-DD (UTC); it opens by itself");
  consent->add_option("--then", o->then,
                      "For sealed: the level it opens to (public, research, restricted)");
  consent->add_option("--segment", o->segment,
                      "Change this one segment's own level (public, research, restricted); "
                      "it is shown at the stricter of its level and the record's");
  c.OnRun(consent, [&c, o] { return Consent(c, *o); });
}

}  // namespace attest::cli
