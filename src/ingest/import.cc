#include "ingest/import.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "archive/manifest.h"
#include "core/env.h"
#include "core/json.h"
#include "core/text_safety.h"
#include "search/dates.h"

namespace attest::ingest {
namespace {

struct Row {
  int line = 0;
  std::map<std::string, Json> fields;  // column -> value (strings for CSV)
};

// RFC 4180 records, each with the line it starts on.
Result<std::vector<std::pair<int, std::vector<std::string>>>> ParseCsv(std::string_view text) {
  std::vector<std::pair<int, std::vector<std::string>>> out;
  std::vector<std::string> fields;
  std::string field;
  int line = 1, start = 1;
  bool quoted = false, any = false;
  size_t i = 0;
  auto end_record = [&] {
    fields.push_back(std::move(field));
    field.clear();
    bool blank = fields.size() == 1 && fields[0].empty();
    if (!blank) out.emplace_back(start, std::move(fields));
    fields.clear();
    any = false;
  };
  while (i < text.size()) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      ++i;
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      any = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      // CRLF: the '\n' ends the record
    } else if (c == '\n') {
      end_record();
      start = ++line;
    } else {
      field += c;
      any = true;
    }
    ++i;
  }
  if (quoted)
    return Status::InvalidArgument("line " + std::to_string(start) +
                                   ": a quoted field is never closed");
  if (any || !field.empty() || !fields.empty()) end_record();
  return out;
}

Result<std::vector<Row>> ReadRows(const std::string& text, bool jsonl) {
  std::vector<Row> rows;
  if (jsonl) {
    int line = 0;
    size_t pos = 0;
    while (pos < text.size()) {
      ++line;
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      std::string l = text.substr(pos, nl - pos);
      pos = nl + 1;
      if (l.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto j = ParseJson(l, "line " + std::to_string(line));
      if (!j.ok()) return j.status();
      if (!j->is_object()) {
        return Status::InvalidArgument("line " + std::to_string(line) + " is not a JSON object");
      }
      Row r;
      r.line = line;
      for (auto& [k, v] : j->items()) r.fields[k] = v;
      rows.push_back(std::move(r));
    }
    return rows;
  }
  ASSIGN_OR_RETURN(auto records, ParseCsv(text));
  if (records.empty()) return Status::InvalidArgument("the manifest is empty: no header row");
  const std::vector<std::string>& header = records[0].second;
  std::set<std::string> seen;
  for (const auto& h : header) {
    if (h.empty()) return Status::InvalidArgument("line 1: a column has no name");
    if (!seen.insert(h).second) {
      return Status::InvalidArgument("line 1: column '" + h + "' is named twice");
    }
  }
  // In JSONL every row is checked for its file below.
  if (!seen.count("file")) {
    return Status::InvalidArgument("the header row must name the column file (doc/import.md)");
  }
  for (size_t k = 1; k < records.size(); ++k) {
    Row r;
    r.line = records[k].first;
    const auto& f = records[k].second;
    if (f.size() > header.size()) {
      r.fields["\x01"] = "the row has " + std::to_string(f.size()) + " fields, the header " +
                         std::to_string(header.size());
    }
    for (size_t c = 0; c < header.size() && c < f.size(); ++c) {
      if (!f[c].empty()) r.fields[header[c]] = f[c];
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string Str(const Row& r, const std::string& col) {
  auto it = r.fields.find(col);
  if (it == r.fields.end() || it->second.is_null()) return "";
  return it->second.is_string() ? it->second.get<std::string>() : it->second.dump();
}

// A row's file as a path relative to the base directory, lexically normal ("box/a.txt" for
// "./box//a.txt", or for "/in/box/a.txt" with the base "/in"): the identity of a row without an
// id. A file outside the base directory is named by its absolute path.
std::string RelativeToBase(const std::string& base_dir, const std::string& file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path base = fs::absolute(base_dir.empty() ? "." : base_dir, ec).lexically_normal();
  if (!base.has_filename() && base.has_parent_path() && base != base.root_path()) {
    base = base.parent_path();  // "/in/" -> "/in"
  }
  fs::path full = (file[0] == '/' ? fs::path(file) : base / file).lexically_normal();
  fs::path rel = full.lexically_relative(base);
  if (rel.empty() || *rel.begin() == "..") return full.string();
  return rel.string();
}

}  // namespace

std::string ImportReport::ProblemsText(const std::string& name) const {
  std::string out;
  for (const auto& p : problems) {
    out += name + ":" + std::to_string(p.line) + ": " + (p.column.empty() ? "" : p.column + ": ") +
           p.message + "\n";
  }
  return out;
}

Result<ImportReport> Import(archive::Archive* archive, const std::string& manifest,
                            const std::string& base_dir_arg, bool dry_run) {
  Env* env = Env::Default();
  auto text = env->ReadFile(manifest);
  if (!text.ok()) return text.status().WithContext("reading the manifest " + manifest);
  std::string body = *text;
  if (body.compare(0, 3, "\xEF\xBB\xBF") == 0) body.erase(0, 3);
  if (!IsValidUtf8(body)) {
    return Status::InvalidArgument(manifest + " is not UTF-8; save it as UTF-8 and import again");
  }
  bool jsonl = manifest.ends_with(".jsonl") || manifest.ends_with(".ndjson");
  auto rows_or = ReadRows(body, jsonl);
  if (!rows_or.ok()) return rows_or.status().WithContext(manifest);
  std::vector<Row> rows = std::move(*rows_or);
  std::string base_dir = base_dir_arg.empty() ? DirName(manifest) : base_dir_arg;
  static const std::set<std::string> kKnown = {"id",   "file",  "witness",  "collection", "title",
                                               "date", "place", "language", "consent"};
  ImportReport rep;
  rep.batch = "import-" + env->RandomHex(6);
  struct Good {
    int line;
    std::string id, path;  // `id` as the report names it: the row's id, or its file's path
    archive::AddOptions opts;
  };
  const std::string manifest_name = CleanText(BaseName(manifest), TextLayout::kOneLine);
  std::vector<Good> good;
  std::map<std::string, int> ids;
  for (const Row& r : rows) {
    size_t before = rep.problems.size();
    auto bad = [&](const std::string& col, const std::string& msg) {
      rep.problems.push_back({r.line, col, msg});
    };
    if (r.fields.count("\x01")) bad("", Str(r, "\x01"));
    // The row's identity: its id, or else its file's path relative to the base directory.
    std::string id = Str(r, "id");
    std::string import_id = id;
    std::string file = Str(r, "file");
    if (id.empty()) {
      if (!file.empty()) {
        id = RelativeToBase(base_dir, file);
        import_id = archive->PathImportId(id);
        if (auto [it, inserted] = ids.emplace(import_id, r.line); !inserted) {
          bad("file", id + " is also on line " + std::to_string(it->second));
        }
      }
    } else if (id.size() > 200 || !IsValidUtf8(id) ||
               id.find_first_of(std::string("\0\n\r\t", 4)) != std::string::npos) {
      bad("id", "'" + id.substr(0, 40) + "' must be 1-200 printable characters");
    } else if (auto [it, inserted] = ids.emplace(id, r.line); !inserted) {
      bad("id", "'" + id + "' is also on line " + std::to_string(it->second));
    }
    archive::AddOptions o;
    o.witness = Str(r, "witness");
    if (!o.witness.empty() && !archive::IsValidId(o.witness)) {
      bad("witness", "'" + o.witness + "' must be 1-64 letters, digits, '.', '_' or '-'");
    }
    o.collection = Str(r, "collection");
    if (!o.collection.empty() && !archive::IsValidId(o.collection)) {
      bad("collection", "'" + o.collection + "' must be 1-64 letters, digits, '.', '_' or '-'");
    }
    std::string lang = Str(r, "language");
    o.lang = lang.empty() ? "und" : lang;
    if (!archive::IsValidLang(o.lang)) {
      bad("language", "'" + lang + "' is not a language tag such as he, ar, en, fr or und");
    }
    std::string consent = Str(r, "consent");
    if (!consent.empty()) {
      auto c = meta::ParseConsent(consent);
      if (!c.ok()) {
        bad("consent", c.status().message());
      } else if (*c == meta::Consent::kWithdrawn) {
        bad("consent", "a record cannot be imported as withdrawn");
      } else {
        o.consent = *c;
      }
    }
    o.date = Str(r, "date");
    if (!o.date.empty()) {
      auto d = search::ParseDateRange(o.date, "date");
      if (!d.ok()) bad("date", d.status().message());
    }
    std::string places = Str(r, "place");
    for (size_t p = 0; p <= places.size() && !places.empty();) {
      size_t semi = places.find(';', p);
      if (semi == std::string::npos) semi = places.size();
      std::string place = places.substr(p, semi - p);
      while (!place.empty() && place.front() == ' ') place.erase(0, 1);
      while (!place.empty() && place.back() == ' ') place.pop_back();
      if (!place.empty()) {
        if (Status st = archive::ValidateName(place, "place"); !st.ok()) {
          bad("place", st.message());
        } else {
          o.places.push_back(place);
        }
      }
      p = semi + 1;
    }
    o.meta = Json::object();
    for (const auto& [k, v] : r.fields) {
      if (k == "\x01" || (kKnown.count(k) && k != "title")) continue;
      if (!v.is_null()) o.meta[k] = v;
    }
    if (auto c = CanonicalJson(o.meta); !c.ok()) bad("", c.status().message());
    std::string path;
    if (file.empty()) {
      bad("file", "missing: every row names its file");
    } else {
      path = file[0] == '/' ? file : JoinPath(base_dir, file);
      auto info = env->Stat(path);
      if (!info.ok() || !info->exists) {
        bad("file", file + ": no such file");
      } else if (!info->is_regular) {
        bad("file", file + " is not a regular file");
      }
    }
    if (rep.problems.size() == before) {
      o.import_id = import_id;
      o.import_manifest = manifest_name;
      o.import_line = r.line;
      o.batch = rep.batch;
      good.push_back({r.line, id, path, std::move(o)});
    }
  }
  for (Good& g : good) {
    ASSIGN_OR_RETURN(auto before, archive->records().ImportedRecord(g.opts.import_id));
    if (before) {
      rep.skipped.push_back({g.line, g.id, *before, g.path});
      continue;
    }
    if (dry_run) {
      rep.imported.push_back({g.line, g.id, "", g.path});
      continue;
    }
    auto added = archive->records().Add({g.path}, g.opts);
    if (!added.ok()) {
      rep.problems.push_back({g.line, "", added.status().message()});
      continue;
    }
    rep.imported.push_back({g.line, g.id, added->front().id, g.path});
  }
  std::sort(rep.problems.begin(), rep.problems.end(),
            [](const ImportProblem& a, const ImportProblem& b) { return a.line < b.line; });
  return rep;
}

}  // namespace attest::ingest
