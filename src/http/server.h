// The HTTP server of `attest serve` and `attest demo` (doc/api.md): the log as static C2SP
// tiles under /log/, the JSON API under /api/v1/ and the portal's pages, in Arabic, English,
// French and Hebrew. Reads go through the same libraries as the CLI, and every decision about
// what a caller may see is access::Decide's. Thread-safe: a bounded pool of threads serves
// requests, each with its own archive handle.
#ifndef ATTEST_HTTP_SERVER_H_
#define ATTEST_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "core/env.h"
#include "core/status.h"

namespace attest::http {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  // Requests answered at once; 0: four per core, at least 8. Searching is CPU-bound: many
  // more threads than cores only share the cores, and each request waits longer.
  int threads = 0;
  // Requests: headers must arrive within this many seconds of the connection; a body must
  // keep arriving; a keep-alive connection idle this long is closed.
  int read_timeout_s = 5;
  int write_timeout_s = 30;
  int keep_alive_s = 5;
  size_t max_json_body = 1 << 20;       // bytes of a JSON request body
  size_t max_upload = size_t{4} << 30;  // bytes of an uploaded file (add, verify)
  // Pages of search results kept for repeated searches (doc/search.md, "In the server");
  // 0: none.
  size_t search_cache_bytes = size_t{64} << 20;
  // Behind a reverse proxy: a caller's address (for login throttling and the audit log) is the
  // last X-Forwarded-For entry, not the connection's.
  bool behind_proxy = false;
  // Access log lines (JSON, one a request) go here; none if empty.
  std::function<void(const std::string&)> access_log;
};

// Parses "HOST:PORT" (IPv6 as "[::1]:8080").
Result<ServeOptions> ParseListen(const std::string& listen);

class Server {
 public:
  // kCorruption if the embedded templates do not load (a broken build).
  static Result<std::unique_ptr<Server>> Create(Env* env, std::string archive_dir,
                                                ServeOptions options);
  ~Server();

  // Binds the socket; returns the port bound.
  Result<int> Bind();
  // Serves until Stop() is called. REQUIRES: Bind() succeeded.
  Status Run();
  // Stops accepting, finishes the requests being served, and makes Run return.
  void Stop();

 private:
  struct Internal;
  explicit Server(std::unique_ptr<Internal> rep);
  std::unique_ptr<Internal> rep_;
};

}  // namespace attest::http

#endif  // ATTEST_HTTP_SERVER_H_
