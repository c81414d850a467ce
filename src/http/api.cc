// The JSON API under /api/v1/ and the log under /log/ (doc/api.md, doc/api/openapi.json), by
// area.
#include "http/routes.h"
#include "http/site.h"

namespace attest::http {

void RegisterApi(Site* site, httplib::Server* svr) {
  RegisterLogRoutes(site, svr);
  RegisterRecordRoutes(site, svr);
  RegisterSearchRoutes(site, svr);
  RegisterWriteRoutes(site, svr);
  RegisterUploadRoutes(site, svr);
  RegisterJobRoutes(site, svr);
  RegisterAccountRoutes(site, svr);
  RegisterSessionRoutes(site, svr);
}

}  // namespace attest::http
