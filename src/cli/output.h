// What the `attest` command prints, and the exit codes it returns: 0 ok, 1 failure, 2 usage.
// Every command prints its errors and its JSON through these, so they read the same everywhere.
#pragma once

#include <string>
#include <string_view>

#include "core/json.h"
#include "core/status.h"
#include "core/text_safety.h"

namespace attest::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Text from the archive or from outside (a witness's message, a file name, a title, a
// reason, a model's name) as it may be printed on a terminal: its control characters and bidi
// controls shown as escapes (core/text_safety.h), never sent for the terminal to act on. Every
// print of such text goes through it; kLines keeps the lines of a document or a message.
std::string Shown(std::string_view s, TextLayout layout = TextLayout::kOneLine);

// Prints "attest: MESSAGE" on standard error and returns kExitFailure.
int Fail(const Status& st);

// Prints "attest: MESSAGE" on standard error and returns kExitUsage.
int Usage(const std::string& msg);

// Usage for kInvalidArgument (what the caller gave is wrong), Fail for anything else.
int UsageOrFail(const Status& st);

// Prints j on standard output, indented by two. JSON escapes C0 controls itself; DEL, C1 and
// the bidi controls, which it leaves as they are, are written as \u escapes too (the same JSON
// value), and a byte that is not UTF-8 as U+FFFD.
void PrintJson(const Json& j);

}  // namespace attest::cli
