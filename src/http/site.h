// What the server's handlers share (internal to src/http): the archive handles, the
// renderer, and the helpers every handler uses to answer. Thread-safe.
#ifndef ATTEST_HTTP_SITE_H_
#define ATTEST_HTTP_SITE_H_

#include <httplib.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "access/access.h"
#include "archive/archive.h"
#include "core/env.h"
#include "http/render.h"
#include "http/server.h"
#include "ingest/uploads.h"
#include "search/resources.h"
#include "search/result_cache.h"
#include "service/scope.h"

namespace attest::http {

// Archive handles, one per request at a time (Archive is not thread-safe), kept open between
// requests.
class ArchivePool {
 public:
  // Every archive it opens shares `search_cache` (none: no cache).
  ArchivePool(Env* env, std::string dir, std::shared_ptr<search::ResultCache> search_cache)
      : env_(env), dir_(std::move(dir)), search_cache_(std::move(search_cache)) {}

  class Lease {
   public:
    Lease(ArchivePool* pool, std::unique_ptr<archive::Archive> a) : pool_(pool), a_(std::move(a)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (a_) pool_->Return(std::move(a_));
    }
    archive::Archive* operator->() const { return a_.get(); }
    archive::Archive* get() const { return a_.get(); }

   private:
    ArchivePool* pool_;
    std::unique_ptr<archive::Archive> a_;
  };

  Result<Lease> Acquire();

 private:
  void Return(std::unique_ptr<archive::Archive> a);
  Env* env_;
  std::string dir_;
  std::shared_ptr<search::ResultCache> search_cache_;
  // Ask's dictionaries and embedding model, loaded once for every handle.
  std::shared_ptr<search::Resources> ask_ = std::make_shared<search::Resources>();
  std::mutex mu_;
  std::vector<std::unique_ptr<archive::Archive>> free_;
};

struct Site {
  Site(Env* e, std::string d, ServeOptions o, Renderer r)
      : env(e),
        dir(std::move(d)),
        options(std::move(o)),
        renderer(std::move(r)),
        pool(env, dir,
             options.search_cache_bytes > 0
                 ? std::make_shared<search::ResultCache>(options.search_cache_bytes)
                 : nullptr),
        uploads(env, JoinPath(dir, "blobs/tmp/uploads"), options.max_upload) {}
  Env* env;
  std::string dir;
  ServeOptions options;
  Renderer renderer;
  ArchivePool pool;
  std::string origin;  // the log's origin line
  access::LoginThrottle throttle{env};
  ingest::Uploads uploads;  // resumable uploads, under ARCHIVE/blobs/tmp/uploads
};

// The archive and the caller of one request (an API call or a page).
struct Call {
  std::optional<ArchivePool::Lease> a;
  access::Subject subject;

  archive::Archive* archive() const { return a->get(); }
  // The service's scope of the request: its archive and its caller.
  service::Scope scope() const { return service::ScopeOf(a->get(), subject); }
};

// RFC 9457 problem details. `type` is a path under /api/v1/problems/ (e.g. "not-found").
void Problem(httplib::Response& res, int status, const std::string& type, const std::string& title,
             const std::string& detail);
// The HTTP status for a Status code.
int HttpStatusFor(const Status& st);
// A Status as a problem: 4xx with its message, 5xx without internals.
void ProblemFor(httplib::Response& res, const Status& st);

// The caller, from an `Authorization: Bearer` header, or else a session cookie, or else a
// witness's link kept in its cookie by the witness's page (anonymous without any, or with a
// session that ended or a link revoked). A bad token is kUnauthenticated (401), never
// silently anonymous; a change (not GET or HEAD) that a session cookie authenticates without the
// session's form token (`csrf` field or X-CSRF-Token header) is kPermissionDenied (403).
// `form_csrf`: the form token of a form the handler read itself (a multipart body).
Result<access::Subject> Caller(Site* site, archive::Archive* a, const httplib::Request& req,
                               std::string_view form_csrf = {});

// The session cookie (doc/api.md, "Accounts"), and its Set-Cookie value (Max-Age 0 clears it).
inline constexpr const char* kSessionCookie = "__Host-attest_session";
std::string SessionCookie(const std::string& value, int64_t max_age_s);
// A witness's link as the witness's page keeps it in the browser (doc/api.md, "Witnesses"):
// the link itself, in an HttpOnly, Secure, SameSite=Strict cookie, and the form token every
// change it asks for must carry (derived from the link, which another site cannot read).
inline constexpr const char* kLinkCookie = "__Host-attest_link";
std::string LinkCookie(const std::string& link, int64_t max_age_s);
std::string LinkFormToken(std::string_view link);
// A cookie's value from the request, or "".
std::string CookieValue(const httplib::Request& req, std::string_view name);
// The caller's address: the connection's, or behind a proxy (--behind-proxy) the last
// X-Forwarded-For entry.
std::string ClientAddress(Site* site, const httplib::Request& req);

// True if the request's If-None-Match names `etag` (a quoted entity tag).
bool IfNoneMatch(const httplib::Request& req, const std::string& etag);

// The entity tag of a body: the first 128 bits of its SHA-256, quoted.
std::string BodyETag(std::string_view body);

// The log's files under /log/ (C2SP tlog-tiles paths), served alike by the API route and the
// gate's fast path: whether `rel` (the path after /log/) is one (the checkpoint, or a tile
// path of [0-9a-z./] without ".." or "//"), and how its answer is labelled.
bool IsLogPath(std::string_view rel);
struct LogAnswer {
  const char* content_type;
  const char* cache_control;  // full tiles never change; partial ones and the checkpoint do
  bool any_origin;            // tiles: mirrors and verifiers anywhere may fetch them
};
LogAnswer LogAnswerFor(std::string_view rel);

// True if `s` is valid UTF-8 without NUL or other C0 controls but tab, CR and LF.
bool IsCleanUtf8(std::string_view s);

// A verify form (multipart/form-data) read as it arrives: a `file` field is hashed and dropped;
// a `sha256` field (at most 128 bytes) is kept as given.
struct VerifyForm {
  uint64_t bytes = 0;     // of the file
  std::string file_sha;   // hex, if the file had bytes
  std::string sha_field;  // as given, trimmed and lower-cased
  std::string csrf;       // the form token, for a logged-in session (at most 128 bytes)
  bool whole = false;     // the body arrived whole (not cut off by its deadline or the client)
};
VerifyForm ReadVerifyForm(const httplib::ContentReader& reader);

// A query parameter, or "" if absent.
std::string Param(const httplib::Request& req, const char* name);

// An error page in the reader's interface language (for paths outside /api/ and /log/).
void PageError(Site* site, const httplib::Request& req, httplib::Response& res, int status);

void RegisterApi(Site* site, httplib::Server* svr);
void RegisterPages(Site* site, httplib::Server* svr);

}  // namespace attest::http

#endif  // ATTEST_HTTP_SITE_H_
