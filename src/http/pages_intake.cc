// Intake (doc/workspace.md): archivists add testimonies from the browser. Without script the
// form sends its files in one request; with script (web/static/attest.js) each file goes first
// in checksummed pieces through the resumable uploads of the API (doc/api.md, "Resumable
// uploads"), resumed after a dropped connection, and the form then names the uploads. Either
// way the files are added as `attest add` adds them; a file that is empty or of a kind attest
// cannot read is refused, in the page's language, and nothing is stored.
#include <string>
#include <vector>

#include "http/add_form.h"
#include "http/pages_common.h"
#include "http/routes.h"
#include "ingest/sniff.h"
#include "service/accounts.h"
#include "service/listing.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

constexpr const char* kLevels[] = {"restricted", "research", "public"};
constexpr const char* kLangs[] = {"he", "ar", "en", "fr", "und"};

// The form, with `form`'s values kept and `error` (in the page's language) above it.
void SendIntakeForm(Site* site, Response& res, const PageContext& pc, const Call& c,
                    const AddForm* form, const std::string& error, int status) {
  Json v = pc.Base(c.archive(), pc.t()["intake_title"], "intake");
  v["csrf"] = c.subject.csrf;
  auto field = [&](const char* name) -> std::string {
    if (!form) return "";
    auto it = form->fields.find(name);
    return it == form->fields.end() ? "" : it->second;
  };
  for (const char* name : {"witness", "collection", "date", "witness_name", "witness_community",
                           "witness_languages"}) {
    v[name] = field(name);
  }
  v["record_title_value"] = field("title");  // `title` is the page's own (layout.mustache)
  v["place"] = form && !form->places.empty() ? form->places[0] : "";
  std::string consent = field("consent").empty() ? "restricted" : field("consent");
  Json levels = Json::array();
  for (const char* level : kLevels) {
    levels.push_back({{"value", level},
                      {"name", pc.t()["level_" + std::string(level)]},
                      {"selected", consent == level}});
  }
  v["levels"] = levels;
  std::string lang = field("lang").empty() ? "und" : field("lang");
  Json langs = Json::array();
  for (const char* code : kLangs) {
    langs.push_back({{"value", code},
                     {"name", std::string(code) == "und" ? pc.t()["intake_lang_unknown"].get<std::string>()
                                                        : pc.LangName(code)},
                     {"selected", lang == code}});
  }
  v["langs"] = langs;
  // Names already in use, to pick from (the caller may read every record: an archivist).
  for (auto [by, key] : {std::pair{service::GroupBy::kWitness, "known_witnesses"},
                         std::pair{service::GroupBy::kCollection, "known_collections"}}) {
    Json ids = Json::array();
    auto groups = service::CountGroups(c.scope(), by);
    if (groups.ok()) {
      for (const auto& g : *groups) ids.push_back(g.id);
    }
    v[key] = ids;
  }
  v["error"] = error.empty() ? Json(false) : Json(error);
  pc.Send(res, "intake", v, status);
}

// Only volunteers, archivists and admins take testimonies in; anyone else is sent to log in
// (anonymous) or told they may not. False when answered.
bool MayTakeIn(Response& res, const PageContext& pc, const Call& c) {
  if (service::MayAdd(c.scope())) return true;
  if (c.subject.role == access::Role::kAnonymous) {
    res.set_redirect("/login?back=%2Fintake", 303);
    return false;
  }
  pc.Error(res, c.archive(), 403, "forbidden_intake");
  return false;
}

void GetIntake(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginPage(site, req, res, pc, &c) || !MayTakeIn(res, pc, c)) return;
  res.set_header("Cache-Control", "no-store");
  SendIntakeForm(site, res, pc, c, nullptr, "", 200);
}

// Why a file cannot be taken in, in the page's language ("" if it can): empty, or of a kind
// attest does not read (the sniffer's verdict, as the extract job would give it).
std::string RefusedFile(Env* env, const std::string& path, const PageContext& pc) {
  auto f = env->NewSequentialFile(path);
  if (!f.ok()) return pc.t()["intake_error_other"];
  char head[4096];
  auto n = (*f)->Read(sizeof(head), head);
  auto info = env->Stat(path);
  if (!n.ok() || !info.ok()) return pc.t()["intake_error_other"];
  std::string name = path.substr(path.rfind('/') + 1);
  ingest::Sniffed s = ingest::Sniff(std::string_view(head, *n), name, info->size);
  std::string shown = " (" + name + ")";
  if (s.kind == ingest::FileKind::kEmpty) return pc.t()["intake_error_empty"].get<std::string>() + shown;
  if (s.kind == ingest::FileKind::kUnknown) {
    return pc.t()["intake_error_kind"].get<std::string>() + shown;
  }
  return "";
}

// The form sent: its token checked before any file is kept, then the files added, and the
// first new record's page shown; or the form again, saying why not.
void PostIntake(Site* site, const Request& req, Response& res,
                const httplib::ContentReader& reader) {
  PageContext pc(site, req);
  auto lease = site->pool.Acquire();
  if (!lease.ok()) return pc.Error(res, nullptr, 503);
  if (!req.is_multipart_form_data()) return pc.Error(res, lease->get(), 400);
  std::optional<access::Subject> who;
  AddForm form;
  bool read = ReadAddForm(
      site->env, JoinPath(lease->get()->dir(), "blobs/tmp"), reader, &form,
      [&](const std::string& name, const std::string& value) {
        if (name != "csrf") return false;
        auto caller = Caller(site, lease->get(), req, value);
        if (!caller.ok() || caller->user.empty()) return false;
        who = *caller;
        return true;
      });
  if (!read && form.refused == kFormTokenRefused) {
    RemoveStaged(site->env, form.paths);
    return pc.Error(res, lease->get(), 403);
  }
  Call c;
  c.a.emplace(std::move(*lease));
  if (who) c.subject = *who;
  pc.SetAccount(c.subject);
  if (!MayTakeIn(res, pc, c)) {
    RemoveStaged(site->env, form.paths);
    return;
  }
  if (!read) {
    RemoveStaged(site->env, form.paths);
    return SendIntakeForm(site, res, pc, c, &form, pc.t()["intake_error_cut"], 400);
  }
  // The form always sends its one place field; left empty, there is no place.
  std::erase(form.places, "");
  if (!form.fields["title"].empty()) {
    form.fields["meta"] = Json{{"title", form.fields["title"]}}.dump();
  }
  bool refused_file = false;
  auto added = AddFromForm(
      site, c, &form, [&](const std::string& path) { return RefusedFile(site->env, path, pc); },
      &refused_file);
  if (!added.ok()) {
    std::string why = refused_file ? added.status().message()
                                   : pc.t()["intake_error_other"].get<std::string>() + " " +
                                         added.status().message();
    return SendIntakeForm(site, res, pc, c, &form, why, 400);
  }
  res.set_redirect("/records/" + (*added)[0].id, 303);
}

}  // namespace

void RegisterIntakePages(Site* site, httplib::Server* svr) {
  svr->Get("/intake", Bind(site, GetIntake));
  svr->Post("/intake", Bind(site, PostIntake));
}

}  // namespace attest::http
