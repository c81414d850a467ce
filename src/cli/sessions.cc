#include "cli/sessions.h"

#include <iostream>
#include <memory>
#include <string>

#include "cli/output.h"
#include "ingest/transcripts.h"
#include "service/cite.h"
#include "service/clips.h"
#include "service/sessions.h"

namespace attest::cli {
namespace {

struct ClipArgs {
  std::string verb, id, from, to, chars, title, note;
  int version = 0;
  bool json = false;
};

// "A-B" (code points) as two numbers, or why not.
std::string ParseChars(const std::string& v, int64_t* a, int64_t* b) {
  size_t dash = v.find('-');
  auto number = [](const std::string& x) {
    return !x.empty() && x.size() <= 12 && x.find_first_not_of("0123456789") == std::string::npos;
  };
  if (dash == std::string::npos || !number(v.substr(0, dash)) || !number(v.substr(dash + 1))) {
    return "--chars '" + v + "' is not FROM-TO (code points of the version's text)";
  }
  *a = std::stoll(v.substr(0, dash));
  *b = std::stoll(v.substr(dash + 1));
  return "";
}

void PrintClip(const service::ClipView& v) {
  if (v.gap != service::ClipGap::kNone) {
    std::cout << v.clip.id << "  (" << service::ClipGapName(v.gap) << ")\n";
    return;
  }
  const meta::Clip& c = v.clip;
  std::cout << c.id << "  " << c.record_id << " v" << c.version << "  ";
  if (c.start_ms >= 0) {
    std::cout << service::FormatClock(c.start_ms) << "\u2013" << service::FormatClock(c.end_ms);
  } else {
    std::cout << "characters " << c.char_start << "\u2013" << c.char_end;
  }
  if (!c.title.empty()) std::cout << "  " << Shown(c.title);
  std::cout << "\n  " << Shown(v.citation) << "\n";
  for (const auto& line : v.lines) std::cout << "  | " << Shown(line.text) << "\n";
  if (!c.note.empty()) std::cout << "  note: " << Shown(c.note, TextLayout::kLines) << "\n";
  for (const auto& t : v.tracks) {
    std::cout << "  " << t.lang << " (" << (t.machine ? "machine translation" : "translated by " + Shown(t.by))
              << "):\n";
    for (const auto& line : t.lines) std::cout << "    | " << Shown(line.text) << "\n";
  }
}

int RunClip(Common& c, const ClipArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  service::Scope scope = CliScope(a->get());
  if (o.verb == "add") {
    service::ClipAsk ask;
    ask.record_id = o.id;
    if (o.version > 0) ask.version = o.version;
    if (!o.from.empty() || !o.to.empty()) {
      ask.start_ms = ingest::ParseClockText(o.from);
      ask.end_ms = ingest::ParseClockText(o.to);
      if (ask.start_ms < 0) return Usage("--from '" + o.from + "' is not a time such as 12:04");
      if (ask.end_ms < 0) return Usage("--to '" + o.to + "' is not a time such as 13:10");
    }
    if (!o.chars.empty()) {
      if (auto e = ParseChars(o.chars, &ask.char_start, &ask.char_end); !e.empty()) {
        return Usage(e);
      }
    }
    ask.title = o.title;
    ask.note = o.note;
    auto v = service::MakeClip(scope, ask);
    if (!v.ok()) return UsageOrFail(v.status());
    if (o.json) {
      PrintJson(service::ClipJson(*v));
    } else {
      std::cout << "Made clip ";
      PrintClip(*v);
    }
    return kExitOk;
  }
  if (o.verb == "show") {
    auto v = service::ReadClip(scope, o.id);
    if (!v.ok()) return Fail(v.status());
    o.json ? PrintJson(service::ClipJson(*v)) : PrintClip(*v);
    return kExitOk;
  }
  if (o.verb == "rm") {
    Status st = service::DeleteClip(scope, o.id);
    if (!st.ok()) return Fail(st);
    std::cout << "Deleted clip " << o.id << "\n";
    return kExitOk;
  }
  auto list = service::ListClips(scope);
  if (!list.ok()) return Fail(list.status());
  if (o.json) {
    Json out = Json::array();
    for (const auto& v : *list) out.push_back(service::ClipJson(v));
    PrintJson(out);
  } else {
    for (const auto& v : *list) PrintClip(v);
  }
  return kExitOk;
}

struct SessionArgs {
  std::string verb, id, title, audience = "public", target, languages, share, clip, title_card,
      reading, level, theme, place, date, lang, length = "10:00";
  int64_t silence = 0, at = 0, from = 0, to = 0;
  bool json = false;
};

// "MM:SS", "H:MM:SS" or whole seconds, in seconds; -1 if it is none of them.
int64_t Seconds(const std::string& t) {
  if (!t.empty() && t.size() <= 6 && t.find_first_not_of("0123456789") == std::string::npos) {
    return std::stoll(t);
  }
  int64_t ms = ingest::ParseClockText(t);
  return ms < 0 ? -1 : ms / 1000;
}

void PrintSession(const service::SessionView& v) {
  const meta::ClipSession& s = v.session;
  std::cout << s.id << "  " << Shown(s.title) << "\n  audience " << s.audience << ", shared "
            << s.shared << ", languages " << (s.languages.empty() ? "-" : s.languages)
            << ", revision " << s.revision << "\n  length " << service::FormatClock(v.length_ms);
  if (s.target_s > 0) std::cout << " of " << service::FormatClock(s.target_s * 1000);
  std::cout << ", " << v.witnesses.size() << " witness(es)\n";
  int64_t at = 0;
  for (size_t i = 0; i < v.items.size(); ++i) {
    const auto& iv = v.items[i];
    std::cout << "  " << (i + 1) << ". [" << service::FormatClock(at) << "] ";
    if (iv.clip) {
      std::cout << "clip ";
      PrintClip(*iv.clip);
    } else if (iv.item.kind == "silence") {
      std::cout << "silence, " << iv.item.seconds << " s\n";
    } else {
      std::cout << iv.item.kind << ": " << Shown(iv.item.text) << "\n";
    }
    at += iv.length_ms;
  }
}

// Changes the session's items as the verb asks; "" or why it cannot.
std::string ChangeItems(const SessionArgs& o, service::SessionDraft* d) {
  auto& items = d->items;
  if (o.verb == "add") {
    service::SessionItem item;
    if (o.silence < 0 || o.silence > service::kMaxSilenceS) {
      return "--silence " + std::to_string(o.silence) + ": a silence lasts 1 to 600 seconds";
    }
    int given = !o.clip.empty() + !o.title_card.empty() + !o.reading.empty() + (o.silence > 0);
    if (given != 1) return "give one of --clip, --title-card, --reading, --silence (1 to 600)";
    if (!o.clip.empty()) item = {"clip", o.clip, "", 0};
    if (!o.title_card.empty()) item = {"title", "", o.title_card, 0};
    if (!o.reading.empty()) item = {"reading", "", o.reading, 0};
    if (o.silence > 0) item = {"silence", "", "", o.silence};
    size_t pos = o.at > 0 ? static_cast<size_t>(o.at - 1) : items.size();
    if (pos > items.size()) return "--at " + std::to_string(o.at) + " is past the session's end";
    items.insert(items.begin() + static_cast<std::ptrdiff_t>(pos), item);
  } else if (o.verb == "drop") {
    if (o.at < 1 || static_cast<size_t>(o.at) > items.size()) {
      return "the session has no item " + std::to_string(o.at);
    }
    items.erase(items.begin() + (o.at - 1));
  } else if (o.verb == "move") {
    if (o.from < 1 || o.to < 1 || static_cast<size_t>(o.from) > items.size() ||
        static_cast<size_t>(o.to) > items.size()) {
      return "the session has " + std::to_string(items.size()) + " items";
    }
    auto item = items[o.from - 1];
    items.erase(items.begin() + (o.from - 1));
    items.insert(items.begin() + (o.to - 1), item);
  } else if (o.verb == "share") {
    d->shared = o.level;
  }
  return "";
}

// `attest session suggest`: clips proposed for a theme; with --add SESSION, each made and added.
int RunSuggest(const service::Scope& scope, const SessionArgs& o) {
  service::SuggestRequest r{o.theme, o.place, o.date, o.lang, Seconds(o.length)};
  if (r.length_s < 0) return Usage("--length '" + o.length + "' is not a length such as 10:00");
  auto s = service::Suggest(scope, r);
  if (!s.ok()) return UsageOrFail(s.status());
  if (o.id.empty()) {
    if (o.json) {
      PrintJson(service::SuggestionsJson(*s));
      return kExitOk;
    }
    if (s->proposals.empty()) {
      std::cout << "No passage that may be clipped answers this theme: try other words, or a "
                   "place\n";
      return kExitOk;
    }
    std::cout << s->proposals.size() << " clip(s) of " << s->witnesses << " witness(es), "
              << service::FormatClock(s->length_ms);
    if (s->length_ms < r.length_s * 900) {
      std::cout << ": less than the " << service::FormatClock(r.length_s * 1000)
                << " asked; the passages found are all there is";
    }
    std::cout << "\n";
    for (const auto& p : s->proposals) {
      std::cout << "  " << p.witness << "  " << service::FormatClock(p.length_ms) << "  "
                << Shown(p.citation) << "\n  | " << Shown(p.text) << "\n";
    }
    return kExitOk;
  }
  auto now = service::ReadSession(scope, o.id);
  if (!now.ok()) return Fail(now.status());
  if (!now->mine) return Fail(Status::NotFound(service::kNoSuchSession));
  service::SessionDraft d = service::DraftOf(now->session);
  for (const auto& p : s->proposals) {
    auto clip = service::MakeClip(scope, p.ask);
    if (!clip.ok()) return UsageOrFail(clip.status());
    d.items.push_back({"clip", clip->clip.id, "", 0});
  }
  auto v = service::SaveSession(scope, d);
  if (!v.ok()) return UsageOrFail(v.status());
  o.json ? PrintJson(service::SessionJson(*v)) : PrintSession(*v);
  return kExitOk;
}

int RunSession(Common& c, const SessionArgs& o) {
  auto a = c.Open();
  if (!a.ok()) return Fail(a.status());
  service::Scope scope = CliScope(a->get());
  if (o.verb == "suggest") return RunSuggest(scope, o);
  if (o.verb == "list") {
    auto list = service::ListSessions(scope);
    if (!list.ok()) return Fail(list.status());
    Json out = Json::array();
    for (const auto& s : *list) {
      if (o.json) {
        out.push_back(service::SessionRowJson(s));
      } else {
        std::cout << s.id << "  " << s.shared << "  " << Shown(s.title) << "\n";
      }
    }
    if (o.json) PrintJson(out);
    return kExitOk;
  }
  if (o.verb == "rm") {
    Status st = service::DeleteSession(scope, o.id);
    if (!st.ok()) return Fail(st);
    std::cout << "Deleted session " << o.id << "\n";
    return kExitOk;
  }
  Result<service::SessionView> v = Status::NotFound(service::kNoSuchSession);
  if (o.verb == "new") {
    service::SessionDraft d;
    d.title = o.title;
    d.audience = o.audience;
    d.languages = o.languages;
    d.shared = o.share.empty() ? "private" : o.share;
    if (!o.target.empty()) {
      d.target_s = Seconds(o.target);
      if (d.target_s < 0) return Usage("--target '" + o.target + "' is not a length such as 20:00");
    }
    v = service::SaveSession(scope, d);
  } else if (o.verb == "show") {
    v = service::ReadSession(scope, o.id);
  } else {
    auto now = service::ReadSession(scope, o.id);
    if (!now.ok()) return Fail(now.status());
    if (!now->mine) return Fail(Status::NotFound(service::kNoSuchSession));
    service::SessionDraft d = service::DraftOf(now->session);
    if (auto e = ChangeItems(o, &d); !e.empty()) return Usage(e);
    v = service::SaveSession(scope, d);
  }
  if (!v.ok()) return UsageOrFail(v.status());
  o.json ? PrintJson(service::SessionJson(*v)) : PrintSession(*v);
  return kExitOk;
}

}  // namespace

void AddClip(CLI::App& app, Common& c) {
  auto* clip = app.add_subcommand(
      "clip", "Make, show, list and delete clips: spans of a record's words (doc/sessions.md)");
  clip->require_subcommand(1);
  auto o = std::make_shared<ClipArgs>();
  auto* add = clip->add_subcommand("add", "Make a clip of a record's version");
  add->add_option("RECORD", o->id, "Record id")->required();
  add->add_option("--from", o->from, "Start, as 12:04 or 1:02:03.5 (a recording)");
  add->add_option("--to", o->to, "End, as 13:10 (a recording)");
  add->add_option("--chars", o->chars, "A-B, code points of the version's text (a document)");
  add->add_option("--version", o->version, "The version (default: the text version shown)");
  add->add_option("--title", o->title, "The clip's title (at most 200 bytes)");
  add->add_option("--note", o->note, "A note (at most 4 KiB)");
  auto* show = clip->add_subcommand("show", "Show a clip as you may read it now");
  show->add_option("ID", o->id, "Clip id")->required();
  auto* list = clip->add_subcommand("list", "List your clips, newest first");
  auto* rm = clip->add_subcommand("rm", "Delete a clip (sessions that held it show a gap)");
  rm->add_option("ID", o->id, "Clip id")->required();
  for (auto [cmd, verb] : {std::pair{add, "add"}, std::pair{show, "show"},
                            std::pair{list, "list"}, std::pair{rm, "rm"}}) {
    if (std::string(verb) != "rm") cmd->add_flag("--json", o->json, "Print JSON");
    c.OnRun(cmd, [&c, o, v = std::string(verb)] {
      o->verb = v;
      return RunClip(c, *o);
    });
  }
}

void AddSession(CLI::App& app, Common& c) {
  auto* session = app.add_subcommand(
      "session", "Compose sessions of clips and cards for an audience (doc/sessions.md)");
  session->require_subcommand(1);
  auto o = std::make_shared<SessionArgs>();
  auto* make = session->add_subcommand("new", "Start a session");
  make->add_option("--title", o->title, "Its title")->required();
  make->add_option("--audience", o->audience, "school:AGES (e.g. school:14-16), community or "
                                              "public (default)");
  make->add_option("--target", o->target, "Its target length, as 20:00 or seconds");
  make->add_option("--languages", o->languages, "Subtitle languages, e.g. fr,he");
  make->add_option("--share", o->share, "private (default), researcher, archivist or public");
  auto* add = session->add_subcommand("add", "Add a clip or a card");
  add->add_option("ID", o->id, "Session id")->required();
  add->add_option("--clip", o->clip, "A clip's id");
  add->add_option("--title-card", o->title_card, "A title card's words");
  add->add_option("--reading", o->reading, "A reading's words");
  add->add_option("--silence", o->silence, "A moment of silence, in seconds (1 to 600)");
  add->add_option("--at", o->at, "Its position, from 1 (default: the end)");
  auto* drop = session->add_subcommand("drop", "Take out the item at a position");
  drop->add_option("ID", o->id, "Session id")->required();
  drop->add_option("POSITION", o->at, "From 1")->required();
  auto* move = session->add_subcommand("move", "Move an item");
  move->add_option("ID", o->id, "Session id")->required();
  move->add_option("FROM", o->from, "Its position, from 1")->required();
  move->add_option("TO", o->to, "Its new position")->required();
  auto* share = session->add_subcommand("share", "Share it with a role, or make it public");
  share->add_option("ID", o->id, "Session id")->required();
  share->add_option("LEVEL", o->level, "private, researcher, archivist or public")->required();
  auto* show = session->add_subcommand("show", "Show a session as you may read it now");
  show->add_option("ID", o->id, "Session id")->required();
  auto* list = session->add_subcommand("list", "List the sessions you made or may open");
  auto* rm = session->add_subcommand("rm", "Delete a session");
  rm->add_option("ID", o->id, "Session id")->required();
  auto* suggest = session->add_subcommand(
      "suggest", "Propose clips of many witnesses for a theme, within a length");
  suggest->add_option("--theme", o->theme, "Free words (or give --place)");
  suggest->add_option("--place", o->place, "A place, in any script");
  suggest->add_option("--date", o->date, "A day, month, year or range (1948..1949)");
  suggest->add_option("--lang", o->lang, "The audience's language (the question's)");
  suggest->add_option("--length", o->length, "The length asked for (default 10:00)");
  suggest->add_option("--add", o->id, "Make the clips and add them to this session of yours");
  for (auto [cmd, verb] :
       {std::pair{suggest, "suggest"}, std::pair{make, "new"}, std::pair{add, "add"}, std::pair{drop, "drop"},
        std::pair{move, "move"}, std::pair{share, "share"}, std::pair{show, "show"},
        std::pair{list, "list"}, std::pair{rm, "rm"}}) {
    if (std::string(verb) != "rm") cmd->add_flag("--json", o->json, "Print JSON");
    c.OnRun(cmd, [&c, o, v = std::string(verb)] {
      o->verb = v;
      return RunSession(c, *o);
    });
  }
}

}  // namespace attest::cli
