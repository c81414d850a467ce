// The connection front of `attest serve` (internal to src/http): one thread holds every open
// connection in epoll and reads each request head itself (head.h), strictly and within bounds,
// before any thread of the pool sees it. A head that is too large is answered 431, a body sent
// chunked 411, a body larger than its route takes 413 (before a byte of it is read), all by this
// thread, and the connection is closed. Only a whole, valid head is handed to the pool, rewritten
// (one spelling, at most one byte range) and followed by the bytes read past it; the pool reads
// the body under a deadline and a minimum rate, and what it read past the request goes back to
// epoll to be checked like any other head. Requests with a body are capped per address and in
// all, so some threads are always left for the rest. So idle and slow clients cost a file
// descriptor each, never a thread for long. cpp-httplib parses and answers each request
// (Server::process_request). Thread-safe: Run in one thread, Stop from any.
#ifndef ATTEST_HTTP_GATE_H_
#define ATTEST_HTTP_GATE_H_

#include <httplib.h>

#include <atomic>
#include <cstdint>
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
  int read_timeout_s = 5;      // longest wait for the next bytes of a body
  int write_timeout_s = 30;
  size_t max_head = 16 * 1024;   // a longer head is answered 431
  size_t max_head_fields = 100;  // so is one of more header lines
  size_t max_target = 8000;      // a longer request target is answered 414
  size_t max_requests_per_connection = 1000;
  // A body must be read whole within body_deadline_ms, plus a second for every
  // body_deadline_rate bytes it declares; and from body_grace_ms on it must arrive at
  // min_body_rate bytes a second on average, or the request ends.
  int body_deadline_ms = 30000;
  uint64_t body_deadline_rate = 16 * 1024;
  int body_grace_ms = 5000;
  uint64_t min_body_rate = 1024;
  // Requests whose bodies are being read at once: from one address (IPv6: one /64), and in all
  // (0: three quarters of the threads, so that some always answer requests without a body).
  // Over either, the request is answered 429 or 503 by the gate.
  int body_readers_per_address = 4;
  int body_readers = 0;
  // Answers to clients that do not take them (a send waits stall_ms for room): at most
  // slow_writers_per_address from one address and slow_writers in all (0: half the threads)
  // hold a thread at once; one more is ended at its stall, an address at its bound gets 429
  // from the gate for any request until one ends, and a slow writer's connection is closed
  // after its answer. From write_grace_ms after its first byte an answer must average
  // min_write_rate bytes a second, or it ends. So clients that read slowly, or not at all, never
  // hold every thread.
  int slow_writers_per_address = 4;
  int slow_writers = 0;
  int stall_ms = 250;
  int write_grace_ms = 10000;
  uint64_t min_write_rate = 1024;
  // The largest body a request may declare (Content-Length) for its method and path; a larger
  // one is answered 413. Empty: no bound.
  std::function<uint64_t(std::string_view method, std::string_view path)> max_body;
  // Header lines ("Name: value\r\n") added to the gate's own answers.
  std::string answer_headers;
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
  // request head (checked and rewritten, CRLF line ends; no body), it fills `response` with the
  // whole answer and returns true, or returns false to leave the request to the pool. `close` ends
  // the connection after it. Must be quick and must not block (static files held in memory: the
  // log's tiles).
  using FastPath = std::function<bool(std::string_view head, std::string* response, bool* close)>;
  void SetFastPath(FastPath fast) { fast_ = std::move(fast); }

  // Called while answering a request (on the thread answering it): the connection is closed
  // after the answer instead of kept alive (a malformed request, or a body left unread).
  static void CloseAfterThisRequest();

  // Connections open now (for tests and the access log).
  size_t open_connections() const { return open_.load(); }

 private:
  struct Internal;
  struct Job;
  void Answer(Job job);
  GateOptions options_;
  FastPath fast_;
  std::atomic<size_t> open_{0};
  Internal* rep_;
};

}  // namespace attest::http

#endif  // ATTEST_HTTP_GATE_H_
