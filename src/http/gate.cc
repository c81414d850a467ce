#include "http/gate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/fd_stream.h"
#include "http/head.h"
#include "http/numbers.h"

namespace attest::http {
namespace {

thread_local bool close_after_request = false;

// The key requests with a body are counted under: the address, or an IPv6 address's /64.
std::string AddressKey(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    return std::string(reinterpret_cast<const char*>(&a->sin_addr), 4);
  }
  if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    const auto* b = reinterpret_cast<const char*>(&a->sin6_addr);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) return std::string(b + 12, 4);
    return std::string(b, 8);
  }
  return "";
}

// An answer of the gate's own: a short RFC 9457 problem, and the connection ends.
std::string GateAnswer(int status, const char* reason, const char* type, const std::string& detail,
                       const std::string& headers) {
  std::string body = std::string("{\"type\":\"/api/v1/problems/") + type + "\",\"title\":\"" +
                     reason + "\",\"status\":" + std::to_string(status) + ",\"detail\":\"" +
                     detail + "\"}";
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  out += "Content-Type: application/problem+json\r\n";
  out += headers;
  if (status == 429 || status == 503) out += "Retry-After: 1\r\n";
  out += "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

// Why the gate answers a request itself, instead of the pool.
struct Refusal {
  int status;
  const char* reason;
  const char* type;
  std::string detail;
};

// Checks a whole head against the gate's rules and finds its body's length.
std::optional<Refusal> CheckHead(const RequestHead& h, const GateOptions& o, uint64_t* length) {
  if (h.target.size() > o.max_target) {
    return Refusal{414, "URI Too Long", "uri-too-long",
                   "the request target is over " + std::to_string(o.max_target) + " bytes"};
  }
  auto length_field = h.Find("Content-Length");
  if (h.Find("Transfer-Encoding")) {
    if (length_field) {
      return Refusal{400, "Bad Request", "bad-request",
                     "the request has both Content-Length and Transfer-Encoding"};
    }
    return Refusal{411, "Length Required", "length-required",
                   "send the body with a Content-Length; Transfer-Encoding (chunked) is not "
                   "accepted"};
  }
  *length = 0;
  if (length_field) {
    std::optional<uint64_t> n = ParseDigits(*length_field, 18);
    bool valid = n.has_value();
    for (const auto& f : h.fields) {
      if (EqualsIgnoreCase(f.name, "Content-Length") && f.value != *length_field) valid = false;
    }
    if (!valid)
      return Refusal{400, "Bad Request", "bad-request", "Content-Length is not one number"};
    *length = *n;
  }
  std::string_view path = h.target.substr(0, h.target.find('?'));
  if (o.max_body) {
    uint64_t bound = o.max_body(h.method, path);
    if (*length > bound) {
      return Refusal{413, "Payload Too Large", "too-large",
                     "the request body is larger than this endpoint accepts (" +
                         std::to_string(bound) + " bytes)"};
    }
  }
  return std::nullopt;
}

// The head as httplib will read it: CRLF line ends, one Content-Length, and at most one byte
// range (ranges that overlap or adjoin joined; any other Range dropped). A request without
// Content-Length has no body (RFC 9112 6.3); that is said outright, since httplib would read a
// POST's body until the connection ends. REQUIRES: CheckHead(h) passed with `length`.
std::string RewriteHead(const RequestHead& h, uint64_t length) {
  std::string head;
  head.reserve(h.length + 64);
  head.append(h.method).append(" ").append(h.target).append(" ").append(h.version);
  head += "\r\n";
  std::optional<ByteRange> range;
  if (h.Count("Range") == 1) range = ParseRange(*h.Find("Range"));
  for (const auto& f : h.fields) {
    if (EqualsIgnoreCase(f.name, "Range") || EqualsIgnoreCase(f.name, "Content-Length")) continue;
    head.append(f.name).append(": ").append(f.value).append("\r\n");
  }
  if (h.Find("Content-Length") || (h.method != "GET" && h.method != "HEAD")) {
    head += "Content-Length: " + std::to_string(length) + "\r\n";
  }
  if (range) head += "Range: " + range->ToHeader() + "\r\n";
  head += "\r\n";
  return head;
}

}  // namespace

// A whole request head, checked, for a thread of the pool.
struct Gate::Job {
  int fd = -1;
  std::string address;     // AddressKey of the client
  std::string prefix;      // the rewritten head, then the bytes read past the original
  size_t head_length = 0;  // of the rewritten head
  uint64_t body_length = 0;
  int64_t start_ms = 0;
  bool last = false;  // the connection's last request
};

struct Gate::Internal {
  explicit Internal(Gate* g) : gate(g) {}

  // Each open connection, as the gate's thread sees it.
  enum class State { kWaiting, kBusy, kDraining };
  struct Conn {
    State state = State::kWaiting;
    std::string carry;    // bytes read from the socket that a request has not taken yet
    std::string address;  // AddressKey
    size_t served = 0;
    bool body = false;  // a request with a body is being answered (counted in readers)
    bool has_deadline = false;
    std::multimap<int64_t, int>::iterator deadline;
    uint64_t drained = 0;
  };
  // A connection a thread of the pool has answered.
  struct Done {
    int fd;
    std::string leftover;  // read past the request: the start of the next
    bool close;
    // The answer could not be sent whole (the client did not take it): the connection is reset
    // at once, so that what it did not take is not kept for it.
    bool abort = false;
  };
  // A closing connection's input is read and dropped (up to this long and this much), so that
  // closing does not reset the connection before the client has read our answer.
  static constexpr int kDrainMs = 2000;
  static constexpr uint64_t kDrainBytes = 1 << 20;

  // The gate's thread only (Run):
  void ClearDeadline(Conn& c);
  void SetDeadline(int fd, Conn& c, int64_t when);
  void Watch(int fd);
  void ReleaseBody(Conn& c);
  void Close(int fd);
  void Drain(int fd);
  void StartDrain(int fd, int64_t now, bool in_epoll);
  void Refuse(int fd, int64_t now, const Refusal& why);
  void Examine(int fd, int64_t now);
  void HandOff(int fd, Conn& c, std::string head, uint64_t length, int64_t now);
  void Accept(int64_t now);
  void TakeDone(int64_t now);

  Gate* const gate;
  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  std::atomic<bool> stopping{false};
  size_t max_connections = 1000;
  HeadLimits head_limits;
  int max_readers = 1;

  // The gate's thread only.
  std::unordered_map<int, Conn> conns;
  std::multimap<int64_t, int> deadlines;
  int readers = 0;  // requests whose bodies are being read: in all and per AddressKey
  std::unordered_map<std::string, int> readers_at;
  std::vector<char> peek;

  // The pool's slow writers (FdStream::slow), per AddressKey and in all, under slow_mu.
  bool TakeSlowWriter(const std::string& address);
  void ReleaseSlowWriter(const std::string& address);
  std::mutex slow_mu;
  std::unordered_map<std::string, int> slow_at;
  int slow_writers = 0;
  int max_slow_writers = 1;

  // Shared with the pool, under mu.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Job> ready;  // whole heads, for the pool
  std::vector<Done> done;
  std::vector<std::thread> workers;
};

bool Gate::Internal::TakeSlowWriter(const std::string& address) {
  std::lock_guard<std::mutex> l(slow_mu);
  int& mine = slow_at[address];
  if (mine >= gate->options_.slow_writers_per_address || slow_writers >= max_slow_writers) {
    if (mine == 0) slow_at.erase(address);
    return false;
  }
  mine++;
  slow_writers++;
  return true;
}

void Gate::Internal::ReleaseSlowWriter(const std::string& address) {
  std::lock_guard<std::mutex> l(slow_mu);
  slow_writers--;
  auto it = slow_at.find(address);
  if (it != slow_at.end() && --it->second <= 0) slow_at.erase(it);
}

void Gate::Internal::ClearDeadline(Conn& c) {
  if (c.has_deadline) deadlines.erase(c.deadline);
  c.has_deadline = false;
}

void Gate::Internal::SetDeadline(int fd, Conn& c, int64_t when) {
  ClearDeadline(c);
  c.deadline = deadlines.emplace(when, fd);
  c.has_deadline = true;
}

void Gate::Internal::Watch(int fd) {
  epoll_event e{};
  e.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  e.data.fd = fd;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &e);
}

void Gate::Internal::ReleaseBody(Conn& c) {
  if (!c.body) return;
  c.body = false;
  readers--;
  auto it = readers_at.find(c.address);
  if (it != readers_at.end() && --it->second <= 0) readers_at.erase(it);
}

void Gate::Internal::Close(int fd) {
  auto it = conns.find(fd);
  if (it == conns.end()) return;
  ClearDeadline(it->second);
  ReleaseBody(it->second);
  conns.erase(it);
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  gate->open_--;
}

// Reads and drops what a closing connection still sends, until it ends, kDrainBytes or the
// deadline StartDrain set.
void Gate::Internal::Drain(int fd) {
  Conn& c = conns[fd];
  char sink[16 * 1024];
  while (true) {
    ssize_t n = ::recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
    if (n > 0) {
      c.drained += static_cast<uint64_t>(n);
      if (c.drained > kDrainBytes) return Close(fd);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    return Close(fd);  // the client closed too, or an error
  }
}

void Gate::Internal::StartDrain(int fd, int64_t now, bool in_epoll) {
  Conn& c = conns[fd];
  ::shutdown(fd, SHUT_WR);
  c.state = State::kDraining;
  c.carry.clear();
  c.carry.shrink_to_fit();
  SetDeadline(fd, c, now + kDrainMs);
  if (!in_epoll) Watch(fd);
  Drain(fd);
}

// Answers from the gate itself, then closes. REQUIRES: the connection is in epoll.
void Gate::Internal::Refuse(int fd, int64_t now, const Refusal& why) {
  std::string answer =
      GateAnswer(why.status, why.reason, why.type, why.detail, gate->options_.answer_headers);
  (void)::send(fd, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  StartDrain(fd, now, true);
}

// Looks at what a waiting connection has sent (what a worker read past its request first, then
// the socket's bytes, peeked): a whole head is checked, then answered here or handed to the
// pool; a head too large or malformed is refused. A request the fast path answers is answered
// here, and the next one looked at (pipelining).
void Gate::Internal::Examine(int fd, int64_t now) {
  const GateOptions& o = gate->options_;
  while (true) {
    auto found = conns.find(fd);
    if (found == conns.end() || found->second.state != State::kWaiting) return;
    Conn& c = found->second;
    size_t have = std::min(c.carry.size(), peek.size());
    std::memcpy(peek.data(), c.carry.data(), have);
    bool eof = false;
    size_t got = 0;
    if (have < peek.size()) {
      ssize_t n = ::recv(fd, peek.data() + have, peek.size() - have, MSG_PEEK | MSG_DONTWAIT);
      if (n == 0) eof = true;
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return Close(fd);
      if (n > 0) got = static_cast<size_t>(n);
    }
    std::string_view bytes(peek.data(), have + got);
    if (bytes.empty()) {
      if (eof) Close(fd);
      return;
    }
    HeadParse p = ParseRequestHead(bytes, head_limits);
    if (p.state == HeadState::kIncomplete) {
      if (eof) Close(fd);  // the client stopped in the middle of a head
      return;
    }
    if (p.state == HeadState::kTooLarge) {
      return Refuse(fd, now, {431, "Request Header Fields Too Large", "head-too-large", p.error});
    }
    if (p.state == HeadState::kMalformed) {
      return Refuse(fd, now, {400, "Bad Request", "bad-request", p.error});
    }
    uint64_t length = 0;
    if (auto why = CheckHead(p.head, o, &length)) return Refuse(fd, now, *why);
    std::string head = RewriteHead(p.head, length);
    // The original head leaves the carried bytes and the socket.
    size_t from_carry = std::min(p.head.length, c.carry.size());
    size_t from_socket = p.head.length - from_carry;
    c.carry.erase(0, from_carry);
    if (from_socket > 0 &&
        ::recv(fd, peek.data(), from_socket, MSG_DONTWAIT) != static_cast<ssize_t>(from_socket)) {
      return Close(fd);
    }
    std::string response;
    bool close_after = false;
    if (length == 0 && gate->fast_ && gate->fast_(head, &response, &close_after)) {
      ssize_t sent = ::send(fd, response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      c.served++;
      // An answer of a few KiB fits the socket's buffer; a client that cannot take it is not
      // kept waiting for.
      if (sent != static_cast<ssize_t>(response.size()) || close_after) return Close(fd);
      SetDeadline(fd, c, now + o.keep_alive_ms);
      continue;
    }
    return HandOff(fd, c, std::move(head), length, now);
  }
}

// Gives a checked request to the pool; one with a body only if its address and the pool have
// room for another body being read (429, 503 otherwise).
void Gate::Internal::HandOff(int fd, Conn& c, std::string head, uint64_t length, int64_t now) {
  // An address whose answers already wait for it to read them, as many as it may have, gets no
  // thread for another until one ends.
  bool slow_full;
  {
    std::lock_guard<std::mutex> l(slow_mu);
    auto it = slow_at.find(c.address);
    slow_full = it != slow_at.end() && it->second >= gate->options_.slow_writers_per_address;
  }
  if (slow_full) {
    return Refuse(fd, now,
                  {429, "Too Many Requests", "too-many",
                   "too many answers to this address are waiting for it to read them; try again "
                   "shortly"});
  }
  if (length > 0) {
    int& mine = readers_at[c.address];
    if (mine >= gate->options_.body_readers_per_address || readers >= max_readers) {
      bool address_full = mine >= gate->options_.body_readers_per_address;
      if (mine == 0) readers_at.erase(c.address);
      if (address_full) {
        return Refuse(fd, now,
                      {429, "Too Many Requests", "too-many",
                       "too many requests with a body from this address at once; try again "
                       "shortly"});
      }
      return Refuse(fd, now,
                    {503, "Service Unavailable", "unavailable",
                     "the server is reading as many request bodies as it can; try again "
                     "shortly"});
    }
    mine++;
    readers++;
    c.body = true;
  }
  Job job;
  job.fd = fd;
  job.address = c.address;
  job.head_length = head.size();
  job.prefix = std::move(head);
  job.prefix += c.carry;
  c.carry.clear();
  job.body_length = length;
  job.start_ms = now;
  c.served++;
  job.last = c.served >= gate->options_.max_requests_per_connection || stopping.load();
  c.state = State::kBusy;
  ClearDeadline(c);
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  {
    std::lock_guard<std::mutex> l(mu);
    ready.push_back(std::move(job));
  }
  cv.notify_one();
}

void Gate::Internal::Accept(int64_t now) {
  while (true) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    int fd =
        accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or out of descriptors: the rest wait in the backlog
    if (gate->open_.load() >= max_connections) {
      ::close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    gate->open_++;
    Conn& c = conns[fd];
    c = Conn{};
    c.address = AddressKey(addr);
    SetDeadline(fd, c, now + gate->options_.head_timeout_ms);
    Watch(fd);
  }
}

// Takes back the connections the pool has answered: to close, or to wait for the next head.
void Gate::Internal::TakeDone(int64_t now) {
  uint64_t v;
  (void)::read(wake_fd, &v, sizeof(v));
  std::vector<Done> answered;
  {
    std::lock_guard<std::mutex> l(mu);
    answered.swap(done);
  }
  for (auto& d : answered) {
    auto it = conns.find(d.fd);
    if (it == conns.end()) continue;
    Conn& c = it->second;
    ReleaseBody(c);
    c.state = State::kWaiting;
    if (d.abort) {
      linger reset{1, 0};
      setsockopt(d.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
      Close(d.fd);
      continue;
    }
    if (d.close) {
      StartDrain(d.fd, now, false);
      continue;
    }
    // What the worker read past its request is looked at like any new bytes.
    c.carry = std::move(d.leftover);
    SetDeadline(d.fd, c, now + gate->options_.keep_alive_ms);
    Watch(d.fd);
    Examine(d.fd, now);
  }
}

Gate::Gate(GateOptions options) : options_(std::move(options)), rep_(new Internal(this)) {
  keep_alive_max_count_ = options_.max_requests_per_connection;
  keep_alive_timeout_sec_ = std::max(1, options_.keep_alive_ms / 1000);
  read_timeout_sec_ = options_.read_timeout_s;
  write_timeout_sec_ = options_.write_timeout_s;
}

Gate::~Gate() {
  if (rep_->listen_fd >= 0) ::close(rep_->listen_fd);
  if (rep_->epoll_fd >= 0) ::close(rep_->epoll_fd);
  if (rep_->wake_fd >= 0) ::close(rep_->wake_fd);
  delete rep_;
}

Result<int> Gate::Listen() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string port = std::to_string(options_.port);
  if (getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &found) != 0 || !found) {
    return Status::InvalidArgument("cannot listen on '" + options_.host + "': not an address");
  }
  int fd = -1;
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) break;
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  if (fd < 0) {
    return Status::Unavailable("cannot listen on " + options_.host + ":" + port +
                               " (in use, or not an address of this machine)");
  }
  rep_->listen_fd = fd;
  // Made here, before any thread that may call Stop() exists.
  rep_->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  rep_->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  // httplib's streaming writers stop when its own socket is invalid ("shutting down").
  svr_sock_ = fd;
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int bound = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                         : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  // Every idle connection holds a descriptor: allow as many as the system lets this process.
  rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
    rep_->max_connections = lim.rlim_cur > 256 ? lim.rlim_cur - 128 : 128;
  }
  return bound;
}

void Gate::Answer(Job job) {
  FdStream::Limits limits{
      options_.read_timeout_s * 1000, options_.write_timeout_s * 1000, job.start_ms, 0,
      options_.body_grace_ms,         options_.min_body_rate};
  limits.stall_ms = options_.stall_ms;
  limits.write_grace_ms = options_.write_grace_ms;
  limits.min_write_rate = options_.min_write_rate;
  const std::string address = job.address;
  limits.stalled = [this, &address] { return rep_->TakeSlowWriter(address); };
  uint64_t allowance =
      options_.body_deadline_rate > 0 ? job.body_length / options_.body_deadline_rate * 1000 : 0;
  limits.deadline_ms = job.start_ms + options_.body_deadline_ms +
                       static_cast<int64_t>(std::min<uint64_t>(allowance, uint64_t{1} << 40));
  FdStream stream(job.fd, std::move(job.prefix), job.head_length, job.head_length + job.body_length,
                  limits);
  bool closed = false;
  bool parsed = false;
  close_after_request = false;
  bool ok = process_request(stream, job.last, closed, [&](httplib::Request& req) {
    parsed = true;
    stream.get_remote_ip_and_port(req.remote_addr, req.remote_port);
  });
  // A body left unread (a refusal before it, a handler that did not want it) would be read as
  // the next request: the connection ends instead.
  bool whole = stream.consumed() == job.head_length + job.body_length;
  if (stream.slow()) rep_->ReleaseSlowWriter(address);
  // A slow writer's connection is not kept: its next answer would be as slow.
  bool end = !ok || closed || job.last || !parsed || close_after_request || !whole ||
             stream.slow();
  Internal::Done d{job.fd, end ? std::string() : stream.TakeLeftover(), end};
  d.abort = stream.write_failed();
  std::lock_guard<std::mutex> l(rep_->mu);
  rep_->done.push_back(std::move(d));
  uint64_t one = 1;
  (void)::write(rep_->wake_fd, &one, sizeof(one));
}

void Gate::CloseAfterThisRequest() { close_after_request = true; }

Status Gate::Run() {
  Internal* r = rep_;
  if (r->epoll_fd < 0 || r->wake_fd < 0) return Status::IOError("cannot make an epoll instance");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = r->listen_fd;
  epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, r->listen_fd, &ev);
  ev.data.fd = r->wake_fd;
  epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, r->wake_fd, &ev);

  const int threads = std::max(1, options_.threads);
  r->max_readers = options_.body_readers > 0 ? options_.body_readers
                                             : std::max(1, threads - std::max(1, threads / 4));
  r->max_slow_writers =
      options_.slow_writers > 0 ? options_.slow_writers : std::max(1, threads / 2);
  r->head_limits = HeadLimits{options_.max_head, options_.max_head_fields};
  r->peek.resize(options_.max_head + 1);
  for (int i = 0; i < threads; ++i) {
    r->workers.emplace_back([this, r] {
      while (true) {
        Job job;
        {
          std::unique_lock<std::mutex> l(r->mu);
          r->cv.wait(l, [r] { return r->stopping.load() || !r->ready.empty(); });
          if (r->ready.empty()) return;  // stopping, nothing left
          job = std::move(r->ready.front());
          r->ready.pop_front();
        }
        Answer(std::move(job));
      }
    });
  }

  std::vector<epoll_event> events(256);
  while (!r->stopping.load()) {
    int n = epoll_wait(r->epoll_fd, events.data(), static_cast<int>(events.size()), 250);
    if (n < 0 && errno != EINTR) break;
    int64_t now = NowMs();
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == r->listen_fd) {
        r->Accept(now);
      } else if (fd == r->wake_fd) {
        r->TakeDone(now);
      } else if (auto it = r->conns.find(fd); it != r->conns.end()) {
        if (it->second.state == Internal::State::kDraining) {
          r->Drain(fd);
        } else if (it->second.state == Internal::State::kWaiting) {
          r->Examine(fd, now);
        }
      }
    }
    // Connections whose head did not come in time, idle keep-alive ones and those drained long
    // enough are closed.
    while (!r->deadlines.empty() && r->deadlines.begin()->first <= now) {
      r->Close(r->deadlines.begin()->second);
    }
  }
  // Stop: no new connections; those waiting are closed; requests being answered finish.
  epoll_ctl(r->epoll_fd, EPOLL_CTL_DEL, r->listen_fd, nullptr);
  std::vector<int> idle;
  for (const auto& [fd, c] : r->conns) {
    if (c.state != Internal::State::kBusy) idle.push_back(fd);
  }
  for (int fd : idle) r->Close(fd);
  r->cv.notify_all();
  for (auto& t : r->workers) t.join();
  r->workers.clear();
  svr_sock_ = INVALID_SOCKET;
  ::close(r->listen_fd);
  r->listen_fd = -1;
  for (const auto& job : r->ready) ::close(job.fd);
  for (const auto& d : r->done) ::close(d.fd);
  return Status::Ok();
}

void Gate::Stop() {
  rep_->stopping.store(true);
  if (rep_->wake_fd >= 0) {
    uint64_t one = 1;
    (void)::write(rep_->wake_fd, &one, sizeof(one));
  }
  rep_->cv.notify_all();
}

}  // namespace attest::http
