// The connection front of `attest serve` (internal to src/http): one thread holds every open
// connection in epoll and hands a connection to the thread pool only when a whole request
// head has arrived; after the answer, a keep-alive connection goes back to epoll. So idle and
// slow clients cost a file descriptor each, never a thread, and ten thousand of them do not
// delay anyone else. cpp-httplib parses and answers each request (Server::process_request).
// Thread-safe: Run in one thread, Stop from any.
#ifndef ATTEST_HTTP_GATE_H_
#define ATTEST_HTTP_GATE_H_

#include <httplib.h>

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace attest::http {

struct GateOptions {
  std::string host = "127.0.0.1";
  int port = 0;                // 0: any free port
  int threads = 16;            // requests answered at once
  int head_timeout_ms = 5000;  // a request head must be whole this soon after it starts
  int keep_alive_ms = 5000;    // an idle keep-alive connection is closed after this
  int read_timeout_s = 5;      // while a request's body arrives
  int write_timeout_s = 30;
  size_t max_head = 16 * 1024;  // a longer head is answered 431 by httplib
  size_t max_requests_per_connection = 1000;
};

class Gate : public httplib::Server {
 public:
  explicit Gate(GateOptions options);
  ~Gate() override;

  // Creates, binds and listens on the socket; returns the port. Call before any thread that
  // may call Stop() starts.
  Result<int> Listen();
  // Serves until Stop(). REQUIRES: Listen() succeeded.
  Status Run();
  void Stop();

  // A request the gate's own thread answers, without a hand-off to the pool: given a whole
  // request head (no body), it fills `response` with the whole answer and returns true, or
  // returns false to leave the request to the pool. `close` ends the connection after it.
  // Must be quick and must not block (static files held in memory: the log's tiles).
  using FastPath = std::function<bool(std::string_view head, std::string* response, bool* close)>;
  void SetFastPath(FastPath fast) { fast_ = std::move(fast); }

  // Called while answering a request (on the thread answering it): the connection is closed
  // after the answer instead of kept alive (a malformed request, or a body left unread).
  static void CloseAfterThisRequest();

  // Connections open now (for tests and the access log).
  size_t open_connections() const { return open_.load(); }

 private:
  struct Internal;
  void Answer(int fd);
  GateOptions options_;
  FastPath fast_;
  std::atomic<size_t> open_{0};
  Internal* rep_;
};

}  // namespace attest::http

#endif  // ATTEST_HTTP_GATE_H_
