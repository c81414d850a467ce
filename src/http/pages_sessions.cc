// Sessions in the browser (doc/sessions.md): a person's clips and sessions (/sessions), the
// composer (/sessions/ID: drag clips and cards into order; every change also works as a form
// without the script), the full-screen player (/sessions/ID/play) and the printable programme
// (/sessions/ID/programme). A clip is made from a record's page (POST /records/ID/clip). The
// rules are service/clips.h's and service/sessions.h's; every form carries the session's token.
#include <algorithm>
#include <string>
#include <vector>

#include "http/numbers.h"
#include "http/pages_common.h"
#include "http/routes.h"
#include "ingest/transcripts.h"
#include "service/cite.h"
#include "service/clips.h"
#include "service/sessions.h"

namespace attest::http {
namespace {

using httplib::Request;
using httplib::Response;

std::vector<std::string> Split(const std::string& csv) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < csv.size()) {
    size_t comma = csv.find(',', start);
    if (comma == std::string::npos) comma = csv.size();
    if (comma > start) out.push_back(csv.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

bool IsRtl(const std::string& lang) {
  std::string primary = lang.substr(0, lang.find('-'));
  return primary == "he" || primary == "ar" || primary == "yi" || primary == "fa";
}

// Opens the page; for a change, with the form's token. Anonymous callers of a page that needs
// an account are sent to log in (GET) or refused.
bool BeginSessions(Site* site, const Request& req, Response& res, const PageContext& pc, Call* c,
                   bool needs_account) {
  if (!BeginPage(site, req, res, pc, c, FormField(req, "csrf"))) return false;
  if (!needs_account || (!c->scope().actor.empty() && c->subject.witness_id.empty())) return true;
  if (req.method == "GET") {
    res.set_redirect("/login?back=" + Url(req.path), 303);
  } else {
    pc.Error(res, c->archive(), 401);
  }
  return false;
}

std::string Length(int64_t ms) { return service::FormatClock(ms); }

// A clip as the pages show it: its words, citation and where it plays from; a gap, labelled.
Json ClipView(const service::ClipView& v, const PageContext& pc) {
  if (v.gap != service::ClipGap::kNone) {
    return {{"id", v.clip.id},
            {"gap", pc.t()["clip_gap_" + std::string(service::ClipGapName(v.gap))]}};
  }
  const meta::Clip& c = v.clip;
  Json lines = Json::array();
  for (const auto& l : v.lines) {
    lines.push_back({{"text", l.text},
                     {"lang", l.lang},
                     {"dir", IsRtl(l.lang) ? "rtl" : "ltr"},
                     {"start_ms", l.start_ms},
                     {"end_ms", l.end_ms}});
  }
  Json tracks = Json::array();
  for (const auto& t : v.tracks) {
    Json tl = Json::array();
    for (const auto& l : t.lines) {
      tl.push_back({{"text", l.text}, {"start_ms", l.start_ms}, {"end_ms", l.end_ms}});
    }
    std::string label = t.machine ? pc.t()["sub_machine"].get<std::string>()
                                  : pc.t()["sub_translated_by"].get<std::string>() + " " + t.by;
    tracks.push_back({{"lang", t.lang},
                      {"lang_name", pc.LangName(t.lang)},
                      {"dir", IsRtl(t.lang) ? "rtl" : "ltr"},
                      {"machine", t.machine},
                      {"label", label},
                      {"lines", tl}});
  }
  Json j = {{"id", c.id},
            {"gap", false},
            {"tracks", tracks},
            {"title", c.title.empty() ? Json(false) : Json(c.title)},
            {"note", c.note.empty() ? Json(false) : Json(c.note)},
            {"record", c.record_id},
            {"witness", v.witness},
            {"lang", v.lang},
            {"dir", IsRtl(v.lang) ? "rtl" : "ltr"},
            {"lines", lines},
            {"first_line", v.lines.empty() ? std::string() : v.lines.front().text},
            {"citation", v.citation},
            {"play", v.play},
            {"length", Length(v.clip.start_ms >= 0 ? v.Length() : 0)},
            {"span", c.start_ms >= 0 ? Length(c.start_ms) + " \u2013 " + Length(c.end_ms)
                                     : pc.t()["clip_characters"].get<std::string>() + " " +
                                           std::to_string(c.char_start) + " \u2013 " +
                                           std::to_string(c.char_end)},
            {"start_ms", c.start_ms},
            {"end_ms", c.end_ms},
            {"public", v.is_public},
            {"length_ms", service::ClipPlayMs(v)}};
  if (!v.media_url.empty()) {
    j["media"] = {{"url", v.media_url}, {"video", v.media_kind == "video"}};
  } else {
    j["media"] = false;
  }
  return j;
}

// The items of a session as the pages show them, with their running start.
Json ItemsView(const service::SessionView& s, const PageContext& pc) {
  Json items = Json::array();
  int64_t at = 0;
  for (size_t i = 0; i < s.items.size(); ++i) {
    const auto& iv = s.items[i];
    Json j = {{"n", i + 1},
              {"pos", i + 1},
              {"kind", iv.item.kind},
              {"kind_name", pc.t()["session_kind_" + iv.item.kind]},
              {"at", Length(at)},
              {"length", Length(iv.length_ms)},
              {"length_ms", iv.length_ms},
              {"text", iv.item.text.empty() ? Json(false) : Json(iv.item.text)},
              {"seconds", iv.item.kind == "silence" ? Json(iv.item.seconds) : Json(false)},
              {"clip_id", iv.item.clip},
              {"first", i == 0},
              {"last", i + 1 == s.items.size()},
              {"is_title", iv.item.kind == "title"},
              {"is_reading", iv.item.kind == "reading"},
              {"is_silence", iv.item.kind == "silence"}};
    j["clip"] = iv.clip ? ClipView(*iv.clip, pc) : Json(false);
    items.push_back(std::move(j));
    at += iv.length_ms;
  }
  return items;
}

Json SessionHead(const service::SessionView& s, const PageContext& pc) {
  const meta::ClipSession& m = s.session;
  std::string audience = m.audience;
  if (audience.rfind("school:", 0) == 0) {
    audience = pc.t()["session_audience_school"].get<std::string>() + " " + audience.substr(7);
  } else {
    audience = pc.t()["session_audience_" + audience].get<std::string>();
  }
  return {{"id", m.id},
          {"title", m.title},
          {"audience", audience},
          {"audience_value", m.audience},
          {"target", m.target_s > 0 ? Json(Length(m.target_s * 1000)) : Json(false)},
          {"target_value", m.target_s > 0 ? Json(Length(m.target_s * 1000)) : Json("")},
          {"target_s", m.target_s},
          {"languages", m.languages},
          {"shared", m.shared},
          {"shared_name", pc.t()["session_shared_" + m.shared]},
          {"revision", m.revision},
          {"length", Length(s.length_ms)},
          {"length_ms", s.length_ms},
          {"witnesses", s.witnesses.size()},
          {"mine", s.mine}};
}

// The list page: the caller's clips and sessions, those shared with them, and a new session's
// form; `error`: why the last form was refused.
void SendList(Site* site, const Request& req, Response& res, const PageContext& pc, const Call& c,
              const std::string& error, int status) {
  auto clips = service::ListClips(c.scope());
  auto sessions = service::ListSessions(c.scope());
  if (!clips.ok() || !sessions.ok()) return pc.Error(res, c.archive(), 500);
  Json v = pc.Base(c.archive(), pc.t()["sessions_title"], "sessions");
  v["csrf"] = c.subject.csrf;
  v["error"] = error.empty() ? Json(false) : Json(error);
  Json cl = Json::array();
  for (const auto& clip : *clips) cl.push_back(ClipView(clip, pc));
  v["clips"] = cl;
  v["no_clips"] = cl.empty();
  Json mine = Json::array(), shared = Json::array();
  for (const auto& s : *sessions) {
    Json row = {{"id", s.id}, {"title", s.title}, {"shared_name", pc.t()["session_shared_" + s.shared]},
                {"updated", s.updated.substr(0, 10)}};
    (s.owner == c.scope().actor ? mine : shared).push_back(std::move(row));
  }
  v["mine"] = mine;
  v["has_shared"] = !shared.empty();
  v["shared"] = shared;
  v["no_sessions"] = mine.empty();
  res.set_header("Cache-Control", "no-store");
  pc.Send(res, "sessions", v, status);
}

void ListPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginSessions(site, req, res, pc, &c, true)) return;
  SendList(site, req, res, pc, c, "", 200);
}

std::string Refusal(const PageContext& pc, const Status& st) {
  return pc.t()["session_refused"].get<std::string>() + " " + st.message();
}

// The settings fields of a form into a draft.
Status SettingsInto(const Request& req, service::SessionDraft* d) {
  d->title = FormField(req, "title");
  d->audience = FormField(req, "audience");
  if (d->audience == "school") {
    if (FormField(req, "ages").empty()) {
      return Status::InvalidArgument("give the ages of the school's pupils, e.g. 14-16");
    }
    d->audience = "school:" + FormField(req, "ages");
  }
  d->languages = FormField(req, "languages");
  if (!FormField(req, "shared").empty()) d->shared = FormField(req, "shared");
  const std::string target = FormField(req, "target");
  d->target_s = 0;
  if (!target.empty()) {
    int64_t ms = ingest::ParseClockText(target);
    if (ms < 0) return Status::InvalidArgument("the target length '" + target.substr(0, 20) +
                                               "' is not a length such as 20:00");
    d->target_s = ms / 1000;
  }
  return Status::Ok();
}

// POST /sessions: a new session from the list page's form.
void PostNew(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginSessions(site, req, res, pc, &c, true)) return;
  service::SessionDraft d;
  Status st = SettingsInto(req, &d);
  Result<service::SessionView> made = st.ok() ? service::SaveSession(c.scope(), d)
                                              : Result<service::SessionView>(st);
  if (!made.ok()) return SendList(site, req, res, pc, c, Refusal(pc, made.status()),
                                  HttpStatusFor(made.status()));
  res.set_redirect("/sessions/" + made->session.id, 303);
}

// Suggestions for the composer's ?theme= (and length, place, date): each with its Accept form.
Status AddProposals(const Call& c, const Request& req, const PageContext& pc, Json* v) {
  const std::string theme = FormField(req, "theme").substr(0, 500);
  const std::string place = FormField(req, "place").substr(0, 200);
  (*v)["theme"] = theme;
  (*v)["suggest_place"] = place;
  (*v)["suggest_date"] = FormField(req, "date").substr(0, 40);
  (*v)["suggest_length"] = FormField(req, "length").empty() ? std::string("10:00")
                                                            : FormField(req, "length").substr(0, 9);
  if (theme.empty() && place.empty()) return Status::Ok();
  service::SuggestRequest r;
  r.theme = theme;
  r.place = place;
  r.date = FormField(req, "date").substr(0, 40);
  r.lang.clear();  // the theme's language is found from its letters, not the page's
  int64_t ms = ingest::ParseClockText((*v)["suggest_length"].get<std::string>());
  if (ms < 1000) return Status::InvalidArgument("the length must be a time such as 10:00");
  r.length_s = ms / 1000;
  ASSIGN_OR_RETURN(service::Suggestions s, service::Suggest(c.scope(), r));
  Json proposals = Json::array();
  for (const auto& p : s.proposals) {
    proposals.push_back({{"record", p.ask.record_id},
                         {"version", p.ask.version.value_or(0)},
                         {"start_ms", p.ask.start_ms},
                         {"end_ms", p.ask.end_ms},
                         {"char_start", p.ask.char_start},
                         {"char_end", p.ask.char_end},
                         {"title", p.ask.title},
                         {"witness", p.witness},
                         {"lang", p.lang},
                         {"dir", IsRtl(p.lang) ? "rtl" : "ltr"},
                         {"text", p.text},
                         {"citation", p.citation},
                         {"length", Length(p.length_ms)}});
  }
  (*v)["proposals"] = proposals;
  (*v)["suggested"] = true;
  (*v)["suggested_length"] = Length(s.length_ms);
  (*v)["suggested_witnesses"] = s.witnesses;
  return Status::Ok();
}

// The composer (the maker's) or the session's page (anyone it is shared with).
void SendComposer(Site* site, const Request& req, Response& res, const PageContext& pc,
                  const Call& c, const std::string& id, const std::string& error, int status) {
  auto s = service::ReadSession(c.scope(), id);
  if (!s.ok()) return pc.Error(res, c.archive(), HttpStatusFor(s.status()));
  Json v = pc.Base(c.archive(), s->session.title, "sessions");
  v["csrf"] = c.subject.csrf;
  v["error"] = error.empty() ? Json(false) : Json(error);
  v["session"] = SessionHead(*s, pc);
  v["items"] = ItemsView(*s, pc);
  v["empty"] = s->items.empty();
  v["mine"] = s->mine;
  if (s->mine) {
    auto clips = service::ListClips(c.scope());
    if (!clips.ok()) return pc.Error(res, c.archive(), 500);
    Json palette = Json::array();
    for (const auto& clip : *clips) {
      if (clip.gap == service::ClipGap::kNone) palette.push_back(ClipView(clip, pc));
    }
    v["palette"] = palette;
    v["no_palette"] = palette.empty();
    Json shares = Json::array();
    for (const char* share : {"private", "researcher", "archivist", "public"}) {
      shares.push_back({{"value", share},
                        {"name", pc.t()["session_shared_" + std::string(share)]},
                        {"selected", s->session.shared == share}});
    }
    v["shares"] = shares;
    Json audiences = Json::array();
    std::string aud = s->session.audience;
    for (const char* a : {"public", "community", "school"}) {
      bool selected = aud == a || (std::string(a) == "school" && aud.rfind("school:", 0) == 0);
      audiences.push_back({{"value", a},
                           {"name", pc.t()["session_audience_" + std::string(a)]},
                           {"selected", selected}});
    }
    v["audiences"] = audiences;
    v["ages"] = aud.rfind("school:", 0) == 0 ? aud.substr(7) : "";
    if (Status st = AddProposals(c, req, pc, &v); !st.ok()) {
      v["error"] = Refusal(pc, st);
    }
  }
  res.set_header("Cache-Control", "no-store");
  pc.Send(res, "session", v, status);
}

void ComposerPage(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginSessions(site, req, res, pc, &c, false)) return;
  SendComposer(site, req, res, pc, c, req.matches[1], "", 200);
}

// The change a composer's form asks for (op: add, up, down, drop, settings) on draft `d`.
Status ApplyOp(const Request& req, service::SessionDraft* d) {
  const std::string op = FormField(req, "op");
  auto& items = d->items;
  const size_t pos = static_cast<size_t>(ParseDigits(FormField(req, "pos"), 4).value_or(0));
  if (op == "settings") return SettingsInto(req, d);
  if (op == "add") {
    service::SessionItem item;
    item.kind = FormField(req, "kind");
    item.clip = FormField(req, "clip");
    item.text = FormField(req, "text");
    item.seconds = static_cast<int64_t>(ParseDigits(FormField(req, "seconds"), 6).value_or(0));
    items.push_back(std::move(item));
    return Status::Ok();
  }
  if (pos < 1 || pos > items.size()) {
    return Status::InvalidArgument("the session has no item " + FormField(req, "pos").substr(0, 8));
  }
  if (op == "drop") {
    items.erase(items.begin() + static_cast<std::ptrdiff_t>(pos - 1));
  } else if (op == "up" && pos > 1) {
    std::swap(items[pos - 1], items[pos - 2]);
  } else if (op == "down" && pos < items.size()) {
    std::swap(items[pos - 1], items[pos]);
  } else if (op != "up" && op != "down") {
    return Status::InvalidArgument("unknown change '" + op.substr(0, 20) + "'");
  }
  return Status::Ok();
}

// POST /sessions/ID/edit: one change from a form, at the revision the page showed.
void PostEdit(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginSessions(site, req, res, pc, &c, true)) return;
  const std::string id = req.matches[1];
  auto now = service::ReadSession(c.scope(), id);
  if (!now.ok() || !now->mine) return pc.Error(res, c.archive(), 404);
  service::SessionDraft d = service::DraftOf(now->session);
  d.revision = static_cast<int64_t>(ParseDigits(FormField(req, "revision"), 9).value_or(0));
  Status st = Status::Ok();
  if (FormField(req, "op") == "accept") {
    // A suggestion accepted: its clip made (as the composer may read it), then added.
    service::ClipAsk ask;
    ask.record_id = FormField(req, "record");
    ask.version = static_cast<int>(ParseDigits(FormField(req, "version"), 9).value_or(0));
    auto number = [&](const char* name) {
      std::string f = FormField(req, name);
      return f.empty() || f == "-1" ? int64_t{-1}
                                    : static_cast<int64_t>(ParseDigits(f, 12).value_or(0));
    };
    ask.start_ms = number("start_ms");
    ask.end_ms = number("end_ms");
    ask.char_start = number("char_start");
    ask.char_end = number("char_end");
    ask.title = FormField(req, "title");
    auto clip = service::MakeClip(c.scope(), ask);
    if (clip.ok()) {
      d.items.push_back({"clip", clip->clip.id, "", 0});
    } else {
      st = clip.status();
    }
  } else {
    st = ApplyOp(req, &d);
  }
  Result<service::SessionView> saved =
      st.ok() ? service::SaveSession(c.scope(), d) : Result<service::SessionView>(st);
  if (!saved.ok()) {
    return SendComposer(site, req, res, pc, c, id, Refusal(pc, saved.status()),
                        HttpStatusFor(saved.status()));
  }
  res.set_redirect("/sessions/" + id + "#items-h", 303);
}

// The player (`play`) or the programme (`programme`): the session as its reader may see it.
void SendShow(Site* site, const Request& req, Response& res, const char* what) {
  PageContext pc(site, req);
  Call c;
  if (!BeginSessions(site, req, res, pc, &c, false)) return;
  auto s = service::ReadSession(c.scope(), req.matches[1]);
  if (!s.ok()) return pc.Error(res, c.archive(), HttpStatusFor(s.status()));
  Json v = pc.Base(c.archive(), s->session.title, "sessions");
  v["session"] = SessionHead(*s, pc);
  v["items"] = ItemsView(*s, pc);
  v["empty"] = s->items.empty();
  v["printed"] = FormatRfc3339(site->env->NowMicros()).substr(0, 10);
  // The subtitle languages the session's clips offer; ?sub= (or the session's first language
  // that has a track) chooses, else the witnesses' own words.
  std::vector<std::string> langs;
  for (const auto& iv : s->items) {
    if (!iv.clip) continue;
    for (const auto& t : iv.clip->tracks) {
      if (std::find(langs.begin(), langs.end(), t.lang) == langs.end()) langs.push_back(t.lang);
    }
  }
  std::string sub = FormField(req, "sub").substr(0, 8);
  if (sub.empty()) {
    for (const auto& l : Split(s->session.languages)) {
      if (sub.empty() && std::find(langs.begin(), langs.end(), l) != langs.end()) sub = l;
    }
  }
  Json subs = Json::array();
  subs.push_back({{"value", ""}, {"name", pc.t()["sub_original"]}, {"selected", sub.empty()}});
  for (const auto& l : langs) {
    subs.push_back({{"value", l}, {"name", pc.LangName(l)}, {"selected", sub == l}});
  }
  v["subs"] = subs;
  v["sub"] = sub;
  res.set_header("Cache-Control", "no-store");
  pc.Send(res, what, v);
}

void PlayPage(Site* site, const Request& req, Response& res) { SendShow(site, req, res, "play"); }
void ProgrammePage(Site* site, const Request& req, Response& res) {
  SendShow(site, req, res, "programme");
}

// POST /records/ID/clip: a clip from the record page's form (times or characters).
void PostClip(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginSessions(site, req, res, pc, &c, true)) return;
  service::ClipAsk ask;
  ask.record_id = req.matches[1];
  if (auto v = ParseDigits(FormField(req, "version"), 9); v && *v > 0) {
    ask.version = static_cast<int>(*v);
  }
  Status st = Status::Ok();
  if (!FormField(req, "from").empty() || !FormField(req, "to").empty()) {
    ask.start_ms = ingest::ParseClockText(FormField(req, "from"));
    ask.end_ms = ingest::ParseClockText(FormField(req, "to"));
    if (ask.start_ms < 0) {
      st = Status::InvalidArgument("the start '" + FormField(req, "from").substr(0, 20) +
                                   "' is not a time such as 12:04 or 12:04.5");
    } else if (ask.end_ms < 0) {
      st = Status::InvalidArgument("the end '" + FormField(req, "to").substr(0, 20) +
                                   "' is not a time such as 13:10 or 13:10.5");
    }
  } else {
    auto a = ParseDigits(FormField(req, "char_from"), 12), b = ParseDigits(FormField(req, "char_to"), 12);
    if (!a || !b) st = Status::InvalidArgument("give the first and the last character");
    ask.char_start = static_cast<int64_t>(a.value_or(0));
    ask.char_end = static_cast<int64_t>(b.value_or(0));
  }
  ask.title = FormField(req, "title");
  ask.note = FormField(req, "note");
  Result<service::ClipView> made = st.ok() ? service::MakeClip(c.scope(), ask)
                                           : Result<service::ClipView>(st);
  if (!made.ok()) {
    Json said = {{"clip_error", Refusal(pc, made.status())}};
    return SendRecordPage(site, req, res, pc, c, ask.record_id, said,
                          HttpStatusFor(made.status()));
  }
  res.set_redirect("/sessions#clips-h", 303);
}

// POST /sessions/clips/ID/delete.
void PostDeleteClip(Site* site, const Request& req, Response& res) {
  PageContext pc(site, req);
  Call c;
  if (!BeginSessions(site, req, res, pc, &c, true)) return;
  Status st = service::DeleteClip(c.scope(), req.matches[1]);
  if (!st.ok()) return SendList(site, req, res, pc, c, Refusal(pc, st), HttpStatusFor(st));
  res.set_redirect("/sessions#clips-h", 303);
}

}  // namespace

void RegisterSessionPages(Site* site, httplib::Server* svr) {
  constexpr const char* kSession = R"(/sessions/(s[a-z2-7]{12}))";
  svr->Get("/sessions", Bind(site, ListPage));
  svr->Post("/sessions", Bind(site, PostNew));
  svr->Get(kSession, Bind(site, ComposerPage));
  svr->Post(std::string(kSession) + "/edit", Bind(site, PostEdit));
  svr->Get(std::string(kSession) + "/play", Bind(site, PlayPage));
  svr->Get(std::string(kSession) + "/programme", Bind(site, ProgrammePage));
  svr->Post(R"(/sessions/clips/(c[a-z2-7]{12})/delete)", Bind(site, PostDeleteClip));
  svr->Post(R"(/records/([a-z0-9]{1,64})/clip)", Bind(site, PostClip));
}

}  // namespace attest::http
