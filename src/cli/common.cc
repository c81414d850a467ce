#include "cli/common.h"

#include <cstdlib>

#include "cli/output.h"

namespace attest::cli {

int Common::Run() const {
  for (const auto& [cmd, run] : handlers) {
    if (*cmd) return run();
  }
  return kExitUsage;
}

std::string CliActor() {
  const char* user = getenv("USER");
  return std::string("cli:") + (user && *user ? user : "unknown");
}

access::Subject CliSubject() {
  access::Subject s;
  s.role = access::Role::kAdmin;
  return s;
}

service::Scope CliScope(archive::Archive* a) { return service::Scope{a, CliSubject(), CliActor()}; }

service::Scope CliReadScope(archive::Archive* a) { return service::Scope{a, CliSubject(), ""}; }

}  // namespace attest::cli
