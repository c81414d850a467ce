#include "cli/password.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace attest::cli {

Result<std::string> ReadPassword(const std::string& prompt) {
  auto read_line = [](std::string* out) -> bool {
    return static_cast<bool>(std::getline(std::cin, *out));
  };
  if (!isatty(STDIN_FILENO)) {
    std::string line;
    if (!read_line(&line)) return Status::InvalidArgument("no password on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  termios old_mode;
  tcgetattr(STDIN_FILENO, &old_mode);
  termios quiet = old_mode;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string first, second;
  std::cerr << prompt << std::flush;
  bool ok = read_line(&first);
  std::cerr << "\nAgain: " << std::flush;
  ok = ok && read_line(&second);
  std::cerr << "\n";
  tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
  if (!ok) return Status::InvalidArgument("no password given");
  if (first != second) return Status::InvalidArgument("the two passwords differ");
  return first;
}

}  // namespace attest::cli
