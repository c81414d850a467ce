#include "cli/common.h"

#include <pwd.h>
#include <unistd.h>

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
  // $USER, else the account the process runs as (a service, a root shell without $USER).
  const char* user = getenv("USER");
  if (user && *user) return std::string("cli:") + user;
  const passwd* pw = getpwuid(geteuid());
  return std::string("cli:") + (pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "unknown");
}

access::Subject CliSubject() {
  access::Subject s;
  s.role = access::Role::kAdmin;
  return s;
}

service::Scope CliScope(archive::Archive* a) { return service::Scope{a, CliSubject(), CliActor()}; }

service::Scope CliReadScope(archive::Archive* a) { return service::Scope{a, CliSubject(), ""}; }

}  // namespace attest::cli
