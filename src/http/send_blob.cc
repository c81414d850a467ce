#include "http/send_blob.h"

#include <algorithm>
#include <map>
#include <memory>

#include "http/head.h"

namespace attest::http {

using httplib::Request;
using httplib::Response;
using service::MediaFile;

void SendBlob(Site* site, archive::Archive* a, const MediaFile& f, const std::string& name,
              bool public_material, const Request& req, Response& res) {
  std::string etag = "\"" + f.sha256 + "\"";
  res.set_header("Cache-Control", public_material ? "no-cache" : "private, no-store");
  if (IfNoneMatch(req, etag)) {
    res.status = 304;
    res.set_header("ETag", etag);
    return;
  }
  // Ranges: one range is served (206); several that overlap or adjoin are one; others are
  // answered with the whole file, as RFC 9110 allows; a range wholly past the end is 416.
  // (httplib's own ranges are cleared before any handler: server.cc.)
  uint64_t offset = 0, length = f.size;
  std::optional<ByteRange> range;
  if (req.has_header("Range")) range = ParseRange(req.get_header_value("Range"));
  if (range) {
    if (!ResolveRange(*range, f.size, &offset, &length)) {
      res.set_header("Content-Range", "bytes */" + std::to_string(f.size));
      return Problem(res, 416, "range", "Range Not Satisfiable",
                     "the file has " + std::to_string(f.size) + " bytes");
    }
    res.status = 206;
    res.set_header("Content-Range", "bytes " + std::to_string(offset) + "-" +
                                        std::to_string(offset + length - 1) + "/" +
                                        std::to_string(f.size));
  }
  // An encrypted file is decrypted as it is sent (doc/format/blob_store.md).
  auto opened = a->records().OpenBlobReader(f.sha256);
  if (!opened.ok()) return ProblemFor(res, opened.status());
  std::shared_ptr<blob::BlobReader> reader = std::move(*opened);
  res.set_header("ETag", etag);
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("Content-Disposition", "inline; filename=\"" + name + "\"");
  res.set_content_provider(length, f.mime,
                           [reader, offset](size_t at, size_t most, httplib::DataSink& sink) {
                             char buf[64 * 1024];
                             auto n = reader->ReadAt(offset + at, std::min(most, sizeof(buf)), buf);
                             if (!n.ok() || *n == 0) return false;
                             return sink.write(buf, *n);
                           });
}

std::string Extension(const std::string& mime) {
  static const std::map<std::string, std::string> kExt = {
      {"application/pdf", "pdf"}, {"image/png", "png"},   {"image/jpeg", "jpg"},
      {"image/tiff", "tif"},      {"audio/mpeg", "mp3"},  {"audio/ogg", "ogg"},
      {"audio/flac", "flac"},     {"audio/wav", "wav"},   {"audio/mp4", "m4a"},
      {"video/mp4", "mp4"},       {"video/webm", "webm"}, {"video/quicktime", "mov"},
      {"video/x-matroska", "mkv"}};
  auto it = kExt.find(mime);
  if (it != kExt.end()) return it->second;
  if (mime.rfind("text/plain", 0) == 0) return "txt";
  return "bin";
}

}  // namespace attest::http
