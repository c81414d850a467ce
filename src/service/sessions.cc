#include "service/sessions.h"

#include <algorithm>
#include <set>

#include "archive/archive.h"
#include "core/text_safety.h"
#include "service/accounts.h"
#include "archive/archive.h"
#include "service/ask.h"
#include "service/cite.h"
#include "service/record_view.h"
#include "service/auditor.h"

namespace attest::service {
namespace {

bool MayOpen(const Scope& scope, const meta::ClipSession& s) {
  if (s.shared == "public") return true;
  if (scope.actor.empty() || !scope.subject.witness_id.empty()) return false;
  if (s.owner == scope.actor || s.shared == "researcher") return true;
  return s.shared == "archivist" && MayWrite(scope);
}

// The roles' sessions the caller opens besides their own.
std::vector<std::string> SharedWith(const Scope& scope) {
  if (scope.actor.empty() || !scope.subject.witness_id.empty()) return {"public"};
  if (MayWrite(scope)) return {"public", "researcher", "archivist"};
  return {"public", "researcher"};
}

Result<std::string> Words(const std::string& words, const std::string& name, size_t max,
                          TextLayout layout) {
  if (words.size() > max || !IsValidUtf8(words)) {
    return Status::InvalidArgument(name + " must be at most " + std::to_string(max) +
                                   " bytes of UTF-8");
  }
  return CleanText(words, layout);
}

// school:AGES (digits, or digits-digits), community or public.
Status CheckAudience(const std::string& a) {
  if (a == "community" || a == "public") return Status::Ok();
  if (a.rfind("school:", 0) == 0) {
    std::string ages = a.substr(7);
    size_t dash = ages.find('-');
    auto digits = [](const std::string& s) {
      return !s.empty() && s.size() <= 2 && s.find_first_not_of("0123456789") == std::string::npos;
    };
    if (dash == std::string::npos ? digits(ages)
                                  : digits(ages.substr(0, dash)) && digits(ages.substr(dash + 1)) &&
                                        std::stoi(ages.substr(0, dash)) <= std::stoi(ages.substr(dash + 1))) {
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("the audience '" + a.substr(0, 40) +
                                 "' must be school:AGES (e.g. school:14-16), community or public");
}

// Comma-separated language tags (2 or 3 letters, at most 8 of them), lower-cased.
Result<std::string> Languages(const std::string& in) {
  std::string out;
  size_t n = 0, start = 0;
  while (start <= in.size() && !in.empty()) {
    size_t comma = in.find(',', start);
    std::string tag = in.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    for (char& ch : tag) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (tag.size() < 2 || tag.size() > 3 || tag.find_first_not_of("abcdefghijklmnopqrstuvwxyz") !=
                                                std::string::npos) {
      return Status::InvalidArgument("the languages '" + in.substr(0, 40) +
                                     "' must be language tags such as fr,he,ar,en");
    }
    if (++n > 8) return Status::InvalidArgument("a session has at most 8 languages");
    out += (out.empty() ? "" : ",") + tag;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// How long `chars` characters take to read aloud (kReadingCharsPerS), at least a title card's.
int64_t ReadingMs(int64_t chars) {
  return std::max(chars * 1000 / kReadingCharsPerS, kTitleCardMs);
}

int64_t CardMs(const SessionItem& item) {
  if (item.kind == "silence") return item.seconds * 1000;
  if (item.kind == "title") return kTitleCardMs;
  return ReadingMs(static_cast<int64_t>(CodePoints(item.text)));
}

}  // namespace

int64_t ClipPlayMs(const ClipView& v) {
  if (v.gap != ClipGap::kNone) return 0;
  if (v.clip.start_ms >= 0) return v.Length();
  return ReadingMs(v.Length());
}

namespace {

Result<SessionItem> CheckItem(const SessionItem& in, size_t n) {
  std::string where = "item " + std::to_string(n + 1);
  SessionItem out;
  out.kind = in.kind;
  if (in.kind == "clip") {
    if (in.clip.empty() || in.clip.size() > 40) {
      return Status::InvalidArgument(where + " names no clip");
    }
    out.clip = in.clip;
  } else if (in.kind == "title" || in.kind == "reading") {
    ASSIGN_OR_RETURN(out.text, Words(in.text, where + "'s text", kMaxCardText,
                                     in.kind == "title" ? TextLayout::kOneLine : TextLayout::kLines));
    if (out.text.find_first_not_of(" \n\t") == std::string::npos) {
      return Status::InvalidArgument(where + " is a " + in.kind + " card without words");
    }
  } else if (in.kind == "silence") {
    if (in.seconds < 1 || in.seconds > kMaxSilenceS) {
      return Status::InvalidArgument(where + ": a silence lasts 1 to " +
                                     std::to_string(kMaxSilenceS) + " seconds");
    }
    out.seconds = in.seconds;
  } else {
    return Status::InvalidArgument(where + " is a '" + in.kind.substr(0, 20) +
                                   "': an item is a clip, a title, a reading or a silence");
  }
  return out;
}

Json ItemJson(const SessionItem& item) {
  Json j = {{"kind", item.kind}};
  if (item.kind == "clip") j["clip"] = item.clip;
  if (item.kind == "title" || item.kind == "reading") j["text"] = item.text;
  if (item.kind == "silence") j["seconds"] = item.seconds;
  return j;
}

std::vector<SessionItem> ItemsOf(const std::string& stored) {
  std::vector<SessionItem> items;
  auto parsed = ParseJson(stored, "a session's items");
  if (!parsed.ok() || !parsed->is_array()) return items;
  for (const Json& j : *parsed) {
    SessionItem item;
    item.kind = StringMember(j, "kind");
    item.clip = StringMember(j, "clip");
    item.text = StringMember(j, "text");
    if (j.contains("seconds") && j["seconds"].is_number_integer()) {
      item.seconds = j["seconds"].get<int64_t>();
    }
    items.push_back(std::move(item));
  }
  return items;
}

// The session as the caller sees it, and the records of its shown clips that are not public.
Result<SessionView> See(const Scope& scope, const meta::ClipSession& s,
                        std::vector<std::string>* not_public) {
  SessionView v;
  v.session = s;
  v.mine = !scope.actor.empty() && s.owner == scope.actor;
  ClipReads reads(scope);
  for (SessionItem& item : ItemsOf(s.items)) {
    SessionItemView iv;
    if (item.kind == "clip") {
      ASSIGN_OR_RETURN(auto row, scope.archive->clips().GetClip(item.clip));
      ClipView clip;
      clip.clip.id = item.clip;
      clip.gap = ClipGap::kDeleted;
      if (row) {
        ASSIGN_OR_RETURN(clip, SeeClip(scope, *row, &reads));
      }
      iv.length_ms = ClipPlayMs(clip);
      if (clip.gap == ClipGap::kNone) {
        if (std::find(v.witnesses.begin(), v.witnesses.end(), clip.witness) == v.witnesses.end()) {
          v.witnesses.push_back(clip.witness);
        }
        if (std::find(v.languages.begin(), v.languages.end(), clip.lang) == v.languages.end()) {
          v.languages.push_back(clip.lang);
        }
        if (!clip.is_public) not_public->push_back(clip.clip.record_id);
      }
      iv.clip = std::move(clip);
    } else {
      iv.length_ms = CardMs(item);
    }
    iv.item = std::move(item);
    v.length_ms += iv.length_ms;
    v.items.push_back(std::move(iv));
  }
  return v;
}

// Checks the clips a save adds (those not in `before`): each read whole by the saver, and public
// if the session is.
// `checked`: the clips whose publicness is not checked again (those already in a public
// session); `before`: those the session held.
Status CheckClips(const Scope& scope, const std::vector<SessionItem>& items,
                  const std::set<std::string>& checked, bool is_public,
                  const std::set<std::string>& before) {
  ClipReads reads(scope);
  std::set<std::string> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].kind != "clip") continue;
    if (!seen.insert(items[i].clip).second) {
      return Status::InvalidArgument("item " + std::to_string(i + 1) + ": clip " + items[i].clip +
                                     " is in the session already (a session holds a clip once)");
    }
    const bool added = !before.count(items[i].clip);
    ASSIGN_OR_RETURN(auto row, scope.archive->clips().GetClip(items[i].clip));
    if (!row) {
      if (added) return Status::InvalidArgument("item " + std::to_string(i + 1) + ": " + kNoSuchClip);
      continue;
    }
    ASSIGN_OR_RETURN(ClipView v, SeeClip(scope, *row, &reads));
    if (v.gap != ClipGap::kNone) {
      if (added) return Status::InvalidArgument("item " + std::to_string(i + 1) + ": " + kNoSuchClip);
      continue;  // it was there before and has become a gap: it stays one
    }
    if (is_public && !v.is_public && !checked.count(items[i].clip)) {
      return Status::InvalidArgument("a public session may only hold public clips: clip " +
                                     v.clip.id + " (item " + std::to_string(i + 1) +
                                     ") is not public");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<SessionView> SaveSession(const Scope& scope, const SessionDraft& d) {
  if (scope.actor.empty() || !scope.subject.witness_id.empty()) {
    return Status::Unauthenticated("composing a session needs an account or a token");
  }
  archive::Archive* a = scope.archive;
  meta::ClipSession s;
  std::set<std::string> before;
  std::string was_shared;
  if (!d.id.empty()) {
    ASSIGN_OR_RETURN(auto old, a->clips().GetSession(d.id));
    if (!old || old->owner != scope.actor) return Status::NotFound(kNoSuchSession);
    s = *old;
    was_shared = old->shared;
    for (const auto& item : ItemsOf(old->items)) {
      if (item.kind == "clip") before.insert(item.clip);
    }
  } else {
    ASSIGN_OR_RETURN(auto mine, a->clips().ListSessions(scope.actor, {}, kMaxSessionsPerPerson));
    if (mine.size() >= kMaxSessionsPerPerson) {
      return Status::Exhausted("you keep " + std::to_string(kMaxSessionsPerPerson) +
                               " sessions already: delete some first");
    }
    s.id = a->clips().NewSessionId();
    s.owner = scope.actor;
    s.created = FormatRfc3339(a->env()->NowMicros());
  }
  s.revision = d.revision;
  ASSIGN_OR_RETURN(s.title, Words(d.title, "the session's title", kMaxSessionTitle,
                                  TextLayout::kOneLine));
  if (s.title.find_first_not_of(' ') == std::string::npos) {
    return Status::InvalidArgument("the session needs a title");
  }
  RETURN_IF_ERROR(CheckAudience(d.audience));
  s.audience = d.audience;
  if (d.target_s < 0 || d.target_s > kMaxTargetS) {
    return Status::InvalidArgument("the target length must be 0 to " +
                                   std::to_string(kMaxTargetS) + " seconds");
  }
  s.target_s = d.target_s;
  ASSIGN_OR_RETURN(s.languages, Languages(d.languages));
  if (d.shared != "private" && d.shared != "researcher" && d.shared != "archivist" &&
      d.shared != "public") {
    return Status::InvalidArgument("shared '" + d.shared.substr(0, 20) +
                                   "' must be private, researcher, archivist or public");
  }
  s.shared = d.shared;
  if (d.items.size() > kMaxSessionItems) {
    return Status::InvalidArgument("a session holds at most " + std::to_string(kMaxSessionItems) +
                                   " items");
  }
  std::vector<SessionItem> items;
  Json stored = Json::array();
  for (size_t i = 0; i < d.items.size(); ++i) {
    ASSIGN_OR_RETURN(SessionItem item, CheckItem(d.items[i], i));
    stored.push_back(ItemJson(item));
    items.push_back(std::move(item));
  }
  // A public session holds public clips: each one added, and all of them when it is made public.
  // One that was public and is no longer stays, a gap to those who may not read it.
  const bool made_public = s.shared == "public" && (d.id.empty() || was_shared != "public");
  RETURN_IF_ERROR(CheckClips(scope, items, made_public ? std::set<std::string>() : before,
                             s.shared == "public", before));
  ASSIGN_OR_RETURN(s.items, CanonicalJson(stored));
  s.updated = FormatRfc3339(a->env()->NowMicros());
  {
    // Its length as its maker sees it now: at most a day.
    std::vector<std::string> ignored;
    ASSIGN_OR_RETURN(SessionView before_save, See(scope, s, &ignored));
    if (before_save.length_ms > kMaxTargetS * 1000) {
      return Status::InvalidArgument("a session lasts at most 24 hours");
    }
  }
  ASSIGN_OR_RETURN(meta::ClipSession saved, a->clips().SaveSession(s));
  std::vector<std::string> not_public;
  ASSIGN_OR_RETURN(SessionView v, See(scope, saved, &not_public));
  if (!not_public.empty()) RETURN_IF_ERROR(Auditor(scope).ViewedRecords("session", not_public));
  return v;
}

Result<SessionView> ReadSession(const Scope& scope, const std::string& id) {
  ASSIGN_OR_RETURN(auto row, scope.archive->clips().GetSession(id));
  if (!row || !MayOpen(scope, *row)) {
    return Status::NotFound(std::string(kNoSuchSession) + ": " + id.substr(0, 40));
  }
  std::vector<std::string> not_public;
  ASSIGN_OR_RETURN(SessionView v, See(scope, *row, &not_public));
  if (!not_public.empty()) RETURN_IF_ERROR(Auditor(scope).ViewedRecords("session", not_public));
  return v;
}

Result<std::vector<meta::ClipSession>> ListSessions(const Scope& scope) {
  std::vector<meta::ClipSession> out;
  if (!scope.actor.empty() && scope.subject.witness_id.empty()) {
    ASSIGN_OR_RETURN(out, scope.archive->clips().ListSessions(scope.actor, {},
                                                              kMaxSessionsPerPerson));
  }
  // Others' sessions shared with the caller: the newest, listed apart so that nobody's many
  // sessions push the caller's own out of their list.
  ASSIGN_OR_RETURN(auto shared, scope.archive->clips().ListSessions("\x01", SharedWith(scope),
                                                                    kSharedSessionsListed));
  for (auto& s : shared) {
    if (s.owner != scope.actor) out.push_back(std::move(s));
  }
  return out;
}

Status DeleteSession(const Scope& scope, const std::string& id) {
  ASSIGN_OR_RETURN(auto row, scope.archive->clips().GetSession(id));
  if (!row || scope.actor.empty() || row->owner != scope.actor) {
    return Status::NotFound(std::string(kNoSuchSession) + ": " + id.substr(0, 40));
  }
  ASSIGN_OR_RETURN(bool gone, scope.archive->clips().DeleteSession(id));
  if (!gone) return Status::NotFound(kNoSuchSession);
  return Status::Ok();
}

Json SessionRowJson(const meta::ClipSession& s) {
  return {{"id", s.id},           {"title", s.title},       {"audience", s.audience},
          {"target_s", s.target_s}, {"languages", s.languages}, {"shared", s.shared},
          {"revision", s.revision}, {"created", s.created},   {"updated", s.updated}};
}

Json SessionJson(const SessionView& v) {
  Json j = SessionRowJson(v.session);
  Json items = Json::array();
  for (const SessionItemView& iv : v.items) {
    Json item = ItemJson(iv.item);
    if (iv.clip) item["clip"] = ClipJson(*iv.clip);
    item["length_ms"] = iv.length_ms;
    items.push_back(std::move(item));
  }
  j["items"] = std::move(items);
  j["length_ms"] = v.length_ms;
  j["mine"] = v.mine;
  j["witnesses"] = v.witnesses;
  j["clip_languages"] = v.languages;
  return j;
}

Result<SessionDraft> DraftFromJson(const Json& body) {
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  SessionDraft d;
  auto text = [&](const char* key, std::string* out) -> Status {
    if (!body.contains(key)) return Status::Ok();
    if (!body[key].is_string()) return Status::InvalidArgument(std::string(key) + " must be a string");
    *out = body[key].get<std::string>();
    return Status::Ok();
  };
  auto number = [&](const char* key, int64_t* out) -> Status {
    if (!body.contains(key)) return Status::Ok();
    if (!body[key].is_number_integer()) {
      return Status::InvalidArgument(std::string(key) + " must be a whole number");
    }
    *out = body[key].get<int64_t>();
    return Status::Ok();
  };
  RETURN_IF_ERROR(text("title", &d.title));
  RETURN_IF_ERROR(text("audience", &d.audience));
  RETURN_IF_ERROR(text("languages", &d.languages));
  RETURN_IF_ERROR(text("shared", &d.shared));
  RETURN_IF_ERROR(number("target_s", &d.target_s));
  RETURN_IF_ERROR(number("revision", &d.revision));
  if (body.contains("items")) {
    if (!body["items"].is_array()) return Status::InvalidArgument("items must be an array");
    if (body["items"].size() > kMaxSessionItems) {
      return Status::InvalidArgument("a session holds at most " +
                                     std::to_string(kMaxSessionItems) + " items");
    }
    for (const Json& j : body["items"]) {
      if (!j.is_object()) return Status::InvalidArgument("each item must be an object");
      SessionItem item;
      item.kind = StringMember(j, "kind");
      item.clip = StringMember(j, "clip");
      item.text = StringMember(j, "text");
      if (j.contains("seconds")) {
        if (!j["seconds"].is_number_integer()) {
          return Status::InvalidArgument("an item's seconds must be a whole number");
        }
        item.seconds = j["seconds"].get<int64_t>();
      }
      d.items.push_back(std::move(item));
    }
  }
  return d;
}

SessionDraft DraftOf(const meta::ClipSession& s) {
  SessionDraft d;
  d.id = s.id;
  d.revision = s.revision;
  d.title = s.title;
  d.audience = s.audience;
  d.target_s = s.target_s;
  d.languages = s.languages;
  d.shared = s.shared;
  d.items = ItemsOf(s.items);
  return d;
}

namespace {

// A passage as a proposal, or nullopt if it cannot be clipped (a text passage whose offsets
// the caller is not given).
std::optional<Proposal> ProposalOf(const AskGroup& g) {
  Proposal p;
  p.ask.record_id = g.record;
  p.ask.version = g.version;
  const AskPassage& ps = g.passage;
  if (!ps.redacted.empty()) return std::nullopt;  // a clip is never cut over a hidden span
  if (ps.start_ms >= 0 && ps.end_ms > ps.start_ms) {
    p.ask.start_ms = ps.start_ms;
    p.ask.end_ms = ps.end_ms;
    p.length_ms = ps.end_ms - ps.start_ms;
  } else if (ps.chars && ps.chars->second > ps.chars->first) {
    p.ask.char_start = ps.chars->first;
    p.ask.char_end = ps.chars->second;
    p.length_ms = ReadingMs(ps.chars->second - ps.chars->first);
  } else {
    return std::nullopt;
  }
  p.ask.title = g.title.value_or("");
  p.witness = g.witness;
  p.lang = g.lang;
  p.text = ps.text;
  p.citation = g.citation;
  return p;
}

// The witness's own words spoken from `from` to `to` ms, as the caller reads them ("" if none).
std::string OwnWords(const Scope& scope, const std::string& record, int64_t from, int64_t to) {
  auto t = ReadRecordText(scope, record, /*hide_redacted=*/true);
  if (!t.ok()) return "";
  std::string words;
  for (const auto& s : t->segments) {
    if (s.segment.start_ms < 0 || s.segment.start_ms >= to || s.segment.end_ms <= from) continue;
    if (t->redacted.count(s.segment.id)) return "";
    words += (words.empty() ? "" : " ") + s.segment.text;
  }
  return words;
}

Result<bool> IsTranslation(const Scope& scope, const std::string& record, int version) {
  ASSIGN_OR_RETURN(meta::Record r, scope.archive->records().Get(record));
  for (const meta::Version& v : r.versions) {
    if (v.version == version) return StringMember(DerivedOf(v), "artifact") == "translation";
  }
  return false;
}

// `end` (a code point of the version's text inside passage `full`) moved back to the end of a
// word when the passage's text maps onto its characters one to one; else as it is.
int64_t WordEnd(const Proposal& full, int64_t end) {
  const int64_t a = full.ask.char_start, b = full.ask.char_end;
  if (end >= b || static_cast<int64_t>(CodePoints(full.text)) != b - a) return end;
  std::u32string cps;
  size_t pos = 0;
  while (pos < full.text.size()) {
    bool valid = true;
    cps.push_back(NextCodePoint(full.text, &pos, &valid));
  }
  for (int64_t i = end - a; i > 0; --i) {
    if (cps[i] == U' ') return a + i;
  }
  return end;
}

// `p` narrowed to the segment of the passage that matched (its span inside the passage's).
void NarrowToHit(const Scope& scope, const AskGroup& g, Proposal* p) {
  std::optional<int64_t> id = scope.archive->SegmentOfRef(g.passage.hit);
  if (!id) return;
  auto t = ReadRecordText(scope, g.record, /*hide_redacted=*/true, g.version);
  if (!t.ok()) return;
  for (const auto& s : t->segments) {
    if (s.segment.id != *id) continue;
    ClipAsk& a = p->ask;
    if (a.start_ms >= 0 && s.segment.start_ms >= 0) {
      a.start_ms = std::max(a.start_ms, s.segment.start_ms);
      a.end_ms = std::min(a.end_ms, s.segment.end_ms);
      if (a.end_ms > a.start_ms) p->length_ms = a.end_ms - a.start_ms;
    } else if (a.char_start >= 0 && s.segment.char_start >= 0) {
      a.char_start = std::max(a.char_start, s.segment.char_start);
      a.char_end = std::min(a.char_end, s.segment.char_end);
      if (a.char_end > a.char_start) {
        p->length_ms = ReadingMs(a.char_end - a.char_start);
      }
    }
    p->text = s.segment.text;
    return;
  }
}

}  // namespace

Result<Suggestions> Suggest(const Scope& scope, const SuggestRequest& r) {
  if (r.length_s < 1 || r.length_s > kMaxTargetS) {
    return Status::InvalidArgument("the length must be 1 second to " +
                                   std::to_string(kMaxTargetS / 3600) + " hours");
  }
  AskRequest ask;
  ask.question = r.theme.empty() ? r.place : r.theme;
  if (ask.question.find_first_not_of(" \t\n") == std::string::npos) {
    return Status::InvalidArgument("give a theme: a few words, or a place");
  }
  ask.lang = r.lang;
  ask.place = r.place;
  ask.date = r.date;
  ask.limit = kMaxAskLimit;
  ASSIGN_OR_RETURN(AskAnswer answer, Answer(scope, ask));
  // Ask's groups are one a witness, many voices first. Each witness's passage is first taken as
  // the segment that matched (so that as many voices as fit are heard), then grown to its whole
  // passage, in the same order, while the length allows; the length is reached within 10%.
  const int64_t target = r.length_s * 1000, most = target + target / 10;
  struct Candidate {
    Proposal core, full;
    bool grown = false;
  };
  std::vector<Candidate> taken;
  int64_t total = 0;
  for (const AskGroup& g : answer.groups) {
    std::optional<Proposal> full = ProposalOf(g);
    if (!full) continue;
    // Found through a translation: the witness's own words at the same times (a recording's
    // transcript, the reader's text version); a text's translation has no such place.
    ASSIGN_OR_RETURN(bool translation, IsTranslation(scope, g.record, g.version));
    if (translation) {
      if (full->ask.start_ms < 0) continue;
      full->ask.version.reset();
      full->text = OwnWords(scope, g.record, full->ask.start_ms, full->ask.end_ms);
      if (full->text.empty()) continue;
    }
    Candidate c{*full, *full};
    if (!translation) NarrowToHit(scope, g, &c.core);
    if (total + c.core.length_ms > most) continue;
    total += c.core.length_ms;
    taken.push_back(std::move(c));
  }
  for (Candidate& c : taken) {
    if (total - c.core.length_ms + c.full.length_ms > most) continue;
    total += c.full.length_ms - c.core.length_ms;
    c.grown = true;
  }
  // Still short: a text's passage not taken whole is read further, to a word's end, for the time
  // that is missing.
  for (Candidate& c : taken) {
    if (total >= target - target / 10) break;
    ClipAsk& a = c.core.ask;
    if (c.grown || a.char_start < 0) continue;
    int64_t want = (target - total) * kReadingCharsPerS / 1000;
    int64_t end = std::min(c.full.ask.char_end, a.char_end + want);
    end = WordEnd(c.full, end);
    if (end <= a.char_end) continue;
    a.char_end = end;
    int64_t ms = ReadingMs(a.char_end - a.char_start);
    total += ms - c.core.length_ms;
    c.core.length_ms = ms;
    c.core.text = c.full.text;  // its words are the clip's, once made
  }
  Suggestions out;
  std::set<std::string> witnesses;
  for (Candidate& c : taken) {
    witnesses.insert(c.core.witness);
    Proposal p = c.grown ? std::move(c.full) : std::move(c.core);
    // Its citation names its own span (Ask's names the whole passage).
    auto rec = scope.archive->records().Get(p.ask.record_id);
    if (rec.ok()) {
      const int cited = p.ask.version.value_or(rec->versions.back().version);
      for (const meta::Version& v : rec->versions) {
        if (v.version != cited) continue;
        p.citation = Citation(*rec, v, answer.checkpoint.checkpoint.origin,
                              CitedSpan(p.ask.start_ms, p.ask.end_ms, p.ask.char_start,
                                        p.ask.char_end));
      }
    }
    out.proposals.push_back(std::move(p));
  }
  out.length_ms = total;
  out.witnesses = witnesses.size();
  return out;
}

Json SuggestionsJson(const Suggestions& s) {
  Json items = Json::array();
  for (const Proposal& p : s.proposals) {
    Json j = {{"record", p.ask.record_id}, {"version", p.ask.version.value_or(0)},
              {"witness", p.witness},      {"lang", p.lang},
              {"text", p.text},            {"citation", p.citation},
              {"length_ms", p.length_ms},  {"title", p.ask.title}};
    if (p.ask.start_ms >= 0) {
      j["start_ms"] = p.ask.start_ms;
      j["end_ms"] = p.ask.end_ms;
    } else {
      j["char_start"] = p.ask.char_start;
      j["char_end"] = p.ask.char_end;
    }
    items.push_back(std::move(j));
  }
  return {{"proposals", items}, {"length_ms", s.length_ms}, {"witnesses", s.witnesses}};
}

}  // namespace attest::service
