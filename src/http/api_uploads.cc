// Resumable uploads (doc/api.md, "Resumable uploads (tus 1.0)"): the tus 1.0.0 core protocol
// with creation, checksum, termination and expiration, over ingest::Uploads. An upload is its
// maker's: anyone else is answered as for one that does not exist.
#include <ctime>
#include <string>

#include "core/hash.h"
#include "http/api_common.h"
#include "http/numbers.h"
#include "http/routes.h"
#include "ingest/uploads.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

constexpr const char* kTusVersion = "1.0.0";
constexpr const char* kUploadPath = R"(/api/v1/uploads/([0-9a-f]{32}))";

// An instant as an HTTP date (RFC 9110 IMF-fixdate).
std::string HttpDate(int64_t micros) {
  std::time_t t = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

void TusHeaders(Response& res) {
  res.set_header("Tus-Resumable", kTusVersion);
  res.set_header("Cache-Control", "no-store");
}

// Every request but OPTIONS names the protocol's version; false (with a 412) otherwise.
bool SpeaksTus(const Request& req, Response& res) {
  if (req.get_header_value("Tus-Resumable") == kTusVersion) return true;
  Problem(res, 412, "precondition-failed", "Precondition Failed",
          "send Tus-Resumable: 1.0.0 (the tus version this server speaks)");
  res.set_header("Tus-Version", kTusVersion);
  TusHeaders(res);
  return false;
}

// The caller's uploads are theirs alone: the actor the audit log names them by.
bool BeginUpload(Site* site, const Request& req, Response& res, Call* c) {
  TusHeaders(res);
  if (!Begin(site, req, res, c) || !RequireAdder(*c, res) || !SpeaksTus(req, res)) return false;
  if (c->subject.Actor().empty()) {
    Problem(res, 403, "forbidden", "Forbidden",
            "this needs a volunteer's, an archivist's or an admin's token or account");
    return false;
  }
  return true;
}

// A value of tus's Upload-Metadata ("key base64,key base64"), or "".
std::string MetadataValue(const std::string& header, std::string_view key) {
  size_t start = 0;
  while (start <= header.size()) {
    size_t comma = header.find(',', start);
    std::string item = header.substr(start, comma == std::string::npos ? std::string::npos
                                                                      : comma - start);
    size_t b = item.find_first_not_of(' ');
    if (b != std::string::npos) item.erase(0, b);
    size_t space = item.find(' ');
    if (item.substr(0, space) == key && space != std::string::npos) {
      auto v = Base64Decode(item.substr(space + 1));
      return v.ok() ? *v : "";
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return "";
}

void Options(Site* site, const Request&, Response& res) {
  res.status = 204;
  res.set_header("Tus-Resumable", kTusVersion);
  res.set_header("Tus-Version", kTusVersion);
  res.set_header("Tus-Extension", "creation,checksum,termination,expiration");
  res.set_header("Tus-Max-Size", std::to_string(site->uploads.max_length()));
  res.set_header("Tus-Checksum-Algorithm", "sha1,sha256");
}

void PostUpload(Site* site, const Request& req, Response& res) {
  Call c;
  if (!BeginUpload(site, req, res, &c)) return;
  std::string length = req.get_header_value("Upload-Length");
  std::optional<uint64_t> n = ParseDigits(length, 19);
  if (!n) {
    return Problem(res, 400, "bad-request", "Bad Request",
                   length.empty() ? "send Upload-Length: the file's size in bytes (tus creation; "
                                    "a length deferred is not taken)"
                                  : "Upload-Length '" + length.substr(0, 24) +
                                        "' is not a number of bytes");
  }
  site->uploads.RemoveExpired();
  std::string metadata = req.get_header_value("Upload-Metadata");
  ingest::Refusal why = ingest::Refusal::kNone;
  auto made = site->uploads.Create(c.subject.Actor(), *n, MetadataValue(metadata, "filename"),
                                   MetadataValue(metadata, "filetype"), &why);
  if (!made.ok()) {
    if (why == ingest::Refusal::kTooLarge) {
      return Problem(res, 413, "too-large", "Content Too Large", made.status().message());
    }
    return ProblemFor(res, made.status());
  }
  res.status = 201;
  res.set_header("Location", "/api/v1/uploads/" + made->id);
  res.set_header("Upload-Expires", HttpDate(made->expires_micros));
  res.set_header("Upload-Offset", "0");
}

// HEAD (the offset to resume from) and GET (the same as JSON).
void GetUpload(Site* site, const Request& req, Response& res) {
  Call c;
  if (!BeginUpload(site, req, res, &c)) return;
  auto s = site->uploads.Get(req.matches[1], c.subject.Actor());
  if (!s.ok()) return ProblemFor(res, s.status());
  res.set_header("Upload-Offset", std::to_string(s->offset));
  res.set_header("Upload-Length", std::to_string(s->length));
  res.set_header("Upload-Expires", HttpDate(s->expires_micros));
  SendJson(res, {{"id", s->id},
                 {"offset", s->offset},
                 {"length", s->length},
                 {"file_name", s->file_name},
                 {"finished", s->finished()}});
}

void PatchUpload(Site* site, const Request& req, Response& res,
                 const httplib::ContentReader& reader) {
  Call c;
  if (!BeginUpload(site, req, res, &c)) return;
  if (req.get_header_value("Content-Type") != "application/offset+octet-stream") {
    return Problem(res, 415, "unsupported-media-type", "Unsupported Media Type",
                   "send a piece as Content-Type: application/offset+octet-stream");
  }
  std::optional<uint64_t> offset = ParseDigits(req.get_header_value("Upload-Offset"), 19);
  std::optional<uint64_t> n = ParseDigits(req.get_header_value("Content-Length"), 19);
  if (!offset || !n) {
    return Problem(res, 400, "bad-request", "Bad Request",
                   !offset ? "send Upload-Offset: where this piece starts, in bytes"
                           : "send Content-Length: the piece's size in bytes");
  }
  std::optional<ingest::PieceChecksum> checksum;
  if (std::string sum = req.get_header_value("Upload-Checksum"); !sum.empty()) {
    auto parsed = ingest::ParseUploadChecksum(sum);
    if (!parsed.ok()) return ProblemFor(res, parsed.status());
    checksum = std::move(*parsed);
  }
  ingest::Refusal why = ingest::Refusal::kNone;
  auto after = site->uploads.Append(
      req.matches[1], c.subject.Actor(), *offset, *n, checksum,
      [&](const std::function<bool(const char*, size_t)>& sink) {
        return reader([&](const char* data, size_t len) { return sink(data, len); });
      },
      &why);
  if (!after.ok()) {
    auto now = site->uploads.Get(req.matches[1], c.subject.Actor());
    if (now.ok()) res.set_header("Upload-Offset", std::to_string(now->offset));
    switch (why) {
      case ingest::Refusal::kTooLarge:
        return Problem(res, 413, "too-large", "Content Too Large", after.status().message());
      case ingest::Refusal::kChecksumMismatch:
        return Problem(res, 460, "checksum-mismatch", "Checksum Mismatch",
                       after.status().message());
      default:
        return ProblemFor(res, after.status());
    }
  }
  res.status = 204;
  res.set_header("Upload-Offset", std::to_string(after->offset));
  res.set_header("Upload-Expires", HttpDate(after->expires_micros));
}

void DeleteUpload(Site* site, const Request& req, Response& res) {
  Call c;
  if (!BeginUpload(site, req, res, &c)) return;
  Status st = site->uploads.Remove(req.matches[1], c.subject.Actor());
  if (!st.ok()) return ProblemFor(res, st);
  res.status = 204;
}

}  // namespace

void RegisterUploadRoutes(Site* site, httplib::Server* svr) {
  site->uploads.RemoveExpired();
  svr->Options("/api/v1/uploads", Bind(site, Options));
  svr->Options(kUploadPath, Bind(site, Options));
  svr->Post("/api/v1/uploads", Bind(site, PostUpload));
  svr->Get(kUploadPath, Bind(site, GetUpload));
  svr->Patch(kUploadPath, Bind(site, PatchUpload));
  svr->Delete(kUploadPath, Bind(site, DeleteUpload));
}

}  // namespace attest::http
