#include "http/server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "core/hash.h"
#include "core/json.h"
#include "http/gate.h"
#include "http/head.h"
#include "http/numbers.h"
#include "http/site.h"

namespace attest::http {
namespace {

thread_local std::chrono::steady_clock::time_point request_start;

// Headers every answer carries: nothing runs but the site's own script, nothing is framed,
// nothing is sent to another host, and no address leaks through a Referer.
constexpr std::pair<const char*, const char*> kSecurityHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
     "media-src 'self'; font-src 'self'; connect-src 'self'; form-action 'self'; "
     "base-uri 'none'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
    {"Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"},
};

// The same headers in wire form, for answers written without httplib.
std::string SecurityHeaderLines() {
  std::string h;
  for (const auto& [name, value] : kSecurityHeaders) h += std::string(name) + ": " + value + "\r\n";
  return h;
}

// The largest body a route takes (the gate answers 413 to a larger Content-Length before a byte
// of it is read): uploads their configured limit, forms and JSON writes a little, the rest next
// to nothing. Every route that reads a body is named here (svr->Post/Put/Patch in api.cc and
// pages.cc); httplib routes on the decoded path, so a path spelled with %-escapes gets at most
// the JSON bound, never more than its route's.
uint64_t MaxBody(const ServeOptions& o, std::string_view method, std::string_view path) {
  constexpr uint64_t kForm = 16 * 1024;
  constexpr uint64_t kNoBody = 4 * 1024;
  if (method == "POST" &&
      (path == "/api/v1/verify" || path == "/api/v1/records" || path == "/verify" ||
       path == "/intake")) {
    return o.max_upload;
  }
  // A whole transcript, from the editor's form or the API (doc/api.md "Transcripts"), and a
  // page of OCR words from the OCR editor's (a field of ~100 bytes a word, 20,000 words at most).
  constexpr uint64_t kTranscript = 8 << 20;
  auto ends = [&](std::string_view tail) {
    return path.size() > tail.size() && path.substr(path.size() - tail.size()) == tail;
  };
  if ((method == "POST" && path.rfind("/records/", 0) == 0 &&
       (ends("/transcript/edit") || ends("/ocr/edit"))) ||
      (method == "PUT" && path.rfind("/api/v1/records/", 0) == 0 && ends("/transcript"))) {
    return kTranscript;
  }
  if (method == "POST" && (path == "/login" || path == "/logout" || path.rfind("/me/", 0) == 0 ||
                          path.rfind("/accounts/", 0) == 0 ||
                          path.rfind("/records/", 0) == 0 || path.rfind("/sessions", 0) == 0)) {
    return kForm;  // a record page's and a session's forms: a reason, a few words, a token
  }
  if (method == "PATCH" && path.rfind("/api/v1/uploads/", 0) == 0) {
    return ingest::Uploads::kDefaultMaxPiece;  // a piece of a resumable upload
  }
  if ((method == "POST" || method == "PUT" || method == "PATCH") &&
      path.rfind("/api/v1/", 0) == 0) {
    return o.max_json_body;
  }
  return kNoBody;
}

void SecurityHeaders(httplib::Response& res) {
  if (res.has_header("Content-Security-Policy")) return;
  for (const auto& [name, value] : kSecurityHeaders) res.set_header(name, value);
}

bool IsApi(const std::string& path) {
  return path.rfind("/api/", 0) == 0 || path.rfind("/log/", 0) == 0;
}

// A strong validator from the body, for answers held in memory (a streamed file sets its own
// and answers If-None-Match itself: IfNoneMatch).
void ETagAndConditional(const httplib::Request& req, httplib::Response& res) {
  if (req.method != "GET" && req.method != "HEAD") return;
  if (res.status != 200 || res.body.empty() || res.content_provider_) return;
  if (!res.has_header("ETag")) res.set_header("ETag", BodyETag(res.body));
  if (IfNoneMatch(req, res.get_header_value("ETag"))) {
    res.status = 304;
    res.body.clear();
  }
}

// The log's files, answered by the gate's own thread (Gate::SetFastPath): the same answers as
// the /log/ route of api.cc, without a hand-off to the pool. Full tiles never change and are
// kept in memory; partial tiles and the checkpoint are read each time. Declines (false) what it
// does not fully understand, which the pool then answers. Only the gate's thread calls it.
class LogFastPath {
 public:
  LogFastPath(Site* site) : site_(site) {}

  bool operator()(std::string_view head, std::string* out, bool* close) {
    size_t line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    bool is_head = line.rfind("HEAD ", 0) == 0;
    if (!is_head && line.rfind("GET ", 0) != 0) return false;
    line.remove_prefix(is_head ? 5 : 4);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return false;
    std::string_view target = line.substr(0, sp), version = line.substr(sp + 1);
    if (version != "HTTP/1.1") return false;  // 1.0 and others: the pool
    if (target.rfind("/log/", 0) != 0 || target.size() > 220) return false;
    std::string_view rel = target.substr(5);
    if (!IsLogPath(rel)) return false;
    bool checkpoint = rel == "checkpoint";
    // Headers: no body, and what the answer depends on.
    std::string inm;
    size_t pos = line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string_view::npos || next == pos) break;
      std::string_view h = head.substr(pos, next - pos);
      pos = next + 2;
      size_t colon = h.find(':');
      if (colon == std::string_view::npos) return false;
      std::string name(h.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (name == "content-length" && value != "0") return false;
      if (name == "transfer-encoding" || name == "expect" || name == "upgrade") return false;
      if (name == "connection") {
        std::string v(value);
        for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (v.find("close") != std::string::npos) *close = true;
      }
      if (name == "if-none-match") inm = value;
    }
    const File* f = Find(std::string(rel), checkpoint);
    if (!f) return false;  // absent: the pool's 404
    std::string etag = f->etag;
    bool not_modified = !inm.empty() && (inm == etag || inm == "W/" + etag || inm == "*");
    out->reserve(1024 + f->bytes.size());
    *out = not_modified ? "HTTP/1.1 304 Not Modified\r\n" : "HTTP/1.1 200 OK\r\n";
    LogAnswer answer = LogAnswerFor(rel);
    *out += std::string("Content-Type: ") + answer.content_type +
            "\r\nCache-Control: " + answer.cache_control + "\r\n";
    if (answer.any_origin) *out += "Access-Control-Allow-Origin: *\r\n";
    *out += "ETag: " + etag + "\r\n";
    *out += headers_;
    if (*close) *out += "Connection: close\r\n";
    *out += "Content-Length: " + std::to_string(not_modified ? 0 : f->bytes.size()) + "\r\n\r\n";
    if (!is_head && !not_modified) *out += f->bytes;
    if (site_->options.access_log) {
      Json entry = {{"method", is_head ? "HEAD" : "GET"},
                    {"path", std::string(target)},
                    {"status", not_modified ? 304 : 200},
                    {"bytes", f->bytes.size()},
                    {"us", 0}};
      site_->options.access_log(entry.dump());
    }
    return true;
  }

 private:
  struct File {
    std::string bytes;
    std::string etag;
  };
  const File* Find(const std::string& rel, bool checkpoint) {
    bool immutable = !checkpoint && rel.find(".p/") == std::string::npos;
    if (immutable) {
      auto it = cache_.find(rel);
      if (it != cache_.end()) return &it->second;
    }
    auto data = site_->env->ReadFile(JoinPath(JoinPath(site_->dir, "log"), rel));
    if (!data.ok()) return nullptr;
    File f{std::move(*data), ""};
    f.etag = BodyETag(f.bytes);
    if (immutable && cache_bytes_ + f.bytes.size() <= kCacheBytes) {
      cache_bytes_ += f.bytes.size();
      return &cache_.emplace(rel, std::move(f)).first->second;
    }
    scratch_ = std::move(f);
    return &scratch_;
  }
  static constexpr size_t kCacheBytes = size_t{64} << 20;
  Site* site_;
  std::map<std::string, File> cache_;
  size_t cache_bytes_ = 0;
  File scratch_;
  // The headers every answer carries (kSecurityHeaders), in wire form.
  std::string headers_ = SecurityHeaderLines();
};

}  // namespace

Result<ArchivePool::Lease> ArchivePool::Acquire() {
  std::unique_ptr<archive::Archive> a;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!free_.empty()) {
      a = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!a) {
    ASSIGN_OR_RETURN(a, archive::Archive::Open(env_, dir_));
    if (search_cache_) a->finder().ShareSearchCache(search_cache_);
    a->finder().ShareSearchResources(ask_);
  }
  // A seal opens on its day by itself, before anything is answered. Should that fail (a
  // server that may not write), the record stays sealed: the safe side.
  (void)a->consent().OpenDueSeals();
  return Lease(this, std::move(a));
}

void ArchivePool::Return(std::unique_ptr<archive::Archive> a) {
  std::lock_guard<std::mutex> l(mu_);
  free_.push_back(std::move(a));
}

void Problem(httplib::Response& res, int status, const std::string& type, const std::string& title,
             const std::string& detail) {
  Json j = {{"type", "/api/v1/problems/" + type},
            {"title", title},
            {"status", status},
            {"detail", detail}};
  res.status = status;
  res.set_content(j.dump(), "application/problem+json");
}

int HttpStatusFor(const Status& st) {
  switch (st.code()) {
    case Code::kNotFound:
      return 404;
    case Code::kInvalidArgument:
      return 400;
    case Code::kPermissionDenied:
      return 403;
    case Code::kUnauthenticated:
      return 401;
    case Code::kExhausted:
      return 429;
    case Code::kConflict:
      return 409;
    case Code::kUnavailable:
      return 503;
    case Code::kUnimplemented:
      return 501;
    default:
      return 500;
  }
}

void ProblemFor(httplib::Response& res, const Status& st) {
  int status = HttpStatusFor(st);
  switch (status) {
    case 404:
      return Problem(res, 404, "not-found", "Not Found", st.message());
    case 400:
      return Problem(res, 400, "bad-request", "Bad Request", st.message());
    case 403:
      return Problem(res, 403, "forbidden", "Forbidden", st.message());
    case 409:
      return Problem(res, 409, "conflict", "Conflict", st.message());
    case 401:
      res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return Problem(res, 401, "unauthorized", "Unauthorized", st.message());
    case 429:
      return Problem(res, 429, "too-many", "Too Many Requests", st.message());
    case 501:
      return Problem(res, 501, "not-implemented", "Not Implemented", st.message());
    case 503:
      return Problem(res, 503, "unavailable", "Service Unavailable",
                     "the archive is not available; try again shortly");
    default:
      // Internals (paths, database errors) are for the operator's log, not the caller.
      return Problem(res, 500, "internal", "Internal Server Error",
                     "the archive could not answer this request");
  }
}

std::string BodyETag(std::string_view body) {
  return "\"" + ToHex(Sha256(body)).substr(0, 32) + "\"";
}

bool IsLogPath(std::string_view rel) {
  if (rel == "checkpoint") return true;
  if (rel.rfind("tile/", 0) != 0 || rel.size() == 5 || rel.size() > 205) return false;
  for (char c : rel.substr(5)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.' || c == '/')) return false;
  }
  return rel.find("..") == std::string_view::npos && rel.find("//") == std::string_view::npos;
}

LogAnswer LogAnswerFor(std::string_view rel) {
  if (rel == "checkpoint") return {"text/plain; charset=utf-8", "no-cache", false};
  bool partial = rel.find(".p/") != std::string_view::npos;
  return {"application/octet-stream",
          partial ? "public, max-age=60" : "public, max-age=31536000, immutable", true};
}

bool IfNoneMatch(const httplib::Request& req, const std::string& etag) {
  std::string inm = req.get_header_value("If-None-Match");
  if (inm.empty()) return false;
  if (inm == "*") return true;
  size_t pos = 0;
  while (pos < inm.size()) {
    size_t comma = inm.find(',', pos);
    std::string item =
        inm.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? inm.size() : comma + 1;
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item.rfind("W/", 0) == 0) item.erase(0, 2);
    if (item == etag) return true;
  }
  return false;
}

bool IsCleanUtf8(std::string_view s) {
  if (!IsValidUtf8(s)) return false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t' && u != '\n' && u != '\r') || u == 0x7F) return false;
  }
  return true;
}

VerifyForm ReadVerifyForm(const httplib::ContentReader& reader) {
  VerifyForm form;
  std::string field;
  Sha256Stream stream;
  form.whole = reader(
      [&](const httplib::MultipartFormData& part) {
        field = part.name;
        return true;
      },
      [&](const char* data, size_t n) {
        if (field == "file") {
          stream.Update(data, n);
          form.bytes += n;
        } else if (field == "sha256" && form.sha_field.size() + n <= 128) {
          form.sha_field.append(data, n);
        } else if (field == "csrf" && form.csrf.size() + n <= 128) {
          form.csrf.append(data, n);
        }
        return true;
      });
  if (form.bytes > 0) form.file_sha = ToHex(stream.Finish());
  std::string& sha = form.sha_field;
  while (!sha.empty() && (sha.back() == ' ' || sha.back() == '\r' || sha.back() == '\n'))
    sha.pop_back();
  while (!sha.empty() && sha.front() == ' ') sha.erase(0, 1);
  std::transform(sha.begin(), sha.end(), sha.begin(), ::tolower);
  return form;
}

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

std::string CookieValue(const httplib::Request& req, std::string_view name) {
  std::string cookies = req.get_header_value("Cookie");
  std::string_view rest = cookies;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view item = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.size() > name.size() && item.substr(0, name.size()) == name &&
        item[name.size()] == '=') {
      return std::string(item.substr(name.size() + 1));
    }
  }
  return "";
}

std::string SessionCookie(const std::string& value, int64_t max_age_s) {
  return std::string(kSessionCookie) + "=" + value +
         "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
}

std::string LinkCookie(const std::string& link, int64_t max_age_s) {
  return std::string(kLinkCookie) + "=" + link +
         "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
}

std::string LinkFormToken(std::string_view link) {
  return ToHex(Sha256("attest witness page form token\n" + std::string(link))).substr(0, 52);
}

std::string ClientAddress(Site* site, const httplib::Request& req) {
  if (site->options.behind_proxy) {
    // The proxy appends the address it was reached from: the last entry is the only one it
    // vouches for (the others the client may have written).
    std::string fwd = req.get_header_value("X-Forwarded-For");
    size_t comma = fwd.rfind(',');
    std::string last = comma == std::string::npos ? fwd : fwd.substr(comma + 1);
    while (!last.empty() && last.front() == ' ') last.erase(0, 1);
    while (!last.empty() && last.back() == ' ') last.pop_back();
    if (!last.empty() && last.size() <= 45 &&
        last.find_first_not_of("0123456789abcdefABCDEF.:") == std::string::npos) {
      return last;
    }
  }
  return req.remote_addr;
}

namespace {

// A change (not GET or HEAD) asked for with a cookie must carry `expected`, the form token of
// what the cookie holds (`what`: "session", "page"), as the X-CSRF-Token header, the form's
// `csrf` field, or the token of a form the handler read itself: another site can make a
// browser send the cookie, never read the token. kPermissionDenied if it does not.
Status CheckFormToken(const httplib::Request& req, std::string_view form_csrf,
                      const std::string& expected, const char* what) {
  if (req.method == "GET" || req.method == "HEAD") return Status::Ok();
  std::string given = req.get_header_value("X-CSRF-Token");
  if (given.empty()) given = Param(req, "csrf");
  if (given.empty()) given = form_csrf;
  if (!given.empty() && ConstantTimeEquals(given, expected)) return Status::Ok();
  return Status::PermissionDenied(std::string("this change came without the ") + what +
                                  "'s form token (CSRF); reload the page and try again");
}

// The caller a witness's link cookie stands for: only a witness's link (never a token), and
// anonymous if there is none or it no longer opens anything. A change needs the link's form
// token.
Result<access::Subject> LinkCaller(archive::Archive* a, const httplib::Request& req,
                                   std::string_view form_csrf) {
  std::string link = CookieValue(req, kLinkCookie);
  if (link.rfind(access::kWitnessLinkPrefix, 0) != 0) return access::Subject{};
  auto who = a->accounts().Authenticate(link);
  if (!who.ok() || who->witness_id.empty()) {
    if (who.ok() || who.status().code() == Code::kUnauthenticated) return access::Subject{};
    return who.status();
  }
  who->csrf = LinkFormToken(link);
  RETURN_IF_ERROR(CheckFormToken(req, form_csrf, who->csrf, "page"));
  return who;
}

}  // namespace

Result<access::Subject> Caller(Site* site, archive::Archive* a, const httplib::Request& req,
                               std::string_view form_csrf) {
  std::string auth = req.get_header_value("Authorization");
  if (!auth.empty()) {
    if (auth.size() < 7 || strncasecmp(auth.c_str(), "Bearer ", 7) != 0) {
      return Status::Unauthenticated("the Authorization header is not 'Bearer TOKEN'");
    }
    return a->accounts().Authenticate(std::string_view(auth).substr(7));
  }
  std::string cookie = CookieValue(req, kSessionCookie);
  if (cookie.empty()) return LinkCaller(a, req, form_csrf);
  auto session = a->accounts().AuthenticateSession(cookie);
  // A session that ended, or a cookie the server never made, leaves the caller anonymous (the
  // pages clear it); a cookie is never trusted for more than the server gave it.
  if (!session.ok()) {
    if (session.status().code() == Code::kUnauthenticated) return LinkCaller(a, req, form_csrf);
    return session.status();
  }
  RETURN_IF_ERROR(CheckFormToken(req, form_csrf, session->csrf, "session"));
  return session;
}

Result<ServeOptions> ParseListen(const std::string& listen) {
  ServeOptions o;
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("--listen '" + listen + "' is not HOST:PORT");
  }
  o.host = listen.substr(0, colon);
  if (o.host.size() >= 2 && o.host.front() == '[' && o.host.back() == ']') {
    o.host = o.host.substr(1, o.host.size() - 2);
  }
  std::optional<uint64_t> port = ParseDigits(listen.substr(colon + 1), 5);
  if (!port || *port > 65535 || o.host.empty()) {
    return Status::InvalidArgument("--listen '" + listen + "' is not HOST:PORT");
  }
  o.port = static_cast<int>(*port);
  return o;
}

struct Server::Internal {
  explicit Internal(GateOptions o) : svr(std::move(o)) {}
  std::unique_ptr<Site> site;
  Gate svr;
};

Server::Server(std::unique_ptr<Internal> rep) : rep_(std::move(rep)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::Create(Env* env, std::string archive_dir,
                                               ServeOptions options) {
  search::LexicalIndex::PrepareForThreads();  // before the request threads search at once
  ASSIGN_OR_RETURN(Renderer renderer, Renderer::Load());
  GateOptions gate;
  gate.host = options.host;
  gate.port = options.port;
  gate.threads = options.threads > 0
                     ? options.threads
                     : std::max(8, 4 * static_cast<int>(std::thread::hardware_concurrency()));
  gate.head_timeout_ms = options.read_timeout_s * 1000;
  gate.keep_alive_ms = options.keep_alive_s * 1000;
  gate.read_timeout_s = options.read_timeout_s;
  gate.write_timeout_s = options.write_timeout_s;
  gate.max_body = [options](std::string_view method, std::string_view path) {
    return MaxBody(options, method, path);
  };
  gate.answer_headers = SecurityHeaderLines();
  auto rep = std::make_unique<Internal>(gate);
  rep->site = std::make_unique<Site>(env, std::move(archive_dir), options, std::move(renderer));
  Site* site = rep->site.get();
  {
    ASSIGN_OR_RETURN(auto a, site->pool.Acquire());
    ASSIGN_OR_RETURN(auto cp, a->verifier().Checkpoint());
    site->origin = cp.checkpoint.origin;
  }
  httplib::Server& svr = rep->svr;
  svr.set_payload_max_length(options.max_upload);
  svr.set_pre_routing_handler([site](const httplib::Request& req, httplib::Response& res) {
    request_start = std::chrono::steady_clock::now();
    SecurityHeaders(res);
    // httplib never applies a Range itself (several would make a multipart body in memory, and
    // one past the end of an answer held in memory is not checked): the gate has left at most
    // one, and SendBlob serves it (ParseRange); every other answer is whole (RFC 9110 14.2).
    const_cast<httplib::Request&>(req).ranges.clear();
    if (!IsCleanUtf8(req.path)) {
      Problem(res, 400, "bad-request", "Bad Request", "the path is not valid UTF-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    std::string length = req.get_header_value("Content-Length");
    std::optional<uint64_t> declared = ParseDigits(length, 19);
    if (!length.empty() && (!declared || *declared > site->options.max_upload)) {
      Problem(res, 413, "too-large", "Payload Too Large",
              "the request body is larger than this server accepts");
      Gate::CloseAfterThisRequest();
      return httplib::Server::HandlerResponse::Handled;
    }
    // A form of a few fields has no business being long (its body is read into memory).
    if ((req.path == "/login" || req.path == "/logout") && req.method == "POST" &&
        (!declared || *declared > 16 * 1024)) {
      Problem(res, 413, "too-large", "Payload Too Large",
              "a login or logout form needs a Content-Length of at most 16 KiB");
      Gate::CloseAfterThisRequest();
      return httplib::Server::HandlerResponse::Handled;
    }
    for (const auto& [k, v] : req.params) {
      if (!IsCleanUtf8(k) || !IsCleanUtf8(v)) {
        Problem(res, 400, "bad-request", "Bad Request",
                "the query parameter '" + (IsCleanUtf8(k) ? k : std::string("?")) +
                    "' is not valid UTF-8 text");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    SecurityHeaders(res);
    // What a token or a session saw is the caller's own: no cache keeps it for another.
    if (!res.has_header("Cache-Control") &&
        (req.has_header("Authorization") || !CookieValue(req, kSessionCookie).empty())) {
      res.set_header("Cache-Control", "private, no-store");
    }
    ETagAndConditional(req, res);
  });
  svr.set_error_handler([site](const httplib::Request& req, httplib::Response& res) {
    SecurityHeaders(res);
    // After a malformed request, or one whose body may be left unread, the connection ends.
    int s = res.status;
    if (s == 400 || s == 408 || s == 411 || s == 413 || s == 414 || s == 431 ||
        (req.method != "GET" && req.method != "HEAD")) {
      Gate::CloseAfterThisRequest();
    }
    if (!res.body.empty()) return;  // a handler already answered
    int status = res.status;
    if (!IsApi(req.path) && (status == 404 || status == 400) && req.method == "GET") {
      return PageError(site, req, res, status);
    }
    std::string title = status == 404   ? "Not Found"
                        : status == 413 ? "Payload Too Large"
                        : status == 416 ? "Range Not Satisfiable"
                        : status == 400 ? "Bad Request"
                        : status == 405 ? "Method Not Allowed"
                        : status == 414 ? "URI Too Long"
                        : status == 431 ? "Request Header Fields Too Large"
                                        : "Error";
    std::string detail = status == 404   ? "there is nothing at this address"
                         : status == 413 ? "the request body is larger than this endpoint accepts"
                         : status == 416 ? "the Range header asks for bytes the file does not have"
                                         : "the request could not be read";
    std::string type = status == 404 ? "not-found" : status == 413 ? "too-large" : "bad-request";
    if (status == 416) type = "range";
    Problem(res, status, type, title, detail);
  });
  svr.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        Problem(res, 500, "internal", "Internal Server Error",
                "the archive could not answer this request");
      });
  if (options.access_log) {
    auto sink = options.access_log;
    svr.set_logger([sink](const httplib::Request& req, const httplib::Response& res) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - request_start)
                    .count();
      // The path only: a query string can hold the words someone searched for.
      Json line = {{"method", req.method},
                   {"path", IsCleanUtf8(req.path) ? req.path : std::string("(not UTF-8)")},
                   {"status", res.status},
                   {"bytes", res.body.size()},
                   {"us", us}};
      sink(line.dump());
    });
  }

  RegisterApi(site, &svr);
  RegisterPages(site, &svr);
  rep->svr.SetFastPath(LogFastPath(site));
  return std::unique_ptr<Server>(new Server(std::move(rep)));
}

Result<int> Server::Bind() { return rep_->svr.Listen(); }

Status Server::Run() { return rep_->svr.Run(); }

void Server::Stop() { rep_->svr.Stop(); }

}  // namespace attest::http
