// The server's routes by area (internal to src/http): RegisterApi and RegisterPages (site.h)
// call these. A new API route goes in the file of its area (api_*.cc), a new page in pages_*.cc.
#ifndef ATTEST_HTTP_ROUTES_H_
#define ATTEST_HTTP_ROUTES_H_

#include <httplib.h>

#include <vector>

#include "http/site.h"

namespace attest::http {

// A route's handler: a named function of the site, the request and the answer.
using SiteHandler = void (*)(Site* site, const httplib::Request& req, httplib::Response& res);
// The same for a route that reads its body as it arrives (uploads, JSON writes).
using SiteReaderHandler = void (*)(Site* site, const httplib::Request& req, httplib::Response& res,
                                   const httplib::ContentReader& reader);

// `handler` as httplib calls it.
inline httplib::Server::Handler Bind(Site* site, SiteHandler handler) {
  return [site, handler](const httplib::Request& req, httplib::Response& res) {
    handler(site, req, res);
  };
}
inline httplib::Server::HandlerWithContentReader Bind(Site* site, SiteReaderHandler handler) {
  return [site, handler](const httplib::Request& req, httplib::Response& res,
                         const httplib::ContentReader& reader) { handler(site, req, res, reader); };
}

// The API (doc/api/openapi.json).
// The log's files under /log/, the API's root and description, and /api/v1/verify.
void RegisterLogRoutes(Site* site, httplib::Server* svr);
// Reading records: collections, witnesses, records, versions, segments, transcripts, media,
// proofs.
void RegisterRecordRoutes(Site* site, httplib::Server* svr);
// Search, Ask, suggestions and events.
void RegisterSearchRoutes(Site* site, httplib::Server* svr);
// A witness's own link (/me), consent forms and the audit log.
void RegisterAccountRoutes(Site* site, httplib::Server* svr);
// Archivists' writes: adding records, metadata, consent, redactions, corrections.
void RegisterWriteRoutes(Site* site, httplib::Server* svr);
// A record's jobs, and retrying one (archivists).
void RegisterJobRoutes(Site* site, httplib::Server* svr);
// A record's jobs as the API shows them (GET /api/v1/records/ID/jobs).
Json JobsJson(const std::vector<meta::Job>& jobs);
// Clips and sessions of clips (doc/sessions.md).
void RegisterSessionRoutes(Site* site, httplib::Server* svr);
// Resumable uploads (tus 1.0), added with POST /api/v1/records.
void RegisterUploadRoutes(Site* site, httplib::Server* svr);

// The portal's pages.
// Its files (styles, script, fonts), the language switcher and the Verify page.
void RegisterSitePages(Site* site, httplib::Server* svr);
// Home, Search and Ask.
void RegisterSearchPages(Site* site, httplib::Server* svr);
// A record and a witness.
void RegisterRecordPages(Site* site, httplib::Server* svr);
// The changes an archivist makes on a record's page: consent, seals, redactions, withdrawal
// (RegisterRecordPages calls it).
void RegisterChangePages(Site* site, httplib::Server* svr);
// Perspectives: accounts of one event side by side.
void RegisterPerspectivesPage(Site* site, httplib::Server* svr);
// Logging in and out.
void RegisterLoginPages(Site* site, httplib::Server* svr);
// Intake: archivists add testimonies from the browser.
void RegisterIntakePages(Site* site, httplib::Server* svr);
// The witness's own page, through their link (/me).
void RegisterWitnessPages(Site* site, httplib::Server* svr);
// The accounts page for admins: accounts, tokens, links and the audit log (/accounts).
void RegisterAccountsPages(Site* site, httplib::Server* svr);
// The transcript editor and a record's version differences (/records/ID/transcript/edit, /diff).
void RegisterEditPages(Site* site, httplib::Server* svr);
// The review queue: what a machine transcribed or read and no person has corrected (/review).
void RegisterReviewPages(Site* site, httplib::Server* svr);
// Access requests: researchers ask, archivists grant or refuse (/access).
void RegisterAccessPages(Site* site, httplib::Server* svr);
// Clips and sessions: the list, the composer, the player and the programme (doc/sessions.md).
void RegisterSessionPages(Site* site, httplib::Server* svr);

}  // namespace attest::http

#endif  // ATTEST_HTTP_ROUTES_H_
