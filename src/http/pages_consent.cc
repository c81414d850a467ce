// The changes an archivist makes on a record's page (doc/workspace.md, "Consent, seals,
// redaction and withdrawal"): the record's consent level or one passage's, a seal with its
// opening day, a redaction of words in a passage, a withdrawal. Each form carries the session's
// token, asks for the reason and for a confirmation, and makes the same change as the API and
// the command line (service/writes.h): checked, logged, audited and in effect everywhere at
// once. What is refused is said on the record's page, in the page's language, with the form as
// it was sent.
#include <string>

#include "http/pages_common.h"
#include "http/routes.h"
#include "service/accounts.h"
#include "service/record_view.h"
#include "service/writes.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

// The form's fields kept for the page shown again.
constexpr const char* kKept[] = {"consent", "segment", "until", "then", "reason", "words"};

// Opens the page's archive and caller, with the form's token; only archivists and admins go on.
// False when answered.
bool BeginChange(Site* site, const Request& req, Response& res, const PageContext& pc, Call* c) {
  if (!BeginPage(site, req, res, pc, c, Param(req, "csrf"))) return false;
  if (service::MayWrite(c->scope())) return true;
  if (c->subject.role == access::Role::kAnonymous) {
    pc.Error(res, c->archive(), 401);
  } else {
    pc.Error(res, c->archive(), 403, "forbidden_staff");
  }
  return false;
}

// The record's page again, saying why the change was not made (`why`: the archive's words,
// after the page's own), with the form as it was sent.
void Refuse(Site* site, const Request& req, Response& res, const PageContext& pc, const Call& c,
            const std::string& why, int status = 400) {
  Json said = Json::object();
  for (const char* name : kKept) said[name] = Param(req, name);
  said["error"] = pc.t()["change_refused"].get<std::string>() + " " + why;
  SendRecordPage(site, req, res, pc, c, req.matches[1], said, status);
}

// Whether the form gives a reason and was confirmed (its checkbox); if not, says so on the
// page. False when answered.
bool Confirmed(Site* site, const Request& req, Response& res, const PageContext& pc,
               const Call& c) {
  if (Param(req, "reason").empty()) {
    Refuse(site, req, res, pc, c, pc.t()["change_no_reason"]);
    return false;
  }
  if (Param(req, "confirm") == "yes") return true;
  Refuse(site, req, res, pc, c, pc.t()["change_unconfirmed"]);
  return false;
}

// The archive's answer to a change as the page's status: a record not there (or no longer
// readable) is the 404 page; anything else is said on the record's page.
void Answer(Site* site, const Request& req, Response& res, const PageContext& pc, const Call& c,
            const Status& st) {
  if (st.IsNotFound() && st.message() == service::kNoSuchRecord) {
    return pc.Error(res, c.archive(), 404);
  }
  Refuse(site, req, res, pc, c, st.message(), HttpStatusFor(st));
}

// A passage of the record named by its ref in the form ("" for none); kNotFound if it is not
// one of the record's passages as the caller reads them.
Result<int64_t> PassageOf(const Call& c, const std::string& record, const std::string& ref) {
  if (ref.empty()) return int64_t{0};
  auto id = c.archive()->SegmentOfRef(ref);
  if (!id) return Status::NotFound("the passage '" + ref.substr(0, 40) + "' is not one of this record's");
  ASSIGN_OR_RETURN(auto found, c.archive()->records().Segment(*id));
  if (!found || found->segment.record_id != record) {
    return Status::NotFound("the passage '" + ref.substr(0, 40) + "' is not one of this record's");
  }
  return *id;
}

// POST /records/ID/consent: csrf, consent, segment (a passage, or none for the record), until
// and then (a seal), reason, confirm.
void PostConsent(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginChange(site, req, res, pc, &c)) return;
  const std::string id = req.matches[1];
  if (!Confirmed(site, req, res, pc, c)) return;
  auto to = meta::ParseConsent(Param(req, "consent"));
  if (!to.ok()) return Refuse(site, req, res, pc, c, pc.t()["change_bad_level"]);
  std::optional<archive::Consents::Seal> seal;
  if (*to == meta::Consent::kSealed) {
    auto then = meta::ParseConsent(Param(req, "then"));
    if (!then.ok()) return Refuse(site, req, res, pc, c, pc.t()["change_bad_level"]);
    seal = archive::Consents::Seal{Param(req, "until"), *then};
  }
  auto segment = PassageOf(c, id, Param(req, "segment"));
  if (!segment.ok()) return Answer(site, req, res, pc, c, segment.status());
  auto changed = service::ChangeConsent(c.scope(), id, *to, Param(req, "reason"),
                                        seal ? &*seal : nullptr, *segment);
  if (!changed.ok()) return Answer(site, req, res, pc, c, changed.status());
  // Sealed, the record is read by nobody until its day: the archive's home page instead.
  res.set_redirect(*to == meta::Consent::kSealed && *segment == 0 ? "/"
                                                                   : "/records/" + id + "#change-h",
                   303);
}

// The code-point range of the first `words` in `text`; nullopt if they are not in it.
std::optional<std::pair<int64_t, int64_t>> FindWords(const std::string& text,
                                                     const std::string& words) {
  size_t at = words.empty() ? std::string::npos : text.find(words);
  if (at == std::string::npos) return std::nullopt;
  auto points = [&](size_t from, size_t to) {
    int64_t n = 0;
    for (size_t i = from; i < to; ++i) n += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    return n;
  };
  int64_t start = points(0, at);
  return std::make_pair(start, start + points(at, at + words.size()));
}

// POST /records/ID/redactions: csrf, segment, words (as they stand in the passage), reason,
// confirm. The first place the words stand in the passage is hidden (in a recording, the
// passage's time too: the archive's rule).
void PostRedaction(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginChange(site, req, res, pc, &c)) return;
  const std::string id = req.matches[1];
  if (!Confirmed(site, req, res, pc, c)) return;
  auto segment = PassageOf(c, id, Param(req, "segment"));
  if (!segment.ok()) return Answer(site, req, res, pc, c, segment.status());
  if (*segment == 0) return Refuse(site, req, res, pc, c, pc.t()["change_no_passage"]);
  auto view = service::ReadRecordView(c.scope(), id);
  if (!view.ok()) return Answer(site, req, res, pc, c, view.status());
  const meta::SegmentState* passage = nullptr;
  for (const auto& s : view->segments) {
    if (s.segment.id == *segment) passage = &s;
  }
  if (!passage) return Refuse(site, req, res, pc, c, pc.t()["change_no_passage"]);
  auto span = FindWords(passage->segment.text, Param(req, "words"));
  if (!span) return Refuse(site, req, res, pc, c, pc.t()["change_words_not_found"]);
  auto done = service::Redact(c.scope(), id, *segment, span, std::nullopt, Param(req, "reason"));
  if (!done.ok()) return Answer(site, req, res, pc, c, done.status());
  res.set_redirect("/records/" + id + "#change-h", 303);
}

// POST /records/ID/withdraw: csrf, reason, confirm. The record is gone for everyone at once; the
// archive's home page follows.
void PostWithdraw(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginChange(site, req, res, pc, &c)) return;
  const std::string id = req.matches[1];
  if (!Confirmed(site, req, res, pc, c)) return;
  auto done = service::Withdraw(c.scope(), id, Param(req, "reason"));
  if (!done.ok()) return Answer(site, req, res, pc, c, done.status());
  res.set_redirect("/", 303);
}

}  // namespace

void RegisterChangePages(Site* site, httplib::Server* svr) {
  svr->Post(R"(/records/([a-z0-9]{1,64})/consent)", Bind(site, PostConsent));
  svr->Post(R"(/records/([a-z0-9]{1,64})/redactions)", Bind(site, PostRedaction));
  svr->Post(R"(/records/([a-z0-9]{1,64})/withdraw)", Bind(site, PostWithdraw));
}

}  // namespace attest::http
