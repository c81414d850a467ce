#include "ingest/transcripts.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <tuple>

#include "core/hash.h"
#include "core/json.h"
#include "core/text_safety.h"

namespace attest::ingest {
namespace {

// Isolates around right-to-left cues, so numbers and Latin words inside keep their order in any
// player: U+2067 RIGHT-TO-LEFT ISOLATE ... U+2069 POP DIRECTIONAL ISOLATE.
constexpr char kRli[] = "\xE2\x81\xA7";
constexpr char kPdi[] = "\xE2\x81\xA9";

bool RightToLeft(const std::string& lang) {
  return lang == "he" || lang == "ar" || lang == "fa" || lang == "ur" || lang == "yi";
}

std::string Clock(int64_t ms, char frac_sep) {
  if (ms < 0) ms = 0;
  char buf[32];
  snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld%c%03lld", static_cast<long long>(ms / 3600000),
           static_cast<long long>(ms / 60000 % 60), static_cast<long long>(ms / 1000 % 60),
           frac_sep, static_cast<long long>(ms % 1000));
  return buf;
}

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return s;
}

// Cue text as WebVTT requires: &, < and > escaped, and never the "-->" that ends a cue's timing.
std::string VttEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

std::string Bidi(const Cue& c, const std::string& text) {
  return RightToLeft(c.lang) ? kRli + text + kPdi : text;
}

// "HH:MM:SS.mmm", "MM:SS.mmm" (WebVTT) or "HH:MM:SS,mmm" (SRT); -1 if it is not one.
int64_t ParseClock(std::string_view t, char frac_sep) {
  std::vector<int64_t> parts;
  int64_t cur = 0;
  int digits = 0;
  size_t i = 0;
  for (; i < t.size() && t[i] != frac_sep; ++i) {
    char c = t[i];
    if (c >= '0' && c <= '9') {
      cur = cur * 10 + (c - '0');
      if (++digits > 9) return -1;
    } else if (c == ':') {
      if (digits == 0) return -1;
      parts.push_back(cur);
      cur = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (digits == 0 || i + 4 != t.size()) return -1;
  parts.push_back(cur);
  int64_t ms = 0;
  for (size_t k = i + 1; k < t.size(); ++k) {
    if (t[k] < '0' || t[k] > '9') return -1;
    ms = ms * 10 + (t[k] - '0');
  }
  if (parts.size() == 2) parts.insert(parts.begin(), 0);
  if (parts.size() != 3 || parts[1] > 59 || parts[2] > 59) return -1;
  return ((parts[0] * 60 + parts[1]) * 60 + parts[2]) * 1000 + ms;
}

}  // namespace

std::string Trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r')) ++a;
  while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) --b;
  return std::string(s.substr(a, b - a));
}

std::string LabelOf(std::string_view given) {
  std::string label = Trim(CleanText(std::string(given), TextLayout::kOneLine));
  if (label.size() > kMaxSpeaker) {
    size_t cut = kMaxSpeaker;
    while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;
    label.resize(cut);
  }
  return label;
}

namespace {

// Cue text to plain text: tags (<v Name>, <i>, <00:00:01.000>, <lang he>) dropped, entities
// and bidi isolates or marks removed, lines joined by a space.
std::string PlainCueText(const std::vector<std::string>& lines, std::string* lang,
                         std::string* speaker) {
  std::string joined;
  for (const std::string& l : lines) {
    if (!joined.empty()) joined += ' ';
    joined += l;
  }
  std::string out;
  for (size_t i = 0; i < joined.size(); ++i) {
    char c = joined[i];
    if (c == '<') {
      size_t close = joined.find('>', i);
      if (close == std::string::npos) {
        out += joined.substr(i);  // a lone '<' (SRT does not escape): text
        break;
      }
      std::string tag = joined.substr(i + 1, close - i - 1);
      if (tag.rfind("lang ", 0) == 0 && lang && lang->empty()) *lang = Trim(tag.substr(5));
      if (tag.size() > 2 && tag[0] == 'v' && (tag[1] == ' ' || tag[1] == '.') && speaker &&
          speaker->empty()) {
        size_t name = tag.find(' ');
        if (name != std::string::npos) *speaker = LabelOf(tag.substr(name + 1));
      }
      i = close;
      continue;
    }
    if (c == '&') {
      static const std::pair<const char*, const char*> kEntities[] = {
          {"&amp;", "&"},  {"&lt;", "<"}, {"&gt;", ">"},
          {"&nbsp;", " "}, {"&lrm;", ""}, {"&rlm;", ""}};
      bool matched = false;
      for (const auto& [name, value] : kEntities) {
        if (joined.compare(i, strlen(name), name) == 0) {
          out += value;
          i += strlen(name) - 1;
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    out += c;
  }
  // U+200E, U+200F, U+2066..U+2069: direction marks and isolates are presentation, not words.
  static const char* kMarks[] = {"\xE2\x80\x8E", "\xE2\x80\x8F", "\xE2\x81\xA6",
                                 "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9"};
  for (const char* m : kMarks) {
    for (size_t at = out.find(m); at != std::string::npos; at = out.find(m, at)) {
      out.erase(at, 3);
    }
  }
  return Trim(out);
}

std::vector<std::string> SplitLines(std::string_view data) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= data.size()) {
    size_t nl = data.find('\n', start);
    if (nl == std::string_view::npos) nl = data.size();
    std::string line(data.substr(start, nl - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = nl + 1;
  }
  return lines;
}

}  // namespace

std::string FormatClock(int64_t ms) { return Clock(ms, '.'); }

int64_t ParseClockText(std::string_view t) {
  std::string given(t);
  while (!given.empty() && given.back() == ' ') given.pop_back();
  while (!given.empty() && given.front() == ' ') given.erase(0, 1);
  size_t dot = given.find('.');
  if (dot == std::string::npos) {
    given += ".000";
  } else {
    while (given.size() < dot + 4) given += '0';  // "12.5": tenths
  }
  return ParseClock(given, '.');
}

Result<TranscriptDoc> LoadTranscript(archive::Archive* archive, const std::string& record_id,
                                     std::optional<int> version) {
  ASSIGN_OR_RETURN(meta::Record record, archive->records().Get(record_id));
  if (record.withdrawn_at) return Status::NotFound("record " + record_id + " is withdrawn");
  const meta::Version* found = nullptr;
  Json derived;
  for (const meta::Version& v : record.versions) {
    if (version && v.version != *version) continue;
    ASSIGN_OR_RETURN(Json m, ParseJson(v.manifest, "manifest"));
    if (!m.contains("derived")) continue;
    std::string artifact = StringMember(m["derived"], "artifact");
    bool wanted = version ? (artifact == "transcript" || artifact == "translation")
                          : artifact == "transcript";
    if (wanted) found = &v, derived = m["derived"];
  }
  if (!found) {
    if (version) {
      return Status::NotFound("version " + std::to_string(*version) + " of " + record_id +
                              " is not a transcript or a translation");
    }
    return Status::NotFound("record " + record_id +
                            " has no transcript (yet: `attest jobs` shows whether its "
                            "transcription is waiting for a model, queued or failed)");
  }
  TranscriptDoc doc;
  doc.record = record_id;
  doc.version = found->version;
  doc.artifact = StringMember(derived, "artifact");
  doc.tool = StringMember(derived, "tool");
  doc.tool_version = StringMember(derived, "tool_version");
  if (derived.contains("from") && derived["from"].is_number_integer()) {
    doc.from = derived["from"].get<int>();
  }
  if (derived.contains("models") && derived["models"].is_array() && !derived["models"].empty()) {
    doc.model = StringMember(derived["models"][0], "name");
  }
  std::string blob;
  for (const meta::BlobRef& b : found->blobs) {
    if (b.role == "transcript") blob = b.sha256;
  }
  if (blob.empty()) {
    return Status::Corruption("version " + std::to_string(found->version) + " of " + record_id +
                              " has no transcript blob");
  }
  ASSIGN_OR_RETURN(auto f, archive->records().OpenBlob(blob));
  std::vector<char> buf(1 << 16);
  while (true) {
    ASSIGN_OR_RETURN(size_t n, f->Read(buf.size(), buf.data()));
    if (n == 0) break;
    doc.json.append(buf.data(), n);
  }
  ASSIGN_OR_RETURN(Json j, ParseJson(doc.json, "transcript " + blob));
  if (j.contains("duration_ms") && j["duration_ms"].is_number_integer()) {
    doc.duration_ms = j["duration_ms"].get<int64_t>();
  }
  if (!j.contains("segments") || !j["segments"].is_array()) {
    return Status::Corruption("transcript " + blob + " has no segments array");
  }
  for (const Json& s : j["segments"]) {
    Cue c;
    c.start_ms = s.value("start_ms", int64_t{0});
    c.end_ms = s.value("end_ms", int64_t{0});
    c.lang = StringMember(s, "lang");
    c.text = StringMember(s, "text");
    c.speaker = StringMember(s, "speaker");
    if (s.contains("confidence") && s["confidence"].is_number_integer()) {
      c.confidence = s["confidence"].get<int>();
    }
    if (s.contains("no_speech") && s["no_speech"].is_number_integer()) {
      c.no_speech = s["no_speech"].get<int>();
    }
    doc.cues.push_back(std::move(c));
  }
  return doc;
}

Result<std::string> FormatTranscript(const TranscriptDoc& doc, const std::string& format) {
  std::string out;
  if (format == "json") return doc.json + "\n";
  if (format == "vtt") {
    out = "WEBVTT\n\nNOTE\n";
    out += "record " + doc.record + " version " + std::to_string(doc.version) + " (" +
           doc.artifact + " of version " + std::to_string(doc.from) + ")\n";
    out += "made by " + OneLine(doc.tool) + " " + OneLine(doc.tool_version);
    if (!doc.model.empty()) out += " with " + OneLine(doc.model);
    if (doc.artifact == "translation") {
      out += doc.tool == "human" ? "\ntranslation by a person: not the witness's own words"
                                 : "\nmachine translation: not the witness's words";
    }
    out += "\n\n";
    for (size_t i = 0; i < doc.cues.size(); ++i) {
      const Cue& c = doc.cues[i];
      out += std::to_string(i + 1) + "\n" + Clock(c.start_ms, '.') + " --> " +
             Clock(c.end_ms, '.') + "\n";
      // "-->" cannot appear in cue text; escaped '>' keeps it out.
      std::string voice;
      if (!c.speaker.empty()) voice = "<v " + VttEscape(OneLine(c.speaker)) + ">";
      out += voice + Bidi(c, VttEscape(OneLine(c.text))) + "\n\n";
    }
    return out;
  }
  if (format == "srt") {
    for (size_t i = 0; i < doc.cues.size(); ++i) {
      const Cue& c = doc.cues[i];
      out += std::to_string(i + 1) + "\n" + Clock(c.start_ms, ',') + " --> " +
             Clock(c.end_ms, ',') + "\n" + Bidi(c, OneLine(c.text)) + "\n\n";
    }
    return out;
  }
  if (format == "txt") {
    for (const Cue& c : doc.cues) {
      out += "[" + Clock(c.start_ms, '.').substr(0, 8) + "] " + OneLine(c.text) + "\n";
    }
    return out;
  }
  return Status::InvalidArgument("unknown transcript format '" + format +
                                 "' (vtt, srt, txt or json)");
}

Result<std::vector<Cue>> ParseCaptions(std::string_view data, const std::string& name,
                                       std::string* format) {
  if (data.substr(0, 3) == "\xEF\xBB\xBF") data.remove_prefix(3);
  if (!IsValidUtf8(std::string(data))) {
    return Status::InvalidArgument(name + ": not UTF-8 text (WebVTT and SRT files are UTF-8)");
  }
  std::vector<std::string> lines = SplitLines(data);
  bool vtt =
      data.substr(0, 6) == "WEBVTT" &&
      (data.size() == 6 || data[6] == ' ' || data[6] == '\t' || data[6] == '\n' || data[6] == '\r');
  *format = vtt ? "vtt" : "srt";
  char frac = vtt ? '.' : ',';
  auto at = [&](size_t i, const std::string& what) {
    return Status::InvalidArgument(name + ":" + std::to_string(i + 1) + ": " + what);
  };
  std::vector<Cue> cues;
  size_t i = vtt ? 1 : 0;
  if (vtt) {
    while (i < lines.size() && !Trim(lines[i]).empty()) ++i;  // header lines
  }
  while (i < lines.size()) {
    if (Trim(lines[i]).empty()) {
      ++i;
      continue;
    }
    size_t block = i;
    if (vtt && (lines[i].rfind("NOTE", 0) == 0 || lines[i].rfind("STYLE", 0) == 0 ||
                lines[i].rfind("REGION", 0) == 0)) {
      while (i < lines.size() && !Trim(lines[i]).empty()) ++i;
      continue;
    }
    // An optional identifier (SRT: the cue's number) before the timing line.
    size_t timing = lines[i].find("-->") != std::string::npos ? i : i + 1;
    if (timing >= lines.size() || lines[timing].find("-->") == std::string::npos) {
      return at(block, "expected a cue's timing line (00:00:01" + std::string(1, frac) +
                           "000 --> 00:00:04" + std::string(1, frac) + "000)");
    }
    const std::string& t = lines[timing];
    size_t arrow = t.find("-->");
    std::string start = Trim(t.substr(0, arrow));
    std::string rest = Trim(t.substr(arrow + 3));
    std::string end = rest.substr(0, rest.find_first_of(" \t"));  // cue settings follow
    Cue c;
    c.start_ms = ParseClock(start, frac);
    c.end_ms = ParseClock(end, frac);
    if (c.start_ms < 0 || c.end_ms < 0) {
      return at(timing, "'" + t + "' is not a timing line (" +
                            (vtt ? "HH:MM:SS.mmm --> HH:MM:SS.mmm"
                                 : "HH:MM:SS,mmm --> "
                                   "HH:MM:SS,mmm") +
                            ")");
    }
    if (c.end_ms < c.start_ms) return at(timing, "the cue ends before it starts");
    if (!cues.empty() && c.start_ms < cues.back().end_ms) {
      return at(timing, "the cue starts at " + start + ", before the previous cue ends (" +
                            Clock(cues.back().end_ms, frac) +
                            "): transcript segments are in time order and do not overlap");
    }
    std::vector<std::string> text;
    for (i = timing + 1; i < lines.size() && !Trim(lines[i]).empty(); ++i) {
      text.push_back(lines[i]);
    }
    c.text = CleanText(PlainCueText(text, &c.lang, &c.speaker), TextLayout::kLines);
    if (c.text.empty()) continue;  // an empty cue says nothing
    cues.push_back(std::move(c));
  }
  if (cues.empty()) return Status::InvalidArgument(name + ": no cues with text in it");
  return cues;
}

Result<BuiltTranscript> BuildTranscript(const std::vector<Cue>& cues, int64_t duration_ms) {
  BuiltTranscript b;
  Json segments = Json::array();
  int64_t offset = 0;
  for (const Cue& c : cues) {
    if (!b.text.empty()) {
      b.text += '\n';
      ++offset;
    }
    int64_t len = static_cast<int64_t>(CodePoints(c.text));
    meta::Segment g;
    g.start_ms = c.start_ms;
    g.end_ms = c.end_ms;
    g.char_start = offset;
    g.char_end = offset + len;
    g.lang = c.lang.empty() ? "und" : c.lang;
    g.text = c.text;
    Json words = Json::array();
    for (const CueWord& w : c.words) {
      words.push_back(
          {{"text", w.text}, {"start_ms", w.start_ms}, {"end_ms", w.end_ms}, {"p", w.p}});
    }
    Json seg = {{"start_ms", c.start_ms}, {"end_ms", c.end_ms}, {"lang", g.lang},
                {"start", g.char_start},  {"end", g.char_end},  {"text", c.text},
                {"words", words}};
    if (c.confidence >= 0) seg["confidence"] = c.confidence;
    if (c.no_speech >= 0) seg["no_speech"] = c.no_speech;
    if (!c.speaker.empty()) seg["speaker"] = c.speaker;
    segments.push_back(std::move(seg));
    b.ms_by_lang[g.lang] += c.end_ms - c.start_ms;
    b.text += c.text;
    offset += len;
    b.segments.push_back(std::move(g));
  }
  b.lang = "und";
  int64_t best = -1;
  for (const auto& [lang, ms] : b.ms_by_lang) {
    if (ms > best) best = ms, b.lang = lang;
  }
  ASSIGN_OR_RETURN(b.json,
                   CanonicalJson(Json{{"duration_ms", duration_ms}, {"segments", segments}}));
  return b;
}

Result<meta::Version> ImportTranscript(Env* env, archive::Archive* archive,
                                       const std::string& record_id, const std::string& file,
                                       const std::string& by, std::optional<int> from) {
  ASSIGN_OR_RETURN(std::string data, env->ReadFile(file));
  std::string format;
  ASSIGN_OR_RETURN(std::vector<Cue> cues, ParseCaptions(data, file, &format));
  // A sealed or withdrawn record takes none, and is asked before anything of it is read.
  ASSIGN_OR_RETURN(meta::Record record,
                   archive->consent().Writable(record_id, access::Action::kWrite));
  // What it corrects: the newest machine transcript, whose languages fill in cues that do not
  // say theirs, and whose source it transcribes.
  auto machine = LoadTranscript(archive, record_id, std::nullopt);
  if (!machine.ok() && !machine.status().IsNotFound()) return machine.status();
  int source = from.value_or(machine.ok() ? machine->from : 0);
  if (source == 0) {
    for (const meta::Version& v : record.versions) {
      ASSIGN_OR_RETURN(Json m, ParseJson(v.manifest, "manifest"));
      if (!m.contains("derived")) source = v.version;
    }
  }
  int64_t duration = machine.ok() ? machine->duration_ms : 0;
  for (Cue& c : cues) {
    if (!c.lang.empty()) continue;
    int64_t best = 0;
    if (machine.ok()) {
      for (const Cue& m : machine->cues) {
        int64_t overlap = std::min(c.end_ms, m.end_ms) - std::max(c.start_ms, m.start_ms);
        if (overlap > best) best = overlap, c.lang = m.lang;
      }
    }
    if (c.lang.empty()) {
      for (const meta::Version& v : record.versions) {
        if (v.version == source) c.lang = v.lang;
      }
    }
    duration = std::max(duration, c.end_ms);
  }
  for (const Cue& c : cues) duration = std::max(duration, c.end_ms);
  size_t slash = file.rfind('/');
  Json params = {{"by", by},
                 {"file", slash == std::string::npos ? file : file.substr(slash + 1)},
                 {"format", format},
                 {"sha256", ToHex(Sha256(data))}};
  return AddHumanTranscript(archive, record_id, source, cues, duration, params);
}

Result<meta::Version> ImportTranslation(Env* env, archive::Archive* archive,
                                        const std::string& record_id, const std::string& file,
                                        const std::string& lang, const std::string& translator,
                                        std::optional<int> transcript) {
  if (lang.size() < 2 || lang.size() > 3 ||
      lang.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos) {
    return Status::InvalidArgument("the translation's language '" + lang.substr(0, 20) +
                                   "' must be a language tag such as fr, he, ar or en");
  }
  std::string by = CleanText(translator, TextLayout::kOneLine);
  if (by.find_first_not_of(' ') == std::string::npos || by.size() > 200) {
    return Status::InvalidArgument("name the translator (--by), in at most 200 bytes");
  }
  ASSIGN_OR_RETURN(std::string data, env->ReadFile(file));
  std::string format;
  ASSIGN_OR_RETURN(std::vector<Cue> given, ParseCaptions(data, file, &format));
  ASSIGN_OR_RETURN(meta::Record record,
                   archive->consent().Writable(record_id, access::Action::kWrite));
  (void)record;
  ASSIGN_OR_RETURN(TranscriptDoc doc, LoadTranscript(archive, record_id, transcript));
  if (doc.artifact != "transcript") {
    return Status::InvalidArgument("version " + std::to_string(doc.version) +
                                   " is a translation: translate the transcript itself");
  }
  // Each cue on the line it overlaps most; cues on one line joined, in order.
  std::map<size_t, std::string> on_line;
  for (const Cue& c : given) {
    int64_t best = 0;
    size_t line = doc.cues.size();
    for (size_t i = 0; i < doc.cues.size(); ++i) {
      int64_t overlap = std::min(c.end_ms, doc.cues[i].end_ms) -
                        std::max(c.start_ms, doc.cues[i].start_ms);
      if (overlap > best) best = overlap, line = i;
    }
    if (line == doc.cues.size()) {
      return Status::InvalidArgument(
          file + ": the cue at " + Clock(c.start_ms, '.') +
          " meets no line of the transcript (version " + std::to_string(doc.version) +
          "): a translation follows the transcript's times");
    }
    std::string& text = on_line[line];
    text += (text.empty() ? "" : " ") + c.text;
  }
  std::vector<Cue> cues;
  for (const auto& [line, text] : on_line) {
    Cue c = doc.cues[line];
    c.text = text;
    c.lang = lang;
    c.speaker.clear();
    c.words.clear();
    c.confidence = c.no_speech = -1;
    cues.push_back(std::move(c));
  }
  size_t slash = file.rfind('/');
  Json params = {{"by", by},
                 {"file", slash == std::string::npos ? file : file.substr(slash + 1)},
                 {"format", format},
                 {"lang", lang},
                 {"sha256", ToHex(Sha256(data))}};
  return AddHumanTranscript(archive, record_id, doc.version, cues, doc.duration_ms, params, 0,
                            "translation");
}

namespace {

// kConflict if `doc` is not the record's newest transcript: someone saved another since it was
// read. The message names the newer version, who made it, and the lines it changed.
Status CheckNewest(archive::Archive* archive, const TranscriptDoc& doc) {
  ASSIGN_OR_RETURN(TranscriptDoc newest, LoadTranscript(archive, doc.record, std::nullopt));
  if (newest.version == doc.version) return Status::Ok();
  std::map<std::pair<int64_t, int64_t>, const std::string*> before;
  for (const Cue& c : doc.cues) before[{c.start_ms, c.end_ms}] = &c.text;
  // The lines it changed are named by their times, never their words: this answer is not a
  // reading of the record (the differences page is, and is audited).
  std::string changed;
  int count = 0;
  for (const Cue& c : newest.cues) {
    auto it = before.find({c.start_ms, c.end_ms});
    if (it != before.end() && *it->second == c.text) continue;
    if (++count <= 5) changed += (changed.empty() ? "" : ", ") + Clock(c.start_ms, '.');
  }
  std::string by;
  auto made = archive->records().Get(doc.record);
  std::string what = "version " + std::to_string(newest.version) + " (" + newest.tool;
  if (made.ok()) {
    for (const meta::Version& v : made->versions) {
      if (v.version != newest.version) continue;
      auto m = ParseJson(v.manifest, "manifest");
      if (m.ok() && (*m)["derived"].contains("params")) {
        by = StringMember((*m)["derived"]["params"], "by");
      }
      what += (by.empty() ? "" : ", by " + OneLine(by)) + ", " + v.created;
    }
  }
  what += ")";
  return Status::Conflict(
      "version " + std::to_string(doc.version) + " of " + doc.record +
      " is no longer the newest transcript: " + what + " was saved since" +
      (count == 0 ? "" : ", changing " + std::to_string(count) + " line" +
                             (count == 1 ? "" : "s") + " (from " + changed +
                             (count > 5 ? ", …" : "") + ")") +
      ". Nothing was saved: open the newest version and make the change there");
}

// A transcript version a person corrects, and the record's newest version when it was read
// (the precondition of the save).
struct Editable {
  TranscriptDoc doc;
  int newest_version = 0;
};

// Version `version` of the record, to be corrected: a sealed or withdrawn record takes none
// (asked before anything of it is read); it must be a transcript (not a translation) and still
// the record's newest (CheckNewest).
Result<Editable> OpenToEdit(archive::Archive* archive, const std::string& record_id, int version) {
  ASSIGN_OR_RETURN(meta::Record record,
                   archive->consent().Writable(record_id, access::Action::kWrite));
  Editable e;
  e.newest_version = record.versions.empty() ? 0 : record.versions.back().version;
  ASSIGN_OR_RETURN(e.doc, LoadTranscript(archive, record_id, version));
  if (e.doc.artifact != "transcript") {
    return Status::InvalidArgument("version " + std::to_string(version) + " of " + record_id +
                                   " is a " + e.doc.artifact +
                                   ", not a transcript of the witness");
  }
  RETURN_IF_ERROR(CheckNewest(archive, e.doc));
  return e;
}

// The language of each of `cues` that has none: that of the line of `old` (in time order, not
// overlapping) it overlaps most, found by a sweep.
void LanguagesFrom(const std::vector<Cue>& old, std::vector<Cue>* cues) {
  for (Cue& c : *cues) {
    if (!c.lang.empty()) continue;
    auto it = std::upper_bound(old.begin(), old.end(), c.start_ms,
                               [](int64_t t, const Cue& o) { return t < o.end_ms; });
    int64_t best = 0;
    for (; it != old.end() && it->start_ms < c.end_ms; ++it) {
      int64_t overlap = std::min(c.end_ms, it->end_ms) - std::max(c.start_ms, it->start_ms);
      if (overlap > best) best = overlap, c.lang = it->lang;
    }
    if (c.lang.empty() && !old.empty()) c.lang = old.front().lang;
  }
}

Result<meta::Version> EditOnce(archive::Archive* archive, const std::string& record_id,
                               int edited, std::vector<Cue> cues, const std::string& by) {
  ASSIGN_OR_RETURN(Editable e, OpenToEdit(archive, record_id, edited));
  TranscriptDoc& doc = e.doc;
  if (cues.empty()) return Status::InvalidArgument("the transcript has no lines left");
  if (cues.size() > 100000) return Status::InvalidArgument("more than 100,000 lines");
  std::map<std::tuple<int64_t, int64_t, std::string>, const Cue*> unchanged;
  for (const Cue& c : doc.cues) unchanged[{c.start_ms, c.end_ms, c.text}] = &c;
  int64_t duration = doc.duration_ms;
  bool changed = cues.size() != doc.cues.size();
  for (size_t i = 0; i < cues.size(); ++i) {
    Cue& c = cues[i];
    const std::string line = "line " + std::to_string(i + 1);
    c.text = Trim(CleanText(c.text, TextLayout::kOneLine));
    c.speaker = LabelOf(c.speaker);
    if (c.text.empty()) return Status::InvalidArgument(line + " has no words (remove it instead)");
    if (c.text.size() > 10000) return Status::InvalidArgument(line + " is longer than 10,000 bytes");
    if (c.start_ms < 0 || c.end_ms <= c.start_ms) {
      return Status::InvalidArgument(line + " must end after it starts");
    }
    if (i > 0 && c.start_ms < cues[i - 1].end_ms) {
      return Status::InvalidArgument(line + " starts at " + Clock(c.start_ms, '.') +
                                     ", before the line above ends (" +
                                     Clock(cues[i - 1].end_ms, '.') + ")");
    }
    duration = std::max(duration, c.end_ms);
    c.words.clear();
    c.confidence = c.no_speech = -1;
    auto same = unchanged.find({c.start_ms, c.end_ms, c.text});
    if (same != unchanged.end()) {
      c.lang = same->second->lang;
      if (same->second->speaker != c.speaker) changed = true;
      continue;
    }
    changed = true;
    c.lang.clear();
  }
  if (!changed) return Status::InvalidArgument("nothing was changed: the transcript is as it was");
  LanguagesFrom(doc.cues, &cues);
  Json params = {{"by", by}, {"edits", edited}};
  return AddHumanTranscript(archive, record_id, doc.from, cues, duration, params,
                            e.newest_version);
}

}  // namespace

Result<meta::Version> EditTranscript(archive::Archive* archive, const std::string& record_id,
                                     int edited, std::vector<Cue> cues, const std::string& by) {
  return RetriedIfChanged([&] { return EditOnce(archive, record_id, edited, cues, by); });
}

namespace {

Result<meta::Version> CorrectOnce(archive::Archive* archive, const std::string& record_id,
                                  int version, int64_t start_ms, int64_t end_ms,
                                  const std::string& text, const std::string& by) {
  std::string line = CleanText(text, TextLayout::kOneLine);  // one line, no controls
  while (!line.empty() && line.back() == ' ') line.pop_back();
  while (!line.empty() && line.front() == ' ') line.erase(0, 1);
  if (line.empty()) return Status::InvalidArgument("the corrected text is empty");
  if (line.size() > 10000) {
    return Status::InvalidArgument("the corrected text is longer than 10,000 bytes");
  }
  ASSIGN_OR_RETURN(Editable e, OpenToEdit(archive, record_id, version));
  TranscriptDoc& doc = e.doc;
  bool found = false;
  for (Cue& c : doc.cues) {
    // A person's version says nothing of a recogniser's confidence, in any line.
    c.confidence = c.no_speech = -1;
    if (c.start_ms != start_ms || c.end_ms != end_ms) continue;
    if (c.text == line) return Status::InvalidArgument("the corrected text is the text already there");
    c.text = line;
    c.words.clear();  // the word times were the recogniser's, for other words
    c.confidence = -1;
    found = true;
  }
  if (!found) {
    return Status::NotFound("version " + std::to_string(version) + " of " + record_id +
                            " has no line from " + std::to_string(start_ms) + " to " +
                            std::to_string(end_ms) + " ms");
  }
  Json params = {{"by", by},
                 {"corrects", version},
                 {"line", {{"start_ms", start_ms}, {"end_ms", end_ms}}},
                 {"sha256", ToHex(Sha256(line))}};
  return AddHumanTranscript(archive, record_id, doc.from, doc.cues, doc.duration_ms, params,
                            e.newest_version);
}

}  // namespace

Result<meta::Version> CorrectSegment(archive::Archive* archive, const std::string& record_id,
                                     int version, int64_t start_ms, int64_t end_ms,
                                     const std::string& text, const std::string& by) {
  return RetriedIfChanged(
      [&] { return CorrectOnce(archive, record_id, version, start_ms, end_ms, text, by); });
}

Result<meta::Version> AddHumanTranscript(archive::Archive* archive, const std::string& record_id,
                                         int source, const std::vector<Cue>& cues,
                                         int64_t duration, const Json& params,
                                         int after_version, const std::string& artifact) {
  ASSIGN_OR_RETURN(BuiltTranscript built, BuildTranscript(cues, duration));
  archive::DerivedText d;
  d.after_version = after_version;
  d.derivation.from = source;
  d.derivation.artifact = artifact;
  d.derivation.tool = "human";
  d.derivation.tool_version = std::string("attest ") + ATTEST_VERSION;
  d.derivation.params = params;
  d.text = std::move(built.text);
  d.segments = std::move(built.segments);
  d.blobs.push_back({"transcript", std::move(built.json), ""});
  d.lang = built.lang;
  return archive->records().AddDerived(record_id, source, d);
}

}  // namespace attest::ingest
