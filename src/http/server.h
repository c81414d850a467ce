// The HTTP server of `attest serve` and `attest demo`: the log as static C2SP tiles under
// /log/, a JSON API under /api/v1/ and a plain home page. Only public records are shown to
// anyone (the archive has no accounts yet). Reads go through the archive library, like the
// CLI. Thread-safe: each request opens its own archive handle.
#ifndef ATTEST_HTTP_SERVER_H_
#define ATTEST_HTTP_SERVER_H_

#include <atomic>
#include <memory>
#include <string>

#include "core/env.h"
#include "core/status.h"

namespace attest::http {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  int threads = 8;
};

// Parses "HOST:PORT" (IPv6 as "[::1]:8080").
Result<ServeOptions> ParseListen(const std::string& listen);

class Server {
 public:
  Server(Env* env, std::string archive_dir, ServeOptions options);
  ~Server();

  // Binds the socket; returns the port bound.
  Result<int> Bind();
  // Serves until Stop() is called. REQUIRES: Bind() succeeded.
  Status Run();
  void Stop();

 private:
  struct Internal;
  std::unique_ptr<Internal> rep_;
};

}  // namespace attest::http

#endif  // ATTEST_HTTP_SERVER_H_
