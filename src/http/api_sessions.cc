// Clips and sessions (doc/api.md "Clips and sessions", doc/sessions.md): making clips, composing
// sessions, and reading both as the caller may see them now.
#include <string>

#include "http/api_common.h"
#include "http/routes.h"
#include "service/clips.h"
#include "service/sessions.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

// 401 for an anonymous caller (clips and sessions are a person's own).
bool RequireAccount(const Call& c, Response& res) {
  if (c.subject.role != access::Role::kAnonymous && c.subject.witness_id.empty()) return true;
  Problem(res, 401, "unauthorized", "Unauthorized",
          "clips and sessions are made with an account or a token");
  res.set_header("WWW-Authenticate", "Bearer");
  return false;
}

// A whole number member of `body`, -1 if absent; false (with a 400) if it is not one.
bool Number(const Json& body, const char* key, int64_t* out, Response& res) {
  *out = -1;
  if (!body.contains(key)) return true;
  if (!body[key].is_number_integer() || body[key].get<int64_t>() < 0) {
    Problem(res, 400, "bad-request", "Bad Request",
            std::string("\"") + key + "\" must be a whole number, 0 or more");
    return false;
  }
  *out = body[key].get<int64_t>();
  return true;
}

// POST /api/v1/clips {"record","version"?,"start_ms","end_ms" | "char_start","char_end",
// "title"?,"note"?}.
void PostClip(Site* site, const Request& req, Response& res, const httplib::ContentReader& reader) {
  Call c;
  if (!Begin(site, req, res, &c) || !RequireAccount(c, res)) return;
  auto body = JsonBody(req, reader, site->options.max_json_body);
  if (!body.ok()) return ProblemFor(res, body.status());
  if (!body->is_object()) return Problem(res, 400, "bad-request", "Bad Request", "the body must be a JSON object");
  service::ClipAsk ask;
  ask.record_id = StringMember(*body, "record");
  int64_t version = -1;
  if (!Number(*body, "version", &version, res) || !Number(*body, "start_ms", &ask.start_ms, res) ||
      !Number(*body, "end_ms", &ask.end_ms, res) ||
      !Number(*body, "char_start", &ask.char_start, res) ||
      !Number(*body, "char_end", &ask.char_end, res)) {
    return;
  }
  if (version > 0) ask.version = static_cast<int>(std::min<int64_t>(version, 1 << 30));
  ask.title = StringMember(*body, "title");
  ask.note = StringMember(*body, "note");
  auto made = service::MakeClip(c.scope(), ask);
  if (!made.ok()) return ProblemFor(res, made.status());
  res.set_header("Location", "/api/v1/clips/" + made->clip.id);
  SendJson(res, service::ClipJson(*made), 201);
}

void ListClips(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c) || !RequireAccount(c, res)) return;
  auto list = service::ListClips(c.scope());
  if (!list.ok()) return ProblemFor(res, list.status());
  Json arr = Json::array();
  for (const auto& v : *list) arr.push_back(service::ClipJson(v));
  SendJson(res, {{"clips", arr}});
}

void GetClip(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  auto v = service::ReadClip(c.scope(), req.matches[1]);
  if (!v.ok()) return ProblemFor(res, v.status());
  SendJson(res, service::ClipJson(*v));
}

void DeleteClip(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c) || !RequireAccount(c, res)) return;
  Status st = service::DeleteClip(c.scope(), req.matches[1]);
  if (!st.ok()) return ProblemFor(res, st);
  res.status = 204;
}

void ListSessions(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  auto list = service::ListSessions(c.scope());
  if (!list.ok()) return ProblemFor(res, list.status());
  Json arr = Json::array();
  for (const auto& s : *list) {
    Json j = service::SessionRowJson(s);
    j["mine"] = !c.scope().actor.empty() && s.owner == c.scope().actor;
    arr.push_back(std::move(j));
  }
  SendJson(res, {{"sessions", arr}});
}

// GET /api/v1/sessions/suggest?theme=&place=&date=&lang=&length_s=: clips proposed for a theme.
void GetSuggestions(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c) || !RequireAccount(c, res)) return;
  service::SuggestRequest r;
  r.theme = req.get_param_value("theme").substr(0, 500);
  r.place = req.get_param_value("place").substr(0, 200);
  r.date = req.get_param_value("date").substr(0, 40);
  r.lang = req.get_param_value("lang").substr(0, 8);
  const std::string length = req.get_param_value("length_s");
  if (!length.empty()) {
    if (length.size() > 6 || length.find_first_not_of("0123456789") != std::string::npos) {
      return Problem(res, 400, "bad-request", "Bad Request", "length_s must be a number of seconds");
    }
    r.length_s = std::stoll(length);
  }
  auto s = service::Suggest(c.scope(), r);
  if (!s.ok()) return ProblemFor(res, s.status());
  SendJson(res, service::SuggestionsJson(*s));
}

void GetSession(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c)) return;
  auto v = service::ReadSession(c.scope(), req.matches[1]);
  if (!v.ok()) return ProblemFor(res, v.status());
  SendJson(res, service::SessionJson(*v));
}

// POST /api/v1/sessions (a new one) and PUT /api/v1/sessions/ID (a revision: "revision" names
// the one it edits): the session's members as SessionJson gives them, items as
// {"kind","clip"|"text"|"seconds"}.
void SaveSession(Site* site, const Request& req, Response& res,
                 const httplib::ContentReader& reader) {
  Call c;
  if (!Begin(site, req, res, &c) || !RequireAccount(c, res)) return;
  auto body = JsonBody(req, reader, site->options.max_json_body);
  if (!body.ok()) return ProblemFor(res, body.status());
  auto draft = service::DraftFromJson(*body);
  if (!draft.ok()) return ProblemFor(res, draft.status());
  const bool create = req.method == "POST";
  if (create) {
    draft->id.clear();
    draft->revision = 0;
  } else {
    draft->id = req.matches[1];
    if (draft->revision < 1) {
      return Problem(res, 400, "bad-request", "Bad Request",
                     "\"revision\" must name the revision this save edits");
    }
  }
  auto saved = service::SaveSession(c.scope(), *draft);
  if (!saved.ok()) return ProblemFor(res, saved.status());
  if (create) res.set_header("Location", "/api/v1/sessions/" + saved->session.id);
  SendJson(res, service::SessionJson(*saved), create ? 201 : 200);
}

void DeleteSession(Site* site, const Request& req, Response& res) {
  Call c;
  if (!Begin(site, req, res, &c) || !RequireAccount(c, res)) return;
  Status st = service::DeleteSession(c.scope(), req.matches[1]);
  if (!st.ok()) return ProblemFor(res, st);
  res.status = 204;
}

}  // namespace

void RegisterSessionRoutes(Site* site, httplib::Server* svr) {
  constexpr const char* kClip = R"(/api/v1/clips/(c[a-z2-7]{12}))";
  constexpr const char* kSession = R"(/api/v1/sessions/(s[a-z2-7]{12}))";
  svr->Post("/api/v1/clips", Bind(site, PostClip));
  svr->Get("/api/v1/clips", Bind(site, ListClips));
  svr->Get(kClip, Bind(site, GetClip));
  svr->Delete(kClip, Bind(site, DeleteClip));
  svr->Get("/api/v1/sessions", Bind(site, ListSessions));
  svr->Get("/api/v1/sessions/suggest", Bind(site, GetSuggestions));
  svr->Post("/api/v1/sessions", Bind(site, SaveSession));
  svr->Get(kSession, Bind(site, GetSession));
  svr->Put(kSession, Bind(site, SaveSession));
  svr->Delete(kSession, Bind(site, DeleteSession));
}

}  // namespace attest::http
