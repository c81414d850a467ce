// What the API's handlers share (internal to src/http): opening a call (the archive and the
// caller), refusing callers the route is not for, reading JSON bodies and answering with JSON.
#ifndef ATTEST_HTTP_API_COMMON_H_
#define ATTEST_HTTP_API_COMMON_H_

#include <httplib.h>

#include <optional>
#include <string>

#include "core/json.h"
#include "http/site.h"

namespace attest::http {

// Opens the archive and identifies the caller; answers with a problem and returns false if
// either fails.
bool Begin(Site* site, const httplib::Request& req, httplib::Response& res, Call* call);

// An archivist's token is required: false (with a 401 or 403) otherwise.
bool RequireWriter(const Call& call, httplib::Response& res);
// The same for taking in new records (service::MayAdd: volunteers too).
bool RequireAdder(const Call& call, httplib::Response& res);

// A witness's own link is required: false (with a 401) otherwise.
bool RequireWitness(const Call& c, httplib::Response& res);

void SendJson(httplib::Response& res, const Json& j, int status = 200);

// Parses "?version=N" (absent: nullopt).
bool VersionParam(const httplib::Request& req, httplib::Response& res, std::optional<int>* version);

// Reads a JSON request body of at most `max` bytes.
Result<Json> JsonBody(const httplib::Request& req, const httplib::ContentReader& reader,
                      size_t max);

// The start of an archivist's JSON write: the archive, a writer's token and the body.
bool BeginJsonWrite(Site* site, const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader, Call* call, Json* body);

// The log's newest checkpoint note, or "".
std::string CheckpointNote(archive::Archive* a);

}  // namespace attest::http

#endif  // ATTEST_HTTP_API_COMMON_H_
