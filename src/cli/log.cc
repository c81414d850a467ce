#include "cli/log.h"

#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "archive/archive.h"
#include "cli/output.h"

namespace attest::cli {
namespace {

int Verify(Common& c, bool json) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  auto rep = (*a)->verifier().Verify();
  if (!rep.ok()) return Fail(rep.status());
  if (json) {
    PrintJson(rep->ToJson());
  } else {
    std::cout << (rep->ok ? "intact" : "DAMAGED") << ": log size " << rep->log_size << ", root "
              << rep->root << "\n"
              << rep->records << " records, " << rep->versions << " versions, "
              << rep->blobs_checked << " blobs re-hashed (" << rep->bytes_hashed << " bytes)\n";
    for (const auto& id : rep->withdrawn) std::cout << "withdrawn: " << id << "\n";
    if (rep->unreferenced_blobs) {
      std::cout << rep->unreferenced_blobs
                << " stored blob(s) belong to no record (left by an interrupted add)\n";
    }
    for (const auto& p : rep->problems) {
      std::cout << "problem: " << p.kind;
      if (!p.record.empty()) std::cout << " record " << p.record;
      if (p.version) std::cout << " version " << p.version;
      if (!p.blob.empty()) std::cout << " blob " << p.blob;
      std::cout << ": " << Shown(p.detail) << "\n";
    }
  }
  return rep->ok ? kExitOk : kExitFailure;
}

struct LogArgs {
  CLI::App *key = nullptr, *checkpoint = nullptr, *prove = nullptr, *consistency = nullptr;
  std::string prove_id;
  std::optional<int> prove_version;
  bool prove_json = true;
  uint64_t from_size = 0;
  std::optional<uint64_t> to_size;
  bool cons_json = true;
};

int Log(Common& c, const LogArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  if (*o.key) {
    std::cout << (*a)->verifier().VerifierKey() << "\n";
    return kExitOk;
  }
  if (*o.checkpoint) {
    auto cp = (*a)->verifier().Checkpoint();
    if (!cp.ok()) return Fail(cp.status());
    std::cout << cp->note;
    return kExitOk;
  }
  if (*o.prove) {
    auto p = (*a)->verifier().Prove(o.prove_id, o.prove_version);
    if (!p.ok()) return Fail(p.status());
    PrintJson(p->ToJson());
    return kExitOk;
  }
  if (*o.consistency) {
    auto proof = (*a)->verifier().ProveConsistency(o.from_size, o.to_size);
    if (!proof.ok()) return UsageOrFail(proof.status());
    PrintJson(proof->ToJson());
    return kExitOk;
  }
  return kExitUsage;
}

struct VerifyProofArgs {
  std::string proof_path, key, original;
  bool json = false;
};

int VerifyProof(Common& c, const VerifyProofArgs& o) {
  Env* env = c.env;
  auto text = env->ReadFile(o.proof_path);
  if (!text.ok()) return Fail(text.status());
  std::string key = o.key;
  if (env->FileExists(o.key)) {
    auto k = env->ReadFile(o.key);
    if (!k.ok()) return Fail(k.status());
    key = *k;
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  }
  std::optional<std::string> file;
  if (!o.original.empty()) file = o.original;
  auto check = archive::VerifyProof(env, *text, key, file);
  if (!check.ok()) {
    if (o.json) {
      PrintJson({{"ok", false}, {"error", check.status().message()}});
      return kExitFailure;
    }
    std::cerr << "attest: proof REJECTED: " << check.status().message() << "\n";
    return kExitFailure;
  }
  if (o.json) {
    PrintJson(check->ToJson());
  } else {
    std::cout << "ok: record " << check->record << " version " << check->version << " ("
              << check->kind << ") is leaf " << check->leaf_index << " of log " << check->origin
              << " at size " << check->tree_size << ", signed by the given key\n";
    if (check->file_checked)
      std::cout << "ok: " << o.original << " is what that version committed to\n";
  }
  return kExitOk;
}

}  // namespace

void AddVerify(CLI::App& app, Common& c) {
  auto* verify = app.add_subcommand(
      "verify", "Re-hash every blob, check every manifest and leaf, recompute the log");
  auto json = std::make_shared<bool>(false);
  verify->add_flag("--json", *json, "Print JSON");
  c.OnRun(verify, [&c, json] { return Verify(c, *json); });
}

void AddLog(CLI::App& app, Common& c) {
  auto* log = app.add_subcommand("log", "The signed Merkle log");
  log->require_subcommand(1);
  auto o = std::make_shared<LogArgs>();
  o->key = log->add_subcommand("key", "Print the checkpoint verifier key (C2SP note key)");
  o->checkpoint = log->add_subcommand("checkpoint", "Print the latest signed checkpoint");
  auto* log_prove = o->prove = log->add_subcommand("prove", "Inclusion proof of a record version");
  log_prove->add_option("ID", o->prove_id, "Record id")->required();
  log_prove->add_option("--version", o->prove_version, "Version (default: the latest)")
      ->check(CLI::PositiveNumber);
  log_prove->add_flag("--json", o->prove_json, "Print JSON (the only format)");
  auto* log_cons = o->consistency =
      log->add_subcommand("consistency", "Consistency proof between two sizes");
  log_cons->add_option("--from", o->from_size, "Old tree size")->required();
  log_cons->add_option("--to", o->to_size, "New tree size (default: current)");
  log_cons->add_flag("--json", o->cons_json, "Print JSON (the only format)");
  c.OnRun(log, [&c, o] { return Log(c, *o); });
}

void AddVerifyProof(CLI::App& app, Common& c) {
  auto* vproof = app.add_subcommand("verify-proof", "Check a proof offline, without the archive");
  auto o = std::make_shared<VerifyProofArgs>();
  vproof->add_option("PROOF", o->proof_path, "Proof JSON from `attest log prove`")->required();
  vproof->add_option("--key", o->key, "Verifier key (name+hash+key), or a file holding it")
      ->required();
  vproof->add_option("--file", o->original, "The original file, to check it is what was committed");
  vproof->add_flag("--json", o->json, "Print JSON");
  c.OnRun(vproof, [&c, o] { return VerifyProof(c, *o); });
}

}  // namespace attest::cli
