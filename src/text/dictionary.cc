#include "text/dictionary.h"

#include <unicode/unistr.h>
#include <zlib.h>

#include <algorithm>

#include "core/env.h"

namespace attest::text {
namespace {

// dictd's base64 number: A-Z a-z 0-9 + /, most significant digit first. -1 if not one.
int64_t DictdNumber(std::string_view s) {
  if (s.empty() || s.size() > 10) return -1;
  int64_t n = 0;
  for (char c : s) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+'             ? 62
            : c == '/'             ? 63
                                   : -1;
    if (v < 0) return -1;
    n = n * 64 + v;
  }
  return n;
}

// A gzip (dictzip) file's bytes, inflated; the bytes as they are if they are not gzip.
Result<std::string> Inflate(const std::string& data, const std::string& path) {
  if (data.size() < 2 || static_cast<unsigned char>(data[0]) != 0x1f ||
      static_cast<unsigned char>(data[1]) != 0x8b) {
    return data;
  }
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Status::Unavailable("zlib could not start");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return Status::Corruption(path + " is not a whole gzip file");
    }
    out.append(buf, sizeof(buf) - z.avail_out);
    if (out.size() > (size_t{256} << 20)) {
      inflateEnd(&z);
      return Status::Corruption(path + " inflates to more than 256 MiB");
    }
  }
  inflateEnd(&z);
  return out;
}

void Trim(std::string* s) {
  while (!s->empty() && (s->back() == ' ' || s->back() == '\t' || s->back() == '\r')) {
    s->pop_back();
  }
  size_t i = 0;
  while (i < s->size() && ((*s)[i] == ' ' || (*s)[i] == '\t')) ++i;
  s->erase(0, i);
}

// The translations in an entry: the lines after the headword line, each split at commas and
// semicolons, with anything in brackets or angle brackets left out.
std::vector<std::string> Translations(std::string_view entry) {
  std::vector<std::string> out;
  size_t nl = entry.find('\n');
  if (nl == std::string_view::npos) return out;
  std::string_view rest = entry.substr(nl + 1);
  std::string item;
  int depth = 0;
  auto flush = [&] {
    Trim(&item);
    if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) {
      out.push_back(item);
    }
    item.clear();
  };
  for (char c : rest) {
    if (c == '(' || c == '<' || c == '[') {
      ++depth;
    } else if ((c == ')' || c == '>' || c == ']') && depth > 0) {
      --depth;
    } else if (depth > 0) {
      continue;
    } else if (c == '\n' || c == ',' || c == ';') {
      flush();
    } else {
      item += c;
    }
  }
  flush();
  return out;
}

const char* FreeDictCode(Lang l) {
  switch (l) {
    case Lang::kArabic:
      return "ara";
    case Lang::kEnglish:
      return "eng";
    case Lang::kFrench:
      return "fra";
    case Lang::kHebrew:
      return "heb";
    case Lang::kUnknown:
      break;
  }
  return "";
}

}  // namespace

std::string Dictionary::Key(std::string_view word, Lang lang) {
  std::string w(word);
  if (lang == Lang::kArabic) return FoldArabic(w);
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(w.data(), static_cast<int32_t>(w.size())));
  u.toLower();
  std::string out;
  u.toUTF8String(out);
  return out;
}

Result<std::unique_ptr<Dictionary>> Dictionary::Load(const std::string& index_path,
                                                     const std::string& dict_path, Lang from,
                                                     Lang to) {
  ASSIGN_OR_RETURN(std::string index, Env::Default()->ReadFile(index_path));
  ASSIGN_OR_RETURN(std::string packed, Env::Default()->ReadFile(dict_path));
  ASSIGN_OR_RETURN(std::string dict, Inflate(packed, dict_path));
  std::unique_ptr<Dictionary> d(new Dictionary(from, to));
  size_t line_no = 0, at = 0;
  while (at < index.size()) {
    size_t end = index.find('\n', at);
    if (end == std::string::npos) end = index.size();
    std::string_view line(index.data() + at, end - at);
    at = end + 1;
    ++line_no;
    if (line.empty()) continue;
    size_t t1 = line.find('\t'), t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string_view::npos) {
      return Status::Corruption(index_path + ":" + std::to_string(line_no) +
                                ": not 'headword TAB offset TAB length'");
    }
    std::string_view head = line.substr(0, t1);
    int64_t offset = DictdNumber(line.substr(t1 + 1, t2 - t1 - 1));
    int64_t length = DictdNumber(line.substr(t2 + 1));
    if (offset < 0 || length < 0 || static_cast<uint64_t>(offset + length) > dict.size()) {
      return Status::Corruption(index_path + ":" + std::to_string(line_no) +
                                ": the entry's place is not in " + dict_path);
    }
    if (head.rfind("00database", 0) == 0 || head.rfind("00-database", 0) == 0) continue;
    auto words = Translations(std::string_view(dict).substr(offset, length));
    if (words.empty()) continue;
    auto& slot = d->entries_[Key(head, from)];
    for (auto& w : words) {
      if (std::find(slot.begin(), slot.end(), w) == slot.end()) slot.push_back(std::move(w));
    }
  }
  return d;
}

Result<std::unique_ptr<Dictionary>> Dictionary::FreeDict(Lang from, Lang to,
                                                         const std::string& dir) {
  std::string base = dir + "/freedict-" + FreeDictCode(from) + "-" + FreeDictCode(to);
  if (!Env::Default()->FileExists(base + ".index")) {
    return Status::NotFound("no FreeDict dictionary from " + std::string(LangTag(from)) + " to " +
                            LangTag(to) + " (" + base + ".index)");
  }
  return Load(base + ".index", base + ".dict.dz", from, to);
}

std::vector<std::string> Dictionary::Translate(std::string_view word) const {
  auto it = entries_.find(Key(word, from_));
  if (it == entries_.end()) return {};
  return it->second;
}

}  // namespace attest::text
