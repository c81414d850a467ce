// Passwords for `attest user add` and `attest user password`.
#pragma once

#include <string>

#include "core/status.h"

namespace attest::cli {

// A password from standard input: asked twice, without echo, on a terminal (prompt first,
// then "Again: "); else the first line (for scripts: `printf '%s\n' "$PW" | attest user add …`).
// kInvalidArgument when none is given or the two differ.
Result<std::string> ReadPassword(const std::string& prompt);

}  // namespace attest::cli
