// Sending a file of the archive (a record's media, a consent form) to a caller who may fetch it.
#ifndef ATTEST_HTTP_SEND_BLOB_H_
#define ATTEST_HTTP_SEND_BLOB_H_

#include <httplib.h>

#include <string>

#include "archive/archive.h"
#include "http/site.h"
#include "service/record_view.h"

namespace attest::http {

// Streams a blob with Range support, validated by its SHA-256. `name`: the file name offered
// (Content-Disposition); `public_material`: whether caches may keep it.
void SendBlob(Site* site, archive::Archive* a, const service::MediaFile& f, const std::string& name,
              bool public_material, const httplib::Request& req, httplib::Response& res);

// The file name extension of a MIME type ("bin" if unknown).
std::string Extension(const std::string& mime);

}  // namespace attest::http

#endif  // ATTEST_HTTP_SEND_BLOB_H_
