// The portal's pages (server-rendered, usable without JavaScript), by area.
#include "http/pages_common.h"
#include "http/routes.h"
#include "http/site.h"

namespace attest::http {

void PageError(Site* site, const httplib::Request& req, httplib::Response& res, int status) {
  PageContext pc(site, req);
  auto lease = site->pool.Acquire();
  pc.Error(res, lease.ok() ? lease->get() : nullptr, status);
}

void RegisterPages(Site* site, httplib::Server* svr) {
  RegisterSitePages(site, svr);
  RegisterSearchPages(site, svr);
  RegisterRecordPages(site, svr);
  RegisterPerspectivesPage(site, svr);
  RegisterLoginPages(site, svr);
  RegisterIntakePages(site, svr);
  RegisterWitnessPages(site, svr);
  RegisterAccountsPages(site, svr);
  RegisterEditPages(site, svr);
  RegisterReviewPages(site, svr);
  RegisterAccessPages(site, svr);
  RegisterSessionPages(site, svr);
}

}  // namespace attest::http
